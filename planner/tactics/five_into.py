"""五进: publicity goes into communities, villages, households, schools and enterprises.

Hard: min_gap_days between two activities at the same 五进 venue.
Soft (weights.coverage, per visit short): every venue of the listed kinds is reached
at_least times per week, month or campaign. A campaign-long rhythm of k visits is cut into k
equal parts of one visit each, so the visits are spread across the campaign instead of
bunched at its end. A period the campaign only partly covers wants its share (rounded half
up); a period in which the venue is closed throughout wants nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from planner.capacity import Quota, at_venue
from planner.model import FiveInto, Plan
from planner.tactics.base import Ctx, Period, explain_venue, prorated

NAME = "five_into"
ORDER = 30  # builds the model after lower ORDERs
RANK = 10  # where it shows in the score and unmet goals
WHERE = ("tactics", "five_into")
GREEDY_STEP = 40  # after the weekly lines and posts, before 6+ precision


def min_gap_days(plan: Plan, kind: str | None) -> int:
    """The min_gap_days rule of a venue of this kind: days its activities keep apart (0 or
    1: none beyond the one activity a venue holds a day). The one definition of the rule:
    the model, the greedy, the baseline and explain ask it (planner.verify re-checks apart)."""
    rule = plan.tactics.five_into
    return rule.min_gap_days if rule is not None and kind in rule.kinds else 0


def too_close(gap: int, day: int, others: Collection[int]) -> bool:
    """Whether an activity on `day` at a venue with activities on `others` breaks a
    min_gap_days of `gap`."""
    if gap <= 1 or not others:
        return False
    if isinstance(others, (set, frozenset)) and 2 * gap < len(others):  # the greedy asks millions of times
        return any(d in others for d in range(day - gap + 1, day + gap))
    return any(abs(day - other) < gap for other in others)


# --- planner explain: `ex` is its Explainer (duck-typed: explain sits above the tactics) ---------------


def explain_goal(ex: Any, rule: str, venue: str | None, person: str | None, period: Period | None,
                 required: int, where: str) -> Any:
    """The target `planner explain` relaxes for an unmet goal of this tactic (None: not one it explains)."""
    fi = ex.plan.tactics.five_into
    if rule != "every_venue" or not venue or period is None or fi is None:
        return None
    w, per = ex.words, fi.every_venue.per
    text = w._("five-into: every venue at least {n} times a {per}").format(n=fi.every_venue.at_least,
                                                                          per=ex.per_word(per))
    return ex.target(NAME, rule, required, period.first, period.last, period=period.label, venues=[venue],
                     count="visits", venue=venue, gap=ex.venue_gap(venue), goal_path=(*WHERE, "every_venue"),
                     goal_text=text)


def explain_rule(ex: Any, key: tuple) -> tuple[tuple, str] | None:
    """An assumption of explain's relaxed model that is this tactic's rule, in words."""
    if key[0] != "gap":
        return None
    n = ex.plan.tactics.five_into.min_gap_days
    return (*WHERE, "min_gap_days"), ex.words._(
        "two activities at a five-into venue are at least {n} days apart").format(n=n)


def explain_unmet_rule(ex: Any, venue: str | None, period: str | None, why: str) -> str | None:
    """The rule of an unmet entry of plan.json (None: not one explain can take up)."""
    return "every_venue" if venue is not None else None


def explain_splits(plan: Plan) -> list[int]:
    """How a campaign-long rhythm cuts the campaign (periods() below), for reading period labels."""
    fi = plan.tactics.five_into
    return [fi.every_venue.at_least] if fi and fi.every_venue.per == "campaign" else []


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    """Every 五进 venue's visits per period, cheapest per head first (staff time runs out)."""
    rule = ctx.plan.tactics.five_into
    assert rule is not None
    plist, each = periods(ctx)
    per = rule.every_venue.per
    out = []
    for period in plist:
        if not ctx.in_chunk(period):
            continue
        required = each if per == "campaign" else prorated(each, period.fraction)
        for venue in venues(ctx):
            out.append(Quota(NAME, "every_venue", GREEDY_STEP, "count", required, period,
                             at_venue(venue), venue=venue, order=("worth", "day", "id")))
    return out


