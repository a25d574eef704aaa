"""The baseline: a plan drawn up the way a publicity officer would by hand, scored by the solver.

By hand means no optimisation and no look-ahead, fixed dates first, as on a wall calendar:
key-date activities on the key date (or the nearest day its window allows); the weekly
三时三地 sessions and online posts on the first free slots of each week; then venue by
venue in the order the plan lists them, the visits 五进 asks each period (twice for a
high-risk venue where 6+ precision says so), each on the first slot its windows and the
minimum gap allow; last, every officer out once a month where 全警反诈 asks it. Each activity gets the first free
people in the staff list who fit, those of the venue's own area first. Nothing is added
for reach, the lecture share or app installs: those are what optimisation is for.

It keeps every hard rule (it is built on the greedy's bookkeeping), month by month like
the solver on large plans, and is scored with the solver's own model with exactly this
plan fixed, so its objective, unmet goals and plan.json compare one to one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from planner.calendar import CampaignCalendar, build_calendar
from planner.candidates import generate_candidates
from planner.capacity import Quota
from planner.greedy import Greedy, GreedyPlan
from planner.loader import LoadedPlan
from planner.search import Run, Solution, assemble, choose_strategy, incumbent_from_greedy
from planner.tactics import PositionType, travel_minutes
from planner.tactics.staffing import ONLINE_AREA, eligible_area, fits

EVALUATION_SECONDS = 600.0  # scoring a fixed plan is one propagation; this only guards a runaway


class ByHand(Greedy):
    """The greedy's bookkeeping of hard rules, with a person's choices instead of its own."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self._staff_order: dict[str | None, list[int]] = {}

    def staff_for(self, i: int, force: int | None = None, local: bool = False
                  ) -> list[tuple[int, PositionType | None]] | None:
        """The first free people in list order who fit, the venue's own area first."""
        ctx = self.ctx
        c = ctx.cands[i]
        st = self.st[i]
        picked: list[tuple[int, PositionType | None]] = []
        taken: set[int] = set()
        for p in st.team:
            if not self.free(p, i):
                return None
            picked.append((p, None))
            taken.add(p)
        slots = [pt for pt, n in st.positions.items() for _ in range(n)]
        slots.sort(key=lambda pt: (-len(pt[1]), pt[0] == "*", pt))  # the lecturer before "anyone"
        area = (c.area or "") if c.venue else ONLINE_AREA
        if force is not None and force not in taken:
            spot = next((k for k, pt in enumerate(slots) if fits(ctx.staff[force], pt)), None)
            if spot is None or not self.free(force, i) or not eligible_area(ctx, force, area, c.venue):
                return None
            picked.append((force, slots.pop(spot)))
            taken.add(force)
        venue_area = c.area if c.venue else None
        if venue_area not in self._staff_order:
            self._staff_order[venue_area] = sorted(
                range(len(ctx.staff)), key=lambda p: (travel_minutes(ctx.plan, ctx.staff[p].area, venue_area), p))
        for pt in slots:
            p = next((p for p in self._staff_order[venue_area] if p not in taken and fits(ctx.staff[p], pt)
                      and eligible_area(ctx, p, area, c.venue) and self.free(p, i)), None)
            if p is None:
                return None
            picked.append((p, pt))
            taken.add(p)
        return picked

    def first_slots(self, options: list[int], wanted: int, have: int = 0) -> int:
        for i in sorted(options, key=lambda i: (self.ctx.cands[i].day, self.ctx.cands[i].start_min, i)):
            if have >= wanted:
                break
            if self.add(i):
                have += 1
        return have

    def run(self) -> GreedyPlan:
        """Fixed dates first, as on a wall calendar: key dates, the weekly quotas, venue by
        venue, then the officers; the quotas nobody fills by hand (reach, shares) are left."""
        mine = [q for q in self.quotas if q.by_hand]
        for q in mine:
            if q.kind == "key_date":
                self.on_key_date(q)
        for q in mine:
            if q.kind == "count" and q.venue is None:
                self.first_slots(self.options(q), int(q.required), self.have(q))
        self.venue_by_venue([q for q in mine if q.kind == "count" and q.venue is not None])
        for q in mine:
            if q.kind == "person":
                self.person_quota(q)  # the greedy's: each officer onto the first activity they fit, day by day
        return self.plan

    def on_key_date(self, q: Quota) -> None:
        ctx = self.ctx
        order = {v.id: n for n, v in enumerate(ctx.plan.venues)}
        near = q.near
        assert near is not None and q.key_date is not None
        options = self.options(q)
        options.sort(key=lambda i: (abs((ctx.cands[i].date - near).days), order.get(ctx.cands[i].venue, -1),
                                    ctx.cands[i].start_min, i))
        have = 0
        for i in options:
            if have >= q.required:
                break
            if self.add(i):
                self.plan.key_dates[i] = q.key_date
                have += 1

    def venue_by_venue(self, quotas: list[Quota]) -> None:
        """Each venue's visits, period by period: the most any quota asks of it (五进, twice
        for a high-risk venue where 6+ precision says so)."""
        wanted: dict[tuple[str, int], Quota] = {}
        for q in quotas:
            assert q.venue is not None and q.period is not None
            key = (q.venue, q.period.first)
            if key not in wanted or q.required > wanted[key].required:
                wanted[key] = q
        order = {v.id: n for n, v in enumerate(self.ctx.plan.venues)}
        for key in sorted(wanted, key=lambda k: (order[k[0]], k[1])):
            q = wanted[key]
            self.first_slots(self.options(q), int(q.required), self.have(q))


@dataclass
class Baseline:
    solution: Solution
    plan_seconds: float  # candidates and the hand plan: what drawing it up takes
    score_seconds: float  # scoring it with the solver's model (not part of the baseline's time)


def by_hand(loaded: LoadedPlan, calendar: CampaignCalendar | None = None, *, seed: int = 1) -> Baseline:
    """The hand-made plan, part by part as the solver would cut the campaign, scored exactly."""
    started = time.monotonic()
    calendar = calendar or build_calendar(loaded.plan)
    strategy = choose_strategy(loaded, calendar)
    run = Run(loaded, calendar, strategy, None, 1, seed, started, None)
    plan_seconds = score_seconds = 0.0
    for n, days in enumerate(strategy.chunks):
        mark = time.monotonic()
        cset = generate_candidates(loaded, calendar, days=days)
        ctx = run.build(cset, days, days, run.carry, "prepare")
        run.active += len(ctx.cands)
        incumbent = incumbent_from_greedy(ctx, ByHand(ctx).run())
        plan_seconds += time.monotonic() - mark
        mark = time.monotonic()
        result = run.evaluate(cset, days, incumbent, ctx.cands, time.monotonic() + EVALUATION_SECONDS)
        run.finish(result, "feasible", None, last=n == len(strategy.chunks) - 1)
        score_seconds += time.monotonic() - mark
    solution = assemble(run, run.activities)
    solution.solve_seconds = round(plan_seconds, 2)
    return Baseline(solution, plan_seconds, score_seconds)


__all__ = ["ByHand", "Baseline", "by_hand"]
