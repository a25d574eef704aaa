import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
# the June–August 2026 starter the tests build on (templates/starter.yaml is what init dates anew)
STARTER = ROOT / "tests" / "data" / "starter-2026.yaml"
CONTRACT_EXAMPLE = ROOT / "tests" / "data" / "contract-example.yaml"


def run_planner(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real command, as a user runs it (python -m planner works without the script on PATH)."""
    return subprocess.run([sys.executable, "-m", "planner", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=600,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"})


def plan_starter_once(tmp_path_factory, name: str, *args: str) -> Path:
    """The starter plan copied into a fresh folder and planned once: folder/plan.yaml and
    folder/out/ (for a test module's fixture)."""
    folder = tmp_path_factory.mktemp(name)
    plan = folder / "plan.yaml"
    shutil.copy(STARTER, plan)
    done = run_planner("plan", plan, "-o", folder / "out", *args)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def plan_file(tmp_path):
    """Write a variant of the starter plan: plan_file(replace={old: new}) → path."""

    def make(text: str | None = None, replace: dict[str, str] | None = None) -> Path:
        body = text if text is not None else STARTER.read_text(encoding="utf-8")
        for old, new in (replace or {}).items():
            assert old in body, f"{old!r} not in the template"
            body = body.replace(old, new)
        path = tmp_path / "plan.yaml"
        path.write_text(body, encoding="utf-8")
        return path

    return make


__all__ = ["ROOT", "EXAMPLES", "STARTER", "CONTRACT_EXAMPLE", "run_planner", "plan_starter_once", "shutil"]
