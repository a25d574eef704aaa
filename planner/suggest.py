"""Who could take an activity: ranked people, with reasons and the cost to the plan.

Two questions a publicity officer asks once a plan exists:

    suggest_for_venue(loaded, plan_json, "donghu-shequ", date(2026, 6, 3))
        the activities the windows allow at that venue that day, and for each the teams
        that could take it, best first;
    suggest_replacement(loaded, plan_json, "donghu-shequ-stall-20260603-1730", person="wang-peng")
        who could take a person's place on an activity already planned.

Nobody is proposed who cannot go: on leave or on a duty day, already at another activity
that overlaps once travel between areas is added, at max_activities_per_week that week,
further than the planner ever sends anyone, or without the role, skill or team the
activity needs. The rules are the ones planner.verify re-checks in plan.json, so what is
suggested would pass it. Those left out are listed with why.

Prices are the search's own (planner.search.Evaluator): the model of the day's week with the
rest of the plan fixed scores the plan with and without the change, and the difference per rule is
the price, in the planner's units (weight × amount, as in plan.json's score). The model also
staffs a new activity, so the options are its cheapest teams. An option's cost is what
depends on who goes: travel, fairness, claims and 全警反诈; what the activity itself adds
(五进, 基础+精准, key dates, reach, …) is its gain. An activity the model's hard rules forbid
(another one at the venue that day, or within 五进's min_gap_days) gets no option.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from planner.calendar import DAY_KINDS, CampaignCalendar, build_calendar
from planner.candidates import Candidate, activity_id, generate_candidates
from planner.catalogue import catalogue
from planner.formats import match_teams, resolve_formats
from planner.loader import LoadedPlan, did_you_mean
from planner.messages import N_, Messages, for_language
from planner.model import Staff, Venue
from planner.planfile import PlanFile
from planner.search import Evaluator, Fact, Incumbent
from planner.tactics import MAX_TRAVEL_MINUTES, PAIRED_KINDS, Need, Period, campaign_periods, prorated, travel_minutes
from planner.tactics.base import skill_words
from planner.tactics.fairness import capacity
from planner.tactics.staffing import Staffing, fits, positions_for, teams
from planner.vocab import ROLE_WORDS, TACTIC_WORDS, paired_roles, short_roles

TOP = 3

# --- what is said, in the campaign's language ------------------------------------------------------

TEXT: dict[str, str] = {  # msgids: planner.po has the Chinese
    # why someone fits
    "claimed": N_("claimed this venue (every officer)"),
    "own_area": N_("works in this area ({area})"),
    "travel": N_("{minutes} min from {area}"),
    "day_free": N_("nothing else that day"),
    "day_other": N_("also that day: {activities}"),
    "week_load": N_("{n}/{max} this week"),
    "utilisation": N_("load {pct}% (role average {avg}%)"),
    "all_police_short": N_("every-officer quota {have}/{required} this period"),
    "position": N_("as: {what}"),
    "team_member": N_("member of {team} (the team goes as a unit)"),
    # why someone is left out
    "leave": N_("on leave ({span})"),
    "duty": N_("on duty that day (rota)"),
    "no_activities": N_("takes no activities (max 0 a week)"),
    "weekly_limit": N_("weekly limit reached: {n}/{max}"),
    "busy": N_("clashes with {activity} {time}{travel}"),
    "too_far": N_("too far from their area ({minutes} min)"),
    "role_skill": N_("role or skill does not fit (needs {what})"),
    "on_it": N_("already on this activity"),
    "replaced": N_("the person being replaced"),
    # what the activity does for the plan
    "gain_five_into": N_("five-into: {have}/{required} visits in {period}; this meets it"),
    "gain_precision": N_("precision: {risk}-risk venue {have}/{required} visits in {period}"),
    "gain_key_date": N_("key date {name}: {have}/{required} activities"),
    "gain_reach": N_("about {reach} people reached"),
    "busy_window": N_("a three-times-three-places (busy) window"),
    # what to watch
    "venue_same_day": N_("the venue already has {activity} that day (the planner holds one a day)"),
    "min_gap": N_("{days} days from the five-into visit on {day}; min_gap_days is {gap}"),
    "surplus": N_("the activity meets its needs without {who}"),
    "whole_team": N_("the activity as planned no longer holds ({who} cannot go): costs are the whole team's"),
    # why no one fits
    "none_closed": N_("the venue is closed that day ({span})"),
    "none_window": N_("no activity format has a time window at this {kind} that day ({day_kind})"),
    "none_format": N_("no {format} can be held there that day"),
    "none_needs": N_("its needs cannot be met: {why}"),
    "none_team": N_("{team} goes as a unit and {who} cannot go"),
    "none_people": N_("nobody who fits is free"),
    "none_planned": N_("already in the plan ({staff}); to change who goes use --activity {id}"),
    "none_free_for": N_("nobody free for: {what}"),
    "none_missing": N_("the activity lacks {what}; one person cannot make it up"),
}
COST_NAMES = {k: TACTIC_WORDS[k] for k in ("travel", "fairness", "claims", "all_police")}


@dataclass(frozen=True)
class Reason:
    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, language: str) -> str:
        return for_language(language)._(TEXT[self.code]).format(**dict(self.params))

    def as_json(self, language: str) -> dict[str, Any]:
        return {"code": self.code, **dict(self.params), "text": self.text(language)}


def reason(code: str, **params: Any) -> Reason:
    return Reason(code, tuple(params.items()))


@dataclass
class Pick:
    """One person in an option: the place they fill and why they fit."""

    staff: Staff
    position: str
    reasons: list[Reason]


@dataclass
class Option:
    people: list[Pick]
    cost: dict[str, float]  # the model's terms these people decide, weight units; negative is a gain
    gain: float = 0.0  # what the activity adds besides (weight units), as the model prices it

    @property
    def total(self) -> float:
        return round(sum(self.cost.values()), 2)


@dataclass
class Excluded:
    staff: Staff
    reasons: list[Reason]


@dataclass
class Suggestion:
    """An activity (possible or planned) and the people who could take it."""

    activity_id: str
    venue: Venue | None
    format: str
    format_name: str
    start: datetime
    end: datetime
    window: str | None
    replacing: Staff | None = None
    gains: list[Reason] = field(default_factory=list)
    gain: float | None = None  # weight units the activity adds (the model's price; None: unpriced, no option)
    warnings: list[Reason] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    none_why: Reason | None = None  # why no option at all


@dataclass
class Suggestions:
    language: str
    items: list[Suggestion]
    none_why: Reason | None = None  # nothing could be held at all


class SuggestError(ValueError):
    """A command-line value that does not name anything in the plan: (option, message)."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


