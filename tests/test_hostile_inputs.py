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
