"""The calendar of days: each day's class, lunar date, school term and key dates.

Official days off and 调休 make-up workdays come from chinesecalendar (which raises for
years it does not know: those years must be supplied by the plan), lunar dates and
festivals from lunar-python.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Literal

import chinese_calendar
from lunar_python import Solar

from planner.keydates import KeyDate, catalogue_key_dates, default_school_terms
from planner.model import Plan
from planner.types import DateSpan

DayKind = Literal["workday", "makeup_workday", "weekend", "holiday"]

HOLIDAY_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
DAY_KIND_NAMES = {
    "workday": ("工作日", "workday"), "makeup_workday": ("调休上班", "make-up workday"),
    "weekend": ("周末", "weekend"), "holiday": ("法定节假日", "official day off"),
}
LUNAR_FESTIVALS = ("除夕", "春节", "元宵节", "龙头节", "端午节", "七夕节", "中元节", "中秋节", "重阳节", "腊八节")


@cache
def official_years() -> tuple[int, int]:
    """The years the installed chinesecalendar has official data for."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


@dataclass(frozen=True)
class Day:
    date: date
    kind: DayKind
    holiday: str | None  # the official holiday's name (zh), or "plan" for extra_holidays
    lunar_month: int  # negative in a leap month
    lunar_day: int
    lunar_text: str  # e.g. 五月初五
    festivals: tuple[str, ...]
    solar_term: str | None
    in_term: bool
    key_dates: tuple[str, ...] = ()

    @property
    def is_workday(self) -> bool:
        return self.kind in ("workday", "makeup_workday")

    def in_class(self, day_class: str) -> bool:
        if day_class == "workdays":
            return self.is_workday
        if day_class == "restdays":
            return not self.is_workday
        if day_class == "weekends":
            return self.date.weekday() >= 5
        if day_class == "holidays":
            return self.kind == "holiday"
        return day_class == "all"


def official_day(day: date) -> tuple[DayKind, str | None]:
    """The day's class by the official schedule (or by the weekday alone, outside its years)."""
    first, last = official_years()
    weekend = day.weekday() >= 5
    if first <= day.year <= last:
        if day in chinese_calendar.holidays:
            name = chinese_calendar.holidays[day]
            return "holiday", HOLIDAY_ZH.get(name, name)
        if day in chinese_calendar.workdays:
            return "makeup_workday", None
    return ("weekend" if weekend else "workday"), None


def lunar_info(day: date) -> tuple[int, int, str, tuple[str, ...], str | None]:
    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    festivals = tuple(f for f in lunar.getFestivals() if f in LUNAR_FESTIVALS)
    text = f"{'闰' if lunar.getMonth() < 0 else ''}{lunar.getMonthInChinese()}月{lunar.getDayInChinese()}"
    return lunar.getMonth(), lunar.getDay(), text, festivals, lunar.getJieQi() or None


@dataclass
class CampaignCalendar:
    days: list[Day]
    key_dates: list[KeyDate]
    school_terms: list[DateSpan]
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_date = {d.date: d for d in self.days}

    def __getitem__(self, day: date) -> Day:
        return self.by_date[day]

    def counts(self) -> Counter:
        return Counter(d.kind for d in self.days)

    def in_class(self, day_class: str) -> list[Day]:
        return [d for d in self.days if d.in_class(day_class)]


def school_terms_for(plan: Plan) -> list[DateSpan]:
    if plan.campaign.school_terms is not None:
        return sorted(plan.campaign.school_terms)
    years = range(plan.campaign.start.year - 1, plan.campaign.end.year + 1)
    return [term for year in years for term in default_school_terms(year)]


