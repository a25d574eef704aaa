"""A true bound for a plan solved month by month.

The objective is minimised (penalties minus the reach reward), so a bound is a value no plan
of the whole campaign can go below. Each month's own LP is solved given the months before
(planner.search.run), so the sum of those bounds is not one. This module bounds the whole
campaign instead, cheaply enough for a district:

1. the master of the whole campaign (every day, nothing carried in, fairness left out), whose
   LP is a relaxation of the person-level model of the whole campaign (planner.search);
2. every row whose variables lie in two or more parts (months) dropped: a weekly rule across a
   month's end, a campaign goal, the days between visits at a month's end. Dropping rows only
   widens the LP's feasible set, so its minimum can only fall: still a bound. Fairness left
   out is the same (its costs are never negative, its rows only add);
3. what is left falls apart into independent blocks (about one a month), each a small LP
   solved on its own; the sum of the blocks' minima is the minimum of the whole relaxed LP,
   since no row joins two blocks and the objective is a sum over variables.

A block that does not finish in time makes the bound unknown (None), never a guess.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from ortools.linear_solver import linear_solver_pb2, pywraplp

from planner import interrupt
from planner.calendar import CampaignCalendar
from planner.candidates import generate_candidates
from planner.loader import LoadedPlan
from planner.lprelax import linear_relaxation
from planner.search.build import build_master
from planner.search.result import Solution
from planner.search.strategy import LP_VARIABLES_PER_SECOND, Strategy
from planner.tactics.base import SCALE, Carry

# the whole campaign's master and its blocks' LPs against the time they may take: measured on
# the bench district (150,000 master variables): building it about 5 s, its blocks' LPs
BOUND_VARIABLES_PER_SECOND = LP_VARIABLES_PER_SECOND


@dataclass
class CampaignBound:
    value: float | None  # weight units; None: not known in time
    seconds: float
    blocks: int = 0
    dropped_rows: int = 0
    why: str = ""  # why there is none: "time", "too big", "unsupported", "interrupted"


class Pending:
    """The bound computed in a thread beside the search."""

    def __init__(self, thread: threading.Thread | None, result: list[CampaignBound]):
        self.thread, self.result = thread, result


def start(run: Any, budget: float) -> Pending | None:
    """For a plan in several parts, the whole campaign's bound started in the background with
    the search's time (`budget` seconds); None for a plan in one part (its LP bound is true).

    Also beside a deterministic solve: its plan comes from deterministic budgets, which this
    thread does not touch; only whether the bound is known in time can differ between runs
    near the limit (said in plan.json as a null bound, never as a different plan)."""
    strategy = run.strategy
    if len(strategy.chunks) <= 1:
        return None
    result: list[CampaignBound] = []
    if not fits(strategy, len(run.calendar.days), budget):
        result.append(CampaignBound(None, 0.0, why="too big"))
        return Pending(None, result)

    def work() -> None:
        result.append(campaign_bound(run.loaded, run.calendar, strategy, time_limit=budget, modules=run.modules,
                                     available=run.available))

    thread = threading.Thread(target=work, daemon=True)  # GLOP lets the search have the GIL
    thread.start()
    return Pending(thread, result)


def apply(solution: Solution, pending: Pending | None, deadline: float) -> Solution:
    """The solution with the whole campaign's bound, or with none (bound None: not known)."""
    if pending is None:
        return solution
    if pending.thread is not None:
        pending.thread.join(timeout=max(0.0, deadline - time.monotonic()))
    found = pending.result[0] if pending.result else CampaignBound(None, 0.0, why="time")
    if found.value is None:
        solution.bound = None
    else:
        solution.bound = round(min(found.value, solution.objective), 2)
    solution.stats.update(bound=found.why or "campaign", bound_seconds=round(found.seconds, 2),
                          bound_blocks=found.blocks, bound_dropped_rows=found.dropped_rows)
    return solution


def fits(strategy: Strategy, days: int, seconds: float) -> bool:
    """Whether the whole campaign's relaxed LP is likely to be solved in `seconds`."""
    return strategy.exact and strategy.per_day * days <= seconds * BOUND_VARIABLES_PER_SECOND