# --- the plan as it stands ----------------------------------------------------------------------------


@dataclass
class Booked:
    id: str
    venue: str | None
    format: str
    start: datetime
    end: datetime
    staff: tuple[str, ...]
    key_date: str | None
    area: str | None


class Situation:
    """plan.json joined with the station plan: who is where, loads, quotas."""

    def __init__(self, loaded: LoadedPlan, plan_json: PlanFile, calendar: CampaignCalendar | None = None):
        self.loaded = loaded
        self.plan = loaded.plan
        self.language = self.plan.campaign.language
        self.calendar = calendar or build_calendar(self.plan)
        self.tz = ZoneInfo(self.plan.station.timezone)
        self.staff = list(self.plan.staff)
        self.staff_by_id = {s.id: s for s in self.staff}
        self.venues = {v.id: v for v in self.plan.venues}
        self.team_of = teams(self.staff)
        self.day_index = {d.date: i for i, d in enumerate(self.calendar.days)}
        self.booked: list[Booked] = []
        for a in plan_json.activities:
            venue = self.venues.get(a.venue) if a.venue else None
            self.booked.append(Booked(
                a.id, a.venue, a.activity, a.start.astimezone(self.tz), a.end.astimezone(self.tz),
                tuple(a.staff), a.key_date, venue.area if venue else None))
        self.by_id = {b.id: b for b in self.booked}
        self.of_person: dict[str, list[Booked]] = defaultdict(list)
        for b in self.booked:
            for s in b.staff:
                self.of_person[s].append(b)
        n = len(self.calendar.days)
        self.capacity = {s.id: capacity(self.plan, self.calendar, i, n) for i, s in enumerate(self.staff)}
        self._generated: dict[str, Candidate] | None = None  # the planner's candidates by id, made once
        self.load = {s.id: len(self.of_person.get(s.id, ())) for s in self.staff}
        self.formats = resolve_formats(self.plan)

    def format_name(self, fmt: str) -> str:
        f = self.formats.get(fmt)
        return f.name(self.language) if f else fmt

    @property
    def m(self) -> Messages:
        return for_language(self.language)

    def label(self, b: Booked) -> str:
        venue = self.venues[b.venue].name if b.venue else self.m._("online")
        return f"{self.format_name(b.format)}@{venue}"

    # --- needs ---

    def need(self, fmt: str, venue: Venue | None) -> Need:
        """The format's needs with 网格+警网 applied, as planner.tactics.six_plus does."""
        n = self.formats[fmt].needs
        roles = {r: getattr(n, r) for r in ("police", "auxiliary", "grid_worker", "volunteer") if getattr(n, r)}
        six = self.plan.tactics.six_plus
        if six and six.grid_and_police and venue is not None and venue.kind in PAIRED_KINDS:
            roles = paired_roles(roles)
        return Need(roles, n.people or 0, tuple(n.skills), n.team,
                    tuple(match_teams(n.teams, set(self.team_of))) if n.teams else (), n.team_area == "stay")

    def missing(self, need: Need, people: Iterable[Staff]) -> list[str]:
        """What a set of people lacks for a need (planner.verify's needs rule), e.g. ['police', 'lecture']."""
        people = list(people)
        out = []
        for role, short in short_roles(need.roles, [p.role for p in people]).items():
            out += [role] * short
        if len(people) < max(need.people, 1) and not out:
            out.append("*")
        for skill in need.skills:
            if not any(skill in p.skills for p in people):
                out.append(skill)
        if need.team:
            ids = {p.id for p in people}
            out += [self.staff[m].id for m in self.team_of.get(need.team, ()) if self.staff[m].id not in ids]
        if need.teams:  # one team's people only (staffing.one_team): a member of the team most of them are in
            theirs = Counter(p.team for p in people)
            if len(theirs) > 1 or not set(theirs) <= set(need.teams):
                out.append(max(theirs, key=lambda t: (t in need.teams, theirs[t], t or "")) or need.teams[0])
        return out

    def describe(self, what: Iterable[str]) -> str:
        names = []
        for w in what:
            if w in ROLE_WORDS:
                names.append(self.m._(ROLE_WORDS[w]))
            elif w == "*":
                names.append(self.m._("one more person"))
            elif w in self.staff_by_id:
                names.append(self.staff_by_id[w].name)
            else:
                names.append(skill_words(self.m, w))
        return self.m._(", ").join(names)

    def position_name(self, pt: tuple[str, tuple[str, ...]]) -> str:
        role, skills = pt
        parts = [self.m._(ROLE_WORDS[role]) if role != "*" else self.m._("any role")]
        parts += [skill_words(self.m, s) for s in skills]
        return "+".join(parts)

    # --- who is free ---

    def week_count(self, person: str, day: date, ignore: str | None = None) -> int:
        week = day.isocalendar()[:2]
        return sum(1 for b in self.of_person.get(person, ()) if b.id != ignore and b.start.date().isocalendar()[:2]
                   == week)

    def same_day(self, person: str, day: date, ignore: str | None = None) -> list[Booked]:
        return sorted((b for b in self.of_person.get(person, ()) if b.start.date() == day and b.id != ignore),
                      key=lambda b: b.start)

    def cannot_go(self, person: Staff, venue: Venue | None, start: datetime, end: datetime,
                  ignore: str | None = None) -> list[Reason]:
        """Every hard reason this person cannot take an activity then and there (empty: they can)."""
        day = start.date()
        out = []
        if person.max_activities_per_week <= 0:
            return [reason("no_activities")]
        leave = next((s for s in person.unavailable if day in s), None)
        if leave is not None:
            out.append(reason("leave", span=str(leave)))
        elif not person.is_available(day):
            out.append(reason("duty"))
        n = self.week_count(person.id, day, ignore)
        if n >= person.max_activities_per_week:
            out.append(reason("weekly_limit", n=n, max=person.max_activities_per_week))
        area = venue.area if venue else None
        for b in self.same_day(person.id, day, ignore):
            minutes = travel_minutes(self.plan, area, b.area)
            gap = minutes * 60
            if (start - b.end).total_seconds() < gap and (b.start - end).total_seconds() < gap:
                travel = "" if not minutes else self.m._(" (with {minutes} min travel)").format(minutes=minutes)
                out.append(reason("busy", activity=self.label(b), time=f"{b.start:%H:%M}-{b.end:%H:%M}",
                                  travel=travel))
        if venue is not None and venue.id not in person.claims:
            minutes = travel_minutes(self.plan, person.area, venue.area)
            if minutes > MAX_TRAVEL_MINUTES:
                out.append(reason("too_far", minutes=minutes))
        return out

    # --- loads and quotas, as the reasons say them ---

    def utilisation(self, person: Staff) -> tuple[int, int]:
        """This person's load and their role's average, in percent of capacity."""
        peers = [s.id for s in self.staff if s.role == person.role and self.capacity[s.id] > 0]
        cap = self.capacity[person.id]
        mine = round(100 * self.load[person.id] / cap) if cap else 0
        cap_total = sum(self.capacity[p] for p in peers)
        avg = round(100 * sum(self.load[p] for p in peers) / cap_total) if cap_total else 0
        return mine, avg

    def all_police_quota(self, person: Staff, day: date) -> tuple[int, int, str] | None:
        """(have, required, period) of the 全警反诈 rule for an officer in the period holding `day`."""
        rule = self.plan.tactics.all_police
        if rule is None or not rule.at_least or person.role != "police" or day not in self.day_index:
            return None
        period = self.period_of(campaign_periods(self.calendar, rule.per), day)
        required = rule.at_least if rule.per == "campaign" else prorated(rule.at_least, period.fraction)
        if not required:
            return None
        have = sum(1 for b in self.of_person.get(person.id, ()) if self.in_period(b.start.date(), period))
        return have, required, period.label

    def period_of(self, periods: list[Period], day: date) -> Period:
        d = self.day_index[day]
        return next(p for p in periods if p.first <= d <= p.last)

    def in_period(self, day: date, period: Period) -> bool:
        d = self.day_index.get(day)
        return d is not None and period.first <= d <= period.last

    # --- what it costs: the search's own model ---

    def as_planned(self, b: Booked) -> Fact | None:
        """A planned activity as the models know it (None: the plan no longer generates it)."""
        if self._generated is None:
            # day by day, only the venues with an activity (Litong: 0.5 s, the whole campaign 2.8 s)
            by_day: dict[int, set[str | None]] = defaultdict(set)
            for other in self.booked:
                if other.start.date() in self.day_index:
                    by_day[self.day_index[other.start.date()]].add(other.venue)
            self._generated = {}
            for d, venues in sorted(by_day.items()):
                cset = generate_candidates(self.loaded, self.calendar, days=[d], venues=sorted(v for v in venues if v),
                                           online=None in venues)
                self._generated.update((c.id, c) for c in cset.candidates)
        cand = self._generated.get(activity_id(b.venue, b.format, b.start.date(), b.start.hour * 60 + b.start.minute))
        if cand is None:
            return None
        key = next((k for k in cand.key_dates if self.calendar.key_dates[k].id == b.key_date), None)
        return cand, b.staff, key

    def evaluator(self, day: date, extra: Iterable[Candidate] = (), changing: str | None = None,
                  leave_out: str | None = None) -> tuple[Evaluator, dict[str, str]] | None:
        """The model of the day's week with the rest of the plan fixed, and booked id → its
        candidate id there; `extra`: activities that may be added, `changing`: the booked
        activity that will change, `leave_out`: a booked activity left out of the plan. None
        where the plan as it stands breaks the model's hard rules that week even with only
        `changing` modelled.

        A week, not the day: fairness weighs the people the model could staff, and over a
        week that is nearly everyone (Lanzhou: a day's model priced an option's fairness
        1.0 where the whole campaign's model says 4.0, as a week's model does)."""
        week = day.isocalendar()[:2]
        days = [i for i, d in enumerate(self.calendar.days) if d.date.isocalendar()[:2] == week]
        extra = list(extra)
        cset = generate_candidates(self.loaded, self.calendar, days=days)
        known = {c.id for c in cset.candidates}
        cset = replace(cset, candidates=cset.candidates + [c for c in extra if c.id not in known])
        held: Incumbent = {}
        facts: list[Fact] = []
        ids: dict[str, str] = {}
        for b in self.booked:
            planned = self.as_planned(b) if b.id != leave_out else None
            if planned is None:
                continue  # counted by neither plan, so no difference between them
            if planned[0].day in days:
                held[planned[0].id] = planned
                ids[b.id] = planned[0].id
            else:
                facts.append(planned)
        for attempt in (0, 1):
            if attempt:  # the week as planned breaks a hard rule (the plan was edited): fixed, not modelled
                keep = ids.get(changing or "")
                facts += [v for k, v in held.items() if k != keep]
                held = {k: v for k, v in held.items() if k == keep}
            ev = Evaluator(self.loaded, self.calendar, cset, range(days[0], days[-1] + 1), held, facts=facts,
                           extra=[c.id for c in extra], seed=self.plan.solver.seed)
            if ev.base is not None:
                return ev, {k: v for k, v in ids.items() if v in ev.held}
        return None

    def why_it_fits(self, person: Staff, venue: Venue | None, day: date, position: str,
                    ignore: str | None = None) -> list[Reason]:
        out = []
        if venue is not None and venue.id in person.claims:
            out.append(reason("claimed"))
        if venue is not None and venue.area and person.area:
            minutes = travel_minutes(self.plan, person.area, venue.area)
            out.append(reason("own_area", area=venue.area) if not minutes
                       else reason("travel", minutes=minutes, area=person.area))
        others = self.same_day(person.id, day, ignore)
        out.append(reason("day_other", activities="; ".join(f"{b.start:%H:%M} {self.label(b)}" for b in others))
                   if others else reason("day_free"))
        out.append(reason("week_load", n=self.week_count(person.id, day, ignore), max=person.max_activities_per_week))
        pct, avg = self.utilisation(person)
        out.append(reason("utilisation", pct=pct, avg=avg))
        quota = self.all_police_quota(person, day)
        if quota is not None and quota[0] < quota[1]:
            out.append(reason("all_police_short", have=quota[0], required=quota[1]))
        out.append(reason("position", what=position))
        return out


