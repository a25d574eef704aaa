"""Themes: every activity gets a fraud type (诈骗类型) that targets one of its venue's audiences.

Hard: the theme targets an audience of the venue. Venues no fraud type targets get no
candidates at all (planner.candidates reports them), and a key date only counts activities
at venues one of its themes targets, so every chosen activity has a valid theme.
Soft: rotation: a venue does not hear the same theme twice running. Themes do not change
which activities are feasible, so they are chosen after solving, in date order: a key
date's activity takes one of its themes, others prefer the themes of key dates coming up
within two weeks, then the theme least recently heard at the venue. Online posts take the
theme of a key date coming up within a week, else the week's most common offline theme.
Its score counts activities that repeat the venue's previous theme (one unit each: themes
are never traded against anything else in the objective).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from planner.tactics.base import ScoreRow

NAME = "themes"
ORDER = 20  # builds the model after lower ORDERs
RANK = 50  # where it shows in the score and unmet goals
UPCOMING_DAYS = 14
ONLINE_UPCOMING_DAYS = 7


def enabled(plan) -> bool:
    return True


def add(ctx) -> None:
    ctx.hard("theme_matches_audience", sum(1 for c in ctx.cands if c.venue))


def _upcoming(calendar, day, horizon: int, audiences: set[str] | None, fraud_types) -> list[str]:
    out: list[str] = []
    for key in calendar.key_dates:
        if day <= key.date <= day + timedelta(days=horizon) or (key.window.start <= day <= key.window.end
                                                                and key.window.end - key.window.start
                                                                <= timedelta(days=horizon)):
            if audiences is not None and key.audiences is not None and not audiences.intersection(key.audiences):
                continue
            for t in key.themes or ():
                if t in fraud_types and t not in out:
                    out.append(t)
    return out


def assign(plan, calendar, activities: list[Any], fraud_types: dict[str, tuple[str, ...]],
           venue_themes: dict[str, tuple[str, ...]]) -> int:
    """Set .theme and .audiences on each activity (in place); return the number of repeats."""
    venues = {v.id: v for v in plan.venues}
    order = sorted(activities, key=lambda a: (a.cand.start_min + a.cand.day * 1440, a.cand.id))
    last: dict[str, str] = {}
    last_used: dict[tuple[str, str], int] = {}
    repeats = 0
    for n, a in enumerate(order):
        c = a.cand
        if c.venue is None:
            continue
        audiences = venues[c.venue].audience_ids()
        options = list(venue_themes[c.venue])
        if a.key_date is not None:
            key = calendar.key_dates[a.key_date]
            if key.themes is not None:
                options = [t for t in key.themes if set(audiences).intersection(fraud_types.get(t, ()))]
        soon = _upcoming(calendar, c.date, UPCOMING_DAYS, set(audiences), fraud_types)
        rank = {t: i for i, t in enumerate(options)}
        theme = min(options, key=lambda t: (t == last.get(c.venue), t not in soon,
                                            last_used.get((c.venue, t), -1), rank[t]))
        if theme == last.get(c.venue):
            repeats += 1
        last[c.venue] = theme
        last_used[(c.venue, theme)] = n
        a.theme = theme
        a.audiences = [x for x in audiences if x in fraud_types[theme]]
    # online posts follow the week's offline work and the key dates coming up
    week_themes: dict[tuple, Counter] = defaultdict(Counter)
    for a in order:
        if a.cand.venue is not None:
            week_themes[a.cand.date.isocalendar()[:2]][a.theme] += 1
    previous = None
    everything = list(fraud_types)
    for a in order:
        c = a.cand
        if c.venue is not None:
            continue
        options = _upcoming(calendar, c.date, ONLINE_UPCOMING_DAYS, None, fraud_types)
        options += [t for t, _ in sorted(week_themes[c.date.isocalendar()[:2]].items(), key=lambda kv: (-kv[1], kv[0]))
                    if t not in options]
        options += [t for t in everything if t not in options]
        theme = next((t for t in options if t != previous), options[0])
        previous = theme
        a.theme = theme
        a.audiences = list(fraud_types[theme])
    return repeats


def repeats(activities: list[Any]) -> int:
    """Offline activities whose theme repeats the one their venue heard last."""
    last: dict[str, str | None] = {}
    count = 0
    for a in sorted(activities, key=lambda a: (a.cand.start_min + a.cand.day * 1440, a.cand.id)):
        if a.cand.venue is None:
            continue
        count += a.theme is not None and a.theme == last.get(a.cand.venue)
        last[a.cand.venue] = a.theme
    return count


def theme_data(loaded: Any) -> tuple[dict, dict]:
    """The fraud types' audiences, and the themes each venue may hear."""
    from planner.candidates import fraud_type_audiences, matching_themes

    types = fraud_type_audiences(loaded.plan)
    return types, {v.id: matching_themes(v.audience_ids(), types) for v in loaded.plan.venues}


def score(plan: Any, calendar: Any, activities: list[Any], row: ScoreRow) -> None:
    """One unit per offline activity that repeats its venue's previous theme."""
    offline = sum(1 for a in activities if a.cand.venue)
    repeated = repeats(activities)
    row.penalty, row.met, row.required = float(repeated), offline - repeated, offline


__all__ = ["assign", "enabled", "add", "repeats", "theme_data", "score"]
