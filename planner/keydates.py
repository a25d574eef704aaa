"""Key dates (关键节点) resolved to real dates and windows for given years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lunar_python import Lunar

from planner.catalogue import KeyDateInfo, catalogue, defaults
from planner.types import DateSpan, parse_month_day


@dataclass(frozen=True, order=True)
class KeyDate:
    """One occurrence of a key date: the day itself and the window for its activities."""

    date: date
    id: str
    zh: str
    en: str
    window: DateSpan
    audiences: tuple[str, ...] | None  # None: every audience
    themes: tuple[str, ...] | None  # None: any fraud type
    five_into: bool = False
    activity: str | None = None
    custom: bool = False
    min_activities: int = 0  # themed activities its window asks (the plan's key_dates settings)

    def name(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


def lunar_to_solar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """weekday 1 = Monday; n = -1 for the last in the month."""
    if n > 0:
        first = date(year, month, 1)
        offset = (weekday - 1 - first.weekday()) % 7
        return first + timedelta(days=offset + 7 * (n - 1))
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - (weekday - 1)) % 7)


def default_school_terms(year: int) -> list[DateSpan]:
    """The typical terms that start in `year` (defaults.yaml school_terms)."""
    spec = defaults()["school_terms"]
    lunar_month, lunar_day = parse_month_day(spec["spring"]["starts_monday_after_lunar"])
    after = lunar_to_solar(year, lunar_month, lunar_day) + timedelta(days=1)
    spring_start = after + timedelta(days=(7 - after.weekday()) % 7)
    spring_end = date(year, *parse_month_day(spec["spring"]["end"]))
    autumn_start = date(year, *parse_month_day(spec["autumn"]["start"]))
    autumn_end = date(year + 1, *parse_month_day(spec["autumn"]["end"]))
    return [DateSpan(spring_start, spring_end), DateSpan(autumn_start, autumn_end)]


def _window(day: date, info: KeyDateInfo, lead_days: int) -> DateSpan:
    if info.window is not None:
        return DateSpan(day - timedelta(days=info.window.before), day + timedelta(days=info.window.after))
    return DateSpan(day - timedelta(days=lead_days - 1), day)


def resolve(key_id: str, info: KeyDateInfo, year: int, *, lead_days: int,
            national_month: DateSpan | None, school_terms: list[DateSpan]) -> list[KeyDate]:
    """The occurrences of one catalogue key date in a year (school_start has two)."""
    rule = info.rule
    spans: list[tuple[date, DateSpan]] = []
    if rule.rule == "fixed":
        day = date(year, rule.month, min(rule.day, 28 if rule.month == 2 else rule.day))
        spans.append((day, _window(day, info, lead_days)))
    elif rule.rule == "lunar":
        day = lunar_to_solar(year, rule.month, rule.day)
        spans.append((day, _window(day, info, lead_days)))
    elif rule.rule == "nth_weekday":
        day = nth_weekday(year, rule.month, rule.weekday, rule.n)
        spans.append((day, _window(day, info, lead_days)))
    elif rule.rule == "span":
        start, end = date(year, *parse_month_day(rule.start)), date(year, *parse_month_day(rule.end))
        spans.append((start, DateSpan(start, end)))
    elif rule.rule == "national_month":
        if national_month is not None and national_month.start.year == year:
            spans.append((national_month.start, national_month))
    elif rule.rule == "term_start":
        for term in school_terms:
            if term.start.year == year:
                spans.append((term.start, _window(term.start, info, lead_days)))
    audiences = None if info.audiences == "all" else tuple(info.audiences)
    themes = None if info.themes == "any" else tuple(info.themes)
    return [KeyDate(day, key_id, info.zh, info.en, window, audiences, themes, info.five_into, info.activity)
            for day, window in spans]


def catalogue_key_dates(years: range, *, lead_days: int, national_month: DateSpan | None,
                        school_terms: list[DateSpan], use: list[str] | None = None) -> list[KeyDate]:
    found = []
    for key_id, info in catalogue().key_dates.items():
        if use is not None and key_id not in use:
            continue
        for year in years:
            found += resolve(key_id, info, year, lead_days=lead_days, national_month=national_month,
                             school_terms=school_terms)
    return sorted(found)
