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
from planner.greedy import Greedy, GreedyPlan
from planner.loader import LoadedPlan
from planner.search import Run, Solution, assemble, choose_strategy, incumbent_from_greedy
from planner.tactics import PositionType, prorated, travel_minutes
from planner.tactics import five_into as five_into_mod
from planner.tactics.key_dates import owns
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
        ctx = self.ctx
        cands = ctx.cands
        tactics = ctx.plan.tactics
        six = tactics.six_plus
        if tactics.key_dates and tactics.key_dates.min_activities:
            self.on_key_dates(tactics.key_dates.min_activities)
        for k, line in enumerate(tactics.three_times_three_places or []):
            if line.per_week:
                for period in ctx.periods("week"):
                    if ctx.in_chunk(period):
                        self.first_slots([i for i in range(len(cands)) if cands[i].line == k
                                          and period.first <= cands[i].day <= period.last],
                                         prorated(line.per_week, period.fraction),
                                         self.count(period, lambda c, k=k: c.line == k))
        if six and six.online and six.online.posts_per_week:
            for period in ctx.periods("week"):
                if ctx.in_chunk(period):
                    self.first_slots([i for i in self.by_venue.get(None, ()) if period.first <= cands[i].day
                                      <= period.last], prorated(six.online.posts_per_week, period.fraction),
                                     self.count(period, lambda c: c.venue is None))
        if tactics.five_into:
            self.venue_by_venue()
        if tactics.all_police and tactics.all_police.at_least:
            self.officers()  # the greedy's: each officer onto the first activity they fit, day by day
        return self.plan

    def count(self, period, keep) -> int:
        """Activities already planned in a period (this part's and the earlier parts')."""
        cands = self.ctx.cands
        mine = sum(1 for i in self.chosen if period.first <= cands[i].day <= period.last and keep(cands[i]))
        return mine + self.ctx.carried(period, keep)

    def on_key_dates(self, wanted: int) -> None:
        ctx = self.ctx
        order = {v.id: n for n, v in enumerate(ctx.plan.venues)}
        for k, key in enumerate(ctx.calendar.key_dates):
            if not owns(ctx, k):
                continue
            options = [i for i, c in enumerate(ctx.cands) if k in c.key_dates]
            options.sort(key=lambda i: (abs((ctx.cands[i].date - key.date).days), order.get(ctx.cands[i].venue, -1),
                                        ctx.cands[i].start_min, i))
            have = ctx.carry.key_date_credit.get(k, 0)
            for i in options:
                if have >= wanted:
                    break
                if self.add(i):
                    self.plan.key_dates[i] = k
                    have += 1

    def venue_by_venue(self) -> None:
        ctx = self.ctx
        cands = ctx.cands
        plist, each = five_into_mod.periods(ctx)
        rule = ctx.plan.tactics.five_into.every_venue
        precision = ctx.plan.tactics.six_plus.precision if ctx.plan.tactics.six_plus else None
        for venue in five_into_mod.venues(ctx):
            times = float(getattr(precision, ctx.venues[venue].risk)) if precision else 1.0
            for period in plist:
                if not ctx.in_chunk(period):
                    continue
                base = each if rule.per == "campaign" else prorated(each, period.fraction)
                wanted = max(base, round(each * times) if rule.per == "campaign"
                             else prorated(each * times, period.fraction))
                options = [i for i in self.by_venue.get(venue, ()) if period.first <= cands[i].day <= period.last]
                self.first_slots(options, wanted, self.count(period, lambda c, v=venue: c.venue == v))


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
