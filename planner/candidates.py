"""Candidate activities: what could be held where and when, before anything is decided.

Only what the windows allow is generated: a format at a venue kind has time windows (the
catalogue's, a format's own `windows:`, or a 三时三地 line, which replaces the others for its
format at its places); a day must be of the window's day class, in term for school windows,
in the window's months, a market day where the window and the venue say so, and the venue
must be open. Inside a window range the start grid is coarse on purpose: the range's start
and, when the range holds two activities one after the other, its latest start too. The
model grows with every start offered, and two starts per range already let one person do a
morning and an afternoon activity.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from planner.calendar import CampaignCalendar, Day
from planner.catalogue import Format, catalogue
from planner.formats import resolve_formats, resolve_windows
from planner.loader import LoadedPlan
from planner.model import Plan, Venue
from planner.types import ClockRange
from planner.vocab import FIVE_INTO_KINDS

BUSY_FACTOR = 1.5  # a 三时三地 (busy) window meets this many times more people
GRID_MINUTES = 30  # starts are on the half hour


@dataclass(frozen=True)
class WindowSpec:
    """When a format may be held at a venue kind."""

    id: str  # catalogue window id, a format's own window id, or three_times_three_places[i]
    days: str
    times: tuple[ClockRange, ...]
    in_term: bool = False
    market_days: bool = False
    months: tuple[int, ...] | None = None
    busy: bool = False
    line: int | None = None  # the 三时三地 line it comes from
    where: tuple = ()  # YAML path of the plan entry that set it, if any

    def allows(self, day: Day, venue: Venue | None) -> bool:
        if not day.in_class(self.days):
            return False
        if self.in_term and not day.in_term:
            return False
        if self.months is not None and day.date.month not in self.months:
            return False
        if self.market_days and venue is not None and venue.market_days:
            return day.lunar_day in venue.market_days
        return True


@dataclass(frozen=True, slots=True)
class Candidate:
    """One activity that could be held: a format at a venue (None: online), a day, a start."""

    venue: str | None
    format: str
    date: date
    start_min: int  # minutes after midnight, plan time zone
    end_min: int
    window: str
    busy: bool
    tactics: tuple[str, ...]  # the tactics it can serve
    reach: int  # expected people met (views, online)
    installs: float  # expected 国家反诈中心 App installs
    kind: str | None
    area: str | None
    day: int  # index into calendar.days
    line: int | None  # the 三时三地 line whose window it is in
    key_dates: tuple[int, ...]  # indexes into calendar.key_dates it can be the themed activity for
    tz: ZoneInfo = field(compare=False, repr=False, default=ZoneInfo("Asia/Shanghai"))
    id: str = field(init=False, compare=False, default="")  # activity_id(...), computed once

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", activity_id(self.venue, self.format, self.date, self.start_min))

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date, time(self.start_min // 60, self.start_min % 60), self.tz)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.end_min - self.start_min)

    @property
    def online(self) -> bool:
        return self.venue is None


_DAY_TEXT: dict[date, str] = {}


def activity_id(venue: str | None, fmt: str, day: date, start_min: int) -> str:
    """Stable id from what the activity is, e.g. xingfu-stall-20260603-1730.

    Venue ids have no '_' and format ids no '-', so the id is unambiguous; it is safe as a
    file name and as a calendar UID.
    """
    text = _DAY_TEXT.get(day)
    if text is None:
        text = _DAY_TEXT[day] = f"{day:%Y%m%d}"
    return f"{venue or 'online'}-{fmt}-{text}-{start_min // 60:02d}{start_min % 60:02d}"


@dataclass
class Blocker:
    """Why something the plan asks for has no candidate at all, pointing at YAML entries."""

    subject: str  # venue id, format id or '' for the whole plan
    why: str
    where: list[tuple] = field(default_factory=list)


@dataclass
class CandidateSet:
    candidates: list[Candidate]
    formats: dict[str, Format]
    windows: dict[tuple[str, str | None], list[WindowSpec]]
    fraud_types: dict[str, tuple[str, ...]]  # id → audiences
    venue_themes: dict[str, tuple[str, ...]]  # venue id → fraud types that target its audiences
    blockers: list[Blocker]
    open_days: dict[str, set[int]]  # venue id → day indexes with at least one candidate

    def by_venue(self) -> dict[str | None, list[int]]:
        out: dict[str | None, list[int]] = defaultdict(list)
        for i, c in enumerate(self.candidates):
            out[c.venue].append(i)
        return out


def start_grid(window: ClockRange, minutes: int) -> list[int]:
    """The range's first start and, when two activities fit one after the other, its last."""
    if minutes > window.minutes:
        return []
    first = window.start
    last = (window.end - minutes) // GRID_MINUTES * GRID_MINUTES
    if last < first:
        last = first
    return [first, last] if last - first >= minutes else [first]


