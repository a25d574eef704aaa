"""The calendar of days: each day's class, lunar date, school term and key dates.

Official days off and 调休 make-up workdays come from chinesecalendar (which raises for
years it does not know: those years must be supplied by the plan), lunar dates and
festivals from lunar-python.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from typing import Literal

import chinese_calendar
from lunar_python import Lunar, LunarYear, Solar
from lunar_python.util import LunarUtil

from planner.keydates import KeyDate, catalogue_key_dates, default_school_terms, lunar_to_solar
from planner.messages import N_, NP_, Msg, for_language
from planner.model import Plan
from planner.types import DateSpan

DayKind = Literal["workday", "makeup_workday", "weekend", "holiday"]

#: chinesecalendar's names of the official holidays (English) → the catalogue's msgid
HOLIDAYS: dict[str, Msg] = {
    "New Year's Day": NP_("official holiday", "New Year's Day"),
    "Spring Festival": NP_("official holiday", "Spring Festival"),
    "Tomb-sweeping Day": NP_("official holiday", "Qingming Festival"),
    "Labour Day": NP_("official holiday", "Labour Day"),
    "Dragon Boat Festival": NP_("official holiday", "Dragon Boat Festival"),
    "National Day": NP_("official holiday", "National Day"),
    "Mid-autumn Festival": NP_("official holiday", "Mid-Autumn Festival"),
    "Anti-Fascist 70th Day": NP_("official holiday", "Victory Day (70th anniversary)"),
}
#: the Chinese names as Day.holiday holds them (the printable plan and reports read them)
HOLIDAY_ZH = {name: for_language("zh").msg(message) for name, message in HOLIDAYS.items()}
DAY_KINDS: dict[str, Msg] = {
    "workday": N_("workday"), "makeup_workday": N_("make-up workday"),
    "weekend": N_("weekend"), "holiday": N_("official day off"),
}
#: lunar-python's festival names (Chinese) → the catalogue's msgid
LUNAR_FESTIVAL_NAMES: dict[str, Msg] = {
    "除夕": NP_("lunar festival", "New Year's Eve"), "春节": NP_("lunar festival", "Spring Festival"),
    "元宵节": NP_("lunar festival", "Lantern Festival"), "龙头节": NP_("lunar festival", "Longtou Festival"),
    "端午节": NP_("lunar festival", "Dragon Boat Festival"), "七夕节": NP_("lunar festival", "Qixi Festival"),
    "中元节": NP_("lunar festival", "Ghost Festival"), "中秋节": NP_("lunar festival", "Mid-Autumn Festival"),
    "重阳节": NP_("lunar festival", "Double Ninth Festival"), "腊八节": NP_("lunar festival", "Laba Festival"),
}
LUNAR_FESTIVALS = tuple(LUNAR_FESTIVAL_NAMES)


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


LunarInfo = tuple[int, int, str, tuple[str, ...], "str | None"]
# lunar-python's own keys for the solar terms it computes past the lunar year's ends: the first
# of its table is the term before 冬至, the last six are the first six of the next year
_TERM_KEYS = {Lunar.JIE_QI_IN_USE[0]: Lunar.JIE_QI[-1], **dict(zip(Lunar.JIE_QI_IN_USE[-6:], Lunar.JIE_QI[:6]))}


def lunar_info(day: date) -> LunarInfo:
    """(lunar month, negative when leap; lunar day; its Chinese text; the lunar festivals of
    LUNAR_FESTIVALS on it; the solar term starting on it, or None)."""
    return _lunar_year(day.year)[day]


@cache
def _lunar_year(year: int) -> dict[date, LunarInfo]:
    """lunar_info of every day of a Gregorian year, from lunar-python's month and solar-term
    tables: a Lunar object per day computes its year's solar terms anew (a third of a second
    for a year of days, in every command), these tables once. tests/test_calendar.py checks
    that each day is what Solar(...).getLunar() says."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    base = Solar.fromYmd(year, 1, 1).getJulianDay()  # of its midnight: x.5; the months start on whole days
    months = [(m.getYear(), m.getMonth(), int(m.getFirstJulianDay()), m.getDayCount())
              for y in (year - 1, year, year + 1) for m in LunarYear.fromYear(y).getMonths()]
    months = sorted(set(months), key=lambda m: m[2])
    terms: dict[date, str] = {}
    for y in (year - 1, year, year + 1):
        for key, solar in Lunar.fromYmd(y, 6, 1).getJieQiTable().items():
            terms[date(solar.getYear(), solar.getMonth(), solar.getDay())] = _TERM_KEYS.get(key, key)
    out: dict[date, LunarInfo] = {}
    day, jd = first, int(base + 0.5)
    i = 0
    while day <= last:
        while months[i][2] + months[i][3] <= jd:
            i += 1
        lunar_year, month, start, count = months[i]
        n = jd - start + 1
        festivals = []
        if f"{month}-{n}" in LunarUtil.FESTIVAL:
            festivals.append(LunarUtil.FESTIVAL[f"{month}-{n}"])
        if abs(month) == 12 and n == count and months[i + 1][0] != lunar_year:
            festivals.append("除夕")
        text = f"{'闰' if month < 0 else ''}{LunarUtil.MONTH[abs(month)]}月{LunarUtil.DAY[n]}"
        out[day] = (month, n, text, tuple(f for f in festivals if f in LUNAR_FESTIVALS), terms.get(day))
        day += timedelta(days=1)
        jd += 1
    return out


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
    inside = [replace(k, min_activities=tactic.required(k.id, k.custom)) for k in found
              if k.window.start <= campaign.end and k.window.end >= campaign.start]
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
    name: str  # Chinese, as the official data and plan.json name it
    span: DateSpan
    message: Msg | None = None  # the catalogue's msgid, to show the name in another language

    def label(self, language: str) -> str:
        return for_language(language).msg(self.message) if self.message else self.name


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
    #: for a year without official data: the breaks the lunar calendar and solar terms suggest
    proposed: list[HolidayPeriod] = field(default_factory=list)


