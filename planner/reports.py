"""The figures of a period's report: what was planned, what was done, against the targets.

`build_report` joins OUT's plan (plan.json and the station plan), the station's records
(`planner.records`) and the targets (`planner.targets.targets_for`) for a period (an ISO
week, a calendar month or any span of days inside the campaign) into a `Report`: plain
numbers and names in the campaign's language, which `planner.export.report_html`,
`report_xlsx` and `images` render and `report_json` gives to scripts. Nothing here writes.

What counts:
- planned: the activities of the current plan.json dated in the period, and those of
  earlier plan versions that were recorded (a record keeps the day it was planned for);
- held: records that say 已开展 (or say nothing but carry figures), planned or not
  (`extra`: held without being planned); not held: 未开展, with the reason typed; rescheduled:
  已改期; unreported: planned activities whose day has passed with nothing recorded; upcoming:
  those still to come (after `today`);
- the ledger's figures (people reached, materials, App installs, households, photos) are
  the sums of what was recorded for the period's activities;
- targets: the plan's `targets:` with the catalogue's defaults (`planner.targets`), for the
  month or week asked, else pro-rated by the campaign's days in the period; the gap is what
  is still short of the target (0 once it is met).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from planner import messages
from planner.messages import N_, Msg
from planner.records import COUNTS, MATERIALS, Record, Records, Station

__all__ = ["Period", "PeriodError", "parse_period", "Report", "build_report", "report_json", "OUTCOMES",
           "next_week"]

#: What became of an activity, in the order reports list them.
OUTCOMES = ("held", "not_held", "rescheduled", "unreported", "upcoming")


class PeriodError(ValueError):
    def __init__(self, option: str, what: str) -> None:
        self.option = option
        super().__init__(what)


@dataclass(frozen=True)
class Period:
    key: str  # the reports' file name: 2026-W27, 2026-07, 2026-06-01_2026-06-30
    kind: str  # week | month | span | campaign
    start: date  # as asked
    end: date
    first: date  # its days inside the campaign
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last


def parse_period(campaign, *, week: str | None = None, month: str | None = None, since: str | None = None,
                 until: str | None = None) -> Period:
    """The period asked for (one of a week, a month or a span; none: the whole campaign),
    clipped to the campaign; PeriodError(option, what) when it is not a period of it."""
    given = [o for o, v in (("--week", week), ("--month", month)) if v] + (["--from/--to"] if since or until else [])
    if len(given) > 1:
        raise PeriodError(given[1], f"give one of --week, --month or --from/--to, not {' and '.join(given)}")
    if week:
        m = re.fullmatch(r"(\d{4})-?[Ww](\d{1,2})", week.strip())
        if not m:
            raise PeriodError("--week", f"{week!r} is not an ISO week like 2026-W27")
        try:
            start = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise PeriodError("--week", f"{week!r}: {m.group(1)} has no week {int(m.group(2))}") from None
        kind, key, end = "week", f"{m.group(1)}-W{int(m.group(2)):02d}", start + timedelta(days=6)
    elif month:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", month.strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise PeriodError("--month", f"{month!r} is not a month like 2026-07")
        year, number = int(m.group(1)), int(m.group(2))
        start = date(year, number, 1)
        end = date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)
        kind, key = "month", f"{year}-{number:02d}"
    elif since or until:
        try:
            start = date.fromisoformat(since) if since else campaign.start
        except ValueError:
            raise PeriodError("--from", f"{since!r} is not a date like 2026-07-01") from None
        try:
            end = date.fromisoformat(until) if until else campaign.end
        except ValueError:
            raise PeriodError("--to", f"{until!r} is not a date like 2026-07-31") from None
        if end < start:
            raise PeriodError("--to", f"{end} is before --from {start}")
        kind, key = "span", f"{start}_{end}"
    else:
        start, end = campaign.start, campaign.end
        kind, key = "campaign", f"{start}_{end}"
    first, last = max(start, campaign.start), min(end, campaign.end)
    if last < first:
        option = {"week": "--week", "month": "--month"}.get(kind, "--from")
        raise PeriodError(option, f"{start}..{end} is outside the campaign {campaign.start}..{campaign.end}")
    return Period(key, kind, start, end, first, last)


def next_week(today: date) -> str:
    year, week, _ = (today + timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


# --- the report ------------------------------------------------------------------------------------------


@dataclass
class Item:
    """One activity of the period: planned (in some version of the plan) or held without plan."""

    id: str
    extra: bool
    day: date
    start: str | None
    end: str | None
    venue: str | None
    venue_name: str
    kind: str | None
    kind_name: str
    area: str
    format: str | None
    format_name: str
    staff: list[str]
    staff_names: list[str]
    key_date: str | None
    key_date_name: str
    expected_reach: int
    outcome: str  # one of OUTCOMES
    record: Record | None = None

    def count(self, key: str) -> int:
        return self.record.count(key) if self.record else 0

    @property
    def reason(self) -> str:
        if self.record is None:
            return ""
        return self.record.reason or self.record.notes or ""


@dataclass
class Figure:
    """An indicator against its target."""

    key: str  # activities, activities.lecture, reach, app_installs, households, materials.leaflet
    name: str
    actual: int
    target: int | None
    planned: int | None = None  # what the plan expected of the period's activities

    @property
    def gap(self) -> int | None:
        return None if self.target is None else max(self.target - self.actual, 0)

    @property
    def progress(self) -> float | None:
        if not self.target:
            return None
        return self.actual / self.target

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.actual >= self.target


@dataclass
class Tally:
    """Counts of a group of activities (a venue, a person, an area, a week)."""

    planned: int = 0
    held: int = 0
    extra: int = 0  # held without being planned (counted in held too)
    not_held: int = 0
    rescheduled: int = 0
    unreported: int = 0
    upcoming: int = 0
    reached: int = 0
    installs: int = 0
    households: int = 0

    def add(self, item: Item) -> None:
        if not item.extra:
            self.planned += 1
        if item.outcome == "held":
            self.held += 1
            self.extra += item.extra
        elif item.outcome == "not_held":
            self.not_held += 1
        elif item.outcome == "rescheduled":
            self.rescheduled += 1
        elif item.outcome == "unreported":
            self.unreported += 1
        else:
            self.upcoming += 1
        self.reached += item.count("reached")
        self.installs += item.count("installs")
        self.households += item.count("households")

    @property
    def due(self) -> int:
        """Planned activities whose day has come."""
        return self.planned - self.upcoming

    @property
    def rate(self) -> float | None:
        """Held among the planned activities whose day has come (extras count as held)."""
        return None if not self.due else min((self.held) / self.due, 9.99)


@dataclass
class Ranked:
    id: str
    name: str
    note: str  # area, role, venues
    tally: Tally
    rank: int = 0


@dataclass
class KindRow:
    kind: str
    name: str
    five_into: bool
    venues: int
    venues_planned: int
    venues_reached: int
    tally: Tally

    @property
    def share(self) -> float | None:
        return None if not self.venues else self.venues_reached / self.venues


@dataclass
class VenueRow:
    id: str | None
    name: str
    kind_name: str
    area: str
    five_into: bool
    tally: Tally
    last_held: date | None


@dataclass
class KeyDateRow:
    id: str
    name: str
    day: date
    window: tuple[date, date]
    planned: int
    held: int
    minimum: int

    @property
    def met(self) -> bool:
        return self.held >= max(self.minimum, 1)


@dataclass
class WeekRow:
    key: str
    first: date
    last: date
    in_period: bool
    tally: Tally
    totals: dict[str, int]


@dataclass
class FreeRow:
    venue: str
    name: str
    kind_name: str
    people: int
    installs: int
    install_rate: float
    households: int
    households_share: float
    met: bool


@dataclass
class Report:
    station: str
    region: str
    campaign: str
    campaign_start: date
    campaign_end: date
    lang: str
    period: Period
    today: date
    plan_version: str  # sha256 of plan.json
    recorded: int  # records in the database
    last_import: str | None
    items: list[Item]
    tally: Tally
    totals: dict[str, int]  # COUNTS and photos
    partners: list[str]
    expected: dict[str, int]  # reach, installs of the planned activities
    figures: list[Figure]
    formats: list[Figure]
    materials: list[Figure]
    kinds: list[KindRow]
    venues: list[VenueRow]
    key_dates: list[KeyDateRow]
    places: list[Ranked]  # communities and villages
    people: list[Ranked]
    areas: list[Ranked]
    weeks: list[WeekRow]
    fraud_free: list[FreeRow]
    fraud_free_rule: dict[str, Any] | None
    names: dict[str, str] = field(default_factory=dict)  # material key → name
    timezone: str = "Asia/Shanghai"
    # the last re-plan of OUT (changes.json) when it re-planned from a day up to the period's end:
    # {"from": "YYYY-MM-DD", "lines": per target, what it was short by and what the re-plan adds}
    replan: dict[str, Any] | None = None
    fill: str = "reach"  # the plan's solver.fill: goals (just enough) or reach

    def of(self, outcome: str) -> list[Item]:
        return [i for i in self.items if i.outcome == outcome]


def build_report(station: Station, records: Records, period: Period, *, today: date | None = None) -> Report:
    """The figures of `period` for OUT's plan and records (see the module's docstring)."""
    from zoneinfo import ZoneInfo

    from planner.calendar import build_calendar
    from planner.catalogue import catalogue
    from planner.formats import resolve_formats
    from planner.vocab import FIVE_INTO_KINDS, ROLE_WORDS

    plan = station.plan
    lang = station.lang
    cat = catalogue()
    formats = resolve_formats(plan)
    tz = ZoneInfo(plan.station.timezone)
    today = today or datetime.now(tz).date()
    venues = {v.id: v for v in plan.venues}
    staff = {s.id: s for s in plan.staff}
    cal = build_calendar(plan)
    key_names = {k.id: k.name(lang) for k in cal.key_dates}
    m = messages.for_language(lang)
    no_area, online, unnamed = m._("no area"), m._("online"), m._("format not given")

    def kind_name(kind: str | None) -> str:
        if kind is None:
            return online
        return cat.venue_kinds[kind].name(lang) if kind in cat.venue_kinds else kind

    def format_name(fmt: str | None) -> str:
        if fmt is None:
            return unnamed
        return formats[fmt].name(lang) if fmt in formats else fmt

    def item(ident: str, extra: bool, day: date, start: str | None, end: str | None, venue: str | None,
             fmt: str | None, people: list[str], key_date: str | None, reach: int, record: Record | None) -> Item:
        place = venues.get(venue) if venue else None
        outcome = record.outcome if record is not None else None
        if outcome is None:
            outcome = "upcoming" if day > today else "unreported"
        return Item(ident, extra, day, start, end, venue, place.name if place else (venue or online),
                    place.kind if place else None, kind_name(place.kind) if place else online,
                    (place.area or no_area) if place else online, fmt, format_name(fmt), list(people),
                    [staff[s].name if s in staff else s for s in people], key_date,
                    key_names.get(key_date, key_date or "") if key_date else "", int(reach or 0), outcome, record)

    recorded = records.by_activity()
    every: list[Item] = []  # the whole campaign, for the weekly trend and cumulative figures
    seen: set[str] = set()
    for a in station.view.activities:
        record = recorded.get(a.id)
        if record is not None:
            every.append(item(a.id, False, record.date, record.start, record.end, record.venue or a.raw.get("venue"),
                              record.format or a.format, record.staff or [s.id for s in a.staff], a.key_date,
                              a.reach, record))
        else:
            start = a.start.astimezone(tz)
            end = a.end.astimezone(tz)
            every.append(item(a.id, False, start.date(), f"{start:%H:%M}", f"{end:%H:%M}", a.raw.get("venue"),
                              a.format, [s.id for s in a.staff], a.key_date, a.reach, None))
        seen.add(a.id)
    for record in records.records:
        if record.activity in seen:
            continue
        every.append(item(record.activity, record.extra, record.date, record.start, record.end, record.venue,
                          record.format, record.staff, record.key_date, record.expected_reach or 0, record))
    every.sort(key=lambda i: (i.day, i.start or "", i.id))
    items = [i for i in every if i.day in period]

    tally = Tally()
    for i in items:
        tally.add(i)
    totals = {k: sum(i.count(k) for i in items) for k in COUNTS}
    totals["photos"] = sum(i.record.photo_count() for i in items if i.record)
    partners = sorted({p for i in items if i.record and i.record.partners
                       for p in re.split(r"[、,，;；/]+", i.record.partners) if p.strip()})

    planned = [i for i in items if not i.extra]
    expected_reach = sum(i.expected_reach for i in planned)
    expected_installs = round(sum(i.expected_reach * (formats[i.format].app_install_rate if i.format in formats else 0)
                                  for i in planned))

    # targets
    from planner.targets import effective_targets, targets_for

    target = targets_for(station.loaded, period.first, period.last)
    material_ids = _material_ids()
    names = {k: _material_name(k, material_ids, lang) for k in MATERIALS}
    t_activities = dict(target.activities or {})
    held_by_format: dict[str | None, int] = defaultdict(int)
    planned_by_format: dict[str | None, int] = defaultdict(int)
    for i in items:
        if i.outcome == "held":
            held_by_format[i.format] += 1
        if not i.extra:
            planned_by_format[i.format] += 1
    label = messages.table(_LABELS, lang)
    figures = [
        Figure("activities", label["activities"], tally.held, sum(t_activities.values()) if t_activities else None,
               tally.planned),
        Figure("reach", label["reach"], totals["reached"], target.reach, expected_reach),
        Figure("app_installs", label["installs"], totals["installs"], target.app_installs, expected_installs),
        Figure("households", label["households"], totals["households"], target.households, None),
    ]
    fmt_order: list[str | None] = [f for f in formats
                                   if f in t_activities or f in held_by_format or f in planned_by_format]
    fmt_order += [f for f in held_by_format if f not in fmt_order]
    fmt_order += [f for f in planned_by_format if f not in fmt_order]
    format_rows = [Figure(f"activities.{f}", format_name(f), held_by_format.get(f, 0),
                          t_activities.get(f) if f is not None else None,  # no target for an unnamed format
                          planned_by_format.get(f, 0)) for f in fmt_order]
    t_materials = dict(target.materials or {})
    material_rows = [Figure(f"materials.{k}", names[k], totals[k], t_materials.get(material_ids.get(k, k),
                                                                                    t_materials.get(k)))
                     for k in MATERIALS]

    # 五进 coverage, per kind and per venue
    five = list(plan.tactics.five_into.kinds) if plan.tactics.five_into else list(FIVE_INTO_KINDS)
    by_venue: dict[str | None, Tally] = defaultdict(Tally)
    last_held: dict[str | None, date] = {}
    for i in items:
        by_venue[i.venue].add(i)
        if i.outcome == "held":
            last_held[i.venue] = max(last_held.get(i.venue, i.day), i.day)
    kinds = []
    present = [k for k in cat.venue_kinds if any(v.kind == k for v in plan.venues)]
    for kind in [k for k in five if k in present] + [k for k in present if k not in five]:
        here = [v for v in plan.venues if v.kind == kind]
        t = Tally()
        for i in items:
            if i.kind == kind:
                t.add(i)
        kinds.append(KindRow(kind, kind_name(kind), kind in five, len(here),
                             sum(1 for v in here if by_venue[v.id].planned),
                             sum(1 for v in here if by_venue[v.id].held), t))
    venue_rows = [VenueRow(v.id, v.name, kind_name(v.kind), v.area or no_area, v.kind in five, by_venue[v.id],
                           last_held.get(v.id)) for v in plan.venues]
    venue_rows.sort(key=lambda r: (not r.five_into, five.index(_kind_of(r, venues)) if _kind_of(r, venues) in five
                                   else 99, r.area, r.name))
    if by_venue.get(None) and (by_venue[None].planned or by_venue[None].held):
        venue_rows.append(VenueRow(None, online, online, no_area, False, by_venue[None], last_held.get(None)))

    # key dates
    key_rows = []
    for k in cal.key_dates:
        if k.window.end < period.first or k.window.start > period.last:
            continue
        keyed = [i for i in items if i.key_date == k.id]
        key_rows.append(KeyDateRow(k.id, k.name(lang), k.date, (k.window.start, k.window.end),
                                   sum(1 for i in keyed if not i.extra), sum(1 for i in keyed if i.outcome == "held"),
                                   k.min_activities))

    # rankings (the 通报 form)
    places = [Ranked(v.id, v.name, v.area or "", by_venue[v.id]) for v in plan.venues
              if v.kind in ("community", "village")]
    by_person: dict[str, Tally] = defaultdict(Tally)
    for i in items:
        for s in i.staff:
            by_person[s].add(i)
    said = messages.for_language(lang)
    people = [Ranked(s.id, s.name, said._(ROLE_WORDS[s.role]) if s.role in ROLE_WORDS else s.role,
                     by_person[s.id]) for s in plan.staff]
    by_area: dict[str, Tally] = defaultdict(Tally)
    for i in items:
        if i.venue is not None and i.venue in venues:  # online activities have no area
            by_area[i.area].add(i)
    areas_named = list(dict.fromkeys([v.area or no_area for v in plan.venues] + list(by_area)))
    area_venues: dict[str, int] = defaultdict(int)
    for v in plan.venues:
        area_venues[v.area or no_area] += 1
    areas = [Ranked(a, a, str(area_venues.get(a, 0)), by_area[a]) for a in areas_named
             if area_venues.get(a) or by_area[a].planned or by_area[a].held]
    for table in (places, people, areas):
        _rank(table)

    # week by week, from the campaign's first week to the period's last
    from planner.targets import campaign_weeks

    weeks = []
    for key, (first, last) in campaign_weeks(plan).items():
        if first > period.last:
            break
        t = Tally()
        week_items = [i for i in every if first <= i.day <= last]
        for i in week_items:
            t.add(i)
        weeks.append(WeekRow(key, first, last, not (last < period.first or first > period.last), t,
                             {k: sum(i.count(k) for i in week_items) for k in COUNTS}))

    # 无诈社区 / 校园 / 单位: installs and households since the campaign began
    free_rows: list[FreeRow] = []
    rule = effective_targets(station.loaded).fraud_free
    free_rule = None
    if rule is not None:
        from planner.materials import household_size

        free_rule = {"kinds": list(rule.kinds), "install_rate": rule.install_rate,
                     "households_share": rule.households_share}
        so_far = [i for i in every if i.day <= period.last and i.record]
        for v in plan.venues:
            if v.kind not in rule.kinds:
                continue
            people_count = v.people()
            installs = sum(i.count("installs") for i in so_far if i.venue == v.id)
            households = sum(i.count("households") for i in so_far if i.venue == v.id)
            homes = people_count / household_size() if people_count else 0
            rate = installs / people_count if people_count else 0.0
            share = households / homes if homes else 0.0
            free_rows.append(FreeRow(v.id, v.name, kind_name(v.kind), people_count, installs, rate, households, share,
                                     rate >= rule.install_rate and share >= rule.households_share))
        free_rows.sort(key=lambda r: (-r.met, -(r.install_rate + r.households_share), r.name))

    return Report(
        station=plan.station.name, region=plan.station.region or "", campaign=plan.campaign.name,
        campaign_start=plan.campaign.start, campaign_end=plan.campaign.end, lang=lang, period=period, today=today,
        plan_version=station.sha256, recorded=len(records.records),
        last_import=records.imports[-1].at if records.imports else None, items=items, tally=tally, totals=totals,
        partners=partners, expected={"reach": expected_reach, "installs": expected_installs}, figures=figures,
        formats=format_rows, materials=material_rows, kinds=kinds, venues=venue_rows, key_dates=key_rows,
        places=places, people=people, areas=areas, weeks=weeks, fraud_free=free_rows, fraud_free_rule=free_rule,
        names=names, timezone=plan.station.timezone, replan=_replan_effect(station.out, period),
        fill=plan.solver.fill)


def _replan_effect(out: Path, period: Period) -> dict[str, Any] | None:
    """What OUT's last re-plan (its changes.json) said it does for the targets, when it re-planned
    from a day up to the period's end; None without one (or one written before it said so)."""
    import json

    try:
        changes = json.loads((Path(out) / "changes.json").read_text(encoding="utf-8"))
        since = date.fromisoformat(changes["replanned_from"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    lines = changes.get("targets")
    if since > period.last or not isinstance(lines, list):
        return None
    return {"from": since.isoformat(), "lines": [str(line) for line in lines]}


_LABELS: dict[str, Msg] = {
    "activities": N_("activities held"), "reach": N_("people reached"),
    "installs": N_("Anti-Fraud App installs"), "households": N_("households visited"),
}


def _kind_of(row: VenueRow, venues: dict[str, Any]) -> str | None:
    venue = venues.get(row.id) if row.id else None
    return venue.kind if venue else None


def _rank(rows: list[Ranked]) -> None:
    """通报 order: share of due activities held, then activities held, then people reached; equal
    figures share a rank."""
    def key(r: Ranked) -> tuple:
        rate = r.tally.rate
        return (rate is None, -(rate or 0), -r.tally.held, -r.tally.reached)

    rows.sort(key=lambda r: (*key(r), r.name))
    previous = None
    for n, row in enumerate(rows, 1):
        row.rank = previous.rank if previous is not None and key(previous) == key(row) else n
        previous = row


def _material_ids() -> dict[str, str]:
    """Ledger material key → catalogue material id."""
    from planner.catalogue import catalogue
    from planner.export.xlsx import MATERIAL_KEYS

    known = catalogue().materials
    out = {}
    for key in MATERIALS:
        if key in known:
            out[key] = key
        else:
            out[key] = next((m for m, k in MATERIAL_KEYS.items() if k == key and m in known), key)
    return out


def _material_name(key: str, ids: dict[str, str], lang: str) -> str:
    from planner.catalogue import catalogue

    info = catalogue().materials.get(ids.get(key, key))
    if info is None:
        return key
    return info.name(lang)


# --- for scripts ---------------------------------------------------------------------------------------------


def _tally(t: Tally) -> dict[str, Any]:
    out = asdict(t)
    out["rate"] = None if t.rate is None else round(t.rate, 4)
    return out


def _figure(f: Figure) -> dict[str, Any]:
    return {"key": f.key, "name": f.name, "actual": f.actual, "target": f.target, "gap": f.gap,
            "planned": f.planned, "met": f.met}


def report_json(report: Report) -> dict[str, Any]:
    """The report's figures as JSON-ready data (`planner report --json`)."""
    p = report.period

    def item(i: Item) -> dict[str, Any]:
        out = {"id": i.id, "extra": i.extra, "date": i.day.isoformat(), "start": i.start, "end": i.end,
               "venue": i.venue, "venue_name": i.venue_name, "format": i.format, "staff": i.staff,
               "key_date": i.key_date, "outcome": i.outcome}
        if i.record is not None:
            out["recorded"] = {k: i.record.counts[k] for k in COUNTS if k in i.record.counts}
            if i.reason:
                out["reason"] = i.reason
        return out

    return {
        "version": 1,
        "station": report.station,
        "campaign": {"name": report.campaign, "start": report.campaign_start.isoformat(),
                     "end": report.campaign_end.isoformat()},
        "period": {"key": p.key, "kind": p.kind, "start": p.first.isoformat(), "end": p.last.isoformat(),
                   "days": p.days},
        "today": report.today.isoformat(),
        "plan_sha256": report.plan_version,
        "records": report.recorded,
        "last_import": report.last_import,
        "planned": report.tally.planned,
        "held": report.tally.held,
        "held_planned": report.tally.held - report.tally.extra,
        "extra": report.tally.extra,
        "not_held": report.tally.not_held,
        "rescheduled": report.tally.rescheduled,
        "unreported": report.tally.unreported,
        "upcoming": report.tally.upcoming,
        "totals": {**report.totals, "partners": report.partners},
        "expected": report.expected,
        "targets": [_figure(f) for f in report.figures + report.formats + report.materials],
        "not_held_activities": [item(i) for i in report.items if i.outcome in ("not_held", "rescheduled")],
        "five_into": [{"kind": k.kind, "name": k.name, "five_into": k.five_into, "venues": k.venues,
                       "venues_planned": k.venues_planned, "venues_reached": k.venues_reached,
                       **_tally(k.tally)} for k in report.kinds],
        "venues": [{"venue": v.id, "name": v.name, "area": v.area, **_tally(v.tally),
                    "last_held": v.last_held.isoformat() if v.last_held else None} for v in report.venues],
        "key_dates": [{"id": k.id, "name": k.name, "date": k.day.isoformat(),
                       "window": [k.window[0].isoformat(), k.window[1].isoformat()], "planned": k.planned,
                       "held": k.held, "met": k.met} for k in report.key_dates],
        "rankings": {name: [{"rank": r.rank, "id": r.id, "name": r.name, **_tally(r.tally)} for r in rows]
                     for name, rows in (("places", report.places), ("staff", report.people),
                                        ("areas", report.areas))},
        "weeks": [{"week": w.key, "start": w.first.isoformat(), "end": w.last.isoformat(), "in_period": w.in_period,
                   **_tally(w.tally), "totals": w.totals} for w in report.weeks],
        "fraud_free": {"rule": report.fraud_free_rule,
                       "venues": [asdict(r) for r in report.fraud_free]} if report.fraud_free_rule else None,
        "activities": [item(i) for i in report.items],
        "replan": report.replan,
        "fill": report.fill,
    }


# --- a week's roster (who goes where and when) ------------------------------------------------------------


@dataclass
class Duty:
    id: str
    start: str
    end: str
    venue_name: str
    address: str
    area: str
    format_name: str
    staff_names: list[str]
    theme_name: str
    key_date_name: str
    materials: list[str]


@dataclass
class RosterDay:
    day: date
    duties: list[Duty]
    off: str = ""  # an official day off or make-up workday, named


@dataclass
class Roster:
    station: str
    campaign: str
    lang: str
    period: Period
    days: list[RosterDay]
    people: list[tuple[str, int]]  # name, activities this week (most first)
    plan_version: str

    @property
    def count(self) -> int:
        return sum(len(d.duties) for d in self.days)


def build_roster(station: Station, period: Period) -> Roster:
    """The current plan's activities of a week, day by day, with who goes, for the 工作群."""
    from zoneinfo import ZoneInfo

    from planner.calendar import build_calendar

    plan = station.plan
    tz = ZoneInfo(plan.station.timezone)
    cal = build_calendar(plan)
    days: dict[date, list[Duty]] = {period.first + timedelta(days=n): [] for n in range(period.days)}
    load: dict[str, int] = defaultdict(int)
    for a in station.view.activities:
        start, end = a.start.astimezone(tz), a.end.astimezone(tz)
        if start.date() not in days:
            continue
        venue = a.venue
        days[start.date()].append(Duty(a.id, f"{start:%H:%M}", f"{end:%H:%M}", a.venue_name,
                                       (venue.address or "") if venue else "", (venue.area or "") if venue else "",
                                       a.format_name, [s.name for s in a.staff], a.theme_name or "",
                                       a.key_date_name or "", list(a.materials)))
        for s in a.staff:
            load[s.name] += 1
    out = []
    for day, duties in days.items():
        note = ""
        try:
            info = cal[day]
        except (KeyError, IndexError):
            info = None
        if info is not None and getattr(info, "kind", "") in ("holiday", "makeup_workday"):
            m = messages.for_language(station.lang)
            note = m._("official day off") if info.kind == "holiday" else m._("make-up workday")
            if info.kind == "holiday" and info.holiday and info.holiday != "plan":
                from planner.export.html import HOLIDAYS  # the holiday's name in the roster's language

                name = m.msg(HOLIDAYS[info.holiday]) if info.holiday in HOLIDAYS else info.holiday
                note = f"{name} · {note}"
        out.append(RosterDay(day, sorted(duties, key=lambda d: (d.start, d.venue_name)), note))
    people = sorted(load.items(), key=lambda p: (-p[1], p[0]))
    return Roster(plan.station.name, plan.campaign.name, station.lang, period, out, people, station.sha256)
