"""The clock of a deterministic solve: its wall-clock end, and the work its searches did.

A deterministic solve budgets every search in CP-SAT's deterministic time (a count of work,
the same on every run), so the same plan and seed give the same plan whatever the machine
is doing. Its wall-clock end only stops searches where the machine is much slower than the
budget assumes; `work` is what plan.json reports, so that it too is the same on every run.

The command's limit (`planner plan --time-limit`) covers the whole command, from the process's
start to its outputs: `begin_command` fixes that start, `limit_to` the wall-clock moment by
which the search must hand over (what is left is kept for writing outputs), and `over()` is
what candidate generation, the greedy and the evaluations ask between steps. `now` can be
replaced (`use_now`) by a deterministic clock in tests.
"""

from __future__ import annotations

import os
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable

_now: Callable[[], float] = time.monotonic


def now() -> float:
    """The clock every time check reads (time.monotonic, unless a test put its own)."""
    return _now()


def use_now(fn: Callable[[], float] | None) -> None:
    """Read `fn` instead of time.monotonic (None: back to it); for tests."""
    global _now
    _now = fn or time.monotonic


def process_start() -> float:
    """time.monotonic() when this process started (Linux: from /proc; else this module's import)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        age = uptime - ticks / os.sysconf("SC_CLK_TCK")
        return time.monotonic() - age if age >= 0 else _IMPORTED
    except (OSError, ValueError, IndexError):
        return _IMPORTED


_IMPORTED = time.monotonic()
_command_start: float | None = None
_limit: ContextVar[float | None] = ContextVar("planner_limit", default=None)


STARTUP_AT_MOST = 10.0  # seconds: a process older than this runs many commands (tests): from now


def begin_command(at: float | None = None) -> None:
    """A command whose time limit runs from `at` (default: the process's start) starts."""
    global _command_start
    if at is None:
        at = process_start()
        if now() - at > STARTUP_AT_MOST:
            at = now()
    _command_start = at


def end_command() -> None:
    global _command_start
    _command_start = None


def command_start() -> float | None:
    """When the running command started (None: solving from a library call, not a command)."""
    return _command_start


def limit_to(deadline: float | None) -> Any:
    """The moment (in `now()`'s terms) by which the search must hand its plan over; a token for `unlimit`."""
    return _limit.set(deadline)


def unlimit(token: Any) -> None:
    _limit.reset(token)


def hand_over() -> float | None:
    """The moment the search must hand its plan over by, if the command has a limit."""
    return _limit.get()


def over(cut: bool = False) -> bool:
    """Whether the search's hand-over moment has passed: the steps that come before any search
    (candidates, the greedy, evaluations) stop where they are and the plan so far is used;
    `cut`: the caller leaves work undone for it (the command then says so)."""
    deadline = _limit.get()
    if deadline is None or now() < deadline:
        return False
    if cut:
        reached.set(True)
    return True


# set once a step stopped for the limit, so that the command can say so
reached: ContextVar[bool] = ContextVar("planner_limit_reached", default=False)


@dataclass
class Clock:
    deadline: float  # time.monotonic() at which the solve must end
    work: float = 0.0  # deterministic seconds the searches took

    def left(self) -> float:
        return self.deadline - now()


_clock: ContextVar[Clock | None] = ContextVar("planner_clock", default=None)


def current() -> Clock | None:
    return _clock.get()


def start(clock: Clock | None) -> Any:
    """Make `clock` the running solve's (None: a solve that races the clock); a token for `stop`."""
    return _clock.set(clock)


def stop(token: Any) -> None:
    _clock.reset(token)


def wall_left() -> float | None:
    """Wall-clock seconds a deterministic solve has left, if one is running."""
    clock = _clock.get()
    return None if clock is None else clock.left()


def cap(seconds: float) -> float:
    """A search's wall-clock limit, within what the running deterministic solve has left."""
    left = wall_left()
    return seconds if left is None else max(0.2, min(seconds, left))


def spent(solver: Any) -> None:
    """Count a finished CP-SAT search's deterministic time as the running solve's work."""
    clock = _clock.get()
    if clock is not None:
        clock.work += solver.deterministic_time


__all__ = ["Clock", "current", "start", "stop", "wall_left", "cap", "spent", "now", "use_now", "process_start",
           "begin_command", "end_command", "command_start", "limit_to", "unlimit", "hand_over", "over", "reached"]