def fraud_type_audiences(plan: Plan) -> dict[str, tuple[str, ...]]:
    found = {k: tuple(v.audiences) for k, v in catalogue().fraud_types.items()}
    for extra in plan.fraud_types:
        found[extra.id] = tuple(extra.audiences)
    return found


def matching_themes(audiences: Iterable[str], fraud_types: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    wanted = set(audiences)
    return tuple(t for t, aud in fraud_types.items() if wanted.intersection(aud))


def resolve_window_specs(plan: Plan, formats: dict[str, Format]) -> dict[tuple[str, str | None], list[WindowSpec]]:
    """(format, venue kind or None for online) → its windows, 三时三地 lines applied."""
    specs: dict[tuple[str, str | None], list[WindowSpec]] = defaultdict(list)
    own = {name for name, fmt in plan.activities.items() if fmt.windows is not None}
    for wid, w in resolve_windows(plan).items():
        where: tuple = ()
        if "-" in wid and wid.rsplit("-", 1)[0] in own:
            name, number = wid.rsplit("-", 1)
            where = ("activities", name, "windows", int(number) - 1)
        for fmt_id in w.formats:
            fmt = formats.get(fmt_id)
            if fmt is None:
                continue
            kinds: list[str | None] = [None] if fmt.online else [k for k in w.kinds if k in fmt.kinds]
            for kind in kinds:
                specs[(fmt_id, kind)].append(WindowSpec(
                    wid, w.days, tuple(w.times), w.in_term, w.market_days,
                    tuple(w.months) if w.months else None, w.busy, None, where))
    lines = plan.tactics.three_times_three_places or []
    replaced: dict[tuple[str, str | None], list[WindowSpec]] = defaultdict(list)
    for i, line in enumerate(lines):
        fmt = formats.get(line.activity)
        if fmt is None:
            continue
        for kind in line.place:
            # a line is about the place, so it applies even where the format's kinds omit it
            replaced[(line.activity, kind)].append(WindowSpec(
                f"three_times_three_places[{i}]", line.days, tuple(line.time),
                in_term=kind == "school", market_days=kind == "market", busy=True, line=i,
                where=("tactics", "three_times_three_places", i)))
    specs.update(replaced)
    return {k: v for k, v in sorted(specs.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))}


def _key_date_fit(plan: Plan, calendar: CampaignCalendar, venue: Venue, venue_types: tuple[str, ...],
                  fraud_types: dict[str, tuple[str, ...]]) -> dict[int, set[str] | None]:
    """Key dates (index) this venue can hold a themed activity for → allowed formats (None: any)."""
    audiences = set(venue.audience_ids())
    fit: dict[int, set[str] | None] = {}
    for k, key in enumerate(calendar.key_dates):
        if key.audiences is not None and not audiences.intersection(key.audiences):
            continue
        if key.five_into and venue.kind not in FIVE_INTO_KINDS:
            continue
        themes = key.themes if key.themes is not None else venue_types
        if not any(audiences.intersection(fraud_types.get(t, ())) for t in themes):
            continue
        fit[k] = {key.activity} if key.activity else None
    return fit