# --- at a venue on a day -------------------------------------------------------------------------------


def suggest_for_venue(loaded: LoadedPlan, plan_json: PlanFile, venue_id: str, day: date, *,
                      fmt: str | None = None, top: int = TOP, situation: Situation | None = None) -> Suggestions:
    """The activities the windows allow at a venue on a day, each with the best teams to take it."""
    s = situation or Situation(loaded, plan_json)
    venue = s.venues.get(venue_id)
    if venue is None:
        raise SuggestError("--venue", f"no venue '{venue_id}' in {loaded.file}{_close(venue_id, s.venues)}")
    if day not in s.day_index:
        raise SuggestError("--date", f"{day} is outside the campaign "
                           f"({s.plan.campaign.start}..{s.plan.campaign.end})")
    if fmt is not None and fmt not in s.formats:
        raise SuggestError("--activity-format", f"no activity format '{fmt}'{_close(fmt, s.formats)}")
    d = s.day_index[day]
    cset = generate_candidates(loaded, s.calendar, days=[d], venues=[venue_id], online=False, grid="range")
    cands = [c for c in cset.candidates if fmt is None or c.format == fmt]
    if not cands:
        return Suggestions(s.language, [], _nothing_held(s, venue, day, fmt))
    priced = s.evaluator(day, extra=[c for c in cands if c.id not in s.by_id])
    items = [_for_candidate(s, venue, c, top, priced[0] if priced else None) for c in cands]
    items.sort(key=lambda it: (not it.options, -((it.gain or 0) - (it.options[0].total if it.options else 0)),
                               it.start, it.format))
    return Suggestions(s.language, items)


