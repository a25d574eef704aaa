"""The printable plan as HTML: A4 print CSS, in the campaign's language, from Jinja2 templates.

`render_html(view)` joins what a station pins on the wall: a cover with the headline numbers,
a calendar grid per month, the 五进 coverage matrix (venues × months), the key dates, the
goals not met and why, a roster per person, a schedule per venue, and the materials (the
weekly print list and the pick list: who collects what for each activity), with the pictures
(coverage, load, activities per week) drawn as inline SVG by `planner.export.charts`.

The templates live in planner/templates/plan/ (package data, found in a wheel too) and are
rendered with autoescape on: every name from a plan is text, never markup. The HTML is self
contained (its CSS is inlined), so `plan.html` prints from any browser and
`planner.export.pdf.write_pdf` turns it into `plan.pdf`.
"""

from __future__ import annotations

import calendar as pycalendar
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from planner import atomic, messages
from planner.calendar import CampaignCalendar, build_calendar
from planner.catalogue import catalogue
from planner.export import charts, templating
from planner.export.view import ActivityView, PlanView, tactic_name
from planner.formats import resolve_formats
from planner.messages import N_, NP_, WEEKDAYS, Msg, for_language, table
from planner.model import Staff, Venue
from planner.search.result import closeness, relative_gap
from planner.vocab import FILL_WORDS, FIVE_INTO_KINDS, ROLE_WORDS, VENUE_KINDS

# --- words ------------------------------------------------------------------------------------------

LABELS: dict[str, Msg] = {
    "doc": N_("Anti-fraud publicity plan"), "plan_of": N_("Publicity schedule"), "period": N_("Campaign"),
    "region": N_("Jurisdiction"), "status": N_("Plan status"), "optimal": N_("optimal"),
    "feasible": N_("every hard rule kept"), "generated": N_("Generated"), "activities": N_("activities"),
    "activities_col": NP_("plan: activities_col", "Activities"), "offline": N_("offline"), "online": N_("online"),
    "reach": N_("expected people reached"), "installs": N_("expected Anti-Fraud App installs"),
    "target": N_("target"), "key_dates_met": N_("key dates met"), "by_kind": N_("By venue kind (五进 five-into)"),
    "kind": N_("Venue kind"), "venues": N_("Venues"), "share": N_("Share"), "five_into": N_("五进"),
    "people": N_(" people"), "times": N_(" activities"), "hours_unit": N_("h"), "contents": N_("Contents"),
    "calendar": N_("Month calendars"), "coverage": N_("五进 coverage"), "key_dates": N_("Key dates"),
    "unmet": N_("Goals not met, and why"), "rosters": N_("Staff rosters"), "schedules": N_("Venue schedules"),
    "weekly": N_("Activities per week, by format"), "week_of_holiday": N_("week with official days off"),
    "coverage_chart": N_("五进 coverage: venues met / venues required, per kind and month"), "met": N_("met"),
    "required": N_("required"), "short": N_("short"), "closed": N_("closed"),
    "no_requirement": N_("no requirement"),
    "coverage_note": N_("Cells count the month's activities; rule: every venue"), "per_week": N_("a week"),
    "per_month": N_("a month"), "per_campaign": N_("in the campaign"), "at_least": N_("at least"),
    "gap_days": N_("at least this many days between visits to one venue:"), "days": N_("days"),
    "venue": N_("Venue"), "area": N_("Area"), "risk": N_("Risk"), "total": N_("Total"), "low": N_("low"),
    "medium": N_("medium"), "high": N_("high"), "load_chart": N_("Load per person (activities · hours)"),
    "load_hist": N_("Load across the staff"), "busiest": N_("Busiest people"),
    "activities_per_person": N_("activities per person"), "people_count": N_("people"),
    "limit": N_("weekly limit"), "date": N_("Date"), "time": N_("Time"), "format": N_("Format"),
    "theme": NP_("plan: theme", "Theme"), "with": N_("With"), "key_date": N_("Key date"),
    "none_planned": N_("nothing planned"), "role": N_("Role"), "team": N_("Team"), "claims": N_("Claimed venues"),
    "peak_week": N_("busiest week"), "per_week_max": N_("weekly limit"), "count": N_("Activities"),
    "hours": N_("Hours"), "window": N_("Window"), "audiences": N_("Audiences"), "themes": N_("Fraud types"),
    "planned": N_("Planned"), "needed": N_("Needed"), "state": N_("State"), "all": N_("everyone"),
    "any": N_("any"), "tactic": N_("Tactic"), "why": N_("Why"), "nothing_unmet": N_("Every goal is met."),
    "score": N_("Tactics: met against required"), "penalty": N_("Penalty"), "progress": N_("Progress"),
    "holiday": N_("official day off (法定节假日)"), "makeup": N_("make-up workday (调休)"), "weekend": N_("weekend"),
    "off_badge": N_("off"), "work_badge": N_("work"), "out_of_campaign": N_("outside the campaign"),
    "legend": N_("Legend"), "month_total": N_("this month"), "size": N_("Serves"), "schedule": N_("Schedule"),
    "page": N_("page"), "and_more": N_("and more"),
    "materials": NP_("plan: materials", "Materials"), "talking_points": N_("Talking points"),
    "period_col": N_("Period"), "part": N_("Part {n}"), "no_area": N_("no area"), "colon": N_(": "),
    "five_into_venues": N_("五进 venues"), "peak_label": NP_("plan: peak_label", "busiest week"),
    "venue_count": N_("venues"), "reached": N_("reached"),
    "reached_chart": N_("Venues reached / venues, per kind and month (五进 rule not set)"),
    "five_into_off": N_("This plan sets no 五进 rule."), "person": N_("Person"), "this_month": N_("This month"),
    "days_off": N_("official days off"), "makeup_days": N_("make-up workdays"), "materials_part": N_("Materials"),
    "print_list": N_("Weekly print list"),
    "print_note": N_("What each week's offline activities hand out or post, in total: due from the printer "
                     "(or supplier) {days} days before the week's Monday."),
    "week": N_("Week"), "due": N_("Due"), "pick_list": N_("Pick list"),
    "pick_note": N_("Each activity's materials are collected and taken along by its collector (its first "
                    "police officer, else its first person); display boards and QR code stands come back."),
    "collector": N_("Collects"), "bring": N_("Bring"),
    "no_materials": N_("No activity of this plan needs materials."), "reusable": N_("reusable (most in one day)"),
}

