"""`planner replan`: a published plan re-solved from a date, changing as little as possible.

Activities before the date are kept exactly. Later ones are kept where the updated plan
still allows them; those it does not (someone on leave, a venue closed, a window changed)
are repaired a few days at a time with everything around them fixed: re-staffed if someone
else can go, else moved to a nearby day at the same venue, else cancelled, with the
plan's `weights.moved/restaffed/cancelled` as the price of each change. Goals the updated
plan leaves newly short (a new key date, a venue added) are then met by adding activities
where staff are free, again without touching what was published.

Calendar events keep their UID: a moved activity keeps its old id (its `planned_as` says
what it would be called afresh), SEQUENCE rises only on events that changed, and cancelled
events stay in plan.json's `cancelled` list so calendars withdraw them.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from datetime import time as clock_time
from typing import Any, Callable
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

from planner import clock as clock_mod
from planner import interrupt, messages
from planner.calendar import CampaignCalendar, build_calendar
from planner.candidates import Candidate, CandidateSet, activity_id, generate_candidates
from planner.changes import Changes, diff
from planner.formats import resolve_formats
from planner.loader import LoadedPlan
from planner.messages import N_
from planner.planfile import PlanFile
from planner.planjson import done_of_required
from planner.search import (
    ChunkResult,
    Incumbent,
    PlannedActivity,
    Progress,
    Run,
    Solution,
    assemble,
    choose_strategy,
    exact_positions,
    extract,
    hint_full,
    incumbent_of,
    make_solver,
    people_to_keep,
)
from planner.search.run import searchable_seconds
from planner.tactics import campaign_periods
from planner.verify import verify

REPAIR_RADIUS = 3  # days either side of a broken activity that a repair may move it within
REPAIR_SECONDS = 2.0  # most time one repair window gets
# what the updated plan breaks in an activity that stays as it is, vs what breaks the activity
IGNORED_RULES = {"stable_id", "theme", "key_date", "unique_id"}


@dataclass
class Previous:
    """One activity of the previous plan.json."""

    raw: dict[str, Any]
    id: str
    natural: str  # the id it would have if planned afresh (venue, format, date, start)
    venue: str | None
    format: str
    start: datetime
    end: datetime
    staff: tuple[str, ...]
    sequence: int
    released: set[str] = field(default_factory=set)  # people the updated plan takes off it


@dataclass
class Actual:
    """What the station recorded of a planned activity (`planner record`)."""

    outcome: str | None  # held | not_held | rescheduled; None: only figures, or nothing said
    reach: int | None = None  # people reached
    installs: int | None = None  # App installs
    reason: str | None = None  # why it was not held
    counts: dict[str, int] = field(default_factory=dict)  # the ledger's figures recorded (reached, leaflet…)


@dataclass
class Extra:
    """An activity held that the plan did not have (an extra stall), as recorded."""

    venue: str | None
    format: str
    start: datetime
    end: datetime | None
    reach: int | None = None
    installs: int | None = None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Actuals:
    planned: dict[str, Actual] = field(default_factory=dict)  # activity id → what happened
    extra: list[Extra] = field(default_factory=list)


MISSED = ("not_held", "rescheduled")


def actuals_from_records(records: Any, tz: ZoneInfo) -> Actuals:
    """`planner.records.Records` (what `load_records` reads) as re-planning needs them."""
    out = Actuals()
    for r in records.records:
        outcome = r.outcome
        reach, installs = r.counts.get("reached"), r.counts.get("installs")
        counts = {k: int(v) for k, v in r.counts.items() if v is not None}
        if not r.extra:
            out.planned[r.activity] = Actual(outcome, reach, installs, r.reason, counts)
        elif outcome in (None, "held") and r.format and r.start:
            start = datetime.combine(r.date, clock_time.fromisoformat(r.start), tz)
            end = datetime.combine(r.date, clock_time.fromisoformat(r.end), tz) if r.end else None
            out.extra.append(Extra(r.venue, r.format, start, end, reach, installs, counts))
    return out


@dataclass
class Replanned:
    solution: Solution
    data: dict[str, Any]  # the new plan.json
    changes: Changes
    from_date: date
    broken: int  # previous activities the updated plan no longer allows as they were
    stats: dict[str, Any] = field(default_factory=dict)
    missed: list[dict[str, Any]] = field(default_factory=list)  # planned, recorded as not held
    publication: Any = None  # planner.publish.Publication: what the new version changed for calendars
    held: int = 0  # planned activities recorded as held (kept, with their recorded figures)
    extra: int = 0  # activities held that the plan did not have, counted towards its goals
    unrecorded: int = 0  # activities before the date with no record (taken as held as planned)
    # per target short before the re-plan: what it was short by, what the re-plan adds (plan's language)
    targets: list[str] = field(default_factory=list)


def read_previous(plan_json: PlanFile, tz: tzinfo) -> list[Previous]:
    """The previous plan's activities (their types were checked on reading)."""
    out = []
    for activity, raw in zip(plan_json.activities, plan_json.raw["activities"]):
        start, end = activity.start.astimezone(tz), activity.end.astimezone(tz)
        natural = activity_id(activity.venue, activity.activity, start.date(), start.hour * 60 + start.minute)
        out.append(Previous(raw, activity.id, natural, activity.venue, activity.activity, start, end,
                            tuple(activity.staff), activity.sequence or 0))
    return out


