"""Ctrl-C during `planner plan` (issue 13, item 6): the first stops the search and the best plan
found so far is written, saying so; the second stops at once and writes nothing. Both exit
130 (the shell's code for a command stopped by Ctrl-C, so scripts never take an interrupted
run for a full one), and neither leaves a staging folder: OUT is a complete new output or the
previous one, untouched.

The run is watched through a pseudo-terminal, as a person watches it: SIGINT is sent once the
live progress says a plan was found (已找到方案), that is, in the middle of the search.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from planner.export.source import check_plan_json
from planner.loader import load_plan
from planner.planfile import read_plan_json

LANZHOU = ROOT / "examples" / "lanzhou-guangwumen.yaml"
TIME_LIMIT = 600.0  # far longer than the test waits (a deterministic search uses its budget): stopped, not finished


class Run:
    """`planner plan PLAN -o OUT --time-limit 60s` on a pseudo-terminal (live progress)."""

    def __init__(self, plan: Path, out: Path, *extra: str):
        self.master, slave = pty.openpty()
        self.err = out.parent / f"{out.name}.stderr"
        self.err_file = self.err.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "planner", "plan", str(plan), "-o", str(out), "--time-limit",
             f"{TIME_LIMIT:.0f}s", "--workers", "1", *extra],
            stdin=subprocess.DEVNULL, stdout=slave, stderr=self.err_file, cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "160", "PYTHONIOENCODING": "utf-8"})
        os.close(slave)
        self.screen = b""

    def read(self, seconds: float) -> None:
        ready, _, _ = select.select([self.master], [], [], seconds)
        if ready:
            try:
                self.screen += os.read(self.master, 65536)
            except OSError:  # the process closed the terminal
                time.sleep(seconds)

    def wait_for(self, text: bytes, seconds: float) -> None:
        end = time.monotonic() + seconds
        while text not in self.screen:
            assert self.process.poll() is None, f"ended before {text!r}: {self.stderr()}"
            assert time.monotonic() < end, f"no {text!r} after {seconds} s: {self.screen[-500:]!r}"
            self.read(0.2)

    def interrupt(self) -> float:
        self.process.send_signal(signal.SIGINT)
        return time.monotonic()

    def wait(self, seconds: float) -> int:
        end = time.monotonic() + seconds
        while self.process.poll() is None:
            if time.monotonic() > end:
                self.process.kill()
                pytest.fail(f"still running {seconds} s after Ctrl-C: {self.stderr()}")
            self.read(0.2)
        os.close(self.master)
        self.err_file.close()
        return self.process.returncode

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory) -> tuple[Path, Path, float, int, str]:
    """One run stopped by one Ctrl-C: (plan, OUT, seconds from Ctrl-C to writing, exit status, stderr)."""
    folder = tmp_path_factory.mktemp("interrupted")
    plan = folder / "plan.yaml"
    shutil.copy(LANZHOU, plan)
    out = folder / "out"
    run = Run(plan, out)
    run.wait_for("已找到方案".encode(), 60)  # the search is under way
    time.sleep(1.0)
    sent = run.interrupt()
    # the search stops at once: the outputs start being written (into the staging folder)
    writing = None
    while run.process.poll() is None and writing is None:
        if list(folder.glob(".out.*.new")):
            writing = time.monotonic() - sent
        run.read(0.05)
    status = run.wait(120)
    assert writing is not None, "the outputs were never staged"
    return plan, out, writing, status, run.stderr()


def test_the_first_ctrl_c_stops_the_search_and_writes_the_best_plan_so_far(interrupted):
    plan, out, writing, status, stderr = interrupted
    assert writing < 15, f"the search went on for {writing:.1f} s after Ctrl-C (time limit {TIME_LIMIT} s)"
    assert status == 130, stderr
    assert "Traceback" not in stderr, stderr
    assert "已中断：求解被提前停止" in stderr and "已找到的最好方案" in stderr  # the search was stopped; best plan
    # a complete, valid OUT
    plan_json = read_plan_json(out / "plan.json")
    check_plan_json(plan_json, load_plan(plan))
    assert plan_json.activities
    for name in ("calendars/all.ics", "plan.html", "plan.xlsx", ".planner-output"):
        assert (out / name).is_file(), name
    assert list(out.parent.glob(".out.*.new")) == []


def test_a_second_ctrl_c_stops_at_once_and_leaves_the_previous_outputs(interrupted):
    plan, out, _, _, _ = interrupted
    before = snapshot(out)
    # solved afresh: into an OUT holding the plan, plan would re-plan it, done in a second or two
    run = Run(plan, out, "--fresh")
    run.wait_for("已找到方案".encode(), 60)
    run.interrupt()
    time.sleep(1.0)
    second = run.interrupt()
    status = run.wait(30)
    stderr = run.stderr()
    assert status == 130, stderr
    assert time.monotonic() - second < 15
    assert "Traceback" not in stderr, stderr
    assert "再次中断：已立即停止，未写出任何文件" in stderr  # interrupted again: stopped at once; nothing written
    assert snapshot(out) == before
    assert list(out.parent.glob(".out.*.new")) == []


def test_a_stop_requested_before_a_search_gives_it_no_time():
    """The Python side: a search started after Ctrl-C ends at once (CP-SAT left to its own
    SIGINT handling would have searched on)."""
    from ortools.sat.python import cp_model

    from planner import interrupt

    model = cp_model.CpModel()
    xs = [model.new_int_var(0, 1000, f"x{i}") for i in range(40)]
    for k in range(20):
        model.add(sum((i * 7 + k) % 23 * x for i, x in enumerate(xs)) <= 50_000 + k)
    model.maximize(sum((i % 5 + 1) * x for i, x in enumerate(xs)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 30
    solver.parameters.num_workers = 1
    try:
        interrupt.request()
        started = time.monotonic()
        with interrupt.solving(solver):
            solver.solve(model)
        assert time.monotonic() - started < 5
        assert solver.parameters.catch_sigint_signal is False
    finally:
        interrupt.reset()
    assert not interrupt.requested()


def test_the_plan_json_of_an_interrupted_run_is_what_export_renders(interrupted, tmp_path):
    """What an interrupted run wrote is an ordinary OUT: export re-renders it."""
    _, out, _, _, _ = interrupted
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    done = subprocess.run([sys.executable, "-m", "planner", "export", str(copy / "plan.json"), "--to", "ics"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads((copy / "plan.json").read_text(encoding="utf-8"))["activities"]
