"""Chinese names where a person types ids: `role: 民警`, `kind: 社区`, `days: 工作日`, formats as keys.

A plan written with names is the plan written with ids: the same model, the same plan.json;
the JSON Schema offers both; a name that is nobody's is an error at its line, with the name
that was probably meant."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import jsonschema
import pytest
from conftest import CONTRACT_EXAMPLE, ROOT, run_planner
from pydantic import BaseModel
from ruamel.yaml import YAML

from planner import messages, vocab
from planner.aliases import SLOTS, tables
from planner.catalogue import catalogue
from planner.errors import PlanError
from planner.loader import load_plan
from planner.model import Plan
from planner.planjson import dumps, plan_json
from planner.search import solve

NAMES_EXAMPLE = ROOT / "tests" / "data" / "contract-example-zh-names.yaml"
# the contract example has no grid worker and nobody for online posts, so it plans nothing: one more person
EXTRA_STAFF = {CONTRACT_EXAMPLE: "  - {id: li-na, name: 李娜, role: grid_worker, skills: [online, stall]}\n",
               NAMES_EXAMPLE: "  - {id: li-na, name: 李娜, role: 网格员, skills: [线上, 摆摊]}\n"}


def _with_extra_staff(source: Path, folder: Path) -> Path:
    text = source.read_text(encoding="utf-8")
    assert "staff:\n" in text
    path = folder / source.name
    path.write_text(text.replace("staff:\n", "staff:\n" + EXTRA_STAFF[source], 1), encoding="utf-8")
    return path


def _line_of(path: Path, start: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(start))


def test_a_plan_with_chinese_names_loads_to_the_plan_with_ids():
    by_names = load_plan(NAMES_EXAMPLE).plan
    assert by_names.model_dump() == load_plan(CONTRACT_EXAMPLE).plan.model_dump()
    # the names really were names (not a copy of the ids), and came out as ids
    text = NAMES_EXAMPLE.read_text(encoding="utf-8")
    for name in ("role: 民警", "kind: 社区", "days: 工作日", "讲座:", "per: 月", "[老年人, 居民]",
                 "themes: [冒充公检法]"):
        assert name in text
    assert [s.role for s in by_names.staff] == ["police", "volunteer"]
    assert by_names.staff[0].skills == ["lecture"]
    assert [v.kind for v in by_names.venues] == ["community", "market"]
    assert by_names.venues[0].audiences == ["elderly", "residents"] and by_names.venues[0].risk == "high"
    assert sorted(by_names.activities) == ["door_to_door", "lecture", "online_post", "performance", "stall"]
    assert by_names.activities["stall"].needs is not None and by_names.activities["stall"].needs.grid_worker == 1
    assert by_names.tactics.three_times_three_places is not None
    assert [w.days for w in by_names.tactics.three_times_three_places] == ["workdays", "restdays", "all"]
    assert by_names.tactics.three_times_three_places[1].place == ["square", "business_district"]


def test_a_plan_with_chinese_names_plans_to_the_same_plan_json(tmp_path):
    def planned(source: Path) -> str:
        solution = solve(load_plan(_with_extra_staff(source, tmp_path)), time_limit=5, workers=2, seed=1)
        return dumps(plan_json(solution))

    by_ids = planned(CONTRACT_EXAMPLE)
    assert len(json.loads(by_ids)["activities"]) > 10
    assert planned(NAMES_EXAMPLE) == by_ids
    assert "民警" not in by_ids and "社区" not in by_ids.replace("幸福里社区", "")


def test_the_schema_offers_ids_and_names_and_still_catches_a_wrong_name():
    done = run_planner("schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    defs = schema["$defs"]
    assert {"police", "民警", "辅警"} <= set(defs["Staff"]["properties"]["role"]["enum"])
    assert {"community", "社区", "村"} <= set(defs["Venue"]["properties"]["kind"]["enum"])
    assert {"workdays", "工作日", "每天"} <= set(defs["FormatWindow"]["properties"]["days"]["enum"])
    assert "民警" in defs["NeedsOverride"]["properties"]
    validator = jsonschema.Draft202012Validator(schema)
    data = json.loads(json.dumps(YAML(typ="safe").load(NAMES_EXAMPLE.read_text(encoding="utf-8")), default=str))
    assert [e.message for e in validator.iter_errors(data)] == []
    data["staff"][0]["role"] = "所长"
    data["venues"][0]["audiences"] = ["老年"]
    assert len(list(validator.iter_errors(data))) == 2


def test_a_name_that_is_nobodys_is_an_error_at_its_line_with_the_name_meant(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(NAMES_EXAMPLE.read_text(encoding="utf-8").replace("    role: 民警", "    role: 民井")
                    .replace("kinds: [社区, 村, 家庭", "kinds: [社区, 村, 家廷"), encoding="utf-8")
    done = run_planner("check", plan)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    role_line = _line_of(plan, "    role: 民井")
    kinds_line = _line_of(plan, "    kinds: [社区, 村, 家廷")
    role = next(line for line in done.stderr.splitlines() if line.startswith(f"{plan}:{role_line}:11: staff[0].role: "))
    assert "民井" in role and "“民警”" in role and "police" in role
    kind = next(line for line in done.stderr.splitlines()
                if line.startswith(f"{plan}:{kinds_line}:") and "tactics.five_into.kinds[2]" in line)
    assert "“家庭”" in kind and "household" in kind
    assert len([line for line in done.stderr.splitlines() if line.startswith(f"{plan}:")]) == 2  # one line each


def test_a_format_given_by_name_and_by_id_is_one_format_twice(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(NAMES_EXAMPLE.read_text(encoding="utf-8").replace(
        "  线上:      {", "  online_post: {duration: 1h}\n  线上:      {"), encoding="utf-8")
    done = run_planner("check", plan)
    assert done.returncode == 2
    line = _line_of(plan, "  线上:")
    assert f"{plan}:{line}:3: activities.线上: “线上”与“online_post”是同一活动形式" in done.stderr


def test_an_error_inside_a_key_given_by_name_points_at_its_line(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(NAMES_EXAMPLE.read_text(encoding="utf-8").replace(
        "  讲座:      {duration: 90m,", "  讲座:      {duration: 90 minutes,"), encoding="utf-8")
    done = run_planner("check", plan)
    assert done.returncode == 2
    line = _line_of(plan, "  讲座:")
    assert f"{plan}:{line}:" in done.stderr and "activities.lecture.duration" in done.stderr


def test_in_english_a_wrong_name_is_told_in_english(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(NAMES_EXAMPLE.read_text(encoding="utf-8").replace("    role: 民警", "    role: 民井"),
                    encoding="utf-8")
    with messages.told("en"), pytest.raises(PlanError) as error:  # --lang en over a zh plan
        load_plan(plan)
    [problem] = error.value.problems
    assert problem.line == _line_of(plan, "    role: 民井") and problem.where == "staff[0].role"
    assert problem.what.startswith("'民井' is not a role (did you mean '民警', that is police?); write one of ")
    assert "police (民警)" in problem.what


def test_every_official_chinese_name_is_an_alias_of_its_id():
    t = tables()
    c = catalogue()
    assert {t["role"].lookup[zh]: None for zh in ("民警", "辅警", "网格员", "志愿者")}.keys() == set(vocab.ROLES)
    for kind in vocab.VENUE_KINDS:
        assert t["kind"].lookup[c.venue_kinds[kind].zh] == kind
    for fmt, info in c.formats.items():
        assert t["format"].lookup[info.zh] == fmt
    for audience, info in c.audiences.items():
        assert t["audience"].lookup[info.zh] == audience
    for day_class, name in {"workdays": "工作日", "restdays": "休息日", "weekends": "周末", "holidays": "节假日",
                            "all": "每天"}.items():
        assert t["day_class"].lookup[name] == day_class
    assert set(t["skill"].lookup.values()) == set(vocab.SKILLS)


# --- every place the model takes a controlled id accepts its name -----------------------------------------

_VOCABS = {vocab.Role: "role", vocab.Skill: "skill", vocab.VenueKind: "kind", vocab.DayClass: "day_class",
           vocab.Risk: "risk", vocab.Per: "per"}


def _literal_slots(annotation: typing.Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    """(path pattern, vocabulary) of every vocabulary Literal inside an annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _literal_slots(typing.get_args(annotation)[0], path)
    if origin is typing.Literal:
        found = [name for literal, name in _VOCABS.items() if set(typing.get_args(literal)) == set(
            typing.get_args(annotation))]
        return [(path, found[0])] if found else []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        out = []
        for name, field in annotation.model_fields.items():
            out += _literal_slots(field.annotation, (*path, name))
        return out
    if origin is list:
        return _literal_slots(typing.get_args(annotation)[0], (*path, "*"))
    if origin is dict:
        key, value = typing.get_args(annotation)
        return _literal_slots(key, (*path, "<key>")) + _literal_slots(value, (*path, "*"))
    out = []
    for arg in typing.get_args(annotation):  # unions, Optional
        out += _literal_slots(arg, path)
    return out