def plan_key_dates(plan: Plan, school_terms: list[DateSpan]) -> tuple[list[KeyDate], list[str]]:
    """The key dates the plan uses whose windows overlap the campaign."""
    tactic = plan.tactics.key_dates
    if tactic is None:
        return [], []
    campaign = plan.campaign
    national = campaign.national_month
    national_span = DateSpan(national.start, national.end) if national else None
    use = None if tactic.use == "all" else list(tactic.use)
    years = range(campaign.start.year - 1, campaign.end.year + 2)
    found = catalogue_key_dates(years, lead_days=tactic.lead_days, national_month=national_span,
                                school_terms=school_terms, use=use)
    for custom in tactic.custom:  # a plan's own key dates are always used
        span = custom.date
        if span.start == span.end:
            lead = custom.lead_days or tactic.lead_days
            window = DateSpan(span.start - timedelta(days=lead - 1), span.start)
        else:
            window = span
        audiences = None if custom.audiences == "all" else tuple(custom.audiences)
        themes = None if custom.themes == "any" else tuple(custom.themes)
        found.append(KeyDate(span.start, custom.id, custom.name, custom.name, window, audiences, themes,
                             activity=custom.activity, custom=True))
    inside = [k for k in found if k.window.start <= campaign.end and k.window.end >= campaign.start]
    notes = []
    if national is None and (use is None or "national_month" in use):
        notes.append("national_month: not set in campaign.national_month, so not planned "
                     "(the month moves every year; set its start to plan for it)")
    return sorted(inside), notes


def build_calendar(plan: Plan) -> CampaignCalendar:
    """Every day of the campaign with its class, lunar date, term and key dates."""
    campaign = plan.campaign
    extra_work = {d for span in campaign.extra_workdays for d in span.days()}
    extra_off = {d for span in campaign.extra_holidays for d in span.days()}
    terms = school_terms_for(plan)
    key_dates, notes = plan_key_dates(plan, terms)
    days = []
    for day in campaign.days():
        kind: DayKind
        if day in extra_off:
            kind, holiday = "holiday", "plan"
        elif day in extra_work:
            kind, holiday = ("makeup_workday" if day.weekday() >= 5 else "workday"), None
        elif campaign.holidays == "CN":
            kind, holiday = official_day(day)
        else:
            kind, holiday = ("weekend" if day.weekday() >= 5 else "workday"), None
        lunar_month, lunar_day, lunar_text, festivals, term = lunar_info(day)
        days.append(Day(
            date=day, kind=kind, holiday=holiday, lunar_month=lunar_month, lunar_day=lunar_day,
            lunar_text=lunar_text, festivals=festivals, solar_term=term,
            in_term=any(day in t for t in terms),
            key_dates=tuple(k.id for k in key_dates if day in k.window),
        ))
    return CampaignCalendar(days, key_dates, terms, notes)


# --- a year at a glance (planner dates) -----------------------------------------------------------------


@dataclass
class HolidayPeriod:
    name: str
    span: DateSpan


@dataclass
class YearOverview:
    year: int
    official: bool  # False: chinesecalendar has no data for the year
    days_off: list[HolidayPeriod]
    makeup_workdays: list[date]
    lunar_festivals: list[tuple[date, str]]
    solar_terms: list[tuple[date, str]]
    key_dates: list[KeyDate]
    school_terms: list[DateSpan]


def year_overview(year: int, *, lead_days: int = 7, national_month: DateSpan | None = None) -> YearOverview:
    first, last = official_years()
    official = first <= year <= last
    days_off: list[HolidayPeriod] = []
    makeup: list[date] = []
    festivals: list[tuple[date, str]] = []
    terms: list[tuple[date, str]] = []
    day = date(year, 1, 1)
    while day.year == year:
        kind, name = official_day(day) if official else ("", None)
        if kind == "holiday":
            previous = days_off[-1] if days_off else None
            if previous and previous.name == name and previous.span.end == day - timedelta(days=1):
                previous.span = DateSpan(previous.span.start, day)
            else:
                days_off.append(HolidayPeriod(name or "", DateSpan(day, day)))
        elif kind == "makeup_workday":
            makeup.append(day)
        _, _, _, lunar_festivals, solar_term = lunar_info(day)
        festivals += [(day, f) for f in lunar_festivals]
        if solar_term:
            terms.append((day, solar_term))
        day += timedelta(days=1)
    school = [t for y in (year - 1, year) for t in default_school_terms(y) if t.end.year >= year]
    school = [t for t in school if t.start.year <= year]
    key_dates = catalogue_key_dates(range(year, year + 1), lead_days=lead_days,
                                    national_month=national_month, school_terms=school)
    return YearOverview(year, official, days_off, makeup, festivals, terms, key_dates, school)
