"""Spread: no crammed days. Period goals (a visit a month, sessions a week) met on a period's
last days make days a station would send back (11 activities on a campaign's last day).

Soft (weights.spread, per activity over): on each day, the offline activities above
busiest_day × the campaign's daily mean (over the model's days) plus min_day (a small plan's
slack: two activities on a day of a quiet fortnight are no cramming), plus what the key
dates ask of the day: each key date whose window holds it adds
its min_activities spread over its window's days (a one-day key date asking three themed
activities allows three more that day; a two-month summer window asks next to nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from planner.model import Plan
from planner.tactics import surges
from planner.tactics.base import Ctx

NAME = "spread"
ORDER = 85  # builds the model after lower ORDERs
RANK = 85  # where it shows in the score and unmet goals
PRECISION = 10  # busiest_day is used in tenths


def enabled(plan: Plan) -> bool:
    return plan.weights.spread > 0 and plan.tactics.spread is not None


def asked(plan: Plan, calendar: Any) -> dict[int, float]:
    """Day → the activities the key dates ask of it: each key date's min_activities over its
    window's days in the campaign, and the surges' visits beyond the 五进 rhythm over theirs."""
    out: dict[int, float] = defaultdict(float)
    if plan.tactics.key_dates is not None:
        for key in calendar.key_dates:
            days = [i for i, d in enumerate(calendar.days) if d.date in key.window]
            for i in days:
                out[i] += key.min_activities / len(days)
    if surges.enabled(plan):  # a publicity month asks for more every day of it
        for i, n in surges.asked(plan, calendar).items():
            out[i] += n
    return dict(out)


def add(ctx: Ctx) -> None:
    crammed_days(ctx)


def crammed_days(ctx: Ctx) -> None:
    """over_d ≥ count_d − busiest_day × total / n − min_day − asked_d, scaled by n × PRECISION.
    A sum, not the larger of the mean's share and min_day: a max() makes the LP bound weak
    and the search stalled on the Lanzhou example (30 s, one worker: greedy plan kept)."""
    rule = ctx.plan.tactics.spread
    assert rule is not None
    by_day: dict[int, list] = defaultdict(list)
    everything = []
    for i, c in enumerate(ctx.cands):
        if c.venue is None:
            continue  # online posts meet nobody on the day
        everything.append(ctx.x[i])
        by_day[c.day].append(ctx.x[i])
    n = len(ctx.days)
    factor = round(rule.busiest_day * PRECISION)
    floor = rule.min_day
    extra = asked(ctx.plan, ctx.calendar)
    busy = [d for d in sorted(by_day) if len(by_day[d]) > floor + extra.get(d, 0)]
    if not busy:
        return
    m = ctx.model
    total = m.new_int_var(0, len(everything), "spread.total")
    m.add(total == sum(everything))
    allowed = factor * total + n * PRECISION * floor
    terms = []
    for d in busy:
        over = m.new_int_var(0, len(by_day[d]), f"spread.over[{d}]")
        more = round(n * PRECISION * extra.get(d, 0))
        m.add(n * PRECISION * over >= n * PRECISION * sum(by_day[d]) - allowed - more)
        terms.append((over, 1))
    ctx.cost(NAME, "crammed_days", terms, "spread")


def greedy_room(ctx: Ctx) -> Callable[[int, int, int], bool]:
    """Whether the greedy's spare-time fill (reach no goal asks for) may add an offline
    activity on `day` holding `load` when the model's days hold `total`: within what this
    rule allows at the mean so far, which the final mean only raises. Without it the fill
    crammed a campaign's last, partial week (its weekly limits unused) with 20 activities."""
    rule = ctx.plan.tactics.spread
    assert rule is not None
    n = len(ctx.days)
    extra = asked(ctx.plan, ctx.calendar)

    def room(day: int, load: int, total: int) -> bool:
        return load + 1 <= rule.busiest_day * (total + 1) / n + rule.min_day + extra.get(day, 0) + 1e-9
    return room


def busiest(plan: Plan, calendar: Any, activities: list) -> tuple[int, int]:
    """Days within their allowance, of the days with activities."""
    rule = plan.tactics.spread
    counts: dict[int, int] = defaultdict(int)
    for a in activities:
        if a.cand.venue is not None:
            counts[a.cand.day] += 1
    if rule is None or not counts:
        return 0, 0
    allowance = rule.busiest_day * sum(counts.values()) / len(calendar.days) + rule.min_day
    extra = asked(plan, calendar)
    return sum(1 for d in counts if counts[d] <= allowance + extra.get(d, 0) + 1e-9), len(counts)


def score(plan: Plan, calendar: Any, activities: list, row: Any) -> None:
    row.met, row.required = busiest(plan, calendar, activities)


__all__ = ["add", "enabled", "asked", "crammed_days", "greedy_room", "busiest", "score"]