def _period_days(calendar: CampaignCalendar) -> dict[str, range]:
    """Goal period labels (weeks, months, the campaign) → their days."""
    out = {"campaign": range(len(calendar.days))}
    for per in ("week", "month"):
        for p in campaign_periods(calendar, per):
            out[p.label] = p.days()
    return out


def _days_of(label: str | None, periods: dict[str, range], calendar: CampaignCalendar) -> range | None:
    if not label:
        return None
    if label in periods:
        return periods[label]
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|–|~|to)\s*(\d{4}-\d{2}-\d{2})", label.strip())
    if not m:
        return None
    first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
    inside = [i for i, d in enumerate(calendar.days) if first <= d.date <= last]
    return range(inside[0], inside[-1] + 1) if inside else None


class _Replan(Run):
    """The parts from the replan date on, repaired rather than solved afresh."""

    keep_credits = True

    def __init__(self, loaded: LoadedPlan, calendar: CampaignCalendar, strategy, workers: int, seed: int,
                 started: float, progress, later: list[Previous], broken: set[str], unmet_before: set[tuple],
                 day_of: dict[date, int], deadline: float):
        super().__init__(loaded, calendar, strategy, None, workers, seed, started, progress)
        self.later = later
        self.broken = broken
        self.unmet_before = unmet_before
        # (period, required) → units short, of the targets the previous plan left unmet
        self.targets_before: dict[tuple[str | None, int], int] = {}
        self.day_of = day_of
        self.final_deadline = deadline
        # ids the previous plan withdrew (its `cancelled`): planned again, an event comes back
        # under its UID to the calendars that had it, not as a new change to price
        self.withdrawn: set[str] = set()
        self.csets: dict[tuple[int, int], CandidateSet] = {}  # the parts' candidates, for scoring the plan
        self.periods = _period_days(calendar)
        self.key_index = defaultdict(list)
        for k, key in enumerate(calendar.key_dates):
            self.key_index[key.id].append(k)

    def key_of(self, p: Previous, cand: Candidate) -> int | None:
        return next((k for k in self.key_index.get(p.raw.get("key_date") or "", ()) if k in cand.key_dates), None)

    def part(self, n: int, days: range, share: float) -> None:
        deadline = min(self.final_deadline, time.monotonic() + share)
        phase = f"{self.calendar.days[days[0]].date}..{self.calendar.days[days[-1]].date}"
        cset = self.csets[(days.start, days.stop)] = generate_candidates(self.loaded, self.calendar, days=days)
        self.generated += len(cset.candidates)
        if n == 0:
            self.blockers = cset.blockers
        by_id = {c.id: c for c in cset.candidates}
        incumbent: Incumbent = {}
        free: set[str] = set()  # candidates a repair may change (broken, or losing people)
        keep_staff: dict[str, tuple[str, ...]] = {}
        touched: dict[int, set[str | None]] = defaultdict(set)  # day → venues that lost an activity there
        for p in self.later:
            day = self.day_of.get(p.start.date())
            if day is None or day not in days:
                continue
            cand = by_id.get(p.natural)
            if cand is None or cand.end_min - cand.start_min != int((p.end - p.start).total_seconds() // 60):
                touched[day].add(p.venue)  # no longer possible as it was: moved or cancelled
                continue
            staff = tuple(s for s in p.staff if s not in p.released)
            incumbent[cand.id] = (cand, staff, self.key_of(p, cand))
            keep_staff[cand.id] = staff
            if p.id in self.broken:
                free.add(cand.id)
                touched[day].add(p.venue)
        for window, venues in _windows(touched, days):
            incumbent = self.repair(cset, days, window, incumbent, free, keep_staff, venues, deadline, phase)
        pool = list(cset.candidates)
        result = self.evaluate(cset, days, incumbent, pool, deadline)
        # goals the updated plan leaves newly short: add what staff have time for
        extra: dict[tuple[int, int], set[str | None] | None] = {}
        for g, short, _required in result.goals:
            if short <= 0 or (g.tactic, g.venue, g.period) in self.unmet_before:
                continue
            if g.tactic == "targets" and short <= self.targets_before.get((g.period, _required), 0):
                continue  # no wider than the previous plan left it: asked again only where the records widened it
            span = _days_of(g.period, self.periods, self.calendar)
            if span is None:
                continue
            first, last = max(span[0], days[0]), min(span[-1], days[-1])
            if first > last:
                continue
            key = (first, last)
            if g.venue is None or extra.get(key, set()) is None:
                extra[key] = None  # any venue
            else:
                at = extra.setdefault(key, set())
                assert at is not None  # the branch above took the None case
                at.add(g.venue)
        if extra:
            for (first, last), extra_venues in sorted(extra.items()):
                if time.monotonic() > deadline - self.last_evaluation:
                    break
                incumbent = self.repair(cset, days, range(first, last + 1), incumbent, set(), keep_staff, extra_venues,
                                        deadline, phase)
            result = self.better(cset, days, incumbent, pool, deadline, result)
        self.active += len(incumbent)
        self.finish(result, "feasible", None)

    def repair(self, cset: CandidateSet, days: range, window: range, incumbent: Incumbent, free: set[str],
               keep_staff: dict[str, tuple[str, ...]], venues: set[str | None] | None, deadline: float,
               phase: str) -> Incumbent:
        """Re-solve `window` with everything but the `free` activities fixed; new activities
        only at `venues` (None: anywhere); each change costs its weight."""
        plan = self.loaded.plan
        w_moved, w_cancelled, w_restaffed = plan.weights.moved, plan.weights.cancelled, plan.weights.restaffed
        fixed = self.fixed_outside(incumbent, window)
        inside = {i: v for i, v in incumbent.items() if v[0].day in window}
        kept = {i: v for i, v in inside.items() if i not in free}
        left = deadline - time.monotonic() - self.last_evaluation
        if left <= 0:  # the command's time is up: the broken activities are cancelled, the rest kept
            self.stats["repairs_skipped"] += 1
            return {**{k: v for k, v in incumbent.items() if k not in inside}, **kept}
        allowed = set(inside) | {c.id for c in cset.candidates
                                 if c.day in window and (venues is None or c.venue in venues)}
        ctx = self.build_person(cset, window, days, fixed, only=allowed)
        model = ctx.model
        group_of = {i: g for g, group in enumerate(ctx.groups) for i in group.cands}
        u = ctx.u
        for i, c in enumerate(ctx.cands):
            if c.id in kept:
                model.add(ctx.x[i] == 1)
        for key in exact_positions(ctx, kept, group_of):
            model.add(u[key] == 1)
        if self.keep_credits:  # the untouched keep their key-date credits, as evaluate keeps them
            index = {c.id: i for i, c in enumerate(ctx.cands)}
            for m in ctx.modules:
                if hasattr(m, "keep_credits"):
                    m.keep_credits(ctx, {index[k]: v[2] for k, v in kept.items() if v[2] is not None and k in index},
                                   {index[k] for k, v in kept.items() if v[2] is None and k in index})
        # the price of each change, per venue: dropping a published activity is a cancellation
        # unless an activity added at the same venue takes its place (a move)
        dropped: dict[str | None, list] = defaultdict(list)
        added: dict[str | None, list] = defaultdict(list)
        terms: list[tuple[Any, float]] = []
        for i, c in enumerate(ctx.cands):
            if c.id in kept:
                continue
            if c.id in inside:
                dropped[c.venue].append(ctx.x[i].Not())
                for s in keep_staff.get(c.id, ()):
                    p = ctx.staff_index.get(s)
                    on = [v for (q, g, _), v in u.items() if q == p and g == group_of[i]] if p is not None else []
                    off = model.new_bool_var(f"restaffed[{c.id},{s}]")
                    model.add(off >= ctx.x[i] - sum(on)) if on else model.add(off >= ctx.x[i])
                    terms.append((off, w_restaffed))
            elif c.id not in self.withdrawn:
                added[c.venue].append(ctx.x[i])
        for v in set(dropped) | set(added):
            terms += [(lit, w_cancelled) for lit in dropped[v]] + [(lit, w_moved) for lit in added[v]]
            if dropped[v] and added[v]:
                moved = model.new_int_var(0, min(len(dropped[v]), len(added[v])), f"moved[{v}]")
                model.add(moved <= sum(dropped[v]))
                model.add(moved <= sum(added[v]))
                terms.append((moved, -w_cancelled))  # a move, not a cancellation plus an addition
        ctx.cost("changes", "changes", terms, 1.0)
        model.minimize(sum(k * v for v, k in ctx.objective_terms()) + ctx.constant_penalty())
        hint_full(ctx, inside)
        limit = REPAIR_SECONDS if self.deterministic else \
            max(0.2, min(REPAIR_SECONDS, deadline - time.monotonic() - self.last_evaluation))
        solver = make_solver(limit, self.workers, self.seed, self.deterministic)
        # deterministic budgets too end at the command's limit (another run may then differ)
        solver.parameters.max_time_in_seconds = min(solver.parameters.max_time_in_seconds, max(0.2, left))
        with interrupt.solving(solver):
            status = solver.solve(model)
        self.stats["repairs"] += 1
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            value: Callable[[Any], int] = lambda v: v if isinstance(v, int) else solver.value(v)  # noqa: E731
            found = extract(ctx, value, people_to_keep(ctx, keep_staff))
            chosen = {(a.cand.id, tuple(a.staff)) for a in found.activities}
            # the untouched must stay exactly as they were
            result: ChunkResult | None = found if all((k, v[1]) in chosen for k, v in kept.items()) else None
        else:
            result = None
        out = {k: v for k, v in incumbent.items() if k not in inside}
        if result is None:  # nothing better in time: the broken activities are cancelled
            self.stats["repairs_failed"] += 1
            out.update(kept)
        else:
            out.update(incumbent_of(result.activities))
        self.report(None, None, f"repairing {self.calendar.days[window[0]].date}", phase)
        return out


def _windows(touched: dict[int, set[str | None]], days: range) -> list[tuple[range, set[str | None]]]:
    """Days around the broken activities, merged where they overlap, with the venues that may
    take a moved activity."""
    spans: list[list] = []
    for day in sorted(touched):
        first, last = max(days[0], day - REPAIR_RADIUS), min(days[-1], day + REPAIR_RADIUS)
        if spans and first <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], last)
            spans[-1][2] |= touched[day]
        else:
            spans.append([first, last, set(touched[day])])
    return [(range(a, b + 1), v) for a, b, v in spans]


