"""Same plan, same seed, same outputs, by default: two runs give byte-identical files.

The default solve budgets its searches in CP-SAT's deterministic time, so the result does
not depend on how busy the machine is; the limits here leave the wall clock far from
ending anything (the starter plan needs about 2 s of a 20 s limit)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import STARTER, run_planner

from planner.loader import load_plan
from planner.search import solve


def files(out: Path) -> dict[str, bytes]:
    """Every output a station publishes, by path (the run history records when it ran)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and "history" not in p.relative_to(out).parts}


def test_two_default_runs_write_byte_identical_outputs(tmp_path):
    outs = []
    for name in ("first", "second"):
        done = run_planner("plan", STARTER, "-o", tmp_path / name, "--time-limit", "20s")
        assert done.returncode == 0, done.stderr
        assert "再运行一次可能得到不同的方案" not in done.stdout  # another run may give a different plan
        outs.append(files(tmp_path / name))
    first, second = outs
    assert "plan.json" in first and "plan.xlsx" in first and any(k.endswith(".ics") for k in first)
    assert sorted(first) == sorted(second)
    different = [k for k in first if first[k] != second[k]]
    if "plan.json" in different:  # say which figures differ
        a, b = (json.loads(o["plan.json"]) for o in outs)
        different.append({k: (a.get(k), b.get(k)) for k in set(a) | set(b)
                          if k != "activities" and a.get(k) != b.get(k)})
    assert different == []


def test_the_same_seed_gives_the_same_plan_in_process():
    loaded = load_plan(STARTER)
    assert loaded.plan.solver.deterministic  # the default

    def plan(seed: int) -> list[tuple]:
        solution = solve(load_plan(STARTER), time_limit=20, workers=2, seed=seed)
        assert solution.work_seconds is not None and solution.work_seconds > 0
        return [(a.cand.id, tuple(a.staff), a.theme, a.key_date) for a in solution.activities]

    assert plan(3) == plan(3)


def test_solve_seconds_in_plan_json_is_the_work_done(tmp_path):
    done = run_planner("plan", STARTER, "-o", tmp_path / "out", "--time-limit", "20s")
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    history = sorted((tmp_path / "out" / "history").glob("*.json"))
    assert history
    # deterministic seconds of search: positive, and well inside the limit; the wall-clock
    # time is in the run's history record
    assert 0 < data["solve_seconds"] < 20
    run = json.loads(history[-1].read_text(encoding="utf-8"))
    assert run["deterministic"] is True and run["seconds"] > 0
