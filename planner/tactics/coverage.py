"""Coverage: every venue of the plan is visited in the campaign, not only the 五进 ones (a
bank, a square listed in the plan and never visited is a gap a 所长 asks about).

Soft (weights.coverage, per visit short): each venue outside the 五进 kinds, unless it says
coverage: false, gets at_least activities in the campaign. 五进 venues have their own
rhythm (planner.tactics.five_into). A venue with no window in the campaign wants nothing.
"""

from __future__ import annotations

from typing import Any

from planner.capacity import Quota, at_venue
from planner.model import Plan
from planner.tactics.base import Ctx, Period, explain_venue

NAME = "coverage"
ORDER = 32  # after the 五进 rhythm it leaves aside
RANK = 15  # beside 五进 in the score and unmet goals
WHERE = ("tactics", "coverage")
GREEDY_STEP = 35  # before the 五进 visits: one visit a venue, before the monthly rhythm takes scarce staff


def enabled(plan: Plan) -> bool:
    rule = plan.tactics.coverage
    return rule is not None and rule.at_least > 0 and plan.weights.coverage > 0


def venues(plan: Plan) -> list[str]:
    """The venues this rule asks a visit of: coverage not switched off, not a 五进 venue."""
    five = plan.tactics.five_into
    rhythm = set(five.kinds) if five is not None and five.every_venue.at_least > 0 else set()
    return [v.id for v in plan.venues if v.coverage and v.kind not in rhythm]


def add(ctx: Ctx) -> None:
    every_venue_once(ctx)


def every_venue_once(ctx: Ctx) -> None:
    rule = ctx.plan.tactics.coverage
    assert rule is not None
    period = ctx.periods("campaign")[0]
    if not ctx.in_chunk(period):
        return
    by_venue: dict[str, list] = {}
    for (venue, _day), v in ctx.visited.items():
        by_venue.setdefault(venue, []).append(v)
    index = ctx.venue_index
    for venue in venues(ctx.plan):
        xs = by_venue.get(venue, [])
        before = sum(1 for c, _ in ctx.carry.activities if c.venue == venue and period.first <= c.day <= period.last)
        if not xs and not before and not ctx.cset.open_days.get(venue):
            continue  # no window in the campaign: nothing to ask
        ctx.goal(NAME, "every_venue_once", sum(xs) + before if xs else before, rule.at_least, "coverage",
                 "visit", venue=venue, period=period.label, where=("venues", index[venue], "coverage"),
                 why=lambda short, result, v=venue: explain_venue(ctx, result, v, period))


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    rule = ctx.plan.tactics.coverage
    assert rule is not None
    period = ctx.periods("campaign")[0]
    if not ctx.in_chunk(period):
        return []
    return [Quota(NAME, "every_venue_once", GREEDY_STEP, "count", rule.at_least, period, at_venue(v), venue=v,
                  order=("worth", "day", "id")) for v in venues(ctx.plan)]


# --- planner explain: `ex` is its Explainer (duck-typed: explain sits above the tactics) ---------------


def explain_goal(ex: Any, rule: str, venue: str | None, person: str | None, period: Period | None,
                 required: int, where: str) -> Any:
    """The target `planner explain` relaxes for an unmet visit of a venue."""
    if rule != "every_venue_once" or venue not in ex.venue_index or period is None:
        return None
    return ex.target(NAME, rule, required, period.first, period.last, period=period.label, venues=[venue],
                     count="visits", venue=venue, gap=ex.venue_gap(venue),
                     goal_path=("venues", ex.venue_index[venue], "coverage"),
                     goal_text=ex.words._("every venue at least {n} times in the campaign").format(
                         n=ex.plan.tactics.coverage.at_least))


def explain_unmet_rule(ex: Any, venue: str | None, period: str | None, why: str) -> str | None:
    return "every_venue_once" if venue is not None else None


__all__ = ["add", "enabled", "venues", "every_venue_once", "greedy_quotas"]