def enabled(plan) -> bool:
    return plan.tactics.five_into is not None


def section(plan: Plan) -> FiveInto:
    """The plan's 五进 section (the module runs only where the plan has one)."""
    found = plan.tactics.five_into
    assert found is not None
    return found


def venues(ctx: Ctx) -> list[str]:
    kinds = set(section(ctx.plan).kinds)
    return [v.id for v in ctx.plan.venues if v.kind in kinds]


def add(ctx: Ctx) -> None:
    min_gap(ctx)
    every_venue(ctx)


def min_gap(ctx: Ctx) -> None:
    """At most one activity at a 五进 venue in any min_gap_days consecutive days."""
    gap = section(ctx.plan).min_gap_days
    if gap <= 1:
        return  # one activity per venue per day is the core rule already
    mine = set(venues(ctx))
    by_venue: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for (venue, day), v in ctx.visited.items():
        if venue in mine:
            by_venue[venue][day].append(v)
    earlier: dict[str, list[int]] = defaultdict(list)
    for c, _ in ctx.carry.activities:
        if c.venue in mine:
            earlier[c.venue].append(c.day)
    m = ctx.model
    for venue in sorted(by_venue):
        days = by_venue[venue]
        for d in sorted(days):
            if too_close(gap, d, earlier[venue]):
                for v in days[d]:
                    m.add(v == 0)
                continue
            window = [v for e in range(d, d + gap) for v in days.get(e, ())]
            if len(window) > len(days[d]):
                m.add_at_most_one(window)
                ctx.hard("min_gap_days")


def periods(ctx: Ctx) -> tuple[list[Period], int]:
    rule = section(ctx.plan).every_venue
    if rule.per == "campaign" and rule.at_least > 1:
        return ctx.periods("campaign", split=rule.at_least), 1
    return ctx.periods(rule.per), rule.at_least


def visits(ctx: Ctx, venue: str, period: Period, by_venue: dict[str, list[tuple[int, object]]]):
    """The days a venue is visited in a period (literals), and what fixed activities hold."""
    xs = [v for day, v in by_venue.get(venue, ()) if period.first <= day <= period.last]
    return xs, ctx.carried(period, lambda c: c.venue == venue)


def venue_index(ctx: Ctx) -> dict[str, list[tuple[int, object]]]:
    """Venue → (day, visited literal)."""
    out: dict[str, list[tuple[int, object]]] = defaultdict(list)
    for (venue, day), v in ctx.visited.items():
        out[venue].append((day, v))
    return out


def open_in(ctx: Ctx, venue: str, period: Period) -> bool:
    days = ctx.cset.open_days.get(venue, set())
    return any(period.first <= d <= period.last for d in days) or ctx.carried(period, lambda c: c.venue == venue) > 0


def every_venue(ctx: Ctx) -> None:
    rule = section(ctx.plan)
    gap = rule.min_gap_days
    plist, each = periods(ctx)
    by_venue = venue_index(ctx)
    for venue in venues(ctx):
        for period in plist:
            if not ctx.in_chunk(period):
                continue
            required = each if rule.every_venue.per == "campaign" else prorated(each, period.fraction)
            if not required or not open_in(ctx, venue, period):
                continue
            xs, before = visits(ctx, venue, period, by_venue)
            ctx.goal(NAME, "every_venue", sum(xs) + before if xs else before, required, "coverage", "visit",
                     venue=venue, period=period.label, where=(*WHERE, "every_venue"),
                     why=lambda short, result, v=venue, p=period: explain_venue(ctx, result, v, p, gap=gap))


__all__ = ["add", "enabled", "venues", "periods", "visits", "venue_index", "open_in"]
