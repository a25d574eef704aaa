"""What a search returns: the plan's activities, its unmet goals, its score per tactic.

These are the search's public result types: plan.json, the outputs and re-planning read them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from planner.calendar import CampaignCalendar
from planner.candidates import Candidate
from planner.loader import LoadedPlan
from planner.messages import N_, _
from planner.tactics import fairness as fairness_mod

# with a weak bound; the LP with cuts (max_lp) and core-based bounding close it.
PORTFOLIO = ["max_lp", "core", "quick_restart", "default_lp", "reduced_costs", "pseudo_costs"]


# --- results -------------------------------------------------------------------------------------------


@dataclass
class Progress:
    """A live view of the search, for a progress display."""

    objective: float | None
    bound: float | None
    gap: float | None  # relative, 0.01 = 1%
    elapsed: float
    phase: str  # e.g. "2026-06..2026-08" or "month 3/12"
    solutions: int = 0


@dataclass
class PlannedActivity:
    cand: Candidate
    staff: list[str]
    key_date: int | None = None  # index into calendar.key_dates
    theme: str | None = None
    audiences: list[str] = field(default_factory=list)
    tactics: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.cand.id


@dataclass
class Unmet:
    tactic: str
    rule: str
    venue: str | None
    person: str | None
    period: str | None
    why: str
    short: int
    required: int
    unit: str
    where: str = ""  # FILE:LINE of the rule in the plan


@dataclass
class TacticScore:
    penalty: float
    met: int
    required: int


@dataclass
class Solution:
    loaded: LoadedPlan
    calendar: CampaignCalendar
    status: str  # optimal | feasible
    objective: float
    bound: float | None  # None: no true bound known (a plan in months without its LP in time)
    solve_seconds: float
    activities: list[PlannedActivity]
    unmet: list[Unmet]
    score: dict[str, TacticScore]
    reach: int
    installs: float
    stats: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # a deterministic solve's searches in CP-SAT's deterministic seconds: the same every run
    work_seconds: float | None = None
    # why the search stopped (planner.search.run.STOP_REASONS) and when its final plan was
    # found: seconds from the command's start, and in deterministic seconds (a deterministic solve)
    stopped: str = "time_limit"
    found_seconds: float | None = None
    found_work: float | None = None

    @property
    def gap(self) -> float | None:
        return None if self.bound is None else relative_gap(self.objective, self.bound)

    def summary(self) -> "Summary":
        return summarize(self)


@dataclass
class Summary:
    """What a publicity officer reads after solving (planner.report renders it)."""

    status: str
    objective: float
    bound: float | None
    gap: float | None
    solve_seconds: float
    activities: int
    reach: int
    installs: float
    score: dict[str, TacticScore]
    per_week: list[tuple[str, dict[str, int]]]  # week → format → activities
    load: list[tuple[str, str, Any, int, int]]  # staff id, name, role, activities, capacity
    unmet: list[Unmet]
    notes: list[str]
    stopped: str = "time_limit"  # why the search stopped (planner.search.run.STOP_REASONS)
    found_seconds: float | None = None  # when its final plan was found, seconds from the command's start
    gap_limit: float = 0.01  # solver.gap


class NoPlanError(Exception):
    """Nothing at all can be scheduled: the plan's hard rules leave no activity possible."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("no activity can be scheduled:\n" + "\n".join(lines))




def summarize(solution: Solution) -> Summary:
    plan = solution.loaded.plan
    weeks: dict[str, Counter] = defaultdict(Counter)
    for a in solution.activities:
        y, w, _ = a.cand.date.isocalendar()
        weeks[f"{y}-W{w:02d}"][a.cand.format] += 1
    load: Counter = Counter()
    for a in solution.activities:
        load.update(a.staff)
    n = len(solution.calendar.days)
    rows = [(s.id, s.name, s.role, load[s.id], fairness_mod.capacity(plan, solution.calendar, i, n))
            for i, s in enumerate(plan.staff)]
    return Summary(solution.status, solution.objective, solution.bound, solution.gap, solution.solve_seconds,
                   len(solution.activities), solution.reach, solution.installs, solution.score,
                   sorted((k, dict(v)) for k, v in weeks.items()), rows, solution.unmet, solution.notes,
                   solution.stopped, solution.found_seconds, plan.solver.gap)



__all__ = ["Progress", "PlannedActivity", "Unmet", "TacticScore", "Solution", "Summary", "NoPlanError", "summarize",
           "STOP_WORDS", "stop_words"]


def relative_gap(objective: float, bound: float) -> float:
    """How far the plan's objective is from the solver's bound, relative (0.01 = 1%)."""
    return abs(objective - bound) / max(1.0, abs(objective))


#: why a search stopped, as the terminal says it
STOP_WORDS = {
    "optimal": N_("stopped: the best possible plan was found"),
    "within_gap": N_("stopped: the plan is proven within {gap:.0%} of the best possible (solver.gap)"),
    "stalled": N_("stopped: the search found no better plan for a while"),
    "time_limit": N_("stopped: the time limit was reached"),
    "interrupted": N_("stopped: interrupted"),
}


def stop_words(stopped: str, gap: float) -> str:
    """Why the search stopped, in the words the terminal uses."""
    return _(STOP_WORDS.get(stopped, STOP_WORDS["time_limit"])).format(gap=gap)


def closeness(status: str, gap: float | None, parts: int = 1) -> str:
    """How close the plan is to the best possible, in words for a publicity officer (never
    "objective", "bound" or "gap"); "" where the bound says little (a gap over 100%, which is
    the bound's weakness, not the plan's). `gap` None: no bound was had in time (a campaign
    solved month by month whose whole LP did not fit), and the words say it is not known. A
    campaign in parts is never called proven: each part was searched given the ones before."""
    if gap is None:
        return _("how close this plan is to the best possible is not known (no bound in the time limit)")
    if status == "optimal" and parts <= 1:
        return _("the best possible plan (proven)")
    if gap > 1.0:
        return ""
    if gap < 0.005:
        return _("within 0.5% of the best possible")
    if gap <= 0.2:
        return _("within about {gap:.0%} of the best possible").format(gap=max(gap, 0.01))
    return _("may still be improved: more time (--time-limit) may give a better plan")
