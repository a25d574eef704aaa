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
from typing import Any

from planner import messages
from planner.candidates import Candidate
from planner.capacity import Quota
from planner.tactics.base import Ctx, Period, day_class_words, format_words, kind_words, prorated

NAME = "three_times_three_places"
ORDER = 40  # builds the model after lower ORDERs
RANK = 20  # where it shows in the score and unmet goals
GREEDY_STEP = 20  # after key dates: a fixed weekly rhythm


# --- planner explain: `ex` is its Explainer (duck-typed: explain sits above the tactics) ---------------


def explain_goal(ex: Any, rule: str, venue: str | None, person: str | None, period: Period | None,
                 required: int, where: str) -> Any:
    """The target `planner explain` relaxes for an unmet goal of this tactic (None: not one it explains)."""
    if period is None:
        return None
    plan, w = ex.plan, ex.words
    lines = plan.tactics.three_times_three_places or []
    line = _line_for(ex, rule, where)
    if line is None:
        return None
    spec = lines[line]
    kinds = set(spec.place)
    return ex.target(NAME, rule, required, period.first, period.last, period=period.label,
                     venues=[v.id for v in plan.venues if v.kind in kinds], formats={spec.activity},
                     line=line, goal_path=("tactics", NAME, line, "per_week"),
                     goal_text=w._("three-times-three-places line {line}: {n} a week").format(
                         line=line + 1, n=spec.per_week))


def _line_for(ex: Any, rule: str, where: str) -> int | None:
    lines = ex.plan.tactics.three_times_three_places or []
    if rule.startswith("line"):
        return int(rule[4:])
    for i, line in enumerate(lines):
        if line.per_week and where and where == ex.loaded.where("tactics", NAME, i, "per_week"):
            return i
    with_quota = [i for i, line in enumerate(lines) if line.per_week]
    return with_quota[0] if len(with_quota) == 1 else None


def explain_rule(ex: Any, key: tuple) -> tuple[tuple, str] | None:
    """A line's windows, an assumption of explain's relaxed model, in words."""
    if key[0] != "window" or key[1][:2] != ("tactics", NAME):
        return None
    path, w = key[1], ex.words
    line = ex.plan.tactics.three_times_three_places[path[2]]
    places = w._(", ").join(w.kind(k) for k in line.place)
    return path, w._("three-times-three-places line {line}: {format} at {places} only on {days}, {times}").format(
        line=path[2] + 1, format=w.fmt(line.activity), places=places, days=w.days(line.days), times=w.times(line.time))


def explain_unmet_rule(ex: Any, venue: str | None, period: str | None, why: str) -> str | None:
    """The rule of an unmet entry of plan.json: which line, from the places its reason names."""
    lines = ex.plan.tactics.three_times_three_places or []
    for i, line in enumerate(lines):
        # the reason names the line's places in the campaign's language (ids in older files)
        names = {"/".join(line.place)} | {"/".join(kind_words(messages.for_language(lang), k) for k in line.place)
                                          for lang in messages.LANGUAGES}
        if line.per_week and any(n in why for n in names):
            return f"line{i}"
    return "per_week"


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    """Each line's stalls per week, most reach first."""
    def on_line(k: int) -> Callable[[Candidate], bool]:
        return lambda c: c.line == k

    out = []
    for k, line in enumerate(ctx.plan.tactics.three_times_three_places or []):
        if not line.per_week:
            continue
        for period in ctx.periods("week"):
            share = 1.0 if ctx.in_chunk(period) else ctx.share_ahead(period)  # see Ctx.share_ahead
            if share:
                out.append(Quota(NAME, "per_week", GREEDY_STEP, "count",
                                 prorated(prorated(line.per_week, period.fraction), share), period,
                                 on_line(k), order=("reach", "day", "id"),
                                 where=("tactics", NAME, k, "per_week")))
    return out


def enabled(plan) -> bool:
    return bool(plan.tactics.three_times_three_places)


def add(ctx: Ctx) -> None:
    lines = ctx.plan.tactics.three_times_three_places or []
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
        # a week ending in the next part: this part aims at its days' share (Ctx.share_ahead)
        share = 1.0 if ctx.in_chunk(period) else ctx.share_ahead(period)
        if not share:
            continue
        required = prorated(prorated(line.per_week, period.fraction), share)
        if not required:
            continue
        xs = [ctx.x[k] for k in mine if period.first <= ctx.cands[k].day <= period.last]
        before = ctx.carried(period, lambda c: c.line == i)

        def why(short: int, result, period=period) -> str:
            m = ctx.words
            where_ = "/".join(kind_words(m, k) for k in line.place)
            if not present:
                return m._("no venue of kind {kinds} in venues").format(kinds=where_)
            generated = [c for c in ctx.cset.candidates if c.line == i and period.first <= c.day <= period.last]
            if not generated:
                return m._("{kinds}: no {days} day with the window {times} at an open {kinds} this week").format(
                    kinds=where_, days=day_class_words(m, line.days), times=m._(", ").join(map(str, line.time)))
            if not any(c.line == i and period.first <= c.day <= period.last for c in ctx.pool):
                return m._("{kinds}: nobody who can staff a {format} is free in the window this week").format(
                    kinds=where_, format=format_words(m, line.activity))
            return m._("{kinds}: not enough staff time in the window this week "
                       "(booked, or at max_activities_per_week)").format(kinds=where_)

        ctx.goal(NAME, "per_week", sum(xs) + before if xs else before, required, "coverage", line.activity,
                 venue=None, period=period.label, why=why, where=where, ahead=share < 1)


__all__ = ["add", "enabled"]
