"""Spread: no crammed days. Period goals (a visit a month, sessions a week) met on a period's
last days make days a station would send back (11 activities on a campaign's last day).

Soft (weights.spread, per activity over): on each day outside a key date's window, the
offline activities above busiest_day × the campaign's daily mean (over the model's days),
and never fewer than min_day allowed. A key date's window (the national month too) may be
as busy as its goals ask.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from planner.model import Plan
from planner.tactics.base import Ctx

NAME = "spread"
ORDER = 85  # builds the model after lower ORDERs
RANK = 85  # where it shows in the score and unmet goals
PRECISION = 10  # busiest_day is used in tenths


def enabled(plan: Plan) -> bool:
    return plan.weights.spread > 0 and plan.tactics.spread is not None


def exempt(ctx_or_calendar: Any, day: int) -> bool:
    """A day inside a key date's window: as busy as the key date asks."""
    calendar = getattr(ctx_or_calendar, "calendar", ctx_or_calendar)
    return bool(calendar.days[day].key_dates)


def add(ctx: Ctx) -> None:
    crammed_days(ctx)


def crammed_days(ctx: Ctx) -> None:
    """over_d ≥ count_d − max(busiest_day × total / n, min_day), scaled by n × PRECISION."""
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
    busy = [d for d in sorted(by_day) if len(by_day[d]) > floor and not exempt(ctx, d)]
    if not busy:
        return
    m = ctx.model
    total = m.new_int_var(0, len(everything), "spread.total")
    m.add(total == sum(everything))
    allowed = m.new_int_var(0, max(factor * len(everything), n * PRECISION * floor), "spread.allowed")
    # allowed is n × PRECISION × the day's allowance: the larger of the mean's share and the floor
    m.add_max_equality(allowed, [factor * total, n * PRECISION * floor])
    terms = []
    for d in busy:
        over = m.new_int_var(0, len(by_day[d]), f"spread.over[{d}]")
        m.add(n * PRECISION * over >= n * PRECISION * sum(by_day[d]) - allowed)
        terms.append((over, 1))
    ctx.cost(NAME, "crammed_days", terms, "spread")


def busiest(plan: Plan, calendar: Any, activities: list) -> tuple[int, int]:
    """Days within the allowance, of the days with activities (outside key dates)."""
    rule = plan.tactics.spread
    counts: dict[int, int] = defaultdict(int)
    for a in activities:
        if a.cand.venue is not None:
            counts[a.cand.day] += 1
    if rule is None or not counts:
        return 0, 0
    allowance = max(rule.busiest_day * sum(counts.values()) / len(calendar.days), rule.min_day)
    days = [d for d in counts if not exempt(calendar, d)]
    return sum(1 for d in days if counts[d] <= allowance + 1e-9), len(days)


def score(plan: Plan, calendar: Any, activities: list, row: Any) -> None:
    row.met, row.required = busiest(plan, calendar, activities)


__all__ = ["add", "enabled", "exempt", "crammed_days", "busiest", "score"]
