"""The scheduler: plan → calendar → candidates → CP-SAT models → Solution → plan.json.

`plan_to_dir(loaded, out)` is what the CLI and a Python user call; `solve(loaded)` returns
the Solution without writing anything.

Two models over the same candidates and tactic modules (planner.tactics):
- the master decides the activities, with staffing as who works in which part of which day
  in which area (a[person, day, part, area]); per part and area, Hall's condition over the
  position types makes that exact up to overlaps across parts. It is a relaxation of the
  person-level model, so its LP value is a valid bound.
- the person-level model puts people on activities (u[person, group, position type]) and
  evaluates a plan exactly: every hard rule, every goal, every cost.

Per part of the campaign: a greedy plan at once; the master's LP (GLOP, raced against
HiGHS on a plan in one part) for the bound while the greedy plan is re-optimised a window of
days at a time; the LP rounded by the greedy;
the person-level model over the candidates the LP takes (a few hundred) solved from the
best plan so far; RENS where the windows improved nothing meanwhile and, for small
masters, CP-SAT on the master; that choice staffed by a matching per part of a day and
area; the best plan polished a window of days at a time. A station is one part, so the bound holds for
the whole plan. A larger plan is cut into months solved one after the other, each seeing
what the earlier ones decided; its bound is then the sum of conditional bounds, and a city
(too big for the LP in time) gets greedy plans polished as time allows.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from ortools.sat.python import cp_model

from planner import clock as clock_mod
from planner import interrupt
from planner.calendar import CampaignCalendar, build_calendar
from planner.candidates import Blocker, Candidate, CandidateSet, generate_candidates
from planner.errors import dotted
from planner.loader import LoadedPlan
from planner.greedy import GreedyPlan, from_lp, greedy, staff_choice
from planner.lprelax import lp_values, rens
from planner.tactics import (MAX_TRAVEL_MINUTES, SCALE, Carry, Ctx, all_modules, availability, part_of, staffing,
                             travel_minutes)
from planner.tactics import all_police as all_police_mod
from planner.tactics import fairness as fairness_mod
from planner.tactics import key_dates as key_dates_mod
from planner.tactics import themes as themes_mod

TACTIC_ORDER = ("five_into", "three_times_three_places", "six_plus", "key_dates", "themes", "all_police",
                "staffing", "fairness")
REACH_PER = 100  # weights.reach is per this many people reached
# Few workers: CP-SAT's default portfolio starts with the plain LP, which leaves these models
# with a weak bound; the LP with cuts (max_lp) and core-based bounding close it.
PORTFOLIO = ["max_lp", "core", "quick_restart", "default_lp", "reduced_costs", "pseudo_costs"]


# --- results -------------------------------------------------------------------------------------------


@dataclass
class Progress:
    """A live view of the search, for a progress display."""

    objective: float | None
    bound: float | None
    gap: float | None  # relative, 0.01 = 1%
    elapsed: float
    phase: str  # e.g. "2026-06..2026-08" or "month 3/12"
    solutions: int = 0


@dataclass
class PlannedActivity:
    cand: Candidate
    staff: list[str]
    key_date: int | None = None  # index into calendar.key_dates
    theme: str | None = None
    audiences: list[str] = field(default_factory=list)
    tactics: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.cand.id


@dataclass
class Unmet:
    tactic: str
    rule: str
    venue: str | None
    person: str | None
    period: str | None
    why: str
    short: int
    required: int
    unit: str
    where: str = ""  # FILE:LINE of the rule in the plan


@dataclass
class TacticScore:
    penalty: float
    met: int
    required: int


@dataclass
class Solution:
    loaded: LoadedPlan
    calendar: CampaignCalendar
    status: str  # optimal | feasible
    objective: float
    bound: float
    solve_seconds: float
    activities: list[PlannedActivity]
    unmet: list[Unmet]
    score: dict[str, TacticScore]
    reach: int
    installs: float
    stats: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # a deterministic solve's searches in CP-SAT's deterministic seconds: the same every run
    work_seconds: float | None = None

    @property
    def gap(self) -> float:
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))

    def summary(self) -> "Summary":
        return summarize(self)


@dataclass
class Summary:
    """What a publicity officer reads after solving (planner.report renders it)."""

    status: str
    objective: float
    bound: float
    gap: float
    solve_seconds: float
    activities: int
    reach: int
    installs: float
    score: dict[str, TacticScore]
    per_week: list[tuple[str, dict[str, int]]]  # week → format → activities
    load: list[tuple[str, str, str, int, int]]  # staff id, name, role, activities, capacity
    unmet: list[Unmet]
    notes: list[str]


class NoPlanError(Exception):
    """Nothing at all can be scheduled: the plan's hard rules leave no activity possible."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("no activity can be scheduled:\n" + "\n".join(lines))


# --- strategy -------------------------------------------------------------------------------------------


@dataclass
class Strategy:
    chunks: list[range]  # day ranges solved one after the other
    area_bound: bool  # staff with an area work in their area (and at venues they claimed)
    exact: bool = True  # False: too big for the LP in time; greedy plans polished by windows
    per_day: float = 0.0  # estimated master variables per day

    def lp_fits(self, days: int, share: float) -> bool:
        """Whether a part's LP is likely to finish in its share of the time (measured with
        GLOP on a 2-core machine: 5,200 master variables a second at the bench station,
        6,200 on a Harbin month, 16,000 on a bench district month)."""
        size = self.per_day * days
        return self.exact and (size <= SMALL_MASTER or share >= size / LP_VARIABLES_PER_SECOND)


FAIRNESS_LP_FACTOR = 2.5  # how much slower the master's LP is with fairness (measured 1.3 to 3.3)
ONE_MODEL = 26_000  # estimated master variables up to which the whole campaign is one model
LP_VARIABLES_PER_SECOND = 5_000
SMALL_MASTER = 8000  # variables: CP-SAT then works on the master after the LP, for a better bound
LAST_PART_WEIGHT = 2.0  # of the last part's days, in sharing the time limit among the parts
MONTH_MODEL = 70_000  # ... up to which a month is solved with its LP; beyond, greedy and windows


def choose_strategy(loaded: LoadedPlan, calendar: CampaignCalendar) -> Strategy:
    """One model when it is small enough to close the gap; otherwise whole months one by one."""
    plan = loaded.plan
    n = len(calendar.days)
    areas = {v.area for v in plan.venues if v.area}
    area_bound = len(areas) >= 4 and len(plan.staff) >= 30
    sample = generate_candidates(loaded, calendar, days=range(min(7, n)))
    per_day = len(sample.candidates) / min(7, n)
    reach = {}
    for s in plan.staff:
        if s.area is None:
            reach[s.id] = max(1, len(areas))
        elif area_bound:
            reach[s.id] = 1
        else:
            reach[s.id] = sum(1 for a in areas | {s.area} if travel_minutes(plan, s.area, a) <= MAX_TRAVEL_MINUTES)
    per_day += 4 * sum(reach.values())  # a[person, day, part, area]: about four parts a day
    if per_day * n <= ONE_MODEL:
        return Strategy([range(n)], area_bound, per_day=per_day)
    return Strategy(_month_chunks(calendar), area_bound, exact=per_day * 30 <= MONTH_MODEL, per_day=per_day)


