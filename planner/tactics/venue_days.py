"""One activity per venue and day: two the same day at one venue reach the same people.

Hard: one_activity_per_venue_day; online formats: one post of a format per time slot.
The venue-day literals it leaves (`ctx.visited`) are what the 五进 rhythm and gaps count:
a tenth of the terms of counting each format, which keeps the LP small.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from planner.tactics.base import Ctx

NAME = "venue_days"
ORDER = 5  # before the tactics that count visits
CORE = True  # in every model, whichever tactics are chosen


def enabled(plan: Any) -> bool:
    return True


def add(ctx: Ctx) -> None:
    one_activity_per_venue_day(ctx)


def one_activity_per_venue_day(ctx: Ctx) -> None:
    """visited[venue, day] is the sum of the venue's activities that day, 0 or 1."""
    by_slot: dict[tuple, list] = defaultdict(list)
    for i, c in enumerate(ctx.cands):
        if c.venue is not None:
            by_slot[(c.venue, c.day)].append(ctx.x[i])
        else:
            by_slot[(c.format, c.day, c.start_min)].append(ctx.x[i])
    visited: dict[tuple[str, int], Any] = {}
    for key, vs in sorted(by_slot.items(), key=lambda kv: (kv[0][1], str(kv[0][0]), kv[0][2:])):
        if len(key) == 2:
            if len(vs) == 1:
                visited[key] = vs[0]
            else:
                visited[key] = ctx.model.new_bool_var(f"visited[{key[0]},{key[1]}]")
                ctx.model.add(visited[key] == sum(vs))
                ctx.hard("one_activity_per_venue_day")
        elif len(vs) > 1:
            ctx.model.add_at_most_one(vs)
    ctx.visited = visited


__all__ = ["add", "enabled", "one_activity_per_venue_day"]