def _close(word: str, choices: Iterable[str]) -> str:
    return did_you_mean(word, choices)


def _nothing_held(s: Situation, venue: Venue, day: date, fmt: str | None) -> Reason:
    closed = next((span for span in venue.closed if day in span), None)
    if closed is not None:
        return reason("none_closed", span=str(closed))
    if fmt is not None:
        return reason("none_format", format=s.format_name(fmt))
    kind = catalogue().venue_kinds[venue.kind].name(s.language)
    return reason("none_window", kind=kind, day_kind=s.m.msg(DAY_KINDS[s.calendar[day].kind]))


def _window_name(s: Situation, window: str) -> str:
    if window.startswith("three_times_three_places"):
        return s.m._(TACTIC_WORDS["three_times_three_places"])
    w = catalogue().windows.get(window)
    return w.name(s.language) if w else window


def _gains(s: Situation, venue: Venue, c: Candidate) -> tuple[list[Reason], list[Reason]]:
    """What the activity adds to the plan (reasons; the model prices them) and the venue rules it would strain."""
    plan = s.plan
    gains: list[Reason] = []
    at_venue = [b for b in s.booked if b.venue == venue.id]
    fi = plan.tactics.five_into
    if fi and venue.kind in fi.kinds:
        rule = fi.every_venue
        if rule.per == "campaign" and rule.at_least > 1:
            periods, each = campaign_periods(s.calendar, "campaign", split=rule.at_least), 1
        else:
            periods, each = campaign_periods(s.calendar, rule.per), rule.at_least
        period = s.period_of(periods, c.date)
        required = each if rule.per == "campaign" else prorated(each, period.fraction)
        have = sum(1 for b in at_venue if s.in_period(b.start.date(), period))
        if have < required:
            gains.append(reason("gain_five_into", venue=venue.name, period=period.label, have=have, required=required))
        six = plan.tactics.six_plus
        multiplier = float(getattr(six.precision, venue.risk)) if six and six.precision else 1.0
        if multiplier > 1:
            wanted = round(each * multiplier) if rule.per == "campaign" else prorated(each * multiplier,
                                                                                      period.fraction)
            if required <= have < wanted:
                gains.append(reason("gain_precision", risk=s.m._(venue.risk), period=period.label,
                                    have=have, required=wanted))
    if plan.tactics.key_dates:
        for k in c.key_dates:
            key = s.calendar.key_dates[k]
            have = sum(1 for b in s.booked if b.key_date == key.id and b.start.date() in key.window)
            if have < key.min_activities:
                gains.append(reason("gain_key_date", name=key.name(s.language), have=have,
                                    required=key.min_activities))
                break  # an activity counts for one key date
    if c.busy:
        gains.append(reason("busy_window"))
    gains.append(reason("gain_reach", reach=c.reach))
    warnings = []
    for b in at_venue:
        if b.start.date() == c.date:
            warnings.append(reason("venue_same_day", activity=b.id))
        elif fi and venue.kind in fi.kinds and abs((b.start.date() - c.date).days) < fi.min_gap_days:
            warnings.append(reason("min_gap", day=str(b.start.date()), days=abs((b.start.date() - c.date).days),
                                   gap=fi.min_gap_days))
    return gains, warnings


