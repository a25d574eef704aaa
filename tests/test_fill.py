"""solver.fill (issue 17 item 5, "just enough"): goals prices each offline activity and leaves
spare time spare; reach (the default) spends it on reach. Each case fails with the rule off."""

from __future__ import annotations

from rules import verify_rule
from test_rules import LECTURE, WEEK, body
from test_targets import greedy_formats, pair_targets

from planner.catalogue import catalogue

GOALS = "solver: {fill: goals}\n"
STALL = ("home", "stall", "2026-06-02 17:30", ["p1", "g1"])  # the day after LECTURE


def test_reach_is_the_default_and_goals_is_a_choice():
    from planner.model import Solver

    assert catalogue().defaults["solver"]["fill"] == "reach"
    assert Solver().fill == "reach" and Solver(fill="goals").fill == "goals"
    assert Solver.model_json_schema()["properties"]["fill"]["enum"] == ["goals", "reach"]


def test_goals_prices_each_offline_activity_and_drops_the_reach_reward():
    """Two activities under goals cost 2 × weights.fill and earn no reach; under reach (the
    rule off) they cost nothing and earn their reach."""
    weight = catalogue().defaults["weights"]["fill"]
    goals = verify_rule(body() + GOALS, ["fill", "reach"], [LECTURE, STALL], end=WEEK)
    assert goals.feasible and goals.rule("fill", "activities") == 2 * weight
    assert goals.rule("reach", "reach") == 0
    reach = verify_rule(body(), ["fill", "reach"], [LECTURE, STALL], end=WEEK)
    assert reach.rule("fill", "activities") == 0 and reach.rule("reach", "reach") < 0


def test_goals_leaves_the_greedy_plans_spare_time_spare():
    """The greedy plan under goals holds what the targets ask (two rounds of doors and a stall),
    not six activities filling both people's weekly limits."""
    plan = pair_targets(2, 1) + "tactics: {coverage: false}\n"
    assert greedy_formats(plan + GOALS) == {"door_to_door": 2, "stall": 1}
    assert greedy_formats(plan) == {"door_to_door": 4, "stall": 2}  # reach: every limit filled


def test_the_printable_plan_and_the_report_say_which_fill_was_used(tmp_path):
    """The cover of plan.html and the period report's facts name the fill, in the plan's words."""
    import json

    from conftest import ROOT, run_planner

    plan = tmp_path / "plan.yaml"
    text = (ROOT / "tests" / "data" / "starter-2026.yaml").read_text(encoding="utf-8")
    assert "\nsolver: {" in text
    plan.write_text(text.replace("\nsolver: {", "\nsolver: {fill: goals, ", 1), encoding="utf-8")
    out = tmp_path / "out"
    done = run_planner("plan", plan, "-o", out, "--time-limit", "6s", "--workers", "1")
    assert done.returncode == 0, done.stderr
    html = (out / "plan.html").read_text(encoding="utf-8")
    assert "排期取向" in html and "够用即可" in html and "追求覆盖" not in html
    got = run_planner("report", out, "--json")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["fill"] == "goals"
