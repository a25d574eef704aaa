"""Rest after a 24-hour duty: nobody is planned for the morning after a night on duty.

A tiny market whose stalls run 07:00-09:00 and a square's 17:30-19:30, every day, and a police officer
whose rota is on, off, off: the reach of the morning stalls pulls the solver onto every
morning it can, so the mornings after a duty day are planned unless the rule keeps them free.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from planner.errors import PlanError
from planner.loader import load_plan
from planner.search import solve

PLAN = """version: 1
station: {name: 测试派出所}
campaign: {name: 测试, start: 2026-06-01, end: 2026-06-14, holidays: none}
staff:
  - id: p1
    name: 警一
    role: police
    max_activities_per_week: 14
    duty: {cycle: [on, off, off], start: 2026-06-01REST}
  - {id: g1, name: 格一, role: grid_worker, max_activities_per_week: 14}
venues:
  - {id: mkt, name: 菜市场, kind: market, size: 5000}
  - {id: sq, name: 广场, kind: square, size: 3000}
tactics:
  three_times_three_places:
    - {place: market, days: all, time: "07:00-09:00", per_week: 7}
    - {place: square, days: all, time: "17:30-19:30"}
"""


def load(tmp_path, rest: str = ""):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN.replace("REST", rest), encoding="utf-8")
    return load_plan(path)


def after_duty(day: date) -> bool:
    return (day - timedelta(days=1) - date(2026, 6, 1)).days % 3 == 0


def starts(solution, who: str = "p1") -> list[tuple[date, int]]:
    return sorted((a.cand.date, a.cand.start_min) for a in solution.activities if who in a.staff)


def test_no_activity_before_noon_the_day_after_a_duty(tmp_path):
    solution = solve(load(tmp_path), time_limit=2, workers=1)
    mine = starts(solution)
    assert [s for s in mine if after_duty(s[0]) and s[1] < 12 * 60] == []
    # the rule leaves the other mornings and the evenings after a duty alone
    assert any(not after_duty(d) and m < 12 * 60 for d, m in mine)
    assert any(after_duty(d) and m >= 12 * 60 for d, m in mine)
    assert "rest_after_duty" not in {u.rule for u in solution.unmet}


def test_rest_after_is_the_plans_own(tmp_path):
    """rest_after 07:00: the 07:00 stall after a duty is allowed again."""
    solution = solve(load(tmp_path, ", rest_after: \"07:00\""), time_limit=2, workers=1)
    assert any(after_duty(d) and m == 7 * 60 for d, m in starts(solution))


def test_a_rest_after_that_is_no_time_names_its_line(tmp_path):
    with pytest.raises(PlanError) as caught:
        load(tmp_path, ", rest_after: 25:00")
    # "not a time of day like 12:00", in the plan's Chinese
    assert "plan.yaml:9" in str(caught.value) and "不是时刻，应写作 12:00" in str(caught.value)


def test_a_plan_published_before_the_rule_is_re_planned_to_keep_it(tmp_path):
    """An OUT planned with no rest (rest_after 00:00), then planned again with the default:
    the mornings after a duty are given up (SEQUENCE+1 or cancelled), nothing fails."""
    from conftest import run_planner

    plan, out = tmp_path / "plan.yaml", tmp_path / "out"
    plan.write_text(PLAN.replace("REST", ', rest_after: "00:00"'), encoding="utf-8")
    first = run_planner("plan", plan, "-o", out, "--time-limit", "3s")
    assert first.returncode == 0, first.stderr

    def mornings_after_duty() -> list[str]:
        data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
        return [a["id"] for a in data["activities"] if "p1" in a["staff"]
                and after_duty(date.fromisoformat(a["start"][:10])) and int(a["start"][11:13]) < 12]

    assert mornings_after_duty(), "the test's premise: with no rest, the morning stalls after a duty are planned"
    plan.write_text(PLAN.replace("REST", ""), encoding="utf-8")
    again = run_planner("plan", plan, "-o", out, "--time-limit", "3s")
    assert again.returncode == 0, again.stderr
    assert mornings_after_duty() == []


@pytest.mark.parametrize("example", ["lanzhou-guangwumen", "harbin", "litong"])
def test_the_examples_rest_their_officers_after_a_duty(example):
    """Issue 17: the examples' officers work the 24-hour duty rota the seeds describe, and the
    rest after it is on (no rest_after 00:00): mornings after a duty fall inside each campaign,
    and planner.verify (tests/test_examples_end_to_end.py) finds no activity in one."""
    from pathlib import Path

    from planner.calendar import build_calendar

    plan = load_plan(Path(__file__).parent.parent / "examples" / f"{example}.yaml").plan
    calendar = build_calendar(plan)
    officers = [s for s in plan.staff if s.role == "police" and s.duty is not None]
    # the station's leader or the centre's own staff may work no rota; the rest are on one
    assert len(officers) >= 0.8 * sum(1 for s in plan.staff if s.role == "police")
    assert all(s.duty is not None and s.duty.rest_minutes() >= 12 * 60 for s in officers)
    mornings_after = [(s.id, d.date) for s in officers for d in calendar.days
                      if s.duty and s.duty.on(d.date - timedelta(days=1))]
    assert len(mornings_after) >= len(calendar.days) // 4
