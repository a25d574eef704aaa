"""How long each writer takes, and how big its files are (issue 18: outputs linear in the plan).

    python -m bench.outputs [--sizes station,district,city] [--keep DIR] [--writers xlsx,ics,html,pdf]
                            [--profile WRITER [--sort cumulative|tottime]]

Each size's plan is generated (bench.plangen) and planned by hand (bench.baseline: every
hard rule kept, seconds even at city size, deterministic), and its plan.json kept in DIR
(default a temporary folder; with --keep reused on the next run). Each writer then runs
once on that plan.json, as `planner export` would, and the table gives its wall time, its
seconds per 1,000 activities (wall, and the process's CPU time, which a busy machine
disturbs less: the writers are single-threaded) and the size of what it wrote. `--profile WRITER` prints
cProfile's top entries for that writer instead of timing it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from planner.export.view import PlanView, build_view
from planner.loader import load_plan

WRITERS = ("xlsx", "ics", "html", "pdf")


def plan_for(size: str, folder: Path) -> Path:
    """folder/<size>/plan.json (made once: generated, planned by hand)."""
    from bench import plangen

    out = folder / size
    if (out / "plan.json").is_file():
        return out
    out.mkdir(parents=True, exist_ok=True)
    plangen.write(out / "plan.yaml", size)
    subprocess.run([sys.executable, "-m", "bench.measure", "baseline", str(out / "plan.yaml"), "--out", str(out),
                    "--json", str(out / "measure.json")], check=True)
    return out


def writer(name: str, view: PlanView, out: Path) -> Callable[[], list[Path]]:
    from planner.export.ics import write_calendars
    from planner.export.xlsx import write_xlsx

    def xlsx() -> list[Path]:
        write_xlsx(view, out / "plan.xlsx")
        return [out / "plan.xlsx"]

    def ics() -> list[Path]:
        return write_calendars(view, out / "calendars")

    def html() -> list[Path]:
        from planner.export.html import render_html

        (out / "plan.html").write_text(render_html(view), encoding="utf-8")
        return [out / "plan.html"]

    def pdf() -> list[Path]:
        from planner.export.html import render_html
        from planner.export.pdf import write_pdf

        write_pdf(render_html(view), out / "plan.pdf")
        return [out / "plan.pdf"]

    return {"xlsx": xlsx, "ics": ics, "html": html, "pdf": pdf}[name]


def size_of(paths: list[Path]) -> int:
    total = 0
    for p in paths:
        total += sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else p.stat().st_size
    return total


def measure(folder: Path, writers: list[str], profile: str | None,
            sort: str = "cumulative") -> list[dict[str, object]]:
    loaded = load_plan(folder / "plan.yaml")
    data = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    view = build_view(loaded, data)
    rows: list[dict[str, object]] = [{"writer": "view", "seconds": time.perf_counter() - started, "bytes": 0}]
    n = len(view.activities)
    out = folder / "out"
    out.mkdir(exist_ok=True)
    for name in writers:
        run = writer(name, view, out)
        if name == profile:
            prof = cProfile.Profile()
            paths = prof.runcall(run)
            text = io.StringIO()
            pstats.Stats(prof, stream=text).sort_stats(sort).print_stats(40)
            print(text.getvalue())
            continue
        started = time.perf_counter()
        cpu = time.process_time()
        try:
            paths = run()
        except Exception as e:  # noqa: BLE001 - e.g. WeasyPrint missing: say so in the table
            rows.append({"writer": name, "seconds": None, "bytes": 0, "note": f"{type(e).__name__}: {e}"[:80]})
            continue
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        files = sum(1 if p.is_file() else sum(1 for f in p.rglob("*") if f.is_file()) for p in paths)
        rows.append({"writer": name, "seconds": seconds, "cpu": cpu, "bytes": size_of(paths), "files": files})
    for row in rows:
        row["activities"] = n
        if row.get("seconds") is not None and n:
            row["per_1000"] = row["seconds"] * 1000 / n  # type: ignore[operator]
        if row.get("cpu") is not None and n:
            row["cpu_per_1000"] = row["cpu"] * 1000 / n  # type: ignore[operator]
    return rows


def table(size: str, rows: list[dict[str, object]]) -> str:
    lines = []
    for r in rows:
        s = r.get("seconds")
        per = r.get("per_1000")
        cpu = r.get("cpu_per_1000")
        lines.append(f"| {size} | {r['activities']} | {r['writer']} | "
                     f"{'—' if s is None else f'{s:.2f}'} | {'—' if per is None else f'{per:.2f}'} | "
                     f"{'—' if cpu is None else f'{cpu:.2f}'} | "
                     f"{r.get('files', '')} | {int(r['bytes']) / 1e6:.2f} | {r.get('note', '')} |")  # type: ignore[call-overload]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.outputs", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="station,district,city")
    ap.add_argument("--writers", default=",".join(WRITERS))
    ap.add_argument("--keep", type=Path, default=None, help="folder for the plans (reused when there)")
    ap.add_argument("--profile", choices=WRITERS, default=None, help="cProfile this writer instead of timing it")
    ap.add_argument("--sort", choices=("cumulative", "tottime"), default="cumulative",
                    help="the profile's order: time in a function and what it calls, or in it alone")
    args = ap.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-outputs-"))
    print("| size | activities | writer | s | s per 1,000 activities | CPU s per 1,000 | files | MB | note |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        rows = measure(plan_for(size, folder), args.writers.split(","), args.profile, args.sort)
        print(table(size, rows), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