def festival_label(name: str, language: str) -> str:
    """A lunar festival's name (lunar-python's Chinese) in `language`."""
    message = LUNAR_FESTIVAL_NAMES.get(name)
    return for_language(language).msg(message) if message else name


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
                days_off.append(HolidayPeriod(name or "", DateSpan(day, day),
                                              HOLIDAYS.get(chinese_calendar.holidays[day])))
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
    return YearOverview(year, official, days_off, makeup, festivals, terms, key_dates, school,
                        [] if official else proposed_days_off(year))


# --- a year the installed chinesecalendar does not know yet ----------------------------------------------

def is_official(year: int) -> bool:
    first, last = official_years()
    return first <= year <= last


def _with_weekend(day: date) -> DateSpan:
    """A one-day holiday as the usual three-day break when it touches a weekend (Friday to Monday);
    midweek it stays one day (the notice may bridge it with a make-up workday: not guessed here)."""
    weekday = day.weekday()
    if weekday == 0:  # Monday: Saturday to Monday
        return DateSpan(day - timedelta(days=2), day)
    if weekday in (4, 5):  # Friday or Saturday: to Sunday or Monday
        return DateSpan(day, day + timedelta(days=2))
    if weekday == 6:  # Sunday: Saturday to Monday
        return DateSpan(day - timedelta(days=1), day + timedelta(days=1))
    return DateSpan(day, day)


def _solar_term(year: int, month: int, name: str) -> date:
    day = date(year, month, 1)
    while lunar_info(day)[4] != name:
        day += timedelta(days=1)
    return day


def proposed_days_off(year: int) -> list[HolidayPeriod]:
    """The year's usual breaks as the lunar calendar and the solar terms place them (the holidays
    of 国务院令第798号, 2025, with the lengths the notices have given them since): 元旦 and the
    one-day festivals joined to a touching weekend, 春节 from 除夕 to 正月初七 (8 days), 劳动节
    May 1–5, 国庆节 October 1–7, one 8-day break when 中秋 falls beside it. A proposal to paste
    and confirm against the State Council's notice, never used unless a plan lists it."""
    name = HOLIDAY_ZH
    eve = lunar_to_solar(year, 1, 1) - timedelta(days=1)
    mid_autumn = lunar_to_solar(year, 8, 15)
    breaks = [
        HolidayPeriod(name["New Year's Day"], _with_weekend(date(year, 1, 1)), HOLIDAYS["New Year's Day"]),
        HolidayPeriod(name["Spring Festival"], DateSpan(eve, eve + timedelta(days=7)), HOLIDAYS["Spring Festival"]),
        HolidayPeriod(name["Tomb-sweeping Day"], _with_weekend(_solar_term(year, 4, "清明")),
                      HOLIDAYS["Tomb-sweeping Day"]),
        HolidayPeriod(name["Labour Day"], DateSpan(date(year, 5, 1), date(year, 5, 5)), HOLIDAYS["Labour Day"]),
        HolidayPeriod(name["Dragon Boat Festival"], _with_weekend(lunar_to_solar(year, 5, 5)),
                      HOLIDAYS["Dragon Boat Festival"]),
    ]
    national = DateSpan(date(year, 10, 1), date(year, 10, 7))
    if date(year, 9, 28) <= mid_autumn <= date(year, 10, 8):  # one break of 8 days
        start = min(mid_autumn, national.start)
        breaks.append(HolidayPeriod(f"{name['Mid-autumn Festival']}、{name['National Day']}",
                                    DateSpan(start, start + timedelta(days=7)), NP_("official holiday",
                                                                                    "Mid-Autumn and National Day")))
    else:
        breaks.append(HolidayPeriod(name["Mid-autumn Festival"], _with_weekend(mid_autumn),
                                    HOLIDAYS["Mid-autumn Festival"]))
        breaks.append(HolidayPeriod(name["National Day"], national, HOLIDAYS["National Day"]))
    return breaks


def proposed_block(years: list[int], language: str, indent: str = "  ") -> str:
    """campaign.extra_holidays / extra_workdays for years chinesecalendar does not know: the
    proposed breaks, each marked to be confirmed by the State Council's notice, and no make-up
    workday (those come with the notice; the planner does not guess them)."""
    m = for_language(language)
    shown = "、".join(str(y) for y in years) if language == "zh" else ", ".join(str(y) for y in years)
    lines = [indent + m._("# {years}: days off as the lunar calendar and the solar terms give them, "
                          "to be confirmed by the State Council notice").format(years=shown),
             f"{indent}extra_holidays:"]
    entries = [(f'{indent}  - "{p.span.start}..{p.span.end}"' if p.span.start != p.span.end
                else f'{indent}  - "{p.span.start}"', p.label(language))
               for year in years for p in proposed_days_off(year)]
    width = max(len(text) for text, _ in entries) + 2
    mark = m._("to be confirmed by the State Council notice")
    joint = " " if language == "zh" else ", "
    lines += [f"{text.ljust(width)}# {label}{joint}{mark}" for text, label in entries]
    lines.append(indent + m._("# make-up workdays come with the notice: list them in extra_workdays then; "
                              "the planner does not guess them"))
    lines.append(f"{indent}extra_workdays: []")
    return "\n".join(lines) + "\n"
