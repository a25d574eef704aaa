"""关键节点 + 主题活动: themed activities around key dates (三八, 六一, 端午, 开学第一课, …).

Soft (weights.key_dates, per activity short): each key date's min_activities (its own in
`custom` or `overrides`, else the section's) activities inside its window, at venues with
an audience of the key date, of its format if it names one,
themed with one of its fraud types that targets the venue (which candidates qualify is
worked out in planner.candidates). An activity is the themed activity of one key date only
(plan.json has one key_date per activity), so where key dates can share activities (the
national month overlaps 端午, say) a small assignment decides which one each counts for,
per venue-day (a venue holds one activity a day). A key date that shares nothing needs no
assignment at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from planner.candidates import Candidate
from planner.capacity import Quota
from planner.catalogue import catalogue
from planner.model import KeyDates, Plan
from planner.tactics.base import Ctx, Goal, Period, format_words, period_words

NAME = "key_dates"
ORDER = 60  # builds the model after lower ORDERs
RANK = 40  # where it shows in the score and unmet goals
GREEDY_STEP = 10  # first: a key date's window is short and fixed


# --- planner explain: `ex` is its Explainer (duck-typed: explain sits above the tactics) ---------------


def explain_goal(ex: Any, rule: str, venue: str | None, person: str | None, period: Period | None,
                 required: int, where: str) -> Any:
    """The target `planner explain` relaxes for an unmet goal of this tactic (None: not one it explains)."""
    if period is None:
        return None
    k = next((k for k, key in enumerate(ex.calendar.key_dates) if str(key.window) == period.label), None)
    if k is None:
        return None
    key = ex.calendar.key_dates[k]
    return ex.target(NAME, rule, required, period.first, period.last, period=period.label, key_date=k,
                     goal_path=_where(ex, key),
                     goal_text=ex.words._("key date {name}: {n} themed activities in {window}").format(
                         name=key.name(ex.words.language), n=required, window=key.window))


def explain_unmet_rule(ex: Any, venue: str | None, period: str | None, why: str) -> str | None:
    return "themed_activities"


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    """Each key date this model owns: its themed activities, closest to the date first."""
    rule = ctx.plan.tactics.key_dates
    assert rule is not None

    def themed_for(k: int) -> Callable[[Candidate], bool]:
        return lambda c: k in c.key_dates

    out = []
    for k, key in enumerate(ctx.calendar.key_dates):
        if not owns(ctx, k):
            continue
        period = Period(str(key.window), first_day(ctx, k), last_day(ctx, k), 1.0)
        out.append(Quota(NAME, "themed_activities", GREEDY_STEP, "key_date",
                         key.min_activities - ctx.carry.key_date_credit.get(k, 0), period,
                         themed_for(k), key_date=k, near=key.date,
                         order=("near", "reach", "id")))
    return out


def enabled(plan) -> bool:
    kd = plan.tactics.key_dates
    return kd is not None and kd.any_required()


def section(plan: Plan) -> KeyDates:
    """The plan's key_dates section (the module runs only where the plan has one)."""
    found = plan.tactics.key_dates
    assert found is not None
    return found


def last_day(ctx: Ctx, k: int) -> int:
    """The campaign day on which the key date's window closes."""
    window = ctx.calendar.key_dates[k].window
    days = ctx.calendar.days
    last = 0
    for i, d in enumerate(days):
        if d.date <= window.end:
            last = i
    return last


def first_day(ctx: Ctx, k: int) -> int:
    window = ctx.calendar.key_dates[k].window
    return next((i for i, d in enumerate(ctx.calendar.days) if d.date >= window.start), 0)


def owns(ctx: Ctx, k: int) -> bool:
    """The model holding the key date's window (the part where it closes, in a decomposed solve)."""
    return (first_day(ctx, k) <= ctx.days[-1] and last_day(ctx, k) >= ctx.days[0]
            and last_day(ctx, k) <= ctx.horizon[-1])


