"""三时三地: stalls at compound gates after work, at squares and business districts at the
weekend, at market entrances at peak time.

Hard: a line's format (stall) at its places only in its windows, on its day class
(make-up workdays are workdays) and, for markets that list them, on market days. That
rule is applied where candidates are generated (planner.candidates): nothing outside the
windows ever enters the model, and planner.verify checks it again on the result.
Soft (weights.coverage, per stall short): per_week stalls each week across the line's places.
"""

from __future__ import annotations

from collections.abc import Callable

from planner.candidates import Candidate
from planner.capacity import Quota
from planner.tactics import Ctx, prorated

NAME = "three_times_three_places"
GREEDY_STEP = 20  # after key dates: a fixed weekly rhythm


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    """Each line's stalls per week, most reach first."""
    def on_line(k: int) -> Callable[[Candidate], bool]:
        return lambda c: c.line == k

    out = []
    for k, line in enumerate(ctx.plan.tactics.three_times_three_places or []):
        if not line.per_week:
            continue
        for period in ctx.periods("week"):
            if ctx.in_chunk(period):
                out.append(Quota(NAME, "per_week", GREEDY_STEP, "count", prorated(line.per_week, period.fraction),
                                 period, on_line(k), order=("reach", "day", "id"),
                                 where=("tactics", NAME, k, "per_week")))
    return out


def enabled(plan) -> bool:
    return bool(plan.tactics.three_times_three_places)


def add(ctx: Ctx) -> None:
    lines = ctx.plan.tactics.three_times_three_places
    ctx.hard("three_times_windows", sum(1 for c in ctx.cands if c.line is not None))
    for i, line in enumerate(lines):
        if line.per_week:
            per_week(ctx, i, line)


def per_week(ctx: Ctx, i: int, line) -> None:
    where = ("tactics", NAME, i, "per_week")
    places = set(line.place)
    mine = [k for k, c in enumerate(ctx.cands) if c.line == i]
    present = [v.id for v in ctx.plan.venues if v.kind in places]
    for period in ctx.periods("week"):
        if not ctx.in_chunk(period):
            continue
        required = prorated(line.per_week, period.fraction)
        if not required:
            continue
        xs = [ctx.x[k] for k in mine if period.first <= ctx.cands[k].day <= period.last]
        before = ctx.carried(period, lambda c: c.line == i)

        def why(short: int, result, period=period) -> str:
            where_ = "/".join(line.place)
            if not present:
                return f"no venue of kind {where_} in venues"
            generated = [c for c in ctx.cset.candidates if c.line == i and period.first <= c.day <= period.last]
            if not generated:
                return (f"{where_}: no {line.days} day with the window {', '.join(map(str, line.time))} "
                        f"at an open {where_} this week")
            if not any(c.line == i and period.first <= c.day <= period.last for c in ctx.pool):
                return f"{where_}: nobody who can staff a {line.activity} is free in the window this week"
            return f"{where_}: not enough staff time in the window this week (booked, or at max_activities_per_week)"

        ctx.goal(NAME, "per_week", sum(xs) + before if xs else before, required, "coverage", line.activity,
                 venue=None, period=period.label, why=why, where=where)


__all__ = ["add", "enabled"]
