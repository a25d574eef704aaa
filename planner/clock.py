"""The clock of a deterministic solve: its wall-clock end, and the work its searches did.

A deterministic solve budgets every search in CP-SAT's deterministic time (a count of work,
the same on every run), so the same plan and seed give the same plan whatever the machine
is doing. Its wall-clock end only stops searches where the machine is much slower than the
budget assumes; `work` is what plan.json reports, so that it too is the same on every run.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass
class Clock:
    deadline: float  # time.monotonic() at which the solve must end
    work: float = 0.0  # deterministic seconds the searches took

    def left(self) -> float:
        return self.deadline - time.monotonic()


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


__all__ = ["Clock", "current", "start", "stop", "wall_left", "cap", "spent"]
