"""Hostile inputs and faults (issue 13, item 6): each is bad input with FILE:LINE:COL and exit
2 (or, for a full disk, a sentence and exit 1), never a traceback, and nothing written.

- plan.json given to `replan` or `export`: another station's, hand-edited fields of the wrong
  type, unknown venues, formats and people;
- ids with a trailing line break; weights and counts the solver cannot take; names long
  enough to stall the PDF;
- an OUT that cannot be written, a full disk, two runs into one OUT, OUT's mode;
- files that are folders, binary, missing or devices, for every command that reads one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import STARTER, run_planner
from planner.errors import PlanError
from planner.loader import load_plan

FAST = ("--time-limit", "3s", "--workers", "1")
SINCE = "2026-07-01"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path]:
    """The starter plan, planned: (plan.yaml, OUT)."""
    folder = tmp_path_factory.mktemp("published")
    plan = folder / "plan.yaml"
    shutil.copy(STARTER, plan)
    done = run_planner("plan", plan, "-o", folder / "out", *FAST)
    assert done.returncode == 0, done.stderr
    return plan, folder / "out"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_out(out: Path, to: Path) -> Path:
    shutil.copytree(out, to)
    return to


def bad_input(result: subprocess.CompletedProcess) -> list[str]:
    """The problem lines of a bad-input run (exit 2, no traceback, no usage box)."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Usage:" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].endswith("nothing was written"), result.stderr
    return lines[:-1]


def line_of(text: str, activity_id: str, key: str) -> int:
    """The line of `key` in the activity with this id, in a plan.json written with indent=2."""
    lines = text.splitlines()
    start = next(i for i, t in enumerate(lines) if f'"id": "{activity_id}"' in t)
    return next(i for i in range(start - 1, len(lines)) if lines[i].lstrip().startswith(f'"{key}":')) + 1


def write_json(path: Path, data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


# --- 3: ids with a trailing line break -----------------------------------------------------------------


@pytest.mark.parametrize("old, new, where", [
    ("  - id: xingfu\n", '  - id: "xingfu\\n"\n', "venues[0].id"),
    ("  - id: zhang-wei\n", '  - id: "zhang-wei\\n"\n', "staff[0].id"),
    ("{id: census,", '{id: "census\\n",', "tactics.key_dates.custom[0].id"),
    ("audiences: [students, parents]", 'audiences: ["students\\n", parents]', "venues[1].audiences[0]"),
    ("    area: 东片\n  - id: li-na", '    email: "zhang@example.cn\\n"\n    area: 东片\n  - id: li-na',
     "staff[0].email"),
])
def test_an_id_or_value_with_a_trailing_line_break_is_refused(plan_file, old, new, where):
    path = plan_file(replace={old: new})
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert any(p.where == where for p in caught.value.problems), caught.value


# --- 4: numbers the solver cannot take -----------------------------------------------------------------

WEIGHTS = "weights: {coverage: 100, key_dates: 80, precision: 20, reach: 2, fairness: 10, claims: 5, travel: 1}"


@pytest.mark.parametrize("old, new, message", [
    ("coverage: 100,", "coverage: .inf,", "weights.coverage: must be at most 10,000, got inf"),
    ("coverage: 100,", "coverage: .nan,", "weights.coverage: must be at most 10,000, got nan"),
    ("reach: 2,", "reach: 1e15,", "weights.reach: must be at most 10,000, got 1e+15"),
    ("travel: 1}", "travel: 1e300}", "weights.travel: must be at most 10,000, got 1e+300"),
    ("travel: 1}", "travel: 1, cancelled: 1e15}", "weights.cancelled: must be at most 10,000"),
])
def test_weights_beyond_what_the_solver_takes_are_refused(plan_file, old, new, message):
    path = plan_file(replace={WEIGHTS: WEIGHTS.replace(old, new)})
    with pytest.raises(PlanError, match=message.replace("+", r"\+")):
        load_plan(path)
    problems = bad_input(run_planner("check", path))
    text = path.read_text(encoding="utf-8")
    line = text[:text.index("weights:")].count("\n") + 1
    assert len(problems) == 1 and problems[0].startswith(f"{path}:{line}:") and message in problems[0], problems


def test_a_count_beyond_what_the_solver_takes_is_refused(plan_file):
    path = plan_file(replace={"target_installs: 500": "target_installs: 100000000000000000000000000"})
    problems = bad_input(run_planner("check", path))
    assert len(problems) == 1 and "target_installs: must be at most 10,000,000, got 1e+26" in problems[0]


def test_the_limits_themselves_are_plannable(plan_file, tmp_path):
    path = plan_file(replace={
        WEIGHTS: "weights: {coverage: 10000, key_dates: 10000, precision: 10000, reach: 10000, fairness: 10000, "
                 "claims: 10000, travel: 10000, moved: 10000, restaffed: 10000, cancelled: 10000}",
        "target_installs: 500": "target_installs: 10000000",
        "size: 6000": "size: 10000000"})
    done = run_planner("plan", path, "-o", tmp_path / "out", *FAST)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))["activities"]


# --- 9: names long enough to stall the PDF --------------------------------------------------------------


LONG = "诈" * 10_000


@pytest.mark.parametrize("old, new, where, limit", [
    ("name: XX市公安局XX分局XX派出所", f"name: {LONG}", "station.name", 100),
    ("region: XX省XX市XX区", f"region: {LONG}", "station.region", 200),
    ("name: 2026年全民反诈集中宣传", f"name: {LONG}", "campaign.name", 100),
    ("name: 张伟", f"name: {LONG}", "staff[0].name", 100),
    ("team: 文艺小分队                    #", f"team: {LONG} #", "staff[5].team", 100),
    ("name: 幸福里社区", f"name: {LONG}", "venues[0].name", 100),
    ("address: XX区XX街道幸福里", f"address: {LONG}", "venues[0].address", 200),
    ("area: 东片\n    address", f"area: {LONG}\n    address", "venues[0].area", 100),
    ("name: 人口普查入户", f"name: {LONG}", "tactics.key_dates.custom[0].name", 100),
])
def test_names_and_free_text_are_bounded(plan_file, old, new, where, limit):
    path = plan_file(replace={old: new})
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    problems = [p for p in caught.value.problems if p.where == where]
    assert problems and f"10000 characters long; at most {limit}" in problems[0].what, caught.value
    assert len(problems[0].format()) < 300  # the name itself is not echoed