def _for_candidate(s: Situation, venue: Venue, c: Candidate, top: int, ev: Evaluator | None) -> Suggestion:
    item = Suggestion(c.id, venue, c.format, s.format_name(c.format), c.start, c.end, _window_name(s, c.window))
    planned = s.by_id.get(c.id)
    if planned is not None:
        item.none_why = reason("none_planned", id=c.id, staff=s.describe(planned.staff))
        return item
    item.gains, item.warnings = _gains(s, venue, c)
    need = s.need(c.format, venue)
    staffing = positions_for(need, s.staff, s.team_of)
    if isinstance(staffing, str):
        item.none_why = reason("none_needs", why=staffing)
        return item
    blocked = {p.id: s.cannot_go(p, venue, c.start, c.end) for p in s.staff}
    team = [s.staff[m] for m in staffing.team]
    away = [p for p in team if blocked[p.id]]
    if away:
        item.none_why = reason("none_team", team=need.team, who=s.describe(p.id for p in away))
        item.excluded = [Excluded(p, blocked[p.id]) for p in away]
        return item
    item.excluded = _excluded(s, staffing, blocked, skip={p.id for p in team})
    forbidden = [w for w in item.warnings if w.code in ("venue_same_day", "min_gap")]
    if ev is not None and ev.can_open(c.id):
        item.options = _compose(s, venue, c, staffing, blocked, top, ev)
        if item.options:
            item.gain = item.options[0].gain
    if item.options:
        return item
    unfilled = [pt for pt, n in staffing.positions.items()
                if sum(1 for p in s.staff if not blocked[p.id] and fits(p, pt) and p not in team) < n]
    if forbidden:
        # the model's hard rules (one activity a venue a day, 五进's min_gap_days) forbid it,
        # whoever is free
        item.none_why = forbidden[0]
        item.warnings.remove(forbidden[0])
    elif unfilled:
        item.none_why = reason("none_free_for", what=s.m._(", ").join(
            s.position_name(pt) for pt in unfilled))
    else:
        item.none_why = reason("none_people")
    return item