SHORT_FORMATS: dict[str, Msg] = {
    "lecture": N_("lecture"), "stall": N_("stall"), "door_to_door": N_("door"), "performance": N_("show"),
    "themed_event": N_("event"), "online_post": N_("online"),
}
#: the calendar's holidays and festivals (named in Chinese there) as msgids; "plan": a plan's own day off
HOLIDAYS: dict[str, Msg] = {
    "元旦": NP_("holiday", "New Year's Day"), "春节": NP_("holiday", "Spring Festival"),
    "清明节": NP_("holiday", "Qingming"), "劳动节": NP_("holiday", "Labour Day"),
    "端午节": NP_("holiday", "Dragon Boat"), "国庆节": NP_("holiday", "National Day"),
    "中秋节": NP_("holiday", "Mid-Autumn"), "plan": NP_("holiday", "day off"),
    "抗战胜利纪念日": NP_("holiday", "Victory Day"), "除夕": NP_("holiday", "New Year's Eve"),
    "元宵节": NP_("holiday", "Lantern Festival"), "龙头节": NP_("holiday", "Longtou"),
    "七夕节": NP_("holiday", "Qixi"), "中元节": NP_("holiday", "Ghost Festival"),
    "重阳节": NP_("holiday", "Double Ninth"), "腊八节": NP_("holiday", "Laba"),
}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_EN_LONG = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")

#: How many people the load chart shows one bar each for; above it, a histogram and the busiest.
LOAD_BARS = 60
BUSIEST = 30
#: A calendar cell lists activities one by one up to this many, else counts them by format.
CELL_LINES = 5
#: Above this many roster lines (activities × people on them), rosters are compact: one block
#: per person with the activities inline, instead of a table row each (a city plan stays
#: a few hundred pages, not a thousand).
ROSTER_TABLE_ROWS = 2000
#: Above this many activities needing materials the pick list is compact too: a line each
#: (day, time, venue, who collects: what), not a table row of six cells; a third of a mid-size
#: plan's PDF time went into those tables (Litong Sep-Dec: 17.7 -> 11.5 CPU s, 69 -> 50 pages)
PICK_TABLE_ROWS = 300
#: above this many activities the printable plan is a summary (counts per person, venue, week
#: and month; the print list; no row or chip per activity): a city's 20,000 rows made a PDF
#: no one prints and took minutes; every activity stays in plan.xlsx and the calendars
SUMMARY_ABOVE = 1500
#: In the summary: at most this many goals not met listed (all are in plan.json and `planner
#: explain`), and per kind at most this many venues short of the 五进 rule (the met ones are
#: counted): a city's 3,000 unmet goals and 1,500 venue rows were 250 of its PDF's pages
SUMMARY_UNMET_ROWS = 200
SUMMARY_SHORT_VENUES = 100


_oneline = templating.oneline


# --- date and time words -------------------------------------------------------------------------------


