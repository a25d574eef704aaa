"""An early capacity estimate: staff time available against the activities the tactics require.

Before any solving, a publicity officer wants to know whether the plan is roughly possible:
enough officers for the 五进 rhythm, enough grid workers to pair with them, enough online
staff for the posts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from planner.calendar import CampaignCalendar
from planner.catalogue import Format
from planner.formats import resolve_formats
from planner.messages import _
from planner.model import Plan, Venue
from planner.vocab import FILLED_BY, ROLES, paired_roles

if TYPE_CHECKING:
    from planner.candidates import Candidate
    from planner.tactics import Period

FAMILY_LIMIT = 10  # position types up to which every union of them is a Hall family


def hall_families(eligible: Mapping[Hashable, frozenset[int]]) -> list[tuple[frozenset, frozenset]]:
    """(position types, people who can fill at least one of them), one per distinct set of
    people, from who may fill each type. By Hall's theorem, positions can be filled one
    person each exactly when, for every such family, its positions are no more than its
    people. Beyond FAMILY_LIMIT types only single types and all of them together are kept
    (a necessary condition, no longer sufficient)."""
    types = list(eligible)
    unions: set[frozenset] = set()
    if len(types) <= FAMILY_LIMIT:
        for mask in range(1, 1 << len(types)):
            unions.add(frozenset().union(*(eligible[t] for k, t in enumerate(types) if mask >> k & 1)))
    else:
        unions = set(eligible.values()) | {frozenset().union(*eligible.values())}
    return [(frozenset(t for t in types if eligible[t] <= people), people)
            for people in sorted(unions, key=lambda e: (len(e), sorted(e)))]


def at_venue(venue: str | None) -> Callable[[Candidate], bool]:
    """A quota's `counts` for one venue's activities (None: online ones)."""
    return lambda c: c.venue == venue


@dataclass
class Quota:
    """What a tactic asks of one period, in the terms the greedy and the baseline fill it:
    the tactic states the rule (periods, prorating, carried activities), they only fill.

    kind "count": at least `required` chosen activities that `counts` accepts in `period`;
    "key_date": the same, each credited as the themed activity of key date `key_date`;
    "person": staff index `person` on at least `required` activities in `period`;
    "share": what `counts` accepts is at least the share `required` of offline activities;
    "sum": `amount` over chosen and fixed activities reaches `required`, from those `counts` accepts.
    """

    tactic: str
    rule: str
    step: int  # quotas are filled in this order (weightier first), ties in the order given
    kind: str
    required: float
    period: Period | None = None
    counts: Callable[[Candidate], bool] = lambda c: True
    venue: str | None = None  # a count of one venue's activities
    person: int | None = None
    key_date: int | None = None
    near: date | None = None  # activities closest to this date first
    amount: Callable[[Candidate], float] = lambda c: 0.0
    weight: str = "coverage"  # the goal's weight, for options ordered by "worth" per head
    # how the greedy orders the options: "worth" (per head, descending), "reach" (descending),
    # "near", "day", "id", "installs" (descending); () keeps the candidates' order
    order: tuple[str, ...] = ()
    by_hand: bool = True  # whether a person drawing the plan up by hand sees to it (the baseline)
    # False: only fixed activities count towards it, not those chosen before its turn (the
    # greedy has always filled online posts so; kept, as its plan is the search's hint)
    counts_chosen: bool = True
    where: tuple = ()  # YAML path of the rule, where the tactic has several of one kind (三时三地 lines)
    # a count that is also a ceiling (a target): the greedy's spare-time fill serves the
    # ceiling least far along first, and quotas picking among formats prefer a short one
    ceiling: bool = False


@dataclass
class Demand:
    tactic: str
    activities: float
    person_activities: float
    hours: float
    by_role: dict[str, float] = field(default_factory=dict)  # person-activities per role
    note: str = ""


@dataclass
class Supply:
    role: str
    people: int
    person_activities: float  # what max_activities_per_week and availability allow
    hours: float


@dataclass
class CapacityEstimate:
    weeks: float
    demands: list[Demand]
    supply: list[Supply]

    def required(self, role: str) -> float:
        """Person-activities asked of a role: its own positions, less what its people cannot
        take of them, plus what falls to it from a role it may stand in for (officers for
        auxiliaries, planner.vocab.FILLED_BY)."""
        own = self._raw(role)
        for other, by in FILLED_BY.items():
            if role == other:
                own = min(own, self._available(role))
            elif role in by:
                own += max(0.0, self._raw(other) - self._available(other))
        return own

    def _raw(self, role: str) -> float:
        return sum(d.by_role.get(role, 0.0) for d in self.demands)

    def _available(self, role: str) -> float:
        return sum(s.person_activities for s in self.supply if s.role == role)

    def required_total(self) -> float:
        return sum(d.person_activities for d in self.demands)

    def available_total(self) -> float:
        return sum(s.person_activities for s in self.supply)


def periods(start: date, end: date, per: str) -> int:
    if per == "campaign":
        return 1
    if per == "week":
        first = start - timedelta(days=start.weekday())
        return (end - first).days // 7 + 1
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _cheapest(formats: dict[str, Format], kind: str | None, grid_and_police: bool,
              paired_kinds: set[str]) -> Format | None:
    fits = [f for f in formats.values() if (kind is None and f.online) or (kind in f.kinds)]
    if not fits:
        return None
    return min(fits, key=lambda f: (_people(f, kind, grid_and_police, paired_kinds), f.duration))


def _roles(fmt: Format, kind: str | None, grid_and_police: bool, paired_kinds: set[str]) -> dict[str, float]:
    needs = fmt.needs
    counts = {r: int(getattr(needs, r)) for r in ROLES if getattr(needs, r)}
    if grid_and_police and kind in paired_kinds:
        counts = paired_roles(counts)
    roles = {r: float(n) for r, n in counts.items()}
    extra = max(needs.head_count() - sum(roles.values()), 0)
    if extra:
        roles["any"] = float(extra)
    return roles


def _people(fmt: Format, kind: str | None, grid_and_police: bool, paired_kinds: set[str]) -> float:
    return sum(_roles(fmt, kind, grid_and_police, paired_kinds).values())


def estimate(plan: Plan, calendar: CampaignCalendar) -> CapacityEstimate:
    formats = resolve_formats(plan)
    tactics = plan.tactics
    six = tactics.six_plus
    paired = {"community", "village", "household"}
    pair = bool(six and six.grid_and_police)
    start, end = plan.campaign.start, plan.campaign.end
    weeks = len(calendar.days) / 7
    demands: list[Demand] = []

    def demand(tactic: str, count: float, fmt: Format | None, kind: str | None, note: str = "") -> Demand:
        if fmt is None:
            return Demand(tactic, count, 0, 0, {}, note or _("no format can be held there"))
        roles = _roles(fmt, kind, pair, paired)
        people = sum(roles.values())
        return Demand(tactic, count, count * people, count * people * fmt.duration.total_seconds() / 3600,
                      {r: n * count for r, n in roles.items()}, note)

    if tactics.five_into:
        rule = tactics.five_into
        n = periods(start, end, rule.every_venue.per) * rule.every_venue.at_least
        for kind in rule.kinds:
            venues: list[Venue] = [v for v in plan.venues if v.kind == kind]
            if not venues:
                continue
            multiplier = sum(getattr(six.precision, v.risk) if six and six.precision else 1 for v in venues)
            fmt = _cheapest(formats, kind, pair, paired)
            demands.append(demand(f"five_into:{kind}", n * multiplier, fmt, kind,
                                  _("{venues} venues × {n} visits").format(venues=len(venues), n=n)))
    for line in tactics.three_times_three_places or []:
        if line.per_week:
            fmt = formats.get(line.activity)
            places = "/".join(line.place)
            demands.append(demand(f"three_times:{places}", line.per_week * weeks, fmt, line.place[0],
                                  _("{n} a week").format(n=line.per_week)))
    if six and six.online and six.online.posts_per_week:
        fmt = _cheapest(formats, None, pair, paired)
        demands.append(demand("six_plus:online", six.online.posts_per_week * weeks, fmt, None,
                              _("{n} posts a week").format(n=six.online.posts_per_week)))
    for name, spec in sorted(plan.activities.items()):  # a format's own weekly or monthly quota
        for per, quota in (("week", spec.per_week), ("month", spec.per_month)):
            if quota and name in formats:
                own = formats[name]
                count = quota * (weeks if per == "week" else periods(start, end, "month"))
                demands.append(demand(f"quotas:{name}", count, own, own.kinds[0] if own.kinds else None,
                                      (_("{n} a week") if per == "week" else _("{n} a month")).format(n=quota)))
    if tactics.key_dates and any(k.min_activities for k in calendar.key_dates):
        count = sum(k.min_activities for k in calendar.key_dates)
        fmt = formats.get("themed_event") or _cheapest(formats, "community", pair, paired)
        demands.append(demand("key_dates", count, fmt, "square",
                              _("{n} key dates; may overlap 五进 visits").format(n=len(calendar.key_dates))))

    # Staff-hours available at the mix of activities the tactics ask for (2h when none do).
    demand_pa = sum(d.person_activities for d in demands)
    hours_each = sum(d.hours for d in demands) / demand_pa if demand_pa else 2.0
    supply = []
    for role in ROLES:
        people = [s for s in plan.staff if s.role == role]
        total = 0.0
        for person in people:
            free = sum(1 for d in calendar.days if person.is_available(d.date))
            total += min(free, person.max_activities_per_week * weeks)
        supply.append(Supply(role, len(people), total, total * hours_each))
    return CapacityEstimate(weeks, demands, supply)
