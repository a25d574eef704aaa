"""The whole campaign's bound for a plan solved month by month (planner.search.bound)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.calendar import build_calendar
from planner.candidates import generate_candidates
from planner.loader import load_plan
from planner.search import bound as bound_mod
from planner.search.build import build_master, build_person
from planner.search.run import solve
from planner.search.solver import trivial_bound
from planner.search.strategy import Strategy, choose_strategy, month_chunks
from planner.tactics.base import SCALE, Carry, availability
from tests.plangen import write


def _tiny(tmp_path):
    loaded = load_plan(write(tmp_path / "plan.yaml", "station", staff=12, venues=3, months=2, areas=1))
    calendar = build_calendar(loaded.plan)
    strategy = choose_strategy(loaded, calendar)
    months = Strategy(month_chunks(calendar), strategy.area_bound, per_day=strategy.per_day)
    return loaded, calendar, months


def test_bound_below_the_optimum_and_the_plan_and_above_the_trivial_bound(tmp_path):
    loaded, calendar, months = _tiny(tmp_path)
    assert len(months.chunks) >= 2
    found = bound_mod.campaign_bound(loaded, calendar, months, time_limit=60.0,
                                     available=availability(loaded.plan, calendar))
    assert found.value is not None and found.blocks >= 2 and found.dropped_rows > 0
    n = range(len(calendar.days))
    cset = generate_candidates(loaded, calendar, days=n)
    # the whole campaign's person-level model (every plan of the whole campaign, every rule):
    # the bound is not above its best plan (on this instance CP-SAT does not prove the optimum
    # in minutes, so its best plan stands in for it)
    person = build_person(loaded, calendar, cset, days=n, carry=Carry(), area_bound=months.area_bound,
                          available=availability(loaded.plan, calendar))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 15
    solver.parameters.random_seed = 1
    assert solver.solve(person.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert found.value <= solver.objective_value / SCALE + 1e-6
    # no weaker than every reward taken and no penalty paid (the objective is minimised)
    master = build_master(loaded, calendar, cset, days=n, carry=Carry(), area_bound=months.area_bound)
    assert found.value >= trivial_bound(master) - 1e-6
    # and the plan found month by month is not below it
    solution = solve(loaded, calendar=calendar, strategy=months, time_limit=6.0, workers=2, seed=1)
    assert solution.stats["bound"] == "campaign"
    assert solution.bound is not None and found.value - 1e-6 <= solution.bound <= solution.objective
    assert solution.gap is not None


def test_no_time_for_it_says_unknown(tmp_path):
    loaded, calendar, months = _tiny(tmp_path)
    found = bound_mod.campaign_bound(loaded, calendar, months, time_limit=0.0)
    assert found.value is None
    # a campaign too big for its LP in the time: the gap is unknown, said in words
    months.per_day = 1e9
    solution = solve(loaded, calendar=calendar, strategy=months, time_limit=3.0, workers=1, seed=1)
    assert solution.stats["bound"] == "too big"
    assert solution.bound is None and solution.gap is None
    from planner.planjson import plan_json
    from planner.search.result import closeness

    assert plan_json(solution)["bound"] is None
    words = closeness(solution.status, solution.gap, len(months.chunks))
    assert words and "%" not in words  # in words, not a percentage (test_chinese_terminal checks the text)


def test_split_drops_only_rows_across_parts():
    from ortools.linear_solver import linear_solver_pb2

    lp = linear_solver_pb2.MPModelProto()
    for c in (-1.0, -1.0, -2.0):
        lp.variable.add(lower_bound=0, upper_bound=1, objective_coefficient=c)
    lp.constraint.add(var_index=[0, 1], coefficient=[1, 1], upper_bound=1)  # within part 0
    lp.constraint.add(var_index=[1, 2], coefficient=[1, 1], upper_bound=1)  # across parts 0 and 1
    blocks, dropped = bound_mod.split(lp, {0: 0, 1: 0, 2: 1})
    assert dropped == 1
    total = sum(bound_mod.solve_lp(b, 5.0) for b in blocks)
    assert total == -3.0  # x0 + x1 <= 1 gives -1, x2 alone -2; with the dropped row it would be -2
