"""One CP-SAT model over some days' candidates with every enabled tactic's rules, and the
plans (incumbents) that start or fix it."""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from planner import clock as clock_mod
from planner import interrupt
from planner.calendar import CampaignCalendar
from planner.candidates import Candidate, CandidateSet
from planner.greedy import GreedyPlan
from planner.loader import LoadedPlan
from planner.search.result import PlannedActivity
from planner.tactics import staffing
from planner.tactics.base import SCALE, Carry, Ctx, MasterCtx, PersonCtx, part_of
from planner.tactics.reach import REACH_PER
from planner.tactics.registry import all_modules, core_modules


def build(loaded: LoadedPlan, calendar: CampaignCalendar, cset: CandidateSet, *, days: range | None = None,
          carry: Carry | None = None, area_bound: bool = False, modules: list | None = None,
          mode: str = "full", only: set[str] | None = None, pool: list[Candidate] | None = None,
          horizon: range | None = None, available: list[list[bool]] | None = None,
          master_fairness: bool = True) -> Ctx:
    """`build_master` for mode "master" ("prepare": its candidates and positions only, for the
    greedy plan), else `build_person`."""
    kw: dict[str, Any] = dict(days=days, carry=carry, area_bound=area_bound, modules=modules, only=only,
                              pool=pool, horizon=horizon, available=available)
    if mode in ("master", "prepare"):
        return build_master(loaded, calendar, cset, fairness=master_fairness, prepare_only=mode == "prepare", **kw)
    return build_person(loaded, calendar, cset, **kw)


def build_master(loaded: LoadedPlan, calendar: CampaignCalendar, cset: CandidateSet, *, days: range | None = None,
                 carry: Carry | None = None, area_bound: bool = False, modules: list | None = None,
                 only: set[str] | None = None, pool: list[Candidate] | None = None, horizon: range | None = None,
                 available: list[list[bool]] | None = None, fairness: bool = True,
                 prepare_only: bool = False) -> MasterCtx:
    """The master over the candidates in `days`: activities, staffing as capacities.

    `fairness`: False leaves fairness out (its LP is then a weaker bound, but about three
    times faster). `prepare_only`: candidates and their positions only, for the greedy plan."""
    ctx = MasterCtx(loaded, calendar, cset, days=days, carry=carry, area_bound=area_bound, only=only,
                    horizon=horizon, available=available, fairness=fairness)
    _add_rules(ctx, modules, pool, prepare_only)
    return ctx


def build_person(loaded: LoadedPlan, calendar: CampaignCalendar, cset: CandidateSet, *, days: range | None = None,
                 carry: Carry | None = None, area_bound: bool = False, modules: list | None = None,
                 only: set[str] | None = None, pool: list[Candidate] | None = None, horizon: range | None = None,
                 available: list[list[bool]] | None = None) -> PersonCtx:
    """The person-level model of the candidates in `days` (or `only` these), every enabled
    tactic module's rules in it.

    `pool`: the candidates the master could choose from, for explaining shortfalls when
    this model only holds the master's choice (`only`)."""
    ctx = PersonCtx(loaded, calendar, cset, days=days, carry=carry, area_bound=area_bound, only=only,
                    horizon=horizon, available=available)
    _add_rules(ctx, modules, pool, False)
    return ctx


def _add_rules(ctx: Ctx, modules: list | None, pool: list[Candidate] | None, prepare_only: bool) -> None:
    """Every enabled tactic module (and the core ones) prepares, then adds its rules."""
    plan = ctx.plan
    mods = [m for m in (modules if modules is not None else all_modules()) if m.enabled(plan)]
    mods += [m for m in core_modules() if m not in mods]
    mods.sort(key=lambda m: m.ORDER)
    ctx.modules = mods
    ctx.needs = [staffing.base_need(ctx, c.format) for c in ctx.cands]
    for m in sorted(mods, key=lambda m: getattr(m, "PREPARE_ORDER", m.ORDER)):
        if hasattr(m, "prepare"):
            m.prepare(ctx)
    ctx.pool = pool if pool is not None else list(ctx.cands)
    if prepare_only:
        return
    model = ctx.model
    ctx.x = [model.new_bool_var(c.id) for c in ctx.cands]
    for m in mods:  # venue_days first (its visits are what the rhythms count), reach last
        m.add(ctx)
    terms = ctx.objective_terms()
    model.minimize(sum(k * v for v, k in terms) + ctx.constant_penalty())


Incumbent = dict[str, tuple[Candidate, tuple[str, ...], int | None]]  # id → (activity, staff, key date)


