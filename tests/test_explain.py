"""`planner explain`: the smallest set of conflicting plan entries, named by FILE:LINE."""

import json
import time

import pytest
from conftest import ROOT, run_planner

from planner.explain import Explainer
from planner.loader import load_plan
from planner.search import NoPlanError, solve

NO_PLAN = ROOT / "tests" / "data" / "explain-no-plan.yaml"
UNMET = ROOT / "tests" / "data" / "explain-unmet.yaml"


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line holding `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


NO_PLAN_ENTRIES = {  # the three entries in conflict, and how to take each out of the file
    "online_post: {windows:": ("  online_post: {windows:", ""),
    "grid_and_police: true": ("grid_and_police: true", "grid_and_police: false"),
    'unavailable: ["2026-06-19..2026-06-21"]': ('    unavailable: ["2026-06-19..2026-06-21"]', ""),
}
UNMET_ENTRIES = {  # the household's June goal: the goal, the only window and two leave entries
    "precision: {high: 3": ("precision: {high: 3", "precision: {high: 2"),
    '- {days: workdays, time: "18:30-21:00"}': ('    windows:\n      - {days: workdays, time: "18:30-21:00"}\n', ""),
    'unavailable: ["2026-06-01..2026-06-26"]   # 街道抽调: 人口信息核查':
        ('    unavailable: ["2026-06-01..2026-06-26"]   # 街道抽调: 人口信息核查\n', ""),
    'unavailable: ["2026-06-01..2026-06-26", "2026-07-06..2026-07-12"]':
        ('"2026-06-01..2026-06-26", "2026-07-06', '"2026-07-06'),
}


def without(text: str, old: str, new: str) -> str:
    """The plan with one entry taken out (a whole line when `new` is empty)."""
    if new == "" and not old.endswith("\n"):
        line = next(line for line in text.splitlines(keepends=True) if old in line)
        return text.replace(line, "", 1)
    assert old in text, old
    return text.replace(old, new, 1)


def test_no_plan_explanation_names_the_three_conflicting_lines(tmp_path):
    assert run_planner("plan", NO_PLAN, "-o", tmp_path / "out").returncode == 1  # no plan exists at all
    result = run_planner("explain", NO_PLAN, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["no_plan"] is True
    (finding,) = data["findings"]
    assert finding["verdict"] == "conflict" and finding["minimal"]
    text = NO_PLAN.read_text(encoding="utf-8")
    expected = {f"{NO_PLAN}:{line_of(text, needle)}" for needle in NO_PLAN_ENTRIES}
    assert {r["where"] for r in finding["rules"]} == expected
    # in words, on the terminal: each entry with its FILE:LINE
    shown = run_planner("explain", NO_PLAN)
    assert shown.returncode == 0, shown.stderr
    assert "无法排出计划" in shown.stdout and "孙红" in shown.stdout and "2026-06-19..2026-06-21" in shown.stdout
    for where in expected:
        assert f"{where}: " in shown.stdout


@pytest.mark.parametrize("needle", list(NO_PLAN_ENTRIES))
def test_no_plan_explanation_is_minimal(tmp_path, needle):
    """Taking out any one of the named entries lets the real scheduler plan something."""
    text = NO_PLAN.read_text(encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(without(text, *NO_PLAN_ENTRIES[needle]), encoding="utf-8")
    loaded = load_plan(plan)
    try:
        solution = solve(loaded, time_limit=2, workers=1)
    except NoPlanError as e:
        pytest.fail(f"still no plan without {needle}: {e}")
    assert solution.activities


def test_unmet_goal_names_its_only_window_and_the_leave_entries(tmp_path):
    result = run_planner("explain", UNMET, "--venue", "huifang-shouhairen", "--json", "--time-limit", "8s")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["no_plan"] is False
    june = [f for f in data["findings"] if f["period"] == "2026-06" and f["tactic"] == "six_plus"]
    assert len(june) == 1, data["findings"]
    finding = june[0]
    assert finding["verdict"] == "conflict" and finding["minimal"]
    text = UNMET.read_text(encoding="utf-8")
    expected = {f"{UNMET}:{line_of(text, needle)}" for needle in UNMET_ENTRIES}
    assert {r["where"] for r in finding["rules"]} == expected
    assert "电诈受害人回访户" in finding["goal"] and "3" in finding["goal"]
    # the same from a plan.json that lists the goal as unmet
    plan_json = tmp_path / "plan.json"
    plan_json.write_text(json.dumps({"activities": [], "unmet": [
        {"tactic": "six_plus", "venue": "huifang-shouhairen", "period": "2026-06",
         "why": "0 of 3 visits: high-risk venue wants ×3 visits"}]}), encoding="utf-8")
    shown = run_planner("explain", UNMET, "--plan-json", plan_json)
    assert shown.returncode == 0, shown.stderr
    assert "电诈受害人回访户 在 2026-06 需要 3 次活动" in shown.stdout
    for where in expected:
        assert f"{where}: " in shown.stdout
    assert "只在工作日" in shown.stdout and "18:30–21:00" in shown.stdout


@pytest.mark.parametrize("needle", list(UNMET_ENTRIES))
def test_unmet_explanation_is_minimal(tmp_path, needle):
    """Taking out any one of the named entries makes the goal possible under the plan's rules."""
    text = UNMET.read_text(encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(without(text, *UNMET_ENTRIES[needle]), encoding="utf-8")
    loaded = load_plan(plan)
    ex = Explainer(loaded)
    risk_times = loaded.plan.tactics.six_plus.precision.high
    target = ex.goal_target("six_plus", "precision", "huifang-shouhairen", None, "2026-06", int(risk_times))
    finding = ex.explain_target(target, time.monotonic() + 5)
    assert finding.verdict == "room", [r.where for r in finding.rules]


def test_bad_input_gets_file_line_col_and_exit_2(tmp_path):
    broken = tmp_path / "plan.yaml"
    broken.write_text(NO_PLAN.read_text(encoding="utf-8").replace("role: grid_worker", "role: grid", 1),
                      encoding="utf-8")
    result = run_planner("explain", broken)
    assert result.returncode == 2
    assert f"{broken}:" in result.stderr and "role" in result.stderr and "Traceback" not in result.stderr
    unknown = run_planner("explain", NO_PLAN, "--venue", "nowhere")
    assert unknown.returncode == 2 and "(command line):1:1: --venue" in unknown.stderr
    bad_json = tmp_path / "plan.json"
    bad_json.write_text("{not json", encoding="utf-8")
    result = run_planner("explain", NO_PLAN, "--plan-json", bad_json)
    assert result.returncode == 2 and f"{bad_json}:1:2:" in result.stderr and "Traceback" not in result.stderr
    result = run_planner("explain", NO_PLAN, "--time-limit", "soon")
    assert result.returncode == 2 and "--time-limit" in result.stderr


def test_every_tactics_unmet_goal_becomes_a_target_from_its_own_module():
    """plan.json's unmet entries of each tactic are explained (none silently dropped), each
    against its own rule: the tactic modules state the goal and its YAML line."""
    from planner.explain import goals_from_json
    from planner.planfile import PlanFile, Unmet

    loaded = load_plan(ROOT / "tests" / "data" / "starter-2026.yaml")
    ex = Explainer(loaded)
    unmet = [
        {"tactic": "five_into", "venue": "xingfu", "period": "2026-06", "why": "0 of 1 visits: x"},
        {"tactic": "six_plus", "venue": "xingfu", "period": "2026-06", "why": "1 of 2 visits: x"},
        {"tactic": "six_plus", "venue": None, "period": "2026-W23", "why": "1 of 3 posts: x"},
        {"tactic": "three_times_three_places", "venue": None, "period": "2026-W23",
         "why": "1 of 2 stalls: market: not enough staff time"},
        {"tactic": "key_dates", "venue": None, "period": "2026-07-14..2026-07-20", "why": "人口普查入户: x"},
        {"tactic": "all_police", "venue": None, "period": "2026-06", "why": "zhang-wei: no activity"},
    ]
    plan_json = PlanFile.model_construct(activities=[], unmet=[Unmet(**u) for u in unmet])
    goals, _ = goals_from_json(ex, plan_json)
    targets = [ex.goal_target(*g) for g in goals]
    assert all(t is not None for t in targets)
    words = [t.goal_text for t in targets]
    assert [t.goal_path[:3] for t in targets] == [
        ("tactics", "five_into", "every_venue"), ("tactics", "six_plus", "precision"),
        ("tactics", "six_plus", "online"), ("tactics", "three_times_three_places", 2),
        ("tactics", "key_dates", "custom"), ("tactics", "all_police")]
    assert targets[0].gap > 1 and targets[0].count == "visits"  # min_gap_days binds a 五进 venue
    assert words[0] == "五进：每个场所每月至少1次"
    assert words[1] == "基础+精准：高风险场所的走访×2"
    assert words[3] == "三时三地第3条：每周2次"
    assert ex.goal_words(targets[0]) == "幸福里社区 在 2026-06 需要 1 次活动"
    assert targets[5].person == "zhang-wei" and targets[5].count == "person"
