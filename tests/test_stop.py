"""The stop rule (solver.gap, a stalled search) and a time limit that covers the whole command.

Every limit here is deterministic: CP-SAT's deterministic time, or an injected clock
(planner.clock.use_now) that advances by a fixed step each time it is read; no test asserts
wall-clock time."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest
from conftest import STARTER, run_planner
from rules import load

from planner import clock
from planner.calendar import build_calendar
from planner.loader import load_plan
from planner.planfile import PlanFile
from planner.planjson import plan_json
from planner.search import choose_strategy, solve
from planner.search.run import STOP_REASONS
from planner.search.strategy import month_chunks
from planner.verify import verify

TINY = """staff:
  - {id: p1, name: 警一, role: police, skills: [lecture]}
venues:
  - {id: home, name: 家园社区, kind: community, size: 6000}
"""


def test_a_tiny_plan_is_proven_optimal_and_stops_early_saying_so():
    loaded = load(TINY, end="2026-06-03")
    solution = solve(loaded, time_limit=30, workers=1, seed=1)
    assert solution.activities
    assert solution.stopped in ("optimal", "within_gap")
    assert solution.gap <= loaded.plan.solver.gap
    # stopped early: far less search than the 30 s limit's budget
    assert solution.work_seconds is not None and solution.work_seconds < 5


def test_a_gap_of_100_percent_stops_at_the_first_plan():
    loaded = load_plan(STARTER)
    loaded.plan.solver.gap = 1.0
    solution = solve(loaded, time_limit=20, workers=1, seed=1)
    assert solution.stopped == "within_gap"
    assert "support_slices" not in solution.stats  # no search after the first plan and the bound
    data = plan_json(solution)
    assert data["stopped"] == "within_gap"
    assert data["found_seconds"] is not None and data["found_seconds"] <= data["solve_seconds"]
    # a gap of 0 asks for more: the search goes on past the first plan
    loaded = load_plan(STARTER)
    loaded.plan.solver.gap = 0.0
    assert "support_slices" in solve(loaded, time_limit=20, workers=1, seed=1).stats


def test_plan_json_records_why_the_search_stopped_and_when_the_plan_was_found(tmp_path):
    done = run_planner("plan", STARTER, "-o", tmp_path / "out", "--time-limit", "20s")
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert data["stopped"] in STOP_REASONS
    assert 0 <= data["found_seconds"] <= data["solve_seconds"]
    PlanFile.from_data(data)  # the contract knows both keys
    old = {k: v for k, v in data.items() if k not in ("stopped", "found_seconds")}
    PlanFile.from_data(old)  # and an older file without them still reads
    assert "停止" in done.stdout  # the terminal says why it stopped, in the plan's language (Chinese)
    with pytest.raises(ValueError):
        PlanFile.from_data(dict(data, stopped="bored"))


@pytest.fixture
def ticking():
    """A clock that advances 0.05 s each time it is read: the same on every run."""
    ticks = itertools.count()
    clock.use_now(lambda: next(ticks) * 0.05)
    yield
    clock.use_now(None)
    clock.end_command()


def month_by_month(loaded):
    """The starter's three months solved one after the other, as a city's are."""
    calendar = build_calendar(loaded.plan)
    return replace(choose_strategy(loaded, calendar), chunks=month_chunks(calendar))


def test_a_limit_reached_in_candidates_and_greedy_still_gives_a_valid_plan(ticking):
    loaded = load_plan(STARTER)
    clock.begin_command(at=0.0)
    # 3 s of limit less the outputs' reserve: the injected clock runs out in the first month;
    # every month still gets its candidates and greedy plan (a worse plan, never a missing month)
    solution = solve(loaded, time_limit=3, workers=1, seed=1, strategy=month_by_month(loaded))
    assert clock.reached.get() is False  # set inside the solve only
    assert solution.stopped == "time_limit"
    assert any("部分时段在时限内未能优化" in n for n in solution.notes), solution.notes  # said, in Chinese
    data = plan_json(solution)
    assert verify(data, loaded) == []
    by_month = {m: sum(a.cand.date.month == m for a in solution.activities) for m in (6, 7, 8)}
    assert all(n > 20 for n in by_month.values()), by_month


def test_a_station_always_gets_its_greedy_plan(ticking):
    loaded = load_plan(STARTER)
    clock.begin_command(at=0.0)
    solution = solve(loaded, time_limit=1, workers=1, seed=1)  # the limit is over before the search starts
    assert solution.stopped == "time_limit"
    assert verify(plan_json(solution), loaded) == []
    assert len(solution.activities) > 50  # the greedy plan of the whole campaign, not a cut one


def test_the_outputs_reserve_counts_the_full_pdf_up_to_its_summary_threshold():
    from planner.export.html import SUMMARY_ABOVE
    from planner.search import run

    assert run.PDF_ROWS_MAX == SUMMARY_ABOVE
    plan = load_plan(STARTER).plan
    small = run.output_reserve(plan, 92)
    # a plan whose every activity is in the PDF keeps time for it; a summary PDF does not
    assert small > run.OUTPUT_BASE_SECONDS + run.PDF_SECONDS_PER_1000 * 0.1
    big = plan.model_copy(update={"staff": plan.staff * 200})  # ~43,000 activities: a summary PDF
    assert run.output_reserve(big, 92) < run.OUTPUT_SECONDS_PER_1000 * 60 + run.OUTPUT_BASE_SECONDS
