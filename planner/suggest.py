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

Costs are in the planner's own units (weight × amount, as in plan.json's score): travel
(weights.travel per 10 minutes), fairness (weights.fairness per 10 points of load above the
role's average), claims (weights.claims when nobody who claimed the venue is on it) and
全警反诈 (weights.coverage when an officer falls short of, or reaches, their quota); what
the activity itself would add (五进, 基础+精准, key dates, reach) is its gain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

from planner.calendar import CampaignCalendar, build_calendar
from planner.candidates import Candidate, generate_candidates
from planner.catalogue import catalogue
from planner.formats import resolve_formats
from planner.loader import LoadedPlan, did_you_mean
from planner.planfile import PlanFile
from planner.model import Staff, Venue
from planner.tactics import (MAX_TRAVEL_MINUTES, PAIRED_KINDS, Need, Period, campaign_periods, prorated,
                             travel_minutes)
from planner.tactics.fairness import capacity
from planner.tactics.staffing import Staffing, fits, positions_for, teams
from planner.vocab import ROLE_NAMES, TACTIC_NAMES

REACH_PER = 100  # weights.reach is per this many people reached (planner.search)
FAIRNESS_PER_POINT = 0.1  # planner.tactics.fairness: weights.fairness per 10 points above average
PER_POSITION = 6  # people tried per position when composing teams: enough for the top options
TOP = 3

# --- what is said, in the campaign's language ------------------------------------------------------

TEXT: dict[str, tuple[str, str]] = {
    # why someone fits
    "claimed": ("包联此场所（全警反诈）", "claimed this venue (every officer)"),
    "own_area": ("本片区（{area}）", "works in this area ({area})"),
    "travel": ("从{area}过来约{minutes}分钟", "{minutes} min from {area}"),
    "day_free": ("当天无其他安排", "nothing else that day"),
    "day_other": ("当天另有：{activities}", "also that day: {activities}"),
    "week_load": ("本周已排{n}/{max}", "{n}/{max} this week"),
    "utilisation": ("工作量{pct}%（同岗平均{avg}%）", "load {pct}% (role average {avg}%)"),
    "all_police_short": ("本期全警反诈{have}/{required}", "every-officer quota {have}/{required} this period"),
    "position": ("担任：{what}", "as: {what}"),
    "team_member": ("{team}成员（整组出动）", "member of {team} (the team goes as a unit)"),
    # why someone is left out
    "leave": ("请假/外出（{span}）", "on leave ({span})"),
    "duty": ("当天值班", "on duty that day (rota)"),
    "no_activities": ("不安排活动（每周上限0）", "takes no activities (max 0 a week)"),
    "weekly_limit": ("本周已满{n}/{max}", "weekly limit reached: {n}/{max}"),
    "busy": ("时间冲突：{activity} {time}{travel}", "clashes with {activity} {time}{travel}"),
    "too_far": ("离本片区太远（{minutes}分钟）", "too far from their area ({minutes} min)"),
    "role_skill": ("岗位或技能不符（需要{what}）", "role or skill does not fit (needs {what})"),
    "on_it": ("已在此活动中", "already on this activity"),
    "replaced": ("被替换者", "the person being replaced"),
    # what the activity does for the plan
    "gain_five_into": ("五进：{venue}本期{period} {have}/{required}次，可补足", "五进: {have}/{required} visits "
                       "in {period}; this meets it"),
    "gain_precision": ("基础+精准：{risk}风险场所本期{have}/{required}次", "precision: {risk}-risk venue "
                       "{have}/{required} visits in {period}"),
    "gain_key_date": ("关键节点：{name} {have}/{required}场", "key date {name}: {have}/{required} activities"),
    "gain_reach": ("预计覆盖{reach}人", "about {reach} people reached"),
    "busy_window": ("三时三地时段", "a 三时三地 (busy) window"),
    # what to watch
    "venue_same_day": ("该场所当天已有活动 {activity}（规划每场所每天一场）",
                       "the venue already has {activity} that day (the planner holds one a day)"),
    "min_gap": ("与{day}的五进活动相隔{days}天，少于min_gap_days {gap}",
                "{days} days from the 五进 visit on {day}; min_gap_days is {gap}"),
    "surplus": ("没有{who}此活动也满足人员要求", "the activity meets its needs without {who}"),
    # why no one fits
    "none_closed": ("当天场所关闭（{span}）", "the venue is closed that day ({span})"),
    "none_window": ("当天{kind}没有可用时段（{day_kind}）", "no activity format has a time window at this "
                    "{kind} that day ({day_kind})"),
    "none_format": ("当天没有{format}的时段", "no {format} can be held there that day"),
    "none_needs": ("无法满足人员要求：{why}", "its needs cannot be met: {why}"),
    "none_team": ("{team}须整组出动，{who}无法参加", "{team} goes as a unit and {who} cannot go"),
    "none_people": ("没有合适且有空的人员", "nobody who fits is free"),
    "none_planned": ("已在计划中（{staff}）；换人请用 --activity {id}",
                     "already in the plan ({staff}); to change who goes use --activity {id}"),
    "none_free_for": ("没有有空的人担任：{what}", "nobody free for: {what}"),
    "none_missing": ("此活动缺{what}，一人无法补足", "the activity lacks {what}; one person cannot make it up"),
}
COST_NAMES = {"travel": TACTIC_NAMES["travel"], "fairness": TACTIC_NAMES["fairness"],
              "claims": TACTIC_NAMES["claims"], "all_police": TACTIC_NAMES["all_police"]}
SKILL_NAMES = {
    "lecture": ("宣讲", "lecture"), "performance": ("文艺", "performance"), "online": ("线上", "online"),
    "door_to_door": ("入户", "door to door"), "stall": ("摆摊", "stall"),
}
RISK_NAMES = {"high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low")}


