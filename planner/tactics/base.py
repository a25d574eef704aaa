"""What the tactic modules share: the model context (`Ctx`), soft rules (`Goal`, `Cost`),
periods, what earlier parts carried over, and small helpers. No tactic module is imported
here, so every tactic module can import this one."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import ModuleType
from typing import Any, Callable, Protocol, Sequence, TypeVar, runtime_checkable

from ortools.sat.python import cp_model

from planner import messages, travel
from planner.calendar import CampaignCalendar
from planner.candidates import Candidate, CandidateSet
from planner.catalogue import catalogue
from planner.loader import LoadedPlan
from planner.model import Plan, Staff
from planner.vocab import DAY_CLASS_WORDS, SKILL_WORDS

SCALE = 100  # objective units per weight unit: keeps fractional weights and reach integral
PAIRED_KINDS = ("community", "village", "household")  # 网格+警网: police with a grid worker
# Parts of the day, by start time: a person takes at most one activity in each. Activities
# are 1.5 to 3 hours, so this rarely costs anything, and it lets the master model count
# staff exactly per part of a day.
PARTS = ((0, "morning"), (12 * 60, "midday"), (14 * 60, "afternoon"), (17 * 60, "evening"), (21 * 60, "night"))


_PART_STARTS = tuple(begin for begin, _ in PARTS)


def part_of(start_min: int) -> int:
    return max(0, bisect_right(_PART_STARTS, start_min) - 1)


@dataclass
class Need:
    """Who must go to one activity (a format's needs, with tactic rules applied)."""

    roles: dict[str, int]
    people: int  # head count of any role, at least
    skills: tuple[str, ...]
    team: str | None
    teams: tuple[str, ...] = ()  # one of these teams fills every position (never mixed)
    stay: bool = False  # those teams work only in their home area

    def key(self) -> tuple:
        return (tuple(sorted(self.roles.items())), self.people, self.skills, self.team, self.teams, self.stay)


PositionType = tuple[str, tuple[str, ...]]  # (role, or "*" for any role; skills the holder needs)


@dataclass(frozen=True)
class Period:
    label: str  # 2026-W23, 2026-07, or a date span
    first: int  # day indexes into calendar.days, inclusive
    last: int
    fraction: float  # share of the nominal period inside the campaign

    def days(self) -> range:
        return range(self.first, self.last + 1)


@dataclass
class Goal:
    """A soft quota: `short` units below `required` cost `weight` each."""

    tactic: str
    rule: str
    short: Any  # IntVar, or an int when decided before solving
    required: Any  # int, or a function of the solver's values (e.g. a share of what was chosen)
    weight: float
    unit: str
    venue: str | None = None
    person: str | None = None
    period: str | None = None
    why: Callable[..., str] | str | None = None  # the reason, given the shortfall and the result
    where: tuple = ()  # YAML path of the rule
    # a period that ends in a later part of a decomposed solve: this part aims at its days'
    # share, the later part owns the goal (and reports it); the search's own, never reported
    ahead: bool = False

    def required_value(self, value: Callable[[Any], int]) -> int:
        return self.required if isinstance(self.required, int) else int(self.required(value))


@dataclass
class Cost:
    """Weighted terms with no quota behind them (travel, fairness spread, reach)."""

    tactic: str
    rule: str
    terms: list[tuple[Any, int]]  # (variable or literal, scaled coefficient)


@dataclass
class Staffing:
    """A candidate's positions: counts per type, and the team members who go as a unit."""

    positions: dict[PositionType, int]
    team: tuple[int, ...] = ()
    choices: tuple[str, ...] = ()  # teams one of which fills every position here (staffing.prepare)


@dataclass
class Group:
    """Activities at the same time in the same area: they share their staff variables."""

    day: int
    start: int
    end: int
    area: str  # venue area, "" when unknown, ONLINE_AREA for online work
    cands: list[int] = field(default_factory=list)


@runtime_checkable
class Tactic(Protocol):
    """What a tactic module is (the registry refuses a module that names itself a tactic
    without it). Required: `NAME`, `ORDER` (its place in building the model), `enabled(plan)`
    and `add(ctx)` (its hard rules as constraints, its soft rules as named `Goal`s and `Cost`s).

    Optional hooks, each used where a module has it: `CORE` (in every model), `RANK` (its row in
    the score), `PREPARE_ORDER` and `prepare(ctx)` (before the activity variables: needs,
    availability such as `ctx.not_before`), `score`/`extra_score` (its score row), `served`
    (the labels of the activities it serves), `prefer`, `credits`/`keep_credits` (key-date
    credits), `CAMPAIGN_END_COST`, `greedy_quotas(ctx)` (what the greedy plan fills, as
    `planner.capacity.Quota`s) and `explain_goal`/`explain_rule`/`explain_unmet_rule`/
    `explain_needs`/`explain_splits` (what `planner explain` says about its rules)."""

    NAME: str
    ORDER: int

    def enabled(self, plan: Any) -> bool: ...

    def add(self, ctx: Any) -> None: ...


class ScoreRow(Protocol):
    """A tactic's line in the score (planner.search.TacticScore)."""

    penalty: float
    met: int
    required: int


@dataclass
class Carry:
    """Activities decided outside the model's days: by earlier periods of a decomposed
    solve, or, when re-optimising a window of days, the rest of the current plan."""

    activities: list[tuple[Candidate, tuple[str, ...]]] = field(default_factory=list)
    key_date_credit: dict[int, int] = field(default_factory=dict)
    # candidate id → the ledger's figures recorded for it (reached, leaflet…, installs,
    # households): what held activities count towards the targets in place of expected ones
    recorded: dict[str, dict[str, int]] = field(default_factory=dict)

    def load(self) -> dict[str, int]:
        """Staff id → how many activities they have."""
        return {s: len(days) for s, days in self.days_worked().items()}

    def days_worked(self) -> dict[str, list[int]]:
        """Staff id → the days of their activities (one entry per activity)."""
        out: dict[str, list[int]] = defaultdict(list)
        for c, staff in self.activities:
            for s in staff:
                out[s].append(c.day)
        return out


T = TypeVar("T")


class Ctx:
    """One CP-SAT model over the active candidates of some days, and what the tactics add.

    Two kinds: `MasterCtx` (activities only, staffing as capacities: a relaxation) and
    `PersonCtx` (person by person). What one module leaves for others is a typed field
    here, filled by the module named beside it; what a module keeps for itself is its own
    state object (`state`)."""

    def __init__(self, loaded: LoadedPlan, calendar: CampaignCalendar, cset: CandidateSet, *,
                 days: range | None = None, carry: Carry | None = None, area_bound: bool = False,
                 only: set[str] | None = None, horizon: range | None = None,
                 available: list[list[bool]] | None = None):
        self.loaded = loaded
        self.plan: Plan = loaded.plan
        self.calendar = calendar
        self.cset = cset
        self.days = days if days is not None else range(len(calendar.days))
        # the days whose goals this model owns: goals of periods ending later belong to a
        # later model of a decomposed solve; `days` may be a window inside it, with
        # everything else in `carry` (fixed activities, before or after the window)
        self.horizon = horizon if horizon is not None else self.days
        self.carry = carry or Carry()
        self.area_bound = area_bound  # large plans: staff with an area work in their area only
        self.model = cp_model.CpModel()
        self.staff: list[Staff] = list(self.plan.staff)
        self.staff_index = {s.id: i for i, s in enumerate(self.staff)}
        self.venues = {v.id: v for v in self.plan.venues}
        self.venue_index = {v.id: i for i, v in enumerate(self.plan.venues)}
        self.cands: list[Candidate] = [c for c in cset.candidates if c.day in self.days
                                       and (only is None or c.id in only)]
        self.pool: list[Candidate] = []  # every staffable candidate, for explaining shortfalls
        self.needs: list[Need] = []
        self.dropped: dict[str, int] = defaultdict(int)  # reason → candidates dropped
        self.x: list[Any] = []
        self.goals: list[Goal] = []
        self.costs: list[Cost] = []
        self.hard_rules: dict[str, int] = defaultdict(int)  # rule → constraints added
        self.modules: list[ModuleType] = []  # the tactic modules in this model, in the order they built it
        self.staffing: list[Staffing] = []  # staffing.prepare: each candidate's positions
        self.teams: dict[str, tuple[int, ...]] = {}  # staffing.prepare: team → its members
        self.team_choice: dict[int, dict[str, Any]] = {}  # staffing.one_team: candidate → team → literal
        self.visited: dict[tuple[str, int], Any] = {}  # venue_days: (venue, day) → visited literal
        self._states: dict[type, Any] = {}
        self._explain_index: tuple[dict, dict] | None = None
        self.available = available if available is not None else availability(self.plan, calendar)
        # (person, day) → the earliest start a tactic's hard rule leaves them that day (rest
        # after a night's duty): filled in `prepare`, kept by staffing and the greedy alike
        self.not_before: dict[tuple[int, int], int] = {}
        self._periods: dict[tuple[str, int], list[Period]] = {}
        self._weeks: dict[int, str] = {}
        self._carry_by_day: dict[int, list[Candidate]] | None = None
        # the campaign's language: unmet reasons are read in it (terminal, plan.json, printable plan)
        self.words = messages.for_language(self.plan.campaign.language)

    def free_at(self, person: int, day: int, start_min: int) -> bool:
        """Whether the person may start an activity then: available that day, and no tactic's
        rule keeps them off until later."""
        if not self.available[person][day]:
            return False
        return not self.not_before or start_min >= self.not_before.get((person, day), 0)

    def state(self, cls: type[T]) -> T:
        """A module's own state in this model (made on first use): typed, and no other
        module's business."""
        if cls not in self._states:
            self._states[cls] = cls()
        return self._states[cls]

    # --- calendar helpers ---------------------------------------------------------------------

    def date(self, day: int) -> date:
        return self.calendar.days[day].date

    def week(self, day: int) -> str:
        if day not in self._weeks:
            y, w, _ = self.date(day).isocalendar()
            self._weeks[day] = f"{y}-W{w:02d}"
        return self._weeks[day]

    def periods(self, per: str, *, split: int = 1) -> list[Period]:
        """The campaign's weeks, months or the campaign itself (cut in `split` equal parts)."""
        key = (per, split)
        if key not in self._periods:  # asked for by every quota and goal: thousands of times in a city
            self._periods[key] = campaign_periods(self.calendar, per, split=split)
        return list(self._periods[key])

    def in_chunk(self, period: Period) -> bool:
        """A period's goal belongs to this model if the period overlaps its days and ends
        inside its horizon (a decomposed solve gives it to the part holding its last day)."""
        return (period.first <= self.days[-1] and period.last >= self.days[0]
                and period.last <= self.horizon[-1])

    def share_ahead(self, period: Period) -> float:
        """The share of a period's days in this model's horizon when the period ends in a later
        part (its goal is that part's): without a share of it here, the days of a week split
        across two months would count for nothing in the first month's model, and the second
        would have only its few days left for the whole week's goal. 0 when not such a period."""
        if period.last <= self.horizon[-1] or period.first > self.days[-1] or period.last < self.days[0]:
            return 0.0
        inside = min(period.last, self.horizon[-1]) - max(period.first, self.horizon[0]) + 1
        return max(0, inside) / (period.last - period.first + 1)

    @property
    def upto(self) -> int:
        """Days of the campaign up to the end of the horizon (for campaign-long targets)."""
        return self.horizon[-1] + 1

    def carried(self, period: Period, keep: Callable[[Candidate], bool]) -> int:
        """Fixed activities (earlier parts, the rest of the plan) inside the period that `keep` counts."""
        if self._carry_by_day is None:
            self._carry_by_day = defaultdict(list)
            for c, _ in self.carry.activities:
                self._carry_by_day[c.day].append(c)
        return sum(1 for d in period.days() for c in self._carry_by_day.get(d, ()) if keep(c))

    # --- registering rules ----------------------------------------------------------------------

    def weight(self, name: str) -> float:
        return float(getattr(self.plan.weights, name))

    def goal(self, tactic: str, rule: str, have: Any, required: int, weight: str | float, unit: str, *,
             venue: str | None = None, person: str | None = None, period: str | None = None,
             why: Callable[..., str] | str | None = None, where: tuple = (), ahead: bool = False) -> Goal:
        """have + short ≥ required, short ≥ 0, costing `weight` per unit short."""
        w = self.weight(weight) if isinstance(weight, str) else float(weight)
        if isinstance(have, int):
            short: Any = max(0, required - have)
        else:
            short = self.model.new_int_var(0, required, f"{tactic}.{rule}.{venue or person or ''}.{period}")
            self.model.add(have + short >= required)
        g = Goal(tactic, rule, short, required, w, unit, venue, person, period, why, where, ahead)
        self.goals.append(g)
        return g

    def cost(self, tactic: str, rule: str, terms: Sequence[tuple[Any, float]], weight: str | float) -> None:
        w = self.weight(weight) if isinstance(weight, str) else float(weight)
        scaled = [(v, round(w * coef * SCALE)) for v, coef in terms]
        scaled = [(v, k) for v, k in scaled if k]
        if scaled:
            self.costs.append(Cost(tactic, rule, scaled))

    def hard(self, rule: str, n: int = 1) -> None:
        self.hard_rules[rule] += n

    def objective_terms(self) -> list[tuple[Any, int]]:
        terms: list[tuple[Any, int]] = []
        for g in self.goals:
            k = round(g.weight * SCALE)
            if k and not isinstance(g.short, int):
                terms.append((g.short, k))
        for c in self.costs:
            terms += c.terms
        return terms

    def constant_penalty(self) -> int:
        return sum(round(g.weight * SCALE) * g.short for g in self.goals if isinstance(g.short, int))


class MasterCtx(Ctx):
    """The master: activities, with staffing as who works where in which part of a day."""

    def __init__(self, *args: Any, fairness: bool = True, **kw: Any):
        super().__init__(*args, **kw)
        self.fairness = fairness  # False: fairness left out (a weaker LP bound, three times faster)
        self.a: dict[tuple[int, int, int, str], Any] = {}  # staffing: a[person, day, part, area]
        self.demand: dict[tuple[int, int, str], dict[PositionType, Any]] = {}  # staffing: positions per slot
        self.works: set[tuple[int, int, int, str]] = set()  # the search: the a[] a solved master sets


class PersonCtx(Ctx):
    """The person-level model: who goes to each activity."""

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.groups: list[Group] = []  # staffing: activities sharing staff variables
        self.u: dict[tuple[int, int, PositionType], Any] = {}  # staffing: u[person, group, position type]
        self.lits: dict[int, dict[int, list]] = {}  # staffing: person → group → literals that put them there


def explain_venue(ctx: Ctx, result: Any, venue: str, period: Period, *, formats: set[str] | None = None,
                  gap: int = 0) -> str:
    """Why a venue got fewer activities than wanted in a period, most specific reason first."""
    def inside(c: Candidate) -> bool:
        return c.venue == venue and period.first <= c.day <= period.last and (formats is None or c.format in formats)

    m = ctx.words
    v = ctx.venues[venue]
    first, last = ctx.date(period.first), ctx.date(period.last)
    if ctx._explain_index is None:  # venue → candidates, built once: there may be thousands of shortfalls
        generated_by: dict[str | None, list[Candidate]] = defaultdict(list)
        pool_by: dict[str | None, list[Candidate]] = defaultdict(list)
        for c in ctx.cset.candidates:
            generated_by[c.venue].append(c)
        for c in ctx.pool:
            pool_by[c.venue].append(c)
        ctx._explain_index = (generated_by, pool_by)
    generated_by, pool_by = ctx._explain_index
    generated = [c for c in generated_by.get(venue, ()) if inside(c)]
    if not generated:
        closed = [str(s) for s in v.closed if s.start <= last and s.end >= first]
        if closed:
            return m._("closed {spans}; no time window on the open days").format(spans=m._(", ").join(closed))
        kind = kind_words(m, v.kind)
        if formats:
            return m._("no time window for {formats} at this {kind} in {period} "
                       "(windows, day classes, term, market days)").format(
                formats="/".join(sorted(formats)), kind=kind, period=period_words(m, period.label))
        return m._("no time window at this {kind} in {period} (windows, day classes, term, market days)").format(
            kind=kind, period=period_words(m, period.label))
    active = [c for c in pool_by.get(venue, ()) if inside(c)]
    if not active:
        if ctx.area_bound and v.area:  # the search's own restriction, not the plan's: say so
            return m._("nobody of {area} who can staff it is free on its {n} window days (a plan this large keeps "
                       "staff in their own area and at the venues they claim; leave, duty rota, team members "
                       "away, roles/skills)").format(area=v.area, n=len({c.day for c in generated}))
        return m._("nobody who can staff it is free on its {n} window days "
                   "(leave, duty rota, team members away, or roles/skills missing)").format(
            n=len({c.day for c in generated}))
    if gap > 1:
        visits = sorted({c.day for c in result.chosen_candidates() if c.venue == venue})
        blocked = all(any(abs(c.day - d) < gap for d in visits) for c in active)
        if visits and blocked:
            # the visits that take the window days: never empty, as every window day is taken
            blocking = [d for d in visits if any(abs(c.day - d) < gap for c in active)]
            return m._("min_gap_days {gap}: the visits on {dates} leave no window day free").format(
                gap=gap, dates=m._(", ").join(day_words(m, ctx.date(d)) for d in blocking))
    return m._("not enough staff time: the people who can go were booked for activities that weigh more, "
               "or reached max_activities_per_week")


def kind_words(m: messages.Messages, kind: str) -> str:
    """A venue kind by its catalogue name in the language: 市场, market."""
    info = catalogue().venue_kinds.get(kind)
    return info.name(m.language) if info else kind


def format_words(m: messages.Messages, fmt: str) -> str:
    """An activity format by its catalogue name in the language: 摆摊宣传, stall."""
    info = catalogue().formats.get(fmt)
    return info.name(m.language) if info else fmt


def skill_words(m: messages.Messages, skill: str) -> str:
    """A skill in a sentence: 讲座, lecture."""
    return m.msg(SKILL_WORDS[skill]) if skill in SKILL_WORDS else skill


def day_class_words(m: messages.Messages, day_class: str) -> str:
    """workdays, restdays… in a sentence: 工作日（含调休上班）."""
    return m._(DAY_CLASS_WORDS[day_class]) if day_class in DAY_CLASS_WORDS else day_class


def day_words(m: messages.Messages, day: date) -> str:
    """A date in a sentence: 6月3日, 2026-06-03."""
    return m._p("date in a sentence", "{date:%Y-%m-%d}").format(date=day)


def period_words(m: messages.Messages, label: str) -> str:
    """A period's label (2026-W23, 2026-06, campaign, a date or a span of dates) in a sentence."""
    if label == "campaign":
        return m._("the campaign")
    if "-W" in label:
        year, week = label.split("-W")
        return m._("week {week} of {year}").format(week=int(week), year=year)
    if ".." in label:
        first, last = (date.fromisoformat(d) for d in label.split(".."))
        return m._("{first} to {last}").format(first=day_words(m, first), last=day_words(m, last))
    if len(label) == 7 and label[4] == "-":
        return m._("{year}-{month:02d}").format(year=int(label[:4]), month=int(label[5:]))
    try:
        return day_words(m, date.fromisoformat(label))
    except ValueError:
        return label


def availability(plan: Plan, calendar: CampaignCalendar) -> list[list[bool]]:
    """Person × campaign day: not on leave and not on a duty day."""
    return [[s.is_available(d.date) for d in calendar.days] for s in plan.staff]


def campaign_periods(calendar: CampaignCalendar, per: str, *, split: int = 1) -> list[Period]:
    days = calendar.days
    n = len(days)
    if per == "campaign":
        split = max(1, min(split, n))
        out = []
        for i in range(split):
            first, last = i * n // split, (i + 1) * n // split - 1
            label = "campaign" if split == 1 else f"{days[first].date}..{days[last].date}"
            out.append(Period(label, first, last, 1.0))
        return out
    groups: dict[str, list[int]] = {}
    for i, d in enumerate(days):
        if per == "week":
            y, w, _ = d.date.isocalendar()
            label = f"{y}-W{w:02d}"
        else:
            label = f"{d.date.year}-{d.date.month:02d}"
        groups.setdefault(label, []).append(i)
    out = []
    for label, idx in groups.items():
        first_day = days[idx[0]].date
        if per == "week":
            nominal = 7
        else:
            nxt = date(first_day.year + first_day.month // 12, first_day.month % 12 + 1, 1)
            nominal = (nxt - timedelta(days=1)).day
        out.append(Period(label, idx[0], idx[-1], len(idx) / nominal))
    return out


def prorated(amount: float, fraction: float) -> int:
    """Round half up: a half-covered month still wants its one visit."""
    return int(amount * fraction + 0.5 + 1e-9)


MAX_TRAVEL_MINUTES = 60  # nobody is sent further than this from their own area


def reachable(plan: Plan, home: str | None, area: str | None) -> bool:
    return travel_minutes(plan, home, area) <= MAX_TRAVEL_MINUTES


def travel_minutes(plan: Plan, a: str | None, b: str | None) -> int:
    """Travel between two areas (planner.travel: pairs, else geo, else between_areas); none
    within an area or where an area is not known."""
    return travel.minutes(plan, a, b)


__all__ = ["PARTS", "part_of", "availability", "Ctx", "Goal", "Cost", "Need", "Period", "Carry", "PositionType",
           "SCALE", "PAIRED_KINDS", "campaign_periods", "explain_venue", "prorated", "travel_minutes", "reachable",
           "day_words", "period_words", "kind_words", "format_words", "day_class_words", "skill_words",
           "MAX_TRAVEL_MINUTES", "ScoreRow", "MasterCtx", "PersonCtx", "Staffing", "Group"]
