"""Fix-and-optimise: a plan improved a window of days at a time, the rest of it fixed."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from typing import Any

from planner import clock as clock_mod
from planner import interrupt
from planner.candidates import CandidateSet
from planner.search.build import HINT_SECONDS, Incumbent, complete_hint, hint_full, incumbent_of
from planner.search.solver import run_chunk
from planner.search.strategy import Strategy
from planner.tactics.base import Carry, PersonCtx

WINDOW_DAYS = 7  # fix-and-optimise windows: a week, then weeks shifted by half a week
LONG_WINDOW_DAYS = 14  # where a round of them fits in the part's time, the windows start this long
LONGEST_WINDOW_DAYS = 28
WINDOW_SECONDS = 2.0  # most time one window gets
SHORTEST_WINDOW_SECONDS = 0.25
WINDOW_VARIABLES_PER_SECOND = 5000  # a window's time: its model's variables at this rate, within those
MAX_PASSES = 4  # of one size of windows
WINDOW_BUILD_VARIABLES_PER_SECOND = 4000  # building a window's model and its hint (Harbin: 3,500 to 9,000)
DETERMINISTIC_RATE = 0.8  # deterministic seconds of search per second of a part's share


def window_starts(days: range, size: int) -> list[int]:
    """Windows of `size` days, then the same shifted by half a window."""
    if len(days) <= size:
        return [days[0]]
    starts = list(range(days[0], days[-1] + 1, size))
    return starts + [d + size // 2 for d in starts if d + size // 2 <= days[-1]]


class WindowSearch:
    """The windows of one solve (`planner.search.run.Run` is one): its state is the run's
    window size, the window it carries on from, and what building a window took."""

    strategy: Strategy
    carry: Carry
    seed: int
    deterministic: bool
    stats: defaultdict[str, Any]
    window_days: int
    window_next: int
    window_overhead: dict[int, float]

    def build_person(self, cset: CandidateSet, days: range, horizon: range, carry: Carry, **kw: Any) -> PersonCtx:
        raise NotImplementedError

    def report(self, objective: float | None, bound: float | None, stage: str, phase: str) -> None:
        raise NotImplementedError

    def windows(self, cset: CandidateSet, days: range, incumbent: Incumbent, deadline: float | None,
                phase: str, budget: float = 0.0, until: threading.Thread | None = None) -> Incumbent:
        """Fix-and-optimise: re-solve one window of days with the rest of the plan fixed.

        Until `deadline` (wall clock), the windows go round in order, carrying on where the
        part's previous call stopped (the windows run while the LP does stopped part-way);
        when a whole round improves nothing, or after MAX_PASSES rounds, windows twice as long
        (a larger neighbourhood) get the time left. Or, deterministically, as many windows
        (at most a round) as `budget` seconds hold, by each one's cost estimated from the
        plan's size (building a window's model takes longer than its short search)."""
        last = days[-1]
        size = self.window_days
        starts = window_starts(days, size)
        solved = since_improved = 0
        count = len(starts)
        if deadline is None:
            variables = self.strategy.per_day * size
            search = max(SHORTEST_WINDOW_SECONDS, min(WINDOW_SECONDS, variables / WINDOW_VARIABLES_PER_SECOND))
            count = min(len(starts), int(budget // (variables / WINDOW_BUILD_VARIABLES_PER_SECOND + search)))
        while True:
            if deadline is None and (solved >= count or (clock_mod.wall_left() or 1.0) <= 0):
                break
            if deadline is not None and (since_improved >= len(starts) or solved >= MAX_PASSES * len(starts)):
                # twice as long, while a window stays half the part or less
                if 2 * size > LONGEST_WINDOW_DAYS or 4 * size > len(days) or not self.strategy.exact:
                    break
                size = self.window_days = 2 * size
                starts = window_starts(days, size)
                self.window_next = solved = since_improved = 0
            if until is not None and not until.is_alive():
                return incumbent
            if interrupt.requested():
                return incumbent
            k = self.window_next % len(starts)
            began = time.monotonic()
            overhead = self.window_overhead.get(size, 0.0)
            if deadline is not None:
                # a window starts only if building it, as the last one took, leaves time to solve
                if deadline - began - overhead <= 0.05:
                    return incumbent
            self.window_next += 1
            solved += 1
            since_improved += 1
            window = range(starts[k], min(starts[k] + size, last + 1))
            ctx = self.build_person(cset, window, days, self.fixed_outside(incumbent, window))
            inside = {i: v for i, v in incumbent.items() if v[0].day in window}
            hint_full(ctx, inside)
            before = complete_hint(ctx.model, self.seed, time_limit=HINT_SECONDS if deadline is None
                                   else max(0.5, min(HINT_SECONDS, deadline - time.monotonic())))
            if before is None:
                self.window_overhead[size] = time.monotonic() - began
                continue
            if deadline is not None:
                # bigger windows need longer to improve on their hint (measured: a station week,
                # 1,800 variables, a quarter-second; a district week, 6,500, a second or more)
                # (longer windows search for moves across weeks: their full time)
                wanted = WINDOW_SECONDS if size > WINDOW_DAYS else max(
                    SHORTEST_WINDOW_SECONDS, len(ctx.model.proto.variables) / WINDOW_VARIABLES_PER_SECOND)
                limit = max(0.1, min(deadline - time.monotonic(), wanted, WINDOW_SECONDS))
            else:
                limit = search * DETERMINISTIC_RATE
            result = run_chunk(ctx, time_limit=limit, workers=1, seed=self.seed,
                               deterministic=self.deterministic, neighbourhood=True)
            self.window_overhead[size] = time.monotonic() - began - result.seconds
            self.stats["windows"] += 1
            if result.status != "empty" and result.objective < before - 1e-9:
                for i in inside:
                    del incumbent[i]
                incumbent.update(incumbent_of(result.activities))
                self.stats["windows_improved"] += 1
                since_improved = 0
            self.report(None, None, f"{size}-day windows, round {(self.window_next - 1) // len(starts) + 1}, "
                        f"window {k + 1}/{len(starts)}", phase)
        return incumbent

    def fixed_outside(self, incumbent: Incumbent, window: range) -> Carry:
        """What the earlier parts and the plan's activities outside `window` settle, for a
        model of the window alone."""
        fixed = Carry(self.carry.activities + [(c, staff) for c, staff, _ in incumbent.values()
                                               if c.day not in window], dict(self.carry.key_date_credit))
        for c, _, key in incumbent.values():
            if key is not None and c.day not in window:
                fixed.key_date_credit[key] = fixed.key_date_credit.get(key, 0) + 1
        return fixed


__all__ = ["WindowSearch", "window_starts", "WINDOW_DAYS", "LONG_WINDOW_DAYS", "WINDOW_SECONDS",
           "DETERMINISTIC_RATE"]
