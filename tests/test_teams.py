"""Teams as units (issue 17): a need names one of several teams, never a mix; a team's home area; the
checker of plan.json refuses what the model refuses; a bad team name is bad input at its line."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import run_planner
from rules import HEAD, load

from planner.calendar import build_calendar
from planner.candidates import generate_candidates
from planner.errors import PlanError
from planner.greedy import Greedy
from planner.model import Plan
from planner.planfile import PlanFile
from planner.planjson import plan_json
from planner.search import build_person, solve
from planner.suggest import suggest_replacement
from planner.verify import verify

PLAN = """staff:
  - {id: a1, name: 甲一, role: police, skills: [lecture], team: 东宣讲组, area: 东}
  - {id: a2, name: 甲二, role: volunteer, skills: [lecture], team: 东宣讲组, area: 东}
  - {id: b1, name: 乙一, role: police, skills: [lecture], team: 西宣讲组, area: 西}
  - {id: b2, name: 乙二, role: volunteer, skills: [lecture], team: 西宣讲组, area: 西}
  - {id: c1, name: 丙一, role: police, skills: [lecture], area: 东}
venues:
  - {id: east1, name: 东一社区, kind: community, size: 6000, area: 东}
  - {id: east2, name: 东二社区, kind: community, size: 5000, area: 东}
  - {id: west1, name: 西一社区, kind: community, size: 6000, area: 西}
activities:
  lecture: {needs: {police: 1, people: 2, skills: [lecture], team: "*宣讲组"AREA}}
tactics:
  five_into: {kinds: [community], every_venue: {at_least: 1, per: week}, min_gap_days: 1}
"""


@pytest.fixture(scope="module")
def solved():
    loaded = load(PLAN.replace("AREA", ", team_area: stay"), end="2026-06-14")
    data = plan_json(solve(loaded, time_limit=5, workers=1))
    return loaded, data


def test_lectures_come_from_one_team_in_its_home_area(solved):
    loaded, data = solved
    team = {s.id: s.team for s in loaded.plan.staff}
    area = {s.id: s.area for s in loaded.plan.staff}
    venues = {v.id: v.area for v in loaded.plan.venues}
    lectures = [a for a in data["activities"] if a["activity"] == "lecture"]
    assert len(lectures) >= 4  # every community, every week
    for a in lectures:
        assert len({team[s] for s in a["staff"]}) == 1 and None not in {team[s] for s in a["staff"]}, a
        assert {area[s] for s in a["staff"]} == {venues[a["venue"]]}, a
    assert verify(data, loaded) == []
    assert data["score"]["teams"]["met"] == data["score"]["teams"]["required"] == len(lectures)


def test_the_checker_refuses_a_mixed_lecture_and_a_team_away_from_home(solved):
    loaded, data = solved
    lecture = next(a for a in data["activities"] if a["activity"] == "lecture" and a["venue"].startswith("east"))
    mixed = copy.deepcopy(data)
    next(a for a in mixed["activities"] if a["id"] == lecture["id"])["staff"] = ["a1", "b2"]
    assert "one_team" in {v.rule for v in verify(mixed, loaded)}
    teamless = copy.deepcopy(data)
    next(a for a in teamless["activities"] if a["id"] == lecture["id"])["staff"] = ["c1", "a2"]
    assert "one_team" in {v.rule for v in verify(teamless, loaded)}
    away = copy.deepcopy(data)
    next(a for a in away["activities"] if a["id"] == lecture["id"])["staff"] = ["b1", "b2"]
    assert {v.rule for v in verify(away, loaded)} >= {"team_area"}
    # without team_area: stay, a team away from home is allowed (and priced by weights.team_area)
    prefer = load(PLAN.replace("AREA", ""), end="2026-06-14")
    assert "team_area" not in {v.rule for v in verify(json.loads(json.dumps(away)), prefer)}


def test_a_team_kind_that_names_no_team_is_bad_input_at_its_line():
    with pytest.raises(PlanError) as caught:
        load(PLAN.replace('"*宣讲组"AREA', '["东宣讲组", "*宣传队"]'))
    problems = caught.value.problems
    assert len(problems) == 1 and problems[0].line == 15
    assert "*宣传队" in problems[0].what and "东宣讲组" in problems[0].what  # the teams there are


def test_the_schema_has_the_team_keys():
    needs = Plan.model_json_schema()["$defs"]["NeedsOverride"]["properties"]
    team = json.dumps(needs["team"], ensure_ascii=False)
    assert '"array"' in team and '"string"' in team
    assert set(needs["team_area"]["anyOf"][0]["enum"]) == {"stay", "prefer"}


def test_explain_names_the_team_rule_and_the_member_away(tmp_path):
    """Only 西's team may lecture in 西 (stay); one of its two members is on leave all campaign."""
    head = HEAD.replace("START", "2026-06-01").replace("END", "2026-06-14")
    text = head + PLAN.replace("AREA", ", team_area: stay").replace(
        "team: 西宣讲组, area: 西}", 'team: 西宣讲组, area: 西, unavailable: ["2026-06-01..2026-06-14"]}', 1)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_planner("explain", path, "--venue", "west1", "--json", "--time-limit", "5s")
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert findings and all(f["verdict"] == "conflict" for f in findings)
    lines = text.splitlines()
    where = {r["where"] for r in findings[0]["rules"]}
    assert f"{path}:{next(i for i, s in enumerate(lines, 1) if 'lecture: {needs' in s)}" in where
    assert f"{path}:{next(i for i, s in enumerate(lines, 1) if 'unavailable' in s)}" in where
    assert any("*宣讲组" in r["text"] for r in findings[0]["rules"])


def test_a_replacement_comes_from_the_same_team(solved):
    loaded, data = solved
    team = {s.id: s.team for s in loaded.plan.staff}
    plan_json = PlanFile.from_data(data)
    lecture = next(a for a in data["activities"] if a["activity"] == "lecture" and a["venue"].startswith("east"))
    volunteer = next(s for s in lecture["staff"] if s.endswith("2"))
    result = suggest_replacement(loaded, plan_json, lecture["id"], person=volunteer)
    (item,) = result.items
    offered = {o.people[0].staff.id for o in item.options}
    assert all(team[p] == team[volunteer] for p in offered), offered
    excluded = {e.staff.id for e in item.excluded}
    assert {p for p, t in team.items() if t not in (team[volunteer],)} <= excluded  # other teams and the teamless


def test_the_greedy_plan_staffs_each_lecture_from_one_team():
    """The greedy (the search's hint and fallback) keeps one_team too, and finds the lectures:
    filling slot by slot once spent a team's only officer on its lecturer's place and planned none."""
    loaded = load(PLAN.replace("AREA", ""), end="2026-06-14")
    calendar = build_calendar(loaded.plan)
    ctx = build_person(loaded, calendar, generate_candidates(loaded, calendar))
    plan = Greedy(ctx).run()
    lectures = [i for i in plan.chosen if ctx.cands[i].format == "lecture"]
    assert len(lectures) >= 4
    for i in lectures:
        assert len({ctx.staff[p].team for p, _ in plan.staff[i]}) == 1
