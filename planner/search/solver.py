"""CP-SAT as the search uses it: solver settings (deterministic or racing), a model solved
with progress and Ctrl-C, and a solved model read back as planned activities, goals and costs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from ortools.sat.python import cp_model

from planner import clock as clock_mod
from planner import interrupt
from planner.candidates import Candidate
from planner.search.result import PlannedActivity
from planner.tactics import staffing
from planner.tactics.base import SCALE, Ctx, MasterCtx, PersonCtx

# Few workers: CP-SAT's default portfolio starts with the plain LP, which leaves these models
# with a weak bound; the LP with cuts (max_lp) and core-based bounding close it.
PORTFOLIO = ["max_lp", "core", "quick_restart", "default_lp", "reduced_costs", "pseudo_costs"]


class Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each solution; with `target` (scaled objective), ends the search at the first
    solution that reaches it (with one worker, at the same point of the search every run)."""

    def __init__(self, report: Callable[[float | None, float | None], None] | None, target: float | None = None):
        super().__init__()
        self.report = report
        self.target = target
        self.solutions = 0
        self.reached = False

    def on_solution_callback(self) -> None:
        self.solutions += 1
        if self.report is not None:
            self.report(self.ObjectiveValue(), self.BestObjectiveBound())
        if self.target is not None and self.ObjectiveValue() <= self.target:
            self.reached = True
            self.stop_search()


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
    work: float = 0.0  # deterministic seconds the search took
    values: list[int] | None = None  # every variable's value, where asked for

    def chosen_candidates(self) -> list[Candidate]:
        return self.chosen


def run_master(ctx: MasterCtx, *, time_limit: float, workers: int, seed: int, deterministic: bool = False,
               on_progress: Callable[[float | None, float | None, int], None] | None = None
               ) -> tuple[str, set[str], float | None, float | None]:
    """The activities the master picks, its status, objective and bound (weight units)."""
    solver = make_solver(time_limit, workers, seed, deterministic)
    # a big master spends its time in presolve otherwise; the LP does the work here
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.max_presolve_iterations = 1
    status = solve_model(solver, ctx.model, on_progress)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = {c.id for c, v in zip(ctx.cands, ctx.x) if solver.value(v)}
        ctx.works = {key for key, v in ctx.a.items() if solver.value(v)}
        name = "optimal" if status == cp_model.OPTIMAL else "feasible"
        return name, chosen, solver.objective_value / SCALE, solver.best_objective_bound / SCALE
    return "empty", set(), None, trivial_bound(ctx)


def trivial_bound(ctx: Ctx) -> float:
    """A bound that needs no solving: every reward taken, no penalty paid."""
    return ctx.constant_penalty() / SCALE + sum(k for c in ctx.costs for _, k in c.terms if k < 0) / SCALE


def make_solver(time_limit: float, workers: int, seed: int, deterministic: bool = False,
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
        # a wall-clock guard only, far above the work: 5 s (or 3x) cut a master search of 1.0
        # deterministic s on a busy machine, so two runs differed; the command's clock (cap)
        # is what ends a deterministic search in time, and then the plan says so
        p.max_time_in_seconds = max(60.0, 20 * time_limit)
        if capped:
            p.max_time_in_seconds = clock_mod.cap(p.max_time_in_seconds)
    else:
        if workers <= len(PORTFOLIO):
            p.subsolvers.extend(PORTFOLIO[:workers])
        p.max_time_in_seconds = max(shortest, time_limit)
    return solver


def solve_model(solver: cp_model.CpSolver, model: cp_model.CpModel,
                on_progress: Callable[[float | None, float | None, int], None] | None, stoppable: bool = True,
                target: float | None = None) -> Any:
    """`stoppable=False`: Ctrl-C does not end it (an evaluation: a plan is written once scored).
    `target`: a scaled objective at which the search ends (the plan is close enough)."""
    watcher = None
    if on_progress is not None:
        report = on_progress
        found = watcher = Watcher(lambda obj, bound: report(obj, bound, found.solutions), target)
        solver.best_bound_callback = lambda bound: report(None, bound, found.solutions)
    elif target is not None:
        watcher = Watcher(None, target)
    if stoppable:
        with interrupt.solving(solver):
            status = solver.solve(model, watcher)
    else:
        status = solver.solve(model, watcher)
    clock_mod.spent(solver)
    return status


def run_chunk(ctx: PersonCtx, *, time_limit: float, workers: int, seed: int, deterministic: bool = False,
              on_progress: Callable[[float | None, float | None, int], None] | None = None,
              neighbourhood: bool = False, cuts: bool = True, keep: dict[int, list[int]] | None = None,
              capped: bool = True, target: float | None = None, values: bool = False) -> ChunkResult:
    """`target` (weight units): end at the first plan this good; `values`: keep every
    variable's value (to start the next search from)."""
    solver = make_solver(time_limit, workers, seed, deterministic, neighbourhood, cuts, capped)
    started = time.monotonic()
    scaled = None if target is None else target * SCALE
    # an evaluation is not stopped
    status = solve_model(solver, ctx.model, on_progress, stoppable=capped, target=scaled)
    seconds = time.monotonic() - started
    work = solver.deterministic_time
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = lambda v: v if isinstance(v, int) else solver.value(v)  # noqa: E731
        objective, bound = solver.objective_value / SCALE, solver.best_objective_bound / SCALE
        name = "optimal" if status == cp_model.OPTIMAL else "feasible"
    else:  # no solution in time: doing nothing is always allowed, so plan nothing here
        for v in ctx.x:
            ctx.model.add(v == 0)
        solver = make_solver(5.0, 1, seed)
        solver.solve(ctx.model)
        value = lambda v: v if isinstance(v, int) else solver.value(v)  # noqa: E731
        objective = bound = solver.objective_value / SCALE
        name = "empty"
    result = extract(ctx, value, keep)
    result.status, result.objective, result.bound, result.seconds = name, objective, bound, seconds
    result.work = work
    if values and name != "empty":
        result.values = [solver.value(ctx.model.get_int_var_from_proto_index(k))
                         for k in range(len(ctx.model.proto.variables))]
    return result


def extract(ctx: PersonCtx, value: Callable[[Any], int], keep: dict[int, list[int]] | None = None) -> ChunkResult:
    """The chosen activities and who goes; `keep`: candidate → people who should stay on it
    where they are in its group (re-planning), before the claimants."""
    chosen = [i for i, v in enumerate(ctx.x) if value(v)]
    prefer: dict[int, list[int]] = {}  # candidate → people a tactic wants on it (claimants)
    for m in ctx.modules:
        if hasattr(m, "prefer"):
            for i, people in m.prefer(ctx, value).items():
                prefer.setdefault(i, []).extend(p for p in people if p not in prefer.get(i, ()))
    if keep:
        prefer = {i: keep.get(i, []) + [p for p in prefer.get(i, []) if p not in keep.get(i, [])]
                  for i in set(prefer) | set(keep)}
    people, short = staffing.disaggregate(ctx, chosen, value, prefer)
    chosen = [i for i in chosen if i not in short]
    credits: dict[int, int] = {}  # candidate → the key date it is the themed activity of
    for m in ctx.modules:
        if hasattr(m, "credits"):
            credits.update(m.credits(ctx, set(chosen), value))
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



__all__ = ["ChunkResult", "make_solver", "solve_model", "run_chunk", "run_master", "extract", "trivial_bound",
           "Watcher", "PORTFOLIO"]
