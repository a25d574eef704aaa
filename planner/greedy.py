"""A greedy plan: quotas first, in order of weight, then reach; every hard rule kept.

The quotas are the tactic modules' own (their `greedy_quotas`, see planner.capacity.Quota):
the greedy knows kinds of quota, not tactics.

Where options are equally good it takes the day with the fewest offline activities so far
(the spread rule's crammed days): filled in day order, a month's visits all went to its
first days and the search kept them.

It gives CP-SAT a complete starting point (a hint), which matters far more than any
parameter on these models, and it is the fallback when the solver has no plan in time.
It keeps the same hard rules as the person-level model: one activity per venue a day,
min_gap_days at 五进 venues, each person available, at most one activity per part of a
day, no overlap once travel between areas is added, max_activities_per_week, typed
positions, teams as a unit, staff kept in their area on large plans.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from planner import clock
from planner.candidates import Candidate
from planner.capacity import Quota
from planner.formats import home_areas
from planner.tactics import Ctx, PositionType, all_modules, part_of, travel_minutes
from planner.tactics.five_into import min_gap_days, too_close
from planner.tactics.staffing import ONLINE_AREA, augment, eligible_area, fits


@dataclass
class GreedyPlan:
    chosen: list[int] = field(default_factory=list)  # indexes into ctx.cands
    staff: dict[int, list[tuple[int, PositionType | None]]] = field(default_factory=dict)  # None: team
    key_dates: dict[int, int] = field(default_factory=dict)  # candidate → key date it is themed for


class Greedy:
    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self.st = ctx.staffing
        self.plan = GreedyPlan()
        self.chosen: set[int] = set()
        self.venue_days: dict[str, set[int]] = defaultdict(set)
        self.slots: set[tuple] = set()
        self.busy: dict[tuple[int, int], list[tuple[int, int, str | None, int]]] = defaultdict(list)
        self.week_load: dict[tuple[int, str], int] = defaultdict(int)
        self.load: dict[int, int] = defaultdict(int)
        self.gap = {v.id: min_gap_days(ctx.plan, v.kind) for v in ctx.plan.venues}
        self.claims = {p: set(s.claims) for p, s in enumerate(ctx.staff)}
        self.claimed = {v for cl in self.claims.values() for v in cl}
        self.fitting: dict[tuple, list[int]] = {}  # (position type, area, venue) → who may fill it
        self.acts_of: dict[int, list[int]] = defaultdict(list)  # person → candidates they took
        self.by_day: dict[int, list[int]] = defaultdict(list)
        for i, c in enumerate(ctx.cands):
            self.by_day[c.day].append(i)
        self.by_venue: dict[str | None, list[int]] = defaultdict(list)
        for i, c in enumerate(ctx.cands):
            self.by_venue[c.venue].append(i)
        self.w_travel = ctx.weight("travel")
        self.home = home_areas(ctx.plan)  # team → home area (None: works everywhere)
        self.prefer: set[tuple] = set()  # (person, day, part, area) the master put to work
        self.priority: list[float] | None = None  # LP values: candidates the LP takes come first
        self.w_reach = ctx.weight("reach")
        self.w_targets = ctx.weight("targets")
        self.quotas = quotas(ctx)
        # targets (ceiling quotas) and what they hold so far: a format short of its target is
        # worth its weight more to any quota that may pick it (a venue's visit may as well be
        # the door-to-door round the station is judged on), and the spare-time fill serves the
        # format least far along its target first
        self.ceilings = [q for q in self.quotas if q.ceiling and q.period is not None]
        self.ceiling_held: list[int] = []
        share = next((q for q in self.quotas if q.kind == "share"), None)
        self.share = share.required if share else 0.0
        self.share_counts: Callable[[Candidate], bool] = share.counts if share else (lambda c: False)
        self.credited: set[int] = set()  # candidates credited to a key date
        self.worked = ctx.carry.days_worked()
        self.day_load: dict[int, int] = defaultdict(int)  # offline activities a day, chosen and carried
        self.chosen_offline = 0  # offline activities chosen here (the model's days)
        # what a tactic leaves room for on a day, for activities no goal asks for (spread)
        self.room = [m.greedy_room(ctx) for m in all_modules() if hasattr(m, "greedy_room") and m.enabled(ctx.plan)]
        self.offline = sum(1 for c, _ in ctx.carry.activities if c.venue)
        self.lectures_held = sum(1 for c, _ in ctx.carry.activities if self.share_counts(c))
        self.ceiling_held = [ctx.carried(q.period, q.counts) for q in self.ceilings if q.period is not None]
        for c, staff in ctx.carry.activities:
            if c.venue:
                self.venue_days[c.venue].add(c.day)
                self.day_load[c.day] += 1
            for sid in staff:
                p = ctx.staff_index[sid]
                self.week_load[(p, ctx.week(c.day))] += 1
                self.load[p] += 1
                self.busy[(p, c.day)].append((c.start_min, c.end_min, c.area, part_of(c.start_min)))

    # --- one activity ---------------------------------------------------------------------------

    def venue_ok(self, i: int) -> bool:
        c = self.ctx.cands[i]
        if c.venue is None:
            return (c.format, c.day, c.start_min) not in self.slots
        if (c.venue, c.day) in self.slots:
            return False
        gap = self.gap[c.venue]
        return not too_close(gap, c.day, self.venue_days[c.venue])

    def free(self, p: int, i: int) -> bool:
        ctx = self.ctx
        c = ctx.cands[i]
        person = ctx.staff[p]
        if not ctx.free_at(p, c.day, c.start_min):
            return False
        if self.week_load[(p, ctx.week(c.day))] >= person.max_activities_per_week:
            return False
        part = part_of(c.start_min)
        area = c.area if c.venue else None
        for s, e, a, q in self.busy[(p, c.day)]:
            if q == part:
                return False
            t = travel_minutes(ctx.plan, a, area)
            if c.start_min < e + t and s < c.end_min + t:
                return False
        return True

    def staff_for(self, i: int, force: int | None = None, local: bool = False
                  ) -> list[tuple[int, PositionType | None]] | None:
        """People for candidate i's positions: its team, then the scarcest positions first,
        each given to the free person who fits with the least travel (claimants and people
        in `self.prefer` for that slot first), or None."""
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
        # the scarcest positions first, so a lecturer is not spent on a plain police place
        slots.sort(key=lambda pt: (-len(pt[1]), pt[0] == "*", pt))
        area = (c.area or "") if c.venue else ONLINE_AREA
        part = part_of(c.start_min)
        if force is not None and force not in taken:
            spot = next((k for k, pt in enumerate(slots) if fits(ctx.staff[force], pt)), None)
            if spot is None or not self.free(force, i) or not eligible_area(ctx, force, area, c.venue):
                return None
            picked.append((force, slots.pop(spot)))
            taken.add(force)
        if st.choices:  # one of its teams fills every position: try each, the home team first
            home = self.home
            for team in sorted(st.choices, key=lambda t: (home.get(t) not in (None, c.area), t)):
                mine = self._fill(i, slots, picked, taken, local, part, area, team)
                if mine is not None:
                    return mine
            return None
        return self._fill(i, slots, picked, taken, local, part, area, None)

    def _fill(self, i: int, slots: list[PositionType], picked: list[tuple[int, PositionType | None]],
              taken: set[int], local: bool, part: int, area: str, team: str | None
              ) -> list[tuple[int, PositionType | None]] | None:
        """The slots filled one by one (by `team`'s members only, if given), or None."""
        ctx = self.ctx
        c = ctx.cands[i]
        picked, taken = list(picked), set(taken)
        if team is not None:  # a matching within the team: slot by slot may spend its one officer on a plain place
            if any(ctx.staff[p].team != team for p, _ in picked):
                return None
            pool = [p for p, person in enumerate(ctx.staff) if person.team == team and p not in taken
                    and self.free(p, i) and eligible_area(ctx, p, area, c.venue)
                    and not (local and travel_minutes(ctx.plan, person.area, c.area if c.venue else None))]
            pool.sort(key=lambda p: (self.load[p] / max(1, ctx.staff[p].max_activities_per_week), p))
            holder: dict[int, int] = {}

            def options(p: int) -> list[int]:
                return [k for k, pt in enumerate(slots) if fits(ctx.staff[p], pt)]

            for p in pool:
                augment(p, options, holder, set())
            if len(holder) < len(slots):
                return None
            return picked + [(holder[k], slots[k]) for k in range(len(slots))]
        for pt in slots:
            best, best_key = None, None
            key_fit = (pt, area, c.venue if c.venue in self.claimed else None)
            if key_fit not in self.fitting:
                self.fitting[key_fit] = [p for p, person in enumerate(ctx.staff)
                                         if fits(person, pt) and eligible_area(ctx, p, area, c.venue)]
            for p in self.fitting[key_fit]:
                person = ctx.staff[p]
                if p in taken or not self.free(p, i) or (team is not None and person.team != team):
                    continue
                cap = max(1, person.max_activities_per_week)
                travel = travel_minutes(ctx.plan, person.area, c.area if c.venue else None)
                if local and travel:
                    continue
                # a specialist on a plain place is a lecture (or post) the plan may miss later
                spare_skills = sum(1 for s in person.skills if s not in pt[1])
                key = (0 if (p, c.day, part, c.area or "") in self.prefer else 1, travel, spare_skills,
                       0 if c.venue in self.claims[p] else 1, self.load[p] / cap, p)
                if best_key is None or key < best_key:
                    best, best_key = p, key
            if best is None:
                return None
            picked.append((best, pt))
            taken.add(best)
        return picked

    def add(self, i: int, force: int | None = None, local: bool = False, worth: float | None = None) -> bool:
        """Add candidate i if it can be staffed (by people of its area only, if `local`;
        only if its travel costs less than `worth`, if given)."""
        if i in self.chosen or not self.venue_ok(i):
            return False
        if clock.over(cut=True):  # the command's time is up: the plan so far is the floor
            return False
        people = self.staff_for(i, force, local)
        if people is None:
            return False
        ctx = self.ctx
        c = ctx.cands[i]
        if worth is not None:
            travel = sum(travel_minutes(ctx.plan, ctx.staff[p].area, c.area) for p, _ in people) / 10
            if travel * self.w_travel >= worth:
                return False
        _commit(self, i, people)
        return True

    def lp_first(self, options: list[int]) -> list[int]:
        """Options in the LP's order (stable: ties keep the greedy order), when there is one."""
        priority = self.priority
        if priority is None:
            return options
        return sorted(options, key=lambda i: -priority[i])

    def lectures_behind(self) -> bool:
        """Whether the lecture share 6+ asks for is behind, counting one more offline activity."""
        return self.share > 0 and self.lectures_held < self.share * (self.offline + 1)

    def fill(self, options: list[int], wanted: int, have: int = 0, ranks: list | None = None) -> int:
        first: Callable[[int], Any] | None = None
        if self.priority is not None:
            priority = self.priority
            first = lambda i: -priority[i]  # noqa: E731
        elif self.lectures_behind():  # a visit 五进 asks for may as well be the lecture 6+ asks for
            first = lambda i: not self.share_counts(self.ctx.cands[i])  # noqa: E731
        roomy = self.roomy
        # days with room first, then any (a quota is met on a full day rather than not at
        # all); the venue's own area first: travel costs
        for crowded in (False, True):
            for local in (True, False):
                for i in self.spread_out(options, ranks, first):
                    if have >= wanted:
                        return have
                    if (crowded or roomy(i)) and self.add(i, local=local):
                        have += 1
        return have

    def roomy(self, i: int) -> bool:
        """Whether candidate i's day has room under the spread rule (where it is on)."""
        c = self.ctx.cands[i]
        return not c.venue or all(room(c.day, self.day_load[c.day], self.chosen_offline) for room in self.room)

    def spread_out(self, options: list[int], ranks: list | None = None,
                   first: Callable[[int], Any] | None = None) -> Iterator[int]:
        """The options by `first` (if given), then their rank (how good they are, in the order
        given where there are no ranks), then on the day with the fewest offline activities at
        the time (a lazy heap: a day's load only grows), then in the order given."""
        cands, load = self.ctx.cands, self.day_load

        def key(k: int) -> tuple:
            i = options[k]
            return (first(i) if first else 0, ranks[k] if ranks is not None else k,
                    load[cands[i].day] if cands[i].venue else 0, k)

        heap = [(key(k), k) for k in range(len(options))]
        heapq.heapify(heap)
        while heap:
            was, k = heap[0]
            now = key(k)
            if now != was:
                heapq.heapreplace(heap, (now, k))
                continue
            heapq.heappop(heap)
            yield options[k]

    # --- the tactics' quotas, in order of weight ---------------------------------------------------

    def run(self) -> GreedyPlan:
        ctx = self.ctx
        cands = ctx.cands
        fill = {"count": self.count_quota, "key_date": self.key_date_quota, "person": self.person_quota,
                "share": self.share_quota, "sum": self.sum_quota}
        for q in self.quotas:
            if clock.over(cut=True):
                return self.plan
            fill[q.kind](q)
        if not all(m.greedy_spare(ctx) for m in all_modules() if hasattr(m, "greedy_spare") and m.enabled(ctx.plan)):
            return self.plan  # just enough (planner.tactics.fill): spare time stays spare
        # spare time to reach, keeping the lecture share where it is asked for
        per_person = sorted((i for i in range(len(cands)) if cands[i].venue),
                            key=lambda i: (-cands[i].reach / max(1, self._heads(i)), cands[i].day, cands[i].id))
        ranks = [-cands[i].reach / max(1, self._heads(i)) for i in per_person]
        priority = self.priority
        filled = self.filled
        # the format least far along its target first (a lazy key: it only grows): no format
        # goes past its target while one short of its own can still take an activity, and
        # spare time past the targets keeps their mix rather than all going to the widest reach
        # (by reach per head, stalls took the grid workers Litong's door-to-door target needed)
        first = (lambda i: (filled(i), -priority[i])) if priority is not None else filled
        for local in (True, False):
            for i in self.spread_out(per_person, ranks, first):
                if clock.over(cut=True):
                    return self.plan
                if not self.share_counts(cands[i]) and self.lectures_behind():
                    continue
                if not self.roomy(i):
                    continue
                self.add(i, local=local, worth=self.w_reach * cands[i].reach / 100)
        return self.plan

    def ceilings_of(self, i: int) -> list[int]:
        """The ceiling quotas (targets) candidate i counts towards."""
        c = self.ctx.cands[i]
        return [k for k, q in enumerate(self.ceilings)
                if q.period is not None and q.period.first <= c.day <= q.period.last and q.counts(c)]

    def short_of(self, i: int) -> bool:
        """Whether candidate i counts towards a target not yet met."""
        held, ceilings = self.ceiling_held, self.ceilings
        return any(held[k] < ceilings[k].required for k in self.ceilings_of(i))

    def filled(self, i: int) -> float:
        """How far candidate i's format is along its target, in quarters (the least-filled
        target it counts towards; 1 for a format with none)."""
        mine = self.ceilings_of(i)
        if not mine:
            return 1.0
        held, ceilings = self.ceiling_held, self.ceilings
        return min(int(4 * held[k] / max(1, ceilings[k].required)) / 4 for k in mine)

    def worth_per_head(self, i: int, goal_weight: str) -> float:
        """What a visit that meets a goal is worth per person it takes: staff time is what runs
        out on a large plan, so the goal is met with the fewest people unless reach says otherwise."""
        target = self.w_targets if self.ceilings and self.short_of(i) else 0.0
        return (self.ctx.weight(goal_weight) + target + self.w_reach * self.ctx.cands[i].reach / 100) \
            / max(1, self._heads(i))

    def _heads(self, i: int) -> int:
        st = self.st[i]
        return len(st.team) + sum(st.positions.values())

    def ranked(self, q: Quota) -> tuple[list[int], list | None]:
        """A quota's options in its order, and each one's rank: its order up to "day" or "id",
        where the rest only breaks ties (a tie goes to the least-loaded day). None: no ranks
        (the order is kept; an order with no day in it: a key date's nearest days first)."""
        out = self.options(q)
        cut = next((k for k, o in enumerate(q.order) if o in ("day", "id")), None)
        if cut is None or "near" in q.order:
            return out, None
        parts = self._parts(q)
        return out, [tuple(parts[o](i) for o in q.order[:cut]) for i in out]

    def _parts(self, q: Quota) -> dict[str, Callable[[int], Any]]:
        cands = self.ctx.cands
        near = q.near
        return {"worth": lambda i: -self.worth_per_head(i, q.weight), "reach": lambda i: -cands[i].reach,
                "day": lambda i: cands[i].day, "id": lambda i: cands[i].id, "installs": lambda i: -cands[i].installs,
                "near": lambda i: abs((cands[i].date - near).days) if near else 0}

    def options(self, q: Quota) -> list[int]:
        """The candidates a quota counts (in its period), in the order it asks for."""
        cands = self.ctx.cands
        pool = self.by_venue.get(q.venue, ()) if q.venue is not None else range(len(cands))
        period = q.period
        if period is not None:  # the cheap test first: most of the pool is outside the period
            first, last = period.first, period.last
            pool = [i for i in pool if first <= cands[i].day <= last]
        counts = q.counts
        out = [i for i in pool if counts(cands[i])]
        if not q.order:
            return out
        parts = self._parts(q)
        key = [parts[o] for o in q.order]
        if len(key) == 1:
            return sorted(out, key=key[0])
        return sorted(out, key=lambda i: tuple(f(i) for f in key))

    def have(self, q: Quota) -> int:
        """Activities a count quota already has: chosen here, or fixed (earlier parts, the rest of the plan)."""
        cands, period = self.ctx.cands, q.period
        assert period is not None
        # a venue's quota looks at that venue's candidates only: the chosen are many
        pool = (i for i in self.by_venue.get(q.venue, ()) if i in self.chosen) if q.venue is not None else self.chosen
        mine = sum(1 for i in pool if period.first <= cands[i].day <= period.last and q.counts(cands[i])) \
            if q.counts_chosen else 0
        return mine + self.ctx.carried(period, q.counts)

    def count_quota(self, q: Quota) -> None:
        options, ranks = self.ranked(q)
        self.fill(options, int(q.required), self.have(q), ranks)

    def key_date_quota(self, q: Quota) -> None:
        """A key date's themed activities: one already chosen for another quota counts too."""
        have = 0
        options = self.lp_first(self.options(q))
        # days with room under the spread rule first (20 themed activities nearest a publicity
        # month's date crammed its first day), then any
        for crowded in (False, True):
            for i in options:
                if have >= q.required:
                    return
                if i in self.credited:
                    continue
                if (i in self.chosen) or ((crowded or self.roomy(i)) and self.add(i)):
                    self.credited.add(i)
                    assert q.key_date is not None
                    self.plan.key_dates[i] = q.key_date
                    have += 1

    def person_quota(self, q: Quota) -> None:
        """One person's activities in a period: day by day, onto the first activity they fit."""
        ctx = self.ctx
        cands = ctx.cands
        p, period = q.person, q.period
        assert p is not None and period is not None
        person = ctx.staff[p]
        have = sum(1 for i in self.acts_of[p] if period.first <= cands[i].day <= period.last)
        have += sum(1 for d in self.worked.get(person.id, ()) if period.first <= d <= period.last)
        # the quietest days first (a month's officers all out on its first days made them crammed)
        for d in sorted(period.days(), key=lambda d: (self.day_load[d], d)):
            if have >= q.required:
                break
            for i in self.by_day.get(d, ()):
                if have >= q.required:
                    break
                if cands[i].venue and any(fits(person, pt) for pt in self.st[i].positions) \
                        and self.add(i, force=p):
                    have += 1

    def share_quota(self, q: Quota) -> None:
        priority = self.priority
        options, ranks = self.ranked(q)
        for i in self.spread_out(options, ranks, (lambda i: -priority[i]) if priority is not None else None):
            if self.lectures_held >= self.share * self.offline:
                break
            self.add(i)

    def sum_quota(self, q: Quota) -> None:
        ctx = self.ctx
        cands = ctx.cands
        have = sum(q.amount(c) for c, _ in ctx.carry.activities) + sum(q.amount(cands[i]) for i in self.chosen)
        options, ranks = self.ranked(q)
        for i in self.spread_out(options, ranks):
            if have >= q.required:
                break
            if self.add(i):
                have += q.amount(cands[i])


def quotas(ctx: Ctx) -> list[Quota]:
    """What the plan's tactics ask, in the order the greedy fills it."""
    out: list[Quota] = []
    for mod in all_modules():
        if hasattr(mod, "greedy_quotas") and mod.enabled(ctx.plan):
            out += mod.greedy_quotas(ctx)
    return sorted(out, key=lambda q: q.step)


def greedy(ctx: Ctx) -> GreedyPlan:
    return Greedy(ctx).run()


def from_lp(ctx: Ctx, x: list[float], works: set[tuple]) -> list[GreedyPlan]:
    """LP rounding without a solver, two ways (the caller keeps the better): the activities
    the LP surely takes, staffed by a matching per part of a day and area as the LP staffs
    them, then the greedy passes in the LP's order; or the greedy passes alone, in the LP's
    order, preferring the people the LP puts to work."""
    plans = []
    for sure_first in (True, False):
        g = Greedy(ctx)
        g.prefer = works
        g.priority = [round(v, 2) for v in x]
        if sure_first:
            _staff_slots(g, [i for i in range(len(ctx.cands)) if x[i] > 0.5], works)
        plans.append(g.run())
    return plans


def staff_choice(ctx: Ctx, chosen: list[int], works: set[tuple]) -> GreedyPlan:
    """Staff a given choice of activities (the master's): in each part of each day and each
    area, a bipartite matching of the people the master put to work there to the positions
    (Hall's condition, which the master keeps, says one exists), claimants tried first at
    the venues they claimed. Where an overlap across parts or travel gets in the way, other
    free people fill in; an activity nobody can take is left out."""
    g = Greedy(ctx)
    g.prefer = works
    _staff_slots(g, chosen, works)
    return g.plan


def _staff_slots(g: Greedy, chosen: list[int], works: set[tuple]) -> None:
    ctx = g.ctx
    slots: dict[tuple, list[int]] = defaultdict(list)
    for i in chosen:
        c = ctx.cands[i]
        slots[(c.day, part_of(c.start_min), (c.area or "") if c.venue else ONLINE_AREA)].append(i)
    people_at: dict[tuple, list[int]] = defaultdict(list)
    for p, d, part, area in sorted(works):
        people_at[(d, part, area)].append(p)
    for key in sorted(slots, key=lambda k: (k[0], k[1], k[2])):
        acts = [i for i in sorted(slots[key], key=lambda i: (-g._heads(i), ctx.cands[i].id))
                if g.venue_ok(i) and all(g.free(p, i) for p in g.st[i].team)]
        for i in [i for i in acts if g.st[i].choices]:  # one team's people: staffed team by team
            picked = g.staff_for(i) if g.venue_ok(i) else None
            if picked is not None:
                _commit(g, i, picked)
        acts = [i for i in acts if not g.st[i].choices]
        team = {p for i in acts for p in g.st[i].team}
        people = [p for p in people_at.get(key, []) if p not in team]
        positions = [(i, pt) for i in acts for pt, n in g.st[i].positions.items() for _ in range(n)]
        holder = _match(g, positions, people)
        for i in acts:
            # again: two of the slot's activities may share a venue (an LP at 0.5 + ε on both)
            if not g.venue_ok(i):
                continue
            mine = [(holder[k], pt) for k, (j, pt) in enumerate(positions) if j == i and k in holder]
            # the team again: an activity committed before this one may have taken a member
            if len(mine) == sum(g.st[i].positions.values()) and all(g.free(p, i) for p, _ in mine) \
                    and all(g.free(p, i) for p in g.st[i].team):
                _commit(g, i, [*((p, None) for p in g.st[i].team), *mine])
            else:  # somebody the master counted on is busy across parts: anyone free
                picked = g.staff_for(i) if g.venue_ok(i) else None
                if picked is not None:
                    _commit(g, i, picked)


def _match(g: Greedy, positions: list[tuple[int, PositionType]], people: list[int]) -> dict[int, int]:
    """A maximum matching of people to positions (position index → person), by augmenting
    paths; claimants are placed first and try the positions at the venues they claimed first."""
    ctx = g.ctx
    venue_of = {k: ctx.cands[i].venue for k, (i, _) in enumerate(positions)}
    claimants = [p for p in people if any(venue_of[k] in g.claims[p] for k in venue_of)]
    order = claimants + [p for p in people if p not in claimants]
    holder: dict[int, int] = {}

    def options(p: int) -> list[int]:
        ks = [k for k, (i, pt) in enumerate(positions) if fits(ctx.staff[p], pt) and g.free(p, i)]
        return sorted(ks, key=lambda k: (venue_of[k] not in g.claims[p], k))

    opts = {p: options(p) for p in order}

    def place(p: int, seen: set[int]) -> bool:
        return augment(p, opts.__getitem__, holder, seen)

    # claimants sit at the venues they claimed, and stay there if the rest can be matched
    fixed: dict[int, int] = {}
    for p in claimants:
        k = next((k for k in opts[p] if venue_of[k] in g.claims[p] and k not in fixed), None)
        if k is not None:
            fixed[k] = p
    holder.update(fixed)
    locked = set(fixed)
    for p in order:
        if p not in fixed.values():
            place(p, set(locked))  # the claimants' places are not offered
    if len(holder) == len(positions):
        return holder
    holder.clear()  # they cannot all stay: a plain maximum matching
    for p in order:
        place(p, set())
    return holder


def _commit(g: Greedy, i: int, people: Sequence[tuple[int, PositionType | None]]) -> None:
    ctx = g.ctx
    c = ctx.cands[i]
    g.chosen.add(i)
    g.plan.chosen.append(i)
    if c.venue:
        g.offline += 1
        g.lectures_held += g.share_counts(c)
    g.plan.staff[i] = list(people)
    if c.venue:
        g.slots.add((c.venue, c.day))
        g.venue_days[c.venue].add(c.day)
        g.day_load[c.day] += 1
        g.chosen_offline += 1
    else:
        g.slots.add((c.format, c.day, c.start_min))
    for k in g.ceilings_of(i):
        g.ceiling_held[k] += 1
    for p, _ in people:
        g.acts_of[p].append(i)
        g.busy[(p, c.day)].append((c.start_min, c.end_min, c.area if c.venue else None, part_of(c.start_min)))
        g.week_load[(p, ctx.week(c.day))] += 1
        g.load[p] += 1


__all__ = ["greedy", "staff_choice", "from_lp", "GreedyPlan"]
