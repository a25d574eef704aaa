"""考核指标 as goals: the plan closes the gap to the station's targets.

Soft (weights.targets per activity short of a format's count; reach, households, App
installs and each material per the catalogue's goal_units of them): the campaign's targets
(the plan's `targets:` with defaults for the keys it leaves out, planner.targets), and the
months and ISO weeks the plan's `targets:` names, for the keys it gives there. What counts is
what planner.reports counts: activities per format, people reached, households visited door
to door, expected App installs and the used-up materials (leaflets, booklets, posters,
letters, gifts) each activity needs; a held activity (`planner replan` from actuals, fixed
in `ctx.carry`) counts with the figures recorded for it. A plan without `targets:` has no
such goals (its reports still compare against the defaults).

Greedy quotas: each format's activity target (the months' and weeks' first, then the
campaign's share due in this model) is a count quota after the venues' quotas and before the
lecture share, which then asks its lectures of the larger plan; a "ceiling": the greedy's
spare-time fill serves the format least far along its target first, so none goes past its
target while a format short of its own can still take an activity (by reach per head,
stalls took the grid workers Litong's door-to-door target needed), and past the targets the
plan keeps their mix; a venue's visit picked for another quota goes to a format short of
its target (planner.greedy).
Reach, households, installs and materials stay the solver's to weigh.

A decomposed solve aims each part at the campaign's target pro-rated to the end of the part,
less what earlier parts hold (as six_plus.app_promotion does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from planner.capacity import Quota
from planner.catalogue import catalogue
from planner.formats import resolve_formats
from planner.materials import activity_materials, household_size, used_up
from planner.model import PeriodTargets
from planner.tactics.base import Ctx, Goal, Period, format_words
from planner.targets import effective_targets

NAME = "targets"
ORDER = 60  # builds the model after lower ORDERs
RANK = 60  # where it shows in the score and unmet goals
WHERE = ("targets",)
GREEDY_STEP = 55  # after the venues' quotas, before 全警反诈 joins what is there and the lecture share
TENTHS = 10  # households and installs are counted in tenths in the model
UNITS = {"activities": "activity", "reach": "person", "households": "household", "app_installs": "install",
         "materials": "copy"}
LEDGER = {"reach": "reached", "app_installs": "installs", "households": "households"}  # key → ledger column


# --- planner explain: `ex` is its Explainer (duck-typed: explain sits above the tactics) ---------------


def explain_goal(ex: Any, rule: str, venue: str | None, person: str | None, period: Period | None,
                 required: int, where: str) -> Any:
    """A format's activity count is what explain can relax; the other targets are sums it cannot."""
    if not rule.startswith("activities.") or period is None:
        return None
    fmt = rule.split(".", 1)[1]
    info = resolve_formats(ex.plan).get(fmt)
    text = ex.words._("targets: {n} × {format}").format(n=required, format=format_words(ex.words.m, fmt))
    return ex.target(NAME, rule, required, period.first, period.last, period=period.label, formats={fmt},
                     online=bool(info and info.online), count="activities", goal_path=(*WHERE, "activities"),
                     goal_text=text)


def explain_unmet_rule(ex: Any, venue: str | None, period: str | None, why: str) -> str | None:
    """The rule of an unmet entry of plan.json: its reason names the format (see _goal's why)."""
    m = ex.words.m
    for fmt in resolve_formats(ex.plan):
        head = m._("{format}: {why}").format(format=format_words(m, fmt), why="")
        if head in why:
            return f"activities.{fmt}"
    return None


def enabled(plan: Any) -> bool:
    return plan.targets is not None


def add(ctx: Ctx) -> None:
    campaign_targets(ctx)
    period_targets(ctx)


def goal_unit(key: str) -> float:
    return float(catalogue().targets.goal_units.get(key, 1.0)) or 1.0  # type: ignore[call-overload]


def wanted_keys(targets: PeriodTargets) -> list[tuple[str, str | None, int]]:
    """(key, format or material id, target) for every figure the targets set above 0."""
    out: list[tuple[str, str | None, int]] = []
    for fmt, n in sorted((targets.activities or {}).items()):
        if n:
            out.append(("activities", fmt, n))
    for key in ("reach", "households", "app_installs"):
        n = getattr(targets, key)
        if n:
            out.append((key, None, n))
    for material, n in (targets.materials or {}).items():
        if n and used_up(material):
            out.append(("materials", material, n))
    return out


def contribution(ctx: Ctx, c: Any, key: str, which: str | None) -> float:
    """What one activity adds to a target: its recorded figure where it was held and recorded,
    else what the plan expects of it."""
    recorded = ctx.carry.recorded.get(c.id)
    if key == "activities":
        return 1.0 if c.format == which else 0.0
    column = which if key == "materials" else LEDGER[key]
    if recorded is not None and recorded.get(column or "") is not None:
        return float(recorded[column or ""])
    if key == "reach":
        return float(c.reach)
    if key == "app_installs":
        return float(c.installs)
    if key == "households":
        return c.reach / household_size() if c.format == "door_to_door" else 0.0
    fmt = ctx.cset.formats.get(c.format)
    return float(activity_materials(fmt, c.reach).get(which or "", 0)) if fmt is not None else 0.0


def rule_name(key: str, which: str | None) -> str:
    return f"{key}.{which}" if which else key


def _scale(key: str) -> int:
    return TENTHS if key in ("households", "app_installs") else 1


