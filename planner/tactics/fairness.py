"""Fairness: the load is balanced across staff of the same role.

A person's utilisation is their activities over their capacity (per week, the smaller of
max_activities_per_week and their available days). Soft (weights.fairness per 10
percentage points): each person's utilisation above their role's (capacity-weighted)
average. A sum over people rather than a max−min spread: the same balance, but a change to
one person's week shows in the cost at once, which the search needs.
"""

from __future__ import annotations

from collections import defaultdict

from planner.tactics import staffing
from planner.tactics.base import Ctx, MasterCtx, ScoreRow

NAME = "fairness"
ORDER = 80  # builds the model after lower ORDERs
RANK = 80  # where it shows in the score and unmet goals
CAMPAIGN_END_COST = True  # its cost is of the loads at the campaign's end: the last part's counts
TOLERANCE = 0.25  # a load within 25% (or one activity) of the fair share counts as fair


def enabled(plan) -> bool:
    return plan.weights.fairness > 0


def capacity(ctx_or_plan, calendar, person_index: int, upto: int, available=None) -> int:
    plan = ctx_or_plan.plan if hasattr(ctx_or_plan, "plan") else ctx_or_plan
    person = plan.staff[person_index]
    weeks: dict[tuple, int] = defaultdict(int)
    for d in range(upto):
        free = available[person_index][d] if available is not None else person.is_available(calendar.days[d].date)
        if free:
            weeks[calendar.days[d].date.isocalendar()[:2]] += 1
    return sum(min(person.max_activities_per_week, n) for n in weeks.values())


def add(ctx: Ctx) -> None:
    """above_average: cap_total × 100·load_p − cap_p × 100·load_total, over cap_p × cap_total,
    is person p's utilisation above the role's, in percentage points."""
    if isinstance(ctx, MasterCtx) and (ctx.horizon[-1] < len(ctx.calendar.days) - 1 or not ctx.fairness):
        # an earlier part of a decomposed solve: the plan's fairness is the last part's, so
        # this part's bound must not count it; or no time for the slower LP (leaving out a
        # cost ≥ 0 keeps the bound valid)
        return
    loads = staffing.person_literals(ctx)
    before = ctx.carry.load()
    upto = ctx.upto
    by_role: dict[str, list[int]] = defaultdict(list)
    for p, person in enumerate(ctx.staff):
        if loads.get(p):
            by_role[person.role].append(p)
    m = ctx.model
    for role, people in sorted(by_role.items()):
        caps = {p: capacity(ctx, ctx.calendar, p, upto, ctx.available) for p in people}
        people = [p for p in people if caps[p] > 0]
        if len(people) < 2:
            continue
        total_cap = sum(caps.values())
        load = {p: sum(v for _, v in loads[p]) + before.get(ctx.staff[p].id, 0) for p in people}
        # one variable for the role's total: each person's row then holds their own literals
        # and this, not every literal of the role (quadratic in people on a city)
        total = m.new_int_var(0, sum(len(loads[p]) + before.get(ctx.staff[p].id, 0) for p in people),
                              f"fairness.total.{role}")
        m.add(total == sum(load.values()))
        terms = []
        for p in people:
            # above 100 where a person can hold more activities than free days (two in a day: a
            # shared team member given one day), else a plan keeping every hard rule is infeasible
            most = len(loads[p]) + before.get(ctx.staff[p].id, 0)
            over = m.new_int_var(0, max(100, -(-100 * most // caps[p])), f"fairness.{ctx.staff[p].id}")
            # over ≥ 100·load_p/cap_p − 100·total/total_cap, scaled by cap_p·total_cap
            m.add(caps[p] * total_cap * over >= 100 * total_cap * load[p] - 100 * caps[p] * total)
            terms.append((over, 0.1))
        ctx.cost(NAME, f"above_average.{role}", terms, "fairness")


def extra_score(plan, calendar, activities) -> tuple[int, int]:
    """People whose load is within TOLERANCE of their capacity-proportional share of their role's."""
    load: dict[str, int] = defaultdict(int)
    for a in activities:
        for s in a.staff:
            load[s] += 1
    n = len(calendar.days)
    caps = {s.id: capacity(plan, calendar, i, n) for i, s in enumerate(plan.staff)}
    met = required = 0
    for role in sorted({s.role for s in plan.staff}):
        people = [s.id for s in plan.staff if s.role == role and caps[s.id] > 0]
        if len(people) < 2:
            continue
        total = sum(load[p] for p in people)
        cap_total = sum(caps[p] for p in people)
        for p in people:
            share = total * caps[p] / cap_total
            required += 1
            if abs(load[p] - share) <= max(1.0, TOLERANCE * share):
                met += 1
    return met, required


def score(plan, calendar, activities, row: ScoreRow) -> None:
    row.met, row.required = extra_score(plan, calendar, activities)


__all__ = ["add", "enabled", "capacity", "extra_score", "score"]
