"""The station's loop on an example beyond the starter (Lanzhou Guangwumen, June to August):
plan → fill the 台账 → record → report (the figures summed here from what was typed) →
re-plan from the records, at a short deterministic limit: held activities stay exactly as
they were, missed ones leave the plan, and the terminal says per target what was short and
what the re-plan adds."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from conftest import ROOT, run_planner
from ledgerfill import COUNTS, fill, plan_activities

SHORT = ("--time-limit", "4s", "--workers", "1", "--seed", "1")
SINCE = "2026-07-15"  # the ledger is filled up to the day before


@pytest.fixture(scope="module")
def looped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loop")
    plan = folder / "plan.yaml"
    shutil.copy(ROOT / "examples" / "lanzhou-guangwumen.yaml", plan)
    out = folder / "out"
    done = run_planner("plan", plan, "-o", out, *SHORT)
    assert done.returncode == 0, done.stderr
    before = plan_activities(out)
    filled = fill(out)
    done = run_planner("record", out)
    assert done.returncode == 0, done.stderr
    report = run_planner("report", out, "--month", "2026-06", "--as-of", "2026-09-30", "--json")
    assert report.returncode == 0, report.stderr
    replanned = run_planner("replan", plan, "--previous", out / "plan.json", "--from", SINCE, "-o", folder / "out2",
                            *SHORT)
    assert replanned.returncode == 0, replanned.stderr
    return out, folder / "out2", filled, before, json.loads(report.stdout), replanned.stdout


def test_the_report_is_the_sum_of_the_ledger(looped):
    _, _, filled, before, got, _ = looped
    first, last = date(2026, 6, 1), date(2026, 6, 30)
    entries = filled.in_period(first, last)
    assert got["planned"] == sum(1 for a in before if first <= datetime.fromisoformat(a["start"]).date() <= last)
    assert got["held"] == sum(1 for e in entries if e["outcome"] == "held")
    for key in COUNTS:
        assert got["totals"][key] == sum(e.get(key, 0) for e in entries), key
    targets = {t["key"]: t for t in got["targets"]}
    households = targets["households"]
    assert households["actual"] == sum(e.get("households", 0) for e in entries)
    assert households["gap"] == max(0, households["target"] - households["actual"])


def test_the_replan_keeps_what_was_held_and_drops_what_was_missed(looped):
    _, out2, filled, before, _, _ = looped
    new = {a["id"]: a for a in plan_activities(out2)}
    old = {a["id"]: a for a in before}
    held = [i for i, e in filled.activities.items() if e["outcome"] == "held"]
    missed = [i for i, e in filled.activities.items() if e["outcome"] in ("not_held", "rescheduled")]
    assert held and missed
    for i in held:
        assert {k: new[i][k] for k in ("start", "end", "venue", "staff")} == \
            {k: old[i][k] for k in ("start", "end", "venue", "staff")}, i
    assert not set(missed) & set(new)


def test_the_targets_are_goals_and_the_replan_says_what_it_adds(looped):
    _, out2, _, _, _, stdout = looped
    data = json.loads((out2 / "plan.json").read_text(encoding="utf-8"))
    assert "targets" in data["score"]  # the targets tactic's row, the plan having `targets:`
    lines = [line for line in stdout.splitlines() if "差 " in line and "重排" in line]
    assert lines, stdout
    # each names its period and target, and either what the re-plan adds or that it cannot
    assert all(("增加" in line) or ("无法再补" in line) for line in lines)


def test_the_report_after_the_replan_shows_its_effect_on_the_targets(looped):
    _, out2, _, _, _, stdout = looped
    said = [line for line in stdout.splitlines() if "差 " in line and "重排" in line]
    changes = json.loads((out2 / "changes.json").read_text(encoding="utf-8"))
    assert changes["targets"] == said
    got = run_planner("report", out2, "--month", "2026-07", "--as-of", "2026-09-30", "--json")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["replan"] == {"from": SINCE, "lines": said}
    # the printable report lists them under its title; a month before the re-plan does not
    from planner.export.report_html import render_report
    from planner.records import load_records, open_station
    from planner.reports import build_report, parse_period

    station = open_station(out2, None)
    records = load_records(out2)
    july = build_report(station, records, parse_period(station.plan.campaign, month="2026-07"), today=date(2026, 9, 30))
    html = render_report(july)
    assert "起重新排期的效果" in html and all(line in html for line in said)
    june = build_report(station, records, parse_period(station.plan.campaign, month="2026-06"), today=date(2026, 9, 30))
    assert june.replan is None


def test_the_replan_says_per_target_what_was_short_and_what_it_adds():
    """Ten door-to-door evenings wanted, two held and two more planned: 6 short; a re-plan with
    five to come adds three (+ their households), in the plan's language."""
    from rules import load

    from planner.replan import target_effect

    loaded = load("""staff:
  - {id: p1, name: 警一, role: police, area: 东}
venues:
  - {id: home, name: 家园社区, kind: community, size: 6000, area: 东}
targets: {activities: {door_to_door: 10}, reach: 0, materials: {}, households: 0, app_installs: 0}
""")
    since = date(2026, 6, 8)
    held = [(SimpleNamespace(format="door_to_door", date=date(2026, 6, d), reach=40, installs=1.0), None)
            for d in (2, 3)]
    before = [("door_to_door", date(2026, 6, d), 40.0) for d in (9, 10)]
    after = [("door_to_door", date(2026, 6, d), 40.0) for d in (9, 10, 11, 12, 13)]
    lines = target_effect(loaded, since, held, before, after)  # type: ignore[arg-type]
    assert lines[0] == "整个活动期入户走访宣传差 6；重排增加 3 场入户走访宣传（+3）", lines
    assert lines[1].startswith("2026年6月入户走访宣传差 6；"), lines
    assert target_effect(loaded, since, held, after, after)[0].endswith("重排无法再补（已无空闲人手或时间窗口）")


def test_an_unmet_target_shows_in_the_score_and_explain(tmp_path):
    """Thirty lectures in a week at two venues cannot be: the score has the targets row and
    `planner explain --plan-json` takes the unmet target up, naming its line."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("""version: 1
station: {name: 测试派出所}
campaign: {name: 测试, start: 2026-06-01, end: 2026-06-07, holidays: none}
staff:
  - {id: p1, name: 警一, role: police, skills: [lecture], area: 东}
  - {id: g1, name: 格一, role: grid_worker, area: 东}
venues:
  - {id: home, name: 家园社区, kind: community, size: 6000, area: 东}
  - {id: school, name: 小学, kind: school, size: 600, area: 东}
targets:
  activities: {lecture: 30}
  reach: 0
  materials: {}
  households: 0
  app_installs: 0
""", encoding="utf-8")
    done = run_planner("plan", plan, "-o", tmp_path / "out", "--time-limit", "3s", "--workers", "1")
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert data["score"]["targets"]["met"] == 0
    assert any(u["tactic"] == "targets" and u["why"].startswith("宣传活动完成") for u in data["unmet"])
    done = run_planner("explain", plan, "--plan-json", tmp_path / "out" / "plan.json", "--time-limit", "10s")
    assert done.returncode == 0, done.stderr
    assert "考核指标：反诈讲座 30 场" in done.stdout and f"{plan}:11:" in done.stdout, done.stdout
