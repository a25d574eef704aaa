"""全警反诈 (Enshi): every officer takes part; each claims a compound or unit and visits it.

Soft:
- every_officer (weights.coverage, per activity short): every police officer takes part in
  at_least activities per week, month or campaign, in periods they are available at all;
- claims (weights.claims, per activity): an activity at a venue someone claimed should have
  that person on it. The credit h[activity, claimant] needs the claimant in the activity's
  group on a position type the activity has, so handing out the group's people afterwards
  can honour it (planner.tactics.staffing.disaggregate takes claimants first);
- work_hours (weights.work_hours, per activity): a claimant's visit to their claimed venue
  on a workday starting before after_work: the seeds' 全警反诈 visits are after work, at
  weekends and on holidays, on top of the officer's own duties.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from planner.capacity import Quota
from planner.model import AllPolice, Plan
from planner.tactics import staffing
from planner.tactics.base import Ctx, MasterCtx, Period, PersonCtx, ScoreRow, part_of, prorated

NAME = "all_police"
ORDER = 70  # builds the model after lower ORDERs
RANK = 60  # where it shows in the score and unmet goals
WHERE = ("tactics", "all_police")
GREEDY_STEP = 60  # after the venues' quotas: officers join activities that are there anyway


# --- planner explain: `ex` is its Explainer (duck-typed: explain sits above the tactics) ---------------


def explain_goal(ex: Any, rule: str, venue: str | None, person: str | None, period: Period | None,
                 required: int, where: str) -> Any:
    """The target `planner explain` relaxes for an unmet goal of this tactic (None: not one it explains)."""
    ap = ex.plan.tactics.all_police
    if person not in ex.staff_index or period is None or ap is None:
        return None
    n, per = ap.at_least, ap.per
    return ex.target(NAME, rule, required, period.first, period.last, period=period.label, online=True,
                     count="person", person=person, goal_path=WHERE,
                     goal_text=ex.words._("every officer at least {n} times a {per}").format(
                         n=n, per=ex.per_word(per)))


def explain_unmet_rule(ex: Any, venue: str | None, period: str | None, why: str) -> str | None:
    return "every_officer"


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    """Every police officer's activities per period."""
    rule = ctx.plan.tactics.all_police
    if rule is None or not rule.at_least:
        return []
    out = []
    for p, person in enumerate(ctx.staff):
        if person.role != "police":
            continue
        for period in ctx.periods(rule.per):
            if ctx.in_chunk(period):
                required = rule.at_least if rule.per == "campaign" else prorated(rule.at_least, period.fraction)
                out.append(Quota(NAME, "every_officer", GREEDY_STEP, "person", required, period, person=p))
    return out


def enabled(plan) -> bool:
    return plan.tactics.all_police is not None

def section(plan: Plan) -> AllPolice:
    """The plan's 全警反诈 section (the module runs only where the plan has one)."""
    found = plan.tactics.all_police
    assert found is not None
    return found



@dataclass
class Claims:
    """The person-level model's claim credits: candidate → (claimant, credit literal)."""

    credit: dict[int, list[tuple[int, Any]]] = field(default_factory=dict)


def add(ctx: Ctx) -> None:
    every_officer(ctx)  # exact in the master too: a[] is each person's load
    if isinstance(ctx, MasterCtx):
        claims_lower_bound(ctx)
    elif isinstance(ctx, PersonCtx):
        claims(ctx)


def claims_lower_bound(ctx: MasterCtx) -> None:
    """Master: an activity at a claimed venue is credited to a claimant only if the claimant
    works in that part of the day in that area (one credit per claimant and part)."""
    owners = claimants(ctx)
    a = ctx.a
    m = ctx.model
    terms = []
    working: list[tuple[Any, int]] = []
    per_slot: dict[tuple, list] = defaultdict(list)
    for i, c in enumerate(ctx.cands):
        if c.venue not in owners:
            continue
        terms.append((ctx.x[i], 1))
        daytime = in_work_hours(ctx, c)
        area = c.area or ""
        credit = []
        positions = ctx.staffing[i]
        for p in owners[c.venue]:
            key = (p, c.day, part_of(c.start_min), area)
            if key not in a:
                continue
            if p not in positions.team and not any(staffing.fits(ctx.staff[p], pt) for pt in positions.positions):
                continue
            h = m.new_bool_var(f"claim[{ctx.staff[p].id},{c.id}]")
            m.add(h <= ctx.x[i])
            per_slot[key].append(h)
            credit.append(h)
            terms.append((h, -1))
            if daytime:
                working.append((h, 1))
        if len(credit) > 1:
            m.add(sum(credit) <= ctx.x[i])
    for key, hs in per_slot.items():
        m.add(sum(hs) <= a[key])
    ctx.cost(NAME, "claims", terms, "claims")
    ctx.cost(NAME, "work_hours", working, "work_hours")


