"""A constraint verifier in the shape of Timefold's: one tiny plan, one fixed assignment, one
tactic's rules, and what each rule says about it.

`verify_rule(body, tactic, assignment)` writes the plan (a station head plus `body`), builds
the person-level CP-SAT model with only that tactic (and the core modules every model has),
fixes every activity and who goes to it, and solves: milliseconds, as nothing is left to
search. The verdict says whether the assignment keeps the hard rules, and per rule the units
short and the penalty (in weight units, as the score shows them).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from ortools.sat.python import cp_model

from planner.calendar import build_calendar
from planner.candidates import Candidate, generate_candidates
from planner.loader import LoadedPlan, load_plan
from planner.search import build_person, hint_full
from planner.tactics import SCALE
from planner.tactics.registry import by_name

HEAD = """version: 1
station: {name: 测试派出所}
campaign: {name: 测试, start: START, end: END, holidays: none}
"""

# (venue or None for online, format, "YYYY-MM-DD HH:MM", staff ids)
Assigned = tuple[str | None, str, str, list[str]]


@dataclass
class Verdict:
    feasible: bool
    short: dict[tuple[str, str], int] = field(default_factory=dict)  # (tactic, rule) → units short
    penalty: dict[tuple[str, str], float] = field(default_factory=dict)  # (tactic, rule) → weight units
    hard: dict[str, int] = field(default_factory=dict)  # hard rule → constraints in the model
    key_dates: dict[str, str] = field(default_factory=dict)  # activity id → key date it is credited to

    def rule(self, tactic: str, rule: str) -> float:
        """A rule's penalty (0 where the rule is met or has no goal in this plan)."""
        return round(self.penalty.get((tactic, rule), 0.0), 6)


def load(body: str, start: str = "2026-06-01", end: str = "2026-06-14") -> LoadedPlan:
    folder = Path(tempfile.mkdtemp(prefix="rules-"))
    path = folder / "plan.yaml"
    path.write_text(HEAD.replace("START", start).replace("END", end) + body, encoding="utf-8")
    return load_plan(path)


def find(cands: list[Candidate], venue: str | None, fmt: str, when: str) -> Candidate | None:
    day, clock = when.split(" ")
    hours, minutes = clock.split(":")
    start = int(hours) * 60 + int(minutes)
    return next((c for c in cands if c.venue == venue and c.format == fmt and str(c.date) == day
                 and c.start_min == start), None)


def verify_rule(body: str, tactic: str | list[str], assignment: list[Assigned], *, start: str = "2026-06-01",
                end: str = "2026-06-14", modules: list[ModuleType] | None = None) -> Verdict:
    """The assignment's verdict under `tactic`'s rules (a name, or several; `modules`: exactly
    these modules, to see a model without one). Raises LookupError for an activity that is no
    candidate of the model (outside every window, or nobody could ever staff it)."""
    loaded = load(body, start, end)
    calendar = build_calendar(loaded.plan)
    cset = generate_candidates(loaded, calendar)
    names = [tactic] if isinstance(tactic, str) else tactic
    mods = modules if modules is not None else [by_name(n) for n in names]
    ctx = build_person(loaded, calendar, cset, modules=mods)
    plan = {}
    for venue, fmt, when, staff in assignment:
        c = find(ctx.cands, venue, fmt, when)
        if c is None:
            raise LookupError(f"{venue} {fmt} {when} is no candidate of the model")
        plan[c.id] = (c, tuple(sorted(staff)), None)
    hint_full(ctx, plan, fix=True)  # each activity, and each person on one of its positions they fit
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    status = solver.solve(ctx.model)
    verdict = Verdict(status in (cp_model.OPTIMAL, cp_model.FEASIBLE), hard=dict(ctx.hard_rules))
    if not verdict.feasible:
        return verdict

    def value(v: object) -> int:
        return v if isinstance(v, int) else int(solver.value(v))  # type: ignore[arg-type]

    short: dict[tuple[str, str], int] = defaultdict(int)
    penalty: dict[tuple[str, str], float] = defaultdict(float)
    for g in ctx.goals:
        short[(g.tactic, g.rule)] += value(g.short)
        penalty[(g.tactic, g.rule)] += g.weight * value(g.short)
    for c in ctx.costs:
        penalty[(c.tactic, c.rule)] += sum(k * value(v) for v, k in c.terms) / SCALE
    verdict.short, verdict.penalty = dict(short), dict(penalty)
    chosen = {i for i, x in enumerate(ctx.x) if value(x)}
    for m in ctx.modules:
        if hasattr(m, "credits"):
            for i, k in m.credits(ctx, chosen, value).items():
                verdict.key_dates[ctx.cands[i].id] = calendar.key_dates[k].id
    return verdict
