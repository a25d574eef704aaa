"""Rest after a 24-hour duty: nobody goes out in the morning after a night on duty.

Hard: rest_after_duty: a person whose rota has them on duty ('on') one day starts no
activity before their duty.rest_after (default 12:00) the next day. It is an
availability rule (`ctx.not_before`), so the master, the person-level model and the
greedy plan all keep it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from planner.tactics.base import Ctx

NAME = "duty_rest"
ORDER = 8  # an availability rule: before staffing reads availability
CORE = True  # a rota is the person's, whichever tactics the plan uses


def enabled(plan: Any) -> bool:
    return any(s.duty is not None for s in plan.staff)


def prepare(ctx: Ctx) -> None:
    for p, person in enumerate(ctx.staff):
        duty = person.duty
        if duty is None:
            continue
        rest = duty.rest_minutes()
        if rest <= 0:  # rest_after 00:00: no rest asked
            continue
        for d in ctx.days:
            if duty.on(ctx.date(d) - timedelta(days=1)):
                ctx.not_before[(p, d)] = max(rest, ctx.not_before.get((p, d), 0))


def add(ctx: Ctx) -> None:
    ctx.hard("rest_after_duty", sum(1 for p, d in ctx.not_before if ctx.available[p][d]))


__all__ = ["enabled", "prepare", "add"]