def every_officer(ctx: Ctx) -> None:
    rule = section(ctx.plan)
    if not rule.at_least:
        return
    loads = staffing.person_literals(ctx)
    worked = ctx.carry.days_worked()
    for p, person in enumerate(ctx.staff):
        if person.role != "police" or person.max_activities_per_week == 0:
            continue
        for period in ctx.periods(rule.per):
            if not ctx.in_chunk(period):
                continue
            if not any(ctx.available[p][d] for d in period.days()):
                continue
            required = rule.at_least if rule.per == "campaign" else prorated(rule.at_least, period.fraction)
            if not required:
                continue
            lits = [v for d, v in loads.get(p, ()) if period.first <= d <= period.last]
            before = sum(1 for d in worked.get(person.id, ()) if period.first <= d <= period.last)

            def why(short: int, result, lits=lits, who=person.id) -> str:
                if not lits:
                    return ctx.words._("{who}: no activity they can staff in this period "
                                       "(available days, role and skills against the formats' needs)").format(who=who)
                return ctx.words._("{who}: their possible activities clash with weightier ones "
                                   "or their weekly limit").format(who=who)

            ctx.goal(NAME, "every_officer", sum(lits) + before if lits else before, required, "coverage",
                     "activity", person=person.id, period=period.label, why=why,
                     where=("staff", p))


def claimants(ctx: Ctx) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for p, person in enumerate(ctx.staff):
        for v in person.claims:
            out[v].append(p)
    return out


def claims(ctx: PersonCtx) -> None:
    owners = claimants(ctx)
    if not owners:
        return
    m = ctx.model
    u = ctx.u
    st = ctx.staffing
    group_of = {i: g for g, group in enumerate(ctx.groups) for i in group.cands}
    credit: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    per_person_group: dict[tuple[int, int], list] = defaultdict(list)
    terms = []
    working: list[tuple[Any, int]] = []
    for i, c in enumerate(ctx.cands):
        if c.venue not in owners:
            continue
        g = group_of[i]
        terms.append((ctx.x[i], 1))
        daytime = in_work_hours(ctx, c)
        for p in owners[c.venue]:
            if p in st[i].team:
                h = ctx.x[i]
            else:
                fills = [u[(p, g, pt)] for pt in st[i].positions if (p, g, pt) in u]
                if not fills:
                    continue
                h = m.new_bool_var(f"claim[{ctx.staff[p].id},{c.id}]")
                m.add(h <= ctx.x[i])
                m.add(h <= sum(fills))
                per_person_group[(p, g)].append(h)
            credit[i].append((p, h))
            terms.append((h, -1))
            if daytime:
                working.append((h, 1))
        hs = [h for _, h in credit[i]]
        if len(hs) > 1:
            m.add(sum(hs) <= ctx.x[i])
    for vs in per_person_group.values():
        if len(vs) > 1:
            m.add_at_most_one(vs)
    ctx.cost(NAME, "claims", terms, "claims")
    ctx.cost(NAME, "work_hours", working, "work_hours")
    ctx.state(Claims).credit = credit


def in_work_hours(ctx_or_plan: Any, c: Any, calendar: Any = None) -> bool:
    """A workday activity starting before the plan's after_work: in the officers' working hours."""
    plan = getattr(ctx_or_plan, "plan", ctx_or_plan)
    calendar = calendar if calendar is not None else ctx_or_plan.calendar
    return calendar.days[c.day].is_workday and c.start_min < section(plan).after_work_minutes()


def work_hours_visits(plan: Plan, calendar: Any, activities: list) -> tuple[int, int]:
    """Claimed visits (a claimant on an activity at their venue) in working hours, of all."""
    owners: dict[str, set[str]] = defaultdict(set)
    for s in plan.staff:
        for v in s.claims:
            owners[v].add(s.id)
    visits = [a for a in activities if a.cand.venue in owners and owners[a.cand.venue].intersection(a.staff)]
    return sum(1 for a in visits if in_work_hours(plan, a.cand, calendar)), len(visits)


def prefer(ctx: Ctx, value) -> dict[int, list[int]]:
    """Candidate → claimants credited for it, for handing out a group's people."""
    return {i: [p for p, h in hs if value(h)] for i, hs in ctx.state(Claims).credit.items()}


def extra_score(plan, activities) -> tuple[int, int]:
    """Claimed-venue activities with a claimant on them, of all activities at claimed venues."""
    owners: dict[str, set[str]] = defaultdict(set)
    for s in plan.staff:
        for v in s.claims:
            owners[v].add(s.id)
    at = [a for a in activities if a.cand.venue in owners]
    return sum(1 for a in at if owners[a.cand.venue].intersection(a.staff)), len(at)


def served(plan, activities) -> set[int]:
    """Activities at a claimed venue with a claimant on them."""
    if not plan.tactics.all_police:
        return set()
    claimed: dict[str, set[str]] = defaultdict(set)
    for s in plan.staff:
        for v in s.claims:
            claimed[v].add(s.id)
    return {n for n, a in enumerate(activities)
            if a.cand.venue and a.cand.venue in claimed and claimed[a.cand.venue].intersection(a.staff)}


def score(plan, calendar, activities, row: ScoreRow) -> None:
    met, required = extra_score(plan, activities)
    row.met += met
    row.required += required


__all__ = ["add", "enabled", "prefer", "extra_score", "claimants", "served", "score", "in_work_hours",
           "work_hours_visits"]