def _excluded(s: Situation, staffing: Staffing, blocked: dict[str, list[Reason]], skip: set[str]) -> list[Excluded]:
    """Who cannot take it: people who fit a position but cannot go (and why), and people who fit none."""
    out = []
    wanted = "/".join(s.position_name(pt) for pt in staffing.positions)
    if not wanted and staffing.team:  # only the team goes: it is what the others are not
        wanted = s.staff[staffing.team[0]].team or ""
    for p in s.staff:
        if p.id in skip:
            continue
        if not any(fits(p, pt) for pt in staffing.positions):
            out.append(Excluded(p, [reason("role_skill", what=wanted)]))
        elif blocked[p.id]:
            out.append(Excluded(p, blocked[p.id]))
    return out


# the model's terms an option's people decide; every other term is what the activity adds
COST_TERMS = {("staffing", "travel"): "travel", ("all_police", "claims"): "claims",
              ("all_police", "every_officer"): "all_police"}


def _priced(change: dict[tuple[str, str], float]) -> tuple[dict[str, float], float]:
    """A change in the model's terms as an option's cost (travel, fairness, claims, 全警反诈)
    and the gain of the rest (weight units; positive is better)."""
    cost = dict.fromkeys(COST_NAMES, 0.0)
    rest = 0.0
    for (tactic, rule), v in change.items():
        key = "fairness" if tactic == "fairness" else COST_TERMS.get((tactic, rule))
        if key is None:
            rest += v
        else:
            cost[key] += v
    return {k: round(v, 2) + 0.0 for k, v in cost.items()}, round(-rest, 2) + 0.0


def _compose(s: Situation, venue: Venue, c: Candidate, staffing: Staffing, blocked: dict[str, list[Reason]],
             top: int, ev: Evaluator) -> list[Option]:
    """The best teams: the model staffs the activity from the people free for it, cheapest
    first, each next one a different set of people."""
    team = [s.staff[m] for m in staffing.team]
    free = {p.id for p in s.staff if not blocked[p.id] and p not in team}
    base = ev.base
    assert base is not None  # Situation.evaluator gives only evaluators with a base
    order = {pt: k for k, pt in enumerate(staffing.positions)}
    options: list[Option] = []
    avoid: list[frozenset[str]] = []
    while len(options) < top:
        found = ev.best(ev.held, c.id, free, avoid)
        if found is None:
            break
        people = sorted(found.positions, key=lambda p: (order.get(found.positions[p], len(order)), p))
        if not people and avoid:
            break  # a team alone: one option only
        avoid.append(frozenset(people))
        placed = [(p, need_team(s, p)) for p in team] + [
            (s.staff_by_id[p], s.position_name(found.positions[p])) for p in people]
        picks = [Pick(p, position, s.why_it_fits(p, venue, c.date, position)) for p, position in placed]
        cost, gain = _priced(found.minus(base))
        options.append(Option(picks, cost, gain))
    return sorted(options, key=lambda o: (o.total, [p.staff.id for p in o.people]))


