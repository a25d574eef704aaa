"""An independent check of a plan.json against its station plan: every hard rule, again.

It reads plan.json as a consumer would and re-derives what is allowed from the plan, the
catalogue and the calendar of days, without importing anything that builds the model
(candidates, tactics, schedule), so a bug there cannot hide itself here.

    violations = verify(plan_json, loaded_plan)   # [] when every hard rule holds
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from planner import travel
from planner.calendar import CampaignCalendar, build_calendar
from planner.catalogue import catalogue
from planner.formats import resolve_formats, resolve_windows
from planner.loader import LoadedPlan
from planner.vocab import paired_roles, short_roles

PAIRED = ("community", "village", "household")


@dataclass(frozen=True)
class Violation:
    rule: str
    activity: str | None
    message: str
    staff: str | None = None

    def __str__(self) -> str:
        who = f" [{self.staff}]" if self.staff else ""
        return f"{self.rule}: {self.activity or '-'}{who}: {self.message}"


def _minutes(t: datetime) -> int:
    return t.hour * 60 + t.minute


def _travel(plan, a: str | None, b: str | None) -> int:
    return travel.minutes(plan, a, b)


def _windows(plan, formats) -> dict[tuple[str, str | None], list[dict]]:
    """(format, venue kind) → allowed windows; 三时三地 lines replace the others for their format."""
    out: dict[tuple[str, str | None], list[dict]] = defaultdict(list)
    for w in resolve_windows(plan).values():
        for f in w.formats:
            fmt = formats.get(f)
            if fmt is None:
                continue
            for kind in ([None] if fmt.online else [k for k in w.kinds if k in fmt.kinds]):
                out[(f, kind)].append(dict(days=w.days, times=list(w.times), in_term=w.in_term,
                                           market=w.market_days, months=w.months))
    lines: dict[tuple[str, str | None], list[dict]] = defaultdict(list)
    for line in plan.tactics.three_times_three_places or []:
        for kind in line.place:
            lines[(line.activity, kind)].append(dict(days=line.days, times=list(line.time), in_term=kind == "school",
                                                     market=kind == "market", months=None))
    out.update(lines)
    return out


def _in_window(w: dict, day, venue, start: int, end: int) -> bool:
    if not day.in_class(w["days"]) or (w["in_term"] and not day.in_term):
        return False
    if w["months"] and day.date.month not in w["months"]:
        return False
    if w["market"] and venue is not None and venue.market_days and day.lunar_day not in venue.market_days:
        return False
    return any(r.start <= start and end <= r.end for r in w["times"])


def verify(plan_json: dict[str, Any] | str | Path, loaded: LoadedPlan,
           calendar: CampaignCalendar | None = None) -> list[Violation]:
    data: dict[str, Any] = (plan_json if isinstance(plan_json, dict)
                            else json.loads(Path(plan_json).read_text(encoding="utf-8")))
    plan = loaded.plan
    calendar = calendar or build_calendar(plan)
    tz = ZoneInfo(plan.station.timezone)
    formats = resolve_formats(plan)
    windows = _windows(plan, formats)
    staff = {s.id: s for s in plan.staff}
    venues = {v.id: v for v in plan.venues}
    teams: dict[str, set[str]] = defaultdict(set)
    for s in plan.staff:
        if s.team:
            teams[s.team].add(s.id)
    frauds = {k: set(v.audiences) for k, v in catalogue().fraud_types.items()}
    frauds.update({f.id: set(f.audiences) for f in plan.fraud_types})
    keys = defaultdict(list)
    for k in calendar.key_dates:
        keys[k.id].append(k)
    six = plan.tactics.six_plus
    paired = bool(six and six.grid_and_police)
    fi = plan.tactics.five_into
    out: list[Violation] = []

    def bad(rule: str, aid: str | None, message: str, person: str | None = None) -> None:
        out.append(Violation(rule, aid, message, person))

    seen: set[str] = set()
    by_person: dict[str, list[tuple[datetime, datetime, str | None, str]]] = defaultdict(list)
    by_venue: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for a in data.get("activities", []):
        aid = a.get("id")
        if aid in seen:
            bad("unique_id", aid, "the id is used twice")
        seen.add(aid)
        fmt_id, vid = a.get("activity"), a.get("venue")
        fmt = formats.get(fmt_id)
        if fmt is None:
            bad("format", aid, f"unknown activity format {fmt_id!r}")
            continue
        venue = venues.get(vid) if vid is not None else None
        if vid is not None and venue is None:
            bad("venue", aid, f"unknown venue {vid!r}")
            continue
        start, end = datetime.fromisoformat(a["start"]), datetime.fromisoformat(a["end"])
        day_date = start.astimezone(tz).date()
        if start.utcoffset() != datetime.combine(day_date, start.time(), tz).utcoffset():
            bad("time_zone", aid, f"start {a['start']} is not in the plan's time zone {plan.station.timezone}")
        if end - start != fmt.duration:
            bad("duration", aid, f"lasts {end - start}, the format takes {fmt.duration}")
        if end.date() != start.date():
            bad("duration", aid, "ends on another day")
        expected = f"{vid or 'online'}-{fmt_id}-{day_date:%Y%m%d}-{start.hour:02d}{start.minute:02d}"
        if aid != expected and a.get("planned_as") != expected:  # replan keeps a moved activity's id
            bad("stable_id", aid, f"the id should be {expected} (venue, format, date, start)")
        if day_date not in calendar.by_date:
            bad("campaign", aid, f"{day_date} is outside the campaign")
            continue
        day = calendar[day_date]
        kind = venue.kind if venue else None
        if (venue is None) != fmt.online:
            bad("venue", aid, "online formats have no venue; others need one")
        if venue is not None:
            if venue.is_closed(day_date):
                bad("venue_closed", aid, f"{vid} is closed on {day_date}")
            by_venue[vid].append((start, end, aid))
        allowed = windows.get((fmt_id, kind), [])
        if not any(_in_window(w, day, venue, _minutes(start), _minutes(end)) for w in allowed):
            what = f"{fmt_id} at a {kind}" if kind else fmt_id
            market = " (not a market day)" if venue is not None and venue.market_days and \
                day.lunar_day not in venue.market_days else ""
            bad("window", aid, f"{what} is not allowed {day_date} {start:%H:%M}-{end:%H:%M}{market}")
        # who is on it
        people = a.get("staff", [])
        if len(set(people)) != len(people):
            bad("needs", aid, "a person is listed twice")
        members = [staff[s] for s in people if s in staff]
        for s in people:
            if s not in staff:
                bad("staff", aid, f"unknown staff {s!r}")
        for p in members:
            if not p.is_available(day_date):
                bad("available", aid, f"{p.id} is on leave or on duty on {day_date}", p.id)
            elif p.duty is not None and p.duty.on(day_date - timedelta(days=1)) and \
                    _minutes(start) < p.duty.rest_minutes():
                bad("rest_after_duty", aid, f"{p.id} was on a 24-hour duty the day before; "
                    f"no activity before {p.duty.rest_after}", p.id)
            by_person[p.id].append((start, end, venue.area if venue else None, aid))
        needs = fmt.needs
        roles = {r: getattr(needs, r) for r in ("police", "auxiliary", "grid_worker", "volunteer")}
        if venue is not None and paired and kind in PAIRED:
            roles = paired_roles(roles)
        for role, short in short_roles({r: n for r, n in roles.items() if n}, [p.role for p in members]).items():
            bad("needs", aid, f"needs {roles[role]} {role}, has {roles[role] - short}")
        if len(members) < max(needs.people or 0, 1):
            bad("needs", aid, f"needs {max(needs.people or 0, 1)} people, has {len(members)}")
        for skill in needs.skills:
            if not any(skill in p.skills for p in members):
                bad("needs", aid, f"nobody on it has the skill {skill}")
        if needs.team and not teams[needs.team] <= set(people):
            bad("team", aid, f"team {needs.team} goes as a unit: missing "
                f"{', '.join(sorted(teams[needs.team] - set(people)))}")
        if needs.teams and members:
            # one of these teams staffs it, never a mix; with team_area stay, in its home area
            one_of = {t for t in teams if any(fnmatchcase(t, pattern) for pattern in needs.teams)}
            theirs = {p.team for p in members}
            if len(theirs) > 1 or not theirs <= one_of:
                bad("one_team", aid, "staffed from " + ", ".join(sorted(t or "(no team)" for t in theirs)) +
                    f"; one of {', '.join(sorted(one_of))} only")
            elif needs.team_area == "stay" and venue is not None:
                team = next(iter(theirs))
                areas = sorted(p.area for p in plan.staff if p.team == team and p.area)
                home = min(areas, key=lambda x: (-areas.count(x), x)) if areas else None
                if home is not None and home != venue.area:
                    bad("team_area", aid, f"team {team} stays in {home}; {vid} is in {venue.area}")
        # theme and audiences
        theme = a.get("theme")
        if theme not in frauds:
            bad("theme", aid, f"unknown fraud type {theme!r}")
        elif venue is not None:
            va = set(venue.audience_ids())
            if not va & frauds[theme]:
                bad("theme", aid, f"{theme} targets none of the venue's audiences ({', '.join(sorted(va))})")
            if not set(a.get("audiences", [])) <= va & frauds[theme] or not a.get("audiences"):
                bad("theme", aid, f"audiences {a.get('audiences')} are not the venue's audiences {theme} targets")
        key = a.get("key_date")
        if key is not None:
            fits = [k for k in keys.get(key, []) if day_date in k.window]
            if not fits:
                bad("key_date", aid, f"{day_date} is outside every window of key date {key}")
            else:
                k = fits[0]
                if venue is None or (k.audiences is not None and not set(venue.audience_ids()) & set(k.audiences)):
                    bad("key_date", aid, f"the venue has none of {key}'s audiences")
                if k.themes is not None and theme not in k.themes:
                    bad("key_date", aid, f"theme {theme} is not one of {key}'s themes")
                if k.activity and k.activity != fmt_id:
                    bad("key_date", aid, f"{key} asks for {k.activity}")

    # one person, one place at a time (travel between areas included)
    for sid, acts in by_person.items():
        acts.sort()
        for i, (s1, e1, a1, id1) in enumerate(acts):
            for s2, e2, a2, id2 in acts[i + 1:]:
                if s2.date() != s1.date():
                    break
                gap = timedelta(minutes=_travel(plan, a1, a2))
                if s2 < e1 + gap and s1 < e2 + gap:
                    bad("double_booked", id2, f"overlaps {id1} (travel {gap} between areas)", sid)
        weeks: dict[tuple, int] = defaultdict(int)
        for s1, _, _, _ in acts:
            weeks[s1.date().isocalendar()[:2]] += 1
        cap = staff[sid].max_activities_per_week
        for (y, w), n in sorted(weeks.items()):
            if n > cap:
                bad("max_activities_per_week", None, f"{n} activities in {y}-W{w:02d}, at most {cap}", sid)
    # venues: no overlap; min_gap_days at 五进 venues
    for vid, vacts in by_venue.items():
        vacts.sort()
        gap_days = fi.min_gap_days if fi and venues[vid].kind in fi.kinds else 0
        for (s1, e1, id1), (s2, _e2, id2) in zip(vacts, vacts[1:]):
            if s2 < e1:
                bad("venue_double_booked", id2, f"overlaps {id1} at {vid}")
            if gap_days and (s2.date() - s1.date()).days < gap_days:
                bad("min_gap_days", id2, f"{(s2.date() - s1.date()).days} days after {id1}; "
                    f"min_gap_days is {gap_days}")
    return out


__all__ = ["verify", "Violation"]
