"""Fill (`solver.fill`): "just enough" against "every cap filled to chase reach" (issue 17).

`reach` (the default): spare staff time goes to reach (planner.tactics.reach), so every
weekly limit tends to be filled. `goals`: every offline activity costs weights.fill (below
any goal's weight, so no goal goes short to save one), the reach reward is off and the greedy
plan leaves spare time spare: the plan meets the goals with the fewest activities, and the
fairness rule spreads them over the people. Soft (weights.fill per offline activity).
"""

from __future__ import annotations

from typing import Any

from planner.tactics.base import Ctx

NAME = "fill"
ORDER = 1001  # a price on the plan as a whole, after the goals
RANK = 95  # last in the score: what the plan cost, not a goal


def enabled(plan: Any) -> bool:
    return goals(plan) and plan.weights.fill > 0


def goals(plan: Any) -> bool:
    """Whether the plan asks for just enough (`solver.fill: goals`)."""
    return plan.solver.fill == "goals"


def add(ctx: Ctx) -> None:
    ctx.cost(NAME, "activities", [(ctx.x[i], 1.0) for i, c in enumerate(ctx.cands) if c.venue], "fill")


def greedy_spare(ctx: Ctx) -> bool:
    """Whether the greedy plan spends spare staff time (reach): not when just enough is asked."""
    return False


__all__ = ["add", "enabled", "goals", "greedy_spare"]