def need_team(s: Situation, person: Staff) -> str:
    return s.m._(TEXT["team_member"]).format(team=person.team)


# --- replacing someone -----------------------------------------------------------------------------------


def suggest_replacement(loaded: LoadedPlan, plan_json: PlanFile, activity_id: str, *,
                        person: str | None = None, top: int = TOP, situation: Situation | None = None) -> Suggestions:
    """Who could take the place of each person on a planned activity (or of the one named)."""
    s = situation or Situation(loaded, plan_json)
    b = s.by_id.get(activity_id)
    if b is None:
        raise SuggestError("--activity", f"no activity '{activity_id}' in the plan.json{_close(activity_id, s.by_id)}")
    if person is not None:
        if person not in s.staff_by_id:
            raise SuggestError("--person", f"no staff '{person}' in {loaded.file}{_close(person, s.staff_by_id)}")
        if person not in b.staff:
            raise SuggestError("--person", f"{person} is not on {activity_id} (its staff: {', '.join(b.staff)})")
    venue = s.venues.get(b.venue) if b.venue else None
    need = s.need(b.format, venue)
    on_it = [s.staff_by_id[p] for p in b.staff]
    priced = s.evaluator(b.start.date(), changing=b.id)
    whole_team = False
    planned = s.as_planned(b)
    if (priced is None or b.id not in priced[1]) and planned is not None:
        # the activity as planned breaks the model's rules (someone on it is now on leave):
        # each team is priced against the plan without it
        alone = s.evaluator(b.start.date(), extra=[planned[0]], leave_out=b.id)
        if alone is not None and alone[0].can_open(planned[0].id):
            priced, whole_team = (alone[0], {b.id: planned[0].id}), True
    items = []
    for leaving in on_it if person is None else [s.staff_by_id[person]]:
        item = _replace_one(s, b, venue, need, on_it, leaving, top, priced)
        if whole_team and item.options:
            item.warnings.append(reason("whole_team", who=leaving.name))
        items.append(item)
    return Suggestions(s.language, items)


def _replace_one(s: Situation, b: Booked, venue: Venue | None, need: Need, on_it: list[Staff], leaving: Staff,
                 top: int, priced: tuple[Evaluator, dict[str, str]] | None) -> Suggestion:
    item = Suggestion(b.id, venue, b.format, s.format_name(b.format), b.start, b.end, None, replacing=leaving,
                      gain=0.0)  # the activity stays: it adds what it added
    rest = [p for p in on_it if p.id != leaving.id]
    lacking = s.missing(need, rest)
    if not lacking:
        item.warnings.append(reason("surplus", who=leaving.name))
    day = b.start.date()
    ev, cand_id = (priced[0], priced[1].get(b.id)) if priced else (None, None)
    ranked: list[Option] = []
    for p in s.staff:
        if p.id == leaving.id:
            item.excluded.append(Excluded(p, [reason("replaced")]))
            continue
        if p in rest:
            item.excluded.append(Excluded(p, [reason("on_it")]))
            continue
        if s.missing(need, [*rest, p]) or (not lacking and p.role != leaving.role):
            wanted = s.describe(lacking) if lacking else s.m._(ROLE_WORDS[leaving.role])
            item.excluded.append(Excluded(p, [reason("role_skill", what=wanted)]))
            continue
        why_not = s.cannot_go(p, venue, b.start, b.end, ignore=b.id)
        if why_not:
            item.excluded.append(Excluded(p, why_not))
            continue
        cost: dict[str, float] = {}  # unpriced where the week's model cannot hold the plan as it stands
        planned = ev.held.get(cand_id) if ev is not None and cand_id is not None else None
        planned = planned or s.as_planned(b)
        if ev is not None and ev.base is not None and cand_id is not None and planned is not None:
            cand, _, key = planned
            swapped = ev.evaluate({**ev.held, cand_id: (cand, _swap(b.staff, leaving.id, p.id), key)})
            if swapped is None:
                continue  # the model's hard rules say no (suggest's own checks let it through)
            cost, _ = _priced(swapped.minus(ev.base))
        position = s.describe(lacking) if lacking else s.m._(ROLE_WORDS[p.role])
        ranked.append(Option([Pick(p, position, s.why_it_fits(p, venue, day, position, ignore=b.id))], cost))
    ranked.sort(key=lambda o: (o.total, o.people[0].staff.id))
    item.options = ranked[:top]
    if not item.options:
        gone = [m for m in lacking if m in s.staff_by_id]
        if need.team and gone:
            item.none_why = reason("none_team", team=need.team, who=s.describe(gone))
        elif not any(not s.missing(need, [*rest, p]) for p in s.staff if p not in on_it):
            item.none_why = reason("none_missing", what=s.describe(lacking))
        elif lacking:
            item.none_why = reason("none_free_for", what=s.describe(lacking))
        else:
            item.none_why = reason("none_people")
    return item