def campaign_bound(loaded: LoadedPlan, calendar: CampaignCalendar, strategy: Strategy, *, time_limit: float,
                   modules: list | None = None, available: list[list[bool]] | None = None) -> CampaignBound:
    """The bound above, or one with value None where it cannot be had in `time_limit` seconds."""
    started = time.monotonic()
    deadline = started + time_limit
    n = len(calendar.days)
    if not fits(strategy, n, time_limit):
        return CampaignBound(None, 0.0, why="too big")
    cset = generate_candidates(loaded, calendar, days=range(n))
    master = build_master(loaded, calendar, cset, days=range(n), carry=Carry(), area_bound=strategy.area_bound,
                          modules=modules, available=available, fairness=False)
    part_of_day = [0] * n
    for p, days in enumerate(strategy.chunks):
        for d in days:
            part_of_day[d] = p
    part = {v.index: part_of_day[c.day] for c, v in zip(master.cands, master.x)}
    for (_, day, _, _), v in master.a.items():
        part[v.index] = part_of_day[day]
    lp = linear_relaxation(master.model)
    del master, cset
    if lp is None:
        return CampaignBound(None, time.monotonic() - started, why="unsupported")
    blocks, dropped = split(lp, part)
    total = 0.0
    for block in blocks:
        left = deadline - time.monotonic()
        if left <= 0 or interrupt.requested():
            return CampaignBound(None, time.monotonic() - started, len(blocks), dropped,
                                 why="interrupted" if interrupt.requested() else "time")
        value = solve_lp(block, left)
        if value is None:
            return CampaignBound(None, time.monotonic() - started, len(blocks), dropped, why="time")
        total += value
    return CampaignBound(total / SCALE, time.monotonic() - started, len(blocks), dropped)


def split(lp: linear_solver_pb2.MPModelProto, part: dict[int, int]
          ) -> tuple[list[linear_solver_pb2.MPModelProto], int]:
    """`lp` without its rows across parts (`part`: variable → part, for the variables that
    have one), cut into independent blocks; and how many rows were dropped. The objective's
    offset goes with the first block."""
    parent = list(range(len(lp.variable)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # a part for each set of joined variables, from the variables that have one: a row that
    # would join sets of two parts is dropped too (two rows through a variable of no part,
    # say a constant, would otherwise join the months)
    label: dict[int, int] = {}
    for v, p in part.items():
        label[v] = p
    kept: list[int] = []
    for r, row in enumerate(lp.constraint):
        roots = {find(v) for v in row.var_index}
        parts = {label[root] for root in roots if root in label}
        if len(parts) > 1:
            continue  # across parts: relaxed away
        kept.append(r)
        if roots:
            root = roots.pop()
            for other in roots:
                parent[other] = root
            if parts:
                label[root] = parts.pop()
    # the joined sets of variables, one LP per part (a set across parts, joined through a
    # variable of none, goes with the first of them; a set's LP holds only its own rows, so
    # grouping sets changes no minimum); the sets with no row at all are one more "LP"
    # without rows, each variable at its better bound
    group_of_root = {find(v): p for v, p in label.items() if find(v) == v}
    groups: dict[int, int] = {}
    for r in kept:
        for v in lp.constraint[r].var_index[:1]:
            root = find(v)
            groups.setdefault(group_of_root.get(root, -1), len(groups))
    free = len(groups)
    blocks = [linear_solver_pb2.MPModelProto() for _ in range(free + 1)]
    has_rows: set[int] = {find(lp.constraint[r].var_index[0]) for r in kept if lp.constraint[r].var_index}
    block_of = [free] * len(lp.variable)
    index: list[int] = []
    for i, var in enumerate(lp.variable):
        root = find(i)
        if root in has_rows:
            block_of[i] = groups[group_of_root.get(root, -1)]
        block = blocks[block_of[i]]
        index.append(len(block.variable))
        block.variable.append(var)
    for r in kept:
        row = lp.constraint[r]
        if not row.var_index:
            continue
        block = blocks[block_of[row.var_index[0]]]
        block.constraint.add(var_index=[index[v] for v in row.var_index], coefficient=row.coefficient,
                             lower_bound=row.lower_bound, upper_bound=row.upper_bound)
    blocks[free].objective_offset = lp.objective_offset
    return blocks, len(lp.constraint) - len(kept)


def solve_lp(lp: linear_solver_pb2.MPModelProto, time_limit: float) -> float | None:
    """The LP's minimum with GLOP (model units), or None where it was not proven in time."""
    if not lp.constraint:  # each variable at its better bound: no solver needed
        return lp.objective_offset + sum(min(v.objective_coefficient * v.lower_bound,
                                             v.objective_coefficient * v.upper_bound)
                                         for v in lp.variable if v.objective_coefficient)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None or solver.LoadModelFromProto(lp):
        return None
    solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    with interrupt.stoppable(solver.InterruptSolve):
        status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        return None
    return solver.Objective().Value()


__all__ = ["CampaignBound", "Pending", "start", "apply", "campaign_bound", "fits", "split", "solve_lp"]