class Words:
    """Dates, times and numbers written the way the campaign's language writes them."""

    def __init__(self, language: str) -> None:
        self.lang = language
        self.m = for_language(language)

    def weekday(self, day: date) -> str:
        return self.m._(WEEKDAYS[day.weekday()])

    def day(self, day: date) -> str:
        return f"{day.month}月{day.day}日" if self.lang == "zh" else f"{day.day} {MONTHS_EN[day.month - 1]}"

    def short_day(self, day: date) -> str:
        return f"{day.month}/{day.day}" if self.lang == "zh" else f"{day.day} {MONTHS_EN[day.month - 1]}"

    def full_day(self, day: date) -> str:
        return (f"{day.year}年{day.month}月{day.day}日" if self.lang == "zh"
                else f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}")

    def month(self, year: int, month: int, *, with_year: bool = True) -> str:
        if self.lang == "zh":
            return f"{year}年{month}月" if with_year else f"{month}月"
        return f"{MONTHS_EN_LONG[month - 1]} {year}" if with_year else MONTHS_EN[month - 1]

    def span(self, start: date, end: date) -> str:
        if start == end:
            return self.day(start)
        if self.lang == "zh":
            return f"{self.day(start)}—{self.day(end)}"
        return f"{self.day(start)} – {self.day(end)}"

    def campaign_span(self, start: date, end: date) -> str:
        if self.lang == "zh":
            tail = f"{end.month}月{end.day}日" if end.year == start.year else self.full_day(end)
            return f"{self.full_day(start)}—{tail}"
        return f"{self.day(start)} – {self.full_day(end)}"

    @staticmethod
    def clock(moment: datetime) -> str:
        return f"{moment.hour:02d}:{moment.minute:02d}"

    def number(self, value: float) -> str:
        if self.lang == "zh" and value >= 100_000:
            return f"{value / 10_000:.1f}万".replace(".0万", "万")
        return f"{value:,.0f}"


def _material_column(info: Any, w: Words) -> str:
    """A material as a print-list column: 宣传单（份）, Leaflets."""
    name = info.name(w.lang)
    return w.m._p("material column", "{name}").format(name=name.capitalize() if name.isascii() else name,
                                                       unit=info.unit)


def _holiday(name: str, w: Words) -> str:
    """A holiday or festival of the calendar in the campaign's language (one it does not know: as named)."""
    return w.m.msg(HOLIDAYS[name]) if name in HOLIDAYS else name


# --- what the templates get ------------------------------------------------------------------------------


@dataclass
class Item:
    """An activity at its local time in the plan's timezone."""

    a: ActivityView
    start: datetime
    end: datetime
    partners: dict[str, str] = field(default_factory=dict)  # staff id → "name, name" of the others
    short: str = ""  # the format's short name (摊点, 讲座) for dense lists

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass
class DayCell:
    date: date
    in_month: bool
    in_campaign: bool
    kind: str = ""  # workday | makeup_workday | weekend | holiday
    badge: str = ""
    note: str = ""  # festival, day-off name, solar term or lunar day
    note_is_festival: bool = False
    key_dates: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    total: int = 0


@dataclass
class MonthGrid:
    title: str
    weeks: list[list[DayCell]]
    total: int
    by_format: list[tuple[str, int]]
    key_dates: list[str] = field(default_factory=list)  # "name · date · window" of the month's key dates
    days_off: list[str] = field(default_factory=list)
    makeup_days: list[str] = field(default_factory=list)


@dataclass
class CoverageCell:
    count: int
    required: int
    state: str  # met | short | closed | free | out
    why: str = ""


@dataclass
class CoverageRow:
    venue: Venue
    name: str
    area: str
    risk: str
    cells: list[CoverageCell]
    total: int
    state: str


@dataclass
class CoverageGroup:
    kind: str
    name: str
    rows: list[CoverageRow]
    met: int
    required: int


@dataclass
class Roster:
    staff: Staff
    name: str
    role: str
    team: str
    items: list[Item]
    hours: float
    peak_week: int
    claims: list[str]


@dataclass
class VenueSchedule:
    venue: Venue
    name: str
    kind: str
    risk: str
    size: int
    items: list[Item]


@dataclass
class VenueArea:
    name: str
    venues: list[VenueSchedule]


@dataclass
class KeyDateRow:
    id: str
    name: str
    date: date
    window: str
    audiences: str
    themes: str
    items: list[Item]
    required: int
    met: bool


@dataclass
class UnmetRow:
    tactic: str
    venue: str
    period: str
    why: str


@dataclass
class ScoreRow:
    tactic: str
    met: float
    required: float
    penalty: float
    meter: Markup


# --- building the page ------------------------------------------------------------------------------------


def _local_items(view: PlanView) -> list[Item]:
    tz = ZoneInfo(view.timezone)
    items = []
    sep = for_language(view.language)._(", ")
    for a in view.activities:
        item = Item(a, a.start.astimezone(tz), a.end.astimezone(tz),
                    short=_short_format(a.format, a.format_name, view.language))
        for s in a.staff:
            item.partners[s.id] = sep.join(_oneline(o.name) for o in a.staff if o.id != s.id)
        items.append(item)
    return items