@dataclass(frozen=True)
class Reason:
    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, language: str) -> str:
        zh, en = TEXT[self.code]
        return (zh if language == "zh" else en).format(**dict(self.params))

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
    cost: dict[str, float]  # planner terms, weight units; negative is a gain

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
    gain: float = 0.0  # weight units the activity adds to the plan whoever takes it
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
        self.load = {s.id: len(self.of_person.get(s.id, ())) for s in self.staff}
        self.formats = resolve_formats(self.plan)

    def format_name(self, fmt: str) -> str:
        f = self.formats.get(fmt)
        return f.name(self.language) if f else fmt

    def zh(self) -> bool:
        return self.language == "zh"

    def pick_name(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.zh() else pair[1]

    def label(self, b: Booked) -> str:
        venue = self.venues[b.venue].name if b.venue else self.pick_name(("线上", "online"))
        return f"{self.format_name(b.format)}@{venue}"

    # --- needs ---

    def need(self, fmt: str, venue: Venue | None) -> Need:
        """The format's needs with 网格+警网 applied, as planner.tactics.six_plus does."""
        n = self.formats[fmt].needs
        roles = {r: getattr(n, r) for r in ("police", "auxiliary", "grid_worker", "volunteer") if getattr(n, r)}
        six = self.plan.tactics.six_plus
        if six and six.grid_and_police and venue is not None and venue.kind in PAIRED_KINDS:
            roles["police"] = max(roles.get("police", 0), 1)
            roles["grid_worker"] = max(roles.get("grid_worker", 0), 1)
        return Need(roles, n.people or 0, tuple(n.skills), n.team)

    def missing(self, need: Need, people: Iterable[Staff]) -> list[str]:
        """What a set of people lacks for a need (planner.verify's needs rule), e.g. ['police', 'lecture']."""
        people = list(people)
        out = []
        for role, n in need.roles.items():
            short = n - sum(1 for p in people if p.role == role)
            out += [role] * max(0, short)
        if len(people) < max(need.people, 1) and not out:
            out.append("*")
        for skill in need.skills:
            if not any(skill in p.skills for p in people):
                out.append(skill)
        if need.team:
            ids = {p.id for p in people}
            out += [self.staff[m].id for m in self.team_of.get(need.team, ()) if self.staff[m].id not in ids]
        return out

    def describe(self, what: Iterable[str]) -> str:
        names = []
        for w in what:
            if w in ROLE_NAMES:
                names.append(self.pick_name(ROLE_NAMES[w]))
            elif w == "*":
                names.append(self.pick_name(("一人", "one more person")))
            elif w in self.staff_by_id:
                names.append(self.staff_by_id[w].name)
            else:
                names.append(self.pick_name(SKILL_NAMES.get(w, (w, w))))
        return ("、" if self.zh() else ", ").join(names)

    def position_name(self, pt: tuple[str, tuple[str, ...]]) -> str:
        role, skills = pt
        parts = [self.pick_name(ROLE_NAMES[role]) if role != "*" else self.pick_name(("任意岗位", "any role"))]
        parts += [self.pick_name(SKILL_NAMES.get(s, (s, s))) for s in skills]
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
                travel = "" if not minutes else self.pick_name((f"（含路程{minutes}分钟）",
                                                                f" (with {minutes} min travel)"))
                out.append(reason("busy", activity=self.label(b), time=f"{b.start:%H:%M}-{b.end:%H:%M}",
                                  travel=travel))
        if venue is not None and venue.id not in person.claims:
            minutes = travel_minutes(self.plan, person.area, venue.area)
            if minutes > MAX_TRAVEL_MINUTES:
                out.append(reason("too_far", minutes=minutes))
        return out

    # --- what it costs ---

    def fairness_penalty(self, load: dict[str, int]) -> float:
        """planner.tactics.fairness: Σ over people of their load above their role's average, in points."""
        if self.plan.weights.fairness <= 0:
            return 0.0
        total = 0.0
        by_role: dict[str, list[str]] = defaultdict(list)
        for s in self.staff:
            if self.capacity[s.id] > 0:
                by_role[s.role].append(s.id)
        for people in by_role.values():
            if len(people) < 2:
                continue
            cap_total = sum(self.capacity[p] for p in people)
            average = 100 * sum(load[p] for p in people) / cap_total
            total += sum(max(0.0, 100 * load[p] / self.capacity[p] - average) for p in people)
        return total * FAIRNESS_PER_POINT * self.plan.weights.fairness

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

    def travel_cost(self, person: Staff, venue: Venue | None) -> float:
        minutes = travel_minutes(self.plan, person.area, venue.area if venue else None)
        return self.plan.weights.travel * minutes / 10

    def claims_cost(self, venue: Venue | None, people: Iterable[Staff]) -> float:
        """weights.claims when an activity at a claimed venue has none of its claimants on it."""
        if venue is None or not any(venue.id in s.claims for s in self.staff):
            return 0.0
        return 0.0 if any(venue.id in p.claims for p in people) else float(self.plan.weights.claims)

    def quota_cost(self, person: Staff, day: date, change: int) -> float:
        """weights.coverage per activity an officer's 全警反诈 shortfall grows (change −1) or shrinks (+1)."""
        quota = self.all_police_quota(person, day)
        if quota is None:
            return 0.0
        have, required, _ = quota
        short_before, short_after = max(0, required - have), max(0, required - have - change)
        return (short_after - short_before) * self.plan.weights.coverage

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
    items = [_for_candidate(s, venue, c, top) for c in cands]
    items.sort(key=lambda it: (not it.options, -(it.gain - (it.options[0].total if it.options else 0)), it.start,
                               it.format))
    return Suggestions(s.language, items)


def _close(word: str, choices: Iterable[str]) -> str:
    return did_you_mean(word, choices)


def _nothing_held(s: Situation, venue: Venue, day: date, fmt: str | None) -> Reason:
    closed = next((span for span in venue.closed if day in span), None)
    if closed is not None:
        return reason("none_closed", span=str(closed))
    if fmt is not None:
        return reason("none_format", format=s.format_name(fmt))
    from planner.calendar import DAY_KIND_NAMES

    kind = catalogue().venue_kinds[venue.kind].name(s.language)
    return reason("none_window", kind=kind, day_kind=s.pick_name(DAY_KIND_NAMES[s.calendar[day].kind]))


def _window_name(s: Situation, window: str) -> str:
    if window.startswith("three_times_three_places"):
        return s.pick_name(("三时三地", "三时三地 (three times, three places)"))
    w = catalogue().windows.get(window)
    return w.name(s.language) if w else window


def _gains(s: Situation, venue: Venue, c: Candidate) -> tuple[list[Reason], float, list[Reason]]:
    """What the activity adds to the plan (reasons, weight units) and the venue rules it would strain."""
    plan, w = s.plan, s.plan.weights
    gains: list[Reason] = []
    value = w.reach * c.reach / REACH_PER
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
            value += w.coverage
        six = plan.tactics.six_plus
        multiplier = float(getattr(six.precision, venue.risk)) if six and six.precision else 1.0
        if multiplier > 1:
            wanted = round(each * multiplier) if rule.per == "campaign" else prorated(each * multiplier,
                                                                                      period.fraction)
            if required <= have < wanted:
                gains.append(reason("gain_precision", risk=s.pick_name(RISK_NAMES[venue.risk]), period=period.label,
                                    have=have, required=wanted))
                value += w.precision
    kd = plan.tactics.key_dates
    if kd and kd.min_activities:
        for k in c.key_dates:
            key = s.calendar.key_dates[k]
            have = sum(1 for b in s.booked if b.key_date == key.id and b.start.date() in key.window)
            if have < kd.min_activities:
                gains.append(reason("gain_key_date", name=key.name(s.language), have=have,
                                    required=kd.min_activities))
                value += w.key_dates
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
    return gains, round(value, 2), warnings


def _for_candidate(s: Situation, venue: Venue, c: Candidate, top: int) -> Suggestion:
    item = Suggestion(c.id, venue, c.format, s.format_name(c.format), c.start, c.end, _window_name(s, c.window))
    planned = s.by_id.get(c.id)
    if planned is not None:
        item.none_why = reason("none_planned", id=c.id, staff=s.describe(planned.staff))
        return item
    item.gains, item.gain, item.warnings = _gains(s, venue, c)
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
    item.options = _compose(s, venue, c, staffing, blocked, top)
    item.excluded = _excluded(s, staffing, blocked, skip={p.id for p in team})
    if not item.options:
        unfilled = [pt for pt, n in staffing.positions.items()
                    if sum(1 for p in s.staff if not blocked[p.id] and fits(p, pt) and p not in team) < n]
        item.none_why = (reason("none_free_for", what=("、" if s.zh() else ", ").join(
            s.position_name(pt) for pt in unfilled)) if unfilled else reason("none_people"))
    return item


def _excluded(s: Situation, staffing: Staffing, blocked: dict[str, list[Reason]], skip: set[str]) -> list[Excluded]:
    """Who cannot take it: people who fit a position but cannot go (and why), and people who fit none."""
    out = []
    wanted = "/".join(s.position_name(pt) for pt in staffing.positions)
    for p in s.staff:
        if p.id in skip:
            continue
        if not any(fits(p, pt) for pt in staffing.positions):
            out.append(Excluded(p, [reason("role_skill", what=wanted)]))
        elif blocked[p.id]:
            out.append(Excluded(p, blocked[p.id]))
    return out


def _compose(s: Situation, venue: Venue, c: Candidate, staffing: Staffing, blocked: dict[str, list[Reason]],
             top: int) -> list[Option]:
    """The best teams: every position filled by a different free person, cheapest first."""
    team = [s.staff[m] for m in staffing.team]
    slots = [pt for pt, n in staffing.positions.items() for _ in range(n)]
    choices = []
    for pt in slots:
        free = [p for p in s.staff if not blocked[p.id] and fits(p, pt) and p not in team]
        # claimants always stay in the running: their option may avoid the claims cost
        free.sort(key=lambda p: (venue.id not in p.claims, _alone_cost(s, p, venue, c.date), p.id))
        choices.append(free[:PER_POSITION])
    options: dict[frozenset, Option] = {}
    for combo in product(*choices) if slots else [()]:
        if len({p.id for p in combo}) < len(combo):
            continue
        key = frozenset(p.id for p in combo)
        if key in options:
            continue
        people = [*team, *combo]
        load = dict(s.load)
        for p in people:
            load[p.id] += 1
        cost = {
            "travel": round(sum(s.travel_cost(p, venue) for p in people), 2),
            "fairness": round(s.fairness_penalty(load) - s.fairness_penalty(s.load), 2),
            "claims": s.claims_cost(venue, people),
            "all_police": sum(s.quota_cost(p, c.date, +1) for p in people),
        }
        placed = [(p, need_team(s, p)) for p in team] + [(p, s.position_name(pt)) for p, pt in zip(combo, slots)]
        picks = [Pick(p, position, s.why_it_fits(p, venue, c.date, position)) for p, position in placed]
        options[key] = Option(picks, cost)
    ranked = sorted(options.values(), key=lambda o: (o.total, [p.staff.id for p in o.people]))
    return ranked[:top]


def need_team(s: Situation, person: Staff) -> str:
    return TEXT["team_member"][0 if s.zh() else 1].format(team=person.team)


def _alone_cost(s: Situation, p: Staff, venue: Venue, day: date) -> float:
    """One person's share of an option's cost, for choosing whom to try per position."""
    load = dict(s.load)
    load[p.id] += 1
    return (s.travel_cost(p, venue) + s.fairness_penalty(load) - s.fairness_penalty(s.load)
            + s.quota_cost(p, day, +1))


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
    items = []
    for leaving in on_it if person is None else [s.staff_by_id[person]]:
        items.append(_replace_one(s, b, venue, need, on_it, leaving, top))
    return Suggestions(s.language, items)


def _replace_one(s: Situation, b: Booked, venue: Venue | None, need: Need, on_it: list[Staff], leaving: Staff,
                 top: int) -> Suggestion:
    item = Suggestion(b.id, venue, b.format, s.format_name(b.format), b.start, b.end, None, replacing=leaving)
    rest = [p for p in on_it if p.id != leaving.id]
    lacking = s.missing(need, rest)
    if not lacking:
        item.warnings.append(reason("surplus", who=leaving.name))
    day = b.start.date()
    before = s.fairness_penalty(s.load)
    ranked: list[Option] = []
    for p in s.staff:
        if p.id == leaving.id:
            item.excluded.append(Excluded(p, [reason("replaced")]))
            continue
        if p in rest:
            item.excluded.append(Excluded(p, [reason("on_it")]))
            continue
        if s.missing(need, [*rest, p]) or (not lacking and p.role != leaving.role):
            wanted = s.describe(lacking) if lacking else s.pick_name(ROLE_NAMES[leaving.role])
            item.excluded.append(Excluded(p, [reason("role_skill", what=wanted)]))
            continue
        why_not = s.cannot_go(p, venue, b.start, b.end, ignore=b.id)
        if why_not:
            item.excluded.append(Excluded(p, why_not))
            continue
        load = dict(s.load)
        load[leaving.id] -= 1
        load[p.id] += 1
        cost = {
            "travel": round(s.travel_cost(p, venue) - s.travel_cost(leaving, venue), 2),
            "fairness": round(s.fairness_penalty(load) - before, 2),
            "claims": s.claims_cost(venue, [*rest, p]) - s.claims_cost(venue, on_it),
            "all_police": s.quota_cost(p, day, +1) + s.quota_cost(leaving, day, -1),
        }
        position = s.describe(lacking) if lacking else s.pick_name(ROLE_NAMES[p.role])
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
                         "cost": o.cost, "total_cost": o.total} for o in it.options],
            "not_available": [{**person(e.staff), "reasons": [r.as_json(lang) for r in e.reasons]}
                              for e in it.excluded],
            "none": it.none_why.as_json(lang) if it.none_why else None,
        })
    return {"language": lang, "suggestions": items,
            "none": result.none_why.as_json(lang) if result.none_why else None}