def _broken(previous: list[Previous], loaded: LoadedPlan, calendar: CampaignCalendar, since: date) -> set[str]:
    """Ids of activities from `since` on that the updated plan breaks; people it takes off an
    activity (leave, duty, left the station) are set in `released`."""
    by_id = {p.id: p for p in previous}
    staff = {s.id for s in loaded.plan.staff}
    broken: set[str] = set()
    # the independent checker knows every hard rule; ids kept by earlier replans are not its business
    checked = {"activities": [{**p.raw, "id": p.natural, "staff": [s for s in p.staff if s in staff]}
                              for p in previous]}
    natural = {p.natural: p for p in previous}
    later = {p.id for p in previous if p.start.date() >= since}
    for p in previous:
        gone = {s for s in p.staff if s not in staff}
        if gone and p.id in later:
            p.released |= gone
            broken.add(p.id)
    for v in verify(checked, loaded, calendar):
        if v.rule in IGNORED_RULES:
            continue
        if v.activity is None:
            if v.rule == "max_activities_per_week" and v.staff:
                m = re.search(r"(\d{4})-W(\d{2})", v.message)
                if m:
                    year, week = int(m.group(1)), int(m.group(2))
                    for p in previous:
                        if p.id in later and v.staff in p.staff and p.start.isocalendar()[:2] == (year, week):
                            broken.add(p.id)
            continue
        hit = natural.get(v.activity)
        if hit is None or hit.id not in later:
            continue
        if v.rule in ("available", "rest_after_duty") and v.staff:
            hit.released.add(v.staff)
        broken.add(hit.id)
    return {b for b in broken if b in by_id}