def _short_format(fmt: str, name: str, lang: str) -> str:
    if fmt in SHORT_FORMATS:
        return for_language(lang).msg(SHORT_FORMATS[fmt])
    return charts.shorten(name, 6 if lang == "zh" else 8)


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _month_grids(view: PlanView, cal: CampaignCalendar, items: list[Item], w: Words, t: dict) -> list[MonthGrid]:
    lang = view.language
    campaign = view.loaded.plan.campaign
    by_day: dict[date, list[Item]] = defaultdict(list)
    for item in items:
        by_day[item.day].append(item)
    key_on_day: dict[date, list[str]] = defaultdict(list)
    for k in cal.key_dates:
        shown = k.date if k.date in k.window else k.window.start
        key_on_day[shown].append(_oneline(k.name(lang)))
    grids = []
    for year, month in _months(campaign.start, campaign.end):
        weeks = []
        month_items: list[Item] = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for day in week:
                in_month = day.month == month
                in_campaign = in_month and campaign.start <= day <= campaign.end
                cell = DayCell(day, in_month, in_campaign)
                if in_campaign and day in cal.by_date:
                    info = cal[day]
                    cell.kind = info.kind
                    if info.kind == "holiday":
                        cell.badge = t["off_badge"]
                    elif info.kind == "makeup_workday":
                        cell.badge = t["work_badge"]
                    if info.festivals:
                        cell.note = _holiday(info.festivals[0], w)
                        cell.note_is_festival = True
                    elif info.holiday and info.kind == "holiday":
                        cell.note = _holiday(info.holiday, w)
                        cell.note_is_festival = True
                    elif lang == "zh":
                        cell.note = info.solar_term or (
                            info.lunar_text if info.lunar_day == 1 else info.lunar_text[-2:])
                    cell.key_dates = key_on_day.get(day, [])
                    todays = sorted(by_day.get(day, []), key=lambda i: (i.start, i.a.id))
                    month_items += todays
                    cell.total = len(todays)
                    if len(todays) <= CELL_LINES:
                        cell.lines = [f"{w.clock(i.start)} {_short_format(i.a.format, i.a.format_name, lang)}"
                                      + (f" {_oneline(i.a.venue_name)}" if i.a.venue is not None else "")
                                      for i in todays]
                    else:
                        counts = Counter(_short_format(i.a.format, i.a.format_name, lang) for i in todays)
                        parts = [f"{name} {n}" for name, n in counts.most_common()]
                        cell.lines = [" · ".join(parts[j:j + 2]) for j in range(0, len(parts), 2)][:CELL_LINES]
                row.append(cell)
            weeks.append(row)
        by_format = Counter(i.short for i in month_items)
        grid = MonthGrid(w.month(year, month), weeks, len(month_items), by_format.most_common())
        inside = [d for d in cal.days if (d.date.year, d.date.month) == (year, month)]
        for k in cal.key_dates:
            if k.window.start <= date(year, month, pycalendar.monthrange(year, month)[1]) \
                    and k.window.end >= date(year, month, 1):
                window = w.span(k.window.start, k.window.end)
                if k.window.start == k.window.end:
                    window = ""
                else:
                    window = w.m._(" ({window})").format(window=window)
                grid.key_dates.append(f"{_oneline(k.name(lang))} {w.day(k.date)}{window}")
        grid.days_off = _runs([d.date for d in inside if d.kind == "holiday"], w)
        grid.makeup_days = [w.day(d.date) for d in inside if d.kind == "makeup_workday"]
        grids.append(grid)
    return grids


def _runs(days: list[date], w: Words) -> list[str]:
    """Consecutive days as spans: [6/19, 6/20, 6/21] → ['6月19日—6月21日']."""
    spans: list[list[date]] = []
    for day in days:
        if spans and (day - spans[-1][-1]).days == 1:
            spans[-1].append(day)
        else:
            spans.append([day])
    return [w.span(s[0], s[-1]) for s in spans]


def _period_months(period: Any) -> set[tuple[int, int]] | None:
    """The months an unmet entry's period names: 2026-07, 2026-W27, 2026-07-03, a range; None: all."""
    text = str(period or "").strip()
    found: set[tuple[int, int]] = set()
    for y, m, _d in re.findall(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text):
        found.add((int(y), int(m)))
    for y, wk in re.findall(r"(\d{4})-?W(\d{1,2})", text):
        thursday = date.fromisocalendar(int(y), int(wk), 4)
        found.add((thursday.year, thursday.month))
    return found or None


def _closed_all(venue: Venue, days: list[date]) -> bool:
    return bool(days) and all(any(day in span for span in venue.closed) for day in days)


