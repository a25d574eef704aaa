"""The tactics as constraint modules over one CP-SAT model.

Each module adds what its tactic means to a shared `Ctx`, in the style of OR-Tools'
shift_scheduling_sat.py and Timefold's constraints.py: one small named function per rule.
A hard rule is a constraint; a soft rule is a `Goal` (a shortfall variable with a weight,
a required amount and a reason if unmet) or a `Cost` (weighted terms, e.g. travel). That
keeps every cost explainable after solving: the score is the sum of the goals and costs of
each tactic, and every unmet goal names its venue or person, its period and why.

A module (found by planner.tactics.registry) has `NAME`, `ORDER` (where it builds the
model: lower first), `enabled(plan)`, optionally `prepare(ctx)` (before the activity
variables exist: adjust needs, drop candidates) and `add(ctx)`; `CORE = True` when the model
needs it whichever tactics are chosen. A tactic switched off in the plan adds nothing.
The shared types live in planner.tactics.base, which imports no tactic module.
"""

from __future__ import annotations

from planner.tactics.base import (
                                  MAX_TRAVEL_MINUTES,
                                  PAIRED_KINDS,
                                  PARTS,
                                  SCALE,
                                  Carry,
                                  Cost,
                                  Ctx,
                                  Goal,
                                  Need,
                                  Period,
                                  PositionType,
                                  availability,
                                  campaign_periods,
                                  explain_venue,
                                  part_of,
                                  prorated,
                                  reachable,
                                  travel_minutes,
)
from planner.tactics.registry import all_modules

__all__ = ["PARTS", "part_of", "availability", "Ctx", "Goal", "Cost", "Need", "Period", "Carry", "PositionType",
           "SCALE", "PAIRED_KINDS", "campaign_periods", "explain_venue", "prorated", "travel_minutes", "reachable",
           "MAX_TRAVEL_MINUTES", "all_modules"]
