"""The benchmark runner: each size solved at fixed time limits, against the hand-made baseline.

    python -m bench                          # every size at its default limits
    python -m bench --sizes station --limit station=2,10
    python -m bench --quick                  # a smoke run with short limits
    python -m bench --write bench/RESULTS.md

Every measurement runs in its own process (bench/measure.py), one after the other, so its
peak memory (ru_maxrss from wait4) is its own and runs do not compete for the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import plangen

ROOT = Path(__file__).resolve().parent.parent
SIZES = ("station", "district", "city")
LIMITS = {"station": [2.0, 10.0, 30.0], "district": [15.0, 60.0], "city": [30.0, 120.0]}
QUICK_LIMITS = {"station": [2.0], "district": [5.0], "city": [20.0]}
GIB = 1024 ** 3


@dataclass(frozen=True)
class Target:
    """What issue 3 asks of a size at its time limit."""

    limit: float
    gap: float | None  # relative gap at most this, or proven optimal; None: only a complete plan
    memory: float | None = None  # bytes
    words: str = ""

    def check(self, row: dict[str, Any]) -> tuple[bool, str]:
        if row["violations"]:
            return False, f"{row['violations']} hard rules broken"
        if row["seconds"] > self.limit:
            return False, (f"took {row['seconds']:.1f} s: loading {row['load_seconds']:.1f} s, "
                           f"solving {row['solve_seconds']:.1f} s")
        if self.memory is not None and row["peak_bytes"] > self.memory:
            return False, f"peak {row['peak_bytes'] / GIB:.1f} GiB"
        if self.gap is not None and row["status"] != "optimal" and (row["gap"] is None or row["gap"] > self.gap):
            if row["gap"] is None:
                return False, "no bound on the whole campaign in time"
            if not row["lp_bound"]:
                return False, f"no LP bound in time; against the trivial bound the gap is {row['gap']:.0%}"
            return False, f"gap {row['gap']:.1%}, {row['gap'] / self.gap:.0f}× the target"
        return True, ""


TARGETS = {
    "station": Target(10.0, 0.01, words="proven optimal or gap ≤ 1% within 10 s"),
    "district": Target(60.0, 0.02, words="gap ≤ 2% within 60 s"),
    "city": Target(120.0, None, 4 * GIB, words="a complete plan keeping every hard rule within 120 s, peak ≤ 4 GiB"),
}
COLUMNS = ["size", "plan", "limit s", "first plan s", "time s", "objective", "bound", "gap", "gap closed",
           "time ×", "unmet", "hard rules", "peak MiB", "target", "stopped", "final plan s"]


# --- running -------------------------------------------------------------------------------------------


def run_one(method: str, plan: Path, work: Path, *, limit: float, workers: int, seed: int | None,
            code: Path = ROOT) -> dict[str, Any]:
    """One measurement in a child process; its result with the child's peak memory.

    `code`: the source tree whose planner (and bench.measure) runs: this one, or with
    `--against`, a checkout of another commit measured on the same plans in the same run."""
    tag = method if method == "baseline" else f"{method}-{limit:g}"
    result_file = work / f"{tag}.json"
    measured = "solver" if method in ("before", "norest") else method
    cmd = [sys.executable, "-m", "bench.measure", measured, str(plan), "--out", str(work / tag), "--json",
           str(result_file), "--limit", str(limit), "--workers", str(workers)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))}
    load_before = os.getloadavg()[0]
    proc = subprocess.Popen(cmd, cwd=code, env=env)
    # a runaway child is killed: a limit is a limit, and the build and checks fit in minutes
    timer = threading.Timer(3 * limit + 900, proc.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not result_file.exists():
        raise RuntimeError(f"{' '.join(cmd)} failed with exit status {proc.returncode}")
    row = json.loads(result_file.read_text(encoding="utf-8"))
    row["method"] = method
    row["peak_bytes"] = usage.ru_maxrss * 1024  # KiB on Linux
    row["load"] = (load_before, os.getloadavg()[0])
    return row


def run_size(size: str, limits: list[float], work: Path, *, workers: int, seed: int | None,
             echo=print, racing: bool = False, against: Path | None = None,
             no_rest: bool = False, whole: bool = True) -> list[dict[str, Any]]:
    """The baseline, the solver at each limit and, with `racing`, the solver racing the clock
    (not deterministic) at the same limits: what determinism costs, in one run. With
    `against` (a checkout of another commit), that commit's solver at each limit just before
    this one's: a change measured before and after on the same machine at the same time. With
    `no_rest`, this tree's solver also on the plan with the rest after a 24-hour duty switched
    off (rest_after 00:00): the problem a commit before that rule solves. With `whole`, the
    `planner plan` command at each limit as a user runs it: start to exit, outputs included."""
    plan = Path(plangen.write(work / f"{size}.yaml", size))
    norest = work / f"{size}-norest.yaml"
    if no_rest:
        norest.write_text(re.sub(r"(duty: \{cycle: [^}]*)\}", r'\1, rest_after: "00:00"}',
                                 plan.read_text(encoding="utf-8")), encoding="utf-8")
    rows = []
    runs = [("baseline", 0.0)]
    for x in limits:
        runs += ([("before", x)] if against is not None else []) + ([("norest", x)] if no_rest else []) \
            + [("solver", x)] + ([("command", x)] if whole else [])
    runs += [("racing", x) for x in limits if racing]
    for method, limit in runs:
        echo(f"{size}: {'baseline' if method == 'baseline' else f'{method}, {limit:g} s'} …")
        row = run_one(method, norest if method == "norest" else plan, work / size, limit=limit, workers=workers,
                      seed=seed, code=against if method == "before" and against is not None else ROOT)
        row["size"] = size
        rows.append(row)
    base = rows[0]
    for row in rows[1:]:
        row["baseline_objective"] = base["objective"]
        row["time_ratio"] = row["seconds"] / max(1e-9, base["seconds"])
        room = None if row["bound"] is None else base["objective"] - row["bound"]  # None: no bound in time
        row["gap_closed"] = (base["objective"] - row["objective"]) / room if room is not None and room > 1e-9 else None
        target = TARGETS.get(size)
        if target is not None and abs(row["limit"] - target.limit) < 1e-9:
            row["target"] = target.check(row)
    return rows


# --- the table -----------------------------------------------------------------------------------------


PLAN_NAMES = {"baseline": "by hand", "solver": "solver", "racing": "solver, racing the clock",
              "before": "solver before", "norest": "solver, no duty rest",
              "command": "planner plan (whole command)"}


def cells(row: dict[str, Any]) -> list[str]:
    solver = row["method"] != "baseline"

    def num(v: float | None, fmt: str) -> str:
        return "—" if v is None else format(v, fmt)

    first = num(row["first_plan"], ".1f") + ("" if row["first_plan_reported"] or row["first_plan"] is None else "*")
    target = "—"
    if "target" in row:
        met, why = row["target"]
        target = "met" if met else f"missed: {why}"
    rules = "kept" if row["violations"] == 0 else f"{row['violations']} broken"
    marks = ("†" if row["parts"] > 1 else "") + ("" if row.get("lp_bound") else "‡")
    return [row["size"], PLAN_NAMES[row["method"]], num(row["limit"], "g") if solver else "—", first,
            f"{row['seconds']:.1f}", f"{row['objective']:,.1f}",
            num(row["bound"], ",.1f") + marks if solver else "—",
            num(row["gap"], ".1%") + marks if solver else "—",
            num(row.get("gap_closed"), ".0%") if solver and row.get("lp_bound") else "—",
            num(row.get("time_ratio"), ".1f") if solver else "—",
            str(row["unmet"]), rules, f"{row['peak_bytes'] / 1024 ** 2:,.0f}", target, row.get("stopped") or "—",
            num(row.get("found_seconds"), ".2f")]


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def print_table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*COLUMNS, title="bench: solver against the hand-made baseline")
    for r in rows:
        table.add_row(*cells(r))
    Console(width=max(240, int(os.environ.get("COLUMNS", 0) or 0))).print(table)


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        m = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = m.group(1).strip() if m else platform.processor() or cpu
    except OSError:
        pass
    ram = "unknown"
    try:
        m = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        ram = f"{int(m.group(1)) / 1024 ** 2:.1f} GiB" if m else ram
    except OSError:
        pass
    import ortools

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        # the results file itself is what a run rewrites: its edits do not change what ran
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "planner", "bench", ":!bench/RESULTS.md"],
                               cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        commit = f"{commit}{' with uncommitted changes' if dirty else ''}" if commit else "unknown"
    except OSError:
        commit = "unknown"
    return {"CPU": cpu, "cores": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                        else os.cpu_count()),
            "RAM": ram, "OS": f"{platform.system()} {platform.release()}",
            "Python": platform.python_version(), "OR-Tools": ortools.__version__, "commit": commit,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


START, END = "<!-- bench results: start -->", "<!-- bench results: end -->"


def results_markdown(rows: list[dict[str, Any]], info: dict[str, str], command: str, workers: int) -> str:
    loads = [x for r in rows for x in r["load"]]
    lines = [START, "", f"`{command}`, {workers or info['cores']} CP-SAT workers", ""]
    lines += [f"- **{k}**: {v}" for k, v in info.items()]
    lines += [f"- **load average** (1 min) around the runs: {min(loads):.1f} to {max(loads):.1f}", ""]
    lines += [markdown_table(rows), ""]
    lines += ["Targets (issue 3, at the size's time limit):", ""]
    for size, t in TARGETS.items():
        # this tree's default solver: not the commit it is compared with, nor a variant
        row = next((r for r in rows if r["size"] == size and "target" in r and r["method"] == "solver"), None)
        if row is None:
            verdict = "not run"
        else:
            met, why = row["target"]
            verdict = "**met**" if met else f"**missed** ({why})"
        lines.append(f"- {size}: {t.words}: {verdict}")
    lines += ["", "\\* no objective reported while solving: the time the solve returned.", "",
              "† solved month by month: the bound is the sum of each month's bound given the months "
              "before, not a bound on the whole campaign.", "",
              "‡ no LP bound in time: the bound is every reward taken and no penalty paid, so the gap says "
              "little.", "", END]
    return "\n".join(lines)


def write_results(path: Path, block: str) -> None:
    """Replace the measured block in `path`, keeping what is written around it."""
    if path.exists() and START in (text := path.read_text(encoding="utf-8")) and END in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        path.write_text(head + block + tail, encoding="utf-8")
    else:
        path.write_text("# Benchmark results\n\n" + block + "\n", encoding="utf-8")


# --- the command ---------------------------------------------------------------------------------------


def checkout(revision: str, into: Path) -> Path:
    """The planner and bench of `revision`, exported from this repository into `into`."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", revision, "planner", "bench"], cwd=ROOT,
                             capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"--against {revision}: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def parse_limits(specs: list[str]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for spec in specs:
        size, sep, values = spec.partition("=")
        if not sep or size not in SIZES:
            raise SystemExit(f"--limit {spec}: write SIZE=SECONDS[,SECONDS…] with SIZE one of {', '.join(SIZES)}")
        try:
            out[size] = [float(v) for v in values.split(",") if v]
        except ValueError:
            raise SystemExit(f"--limit {spec}: seconds must be numbers") from None
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(SIZES), help="comma-separated: station, district, city")
    ap.add_argument("--limit", action="append", default=[], metavar="SIZE=S[,S…]",
                    help="solver time limits for a size (default: " +
                         "; ".join(f"{k}={','.join(f'{x:g}' for x in v)}" for k, v in LIMITS.items()) + ")")
    ap.add_argument("--quick", action="store_true", help="a smoke run: short limits (" +
                    "; ".join(f"{k}={','.join(f'{x:g}' for x in v)}" for k, v in QUICK_LIMITS.items()) + ")")
    ap.add_argument("--workers", type=int, default=0, help="CP-SAT workers (default: every core)")
    ap.add_argument("--seed", type=int, default=None, help="solver seed (default: the plan's)")
    ap.add_argument("--write", type=Path, metavar="FILE", help="write the Markdown results into FILE "
                    "(between its bench-results markers, keeping the rest)")
    ap.add_argument("--json", type=Path, metavar="FILE", help="write the measurements as JSON")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="keep the generated plans and plan.json files here")
    ap.add_argument("--against", metavar="COMMIT", help="also run the solver of COMMIT (a git revision) on the "
                    "same plans at the same limits, each just before this tree's: before and after in one run")
    ap.add_argument("--no-rest", action="store_true", help="also run this tree's solver with the rest after a "
                    "24-hour duty switched off (rest_after 00:00), the problem a commit before that rule solves")
    ap.add_argument("--racing", action="store_true", help="also run the solver racing the clock "
                    "(solver.deterministic: false) at the same limits: what determinism costs")
    ap.add_argument("--solver-only", action="store_true", help="skip the whole `planner plan` command "
                    "(start to exit, outputs included) at each limit")
    args = ap.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        ap.error(f"--sizes: unknown {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    limits = {**(QUICK_LIMITS if args.quick else LIMITS), **parse_limits(args.limit)}
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        against = checkout(args.against, Path(tmp) / "before") if args.against else None
        for size in sizes:
            rows += run_size(size, limits[size], work, workers=args.workers, seed=args.seed,
                             echo=lambda s: print(s, file=sys.stderr, flush=True), racing=args.racing,
                             against=against, no_rest=args.no_rest, whole=not args.solver_only)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.write:
        write_results(args.write, results_markdown(rows, machine(), command.strip(), args.workers))
        print(f"wrote {args.write}", file=sys.stderr)
    return 0


__all__ = ["main", "run_size", "markdown_table", "TARGETS", "LIMITS", "COLUMNS"]