def _coverage(view: PlanView, items: list[Item], w: Words, t: dict,
              months: list[tuple[int, int]]) -> tuple[list[CoverageGroup], dict[str, Any], Markup]:
    plan = view.loaded.plan
    lang = view.language
    cat = catalogue()
    five = plan.tactics.five_into
    kinds = list(five.kinds) if five else list(FIVE_INTO_KINDS)
    at_least = five.every_venue.at_least if five else 0
    per = five.every_venue.per if five else "month"
    campaign_days = plan.campaign.days()
    month_days = {ym: [d for d in campaign_days if (d.year, d.month) == ym] for ym in months}
    count: Counter = Counter()
    for item in items:
        if item.a.venue is not None:
            count[(item.a.venue.id, (item.day.year, item.day.month))] += 1
    unmet: dict[str, dict[tuple[int, int] | None, str]] = defaultdict(dict)
    for entry in view.data.get("unmet", []) or []:
        if entry.get("tactic") == "five_into" and entry.get("venue"):
            for ym in (_period_months(entry.get("period")) or (None,)):
                unmet[entry["venue"]][ym] = _oneline(entry.get("why", ""))

    def required_in(ym: tuple[int, int]) -> int:
        if not five or per == "campaign":
            return 0
        if per == "month":
            return at_least
        weeks = {d - timedelta(days=d.weekday()) for d in month_days[ym]}
        starts = {wk for wk in weeks if max(wk, plan.campaign.start).month == ym[1]}
        return at_least * len(starts)

    groups = []
    bars: list[charts.CoverageBar] = []
    for kind in kinds:
        venues = [v for v in plan.venues if v.kind == kind]
        if not venues:
            continue
        rows = []
        met_cells = required_cells = 0
        month_met: Counter[tuple[int, int]] = Counter()
        month_required: Counter[tuple[int, int]] = Counter()
        for v in venues:
            cells = []
            for ym in months:
                n = count[(v.id, ym)]
                req = required_in(ym)
                why = unmet[v.id].get(ym) or unmet[v.id].get(None, "")
                if _closed_all(v, month_days[ym]) and n == 0:
                    cells.append(CoverageCell(n, 0, "closed", why))
                    continue
                if req:
                    month_required[ym] += 1
                    required_cells += 1
                if not five:
                    state = "free"
                    month_required[ym] += 1
                    if n:
                        month_met[ym] += 1
                elif ym in unmet[v.id] or (req and n < req):
                    state = "short"
                elif req:
                    state = "met"
                    month_met[ym] += 1
                    met_cells += 1
                else:
                    state = "free"
                cells.append(CoverageCell(n, req, state, why))
            total = sum(c.count for c in cells)
            if not five:
                row_state = "free"
            elif per == "campaign":
                row_state = "met" if total >= at_least and v.id not in unmet else "short"
            else:
                row_state = "short" if any(c.state == "short" for c in cells) else "met"
            rows.append(CoverageRow(v, _oneline(v.name), _oneline(v.area or "—"), t[v.risk], cells, total, row_state))
        rows.sort(key=lambda r: (r.area, r.name))
        name = cat.venue_kinds[kind].name(lang)
        if not five:
            met_cells = sum(r.total > 0 for r in rows)
            required_cells = len(rows)
            for ym in months:
                bars.append(charts.CoverageBar(name, w.month(*ym, with_year=False), month_met[ym], month_required[ym]))
        elif per == "campaign":
            required_cells = len(rows)
            met_cells = sum(r.state == "met" for r in rows)
            bars.append(charts.CoverageBar(name, t["total"], met_cells, required_cells))
        else:
            for ym in months:
                bars.append(charts.CoverageBar(name, w.month(*ym, with_year=False), month_met[ym], month_required[ym]))
        groups.append(CoverageGroup(kind, name, rows, met_cells, required_cells))
    rule = {
        "at_least": at_least, "per": t[f"per_{per}"], "gap": five.min_gap_days if five else 0,
        "kinds": w.m._(", ").join(cat.venue_kinds[k].name(lang) for k in kinds),
        "on": five is not None,
    }
    if five:
        chart = charts.coverage_chart(bars, title=t["coverage_chart"], met_label=t["met"], required_label=t["required"])
    else:
        chart = charts.coverage_chart(bars, title=t["reached_chart"], met_label=t["reached"],
                                      required_label=t["venues"])
    return groups, rule, chart


def _rosters(view: PlanView, items: list[Item], t: dict) -> list[Roster]:
    plan = view.loaded.plan
    venues = {v.id: v for v in plan.venues}
    mine: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        for s in item.a.staff:
            mine[s.id].append(item)
    rosters = []
    for s in plan.staff:
        own = mine.get(s.id, [])
        weeks = Counter(i.day - timedelta(days=i.day.weekday()) for i in own)
        rosters.append(Roster(
            staff=s, name=_oneline(s.name), role=view.role_name(s.role), team=_oneline(s.team or ""), items=own,
            hours=round(sum(i.hours for i in own), 1), peak_week=max(weeks.values(), default=0),
            claims=[_oneline(venues[c].name) for c in s.claims if c in venues]))
    return rosters


