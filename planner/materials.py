"""Materials (物料) an activity needs, from its format and its expected reach.

A format carries, per material, `per_person` (× the people it reaches), `per_household`
(× the households they are: reach ÷ the catalogue's household_size) and `per_activity` (a
fixed count); the catalogue's formats.yaml gives each built-in format its amounts and a plan
overrides them under `activities.<format>.materials` (see planner.formats). One activity's
count of a material is the sum of the three, rounded up to a whole number: a stall reaching
115 people at 2 leaflets a person takes 230 leaflets; 0.1 gifts a person, 12 gifts.

The weekly print list (`print_list`) totals the used-up materials (handed out or posted:
leaflets, booklets, posters, letters, gifts) of each ISO week's activities, due from the
printer the catalogue's `print_lead_days` before that week's Monday.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Mapping

from planner.catalogue import Format, MaterialUse, catalogue


def household_size() -> float:
    return catalogue().targets.household_size


def print_lead_days() -> int:
    return catalogue().targets.print_lead_days


def amount(use: MaterialUse, reach: float) -> float:
    """How much of a material one activity reaching `reach` people needs, before rounding."""
    return use.per_person * reach + use.per_household * reach / household_size() + use.per_activity


def whole(x: float) -> int:
    """Rounded up to a whole number; 30.000000000000004 (0.3 × 100) is 30, not 31."""
    return max(0, math.ceil(round(x, 6)))


# (id of the format, reach) → (the format, its counts): the targets' goals ask this of every
# candidate for every material, hundreds of thousands of times in a re-plan
_COUNTS: dict[tuple[int, float], tuple[Format, dict[str, int]]] = {}


def activity_materials(fmt: Format | None, reach: int | float) -> dict[str, int]:
    """Material id → count for one activity of this format reaching `reach` people, in the
    catalogue's order of materials; materials it needs none of are left out."""
    if fmt is None:
        return {}
    known = _COUNTS.get((id(fmt), reach))
    if known is not None and known[0] is fmt:
        return dict(known[1])
    order = list(catalogue().materials)
    counts = {m: whole(amount(use, reach)) for m, use in fmt.materials.items()}
    result = {m: counts[m] for m in sorted(counts, key=lambda m: order.index(m) if m in order else len(order))
              if counts[m] > 0}
    if len(_COUNTS) > 100_000:
        _COUNTS.clear()
    _COUNTS[(id(fmt), reach)] = (fmt, result)
    return dict(result)


def used_up(material: str) -> bool:
    """Handed out or posted (printed anew for every activity), as against taken along and back."""
    info = catalogue().materials.get(material)
    return info.used_up if info else True


@dataclass
class PrintWeek:
    """One ISO week's print order: what its activities hand out or post, and when it is due."""

    week: str  # ISO week, e.g. 2026-W27
    monday: date
    due: date  # from the printer (or supplier) this day
    totals: dict[str, int]  # used-up material id → count, the sum over the week's activities
    activities: int  # how many of the week's activities need any material
    kept: dict[str, int] = field(default_factory=dict)  # reusable material id → most any one day needs


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def print_list(activities: Iterable[tuple[date, Mapping[str, int]]], lead_days: int | None = None) -> list[PrintWeek]:
    """Per ISO week, in order: the used-up materials of its activities, summed, due `lead_days`
    (default: the catalogue's print_lead_days) before the week's Monday; and the reusable
    ones (display boards, QR code stands) as the most that any one day of the week takes out."""
    lead = print_lead_days() if lead_days is None else lead_days
    totals: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[date, int] = defaultdict(int)
    per_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, materials in activities:
        monday = day - timedelta(days=day.weekday())
        if any(n for n in materials.values()):
            counts[monday] += 1
        totals[monday]  # a week with activities but no materials still has its line
        for m, n in materials.items():
            if used_up(m):
                totals[monday][m] += n
            else:
                per_day[day][m] += n
    order = list(catalogue().materials)

    def ordered(d: Mapping[str, int]) -> dict[str, int]:
        return {m: d[m] for m in sorted(d, key=lambda m: order.index(m) if m in order else len(order)) if d[m]}

    weeks = []
    for monday in sorted(totals):
        kept: dict[str, int] = defaultdict(int)
        for day, need in per_day.items():
            if monday <= day <= monday + timedelta(days=6):
                for m, n in need.items():
                    kept[m] = max(kept[m], n)
        weeks.append(PrintWeek(iso_week(monday), monday, monday - timedelta(days=lead), ordered(totals[monday]),
                               counts[monday], ordered(kept)))
    return weeks


__all__ = ["activity_materials", "amount", "whole", "household_size", "print_lead_days", "print_list", "PrintWeek",
           "iso_week", "used_up"]