def render(console, result: Suggestions, *, show_all: bool = False) -> None:
    """Rich tables on a terminal, in the campaign's language."""
    from rich.table import Table

    zh = result.language == "zh"

    def pick(in_zh: str, in_en: str) -> str:
        return in_zh if zh else in_en

    sep = "；" if zh else "; "
    if result.none_why is not None:
        console.print(pick("没有可建议的人选：", "No one to suggest: ") + result.none_why.text(result.language),
                      highlight=False)
        return
    if result.items and not any(it.options for it in result.items):
        console.print("[bold]" + pick("没有人可以安排：", "No one can take it: ") + "[/]"
                      + pick("每项的原因见下。", "the reason for each is below."), highlight=False)
    previous = None
    for it in result.items:
        where = it.venue.name if it.venue else pick("线上", "online")
        head = f"[bold]{it.format_name}[/] · {where} · {it.start:%Y-%m-%d %H:%M}–{it.end:%H:%M}"
        if it.window:
            head += f" · {it.window}"
        if it.replacing is not None:
            head += pick(f" · 替换 {it.replacing.name}", f" · replacing {it.replacing.name}")
        console.print(head, highlight=False)
        console.print(f"  [dim]{it.activity_id}[/]", highlight=False)
        if it.gains:
            console.print("  " + pick("对计划的贡献", "adds to the plan") + f" (+{it.gain:g}): "
                          + sep.join(r.text(result.language) for r in it.gains), highlight=False)
        for w in it.warnings:
            console.print("  [yellow]" + pick("注意：", "note: ") + "[/]" + w.text(result.language), highlight=False)
        if it.options:
            table = Table(show_lines=True, expand=False)
            table.add_column("#", justify="right")
            table.add_column(pick("人员", "people"))
            table.add_column(pick("代价", "cost"), justify="right")
            table.add_column(pick("理由", "why"), overflow="fold")
            for n, o in enumerate(it.options, 1):
                people = "\n".join(f"{p.staff.name}（{pick(*ROLE_NAMES[p.staff.role])}）" if zh
                                   else f"{p.staff.name} ({ROLE_NAMES[p.staff.role][1]})" for p in o.people)
                parts = [f"{pick(*COST_NAMES[k])} {v:+g}" for k, v in o.cost.items() if v]
                cost = f"{o.total:+g}" + ("\n" + "\n".join(parts) if parts else "")
                why = "\n".join(f"{p.staff.name}: " + sep.join(r.text(result.language) for r in p.reasons)
                                for p in o.people)
                table.add_row(str(n), people, cost, why)
            console.print(table)
        if it.none_why is not None:
            console.print("  [bold]" + pick("无人可选：", "no one fits: ") + "[/]" + it.none_why.text(result.language),
                          highlight=False)
        shown = it.excluded if show_all else [e for e in it.excluded if e.reasons[0].code != "role_skill"]
        if shown:
            line = sep.join(f"{e.staff.name} ({', '.join(r.text(result.language) for r in e.reasons)})"
                            for e in shown)
            # the same people are often away for every activity of the day: say it once
            console.print("  " + pick("不可安排：", "not available: ")
                          + (pick("同上", "as above") if line == previous else line), highlight=False)
            previous = line
        console.print()


__all__ = ["suggest_for_venue", "suggest_replacement", "Suggestions", "Suggestion", "Option", "Pick", "Excluded",
           "Reason", "Situation", "SuggestError", "as_json", "render"]