def test_every_field_of_a_controlled_vocabulary_takes_names():
    found = set(_literal_slots(Plan, ()))
    assert len(found) > 10
    covered = {(tuple("*" if p == "<one>" else p for p in slot.pattern), slot.vocab) for slot in SLOTS}
    assert found - covered == set()


def test_targets_by_format_and_material_names_and_the_plans_own_names(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(NAMES_EXAMPLE.read_text(encoding="utf-8").replace(
        "    audiences: [老年人, 居民]", "    audiences: [老年人, 居民, 渔民]").replace(
        "  线上:      {duration: 30m, needs: {skills: [线上]}}",
        "  线上:      {duration: 30m, needs: {skills: [线上]}}\n"
        "  anti_drug: {name: 禁毒宣传, duration: 1h, needs: {police: 1}, kinds: [社区],\n"
        "              windows: [{days: 工作日, time: '09:00-11:00', kinds: [社区]}]}")
        + "\naudiences:\n  - {id: fishermen, name: 渔民}\n"
          "targets:\n  activities: {禁毒宣传: 3, 讲座: 2}\n  materials: {宣传单: 100}\n"
          "  months:\n    2026-07: {activities: {摊点: 4}}\n  weeks:\n    2026-W27: {materials: {海报: 5}}\n",
        encoding="utf-8")
    loaded = load_plan(plan).plan
    assert loaded.venues[0].audiences == ["elderly", "residents", "fishermen"]
    assert loaded.targets is not None
    assert loaded.targets.activities == {"anti_drug": 3, "lecture": 2}
    assert loaded.targets.materials == {"leaflet": 100}
    assert loaded.targets.months["2026-07"].activities == {"stall": 4}
    assert loaded.targets.weeks["2026-W27"].materials == {"poster": 5}
    windows = loaded.activities["anti_drug"].windows
    assert windows is not None and windows[0].days == "workdays" and windows[0].kinds == ["community"]


def test_a_new_format_under_a_chinese_key_is_told_how_to_add_it(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(NAMES_EXAMPLE.read_text(encoding="utf-8").replace(
        "  线上:      {", "  禁毒宣传: {duration: 1h}\n  线上:      {"), encoding="utf-8")
    with messages.told("en"), pytest.raises(PlanError) as error:  # --lang en over a zh plan
        load_plan(plan)
    [problem] = error.value.problems
    assert problem.where == "activities.禁毒宣传" and problem.line == _line_of(plan, "  禁毒宣传:")
    assert "did you mean" not in problem.what  # 禁毒宣传 is no near miss of 线上宣传
    assert "anti_drug" in problem.what and "name:" in problem.what
