"""Ctrl-C while planning: the search stops, the best plan found so far is kept.

CP-SAT catches SIGINT on its own by default and ends only the search running at that moment,
as if its time were up; the planner's pipeline then went on with its next step and the run
replaced OUT as if nothing had happened. Instead:

- Every search the planner runs goes through `solving(solver)` (or `stoppable(stop)` for the
  LP engines): CP-SAT is told not to catch SIGINT, and the search is registered so that a
  stop reaches it at once, wherever it runs.
- `request()` sets a process-wide flag and stops every registered search; searches started
  after it get no time. The pipeline checks `requested()` between its steps and plans no
  further part of the campaign (`planner.search.solve` raises `Interrupted` where part of
  the campaign has no plan yet).
- `handle_ctrl_c()` (the CLI, around planning and writing) makes the first Ctrl-C call
  `request()`, from a watcher thread woken by the signal even while the main thread waits in
  the solver, and the second raise `Stopped` in the main thread: whatever is being written is
  abandoned (the staging folder is removed on the way out) and the previous outputs stay.

Searches that only evaluate a plan (every variable fixed) are not registered: a plan must be
scored to be written.
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

__all__ = ["Interrupted", "Stopped", "requested", "request", "reset", "solving", "stoppable", "handle_ctrl_c",
           "install_ctrl_c", "EXIT_CODE"]

EXIT_CODE = 130  # 128 + SIGINT, as the shell reports a command stopped by Ctrl-C


class Interrupted(Exception):
    """Planning was stopped before every part of the campaign had a plan: nothing to write."""


class Stopped(BaseException):
    """Ctrl-C a second time: stop at once, writing nothing (not a KeyboardInterrupt, which
    click would turn into "Aborted!" and exit status 1)."""


_flag = threading.Event()
_lock = threading.Lock()
_stops: dict[int, Callable[[], None]] = {}
_reaper: threading.Thread | None = None


def requested() -> bool:
    """True once a stop was requested (Ctrl-C); the pipeline then plans nothing further."""
    return _flag.is_set()


def request() -> None:
    """Stop every running search now, and every later one before it starts (thread-safe)."""
    global _reaper
    _flag.set()
    _stop_all()
    with _lock:
        if _reaper is None or not _reaper.is_alive():
            # a search registered a moment before it starts cannot be stopped yet: try again
            _reaper = threading.Thread(target=_reap, name="planner-stop", daemon=True)
            _reaper.start()


def reset() -> None:
    """Forget a request (for a Python user planning again in the same process)."""
    _flag.clear()


def _stop_all() -> None:
    with _lock:
        stops = list(_stops.values())
    for stop in stops:
        try:
            stop()
        except Exception:  # a search that just ended  # noqa: BLE001
            pass


def _reap() -> None:
    while _flag.is_set():
        _stop_all()
        time.sleep(0.1)


@contextmanager
def stoppable(stop: Callable[[], None]) -> Iterator[None]:
    """Register `stop` (e.g. an LP solver's InterruptSolve) while the block runs."""
    key = object()
    with _lock:
        _stops[id(key)] = stop
    try:
        if _flag.is_set():
            stop()
        yield
    finally:
        with _lock:
            _stops.pop(id(key), None)


@contextmanager
def solving(solver) -> Iterator[None]:
    """Around `solver.solve(...)` of a `cp_model.CpSolver`: a search Ctrl-C ends (as if its
    time were up), and that gets no time at all once a stop was requested."""
    solver.parameters.catch_sigint_signal = False
    if _flag.is_set():
        solver.parameters.max_time_in_seconds = 0.0
        solver.parameters.max_deterministic_time = 0.0
    with stoppable(solver.stop_search):
        yield


# --- the CLI's Ctrl-C ---------------------------------------------------------------------------------


_installed: list = []  # the handlers installed for good (kept: a dropped one would be undone)


def install_ctrl_c(message: str | None = None) -> None:
    """`handle_ctrl_c` for the rest of the process (a command-line run, which ends with its command)."""
    handler = handle_ctrl_c(message)
    handler.__enter__()
    _installed.append(handler)


@contextmanager
def handle_ctrl_c(message: str | None = None) -> Iterator[None]:
    """While the block runs (in the main thread): the first Ctrl-C requests a stop (and says
    `message` on stderr), the second raises `Stopped`. The previous handler comes back after."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield  # not the main thread, or Ctrl-C is ignored on purpose (nohup, a background job)
        return
    handled = seen = 0  # Ctrl-Cs this handler ran for, and that the watcher saw
    stopped = False

    def on_sigint(signum, frame) -> None:
        nonlocal handled, stopped
        if stopped:
            return  # stopping already: let the clean-up run
        handled += 1
        if max(handled, seen) > 1:  # two Ctrl-Cs can reach Python as one call: the watcher counts
            stopped = True
            raise Stopped()
        request()
        if message:
            print(message, file=sys.stderr, flush=True)

    read, write = os.pipe()
    os.set_blocking(write, False)
    previous_handler = signal.signal(signal.SIGINT, on_sigint)
    previous_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)

    def watch() -> None:
        nonlocal seen
        # the signal's byte arrives here at once, even while the main thread waits in C++
        # (a Python handler runs only when the main thread is back in Python)
        while True:
            try:
                data = os.read(read, 64)
            except OSError:
                return
            if not data:
                return
            for byte in data:
                if byte == signal.SIGINT:
                    seen += 1
                    request()
                    if seen == 2:  # make sure the main thread hears the second one
                        _thread.interrupt_main(signal.SIGINT)

    watcher = threading.Thread(target=watch, name="planner-ctrl-c", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous_handler)
        os.close(write)  # ends the watcher
        watcher.join(timeout=1.0)
        os.close(read)
