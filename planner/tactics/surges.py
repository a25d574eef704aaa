"""集中宣传月: publicity months as surges of 五进 activity. The national month (全民反诈在行动,
五进 activities [003]) and the province's, city's and county's 专题宣传月 [000] are drives,
not one themed activity among the summer's.

Soft (weights.surge, per visit short): inside each surge's window (a key date's, or a span)
every venue of its kinds (default: the 五进 kinds) gets factor × its 五进 rhythm for the
window's days (a monthly visit and factor 2 over a 30-day month: 2 visits; at least one),
at most one a day it is open. The 五进 rhythm (tactics.five_into.every_venue) still holds outside.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from planner.calendar import plan_key_dates, school_terms_for
from planner.capacity import Quota, at_venue
from planner.catalogue import catalogue, defaults
from planner.model import Plan, Surge
from planner.tactics.base import Ctx, Period, explain_venue, period_words, prorated
from planner.vocab import FIVE_INTO_KINDS

NAME = "surges"
ORDER = 34  # after the 五进 rhythm it multiplies
RANK = 12  # beside 五进 in the score and unmet goals
WHERE = ("tactics", "surges")
GREEDY_STEP = 35  # before the 五进 visits: the surge's visits then count for their months too
NOMINAL_DAYS = {"week": 7, "month": 30}  # a rhythm per month over a 30-day window: factor × at_least


@dataclass(frozen=True)
class Window:
    """One surge's days in the campaign."""

    index: int  # its entry in tactics.surges
    surge: Surge
    period: Period  # label: the window's dates, first..last


def enabled(plan: Plan) -> bool:
    return bool(plan.tactics.surges) and plan.weights.surge > 0


def rhythm(plan: Plan) -> tuple[int, str]:
    """The 五进 rhythm a surge multiplies: the plan's, else the catalogue's."""
    five = plan.tactics.five_into
    if five is not None:
        return five.every_venue.at_least, five.every_venue.per
    every = defaults()["tactics"]["five_into"]["every_venue"]
    return int(every["at_least"]), str(every["per"])


def kinds(plan: Plan, surge: Surge) -> set[str]:
    if surge.kinds:
        return set(surge.kinds)
    five = plan.tactics.five_into
    return set(five.kinds) if five is not None else set(FIVE_INTO_KINDS)


def windows(plan: Plan, calendar: Any) -> list[Window]:
    """Each surge's windows inside the campaign (a key date's each occurrence; a span once)."""
    days = calendar.days
    out = []
    for i, surge in enumerate(plan.tactics.surges or []):
        spans = ([k.window for k in calendar.key_dates if k.id == surge.key_date] if surge.key_date
                 else [surge.span] if surge.span is not None else [])
        for span in spans:
            inside = [d for d, day in enumerate(days) if day.date in span]
            if inside:
                label = f"{days[inside[0]].date}..{days[inside[-1]].date}"
                out.append(Window(i, surge, Period(label, inside[0], inside[-1], 1.0)))
    return out


def required(plan: Plan, calendar: Any, window: Window) -> int:
    """Visits a venue gets in the window: factor × the rhythm over its days, half rounded up,
    and at least one (a drive visits every venue, even where the rhythm is once a campaign)."""
    at_least, per = rhythm(plan)
    n = window.period.last - window.period.first + 1
    nominal = NOMINAL_DAYS.get(per, len(calendar.days))
    return max(1, int(window.surge.factor * at_least * n / nominal + 0.5 + 1e-9)) if at_least else 0


def asked(plan: Plan, calendar: Any) -> dict[int, float]:
    """Day → the visits the surges ask beyond the rhythm, spread over their windows (what a
    busy-day rule allows on top of the daily mean)."""
    at_least, per = rhythm(plan)
    out: dict[int, float] = defaultdict(float)
    for w in windows(plan, calendar):
        n = w.period.last - w.period.first + 1
        base = at_least * n / NOMINAL_DAYS.get(per, len(calendar.days))
        extra = max(0.0, required(plan, calendar, w) - base)
        count = sum(1 for v in plan.venues if v.kind in kinds(plan, w.surge))
        for d in w.period.days():
            out[d] += extra * count / n
    return dict(out)


def add(ctx: Ctx) -> None:
    surge_visits(ctx)