def generate_candidates(loaded: LoadedPlan | Plan, calendar: CampaignCalendar, *,
                        days: Iterable[int] | None = None, venues: Iterable[str] | None = None,
                        online: bool = True, grid: str = "day") -> CandidateSet:
    """Every activity the windows allow, on the start grid (optionally for some days or venues).

    grid "day": one start per format, venue and day: the busiest window's first start (two
    activities at one venue the same day are not planned anyway, and each extra start
    multiplies the model). grid "range": every window range's first start, and its last
    when two activities fit one after the other.
    """
    plan = loaded.plan if isinstance(loaded, LoadedPlan) else loaded
    tz = ZoneInfo(plan.station.timezone)
    formats = resolve_formats(plan)
    specs = resolve_window_specs(plan, formats)
    fraud_types = fraud_type_audiences(plan)
    tactics = plan.tactics
    five_kinds = set(tactics.five_into.kinds) if tactics.five_into else set()
    six = tactics.six_plus
    key_by_day: dict[int, list[int]] = defaultdict(list)
    for k, key in enumerate(calendar.key_dates):
        for i, day in enumerate(calendar.days):
            if day.date in key.window:
                key_by_day[i].append(k)
    day_range = sorted(set(days)) if days is not None else list(range(len(calendar.days)))
    wanted = set(venues) if venues is not None else None

    candidates: list[Candidate] = []
    blockers: list[Blocker] = []
    venue_themes: dict[str, tuple[str, ...]] = {}
    open_days: dict[str, set[int]] = defaultdict(set)
    tactic_cache: dict[tuple, tuple[str, ...]] = {}

    def tactics_of(kind: str | None, fmt: str, line: int | None, risk: str | None) -> tuple[str, ...]:
        key = (kind, fmt, line, risk)
        if key not in tactic_cache:
            out = []
            if kind in five_kinds:
                out.append("five_into")
            if line is not None:
                out.append("three_times_three_places")
            if six and (fmt == "lecture" or kind is None or (six.precision and risk != "low")
                        or (six.grid_and_police and kind in ("community", "village", "household"))
                        or (six.app_promotion and six.app_promotion.target_installs)):
                out.append("six_plus")
            tactic_cache[key] = tuple(out)
        return tactic_cache[key]

    for vi, venue in enumerate(plan.venues):
        if wanted is not None and venue.id not in wanted:
            continue
        themes = matching_themes(venue.audience_ids(), fraud_types)
        venue_themes[venue.id] = themes
        if not themes:
            blockers.append(Blocker(venue.id, f"no fraud type targets its audiences "
                                    f"({', '.join(venue.audience_ids())}), so no activity there can have a theme",
                                    [("venues", vi, "audiences")]))
            continue
        key_fit = _key_date_fit(plan, calendar, venue, themes, fraud_types)
        size = venue.people()
        found = 0
        for fmt_id, fmt in formats.items():
            if fmt.online:
                continue
            windows = specs.get((fmt_id, venue.kind), [])
            if not windows or (venue.kind not in fmt.kinds and all(w.line is None for w in windows)):
                continue
            minutes = int(fmt.duration.total_seconds() // 60)
            base = min(fmt.reach.cap, fmt.reach.rate * size)
            seen: dict[tuple[int, int], int] = {}
            for d in day_range:
                day = calendar.days[d]
                if venue.is_closed(day.date):
                    continue
                for w in windows:
                    if not w.allows(day, venue):
                        continue
                    reach = round(min(fmt.reach.cap, base * BUSY_FACTOR) if w.busy else base)
                    for rng in w.times:
                        for start in start_grid(rng, minutes):
                            slot = (d, start) if grid == "range" else (d, 0)
                            if slot in seen:  # the same start from two windows: keep the busier
                                old = candidates[seen[slot]]
                                if w.busy and not old.busy:
                                    candidates[seen[slot]] = replace(
                                        old, start_min=start, end_min=start + minutes,
                                        window=w.id, busy=True, line=w.line, reach=reach,
                                        installs=reach * fmt.app_install_rate,
                                        tactics=tactics_of(venue.kind, fmt_id, w.line, venue.risk))
                                continue
                            kd = tuple(k for k in key_by_day.get(d, ())
                                       if k in key_fit and ((fit := key_fit[k]) is None or fmt_id in fit))
                            seen[slot] = len(candidates)
                            candidates.append(Candidate(
                                venue.id, fmt_id, day.date, start, start + minutes, w.id, w.busy,
                                tactics_of(venue.kind, fmt_id, w.line, venue.risk), reach,
                                reach * fmt.app_install_rate, venue.kind, venue.area, d, w.line, kd, tz))
                            open_days[venue.id].add(d)
                            found += 1
        if not found:
            why = "closed on every campaign day" if all(venue.is_closed(day.date) for day in calendar.days) \
                else "no activity format has a time window at this kind of venue on an open day"
            blockers.append(Blocker(venue.id, why, [("venues", vi, "closed" if venue.closed else "kind")]))

    if online:
        for fmt_id, fmt in formats.items():
            if not fmt.online:
                continue
            minutes = int(fmt.duration.total_seconds() // 60)
            for d in day_range:
                day = calendar.days[d]
                used: set[int] = set()
                for w in specs.get((fmt_id, None), []):
                    if not w.allows(day, None):
                        continue
                    for rng in w.times:
                        for start in start_grid(rng, minutes):
                            if start in used or (grid == "day" and used):
                                continue
                            used.add(start)
                            reach = fmt.reach.online
                            candidates.append(Candidate(
                                None, fmt_id, day.date, start, start + minutes, w.id, w.busy,
                                tactics_of(None, fmt_id, None, None), reach, reach * fmt.app_install_rate,
                                None, None, d, None, (), tz))
    candidates.sort(key=lambda c: (c.day, c.start_min, c.venue or "", c.format))
    return CandidateSet(candidates, formats, specs, fraud_types, venue_themes, blockers, dict(open_days))


__all__ = ["Candidate", "CandidateSet", "WindowSpec", "Blocker", "generate_candidates", "activity_id",
           "start_grid", "resolve_window_specs", "fraud_type_audiences", "matching_themes", "BUSY_FACTOR"]
