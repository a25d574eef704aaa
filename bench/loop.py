"""The station's loop, measured: record a filled 台账, report a month, re-plan from actuals.

    python -m bench.loop [--limit 60] [--keep DIR]

1. The Litong district example stretched to a whole year (2026) is planned, its ledger
   filled as a station would (every activity before December held with figures, one in
   twenty not held), then `planner record OUT` and `planner report OUT --month 2026-11`
   are timed as whole processes (start to exit, peak memory).
2. The Litong example as it is (September to December) is planned, September recorded
   (one in ten activities not held) and `planner replan --from 2026-10-01` timed; what it
   changed beyond what the records made necessary is counted.

Each command runs in its own process, one after the other; the timings are wall-clock on
whatever else the machine is doing (the load average is printed with them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import openpyxl

from planner.planfile import read_plan_json

ROOT = Path(__file__).resolve().parent.parent
LITONG = ROOT / "examples" / "litong.yaml"
LEDGER = "台账"
HEADERS = {"id": "活动编号", "reached": "实际覆盖人数", "leaflet": "宣传单", "installs": "App安装数",
           "households": "入户户数", "status": "开展情况", "date": "日期"}


def run(*args: str) -> tuple[float, int, subprocess.CompletedProcess]:
    """A planner command in its own process: (seconds, peak KiB, the process)."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-m", "planner", *args], stdout=out, stderr=err, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(proc.args, os.waitstatus_to_exitcode(status), out.read(), err.read())
    if done.returncode != 0:
        raise RuntimeError(f"planner {' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, usage.ru_maxrss, done


def fill(xlsx: Path, until: date, not_held_every: int, seed: int) -> tuple[int, int]:
    """Type figures into the 台账 for activities before `until`: (held, not held)."""
    rng = random.Random(seed)
    book = openpyxl.load_workbook(xlsx)
    sheet = book[LEDGER]
    header = {re.sub(r"\s|（.*?）|\(.*?\)", "", str(c.value or "")): c.column for c in sheet[1]}
    col = {k: header[v] for k, v in HEADERS.items() if v in header}
    held = missed = 0
    for row in range(2, sheet.max_row + 1):
        ident = sheet.cell(row, col["id"]).value
        day = sheet.cell(row, col["date"]).value
        if not ident or not isinstance(day, (date, datetime)):
            continue
        day = day.date() if isinstance(day, datetime) else day
        if day >= until:
            continue
        if (held + missed) % not_held_every == not_held_every - 1:
            sheet.cell(row, col["status"]).value = "未开展"
            missed += 1
            continue
        sheet.cell(row, col["status"]).value = "已开展"
        sheet.cell(row, col["reached"]).value = rng.randint(20, 400)
        sheet.cell(row, col["leaflet"]).value = rng.randint(20, 600)
        sheet.cell(row, col["installs"]).value = rng.randint(0, 40)
        held += 1
    book.save(xlsx)
    return held, missed


def year_plan(folder: Path) -> Path:
    text = LITONG.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(  start: )2026-09-01", r"\g<1>2026-01-01", text, count=1)
    path = folder / "litong-year.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def in_process_replan(work: Path, limit: str) -> tuple[str, float, int, str]:
    """The re-plan itself, in this process (no start-up, no outputs written): reading the
    plan, the previous plan.json and the records, and re-planning from them."""
    import resource
    from zoneinfo import ZoneInfo

    from planner.loader import load_plan
    from planner.records import load_records
    from planner.replan import actuals_from_records, replan
    from planner.types import parse_duration

    started = time.monotonic()
    loaded = load_plan(LITONG)
    previous = read_plan_json(work / "litong" / "plan.json")
    actuals = actuals_from_records(load_records(work / "litong"), ZoneInfo(loaded.plan.station.timezone))
    result = replan(loaded, previous, date(2026, 10, 1), actuals=actuals,
                    time_limit=parse_duration(limit).total_seconds())
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return ("replan from 2026-10-01, in process (no outputs)", seconds, peak,
            f"solve {result.solution.solve_seconds:.1f} s; {len(result.targets)} targets short before it")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.loop", description=__doc__.splitlines()[0])
    ap.add_argument("--limit", default="60s", help="time limit of the plans the loop starts from")
    ap.add_argument("--keep", type=Path, help="keep the outputs here")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-loop-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        # 1. a year's ledger: record it, report a month
        plan = year_plan(work)
        seconds, peak, _ = run("plan", str(plan), "-o", str(work / "year"), "--time-limit", args.limit)
        activities = len(read_plan_json(work / "year" / "plan.json").activities)
        rows.append(("plan Litong, a year", seconds, peak, f"{activities} activities"))
        held, missed = fill(work / "year" / "plan.xlsx", date(2026, 12, 1), 20, seed=1)
        seconds, peak, done = run("record", str(work / "year"))
        rows.append(("record the year's ledger", seconds, peak, f"{held} held, {missed} not held"))
        seconds, peak, _ = run("record", str(work / "year"))
        rows.append(("record it again (no changes)", seconds, peak, ""))
        seconds, peak, _ = run("report", str(work / "year"), "--month", "2026-11")
        rows.append(("report 2026-11 (html, pdf, xlsx, png)", seconds, peak, ""))
        # 2. a month in: re-plan from what happened
        seconds, peak, _ = run("plan", str(LITONG), "-o", str(work / "litong"), "--time-limit", args.limit)
        rows.append(("plan Litong (Sep-Dec)", seconds, peak, ""))
        held, missed = fill(work / "litong" / "plan.xlsx", date(2026, 10, 1), 10, seed=2)
        run("record", str(work / "litong"))
        before = read_plan_json(work / "litong" / "plan.json")
        seconds, peak, done = run("replan", str(LITONG), "--previous", str(work / "litong" / "plan.json"),
                                  "--from", "2026-10-01", "-o", str(work / "replanned"), "--time-limit", args.limit)
        changes = json.loads((work / "replanned" / "changes.json").read_text(encoding="utf-8"))
        kinds = changes["summary"]
        later = sum(1 for a in before.activities if a.start.date() >= date(2026, 10, 1))
        rows.append(("replan from 2026-10-01 after September's records", seconds, peak,
                     f"{held} held, {missed} not held; later activities {later}: "
                     + ", ".join(f"{kinds[k]} {k}" for k in ("added", "moved", "restaffed", "cancelled"))))
        rows.append(in_process_replan(work, args.limit))
    load = os.getloadavg()[0]
    print("| step | seconds | peak MiB | what |\n|---|---|---|---|")
    for name, seconds, peak, what in rows:
        print(f"| {name} | {seconds:.1f} | {peak / 1024:.0f} | {what} |")
    print(f"\nload average (1 min) at the end: {load:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
