"""The starter plan `planner init` writes: templates/starter.yaml (Chinese) or starter-en.yaml,
dated for the next campaign from today.

The templates are plans in their own right, dated June–August 2026 (their reference campaign,
starting on a Monday). Dating one for another campaign moves every date in it by whole weeks
(so rotas and leave keep their weekdays) and sets what depends on the season: the campaign's
name and end, the key dates whose windows fall inside and whose audiences its venues serve,
the national publicity month only when it starts inside, and, for a year the installed
chinesecalendar does not know yet, the proposed days off marked 待国务院通知确认.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from planner.calendar import is_official, proposed_block
from planner.catalogue import catalogue
from planner.keydates import catalogue_key_dates, default_school_terms, nth_weekday
from planner.types import DateSpan
from planner.yamlio import load_yaml_text

#: the template of each language, beside each other in templates/
TEMPLATES = {"zh": "starter.yaml", "en": "starter-en.yaml"}
#: the templates' own campaign
REFERENCE_START = date(2026, 6, 1)
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def next_campaign(today: date) -> DateSpan:
    """From the first Monday of next month to the last Sunday of the month two months on (12 or 13
    whole weeks: a weekly quota never falls on a part-week)."""
    first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    start = first + timedelta(days=(7 - first.weekday()) % 7)
    after = start.month + 3
    month_end = date(start.year + (after - 1) // 12, (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return DateSpan(start, month_end - timedelta(days=(month_end.weekday() + 1) % 7))


def national_month_start(year: int) -> date:
    """A placeholder for the year's 全民反诈在行动 month: the third Monday of June (2025: June 16);
    the starter says to take the date from the year's notice."""
    return nth_weekday(year, 6, 1, 3)


def _name(span: DateSpan, language: str) -> str:
    start, end = span.start, span.end
    if language == "zh":
        until = f"{end.month}月" if end.year == start.year else f"{end.year}年{end.month}月"
        return f"{start.year}年{start.month}—{until}反诈集中宣传"
    until = MONTHS_EN[end.month - 1] + ("" if end.year == start.year else f" {end.year}")
    return f"Anti-fraud publicity, {MONTHS_EN[start.month - 1]}–{until} {end.year}"


def _replace(text: str, pattern: str, new: str, *, every: bool = False) -> str:
    """Replace the one match of `pattern`, or every one (a template edit that breaks this fails at once)."""
    changed, count = re.subn(pattern, new, text, flags=re.MULTILINE)
    if count == 0 or (count > 1 and not every):
        raise ValueError(f"the starter template has {count} matches of {pattern!r}")
    return changed


def _key_dates(text: str, span: DateSpan, national: DateSpan | None) -> list[str]:
    """The catalogue's key dates whose windows reach into the campaign where a venue of the
    template serves their audiences (a key date for singles, or for pupils in the vacation,
    would go unmet)."""
    venues = load_yaml_text(text, "starter").data["venues"]
    terms = [t for y in range(span.start.year - 1, span.end.year + 1) for t in default_school_terms(y)]
    found = catalogue_key_dates(range(span.start.year - 1, span.end.year + 2), lead_days=7,
                                national_month=national, school_terms=terms)
    cat = catalogue().key_dates
    ids: list[str] = []
    for k in found:
        inside = [d for d in k.window.days() if d in span]
        open_venues = [v for v in venues if v["kind"] != "school" or any(d in t for d in inside for t in terms)]
        served = {a for v in open_venues for a in v["audiences"]}
        audiences = cat[k.id].audiences
        if inside and k.id not in ids and (audiences == "all" or served & set(audiences)):
            ids.append(k.id)
    return ids


def starter_text(template: Path, language: str, today: date) -> str:
    """The template dated for the next campaign from `today`."""
    text = template.read_text(encoding="utf-8")
    span = next_campaign(today)
    shift = span.start - REFERENCE_START  # whole weeks: both are Mondays

    def moved(match: re.Match[str]) -> str:
        return (date.fromisoformat(match.group(0)) + shift).isoformat()

    text = re.sub(r"\b20\d\d-\d\d-\d\d\b", moved, text)
    text = _replace(text, r"^(campaign:\n  name: ).*$", r"\g<1>" + _name(span, language))
    text = _replace(text, r"^(  end: )\S+", r"\g<1>" + span.end.isoformat())
    second = span.start.replace(day=28) + timedelta(days=4)
    text = _replace(text, r'"20\d\d-\d\d"', f'"{second:%Y-%m}"', every=True)
    week = (span.start + timedelta(weeks=4)).isocalendar()
    text = _replace(text, r'"20\d\d-W\d\d"', f'"{week.year}-W{week.week:02d}"', every=True)
    terms = [t for y in range(span.start.year - 1, span.end.year + 1) for t in default_school_terms(y)
             if t.end >= span.start and t.start <= span.end]
    text = _replace(text, r'^(  # school_terms: )\[[^\]]*\]',
                    r"\g<1>[" + ", ".join(f'"{t}"' for t in terms) + "]")

    national: DateSpan | None = None
    for year in range(span.start.year, span.end.year + 1):
        start = national_month_start(year)
        if start in span:
            national = DateSpan(start, start + timedelta(days=29))
    # not in this campaign: kept as a comment, dated for the year the campaign ends in
    shown = national.start if national else national_month_start(span.end.year)
    text = _replace(text, r"^  (national_month: \{start: )\S+?(, days: 30\}.*)$",
                    ("  " if national else "  # ") + r"\g<1>" + shown.isoformat() + r"\g<2>")
    use = _key_dates(text, span, national)
    text = _replace(text, r"^(    use: )\[[^\]]*\]", r"\g<1>[" + ", ".join(use) + "]")

    unknown = [y for y in range(span.start.year, span.end.year + 1) if not is_official(y)]
    if unknown:  # the proposal, marked to be confirmed, in place of the two empty lists
        extra = re.search(r"^  extra_workdays: .*\n  extra_holidays: .*\n", text, flags=re.MULTILINE)
        if extra is None:
            raise ValueError("the starter template has no campaign.extra_workdays/extra_holidays lines")
        text = text.replace(extra.group(0), proposed_block(unknown, language))
    return text


__all__ = ["TEMPLATES", "next_campaign", "starter_text"]