def needs(ctx: Ctx) -> list[tuple[Window, str, int, bool]]:
    """(window, venue, visits it asks, whether the window ends in a later part) this model owns
    or aims at: a window ending in a later part of a decomposed solve asks its days' share here."""
    plan = ctx.plan
    out = []
    for w in windows(plan, ctx.calendar):
        period = w.period
        share = 1.0 if ctx.in_chunk(period) else ctx.share_ahead(period)  # see Ctx.share_ahead
        if not share:
            continue
        wanted = required(plan, ctx.calendar, w)
        mine = kinds(plan, w.surge)
        for venue in (v.id for v in plan.venues if v.kind in mine):
            before = ctx.carried(period, at_venue(venue))
            open_days = sum(1 for d in ctx.cset.open_days.get(venue, ()) if period.first <= d <= period.last)
            need = min(wanted, open_days + before)  # one activity a venue-day: no more than it is open
            need = prorated(need, share) if share < 1 else need
            if need:
                out.append((w, venue, need, share < 1))
    return out


def surge_visits(ctx: Ctx) -> None:
    by_venue: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    for (venue, day), v in ctx.visited.items():
        by_venue[venue].append((day, v))
    five = ctx.plan.tactics.five_into
    gap = five.min_gap_days if five is not None else 0
    for w, venue, need, ahead in needs(ctx):
        period = w.period
        xs = [v for day, v in by_venue.get(venue, ()) if period.first <= day <= period.last]
        before = ctx.carried(period, at_venue(venue))
        ctx.goal(NAME, "surge", sum(xs) + before if xs else before, need, "surge", "visit",
                 venue=venue, period=period.label, where=(*WHERE, w.index),
                 why=lambda short, result, v=venue, p=period: explain_venue(ctx, result, v, p, gap=gap),
                 ahead=ahead)


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    """Each surge venue's visits inside the window, cheapest per head first."""
    return [Quota(NAME, "surge", GREEDY_STEP, "count", need, w.period, at_venue(venue), venue=venue,
                  weight="surge", order=("worth", "day", "id"))
            for w, venue, need, _ahead in needs(ctx)]


def served(plan: Plan, activities: list) -> set[int]:
    """Activities at a surge's venues inside its window."""
    spans = []
    for surge in plan.tactics.surges or []:
        if surge.span is not None:
            found = [surge.span]
        else:
            found = [k.window for k in plan_key_dates(plan, school_terms_for(plan))[0] if k.id == surge.key_date]
        spans.append((kinds(plan, surge), found))
    kind_of = {v.id: v.kind for v in plan.venues}
    return {n for n, a in enumerate(activities) if a.cand.venue is not None
            and any(kind_of.get(a.cand.venue) in mine and any(a.cand.date in s for s in found)
                    for mine, found in spans)}


# --- planner explain: `ex` is its Explainer (duck-typed: explain sits above the tactics) ---------------


def explain_goal(ex: Any, rule: str, venue: str | None, person: str | None, period: Period | None,
                 required_: int, where: str) -> Any:
    """The target `planner explain` relaxes for a venue short of its surge visits."""
    if rule != "surge" or not venue or period is None:
        return None
    found = next((w for w in windows(ex.plan, ex.calendar) if w.period.label == period.label), None)
    if found is None:
        return None
    text = ex.words._("surge {name}: {n} visits to every venue in {window}").format(
        name=name(ex.plan, found, ex.words.language), n=required_, window=period_words(ex.words.m, period.label))
    return ex.target(NAME, rule, required_, period.first, period.last, period=period.label, venues=[venue],
                     count="visits", venue=venue, gap=ex.venue_gap(venue), goal_path=(*WHERE, found.index),
                     goal_text=text)


def explain_unmet_rule(ex: Any, venue: str | None, period: str | None, why: str) -> str | None:
    return "surge" if venue is not None else None


def name(plan: Plan, window: Window, language: str) -> str:
    """A surge in words: its own name, its key date's, or its dates."""
    surge = window.surge
    if surge.name:
        return surge.name
    if surge.key_date:
        info = catalogue().key_dates.get(surge.key_date)
        if info is not None:
            return info.name(language)
        custom = plan.tactics.key_dates.custom if plan.tactics.key_dates else []
        return next((c.name for c in custom if c.id == surge.key_date), surge.key_date)
    return window.period.label


__all__ = ["add", "enabled", "windows", "required", "asked", "surge_visits", "greedy_quotas", "served"]
