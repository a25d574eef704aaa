"""The commands as a user types them."""

import json

import jsonschema
import pytest
from conftest import CONTRACT_EXAMPLE, EXAMPLES, STARTER, run_planner
from ruamel.yaml import YAML


# `planner init` and the starters it writes: tests/test_init.py
@pytest.mark.parametrize("plan", [*EXAMPLES, STARTER, CONTRACT_EXAMPLE], ids=lambda p: p.name)
def test_every_example_passes_check(plan):
    result = run_planner("check", plan)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_there_are_three_examples_modelled_on_the_seeds():
    assert {p.stem for p in EXAMPLES} >= {"lanzhou-guangwumen", "litong", "harbin"}


def test_check_summarises_staff_venues_days_key_dates_and_capacity():
    result = run_planner("check", CONTRACT_EXAMPLE)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "民警" in out and "志愿者" in out  # staff by role
    assert "社区" in out and "市场" in out  # venues by kind
    assert "法定节假日" in out and "06-19" in out  # 端午 days off in the campaign
    assert "端午节" in out and "2026-06-13..2026-06-19" in out  # a key date with its window
    assert "人口普查入户" in out  # the plan's own key date
    assert "力量测算" in out and "需要" in out  # capacity estimate, required


def test_check_names_every_problem_with_file_line_and_column(tmp_path):
    plan = tmp_path / "plan.yaml"
    text = STARTER.read_text(encoding="utf-8").replace("role: police", "role: polic", 1).replace(
        "claims: [hongxing-school]", "claims: [hongxing]")
    plan.write_text(text, encoding="utf-8")
    result = run_planner("check", plan)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    lines_of_plan = text.splitlines()
    role_line = next(i for i, line in enumerate(lines_of_plan, 1) if line.startswith("    role: polic "))
    claim_line = next(i for i, line in enumerate(lines_of_plan, 1) if line.startswith("    claims: [hongxing]"))
    assert f"{plan}:{role_line}:11: staff[0].role: 'polic' 不是可选值" in result.stderr
    assert any(line.startswith(f"{plan}:{claim_line}:") and "没有编号为 'hongxing' 的场所" in line for line in lines)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_schema_is_json_schema_that_accepts_the_plans_and_catches_mistakes():
    result = run_planner("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    yaml = YAML(typ="safe")
    for path in [STARTER, CONTRACT_EXAMPLE, *EXAMPLES]:
        data = json.loads(json.dumps(yaml.load(path.read_text(encoding="utf-8")), default=str))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], f"{path.name}: {errors[:3]}"
    data = json.loads(json.dumps(yaml.load(STARTER.read_text(encoding="utf-8")), default=str))
    data["staff"][0]["role"] = "chief"
    data["venues"][0]["colour"] = "red"
    assert len(list(validator.iter_errors(data))) == 2
    for key in ("station", "campaign", "staff", "venues", "activities", "tactics", "weights", "solver"):
        assert key in schema["properties"]


def test_schema_to_a_file(tmp_path):
    out = tmp_path / "schema.json"
    assert run_planner("schema", "-o", out).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "Station plan"


def test_a_missing_plan_file_is_a_clean_error(tmp_path):
    result = run_planner("check", tmp_path / "nope.yaml")
    assert result.returncode == 2
    assert f"{tmp_path / 'nope.yaml'}:1:1: （文件）: 文件不存在" in result.stderr
