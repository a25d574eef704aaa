"""The benchmark runs end to end on the station size: its table, the baseline, the checks.

Smoke only: no wall-clock time is asserted (the machine may be busy)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT
from plangen import KIND_MIX, SIZES, plan_yaml  # first: it puts the repository on sys.path for bench

from bench.run import COLUMNS, markdown_table, write_results


def test_the_station_benchmark_prints_the_table_with_the_baseline(tmp_path):
    out = tmp_path / "rows.json"
    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\nKept above.\n\n<!-- bench results: start -->\nold\n"
                       "<!-- bench results: end -->\n\nKept below.\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "bench", "--sizes", "station", "--limit", "station=1",
                          "--workers", "1", "--json", str(out), "--write", str(results)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "COLUMNS": "250", "PYTHONIOENCODING": "utf-8"})
    assert run.returncode == 0, run.stderr
    for column in COLUMNS:
        assert column in run.stdout
    assert "by hand" in run.stdout and "solver" in run.stdout
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["size"], r["method"]) for r in rows] == [("station", "baseline"), ("station", "solver"),
                                                         ("station", "command")]
    baseline, solver, command = rows
    # the whole command, outputs included: longer than its search, and its plan.json says why it stopped
    assert command["violations"] == 0 and command["seconds"] > command["solve_seconds"] > 0
    assert command["stopped"] in ("optimal", "within_gap", "stalled", "time_limit") and command["peak_bytes"] > 0
    assert baseline["violations"] == 0 and solver["violations"] == 0  # planner.verify on each plan.json
    assert baseline["activities"] > 30 and solver["activities"] > 30
    assert solver["bound"] <= solver["objective"] and solver["peak_bytes"] > 0
    # scored by the same model: the solver, starting from a better greedy, never does worse
    assert solver["objective"] <= baseline["objective"]
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Results\n\nKept above.") and text.rstrip().endswith("Kept below.")
    assert "old" not in text and "| station | by hand |" in text and "OR-Tools" in text


def test_the_markdown_table_has_a_row_per_measurement():
    row = dict(size="city", method="solver", limit=120.0, first_plan=100.0, first_plan_reported=False,
               seconds=118.0, objective=5.0, bound=-3.0, gap=1.6, gap_closed=None, time_ratio=2.0, unmet=3,
               violations=2, peak_bytes=2 * 1024 ** 3, parts=12, lp_bound=False, target=(False, "2 hard rules broken"))
    table = markdown_table([row]).splitlines()
    assert len(table) == 3 and table[0].count("|") == len(COLUMNS) + 1
    assert "100.0*" in table[2] and "-3.0†‡" in table[2] and "2 broken" in table[2] and "missed" in table[2]


def test_the_district_is_mostly_villages():
    text = plan_yaml(**SIZES["district"])
    kinds = [line.split(":")[1].strip() for line in text.splitlines() if line.startswith("    kind:")]
    assert len(kinds) == 150 and kinds.count("village") / len(kinds) > 0.5
    assert plan_yaml(**SIZES["station"]) == plan_yaml(**{**SIZES["station"], "kind_mix": KIND_MIX})


def test_write_results_starts_a_file_without_markers(tmp_path):
    path = tmp_path / "R.md"
    write_results(path, "<!-- bench results: start -->\nX\n<!-- bench results: end -->")
    assert path.read_text(encoding="utf-8").startswith("# Benchmark results\n\n<!-- bench results: start -->")
