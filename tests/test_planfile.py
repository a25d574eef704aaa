"""plan.json as a contract (planner.planfile): what the planner writes validates; a hand-edited
file breaking it is bad input with FILE:LINE:COL, from the reader and from the CLI; the
published JSON Schema describes the same file."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import jsonschema
import pytest
from conftest import STARTER, run_planner

from planner.errors import PlanError
from planner.planfile import PlanFile, read_plan_json

FAST = ("--time-limit", "3s", "--workers", "1")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """The starter plan, planned by the CLI (plan.json with its publication and source keys)."""
    folder = tmp_path_factory.mktemp("planned")
    plan = folder / "plan.yaml"
    shutil.copy(STARTER, plan)
    done = run_planner("plan", plan, "-o", folder / "out", *FAST)
    assert done.returncode == 0, done.stderr
    return folder / "out"


def edit(out: Path, tmp_path: Path, change) -> tuple[Path, str]:
    """A copy of OUT whose plan.json's text went through `change`; (plan.json, its text)."""
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    path = copy / "plan.json"
    text = change(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    return path, text


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PlanError) as caught:
        read_plan_json(path)
    return [p.format() for p in caught.value.problems]


def test_a_written_plan_json_validates_with_typed_values(out):
    plan_json = read_plan_json(out / "plan.json")
    assert isinstance(plan_json, PlanFile) and plan_json.activities
    assert isinstance(plan_json.campaign.start, date)
    first = plan_json.activities[0]
    assert isinstance(first.start, datetime) and first.start.utcoffset() is not None
    assert first.sequence == 0 and first.published is not None
    assert plan_json.source is not None and plan_json.source.plan.endswith("plan.yaml")
    # the raw data and text stay as read: publishing carries them over byte for byte
    assert plan_json.raw == json.loads(plan_json.text)
    assert plan_json.text == (out / "plan.json").read_text(encoding="utf-8")


def test_a_value_of_the_wrong_type_names_its_line(out, tmp_path):
    path, text = edit(out, tmp_path, lambda t: t.replace('"staff": [', '"staff": "zhang-wei", "staff_was": [', 1))
    line = line_of(text, '"staff": "zhang-wei"')
    problems = problems_of(path)
    assert any(p.startswith(f"{path}:{line}:") and "activities[0].staff: 应填列表" in p for p in problems), \
        problems


def test_an_unknown_key_names_its_line_and_the_key_it_may_mean(out, tmp_path):
    path, text = edit(out, tmp_path, lambda t: t.replace('"theme": ', '"themes": ', 1))
    line = line_of(text, '"themes": ')
    problems = problems_of(path)
    assert f"{path}:{line}:7: activities[0].themes: 无法识别的配置项 'themes'（您是否想写 'theme'？）" in problems, \
        problems


def test_a_duplicate_key_is_reported_not_silently_dropped(out, tmp_path):
    # json.loads would keep the second "status" and say nothing
    path, text = edit(out, tmp_path, lambda t: t.replace('  "status": ', '  "status": "optimal",\n  "status": ', 1))
    first = line_of(text, '"status": "optimal"')
    problems = problems_of(path)
    assert problems == [f"{path}:{first + 1}:3: status: 配置项 'status' 重复（第 {first} 行已写过）"]


def test_a_date_that_is_no_date_is_refused(out, tmp_path):
    path, text = edit(out, tmp_path, lambda t: t.replace('"start": "2026-', '"start": "June 2026-', 1))
    line = line_of(text, '"start": "June')
    problems = problems_of(path)
    assert len(problems) == 1 and problems[0].startswith(f"{path}:{line}:") and "不是日期" in problems[0], problems


@pytest.mark.parametrize("command", ["plan", "export", "report"])
def test_the_cli_refuses_a_broken_plan_json_with_file_line_and_exit_2(out, tmp_path, command):
    path, text = edit(out, tmp_path, lambda t: t.replace('"theme": ', '"themes": ', 1))
    line = line_of(text, '"themes": ')
    before = path.read_bytes()
    args = {"plan": ["plan", out.parent / "plan.yaml", "-o", path.parent, *FAST],
            "export": ["export", path, "--to", "ics"],
            "report": ["report", path.parent, "--json"]}[command]
    done = run_planner(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert f"{path}:{line}:7: activities[0].themes: 无法识别的配置项 'themes'" in done.stderr, done.stderr
    assert done.stderr.strip().endswith("未写出任何文件")  # nothing was written
    assert path.read_bytes() == before


def test_plan_fresh_solves_afresh_over_a_broken_plan_json(out, tmp_path):
    path, _ = edit(out, tmp_path, lambda t: t.replace('"theme": ', '"themes": ', 1))
    done = run_planner("plan", out.parent / "plan.yaml", "-o", path.parent, "--fresh", *FAST)
    assert done.returncode == 0, done.stderr
    read_plan_json(path)  # a plan.json again


def test_the_published_schema_validates_a_real_plan_json_and_refuses_a_broken_one(out):
    done = run_planner("schema", "--of", "plan-json")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    for change, message in ((lambda a: a.update(themes=a.pop("theme")), "themes"),
                            (lambda a: a.update(staff=["Zhang Wei"]), "Zhang Wei"),
                            (lambda a: a.update(reach="45"), "'45' is not of type 'integer'")):
        broken = json.loads(json.dumps(data))
        change(broken["activities"][0])
        with pytest.raises(jsonschema.ValidationError, match=message):
            jsonschema.validate(broken, schema)
    # the plan's own schema stays the default; another --of is bad input
    assert "staff" in json.loads(run_planner("schema").stdout)["properties"]
    wrong = run_planner("schema", "--of", "plan.json")
    assert wrong.returncode == 2 and "--of: 'plan.json' 不是 plan、plan-json 或 region" in wrong.stderr  # is not one of