def _swap(staff: tuple[str, ...], leaving: str, coming: str) -> tuple[str, ...]:
    return tuple(sorted(coming if x == leaving else x for x in staff))


# --- output ----------------------------------------------------------------------------------------------


def as_json(result: Suggestions) -> dict[str, Any]:
    lang = result.language

    def person(p: Staff) -> dict[str, Any]:
        return {"id": p.id, "name": p.name, "role": p.role}

    items = []
    for it in result.items:
        items.append({
            "activity_id": it.activity_id,
            "venue": it.venue.id if it.venue else None,
            "activity": it.format,
            "start": it.start.isoformat(timespec="seconds"),
            "end": it.end.isoformat(timespec="seconds"),
            "window": it.window,
            "replacing": person(it.replacing) if it.replacing else None,
            "gain": it.gain,
            "gains": [r.as_json(lang) for r in it.gains],
            "warnings": [r.as_json(lang) for r in it.warnings],
            "options": [{"staff": [{**person(p.staff), "position": p.position,
                                    "reasons": [r.as_json(lang) for r in p.reasons]} for p in o.people],
                         "cost": o.cost, "total_cost": o.total if o.cost else None} for o in it.options],
            "not_available": [{**person(e.staff), "reasons": [r.as_json(lang) for r in e.reasons]}
                              for e in it.excluded],
            "none": it.none_why.as_json(lang) if it.none_why else None,
        })
    return {"language": lang, "suggestions": items,
            "none": result.none_why.as_json(lang) if result.none_why else None}


def render(console, result: Suggestions, *, show_all: bool = False) -> None:
    """Rich tables on a terminal, in the campaign's language."""
    from rich.table import Table

    m = for_language(result.language)
    sep = m._("; ")
    if result.none_why is not None:
        console.print(m._("No one to suggest: ") + result.none_why.text(result.language), highlight=False)
        return
    if result.items and not any(it.options for it in result.items):
        console.print("[bold]" + m._("No one can take it: ") + "[/]" + m._("the reason for each is below."),
                      highlight=False)
    previous = None
    for it in result.items:
        where = it.venue.name if it.venue else m._("online")
        head = f"[bold]{it.format_name}[/] · {where} · {it.start:%Y-%m-%d %H:%M}–{it.end:%H:%M}"
        if it.window:
            head += f" · {it.window}"
        if it.replacing is not None:
            head += m._(" · replacing {name}").format(name=it.replacing.name)
        console.print(head, highlight=False)
        console.print(f"  [dim]{it.activity_id}[/]", highlight=False)
        if it.gains:
            console.print("  " + m._("adds to the plan") + (f" (+{it.gain:g})" if it.gain is not None else "") + ": "
                          + sep.join(r.text(result.language) for r in it.gains), highlight=False)
        for w in it.warnings:
            console.print("  [yellow]" + m._("note: ") + "[/]" + w.text(result.language), highlight=False)
        if it.options:
            table = Table(show_lines=True, expand=False)
            table.add_column("#", justify="right")
            table.add_column(m._p("suggest column", "people"))
            table.add_column(m._p("suggest column", "cost"), justify="right")
            table.add_column(m._p("suggest column", "why"), overflow="fold")
            for n, o in enumerate(it.options, 1):
                people = "\n".join(m._("{name} ({role})").format(name=p.staff.name, role=m._(ROLE_WORDS[p.staff.role]))
                                   for p in o.people)
                parts = [f"{m._(COST_NAMES[k])} {v:+g}" for k, v in o.cost.items() if v]
                # unpriced (the week as planned breaks the model's rules): no figure rather than 0
                cost = (f"{o.total:+g}" if o.cost else "—") + ("\n" + "\n".join(parts) if parts else "")
                why = "\n".join(f"{p.staff.name}: " + sep.join(r.text(result.language) for r in p.reasons)
                                for p in o.people)
                table.add_row(str(n), people, cost, why)
            console.print(table)
        if it.none_why is not None:
            console.print("  [bold]" + m._("no one fits: ") + "[/]" + it.none_why.text(result.language),
                          highlight=False)
        shown = it.excluded if show_all else [e for e in it.excluded if e.reasons[0].code != "role_skill"]
        if shown:
            line = sep.join(f"{e.staff.name} ({', '.join(r.text(result.language) for r in e.reasons)})"
                            for e in shown)
            # the same people are often away for every activity of the day: say it once
            console.print("  " + m._("not available: ") + (m._("as above") if line == previous else line),
                          highlight=False)
            previous = line
        console.print()


__all__ = ["suggest_for_venue", "suggest_replacement", "Suggestions", "Suggestion", "Option", "Pick", "Excluded",
           "Reason", "Situation", "SuggestError", "as_json", "render"]