def incumbent_from_greedy(ctx: Ctx, plan: GreedyPlan) -> Incumbent:
    return {ctx.cands[i].id: (ctx.cands[i], tuple(sorted(ctx.staff[p].id for p, _ in people)),
                              plan.key_dates.get(i))
            for i, people in plan.staff.items()}


def people_to_keep(ctx: Ctx, staff_of: dict[str, tuple[str, ...]]) -> dict[int, list[int]]:
    """Candidate id → staff ids, as `extract`'s `keep`: candidate index → staff indexes."""
    index = {c.id: i for i, c in enumerate(ctx.cands)}
    return {index[k]: [ctx.staff_index[s] for s in staff if s in ctx.staff_index]
            for k, staff in staff_of.items() if k in index}


def incumbent_of(activities: list[PlannedActivity]) -> Incumbent:
    """Planned activities as a plan to start from or to fix."""
    return {a.cand.id: (a.cand, tuple(a.staff), a.key_date) for a in activities}


def hint_master(ctx: MasterCtx, plan: Incumbent) -> None:
    """A plan as the master's starting point: its activities and who works when."""
    for c, v in zip(ctx.cands, ctx.x):
        ctx.model.add_hint(v, 1 if c.id in plan else 0)
    works = {(ctx.staff_index[s], c.day, part_of(c.start_min), (c.area or "") if c.venue else staffing.ONLINE_AREA)
             for c, staff, _ in plan.values() for s in staff}
    for key, v in ctx.a.items():
        ctx.model.add_hint(v, 1 if key in works else 0)


HINT_SECONDS = 10.0  # most time completing a hint may take


def complete_hint(model: cp_model.CpModel, seed: int, time_limit: float = HINT_SECONDS) -> float | None:
    """Turn a hint of the main variables into a hint of every variable (CP-SAT may fail to
    complete a partial hint in a big model and start from scratch); its objective, or None."""
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = time_limit
    if clock_mod.current() is not None:  # a deterministic solve: its work, not the clock
        solver.parameters.max_deterministic_time = time_limit
        solver.parameters.max_time_in_seconds = clock_mod.cap(max(60.0, 20 * time_limit))  # a guard (solver.py)
    with interrupt.solving(solver):
        status = solver.solve(model)
    clock_mod.spent(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = [solver.value(model.get_int_var_from_proto_index(i)) for i in range(len(model.proto.variables))]
    model.clear_hints()
    for i, value in enumerate(values):
        model.add_hint(model.get_int_var_from_proto_index(i), value)
    return solver.objective_value / SCALE


def hint_full(ctx: PersonCtx, plan: Incumbent, *, fix: bool = False) -> None:
    """A plan, staffed as it is, as the person-level model's starting point (or fixed)."""
    group_of = {i: g for g, group in enumerate(ctx.groups) for i in group.cands}
    u = ctx.u
    on = exact_positions(ctx, plan, group_of)
    for c, v in zip(ctx.cands, ctx.x):
        ctx.model.add_hint(v, 1 if c.id in plan else 0)
        if fix:
            ctx.model.add(v == (1 if c.id in plan else 0))
    for key, v in u.items():
        ctx.model.add_hint(v, 1 if key in on else 0)
        if fix:
            ctx.model.add(v == (1 if key in on else 0))


def exact_positions(ctx: PersonCtx, plan: Incumbent, group_of: dict[int, int]) -> set[tuple]:
    """(person, group, position type) for a staffed plan: each person of an activity takes
    one of its positions they fit, most specific positions first (a small matching)."""
    on: set[tuple] = set()
    st = ctx.staffing
    for i, c in enumerate(ctx.cands):
        if c.id not in plan:
            continue
        people = sorted({ctx.staff_index[s] for s in plan[c.id][1]} - set(st[i].team))
        slots = [pt for pt, n in st[i].positions.items() for _ in range(n)]
        slots.sort(key=lambda pt: (-len(pt[1]), pt[0] == "*", pt))
        match: dict[int, int] = {}  # slot → person, by augmenting paths

        def options(p: int, slots=slots) -> list[int]:
            return [k for k, pt in enumerate(slots) if staffing.fits(ctx.staff[p], pt)]

        for p in people:
            staffing.augment(p, options, match, set())
        for k, p in match.items():
            on.add((p, group_of[i], slots[k]))
    return on


__all__ = ["build", "build_master", "build_person", "Incumbent", "incumbent_from_greedy", "incumbent_of",
           "people_to_keep", "hint_master", "hint_full", "complete_hint", "exact_positions", "HINT_SECONDS",
           "REACH_PER"]