@dataclass
class KeyDateVars:
    """What crediting activities to key dates needs after solving."""

    assigned: dict[int, dict[tuple, Any]] = field(default_factory=dict)  # key → (venue, day) → kd literal
    eligible: dict[int, dict[tuple, list[int]]] = field(default_factory=dict)  # key → (venue, day) → candidates
    keep: dict[int, int] = field(default_factory=dict)  # candidate → key: credits a re-plan keeps
    goals: dict[int, Goal] = field(default_factory=dict)  # key → its themed_activities goal
    uncredited: set[int] = field(default_factory=set)  # candidates a re-plan keeps without a credit


def add(ctx: Ctx) -> None:
    themed_activities(ctx)


def _clusters(keys: list[int], slots: dict[int, set]) -> list[list[int]]:
    parent = {k: k for k in keys}

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    owner: dict = {}
    for k in keys:
        for s in sorted(slots[k], key=str):
            if s in owner:
                parent[find(k)] = find(owner[s])
            else:
                owner[s] = k
    out: dict[int, list[int]] = defaultdict(list)
    for k in keys:
        out[find(k)].append(k)
    return [sorted(v) for _, v in sorted(out.items())]


def themed_activities(ctx: Ctx) -> None:
    keys = [k for k in range(len(ctx.calendar.key_dates)) if owns(ctx, k)]
    eligible: dict[int, dict[tuple, list[int]]] = {k: defaultdict(list) for k in keys}
    for i, c in enumerate(ctx.cands):
        for k in c.key_dates:
            if k in eligible:
                eligible[k][(c.venue, c.day)].append(i)
    slots = {k: set(eligible[k]) for k in keys}
    kd_vars: dict[int, dict[tuple, Any]] = {}
    goals: dict[int, Goal] = {}
    m = ctx.model
    for cluster in _clusters(keys, slots):
        shared = len(cluster) > 1
        per_slot: dict[tuple, list] = defaultdict(list)
        for k in cluster:
            required = ctx.calendar.key_dates[k].min_activities - ctx.carry.key_date_credit.get(k, 0)
            if required <= 0:
                continue
            if shared:
                kd_vars[k] = {}
                for slot, idx in sorted(eligible[k].items(), key=lambda kv: (kv[0][1], kv[0][0] or "")):
                    var = m.new_bool_var(f"kd[{ctx.calendar.key_dates[k].id},{slot[0]},{slot[1]}]")
                    m.add(var <= sum(ctx.x[i] for i in idx))
                    kd_vars[k][slot] = var
                    per_slot[slot].append(var)
                got = sum(kd_vars[k].values()) if kd_vars[k] else 0
            else:
                xs = [ctx.x[i] for idx in eligible[k].values() for i in idx]
                got = sum(xs) if xs else 0
            key = ctx.calendar.key_dates[k]
            goals[k] = ctx.goal(NAME, "themed_activities", got, required, "key_dates", "activity",
                                period=str(key.window), where=_where(ctx, key),
                                why=lambda short, result, k=k: explain(ctx, k))
        for vs in per_slot.values():
            if len(vs) > 1:
                m.add_at_most_one(vs)
    state = ctx.state(KeyDateVars)
    state.assigned, state.eligible, state.goals = kd_vars, dict(eligible), goals


def _where(ctx: Ctx, key) -> tuple:
    rule = section(ctx.plan)
    if key.custom:
        for i, c in enumerate(rule.custom):
            if c.id == key.id:
                return ("tactics", "key_dates", "custom", i)
    if key.id in rule.overrides:
        return ("tactics", "key_dates", "overrides", key.id)
    if isinstance(rule.use, list) and key.id in rule.use:
        return ("tactics", "key_dates", "use", rule.use.index(key.id))
    return ("tactics", "key_dates", "use")


