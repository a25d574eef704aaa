"""Reach: spare staff time goes where the most people are met.

Soft (weights.reach per REACH_PER people, a reward): offline activities by the people they
reach; online views are not people met, and posts are asked for by number. Off when the
plan asks for just enough (`solver.fill: goals`, planner.tactics.fill).
"""

from __future__ import annotations

from typing import Any

from planner.tactics.base import Ctx

NAME = "reach"
ORDER = 1000  # its reward is the objective's last term
CORE = True  # in every model, whichever tactics are chosen
REACH_PER = 100  # weights.reach is per this many people reached


def enabled(plan: Any) -> bool:
    return plan.solver.fill != "goals"  # just enough (planner.tactics.fill): no reward for more


def add(ctx: Ctx) -> None:
    if not enabled(ctx.plan):  # a core module: in the model whatever enabled() says
        return
    ctx.cost(NAME, "reach", [(ctx.x[i], -c.reach / REACH_PER) for i, c in enumerate(ctx.cands) if c.venue], "reach")


__all__ = ["add", "enabled", "REACH_PER"]
