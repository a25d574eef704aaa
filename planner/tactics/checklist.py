"""十个一: a checklist per venue. Litong's "十个一" campaign [002] gives every community and
village one of each listed thing: a lecture, a letter to residents, a performance, …

Soft (weights.checklist, per item a venue lacks): each venue gets each item of its checklist
at least once in the campaign, an item being an activity format (a lecture held there) or a
material (an activity there that hands out or puts up letters, posters, …). A venue's own
`checklist` replaces its kind's list in `tactics.checklist`; `[]` asks nothing of it. An item
no activity at the venue could ever bring is reported, with why, like any unmet goal.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from planner.candidates import Candidate, CandidateSet
from planner.capacity import Quota, at_venue
from planner.catalogue import Format, catalogue
from planner.formats import resolve_formats
from planner.materials import activity_materials
from planner.model import Plan
from planner.tactics.base import Ctx, Period, explain_venue, format_words

NAME = "checklist"
ORDER = 36  # builds the model after lower ORDERs
RANK = 17  # after coverage in the score and unmet goals
WHERE = ("tactics", "checklist")
GREEDY_STEP = 46  # after the coverage visits: a lecture chosen there often ticks an item


def enabled(plan: Plan) -> bool:
    return plan.weights.checklist > 0 and any(items(plan, v.id) for v in plan.venues)


def items(plan: Plan, venue: str) -> list[str]:
    """A venue's checklist: its own, else its kind's in tactics.checklist."""
    v = next(v for v in plan.venues if v.id == venue)
    if v.checklist is not None:
        return list(dict.fromkeys(v.checklist))
    by_kind = plan.tactics.checklist or {}
    return list(dict.fromkeys(by_kind.get(v.kind, [])))


def where(plan: Plan, venue: str) -> tuple:
    index, v = next((i, v) for i, v in enumerate(plan.venues) if v.id == venue)
    return ("venues", index, "checklist") if v.checklist is not None else (*WHERE, v.kind)


def ticks(formats: dict[str, Format], item: str) -> Callable[[Candidate], bool]:
    """Whether an activity ticks the item: of that format, or handing out that material."""
    @cache
    def brings(fmt: str, reach: int) -> bool:
        return fmt == item or item in activity_materials(formats.get(fmt), reach)

    return lambda c: brings(c.format, c.reach)


def both(a: Callable[[Candidate], bool], b: Callable[[Candidate], bool]) -> Callable[[Candidate], bool]:
    return lambda c: a(c) and b(c)


def providing(cset: CandidateSet, item: str) -> set[str]:
    """The formats that can tick the item (for saying why it is unmet)."""
    return {f for f, fmt in cset.formats.items() if f == item or item in fmt.materials}


def add(ctx: Ctx) -> None:
    every_item(ctx)


def every_item(ctx: Ctx) -> None:
    period = ctx.periods("campaign")[0]
    if not ctx.in_chunk(period):
        return  # a decomposed solve: the part holding the campaign's last day owns it
    by_venue: dict[str, list[int]] = {}
    for i, c in enumerate(ctx.cands):
        if c.venue is not None:
            by_venue.setdefault(c.venue, []).append(i)
    for v in ctx.plan.venues:
        wanted = items(ctx.plan, v.id)
        for item in wanted:
            tick = ticks(ctx.cset.formats, item)
            xs = [ctx.x[i] for i in by_venue.get(v.id, []) if tick(ctx.cands[i])]
            before = ctx.carried(period, both(at_venue(v.id), tick))

            def why(short: int, result: Any, v: str = v.id, item: str = item) -> str:
                m = ctx.words
                return m._("{item}: {why}").format(item=item_words(m, item), why=explain_venue(
                    ctx, result, v, period, formats=providing(ctx.cset, item) or {item}))

            ctx.goal(NAME, f"item.{item}", sum(xs) + before if xs else before, 1, "checklist", "activity",
                     venue=v.id, period=period.label, why=why, where=where(ctx.plan, v.id))


def item_words(m: Any, item: str) -> str:
    """An item in the campaign's language: a format's or a material's name."""
    material = catalogue().materials.get(item)
    return material.name(m.language) if material is not None else format_words(m, item)


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    period = ctx.periods("campaign")[0]
    if not ctx.in_chunk(period):
        return []
    out = []
    for v in ctx.plan.venues:
        for item in items(ctx.plan, v.id):
            tick, here = ticks(ctx.cset.formats, item), at_venue(v.id)
            out.append(Quota(NAME, f"item.{item}", GREEDY_STEP, "count", 1, period, both(here, tick), venue=v.id,
                             weight="checklist", order=("worth", "day", "id")))
    return out


def served(plan: Plan, activities: list) -> set[int]:
    """Activities that tick an item of their venue's checklist."""
    formats = resolve_formats(plan)
    wanted = {v.id: items(plan, v.id) for v in plan.venues}
    out = set()
    for n, a in enumerate(activities):
        for item in wanted.get(a.cand.venue, ()) if a.cand.venue else ():
            if ticks(formats, item)(a.cand):
                out.add(n)
                break
    return out


# --- planner explain: `ex` is its Explainer (duck-typed: explain sits above the tactics) ---------------


def explain_goal(ex: Any, rule: str, venue: str | None, person: str | None, period: Period | None,
                 required: int, where_: str) -> Any:
    """The target `planner explain` relaxes for a venue lacking an item of its checklist."""
    if not rule.startswith("item.") or venue is None or venue not in ex.venue_index or period is None:
        return None
    item = rule[5:]
    formats = {f for f, fmt in ex.words.formats.items() if f == item or item in fmt.materials}
    return ex.target(NAME, rule, required, period.first, period.last, period=period.label, venues=[venue],
                     formats=formats or {item}, venue=venue, goal_path=where(ex.plan, venue),
                     goal_text=ex.words._("checklist: {item} at {venue} once in the campaign").format(
                         item=item_words(ex.words.m, item), venue=ex.words.venue(venue)))


def explain_unmet_rule(ex: Any, venue: str | None, period: str | None, why: str) -> str | None:
    """The item an unmet entry of plan.json names (its reason starts with the item's name)."""
    if venue is None or venue not in ex.venue_index:
        return None
    for item in items(ex.plan, venue):
        if why.startswith(item_words(ex.words.m, item)):
            return f"item.{item}"
    return None


__all__ = ["add", "enabled", "items", "every_item", "greedy_quotas", "served"]
