"""One measurement, in its own process so that its peak memory is its own (bench/run.py starts it).

    python -m bench.measure solver|racing|baseline|command PLAN.yaml --out DIR --json RESULT.json [--limit S]

`solver` is the planner as it runs by default (deterministic: the same plan every run);
`racing` the same with `solver.deterministic: false` (its searches race the clock);
`command` the whole `planner plan` command as a user runs it, in a process of its own: its
time from start to exit (outputs included), its peak memory, and from plan.json why its
search stopped and when the final plan was found.

Writes DIR/plan.json, checks it with planner.verify as a consumer would (from the file),
and writes what it measured to RESULT.json.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from planner.calendar import build_calendar
from planner.loader import load_plan
from planner.planjson import write_plan_json
from planner.search import Progress, Solution, choose_strategy, solve
from planner.verify import verify

PART = re.compile(r"\((\d+)/(\d+)\)")


def whole_campaign(progress: Progress, parts: int) -> bool:
    """Whether a progress report is about a plan of the whole campaign: a one-part solve,
    or the last part of one solved part after part (earlier parts are final by then)."""
    if parts == 1:
        return True
    m = PART.search(progress.phase)
    return m is not None and m.group(1) == m.group(2)


def run_solver(plan_path: Path, limit: float, workers: int, seed: int | None, *, racing: bool = False
               ) -> tuple[Solution, dict[str, Any]]:
    started = time.monotonic()
    loaded = load_plan(plan_path)
    if racing:
        loaded.plan.solver.deterministic = False
    load_seconds = time.monotonic() - started
    calendar = build_calendar(loaded.plan)
    strategy = choose_strategy(loaded, calendar)
    parts = len(strategy.chunks)
    first: list[float] = []
    lp_parts: set[str] = set()  # the solver reports the master's LP bound once per part that has one

    def progress(p: Progress) -> None:
        if not first and p.objective is not None and whole_campaign(p, parts):
            first.append(time.monotonic() - started)
        if p.phase.endswith("bound") and p.bound is not None:
            lp_parts.add(p.phase)

    solution = solve(loaded, progress=progress, time_limit=limit, workers=workers or None, seed=seed,
                     calendar=calendar, strategy=strategy)
    seconds = time.monotonic() - started
    return solution, {
        "seconds": seconds,
        "first_plan": first[0] if first else seconds,
        "first_plan_reported": bool(first),
        "solve_seconds": solution.solve_seconds,
        "work_seconds": solution.work_seconds,
        "load_seconds": load_seconds,
        "parts": parts,
        # a part without the master's LP in time bounds by every reward taken, no penalty paid
        "lp_bound": len(lp_parts) == parts,
        "loaded": loaded,
    }


def run_baseline(plan_path: Path, seed: int | None) -> tuple[Solution, dict[str, Any]]:
    from bench.baseline import by_hand

    started = time.monotonic()
    loaded = load_plan(plan_path)
    load_seconds = time.monotonic() - started
    baseline = by_hand(loaded, seed=seed if seed is not None else 1)
    seconds = load_seconds + baseline.plan_seconds  # the scoring is the benchmark's, not the baseline's
    return baseline.solution, {
        "seconds": seconds,
        "first_plan": seconds,
        "first_plan_reported": True,
        "load_seconds": load_seconds,
        "score_seconds": baseline.score_seconds,
        "parts": len(choose_strategy(loaded, baseline.solution.calendar).chunks),
        "loaded": loaded,
    }


def run_command(plan_path: Path, out: Path, limit: float, workers: int, seed: int | None
                ) -> tuple[dict[str, Any], dict[str, Any]]:
    """`planner plan` as a subprocess: wall time start to exit, the child's peak RSS, plan.json."""
    cmd = [sys.executable, "-m", "planner", "plan", str(plan_path), "-o", str(out), "--fresh",
           "--time-limit", f"{limit:g}s"]
    if workers:
        cmd += ["--workers", str(workers)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    started = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr[-2000:]}")
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    history = sorted((out / "history").glob("*.json"))
    wall = json.loads(history[-1].read_text(encoding="utf-8")).get("seconds") if history else None
    return data, {
        "seconds": seconds,  # the whole command, outputs included
        "first_plan": None,
        "first_plan_reported": False,
        "solve_seconds": wall,  # wall-clock solving, as the run's history records it
        "work_seconds": data.get("solve_seconds"),
        "found_seconds": data.get("found_seconds"),  # deterministic seconds in a deterministic solve
        "stopped": data.get("stopped"),
        "outputs_seconds": None if wall is None else seconds - wall,
        "child_peak_bytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "load_seconds": 0.0,
    }


def measure(method: str, plan_path: Path, out: Path, *, limit: float, workers: int, seed: int | None
            ) -> dict[str, Any]:
    if method == "command":
        data, info = run_command(plan_path, out, limit, workers, seed)
        loaded = load_plan(plan_path)
        violations = verify(data, loaded)
        bound, objective = data.get("bound"), data.get("objective")
        return {
            "method": method, "limit": limit, "status": data.get("status"), "objective": objective,
            "bound": bound, "gap": None if bound is None else abs(objective - bound) / max(1.0, abs(objective)),
            "activities": len(data["activities"]), "days": None, "unmet": len(data.get("unmet", [])),
            "violations": len(violations), "violation_examples": [str(v) for v in violations[:3]],
            "parts": len(choose_strategy(loaded, build_calendar(loaded.plan)).chunks), "lp_bound": None, **info,
        }
    if method in ("solver", "racing"):
        solution, info = run_solver(plan_path, limit, workers, seed, racing=method == "racing")
    else:
        solution, info = run_baseline(plan_path, seed)
    loaded = info.pop("loaded")
    out.mkdir(parents=True, exist_ok=True)
    write_plan_json(solution, out / "plan.json")
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    violations = verify(data, loaded)
    return {
        "method": method,
        "limit": None if method == "baseline" else limit,
        "status": solution.status,
        "objective": solution.objective,
        "bound": None if method == "baseline" else solution.bound,
        "gap": None if method == "baseline" else solution.gap,
        "activities": len(solution.activities),
        "days": len(solution.calendar.days),
        "unmet": len(solution.unmet),
        "violations": len(violations),
        "violation_examples": [str(v) for v in violations[:3]],
        **info,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.measure", description=__doc__.splitlines()[0])
    ap.add_argument("method", choices=["solver", "racing", "baseline", "command"])
    ap.add_argument("plan", type=Path)
    ap.add_argument("--out", type=Path, required=True, help="folder for plan.json")
    ap.add_argument("--json", type=Path, required=True, help="where to write the measurement")
    ap.add_argument("--limit", type=float, default=10.0, help="solver time limit, seconds")
    ap.add_argument("--workers", type=int, default=0, help="CP-SAT workers (0: the plan's, else every core)")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args(argv)
    result = measure(args.method, args.plan, args.out, limit=args.limit, workers=args.workers, seed=args.seed)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
