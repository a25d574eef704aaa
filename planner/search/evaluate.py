"""A fixed plan scored by the search's own model, rule by rule, over a window of days.

`Evaluator(loaded, calendar, cset, window, held, facts=..., extra=...)` builds the
person-level model of `window` once: the plan's activities there (`held`) and candidates
that could be added (`extra`) are its activities; the rest of the plan (`facts`) is fixed
outside it, counted as the search counts the rest of a plan around a window of days.
Each evaluation then fixes which activities are held and by whom (CP-SAT assumptions on
the same model, so that two plans are scored by exactly the same rules) and reads the
objective back per (tactic, rule): `evaluate` for a plan staffed as given, `best` for a
plan with one more activity, staffed by the model from a set of people. Differences
between two evaluations are what a change to the plan costs or gains (planner.suggest).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from planner.calendar import CampaignCalendar
from planner.candidates import Candidate, CandidateSet
from planner.loader import LoadedPlan
from planner.search.build import Incumbent, build_person, exact_positions, people_to_keep
from planner.search.run import EVALUATION_SECONDS
from planner.search.solver import extract, make_solver, solve_model
from planner.tactics import SCALE, Carry, PositionType
from planner.tactics.base import PersonCtx

Fact = tuple[Candidate, tuple[str, ...], int | None]  # an activity outside the model: staff, key date


@dataclass
class Evaluation:
    """A plan as the model scores it: the objective, split by (tactic, rule) in weight units."""

    objective: float
    terms: dict[tuple[str, str], float]
    staff: dict[str, tuple[str, ...]]  # candidate id → who goes
    positions: dict[str, PositionType] = field(default_factory=dict)  # `best`: the added people's positions

    def minus(self, other: Evaluation) -> dict[tuple[str, str], float]:
        """Term by term, what this plan costs more than `other` (negative: it gains)."""
        keys = sorted(set(self.terms) | set(other.terms))
        return {k: self.terms.get(k, 0.0) - other.terms.get(k, 0.0) for k in keys}


class Evaluator:
    """The model of a window of days around a fixed plan, for scoring changes to it."""

    def __init__(self, loaded: LoadedPlan, calendar: CampaignCalendar, cset: CandidateSet, window: range,
                 held: Incumbent, *, facts: Iterable[Fact] = (), extra: Iterable[str] = (), seed: int = 0,
                 area_bound: bool = False):
        self.loaded, self.calendar, self.cset, self.window = loaded, calendar, cset, window
        self.seed, self.area_bound = seed, area_bound
        self.facts = list(facts)
        self.extra = set(extra)
        self.held = dict(held)
        self.ctx = self._build()
        # an activity the model cannot hold (no longer staffable as the plan now stands)
        # stays a fact, counted but not modelled
        modelled = {c.id for c in self.ctx.cands}
        dropped = [k for k in self.held if k not in modelled]
        if dropped:
            self.facts += [self.held.pop(k) for k in dropped]
            self.ctx = self._build()
        self.base = self.evaluate(self.held)

    def _build(self) -> PersonCtx:
        carry = Carry([(c, staff) for c, staff, _ in self.facts])
        for _, _, key in self.facts:
            if key is not None:
                carry.key_date_credit[key] = carry.key_date_credit.get(key, 0) + 1
        ctx = build_person(self.loaded, self.calendar, self.cset, days=self.window, carry=carry,
                           area_bound=self.area_bound, horizon=range(len(self.calendar.days)),
                           only=set(self.held) | self.extra)
        self.group_of = {i: g for g, group in enumerate(ctx.groups) for i in group.cands}
        self.index = {c.id: i for i, c in enumerate(ctx.cands)}
        return ctx

    def can_open(self, cand_id: str) -> bool:
        """Whether the model holds this candidate (it drops those nobody could staff)."""
        return cand_id in self.index and cand_id not in self.held

    def evaluate(self, plan: Incumbent) -> Evaluation | None:
        """The window's model with exactly `plan` held, staffed as given; None where that
        breaks a hard rule. `plan`'s activities must be the model's (held or extra)."""
        fixed = self._activities(plan)
        on = exact_positions(self.ctx, plan, self.group_of)
        fixed += [v if key in on else v.Not() for key, v in self.ctx.u.items()]
        return self._solve(fixed, plan)

    def best(self, plan: Incumbent, cand_id: str, people: set[str], avoid: Iterable[frozenset[str]] = ()
             ) -> Evaluation | None:
        """`plan` with `cand_id` held too, staffed by the model from `people` as cheaply as
        its objective allows, never by exactly one of the sets of people in `avoid`; None
        where nobody can. `positions` says which position each added person takes."""
        i = self.index[cand_id]
        g0 = self.group_of[i]
        fixed = self._activities(plan, also=cand_id)
        on = exact_positions(self.ctx, plan, self.group_of)
        u = self.ctx.u
        free: dict[int, list[Any]] = defaultdict(list)
        for key, v in u.items():
            p, g, _ = key
            if key in on:
                fixed.append(v)
            elif g == g0 and self.ctx.staff[p].id in people:
                free[p].append(v)
            else:
                fixed.append(v.Not())
        model = self.ctx.model
        for team in avoid:
            lits = [v for p, vs in free.items() if self.ctx.staff[p].id in team for v in vs]
            if not lits:
                continue
            # a constraint that holds only where asked (an assumption), so the model stays
            # as it was for the other candidates and plans
            enforce = model.new_bool_var(f"avoid[{cand_id},{'+'.join(sorted(team))}]")
            model.add(sum(lits) <= len(team) - 1).only_enforce_if(enforce)
            fixed.append(enforce)
        result = self._solve(fixed, {**plan, cand_id: (self.ctx.cands[i], (), None)}, read=(g0, free))
        if result is None or not result.staff.get(cand_id):
            return None
        return result

    def _activities(self, plan: Incumbent, also: str | None = None) -> list[Any]:
        unknown = [k for k in plan if k not in self.index]
        if unknown:
            raise ValueError(f"not in the evaluated window's model: {', '.join(sorted(unknown))}")
        return [v if c.id in plan or c.id == also else v.Not() for c, v in zip(self.ctx.cands, self.ctx.x)]

    def _solve(self, fixed: list[Any], plan: Incumbent, read: tuple[int, dict[int, list[Any]]] | None = None
               ) -> Evaluation | None:
        model = self.ctx.model
        model.clear_assumptions()
        model.add_assumptions(fixed)
        # everything but a few staff choices is fixed: solved to the end on deterministic
        # time, so a plan scores the same however busy the machine is
        solver = make_solver(EVALUATION_SECONDS, 1, self.seed, deterministic=True, capped=False)
        try:
            status = solve_model(solver, model, None, stoppable=False)
        finally:
            model.clear_assumptions()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None

        def value(v: Any) -> int:
            return v if isinstance(v, int) else int(solver.value(v))

        result = extract(self.ctx, value, people_to_keep(self.ctx, {k: staff for k, (_, staff, _) in plan.items()}))
        terms: dict[tuple[str, str], float] = defaultdict(float)
        for g, short, _ in result.goals:
            terms[(g.tactic, g.rule)] += round(g.weight * SCALE) * short / SCALE
        for key, v in result.costs.items():
            terms[key] += v
        positions: dict[str, PositionType] = {}
        if read is not None:
            g0, free = read
            for (p, g, pt), v in self.ctx.u.items():
                if g == g0 and p in free and value(v):
                    positions[self.ctx.staff[p].id] = pt
        staff = {a.cand.id: tuple(a.staff) for a in result.activities}
        return Evaluation(solver.objective_value / SCALE, dict(terms), staff, positions)


__all__ = ["Evaluator", "Evaluation", "Fact"]