def _load_charts(view: PlanView, rosters: list[Roster], t: dict) -> list[Markup]:
    role_names = {r: view.role_name(r) for r in ROLE_WORDS}
    ordered = sorted(rosters, key=lambda r: (-len(r.items), -r.hours, r.name))
    if len(rosters) <= LOAD_BARS:
        bars = [charts.LoadBar(r.name, len(r.items), r.hours, r.staff.role) for r in ordered]
        return [charts.load_chart(bars, title=t["load_chart"], role_names=role_names, unit=t["hours_unit"],
                                  limit_label=t["limit"])]
    most = max(len(r.items) for r in rosters)
    step = max(1, -(-(most + 1) // 20))
    bins = []
    for low in range(0, most + 1, step):
        high = low + step - 1
        label = str(low) if step == 1 else f"{low}–{high}"
        bins.append((label, sum(low <= len(r.items) <= high for r in rosters)))
    return [
        charts.histogram_chart(bins, title=t["load_hist"], x_label=t["activities_per_person"],
                               y_label=t["people_count"]),
        charts.load_chart([charts.LoadBar(r.name, len(r.items), r.hours, r.staff.role) for r in ordered[:BUSIEST]],
                          title=f'{t["busiest"]} ({BUSIEST})', role_names=role_names,
                          unit=t["hours_unit"], limit_label=t["limit"]),
    ]


def _weekly_chart(view: PlanView, cal: CampaignCalendar, items: list[Item], w: Words, t: dict) -> Markup:
    campaign = view.loaded.plan.campaign
    formats = resolve_formats(view.loaded.plan)
    used = Counter(i.a.format for i in items)
    order = [f for f in formats if used[f]] + sorted(f for f in used if f not in formats)
    names = {i.a.format: i.a.format_name for i in items}
    first = campaign.start - timedelta(days=campaign.start.weekday())
    columns = []
    monday = first
    while monday <= campaign.end:
        days = [monday + timedelta(days=n) for n in range(7)]
        here = Counter(i.a.format for i in items if monday <= i.day <= days[-1])
        marked = any(d in cal.by_date and cal[d].kind == "holiday" for d in days)
        columns.append(charts.WeekColumn(w.short_day(max(monday, campaign.start)), [here[f] for f in order], marked))
        monday += timedelta(days=7)
    return charts.weekly_chart(columns, [_oneline(names[f]) for f in order], title=t["weekly"],
                               marked_label=t["week_of_holiday"])


def _venue_schedules(view: PlanView, items: list[Item], t: dict) -> list[VenueArea]:
    plan = view.loaded.plan
    lang = view.language
    cat = catalogue()
    at: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.a.venue is not None:
            at[item.a.venue.id].append(item)
    areas: dict[str, list[VenueSchedule]] = defaultdict(list)
    kind_order = {k: i for i, k in enumerate(VENUE_KINDS)}
    for v in plan.venues:
        areas[_oneline(v.area or "")].append(VenueSchedule(
            v, _oneline(v.name), cat.venue_kinds[v.kind].name(lang), t[v.risk], v.people(), at.get(v.id, [])))
    result = []
    for name in sorted(areas, key=lambda a: (a == "", a)):
        venues = sorted(areas[name], key=lambda s: (kind_order.get(s.venue.kind, 99), s.name))
        result.append(VenueArea(name or t["no_area"], venues))
    return result


def _key_dates(view: PlanView, cal: CampaignCalendar, items: list[Item], w: Words, t: dict) -> list[KeyDateRow]:
    plan = view.loaded.plan
    lang = view.language
    cat = catalogue()
    custom_audiences = {a.id: a.name for a in plan.audiences}
    custom_frauds = {f.id: f.name for f in plan.fraud_types}
    sep = for_language(lang)._(", ")
    keyed: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.a.key_date:
            keyed[item.a.key_date].append(item)
    rows = []
    for k in cal.key_dates:
        audiences = t["all"] if k.audiences is None else sep.join(
            _oneline(cat.audiences[a].name(lang) if a in cat.audiences else custom_audiences.get(a, a))
            for a in k.audiences)
        themes = t["any"] if k.themes is None else sep.join(
            _oneline(cat.fraud_types[f].name(lang) if f in cat.fraud_types else custom_frauds.get(f, f))
            for f in k.themes)
        here = keyed.get(k.id, [])
        rows.append(KeyDateRow(k.id, _oneline(k.name(lang)), k.date, w.span(k.window.start, k.window.end),
                               audiences, themes, here, k.min_activities,
                               len(here) >= k.min_activities))
    return rows


def _period_text(period: Any, w: Words) -> str:
    """2026-07 → 2026年7月; 2026-W27 → 第27周（6月29日—7月5日）; a date or a range in words."""
    text = _oneline(period)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return w.month(int(m.group(1)), int(m.group(2)))
    if m := re.fullmatch(r"(\d{4})-?W(\d{1,2})", text):
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        span = w.span(monday, monday + timedelta(days=6))
        return w.m._("week {week} ({span})").format(week=int(m.group(2)), span=span)
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?", text):
        try:
            start = date.fromisoformat(m.group(1))
            end = date.fromisoformat(m.group(2)) if m.group(2) else start
        except ValueError:
            return text
        return w.span(start, end)
    return text


def _unmet(view: PlanView, cal: CampaignCalendar, w: Words) -> list[UnmetRow]:
    lang = view.language
    venues = {v.id: v for v in view.loaded.plan.venues}
    staff = {s.id: s for s in view.loaded.plan.staff}
    keys = {k.id: k.name(lang) for k in cal.key_dates}
    cat = catalogue()
    rows = []
    for entry in view.data.get("unmet", []) or []:
        tactic = str(entry.get("tactic", ""))
        where = entry.get("venue") or entry.get("staff") or entry.get("key_date") or ""
        if where in venues:
            where = venues[where].name
        elif where in staff:
            where = staff[where].name
        elif where in keys:
            where = keys[where]
        elif where in cat.key_dates:
            where = cat.key_dates[where].name(lang)
        period = _period_text(entry.get("period") or "", w)
        rows.append(UnmetRow(_oneline(tactic_name(tactic, lang)),
                             _oneline(where) or "—", _oneline(period) or "—", _oneline(entry.get("why", ""))))
    return rows


def _scores(view: PlanView) -> list[ScoreRow]:
    rows = []
    for tactic, score in (view.data.get("score") or {}).items():
        if not isinstance(score, dict):
            continue
        met, required = float(score.get("met") or 0), float(score.get("required") or 0)
        rows.append(ScoreRow(_oneline(tactic_name(tactic, view.language)),
                             met, required, float(score.get("penalty") or 0), charts.meter(met, required)))
    return rows


def _installs(view: PlanView) -> tuple[int, int | None]:
    """Expected App installs (plan.json's, else reach × each format's install rate) and the target."""
    plan = view.loaded.plan
    data = view.data
    expected = data.get("app_installs", data.get("installs"))
    if expected is None:
        formats = resolve_formats(plan)
        expected = sum(a.raw.get("app_installs", a.reach * (formats[a.format].app_install_rate
                                                           if a.format in formats else 0))
                       for a in view.activities)
    six = plan.tactics.six_plus
    target = six.app_promotion.target_installs if six and six.app_promotion else None
    return round(float(expected)), target


@dataclass
class PrintRow:
    """One week of the print list."""

    week: str  # 2026-W27
    label: str  # 第27周（6月29日—7月5日）
    due: str
    activities: int
    counts: list[int]  # per column of the list
    kept: str  # reusable materials, the most one day takes out


@dataclass
class PickWeek:
    label: str
    items: list[Item]


def _materials(view: PlanView, items: list[Item], w: Words, t: dict) -> dict[str, Any]:
    """The weekly print list and the pick list (planner.materials)."""
    from planner.export.view import material_text
    from planner.materials import iso_week, print_lead_days, print_list

    lang = view.language
    cat = catalogue().materials
    needing = [i for i in items if i.a.material_counts]
    weeks = print_list([(i.day, i.a.material_counts) for i in needing])
    used = {m for wk in weeks for m in wk.totals}
    columns = [m for m in cat if m in used] + sorted(m for m in used if m not in cat)
    sep = for_language(lang)._(", ")
    def week_label(wk: Any) -> str:
        span = f"{w.short_day(wk.monday)}–{w.short_day(wk.monday + timedelta(days=6))}"
        number = int(wk.week[-2:])
        return w.m._p("print list", "week {week} ({span})").format(week=number, span=span)

    rows = [PrintRow(wk.week, week_label(wk), w.full_day(wk.due), wk.activities,
                     [wk.totals.get(m, 0) for m in columns],
                     sep.join(material_text(m, n, lang) for m, n in wk.kept.items())) for wk in weeks]
    by_week: dict[str, list[Item]] = defaultdict(list)
    for i in needing:
        by_week[iso_week(i.day)].append(i)
    lead = print_lead_days()
    return {
        "columns": [_material_column(cat[m], w) if m in cat else m for m in columns],
        "rows": rows, "totals": [sum(r.counts[k] for r in rows) for k in range(len(columns))],
        "activities": sum(r.activities for r in rows),
        "note": t["print_note"].format(days=lead), "lead_days": lead,
        "pick": [PickWeek(_period_text(k, w), by_week[k]) for k in sorted(by_week)],
        "compact": len(needing) > PICK_TABLE_ROWS,
    }


def _closeness(view: PlanView, lang: str) -> str:
    """How close the plan is to the best possible, in words (the cover shows no solver figures)."""
    objective, bound = view.data.get("objective"), view.data.get("bound")
    if objective is None:
        return ""
    gap = None if bound is None else relative_gap(float(objective), float(bound))  # None: not known in time
    with messages.using(lang):
        return closeness(str(view.data.get("status") or ""), gap)


def context(view: PlanView) -> dict[str, Any]:
    """Everything the templates show, computed once."""
    plan = view.loaded.plan
    lang = view.language
    t = table(LABELS, lang)
    w = Words(lang)
    cat = catalogue()
    cal = build_calendar(plan)
    items = _local_items(view)
    months = _months(plan.campaign.start, plan.campaign.end)

    by_kind = []
    five = set(plan.tactics.five_into.kinds) if plan.tactics.five_into else set(FIVE_INTO_KINDS)
    kind_count = Counter(i.a.kind for i in items)
    kind_reach: Counter[str | None] = Counter()  # None: online
    for i in items:
        kind_reach[i.a.kind] += i.a.reach
    total = len(items) or 1
    for kind in [k for k in VENUE_KINDS if k in five] + [k for k in VENUE_KINDS if k not in five] + [None]:
        venues = sum(v.kind == kind for v in plan.venues) if kind else 0
        if not venues and not kind_count[kind]:
            continue
        by_kind.append({
            "name": cat.venue_kinds[kind].name(lang) if kind else t["online"], "five": kind in five,
            "venues": venues, "count": kind_count[kind], "reach": kind_reach[kind],
            "share": kind_count[kind] / total,
        })
    key_rows = _key_dates(view, cal, items, w, t)
    reach = view.data.get("reach")
    if not isinstance(reach, (int, float)):
        reach = sum(a.reach for a in view.activities)
    installs, target = _installs(view)
    groups, rule, coverage_chart = _coverage(view, items, w, t, months)
    rosters = _rosters(view, items, t)
    status = str(view.data.get("status") or "")
    summary = len(items) > SUMMARY_ABOVE
    materials = _materials(view, items, w, t)
    if summary:
        materials["pick"] = []
    return {
        "summary": summary, "summary_limit": SUMMARY_ABOVE,
        "summary_unmet": SUMMARY_UNMET_ROWS, "summary_short": SUMMARY_SHORT_VENUES,
        "t": t, "lang": lang, "w": w, "plan": plan, "view": view,
        "station": {"name": _oneline(plan.station.name), "region": _oneline(plan.station.region or "")},
        "campaign": {"name": _oneline(plan.campaign.name),
                     "span": w.campaign_span(plan.campaign.start, plan.campaign.end)
                     + w.m._(" ({n} days)").format(n=len(cal.days)),
                     "days": len(cal.days), "weeks": round(len(cal.days) / 7, 1)},
        "status": t.get(status, _oneline(status)),
        "status_optimal": status == "optimal",
        "closeness": _closeness(view, lang),
        "fill": table(FILL_WORDS, lang)[plan.solver.fill],
        "headline": {
            "activities": len(items), "online": kind_count[None], "offline": len(items) - kind_count[None],
            "reach": w.number(reach), "installs": w.number(installs),
            "installs_target": w.number(target) if target else "",
            "installs_ok": target is None or installs >= target,
            "key_met": sum(r.met for r in key_rows), "key_total": len(key_rows),
            "unmet": len(view.data.get("unmet") or []),
        },
        "by_kind": by_kind,
        "weekly_chart": _weekly_chart(view, cal, items, w, t),
        "months": _month_grids(view, cal, items, w, t),
        "month_heads": [w.month(y, m, with_year=False) for y, m in months],
        "coverage": groups, "coverage_rule": rule, "coverage_chart": coverage_chart,
        "coverage_columns": sum(len(g.rows) for g in groups) > 45 and len(months) <= 4,
        "key_dates": key_rows,
        "unmet": _unmet(view, cal, w), "scores": _scores(view),
        "rosters": rosters, "load_charts": _load_charts(view, rosters, t),
        "roster_compact": sum(len(r.items) for r in rosters) > ROSTER_TABLE_ROWS,
        "venue_areas": _venue_schedules(view, items, t),
        "materials": materials,
        "oneline": _oneline,
        "part": {name: t["part"].format(n=(n if lang == "en" else "一二三四五六七八"[n - 1]))
                 for n, name in enumerate(("calendar", "coverage", "key_dates", "unmet", "rosters", "venues",
                                           "materials"), 1)},
        "weekday_names": [w.weekday(date(2024, 1, d)) for d in range(1, 8)],
    }


# --- Jinja ------------------------------------------------------------------------------------------------


def plan_templates_dir() -> Path:
    """planner/templates/plan, where the printable plan's relative URLs resolve."""
    return templating.folder("plan")


def environment(language: str) -> jinja2.Environment:
    return templating.environment(language, "plan")


def render_html(view: PlanView) -> str:
    """The printable plan as one self-contained HTML document."""
    return environment(view.language).get_template("plan.html.j2").render(**context(view))


def write_html(view: PlanView, path: Path | str) -> Path:
    """Write plan.html (atomically: a half-written file never replaces a good one)."""
    return atomic.write_text(path, render_html(view))


__all__ = ["render_html", "write_html", "context", "LABELS"]