def _month_chunks(calendar: CampaignCalendar) -> list[range]:
    out: list[range] = []
    start = 0
    for i in range(1, len(calendar.days) + 1):
        if i == len(calendar.days) or calendar.days[i].date.month != calendar.days[start].date.month:
            out.append(range(start, i))
            start = i
    return out


# --- building one model ----------------------------------------------------------------------------------


def build(loaded: LoadedPlan, calendar: CampaignCalendar, cset: CandidateSet, *, days: range | None = None,
          carry: Carry | None = None, area_bound: bool = False, modules: list | None = None,
          mode: str = "full", only: set[str] | None = None, pool: list[Candidate] | None = None,
          horizon: range | None = None, available: list[list[bool]] | None = None,
          master_fairness: bool = True) -> Ctx:
    """The CP-SAT model of the candidates in `days`, with every enabled tactic module's rules.

    `pool`: the candidates the master could choose from, for explaining shortfalls when
    this model only holds the master's choice (`only`). `master_fairness`: False leaves
    fairness out of a master (its LP is then a weaker bound, but about three times faster)."""
    ctx = Ctx(loaded, calendar, cset, days=days, carry=carry, area_bound=area_bound, mode=mode, only=only,
              horizon=horizon, available=available)
    plan = loaded.plan
    mods = [m for m in (modules if modules is not None else all_modules()) if m.enabled(plan)]
    if staffing not in mods:
        mods.insert(0, staffing)
    ctx.data["modules"] = [m.NAME for m in mods]
    ctx.data["master_fairness"] = master_fairness
    ctx.needs = [staffing.base_need(ctx, c.format) for c in ctx.cands]
    for m in mods:
        if m is not staffing and hasattr(m, "prepare"):
            m.prepare(ctx)
    staffing.prepare(ctx)  # last: positions follow the needs the tactics adjusted
    ctx.pool = pool if pool is not None else list(ctx.cands)
    if mode == "prepare":  # candidates and their positions only, for the greedy plan
        return ctx
    model = ctx.model
    ctx.x = [model.new_bool_var(c.id) for c in ctx.cands]
    one_activity_per_venue_day(ctx)
    for m in mods:
        m.add(ctx)
    reach(ctx)
    terms = ctx.objective_terms()
    model.minimize(sum(k * v for v, k in terms) + ctx.constant_penalty())
    return ctx


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


def hint_master(ctx: Ctx, plan: Incumbent) -> None:
    """A plan as the master's starting point: its activities and who works when."""
    for c, v in zip(ctx.cands, ctx.x):
        ctx.model.add_hint(v, 1 if c.id in plan else 0)
    works = {(ctx.staff_index[s], c.day, part_of(c.start_min), (c.area or "") if c.venue else staffing.ONLINE_AREA)
             for c, staff, _ in plan.values() for s in staff}
    for key, v in ctx.data.get("a", {}).items():
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
        solver.parameters.max_time_in_seconds = clock_mod.cap(3 * time_limit)
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


def hint_full(ctx: Ctx, plan: Incumbent, *, fix: bool = False) -> None:
    """A plan, staffed as it is, as the person-level model's starting point (or fixed)."""
    group_of = {i: g for g, group in enumerate(ctx.data["groups"]) for i in group.cands}
    u = ctx.data["u"]
    on = _exact_positions(ctx, plan, group_of)
    for i, (c, v) in enumerate(zip(ctx.cands, ctx.x)):
        ctx.model.add_hint(v, 1 if c.id in plan else 0)
        if fix:
            ctx.model.add(v == (1 if c.id in plan else 0))
    for key, v in u.items():
        ctx.model.add_hint(v, 1 if key in on else 0)
        if fix:
            ctx.model.add(v == (1 if key in on else 0))


def _exact_positions(ctx: Ctx, plan: Incumbent, group_of: dict[int, int]) -> set[tuple]:
    """(person, group, position type) for a staffed plan: each person of an activity takes
    one of its positions they fit, most specific positions first (a small matching)."""
    on: set[tuple] = set()
    st = ctx.data["staffing"]
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


def one_activity_per_venue_day(ctx: Ctx) -> None:
    """A venue holds at most one activity a day (two the same day reach the same people).

    visited[venue, day] (the sum, 0 or 1) is what the 五进 rhythm and gaps count: a tenth
    of the terms of counting each format, which keeps the LP small."""
    by_slot: dict[tuple, list] = defaultdict(list)
    for i, c in enumerate(ctx.cands):
        if c.venue is not None:
            by_slot[(c.venue, c.day)].append(ctx.x[i])
        else:
            by_slot[(c.format, c.day, c.start_min)].append(ctx.x[i])
    visited: dict[tuple[str, int], Any] = {}
    for key, vs in sorted(by_slot.items(), key=lambda kv: (kv[0][1], str(kv[0][0]), kv[0][2:])):
        if len(key) == 2:
            if len(vs) == 1:
                visited[key] = vs[0]
            else:
                visited[key] = ctx.model.new_bool_var(f"visited[{key[0]},{key[1]}]")
                ctx.model.add(visited[key] == sum(vs))
                ctx.hard("one_activity_per_venue_day")
        elif len(vs) > 1:
            ctx.model.add_at_most_one(vs)
    ctx.data["visited"] = visited


def reach(ctx: Ctx) -> None:
    """Spare staff time goes where the most people are met (offline; online views are not
    people met, and posts are asked for by number)."""
    ctx.cost("reach", "reach", [(ctx.x[i], -c.reach / REACH_PER) for i, c in enumerate(ctx.cands) if c.venue],
             "reach")


# --- solving ----------------------------------------------------------------------------------------------


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[float | None, float | None], None]):
        super().__init__()
        self.report = report
        self.solutions = 0

    def on_solution_callback(self) -> None:
        self.solutions += 1
        self.report(self.ObjectiveValue(), self.BestObjectiveBound())


@dataclass
class ChunkResult:
    status: str
    objective: float  # in weight units (scaled back)
    bound: float
    seconds: float
    activities: list[PlannedActivity]
    goals: list[tuple[Any, int, int]]  # (Goal, short, required)
    costs: dict[tuple[str, str], float]
    chosen: list[Candidate]
    credits: dict[int, int]

    def chosen_candidates(self) -> list[Candidate]:
        return self.chosen


def run_master(ctx: Ctx, *, time_limit: float, workers: int, seed: int, deterministic: bool = False,
               on_progress: Callable[[float | None, float | None, int], None] | None = None
               ) -> tuple[str, set[str], float | None, float | None]:
    """The activities the master picks, its status, objective and bound (weight units)."""
    solver = _solver(time_limit, workers, seed, deterministic)
    # a big master spends its time in presolve otherwise; the LP does the work here
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.max_presolve_iterations = 1
    status = _solve(solver, ctx.model, on_progress)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = {c.id for c, v in zip(ctx.cands, ctx.x) if solver.value(v)}
        ctx.data["works"] = {key for key, v in ctx.data.get("a", {}).items() if solver.value(v)}
        name = "optimal" if status == cp_model.OPTIMAL else "feasible"
        return name, chosen, solver.objective_value / SCALE, solver.best_objective_bound / SCALE
    return "empty", set(), None, trivial_bound(ctx)