def explain(ctx: Ctx, k: int) -> str:
    m = ctx.words
    key = ctx.calendar.key_dates[k]
    name = key.name(ctx.plan.campaign.language)
    window = period_words(m, str(key.window))
    generated = [c for c in ctx.cset.candidates if k in c.key_dates]
    if not generated:
        audiences = catalogue().audiences
        who = m._("any audience") if key.audiences is None else "/".join(
            audiences[a].name(m.language) if a in audiences else a for a in key.audiences)
        if key.activity:
            return m._("{name} ({id}): no venue with {who} has a time window for {format} in {window} "
                       "for a theme of this key date").format(name=name, id=key.id, who=who, window=window,
                                                             format=format_words(m, key.activity))
        return m._("{name} ({id}): no venue with {who} has a time window in {window} "
                   "for a theme of this key date").format(name=name, id=key.id, who=who, window=window)
    if not any(k in c.key_dates for c in ctx.pool):
        return m._("{name} ({id}): nobody who can staff it is free in {window}").format(
            name=name, id=key.id, window=window)
    return m._("{name} ({id}): not enough staff time in {window} (booked, or at max_activities_per_week)").format(
        name=name, id=key.id, window=window)


def keep_credits(ctx: Ctx, wanted: dict[int, int], uncredited: Collection[int] = ()) -> None:
    """Credit these activities (candidate → key index) to these key dates where they still
    qualify, and none to the `uncredited` (published without a key date): re-planning keeps
    what a published plan says, rather than choosing afresh among equally good activities
    (which would change published themes); a key date short of its count gets new activities."""
    state = ctx.state(KeyDateVars)
    kd_vars, eligible = state.assigned, state.eligible
    kept: dict[int, int] = {}
    for i, k in wanted.items():
        c = ctx.cands[i]
        if k not in eligible or i not in eligible[k].get((c.venue, c.day), ()):
            continue
        kept[i] = k
        var = kd_vars.get(k, {}).get((c.venue, c.day))
        if var is not None:
            ctx.model.add(var == 1)
    state.keep = kept
    frozen = set(uncredited) - set(kept)
    state.uncredited = frozen
    for k, by_slot in eligible.items():
        held = {slot for slot, idx in by_slot.items() if any(i in frozen for i in idx)}
        if not held:
            continue
        if k in kd_vars:  # a venue holds one activity a day: its slot is the kept activity's
            for slot in held:
                var = kd_vars[k].get(slot)
                if var is not None:
                    ctx.model.add(var == 0)
        elif k in state.goals and not isinstance(state.goals[k].short, int):
            g = state.goals[k]  # the kept activities without a credit count for nothing
            others = [ctx.x[i] for idx in by_slot.values() for i in idx if i not in frozen]
            ctx.model.add(sum(others) + g.short >= g.required)


def credits(ctx: Ctx, chosen: set[int], value) -> dict[int, int]:
    """Which chosen activity is the themed activity of which key date: candidate → key index."""
    out: dict[int, int] = {}
    state = ctx.state(KeyDateVars)
    kd_vars, eligible = state.assigned, state.eligible
    keep = {i: k for i, k in state.keep.items() if i in chosen}
    for i, k in keep.items():  # a key date that needs no assignment: the kept credits first
        if k not in kd_vars:
            out[i] = k
    for k, slots in kd_vars.items():
        for slot, var in slots.items():
            if value(var):
                picked = [i for i in eligible[k][slot] if i in chosen and i not in out]
                if picked:
                    out[picked[0]] = k
    for k, by_slot in sorted(eligible.items()):
        if k in kd_vars:
            continue
        required = ctx.calendar.key_dates[k].min_activities - ctx.carry.key_date_credit.get(k, 0)
        required -= sum(1 for j in keep if keep[j] == k)
        key_day = ctx.calendar.key_dates[k].date
        options = sorted((i for idx in by_slot.values() for i in idx
                          if i in chosen and i not in out and i not in state.uncredited),
                         key=lambda i: (abs((ctx.cands[i].date - key_day).days), ctx.cands[i].id))
        for i in options[:max(required, 0)]:
            out[i] = k
    return out


def served(plan, activities) -> set[int]:
    """The themed activities of key dates."""
    return {n for n, a in enumerate(activities) if a.key_date is not None}


__all__ = ["add", "enabled", "credits", "keep_credits", "last_day", "served"]