def _goal(ctx: Ctx, key: str, which: str | None, required: int, wanted: int, first: int, last: int,
          period: str, where: tuple) -> None:
    """A goal of `wanted` more units from the model's activities of days first..last (`required`
    is the target it is part of, as the score shows it)."""
    if wanted <= 0:
        ctx.goals.append(Goal(NAME, rule_name(key, which), 0, required, ctx.weight("targets") / goal_unit(key),
                              UNITS[key], None, None, period, None, where))
        return
    k = _scale(key)
    terms = []
    for i, c in enumerate(ctx.cands):
        if first <= c.day <= last:
            v = contribution(ctx, c, key, which)
            if v > 0:
                terms.append((ctx.x[i], max(1, round(v * k))))
    m = ctx.model
    short = m.new_int_var(0, wanted, f"targets.{rule_name(key, which)}.{period}")
    m.add(sum(coef * x for x, coef in terms) + k * short >= k * wanted)

    def why(short: int, result: Any) -> str:
        m = ctx.words
        # every activity the plan could hold on these days (the model may hold only some of them)
        best = sum(_possible(ctx, key, which)[first:last + 1])
        if best < wanted:
            said = m._("even every possible activity would bring about {n}").format(n=f"{best:.0f}")
        else:
            said = m._("not enough staff time for more of the activities that count towards it, "
                       "or they weigh less than the other goals")
        # the format first, so that explain knows which target an unmet entry of plan.json is
        return m._("{format}: {why}").format(format=format_words(m, which or ""), why=said) if key == "activities" \
            else said

    ctx.goals.append(Goal(NAME, rule_name(key, which), short, required, ctx.weight("targets") / goal_unit(key),
                          UNITS[key], None, None, period, why, where))


@dataclass
class Possible:
    """Per target (key, format or material), per day of the campaign, what every activity the
    plan could hold brings to it: once per model (each goal's explanation sums a range of it)."""

    days: dict[tuple[str, str | None], list[float]] = field(default_factory=dict)


def _possible(ctx: Ctx, key: str, which: str | None) -> list[float]:
    cache = ctx.state(Possible).days
    if (key, which) not in cache:
        days = [0.0] * len(ctx.calendar.days)
        for c in ctx.cset.candidates:
            days[c.day] += contribution(ctx, c, key, which)
        cache[(key, which)] = days
    return cache[(key, which)]


def _held(ctx: Ctx, key: str, which: str | None, first: int, last: int) -> float:
    """What the fixed activities of days first..last bring to a target."""
    return sum(contribution(ctx, c, key, which) for c, _ in ctx.carry.activities if first <= c.day <= last)


@dataclass(frozen=True)
class Wanted:
    """One target goal of this model: `wanted` more units from the activities of days
    first..last, towards `required` (the target, or its share due by the end of the model)."""

    key: str
    which: str | None
    required: int
    wanted: int
    first: int
    last: int
    period: str
    where: tuple


def wanted(ctx: Ctx) -> list[Wanted]:
    """The goals: the campaign's targets, every key (defaults for the ones the plan leaves
    out), then the months and weeks the plan's `targets:` names, for the keys it gives there."""
    out = []
    given = ctx.plan.targets
    assert given is not None
    n = len(ctx.calendar.days)
    start, end = ctx.horizon[0], ctx.horizon[-1]
    for key, which, target in wanted_keys(effective_targets(ctx.plan)):
        where = (*WHERE, key) if getattr(given, key) is not None else WHERE
        share = round(target * ctx.upto / n)  # the part of the target due by the end of this model
        before = _held(ctx, key, which, 0, n - 1)
        # earlier parts' shortfall was charged there
        earlier = _held(ctx, key, which, 0, start - 1) if start else 0.0
        earlier_short = max(0.0, target * start / n - earlier)
        out.append(Wanted(key, which, share if end < n - 1 else target,
                          max(0, round(share - before - earlier_short)), ctx.days[0], ctx.days[-1], "campaign", where))
    for per, table in (("month", given.months), ("week", given.weeks)):
        periods: dict[str, Period] = {p.label: p for p in ctx.periods(per)} if table else {}
        for label, targets in sorted(table.items()):
            period = periods.get(label)
            if period is None or not ctx.in_chunk(period):
                continue
            for key, which, target in wanted_keys(targets):
                before = _held(ctx, key, which, period.first, period.last)
                out.append(Wanted(key, which, target, max(0, round(target - before)), max(period.first, ctx.days[0]),
                                  min(period.last, ctx.days[-1]), label, (*WHERE, f"{per}s", label, key)))
    return out


def campaign_targets(ctx: Ctx) -> None:
    """The campaign's targets as goals."""
    for w in wanted(ctx):
        if w.period == "campaign":
            _goal(ctx, w.key, w.which, w.required, w.wanted, w.first, w.last, w.period, w.where)


def period_targets(ctx: Ctx) -> None:
    """The months and weeks the plan's `targets:` names as goals."""
    for w in wanted(ctx):
        if w.period != "campaign":
            _goal(ctx, w.key, w.which, w.required, w.wanted, w.first, w.last, w.period, w.where)


def _of_format(fmt: str) -> Callable[[Any], bool]:
    return lambda c: c.format == fmt


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    """Each format's activity target as a count of this model's days, most reach first, the
    named months and weeks before the campaign's (theirs count towards it)."""
    out = []
    for w in sorted(wanted(ctx), key=lambda w: w.period == "campaign"):
        if w.key != "activities" or w.which is None:
            continue
        # a target already met (w.wanted 0) is a ceiling still
        period = Period(w.period, w.first, w.last, 1.0)
        counts = _of_format(w.which)
        # Wanted.wanted is beyond what is fixed; the quota counts the fixed ones of its days too
        out.append(Quota(NAME, rule_name(w.key, w.which), GREEDY_STEP, "count",
                         w.wanted + ctx.carried(period, counts), period, counts, weight="targets",
                         order=("reach", "day", "id"), ceiling=True))
    return out


__all__ = ["add", "enabled", "campaign_targets", "period_targets", "contribution", "wanted_keys", "wanted"]