def replan(loaded: LoadedPlan, previous_plan: PlanFile, since: date, *,
           progress: Callable[[Progress], None] | None = None, time_limit: float | None = None,
           workers: int | None = None, seed: int | None = None, actuals: Actuals | None = None,
           retry_unmet: bool = False) -> Replanned:
    """Re-solve the updated plan from `since`, keeping the previous plan.json before it.

    `actuals`: what the station recorded. Held activities are facts, kept exactly, their
    recorded reach and installs counting; planned ones recorded as not held are missed: they
    leave the plan (calendars withdraw them) and the goals they served reopen, met later in
    their period where staff have time, else reported unmet with why; extra activities held
    count towards the goals of their days. `retry_unmet`: also try again the goals the previous
    plan left unmet (`planner plan` over an earlier plan: the updated plan may allow them now)."""
    plan = loaded.plan
    # the limit covers the whole command, from its start (a library call: from here)
    started = clock_mod.command_start()
    if started is None:
        started = time.monotonic()
    calendar = build_calendar(plan)
    tz = ZoneInfo(plan.station.timezone)
    previous = read_previous(previous_plan, tz)
    limit = time_limit if time_limit is not None else plan.solver.time_limit.total_seconds()
    workers = workers if workers is not None else plan.solver.workers
    workers = workers or os.cpu_count() or 1
    seed = seed if seed is not None else plan.solver.seed
    day_of = {d.date: i for i, d in enumerate(calendar.days)}
    actuals = actuals or Actuals()

    def outcome(p: Previous) -> str | None:
        actual = actuals.planned.get(p.id)
        return actual.outcome if actual is not None else None

    missed = [p for p in previous if outcome(p) in MISSED]
    frozen = [p for p in previous if p.start.date() < since and outcome(p) not in MISSED]
    later = [p for p in previous if p.start.date() >= since]
    # a missed later activity is repaired (moved near its day, or cancelled); a held one stays
    broken = (_broken(previous, loaded, calendar, since) | {p.id for p in later if outcome(p) in MISSED}) \
        - {p.id for p in later if outcome(p) == "held"}
    # the targets are asked again: what was missed, or held short of the plan, widens their gap
    unmet_before = set() if retry_unmet else {(u.tactic, u.venue, u.period) for u in previous_plan.unmet
                                              if u.tactic != "targets"}
    targets_before: dict[tuple[str | None, int], int] = {}
    for u in previous_plan.unmet if not retry_unmet else ():
        counted = done_of_required(u.why) if u.tactic == "targets" else None
        if counted is not None:  # targets sharing a period and a figure: the largest shortfall
            slot = (u.period, counted[1])
            targets_before[slot] = max(targets_before.get(slot, 0), counted[1] - counted[0])
    strategy = choose_strategy(loaded, calendar)
    whole = list(strategy.chunks)
    first = next((i for i, d in enumerate(calendar.days) if d.date >= since), len(calendar.days))
    chunks = [range(max(c[0], first), c[-1] + 1) for c in strategy.chunks if c[-1] >= first]
    strategy.chunks = chunks
    # the repairs hand over by then, leaving the rest for scoring the plan and writing outputs
    searchable = searchable_seconds(plan, len(calendar.days), limit)
    run = _Replan(loaded, calendar, strategy, workers, seed, started, progress, later, broken, unmet_before,
                  day_of, started + searchable)
    run.targets_before = targets_before
    run.withdrawn = {a.id for a in previous_plan.cancelled}
    # what happened before the date counts towards this period's goals, as it was: as the
    # candidate it was planned as (its 三时三地 line, its key dates), where the plan still has it
    formats = resolve_formats(plan)
    venues = {v.id: v for v in plan.venues}
    generated = {c.id: c for c in generate_candidates(loaded, calendar, days=range(first)).candidates} \
        if first else {}
    frozen_planned: list[PlannedActivity] = []
    facts: set[str] = set()  # recorded as held: counted with their recorded figures, as they were
    staff_ids = {s.id for s in plan.staff}
    for p in frozen:
        cand = generated.get(p.natural)
        if cand is None or cand.end_min - cand.start_min != int((p.end - p.start).total_seconds() // 60):
            cand = _frozen_candidate(p, calendar, day_of, venues, formats, tz)
        if cand is None:
            continue
        actual = actuals.planned.get(p.id)
        if actual is not None and actual.outcome in (None, "held"):
            cand = _as_recorded(cand, actual)
            facts.add(cand.id)
            run.carry.recorded[cand.id] = actual.counts
        key = next((k for k in run.key_index.get(p.raw.get("key_date") or "", ())), None)
        staff = tuple(s for s in p.staff if s in staff_ids)
        run.carry.activities.append((cand, staff))
        if key is not None:
            run.carry.key_date_credit[key] = run.carry.key_date_credit.get(key, 0) + 1
        frozen_planned.append(PlannedActivity(cand, list(staff), key, p.raw.get("theme"),
                                              list(p.raw.get("audiences") or [])))
    extra = _extras(actuals.extra, since, generated, calendar, day_of, venues, formats, tz, run.carry.recorded)
    run.carry.activities += [(c, ()) for c in extra]
    total = sum(len(c) for c in chunks)
    budget = searchable * 0.9
    for n, days in enumerate(chunks):
        if interrupt.requested():  # Ctrl-C: the caller writes nothing
            break
        left = max(1.0, budget - (time.monotonic() - started))
        share = left * len(days) / max(1, total - sum(len(c) for c in chunks[:n]))
        run.part(n, days, share)
    by_natural = {p.natural: p for p in previous}

    def keep_theme(a: PlannedActivity) -> tuple[str, list[str]] | None:
        p = by_natural.get(a.cand.id)
        if p is None or not isinstance(p.raw.get("theme"), str):
            return None
        return p.raw["theme"], [x for x in p.raw.get("audiences") or () if isinstance(x, str)]

    # the plan is scored as a plan is: the campaign's own parts, each evaluated with the
    # activities it holds fixed and their published key-date credits kept, so an unchanged
    # plan scores (and is labelled) exactly as it was published
    scored = Run(loaded, calendar, replace(strategy, chunks=whole), None, workers, seed, started, progress)
    scored.keep_credits = True
    scored.carry.recorded = run.carry.recorded  # held activities count for the targets as recorded
    planned = _score(scored, frozen_planned + run.activities, set(p.natural for p in frozen), facts, extra,
                     run.csets)
    scored.stats.update(run.stats)
    scored.generated, scored.active, scored.blockers = run.generated, run.active, run.blockers
    solution = assemble(scored, planned, keep_theme)
    if run.stats.get("repairs_skipped"):
        m = messages.for_language(messages.chosen(plan.campaign.language))  # the terminal's language
        solution.notes.append(m._("the time limit was reached before every affected activity could be moved; "
                                  "those left were cancelled (give solver.time_limit more time)"))
    _say_missed(solution, missed, actuals, run.periods, calendar)
    effect = target_effect(loaded, since, [(a.cand, run.carry.recorded.get(a.cand.id)) for a in frozen_planned]
                           + [(c, run.carry.recorded.get(c.id)) for c in extra],
                           [(p.format, p.start.date(), float(p.raw.get("reach") or 0)) for p in later
                            if outcome(p) not in MISSED],
                           [(a.cand.format, a.cand.date, float(a.cand.reach)) for a in solution.activities
                            if a.cand.date >= since])
    publication = _publication(solution, previous_plan.raw, since)
    new_data = publication.data
    changes = diff([p.raw for p in later], [a for a in new_data["activities"]
                                            if datetime.fromisoformat(a["start"]).astimezone(tz).date() >= since])
    gone = [{**{k: p.raw.get(k) for k in ("id", "venue", "activity", "start", "end", "staff")},
             "reason": actuals.planned[p.id].reason} for p in missed if p.start.date() < since]
    if gone:
        new_data["missed"] = gone
    recorded = set(actuals.planned)
    return Replanned(solution, new_data, changes, since, len(broken), dict(run.stats), gone, publication,
                     held=sum(1 for p in previous if outcome(p) == "held"), extra=len(extra),
                     unrecorded=sum(1 for p in frozen if p.id not in recorded), targets=effect)


TARGET_WORDS = {"reach": N_("people reached"), "households": N_("households visited"),
                "app_installs": N_("Anti-Fraud App installs")}


def target_effect(loaded: LoadedPlan, since: date, held: Sequence[tuple[Candidate, dict[str, int] | None]],
                  before: Sequence[tuple[str, date, float]], after: Sequence[tuple[str, date, float]]) -> list[str]:
    """Per target (the campaign's, and each month's from `since` on) that what was held plus
    the previous plan's remaining activities fell short of: by how much, and what the re-plan's
    remaining activities add to it, in the plan's language ("2026-07 households visited: 40
    short; the re-plan adds 3 × door to door (+46)"). `held`: the activities before `since`
    (with their recorded figures); `before`/`after`: (format, date, expected reach) of the
    remaining activities of the previous plan and of the re-plan."""
    from planner.materials import household_size
    from planner.model import PeriodTargets
    from planner.tactics.base import format_words, period_words
    from planner.targets import campaign_months, effective_targets

    plan = loaded.plan
    m = messages.for_language(plan.campaign.language)
    formats = resolve_formats(plan)
    targets = effective_targets(plan)

    def figures(fmt: str, reach: float, installs: float | None = None,
                recorded: dict[str, int] | None = None) -> dict[str, float]:
        rec = recorded or {}
        rate = formats[fmt].app_install_rate if fmt in formats else 0.0
        households = reach / household_size() if fmt == "door_to_door" else 0.0
        return {f"activities.{fmt}": 1.0, "reach": float(rec.get("reached", reach)),
                "households": float(rec.get("households", households)),
                "app_installs": float(rec.get("installs", installs if installs is not None else reach * rate))}

    spans: list[tuple[str, date, date, PeriodTargets]] = [("campaign", plan.campaign.start, plan.campaign.end,
                                                           targets)]
    spans += [(k, first, last, targets.months[k]) for k, (first, last) in campaign_months(plan).items()
              if last >= since and k in targets.months]
    lines = []
    for label, first, last, t in spans:
        wanted = {f"activities.{f}": n for f, n in (t.activities or {}).items() if n}
        wanted.update({k: getattr(t, k) for k in ("reach", "households", "app_installs") if getattr(t, k)})
        have: dict[str, float] = defaultdict(float)
        for c, rec in held:
            if first <= c.date <= last:
                for k, v in figures(c.format, c.reach, c.installs, rec).items():
                    have[k] += v
        old: dict[str, float] = defaultdict(float)
        new: dict[str, float] = defaultdict(float)
        old_n: dict[tuple[str, str], int] = defaultdict(int)
        new_n: dict[tuple[str, str], int] = defaultdict(int)
        for rows, sums, counts in ((before, old, old_n), (after, new, new_n)):
            for fmt, day, reach in rows:
                if first <= day <= last:
                    for k, v in figures(fmt, reach).items():
                        sums[k] += v
                        if v > 0:
                            counts[(k, fmt)] += 1
        for key, target in wanted.items():
            short = round(target - have[key] - old[key])
            if short <= 0:
                continue
            name = format_words(m, key.split(".", 1)[1]) if key.startswith("activities.") else m._(TARGET_WORDS[key])
            added = {fmt: new_n[(k, fmt)] - old_n[(k, fmt)] for (k, fmt) in set(new_n) | set(old_n) if k == key}
            added = {f: n for f, n in sorted(added.items()) if n > 0}
            gain = round(new[key] - old[key])
            head = m._("{period} {target}: {short} short").format(period=period_words(m, label), target=name,
                                                                 short=short)
            if added and gain > 0:
                what = m._(", ").join(m._("{n} × {format}").format(n=n, format=format_words(m, f))
                                      for f, n in added.items())
                lines.append(m._("{head}; the re-plan adds {added} (+{gain})").format(head=head, added=what,
                                                                                    gain=gain))
            else:
                lines.append(m._("{head}; the re-plan can add nothing to it (no staff time or window left)").format(
                    head=head))
    return lines


def _as_recorded(cand: Candidate, actual: Actual) -> Candidate:
    """The activity with the figures the station recorded in place of the expected ones."""
    return replace(cand, reach=cand.reach if actual.reach is None else actual.reach,
                   installs=cand.installs if actual.installs is None else float(actual.installs))


def _extras(extras: list[Extra], since: date, generated: dict[str, Candidate], calendar: CampaignCalendar,
            day_of: dict[date, int], venues, formats, tz, recorded: dict[str, dict[str, int]] | None = None
            ) -> list[Candidate]:
    """Activities held that the plan did not have, before the date, as the models count them."""
    out = []
    for e in extras:
        start = e.start.astimezone(tz)
        if start.date() >= since or e.format not in formats or (e.venue and e.venue not in venues):
            continue
        end = e.end.astimezone(tz) if e.end is not None else start + formats[e.format].duration
        natural = activity_id(e.venue, e.format, start.date(), start.hour * 60 + start.minute)
        cand = generated.get(natural)
        if cand is None:
            p = Previous({"reach": e.reach or 0}, natural, natural, e.venue, e.format, start, end, (), 0)
            cand = _frozen_candidate(p, calendar, day_of, venues, formats, tz)
        if cand is not None:
            out.append(_as_recorded(cand, Actual("held", e.reach, e.installs, counts=e.counts)))
            if recorded is not None:
                recorded.setdefault(cand.id, e.counts)
    return out


def _say_missed(solution: Solution, missed: list[Previous], actuals: Actuals, periods: dict[str, range],
                calendar: CampaignCalendar) -> None:
    """An unmet goal that a missed activity would have met says so, rather than blaming staff time."""
    for u in solution.unmet:
        span = _days_of(u.period, periods, calendar)
        if span is None:
            continue
        first, last = calendar.days[span[0]].date, calendar.days[span[-1]].date
        mine = [p for p in missed if first <= p.start.date() <= last and (u.venue is None or p.venue == u.venue)]
        if not mine:
            continue
        reasons = sorted({r for p in mine if (r := actuals.planned[p.id].reason)})
        m = messages.for_language(solution.loaded.plan.campaign.language)
        ids = m._(", ").join(p.id for p in mine)
        said = (m._("{ids} not held ({reasons})").format(ids=ids, reasons=m._("; ").join(reasons)) if reasons
                else m._("{ids} not held").format(ids=ids))
        u.why = m._("{first}; {then}").format(first=said, then=u.why) if u.why else said


def _score(run: Run, planned: list[PlannedActivity], frozen: set[str], recorded: AbstractSet[str] = frozenset(),
           extra: Sequence[Candidate] = (), csets: dict[tuple[int, int], CandidateSet] | None = None
           ) -> list[PlannedActivity]:
    """Evaluate the whole plan part by part (as `planner plan` does) into `run`; the planned
    activities as evaluated. Activities the updated plan no longer generates stay as facts
    (counted, not modelled); so do past ones that break its rules, those `recorded` as held
    (with their recorded figures) and the `extra` ones held that the plan did not have."""
    chunks = run.strategy.chunks
    out: list[PlannedActivity] = []
    for n, days in enumerate(chunks):
        mine = [a for a in planned if a.cand.day in days]
        run.carry.activities += [(c, ()) for c in extra if c.day in days]
        cset = (csets or {}).get((days.start, days.stop)) or generate_candidates(run.loaded, run.calendar, days=days)
        pool = run.build(cset, days, days, run.carry, "prepare").cands
        known = {c.id for c in cset.candidates} - set(recorded)
        for attempt in (0, 1):
            # attempt 1: the past breaks the updated rules, so it stays what it was
            facts = [a for a in mine if a.cand.id not in known or (attempt and a.cand.id in frozen)]
            held = [a for a in mine if a.cand.id in known and not (attempt and a.cand.id in frozen)]
            before = len(run.carry.activities), dict(run.carry.key_date_credit)
            for a in facts:
                run.carry.activities.append((a.cand, tuple(a.staff)))
                if a.key_date is not None:
                    run.carry.key_date_credit[a.key_date] = run.carry.key_date_credit.get(a.key_date, 0) + 1
            try:
                result = run.evaluate(cset, days, incumbent_of(held), pool, 0.0)
                break
            except RuntimeError:
                del run.carry.activities[before[0]:]
                run.carry.key_date_credit = before[1]
                if attempt:
                    raise
        run.finish(result, "feasible", None, last=n == len(chunks) - 1)
        out += facts + result.activities
    return out


def _frozen_candidate(p: Previous, calendar: CampaignCalendar, day_of: dict[date, int], venues, formats, tz
                      ) -> Candidate | None:
    """A past activity as the models count it (it may no longer be one they would generate)."""
    day = day_of.get(p.start.date())
    if day is None or p.format not in formats:
        return None
    venue = venues.get(p.venue) if p.venue else None
    if p.venue and venue is None:
        return None
    start_min = p.start.hour * 60 + p.start.minute
    fmt = formats[p.format]
    return Candidate(p.venue, p.format, p.start.date(), start_min,
                     start_min + int((p.end - p.start).total_seconds() // 60), "", False,
                     tuple(t for t in p.raw.get("tactics") or () if t not in ("key_dates", "all_police")),
                     int(p.raw.get("reach") or 0), float(int(p.raw.get("reach") or 0) * fmt.app_install_rate),
                     venue.kind if venue else None, venue.area if venue else None, day, None,
                     (), tz)


def _publication(solution: Solution, previous_data: dict[str, Any], since: date) -> Any:
    """plan.json for the re-planned solution, published over the previous one: past activities
    as they were, kept ones under their ids, moved ones under their old ids, SEQUENCE up on
    what changed, and the cancelled (`planner.publish`, which `planner plan` uses too)."""
    from planner.planjson import plan_json
    from planner.publish import publish

    publication = publish(plan_json(solution), previous_data, plan=solution.loaded.plan, since=since)
    publication.data["replanned_from"] = since.isoformat()
    return publication


__all__ = ["replan", "Replanned", "read_previous", "Actual", "Actuals", "Extra", "actuals_from_records"]
