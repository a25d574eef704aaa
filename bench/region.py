"""Regions of 10, 100 or 1,000 stations (issue 19), and `planner plan-region` measured on them.

    python -m bench.region generate 100 /tmp/region100       # the region file and its stations
    python -m bench.region measure 10 --workers 1,2 --limit 5 # wall time, memory, speed-up
    python -m bench.region measure 10 --workers 2 --total 60  # the region's limit: does it hold?

Stations come from bench/plangen.py: city stations (communities, schools, markets) and
county stations (mostly villages), 10 to 20 staff and 30 to 70 venues each (about 15 and 50
on average: 100 stations are about 1,500 staff and 5,000 venues), a quarter; ten stations to
a district, one shared lecture team per district and a city troupe. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.plangen import KIND_MIX, VILLAGE_MIX, plan_yaml

SURNAMES = "王李张刘陈杨赵黄周吴"


def generate(n: int, folder: Path, *, seed: int = 1, time_limit: str = "10s", months: int = 3) -> Path:
    """A region of `n` stations in `folder`: region.yaml and stations/*.yaml. → region.yaml"""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stations").mkdir(exist_ok=True)
    districts = max(1, n // 10)
    entries = []
    for i in range(n):
        district = f"区县{i % districts + 1}"
        county = i % districts >= (districts + 1) // 2  # half the districts are rural counties
        staff, venues = rng.randrange(10, 21), rng.randrange(30, 71)
        text = plan_yaml(staff=staff, venues=venues, months=months, areas=rng.randrange(2, 5), seed=seed * 10_000 + i,
                         start=date(2026, 4, 1), time_limit=time_limit, workers=1,
                         kind_mix=VILLAGE_MIX if county else KIND_MIX)
        kind = "乡" if county else "城区"
        text = text.replace("station: {name: 测试派出所, region: 测试市}",
                            f"station: {{name: {district}{kind}第{i + 1}派出所, id: st{i:04d}, region: {district}}}")
        (folder / "stations" / f"st{i:04d}.yaml").write_text(text, encoding="utf-8")
        entries.append(f"  - {{plan: stations/st{i:04d}.yaml, district: {district}}}")
    teams = []
    for d in range(districts):
        members = ", ".join(f"{{id: d{d}-m{k}, name: {rng.choice(SURNAMES)}宣讲{k}, role: police, skills: [lecture]}}"
                            for k in range(3))
        teams.append(f"  - {{id: team-{d + 1}, name: 区县{d + 1}反诈宣讲团, home_area: 区县{d + 1}, "
                     f"days_per_month: 4, members: [{members}]}}")
    lines = ["version: 1", f"region: {{name: 测试市公安局（{n} 个派出所）, timezone: Asia/Shanghai}}", "stations:",
             *entries, "shared_teams:", *teams, f"solver: {{time_limit: {time_limit}}}", ""]
    path = folder / "region.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def measure(n: int, workers: list[int], limit: float, seed: int = 1, total: float | None = None) -> list[dict]:
    """plan_region on a generated region of n stations with each worker count (a fresh local Ray
    each); `total`: the region's time limit (each station's `limit` then an upper bound)."""
    from planner.region import load_region
    from planner.regionrun import plan_region

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-region-") as tmp:
        path = generate(n, Path(tmp) / "region", seed=seed, time_limit=f"{int(limit)}s")
        loaded = load_region(path)
        for w in workers:
            out = Path(tmp) / f"out{w}"
            started = time.monotonic()
            run = plan_region(loaded, out, workers=w, station_time_limit=limit, total_time_limit=total,
                              started=started)
            wall = time.monotonic() - started
            stations = run.report["stations"]
            per = [s["seconds"] for s in stations]
            seconds = run.report["seconds"]
            rows.append({
                "stations": n, "workers": w, "limit": limit, "total_limit": total, "wall": round(wall, 1),
                "within": round(wall / total, 2) if total else None,
                "station_limits": sorted({s["time_limit"] for s in stations}),
                "cut": sum(1 for s in stations if s["cut"]), "task_overhead": seconds["task_overhead"],
                "ray": seconds["ray"], "need_days": [s["need_days"] for s in stations],
                "planned": len(stations), "failed": len(run.failed), "cross_station": len(run.cross),
                "violations": sum(len(s["violations"]) for s in stations),
                "station_seconds_sum": round(sum(per), 1), "station_seconds_max": round(max(per, default=0), 1),
                "peak_rss_mb_worker": round(max((s["peak_rss_mb"] for s in stations), default=0), 1),
                "setup": round(run.report["seconds"]["survey"] + run.report["seconds"]["allocation"], 1),
            })
            shutil.rmtree(out, ignore_errors=True)
    base = rows[0]["wall"] if rows else 0
    for r in rows:
        r["speedup"] = round(base / r["wall"], 2) if r["wall"] else None
        # 64 cores: the survey and allocation as measured, then the stations' own times spread over 64
        r["projected_64"] = round(r["setup"] + max(r["station_seconds_sum"] / 64, r["station_seconds_max"]), 1)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.region")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("n", type=int)
    g.add_argument("folder", type=Path)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--limit", default="10s")
    m = sub.add_parser("measure")
    m.add_argument("n", type=int)
    m.add_argument("--workers", default="1,2")
    m.add_argument("--limit", type=float, default=5.0)
    m.add_argument("--total", type=float, help="the region's time limit, seconds")
    m.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.command == "generate":
        print(generate(args.n, args.folder, seed=args.seed, time_limit=args.limit))
        return 0
    rows = measure(args.n, [int(w) for w in args.workers.split(",")], args.limit, total=args.total)
    print(f"# {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    for r in rows:
        print(json.dumps(r, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