def trivial_bound(ctx: Ctx) -> float:
    """A bound that needs no solving: every reward taken, no penalty paid."""
    return ctx.constant_penalty() / SCALE + sum(k for c in ctx.costs for _, k in c.terms if k < 0) / SCALE


def _solver(time_limit: float, workers: int, seed: int, deterministic: bool = False,
            neighbourhood: bool = False, cuts: bool = True, capped: bool = True) -> cp_model.CpSolver:
    """`neighbourhood`: a window of days re-solved from a complete plan, many times over;
    its short searches go to finding plans (measured on the bench station: windows of a
    quarter-second without presolve or cuts improve a plan twice as fast as one-second ones
    with them). `cuts=False`: the LP-led search without cuts, which on the station's support
    solve lands near the bound sooner (the bench station in 10 s: 0.2 to 0.8% over four
    seeds, where with cuts two seeds ended at 11%), though not on a district month's (the
    bench district at 60 s: 0.7 to 1.3% with cuts over five runs, 1.1 to 1.8% without).
    `capped=False`: a deterministic search the running solve's clock does not end (an
    evaluation, which must finish)."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    # deterministic: one worker. Several workers are deterministic only interleaved, and
    # interleaved they did far worse here (Lanzhou at 10 s: 5.9% against 0.8% with one)
    workers = 1 if deterministic else workers
    p.num_workers = workers
    p.random_seed = seed
    p.catch_sigint_signal = False  # Ctrl-C is planner.interrupt's: it ends the whole run's search
    if workers == 1:
        p.linearization_level = 2  # the LP with cuts is what closes the gap on these models
    if neighbourhood:
        p.cp_model_presolve = False
    if neighbourhood or not cuts:
        p.cut_level = 0
    shortest = 0.1 if neighbourhood else 0.5
    if deterministic:
        # the same plan and seed give the same plan, whatever the machine's load
        p.max_deterministic_time = max(0.1, time_limit)
        p.max_time_in_seconds = max(5.0, 3 * time_limit)
        if capped:
            p.max_time_in_seconds = clock_mod.cap(p.max_time_in_seconds)
    else:
        if workers <= len(PORTFOLIO):
            p.subsolvers.extend(PORTFOLIO[:workers])
        p.max_time_in_seconds = max(shortest, time_limit)
    return solver


def _solve(solver: cp_model.CpSolver, model: cp_model.CpModel,
           on_progress: Callable[[float | None, float | None, int], None] | None, stoppable: bool = True) -> int:
    """`stoppable=False`: Ctrl-C does not end it (an evaluation: a plan is written once scored)."""
    watcher = None
    if on_progress is not None:
        watcher = _Watcher(lambda obj, bound: on_progress(obj, bound, watcher.solutions))
        solver.best_bound_callback = lambda bound: on_progress(None, bound, watcher.solutions)
    if stoppable:
        with interrupt.solving(solver):
            status = solver.solve(model, watcher)
    else:
        status = solver.solve(model, watcher)
    clock_mod.spent(solver)
    return status


def run_chunk(ctx: Ctx, *, time_limit: float, workers: int, seed: int, deterministic: bool = False,
              on_progress: Callable[[float | None, float | None, int], None] | None = None,
              neighbourhood: bool = False, cuts: bool = True, keep: dict[int, list[int]] | None = None,
              capped: bool = True) -> ChunkResult:
    solver = _solver(time_limit, workers, seed, deterministic, neighbourhood, cuts, capped)
    started = time.monotonic()
    status = _solve(solver, ctx.model, on_progress, stoppable=capped)  # an evaluation is not stopped
    seconds = time.monotonic() - started
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = lambda v: v if isinstance(v, int) else solver.value(v)  # noqa: E731
        objective, bound = solver.objective_value / SCALE, solver.best_objective_bound / SCALE
        name = "optimal" if status == cp_model.OPTIMAL else "feasible"
    else:  # no solution in time: doing nothing is always allowed, so plan nothing here
        for v in ctx.x:
            ctx.model.add(v == 0)
        solver = _solver(5.0, 1, seed)
        solver.solve(ctx.model)
        value = lambda v: v if isinstance(v, int) else solver.value(v)  # noqa: E731
        objective = bound = solver.objective_value / SCALE
        name = "empty"
    result = extract(ctx, value, keep)
    result.status, result.objective, result.bound, result.seconds = name, objective, bound, seconds
    return result


def extract(ctx: Ctx, value: Callable[[Any], int], keep: dict[int, list[int]] | None = None) -> ChunkResult:
    """The chosen activities and who goes; `keep`: candidate → people who should stay on it
    where they are in its group (re-planning), before the claimants."""
    chosen = [i for i, v in enumerate(ctx.x) if value(v)]
    prefer = all_police_mod.prefer(ctx, value) if "all_police" in ctx.data["modules"] else {}
    if keep:
        prefer = {i: keep.get(i, []) + [p for p in prefer.get(i, []) if p not in keep.get(i, [])]
                  for i in set(prefer) | set(keep)}
    people, short = staffing.disaggregate(ctx, chosen, value, prefer)
    chosen = [i for i in chosen if i not in short]
    credits = key_dates_mod.credits(ctx, set(chosen), value) if "key_dates" in ctx.data["modules"] else {}
    activities = [PlannedActivity(ctx.cands[i], sorted(ctx.staff[p].id for p in people[i]), credits.get(i))
                  for i in chosen]
    chosen_c = [ctx.cands[i] for i in chosen]
    result = ChunkResult("", 0.0, 0.0, 0.0, activities, [], {}, chosen_c,
                         {i: k for i, k in credits.items()})
    for g in ctx.goals:
        result.goals.append((g, int(value(g.short)), g.required_value(value)))
    for c in ctx.costs:
        key = (c.tactic, c.rule)
        result.costs[key] = result.costs.get(key, 0.0) + sum(k * value(v) for v, k in c.terms) / SCALE
    return result


def solve(loaded: LoadedPlan, *, progress: Callable[[Progress], None] | None = None,
          time_limit: float | None = None, workers: int | None = None, seed: int | None = None,
          calendar: CampaignCalendar | None = None, strategy: Strategy | None = None,
          modules: list | None = None) -> Solution:
    """Plan the campaign; raises NoPlanError when nothing at all can be scheduled."""
    plan = loaded.plan
    started = time.monotonic()
    calendar = calendar or build_calendar(plan)
    limit = time_limit if time_limit is not None else plan.solver.time_limit.total_seconds()
    workers = workers if workers is not None else plan.solver.workers
    workers = workers or os.cpu_count() or 1
    seed = seed if seed is not None else plan.solver.seed
    strategy = strategy or choose_strategy(loaded, calendar)
    run = _Run(loaded, calendar, strategy, modules, workers, seed, started, progress)
    # the rest: themes, labels, score and explanations (more for a city's thousands of activities)
    budget = limit * (1 - (FINISH_SHARE if strategy.exact else 2 * FINISH_SHARE))
    # deterministic: budgets in CP-SAT's deterministic time; the clock only ends what overruns
    # (no step was cut short unless its end was reached)
    clock = clock_mod.Clock(started + budget) if run.deterministic else None
    token = clock_mod.start(clock)
    try:
        _parts(run, budget)
    finally:
        clock_mod.stop(token)
    if clock is not None:
        run.clock_ran_out = clock.left() <= 0
        run.work = clock.work
    if not run.active:
        raise NoPlanError(explain_nothing(loaded, calendar, run.blockers, run.dropped, run.generated))
    return assemble(run, run.activities)


def _parts(run: "_Run", budget: float) -> None:
    """Each part in turn, with its share of the time."""
    strategy, started = run.strategy, run.started
    # the last part of a decomposed solve gets more time: its LP is the one with fairness in it
    weights = [len(c) for c in strategy.chunks]
    if len(weights) > 1 and strategy.exact:
        weights[-1] *= LAST_PART_WEIGHT
    for n, days in enumerate(strategy.chunks):
        if n and interrupt.requested():  # Ctrl-C: the rest of the campaign would have no plan
            raise interrupt.Interrupted(f"{run.calendar.days[days[0]].date}.."
                                        f"{run.calendar.days[strategy.chunks[-1][-1]].date} was not planned yet")
        if run.deterministic:  # from the plan alone, not the clock
            share = budget * weights[n] / sum(weights)
        else:
            left = max(1.0, budget - (time.monotonic() - started))
            share = left * weights[n] / sum(weights[n:])
        run.part(n, days, share)


def assemble(run: "_Run", planned: list[PlannedActivity],
             keep_theme: Callable[[PlannedActivity], tuple[str, list[str]] | None] | None = None) -> Solution:
    """The parts' results as one Solution: themes, tactic labels, unmet goals and the score.

    keep_theme: the theme and audiences an activity keeps (re-planning keeps what was published)."""
    loaded, calendar, strategy, modules = run.loaded, run.calendar, run.strategy, run.modules
    plan = loaded.plan
    activities = sorted(planned, key=lambda a: (a.cand.day, a.cand.start_min, a.cand.venue or "", a.cand.format))
    types, venue_themes = _theme_data(loaded)
    repeats = themes_mod.assign(plan, calendar, activities, types, venue_themes)
    if keep_theme is not None:
        for a in activities:
            kept = keep_theme(a)
            if kept is None:
                continue
            theme, audiences = kept
            key = calendar.key_dates[a.key_date] if a.key_date is not None else None
            if key is not None and key.themes is not None and theme not in key.themes:
                continue  # now the themed activity of a key date: one of its themes, not the old one
            allowed = venue_themes.get(a.cand.venue, ()) if a.cand.venue else tuple(types)
            if theme in allowed and theme != a.theme:
                a.theme = theme
                a.audiences = [x for x in audiences if x in types[theme]] or a.audiences
        repeats = themes_mod.repeats(activities)
    label_tactics(loaded, calendar, activities)
    unmet = collect_unmet(loaded, run.goals)
    score = collect_score(loaded, calendar, activities, run.goals, run.costs, repeats, modules)
    status = "optimal" if run.statuses == ["optimal"] else "feasible"
    notes = list(calendar.notes)
    if run.clock_ran_out:
        notes.append("the time limit ran out before the search's planned work was done, so another run "
                     "may give a different plan (give solver.time_limit more time)")
    if "greedy" in run.statuses:
        notes.append("the solver improved nothing in time for some periods; their plan is the greedy "
                     "one (give solver.time_limit more time)")
    if len(strategy.chunks) > 1:
        notes.append(f"solved in {len(strategy.chunks)} periods one after the other; "
                     "the bound is the sum of the periods' bounds")
    return Solution(loaded, calendar, status, round(run.objective, 2), round(min(run.bound, run.objective), 2),
                    round(time.monotonic() - run.started, 2), activities, unmet, score,
                    sum(a.cand.reach for a in activities), round(sum(a.cand.installs for a in activities), 1),
                    dict(run.stats, chunks=len(strategy.chunks), active_candidates=run.active,
                         dropped=dict(run.dropped)), notes,
                    None if run.work is None else round(run.work, 2))


FINISH_SHARE = 0.04  # of the time limit, kept for putting the plan together at the end
WINDOW_DAYS = 7  # fix-and-optimise windows: a week, then weeks shifted by half a week
LONG_WINDOW_DAYS = 14  # where a round of them fits in the part's time, the windows start this long
LONGEST_WINDOW_DAYS = 28
WINDOW_SECONDS = 2.0  # most time one window gets
SHORTEST_WINDOW_SECONDS = 0.25
WINDOW_VARIABLES_PER_SECOND = 5000  # a window's time: its model's variables at this rate, within those
MAX_PASSES = 4  # of one size of windows
LP_SHARE = 0.7  # most of a part's time the LP may take (the greedy plan is polished meanwhile)
RENS_SHARE = 0.4  # of what is left: rounding the LP; then staffing and polishing
WINDOWS_SHARE = 0.15  # deterministically: the windows' time, of a part's share
INEXACT_WINDOWS_SHARE = 0.6  # ... where they are the part's only search (no LP in time)
WINDOW_BUILD_VARIABLES_PER_SECOND = 4000  # building a window's model and its hint (Harbin: 3,500 to 9,000)
SUPPORT_MIN_SECONDS = 1.0  # of time left after the LP, for solving over its support
SUPPORT_SHARE = 0.9  # of that time (the bench station at 10 s: 0.2 to 0.9% where 0.6 left it at 1.2%)
RENS_MIN_SECONDS = 2.5  # rounding with CP-SAT needs at least this long to beat the greedy rounding
DETERMINISTIC_RATE = 0.8  # deterministic seconds of search per second of a part's share
EVALUATION_SECONDS = 60.0  # deterministic seconds an evaluation may take (they take well under one)


def _window_starts(days: range, size: int) -> list[int]:
    """Windows of `size` days, then the same shifted by half a window."""
    if len(days) <= size:
        return [days[0]]
    starts = list(range(days[0], days[-1] + 1, size))
    return starts + [d + size // 2 for d in starts if d + size // 2 <= days[-1]]


class _Run:
    """One solve, part by part (one part for a station)."""

    # re-planning a published plan keeps its key-date credits where they still count, rather
    # than choosing afresh among equally good activities (which would change published themes)
    keep_credits = False

    def __init__(self, loaded, calendar, strategy, modules, workers, seed, started, progress):
        self.loaded, self.calendar, self.strategy, self.modules = loaded, calendar, strategy, modules
        self.workers, self.seed, self.started, self.progress = workers, seed, started, progress
        # budgets from the plan, never the clock: the same plan and seed give the same plan
        self.deterministic = workers == 1 or loaded.plan.solver.deterministic
        self.clock_ran_out = False
        self.work: float | None = None  # deterministic seconds searched, in a deterministic solve
        self.last_evaluation = 0.0
        self.lp_rate: float | None = None  # master variables a second, as the last LP went
        # A plan in one part (a station) races GLOP and HiGHS for its only LP: HiGHS took 3.0 s
        # on the bench station's LP where GLOP took 5.2 s (and lost on Lanzhou, 2.0 s to 1.8 s).
        # Not on plans in months: GLOP won on the bench district's months (3.3 s to 5.5 s), and
        # HiGHS, which cannot be interrupted, then took a core from the support solve (the
        # district at 60 s: 2.2 to 3.1% raced, 1.4 to 1.8% not, as measured). One worker: GLOP alone, for
        # the same plan from the same seed.
        race = len(strategy.chunks) == 1 and not self.deterministic
        self.lp_engines = ("GLOP", "HIGHS") if race else ("GLOP",)
        self.window_days = WINDOW_DAYS  # grows when windows of this size are stuck
        self.window_next = 0
        self.window_overhead: dict[int, float] = {}  # window size → seconds the last one took besides solving
        self.available = availability(loaded.plan, calendar)
        self.carry = Carry()
        self.activities: list[PlannedActivity] = []
        self.goals: list[tuple[Any, int, int, str]] = []
        self.costs: dict[tuple[str, str], float] = defaultdict(float)
        self.objective = self.bound = 0.0
        self.statuses: list[str] = []
        self.stats: Counter = Counter()
        self.blockers: list[Blocker] = []
        self.dropped: Counter = Counter()
        self.generated = self.active = 0

    def report(self, objective: float | None, bound: float | None, stage: str, phase: str) -> None:
        if self.progress is None:
            return
        o = None if objective is None else self.objective + objective
        b = None if bound is None else self.bound + bound
        gap = None if o is None or b is None else abs(o - b) / max(1.0, abs(o))
        self.progress(Progress(o, b, gap, time.monotonic() - self.started, f"{phase} {stage}".strip()))

    def build(self, cset: CandidateSet, days: range, horizon: range, carry: Carry, mode: str, **kw) -> Ctx:
        return build(self.loaded, self.calendar, cset, days=days, horizon=horizon, carry=carry,
                     area_bound=self.strategy.area_bound, modules=self.modules, mode=mode,
                     available=self.available, **kw)

    def part(self, n: int, days: range, share: float) -> None:
        t0 = time.monotonic()
        deadline = t0 + share
        # deterministic budgets: CP-SAT's deterministic seconds, which the steps around the
        # searches (models built, hints completed) take about as long again as
        work = share * DETERMINISTIC_RATE
        calendar, stats = self.calendar, self.stats
        last = n == len(self.strategy.chunks) - 1
        # long windows find better plans where most of a pass of them fits in the part's time
        # (measured: the bench station at 30 s, gap 0.8% against 1.7% on week-long windows;
        # a district month, 3.3% against 3.5 to 4.6%); otherwise, and on plans too big for the
        # LP, whose windows are big models already, weeks first
        long_windows = len(_window_starts(days, LONG_WINDOW_DAYS))
        fits = self.strategy.exact and share >= 0.75 * long_windows * WINDOW_SECONDS
        self.window_days = LONG_WINDOW_DAYS if fits else WINDOW_DAYS
        self.window_next = 0  # the window the next call of self.windows starts with
        phase = ""
        if len(self.strategy.chunks) > 1:
            phase = (f"{calendar.days[days[0]].date}..{calendar.days[days[-1]].date} "
                     f"({n + 1}/{len(self.strategy.chunks)})")
        cset = generate_candidates(self.loaded, calendar, days=days)
        if n == 0:
            self.blockers = cset.blockers
        exact = self.strategy.lp_fits(len(days), share)  # the share is the plan's, not the clock's, with one worker
        # fairness makes the LP up to three times slower (a Harbin month: 5.5 s -> 18 s); the
        # earlier parts' LPs tell how fast this plan's LPs go
        if self.lp_rate is None or self.deterministic:
            fair = self.strategy.lp_fits(len(days), share / FAIRNESS_LP_FACTOR)
        else:
            fair = self.strategy.per_day * len(days) * FAIRNESS_LP_FACTOR / self.lp_rate <= share * LP_SHARE
        master = self.build(cset, days, days, self.carry, "master" if exact else "prepare", master_fairness=fair)
        self.generated += len(cset.candidates)
        self.active += len(master.cands)
        self.dropped.update(master.dropped)
        stats["candidates"] += len(cset.candidates)
        stats["master_variables"] += len(master.model.proto.variables) if exact else 0
        stats["seconds_build"] += time.monotonic() - t0
        if not master.cands:
            self.finish(self.evaluate(cset, days, {}, master.cands, deadline), "optimal", None, last=last)
            return
        # 1. a complete plan at once
        mark = time.monotonic()
        incumbent = incumbent_from_greedy(master, greedy(master))
        stats["seconds_greedy"] += time.monotonic() - mark
        pool = master.cands
        if not exact:  # too big for the LP in its time: the greedy plan, polished if time allows
            del master
            evaluation = self.last_evaluation or 0.1 * share  # keep time to evaluate the plan
            if self.deterministic:
                # the windows are this plan's only search: most of the part's time, less the
                # evaluations around them
                incumbent = self.windows(cset, days, incumbent, None, phase, budget=share * INEXACT_WINDOWS_SHARE)
            elif deadline - time.monotonic() > 1.0 + evaluation:
                incumbent = self.windows(cset, days, incumbent, deadline - evaluation, phase)
            result = self.evaluate(cset, days, incumbent, pool, deadline)
            self.report(result.objective, None, "plan", phase)
            self.finish(result, "feasible", self.no_bound(cset, days, pool, result), last=last)
            return
        # 2. the master's LP (a bound, and rounded, a choice of activities near it) in the
        #    background, while the greedy plan is polished a window of days at a time
        mark = time.monotonic()
        lp: dict[str, Any] = {}
        improved_before = stats["windows_improved"]
        lp_deadline = mark + (deadline - mark) * LP_SHARE
        # one worker: budgets come from the plan, never from the clock, so that the same plan
        # and seed give the same result (the LP gets room enough not to be cut short)
        lp_limit = 4 * share if self.deterministic else max(1.0, lp_deadline - time.monotonic())
        model = master.model
        def relax() -> None:
            began = time.monotonic()
            lp["result"] = lp_values(model, time_limit=lp_limit, engines=self.lp_engines)
            if lp["result"] is not None:
                self.lp_rate = len(model.proto.variables) / max(0.05, time.monotonic() - began)

        thread = threading.Thread(target=relax)
        if self.deterministic:
            thread.run()  # one worker: one thing after the other
        else:
            thread.start()
        result = self.evaluate(cset, days, incumbent, pool, deadline)
        self.report(result.objective, None, "first plan", phase)
        if not self.deterministic:
            if len(self.lp_engines) == 1 or self.workers > 2:  # two LPs racing take two cores
                incumbent = self.windows(cset, days, incumbent, lp_deadline, phase, until=thread)
            thread.join()
            result = self.better(cset, days, incumbent, pool, deadline, result)
        stats["seconds_lp"] += time.monotonic() - mark
        bound: float | None = None
        support_used = False
        chosen: set[str] = set()
        works: set[tuple] = set()
        if lp.get("result") is not None:
            values, lp_objective, engine = lp["result"]
            stats[f"lp_{engine.lower()}"] += 1
            bound = lp_objective / SCALE
            self.report(result.objective, bound, "bound", phase)
            # the LP rounded by the greedy (a fraction of a second), then by CP-SAT (RENS)
            mark = time.monotonic()
            x = [values[v.index] for v in master.x]
            sure = {key for key, v in master.data["a"].items() if values[v.index] > 0.5}
            for rounded_plan in from_lp(master, x, sure):
                other = self.evaluate(cset, days, incumbent_from_greedy(master, rounded_plan), pool, deadline)
                if other.objective < result.objective - 1e-9:
                    result = other
                    stats["lp_greedy_used"] += 1
            stats["seconds_lp_greedy"] += time.monotonic() - mark
            # the person-level model over what the LP takes and the plan so far: a few hundred
            # of the part's thousands of candidates, small enough for CP-SAT to search well
            mark = time.monotonic()
            left = work * (1 - LP_SHARE) if self.deterministic else deadline - mark - self.last_evaluation
            if left > SUPPORT_MIN_SECONDS:
                support = {c.id for c, v in zip(master.cands, master.x) if values[v.index] > 1e-6}
                other = self.support(cset, days, result, support, pool, left * SUPPORT_SHARE)
                if other is not None and other.objective < result.objective - 1e-9:
                    # evaluated as any plan is, so that its key-date credits are the ones
                    # re-planning finds for it (the support model may credit more than needed)
                    result = self.evaluate(cset, days, incumbent_of(other.activities), pool, deadline)
                    stats["support_used"] += 1
                    support_used = True
            stats["seconds_support"] += time.monotonic() - mark
            mark = time.monotonic()
            rounded = None
            # measured on the bench and the examples: where polishing by windows improves the
            # plan while the LP runs, the rest of the time is better spent on it than on RENS
            windows_work = stats["windows_improved"] > improved_before
            # deterministically: RENS where the support solve found nothing better (as the
            # clock would leave it no time after a support solve that did)
            if (self.deterministic and not support_used) or \
                    (not self.deterministic and deadline - mark > RENS_MIN_SECONDS and not windows_work):
                rounded = rens(master.model, values, master.x, seed=self.seed, workers=self.workers,
                               time_limit=self.budget(deadline, work, RENS_SHARE, RENS_SHARE * (1 - LP_SHARE)),
                               deterministic=self.deterministic)
            stats["seconds_rens"] += time.monotonic() - mark
            if rounded is not None:
                chosen = {c.id for c, v in zip(master.cands, master.x) if rounded[v.index]}
                works = {key for key, v in master.data["a"].items() if rounded[v.index]}
            left = work * (1 - LP_SHARE) * (1 - RENS_SHARE) if self.deterministic else deadline - time.monotonic()
            if len(master.model.proto.variables) <= SMALL_MASTER and left > 1.0:
                # small enough for CP-SAT to improve the bound (cuts, search) in the time left
                mark = time.monotonic()
                if rounded is not None:
                    master.model.clear_hints()
                    for k, v in rounded.items():
                        master.model.add_hint(master.model.get_int_var_from_proto_index(k), v)
                m_status, m_chosen, m_objective, m_bound = run_master(
                    master, time_limit=max(0.5, left * RENS_SHARE), workers=self.workers, seed=self.seed,
                    deterministic=self.deterministic)
                if m_bound is not None and m_status != "empty":
                    bound = max(bound, m_bound)
                    chosen, works = m_chosen, master.data.get("works", works)
                stats["seconds_master"] += time.monotonic() - mark
        else:  # no LP in time: CP-SAT on the master for a bound and a choice
            mark = time.monotonic()
            hint_master(master, incumbent)
            complete_hint(master.model, self.seed)
            m_status, chosen, _, bound = run_master(
                master, time_limit=self.budget(deadline, work, RENS_SHARE, RENS_SHARE), workers=self.workers,
                seed=self.seed,
                deterministic=self.deterministic)
            works = master.data.get("works", set())
            stats["seconds_master"] += time.monotonic() - mark
        stats["master_bound"] = bound
        # 3. that choice, staffed: a matching per part of a day and area; kept if better
        mark = time.monotonic()
        if chosen and chosen != set(incumbent):
            index = {c.id: i for i, c in enumerate(master.cands)}
            staffed = staff_choice(master, [index[k] for k in sorted(chosen)], works)
            stats["master_choice_dropped"] += len(chosen) - len(staffed.chosen)
            other = self.evaluate(cset, days, incumbent_from_greedy(master, staffed), pool, deadline)
            if other.objective < result.objective - 1e-9:
                result = other
                stats["master_choice_used"] += 1
        del master
        incumbent = incumbent_of(result.activities)
        stats["seconds_staffing"] += time.monotonic() - mark
        # 4. polished a window of days at a time, person by person (fairness included)
        mark = time.monotonic()
        # deterministically, where the support solve found a better plan, as the clock would
        # leave no time after it
        if (self.deterministic and not support_used) or \
                (not self.deterministic and deadline - time.monotonic() > 0.3 + self.last_evaluation):
            incumbent = self.windows(cset, days, incumbent,
                                     None if self.deterministic else deadline - 0.1 - self.last_evaluation,
                                     phase, budget=share * WINDOWS_SHARE)
            result = self.better(cset, days, incumbent, pool, deadline, result)
        stats["seconds_windows"] += time.monotonic() - mark
        optimal = bound is not None and result.objective <= bound + 1e-6 * max(1.0, abs(bound))
        self.finish(result, "optimal" if optimal else "feasible", bound, last=last)

    def support(self, cset: CandidateSet, days: range, result: ChunkResult, support: set[str], pool: list,
                time_limit: float) -> ChunkResult | None:
        """The part's person-level model over the candidates in `support` and those of
        `result`'s plan, started from that plan; its best plan, or None.

        Measured on the bench station: its LP takes about 450 of 8,273 candidates, and this
        model (about 4,000 variables) reaches 1% of the LP bound in 3 to 5 s, where windows of
        days need about 25 s."""
        plan = incumbent_of(result.activities)
        ctx = self.build(cset, days, days, self.carry, "full", only=support | set(plan), pool=pool)
        hint_full(ctx, plan)
        if complete_hint(ctx.model, self.seed, time_limit=max(0.5, min(HINT_SECONDS, time_limit))) is None:
            return None
        other = run_chunk(ctx, time_limit=time_limit, workers=self.workers, seed=self.seed,
                          cuts=len(self.strategy.chunks) > 1, deterministic=self.deterministic)
        return None if other.status == "empty" else other

    def no_bound(self, cset: CandidateSet, days: range, pool: list, result: ChunkResult) -> float:
        """A bound that needs no solving: every reach reward taken, no penalty paid."""
        w = self.loaded.plan.weights.reach
        return -sum(round(w * c.reach / REACH_PER * SCALE) for c in pool if c.venue) / SCALE

    def budget(self, deadline: float, share: float, of_left: float, of_share: float) -> float:
        """Seconds for a step: a fraction of what is left, or with one worker (deterministic
        time, never the clock), a fraction of the part's whole share."""
        if self.deterministic:
            return max(0.5, share * of_share)
        return max(0.5, (deadline - time.monotonic()) * of_left)

    def better(self, cset: CandidateSet, days: range, plan: Incumbent, pool: list, deadline: float,
               result: ChunkResult) -> ChunkResult:
        """The plan's exact evaluation if it beats `result` (the windows only ever improve)."""
        if set(plan) == {a.cand.id for a in result.activities} and all(
                tuple(a.staff) == plan[a.cand.id][1] for a in result.activities):
            return result
        other = self.evaluate(cset, days, plan, pool, deadline)
        return other if other.objective < result.objective - 1e-9 else result

    def windows(self, cset: CandidateSet, days: range, incumbent: Incumbent, deadline: float | None,
                phase: str, budget: float = 0.0, until: threading.Thread | None = None) -> Incumbent:
        """Fix-and-optimise: re-solve one window of days with the rest of the plan fixed.

        Until `deadline` (wall clock), the windows go round in order, carrying on where the
        part's previous call stopped (the windows run while the LP does stopped part-way);
        when a whole round improves nothing, or after MAX_PASSES rounds, windows twice as long
        (a larger neighbourhood) get the time left. Or, deterministically, as many windows
        (at most a round) as `budget` seconds hold, by each one's cost estimated from the
        plan's size (building a window's model takes longer than its short search)."""
        last = days[-1]
        size = self.window_days
        starts = _window_starts(days, size)
        solved = since_improved = 0
        count = len(starts)
        if deadline is None:
            variables = self.strategy.per_day * size
            search = max(SHORTEST_WINDOW_SECONDS, min(WINDOW_SECONDS, variables / WINDOW_VARIABLES_PER_SECOND))
            count = min(len(starts), int(budget // (variables / WINDOW_BUILD_VARIABLES_PER_SECOND + search)))
        while True:
            if deadline is None and (solved >= count or (clock_mod.wall_left() or 1.0) <= 0):
                break
            if deadline is not None and (since_improved >= len(starts) or solved >= MAX_PASSES * len(starts)):
                # twice as long, while a window stays half the part or less
                if 2 * size > LONGEST_WINDOW_DAYS or 4 * size > len(days) or not self.strategy.exact:
                    break
                size = self.window_days = 2 * size
                starts = _window_starts(days, size)
                self.window_next = solved = since_improved = 0
            if until is not None and not until.is_alive():
                return incumbent
            if interrupt.requested():
                return incumbent
            k = self.window_next % len(starts)
            began = time.monotonic()
            overhead = self.window_overhead.get(size, 0.0)
            if deadline is not None:
                # a window starts only if building it, as the last one took, leaves time to solve
                if deadline - began - overhead <= 0.05:
                    return incumbent
            self.window_next += 1
            solved += 1
            since_improved += 1
            window = range(starts[k], min(starts[k] + size, last + 1))
            ctx = self.build(cset, window, days, self.fixed_outside(incumbent, window), "full")
            inside = {i: v for i, v in incumbent.items() if v[0].day in window}
            hint_full(ctx, inside)
            before = complete_hint(ctx.model, self.seed, time_limit=HINT_SECONDS if deadline is None
                                   else max(0.5, min(HINT_SECONDS, deadline - time.monotonic())))
            if before is None:
                self.window_overhead[size] = time.monotonic() - began
                continue
            if deadline is not None:
                # bigger windows need longer to improve on their hint (measured: a station week,
                # 1,800 variables, a quarter-second; a district week, 6,500, a second or more)
                # (longer windows search for moves across weeks: their full time)
                wanted = WINDOW_SECONDS if size > WINDOW_DAYS else max(
                    SHORTEST_WINDOW_SECONDS, len(ctx.model.proto.variables) / WINDOW_VARIABLES_PER_SECOND)
                limit = max(0.1, min(deadline - time.monotonic(), wanted, WINDOW_SECONDS))
            else:
                limit = search * DETERMINISTIC_RATE
            result = run_chunk(ctx, time_limit=limit, workers=1, seed=self.seed,
                               deterministic=self.deterministic, neighbourhood=True)
            self.window_overhead[size] = time.monotonic() - began - result.seconds
            self.stats["windows"] += 1
            if result.status != "empty" and result.objective < before - 1e-9:
                for i in inside:
                    del incumbent[i]
                incumbent.update(incumbent_of(result.activities))
                self.stats["windows_improved"] += 1
                since_improved = 0
            self.report(None, None, f"{size}-day windows, round {(self.window_next - 1) // len(starts) + 1}, "
                        f"window {k + 1}/{len(starts)}", phase)
        return incumbent

    def fixed_outside(self, incumbent: Incumbent, window: range) -> Carry:
        """What the earlier parts and the plan's activities outside `window` settle, for a
        model of the window alone."""
        fixed = Carry(self.carry.activities + [(c, staff) for c, staff, _ in incumbent.values()
                                               if c.day not in window], dict(self.carry.key_date_credit))
        for c, _, key in incumbent.values():
            if key is not None and c.day not in window:
                fixed.key_date_credit[key] = fixed.key_date_credit.get(key, 0) + 1
        return fixed

    def evaluate(self, cset: CandidateSet, days: range, plan: Incumbent, pool: list, deadline: float
                 ) -> ChunkResult:
        """The part's model with exactly this plan: its goals, costs and objective; with
        `keep_credits`, its key-date credits where they still count."""
        mark = time.monotonic()
        ctx = self.build(cset, days, days, self.carry, "full", only=set(plan), pool=pool)
        hint_full(ctx, plan, fix=True)
        if self.keep_credits and "key_dates" in ctx.data["modules"]:
            index = {c.id: i for i, c in enumerate(ctx.cands)}
            key_dates_mod.keep_credits(ctx, {index[k]: key for k, (_, _, key) in plan.items()
                                             if key is not None and k in index})
        # people stay on the activity the plan gives them: where simultaneous activities share
        # a group, the model alone does not say which of them each person goes to
        keep = people_to_keep(ctx, {k: staff for k, (_, staff, _) in plan.items()})
        # with every activity and person fixed the rest is small: solved to the end on
        # deterministic time, so the same plan scores the same however busy the machine is
        result = run_chunk(ctx, time_limit=EVALUATION_SECONDS, workers=1, seed=self.seed, keep=keep,
                           deterministic=True, capped=False)
        self.last_evaluation = time.monotonic() - mark  # what keeping time for the last evaluation needs
        if result.status == "empty":
            raise RuntimeError("a plan that keeps every hard rule could not be evaluated; please report this")
        return result

    def finish(self, result: ChunkResult, status: str, bound: float | None, *, last: bool = True) -> None:
        """Add a part's result; `last`: the part that ends the campaign.

        Fairness is of the loads at the campaign's end: every part weighs the loads so far
        (that steers it), but only the last part's figure is the plan's, so earlier parts'
        fairness costs are not added up (they would count the same imbalance again)."""
        if not last:
            costs = {k: v for k, v in result.costs.items() if k[0] != fairness_mod.NAME}
            result = replace(result, costs=costs,
                             objective=result.objective - sum(result.costs.values()) + sum(costs.values()))
        self.statuses.append(status)
        self.objective += result.objective
        self.bound += min(result.objective, bound) if bound is not None else result.objective
        self.activities += result.activities
        for g, short, required in result.goals:
            why = ""
            if short:
                why = g.why(short, result) if callable(g.why) else (g.why or "")
            # a plain copy: the goal's closures would keep this part's whole model alive
            self.goals.append((replace(g, short=short, required=required, why=None), short, required, why))
        for key, v in result.costs.items():
            self.costs[key] += v
        self.carry.activities += [(a.cand, tuple(a.staff)) for a in result.activities]
        for a in result.activities:
            if a.key_date is not None:
                self.carry.key_date_credit[a.key_date] = self.carry.key_date_credit.get(a.key_date, 0) + 1


def _theme_data(loaded: LoadedPlan) -> tuple[dict, dict]:
    from planner.candidates import fraud_type_audiences, matching_themes

    types = fraud_type_audiences(loaded.plan)
    return types, {v.id: matching_themes(v.audience_ids(), types) for v in loaded.plan.venues}


def label_tactics(loaded: LoadedPlan, calendar: CampaignCalendar, activities: list[PlannedActivity]) -> None:
    """The tactics each planned activity serves, for plan.json and the calendars."""
    plan = loaded.plan
    claimed = defaultdict(set)
    for s in plan.staff:
        for v in s.claims:
            claimed[v].add(s.id)
    for a in activities:
        tags = [t for t in a.cand.tactics]
        if a.key_date is not None:
            tags.append("key_dates")
        if plan.tactics.all_police and a.cand.venue in claimed and claimed[a.cand.venue].intersection(a.staff):
            tags.append("all_police")
        a.tactics = [t for t in TACTIC_ORDER if t in tags]


def collect_unmet(loaded: LoadedPlan, goals: list[tuple[Any, int, int, str]]) -> list[Unmet]:
    out = []
    for g, short, required, why in goals:
        if short <= 0:
            continue
        where = loaded.where(*g.where) if g.where else ""
        out.append(Unmet(g.tactic, g.rule, g.venue, g.person, g.period, why, short, required, g.unit, where))
    order = {t: i for i, t in enumerate(TACTIC_ORDER)}
    out.sort(key=lambda u: (order.get(u.tactic, 99), u.rule, u.period or "", u.venue or "", u.person or ""))
    return out


def collect_score(loaded: LoadedPlan, calendar: CampaignCalendar, activities: list[PlannedActivity],
                  goals: list[tuple[Any, int, int, str]], costs: dict[tuple[str, str], float], repeats: int,
                  modules: list | None) -> dict[str, TacticScore]:
    plan = loaded.plan
    mods = [m for m in (modules if modules is not None else all_modules()) if m.enabled(plan)]
    names = {m.NAME for m in mods} | {"staffing"}
    score: dict[str, TacticScore] = {}
    for name in TACTIC_ORDER:
        if name not in names:
            continue
        score[name] = TacticScore(0.0, 0, 0)
    for g, short, required, _ in goals:
        s = score.setdefault(g.tactic, TacticScore(0.0, 0, 0))
        s.penalty += g.weight * short
        s.required += 1
        s.met += 1 if short == 0 else 0
    for (tactic, _), v in costs.items():
        if tactic in score:
            score[tactic].penalty += v
    if "themes" in score:
        offline = sum(1 for a in activities if a.cand.venue)
        score["themes"] = TacticScore(float(repeats), offline - repeats, offline)
    if "staffing" in score:
        score["staffing"].met = score["staffing"].required = len(activities)
    if "all_police" in score:
        met, required = all_police_mod.extra_score(plan, activities)
        score["all_police"].met += met
        score["all_police"].required += required
    if "fairness" in score:
        met, required = fairness_mod.extra_score(plan, calendar, activities)
        score["fairness"].met, score["fairness"].required = met, required
    for s in score.values():
        s.penalty = round(s.penalty, 2)
    return score


def explain_nothing(loaded: LoadedPlan, calendar: CampaignCalendar, blockers: list[Blocker],
                    dropped: Counter, generated: int) -> list[str]:
    """FILE:LINE: where: why, one line per YAML entry and cause, naming the formats it rules out."""
    from planner.formats import resolve_formats

    plan = loaded.plan
    formats = resolve_formats(plan)
    found: dict[tuple[tuple, str], list[str]] = {}

    def blame(path: tuple, what: str, fmt: str = "") -> None:
        found.setdefault((path, what), [])
        if fmt and fmt not in found[(path, what)]:
            found[(path, what)].append(fmt)

    if not generated:
        for b in blockers:
            for path in b.where or [("venues",)]:
                blame(path, f"{b.subject}: {b.why}")
        if not blockers:
            blame(("campaign",), f"no activity format has a time window on any day "
                  f"{plan.campaign.start}..{plan.campaign.end} at any venue")
    for reason in sorted(dropped):
        fmt, _, what = reason.partition(": ")
        own = ("activities", fmt, "needs") if fmt in plan.activities else ("staff",)
        role = next((r for r in ("police", "auxiliary", "grid_worker", "volunteer") if f" {r}" in what), None)
        if what.startswith("needs") and role and fmt in formats and not getattr(formats[fmt].needs, role):
            blame(("tactics", "six_plus", "grid_and_police"),
                  f"pairs a police officer with a grid worker at communities, villages and households: {what}", fmt)
        elif "free" in what or "available" in what:
            blame(("staff",), f"{what}: leave (unavailable) and duty rotas leave nobody who fits", fmt)
        else:
            blame(own, what, fmt)
    lines = []
    for (path, what), fmts in found.items():
        ruled_out = f" (rules out {', '.join(fmts)})" if fmts else ""
        lines.append(f"{loaded.where(*path)}: {dotted(path)}: {what}{ruled_out}")
    return lines


# --- the entry point -----------------------------------------------------------------------------------------


def plan_to_dir(loaded: LoadedPlan, out_dir: Path | str, *, progress: Callable[[Progress], None] | None = None
                ) -> Solution:
    """Solve the plan and write OUT/plan.json (atomically). Raises NoPlanError, writing nothing."""
    from planner.planjson import write_plan_json

    solution = solve(loaded, progress=progress)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_plan_json(solution, out / "plan.json")
    return solution


def summarize(solution: Solution) -> Summary:
    plan = solution.loaded.plan
    weeks: dict[str, Counter] = defaultdict(Counter)
    for a in solution.activities:
        y, w, _ = a.cand.date.isocalendar()
        weeks[f"{y}-W{w:02d}"][a.cand.format] += 1
    load: Counter = Counter()
    for a in solution.activities:
        load.update(a.staff)
    n = len(solution.calendar.days)
    rows = [(s.id, s.name, s.role, load[s.id], fairness_mod.capacity(plan, solution.calendar, i, n))
            for i, s in enumerate(plan.staff)]
    return Summary(solution.status, solution.objective, solution.bound, solution.gap, solution.solve_seconds,
                   len(solution.activities), solution.reach, solution.installs, solution.score,
                   sorted((k, dict(v)) for k, v in weeks.items()), rows, solution.unmet, solution.notes)


__all__ = ["solve", "plan_to_dir", "build", "Solution", "PlannedActivity", "Unmet", "TacticScore", "Progress",
           "Summary", "NoPlanError", "Strategy", "choose_strategy", "summarize"]
