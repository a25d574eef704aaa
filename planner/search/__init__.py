"""The search: plan → calendar → candidates → CP-SAT models → Solution.

`solve(loaded)` returns the Solution without writing anything (`planner.planjson.plan_to_dir`
writes it). The modules, one job each: `result` (what a search returns), `strategy` (how a
plan is cut into parts), `build` (one CP-SAT model with every tactic's rules, and the plans
that start or fix it), `solver` (CP-SAT settings, solving, reading a solution back), `run`
(one part's pipeline, below), `windows` (fix-and-optimise), `score` (the plan put together
and scored).

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

from planner.search.build import (
    Incumbent,
    build,
    build_master,
    build_person,
    exact_positions,
    hint_full,
    hint_master,
    incumbent_from_greedy,
    incumbent_of,
    people_to_keep,
)
from planner.search.evaluate import Evaluation, Evaluator, Fact
from planner.search.result import (
    NoPlanError,
    PlannedActivity,
    Progress,
    Solution,
    Summary,
    TacticScore,
    Unmet,
    summarize,
)
from planner.search.run import Run, solve
from planner.search.score import assemble, tactic_order
from planner.search.solver import ChunkResult, extract, make_solver
from planner.search.strategy import Strategy, choose_strategy

__all__ = ["solve", "Run", "build", "Solution", "PlannedActivity", "Unmet", "TacticScore", "Progress", "Summary",
           "NoPlanError", "Strategy", "choose_strategy", "summarize", "assemble", "Incumbent", "incumbent_of",
           "people_to_keep", "hint_full", "hint_master", "incumbent_from_greedy", "exact_positions", "ChunkResult",
           "extract", "make_solver", "tactic_order", "build_master", "build_person", "Evaluator", "Evaluation", "Fact"]
