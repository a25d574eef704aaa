"""Calendars (.ics): one per staff member, one per venue and one with every activity.

Everything here is deterministic: the same plan.json and station plan give byte-identical
files. An event's UID is `<activity id>@<uid domain>` (plan.json's "uid_domain", else the
station's: see `planner.publish`), or the entry's own "uid"; its SEQUENCE is plan.json's
"sequence" and its DTSTAMP plan.json's "published" (when that version was first published,
so an unchanged event keeps its bytes from one version to the next), else `calendar_stamp`,
which never comes from the wall clock. Events are in plan order (start, id) and icalendar
writes properties in a fixed order.

Text is escaped by icalendar (RFC 5545 TEXT escaping for values, RFC 6868 for parameter
values such as CN), so names from a plan cannot add lines or properties. `write_calendars`
builds every event with icalendar but folds the lines itself (`_fold`: icalendar's folding,
byte for byte, without its loop per character) and makes a line that repeats (an attendee,
a venue, the calendar's head) once: its files are exactly `build_calendar(...).to_ical()`. File names come
only from ids that pass the plan format's `Id` check.

Addresses (ATTENDEE / ORGANIZER) are `mailto:` URIs because that is the only calendar
user address form every common client (Outlook, Google, Apple, Thunderbird) keeps and
shows; other URI schemes such as `urn:uuid:` are dropped or shown raw by several of them.
Staff without a usable e-mail get `mailto:<staff id>@staff.invalid`: stable, derived from a
validated id, and under the `.invalid` top-level domain that RFC 6761 reserves, so nothing
can ever be delivered there, even by a client that tries to send invitations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress, vText
from pydantic import TypeAdapter, ValidationError

from planner import atomic
from planner.export.view import ActivityView, PlanView, tactic_name
from planner.messages import N_, NP_, Msg, table
from planner.model import Staff
from planner.publish import event_uid, parse_stamp, uid_domain, valid_domain
from planner.types import Id

__all__ = ["build_calendar", "calendar_names", "calendar_stamp", "calendar_uid_domain", "staff_address",
           "write_calendars", "PRODID", "STATION_ADDRESS"]

PRODID = "-//fanzha-planner//Anti-fraud publicity planner//{lang}"

_LABELS: dict[str, Msg] = {
    "audience": N_("Audience"), "theme": N_("Theme"), "points": N_("Talking points"),
    "partners": NP_("calendar: partners", "Partners"), "staff": NP_("calendar: staff", "Staff"),
    "materials": N_("Bring"), "reach": NP_("calendar: reach", "Expected reach"), "key_date": N_("Key date"),
    "reach_value": N_("about {n} people"), "none": N_("none"), "sep": N_(", "), "colon": N_(": "),
    "bullet": N_("- "), "person": N_("{name} ({role})"), "cancelled": N_("[Cancelled] "),
    "cancelled_line": N_("This activity is cancelled."), "collects": N_(" ({name} collects them)"),
    "you_collect": N_(" (you collect them)"),
}

_ID = TypeAdapter(Id)
# A conservative addr-spec: no whitespace, quotes, angle brackets or iCalendar delimiters.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_STATUS = {"cancelled": "CANCELLED", "canceled": "CANCELLED", "tentative": "TENTATIVE",
           "confirmed": "CONFIRMED"}


# --- small helpers ---------------------------------------------------------------------------------


def _safe_id(value: str) -> str:
    """An id that may name a file; anything else is refused (never sanitised into a file name)."""
    try:
        return _ID.validate_python(value)
    except ValidationError:
        raise ValueError(f"{value!r} is not a safe id for a calendar file name") from None


def _text(value: str) -> str:
    """One newline convention: CR LF and lone CR become LF (RFC 5545 escapes LF as \\n)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _tactic_name(view: PlanView, tactic: str) -> str:
    return tactic_name(tactic, view.language)


def staff_address(staff: Staff) -> str:
    """The calendar user address of a staff member: their e-mail, or a stable undeliverable one."""
    email = (staff.email or "").strip()
    if email.lower().startswith("mailto:"):
        email = email[len("mailto:"):]
    if _EMAIL.fullmatch(email):
        return f"mailto:{email}"
    return f"mailto:{_safe_id(staff.id)}@staff.invalid"


STATION_ADDRESS = "mailto:station@station.invalid"


def calendar_stamp(view: PlanView, generated: datetime | None = None) -> datetime:
    """DTSTAMP for every event, in UTC, never from the wall clock.

    In order: `generated` if given; plan.json's "generated" (ISO date-time) if present; else
    the campaign's first day at 00:00 UTC. Naive date-times are taken as UTC.
    """
    if generated is None:
        raw = view.data.get("generated")
        if isinstance(raw, str):
            with suppress(ValueError):
                generated = datetime.fromisoformat(raw)
    if generated is None:
        generated = datetime.combine(view.loaded.plan.campaign.start, time(0))
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=timezone.utc)
    return generated.astimezone(timezone.utc).replace(microsecond=0)


def calendar_uid_domain(view: PlanView) -> str:
    """The part after '@' of every UID: plan.json's "uid_domain" (what was published), else
    the station's own (`planner.publish.uid_domain`)."""
    return valid_domain(view.data.get("uid_domain")) or uid_domain(view.loaded.plan.station)


def _local(view: PlanView, moment: datetime) -> datetime:
    tz = ZoneInfo(view.timezone)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def _year_span(view: PlanView) -> tuple[date, date]:
    """The years the VTIMEZONE covers: whole years around the campaign and its activities."""
    campaign = view.loaded.plan.campaign
    days = [campaign.start, campaign.end] + [_local(view, a.start).date() for a in view.activities + view.cancelled]
    return date(min(days).year, 1, 1), date(max(days).year + 1, 1, 1)


@lru_cache(maxsize=16)
def _vtimezone(tzid: str, first: date, last: date) -> bytes:
    return Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()


def _timezone_component(view: PlanView) -> Timezone:
    component = Timezone.from_ical(_vtimezone(view.timezone, *_year_span(view)))
    assert isinstance(component, Timezone)  # icalendar types from_ical as Component; a VTIMEZONE parses as this
    return component


# --- one event --------------------------------------------------------------------------------------


def _sequence(activity: ActivityView) -> int:
    value = activity.raw.get("sequence", 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"activity {activity.id!r}: sequence must be a whole number >= 0, not {value!r}")
    return value


def _status(activity: ActivityView) -> str:
    raw = activity.raw.get("status")
    return _STATUS.get(raw.lower(), "CONFIRMED") if isinstance(raw, str) else "CONFIRMED"


def _categories(view: PlanView, activity: ActivityView) -> list[str]:
    values = [activity.kind_name]
    values += [_tactic_name(view, t) for t in activity.tactics]
    if activity.theme_name:
        values.append(activity.theme_name)
    if activity.key_date_name:
        values.append(activity.key_date_name)
    seen: list[str] = []
    for value in values:
        value = _text(value)
        if value and value not in seen:
            seen.append(value)
    return seen


@lru_cache(maxsize=8)
def _labels(language: str) -> dict[str, str]:
    """_LABELS in a language (looked up once, not per event and person)."""
    return table(_LABELS, language)


def _description(view: PlanView, activity: ActivityView, viewer: str | None) -> str:
    L = _labels(view.language)

    def line(label: str, value: str) -> str:
        return f"{L[label]}{L['colon']}{value}"

    lines = []
    if _status(activity) == "CANCELLED":
        lines.append(L["cancelled_line"])
    lines.append(line("audience", L["sep"].join(activity.audience_names) or L["none"]))
    if activity.theme_name:
        lines.append(line("theme", activity.theme_name))
    if activity.talking_points:
        lines.append(f"{L['points']}{L['colon'].rstrip()}")
        lines += [f"{L['bullet']}{p}" for p in activity.talking_points]
    if activity.key_date_name:
        lines.append(line("key_date", activity.key_date_name))
    people = [s for s in activity.staff if s.id != viewer]
    names = L["sep"].join(L["person"].format(name=s.name, role=view.role_name(s.role)) for s in people)
    lines.append(line("partners" if viewer else "staff", names or L["none"]))
    if activity.materials:  # with counts, and who collects them (the printable plan's pick list)
        who = activity.collector
        collects = "" if who is None else L["you_collect"] if who.id == viewer else L["collects"].format(name=who.name)
        lines.append(line("materials", L["sep"].join(activity.materials) + collects))
    if activity.reach:
        lines.append(line("reach", L["reach_value"].format(n=activity.reach)))
    return _text("\n".join(lines))


def _attendee(view: PlanView, staff: Staff) -> vCalAddress:
    address = vCalAddress(staff_address(staff))
    address.params["CN"] = _text(staff.name)
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["RSVP"] = "FALSE"
    address.params["X-PLANNER-ROLE"] = staff.role  # police | auxiliary | grid_worker | volunteer
    return address


def _organizer(view: PlanView) -> vCalAddress:
    address = vCalAddress(STATION_ADDRESS)
    address.params["CN"] = _text(view.loaded.plan.station.name)
    return address


def _address(addresses: dict[str | None, vCalAddress] | None, key: str | None,
             make: Callable[[], vCalAddress]) -> vCalAddress:
    if addresses is None:
        return make()
    found = addresses.get(key)
    if found is None:
        found = addresses[key] = make()
    return found


def _event(view: PlanView, activity: ActivityView, *, stamp: datetime, viewer: str | None,
           alarm_minutes: int | None, addresses: dict[str | None, vCalAddress] | None = None) -> Event:
    """One VEVENT. addresses: ORGANIZER (key None) and ATTENDEE (by staff id) made before, to
    share between the events of one run (write_calendars); never changed once made."""
    L = _labels(view.language)
    status = _status(activity)
    summary = _text(activity.summary)
    if status == "CANCELLED":
        summary = L["cancelled"] + summary
    event = Event()
    event.add("uid", event_uid(activity.raw or {"id": activity.id}, calendar_uid_domain(view)))
    event.add("dtstamp", parse_stamp(activity.raw.get("published")) or stamp)
    event.add("sequence", _sequence(activity))
    event.add("dtstart", _local(view, activity.start))
    event.add("dtend", _local(view, activity.end))
    event.add("summary", summary)
    event.add("location", _text(activity.location))
    venue = activity.venue
    if venue is not None and venue.geo is not None:
        event.add("geo", (venue.geo.lat, venue.geo.lon))
    event.add("categories", _categories(view, activity))
    event.add("description", _description(view, activity, viewer))
    event.add("status", status)
    event.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    event.add("organizer", _address(addresses, None, partial(_organizer, view)))
    for staff in activity.staff:
        event.add("attendee", _address(addresses, staff.id, partial(_attendee, view, staff)))
    if alarm_minutes is not None and status != "CANCELLED":  # no reminder for what will not happen
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
    return event


# --- calendars ----------------------------------------------------------------------------------------


def build_calendar(view: PlanView, activities: Iterable[ActivityView], *, name: str,
                   viewer: str | None = None, alarm_minutes: int | None = 60,
                   stamp: datetime | None = None, method: str | None = "PUBLISH") -> Calendar:
    """A VCALENDAR with these activities (in the order given) and the plan's VTIMEZONE.

    name: the calendar's display name (NAME and X-WR-CALNAME).
    viewer: the staff id whose calendar this is; their description lists the *other* staff
      as partners. Without it every staff member is listed.
    stamp: DTSTAMP (UTC) of events whose plan.json entry has no "published"; default
      `calendar_stamp(view)`.
    method: METHOD; "PUBLISH" for .ics files, None for a CalDAV resource (RFC 4791 §4.1
      forbids METHOD in stored calendar objects).
    """
    _check_alarm(alarm_minutes)
    stamp = calendar_stamp(view) if stamp is None else calendar_stamp(view, stamp)
    cal = _calendar(view, name, _year_span(view), method)
    for activity in activities:
        cal.add_component(_event(view, activity, stamp=stamp, viewer=viewer, alarm_minutes=alarm_minutes))
    cal.add_missing_timezones(*_year_span(view))  # nothing to add unless a plan mixes zones
    return cal


def _check_alarm(alarm_minutes: int | None) -> None:
    if alarm_minutes is not None and (isinstance(alarm_minutes, bool) or not isinstance(alarm_minutes, int)
                                      or alarm_minutes < 0):
        raise ValueError(f"alarm_minutes must be a whole number >= 0 or None, not {alarm_minutes!r}")


def calendar_names(view: PlanView) -> tuple[str, dict[str, str], dict[str, str]]:
    """Display names: (all, {staff id: name}, {venue id: name}), e.g. "王力 · 2026年全民反诈集中宣传"."""
    plan = view.loaded.plan
    campaign = plan.campaign.name
    return (f"{plan.station.name} · {campaign}",
            {s.id: f"{s.name} · {campaign}" for s in plan.staff},
            {v.id: f"{v.name} · {campaign}" for v in plan.venues})


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # into the staging folder output_dir flushes once before it becomes OUT, not file by file
    atomic.write_bytes(path, data, sync=False)


def _file(directory: Path, ident: str) -> Path:
    path = directory / f"{_safe_id(ident)}.ics"
    if path.parent != directory:  # cannot happen with a valid id; belt and braces
        raise ValueError(f"{ident!r} does not name a file inside {directory}")
    return path


def _ordered(activities: list[ActivityView]) -> list[ActivityView]:
    return sorted(activities, key=lambda a: (a.start, a.id))


def write_calendars(view: PlanView, out_dir: Path, *, alarm_minutes: int | None = 60,
                    generated: datetime | None = None) -> list[Path]:
    """Write staff/<id>.ics (every staff member), venues/<id>.ics (every venue) and all.ics.

    Returns the paths written: staff in plan order, venues in plan order, then all.ics.
    """
    _check_alarm(alarm_minutes)
    out_dir = Path(out_dir)
    stamp = calendar_stamp(view, generated)
    all_name, staff_names, venue_names = calendar_names(view)
    plan = view.loaded.plan
    jobs: list[tuple[Path, Sequence[ActivityView], str, str | None]] = []
    for s in plan.staff:
        jobs.append((_file(out_dir / "staff", s.id), _ordered(view.for_staff(s.id) + view.withdrawn_for_staff(s.id)),
                     staff_names[s.id], s.id))
    for v in plan.venues:
        withdrawn = [a for a in view.cancelled if a.venue is not None and a.venue.id == v.id]
        jobs.append((_file(out_dir / "venues", v.id), _ordered(view.for_venue(v.id) + withdrawn), venue_names[v.id],
                     None))
    # a venue the plan no longer has keeps its calendar while it withdraws events, so that
    # whoever subscribed to it sees them go
    known = {v.id for v in plan.venues}
    removed = sorted({a.raw["venue"] for a in view.cancelled
                      if isinstance(a.raw.get("venue"), str) and a.raw["venue"] not in known})
    for vid in removed:
        try:
            path = _file(out_dir / "venues", vid)
        except ValueError:  # not an id that may name a file: no calendar of its own
            continue
        jobs.append((path, _ordered([a for a in view.cancelled if a.raw.get("venue") == vid]),
                     f"{vid} · {plan.campaign.name}", None))
    jobs.append((out_dir / "all.ics", _ordered(view.activities + view.cancelled), all_name, None))
    # Each event is built and serialised once (the calendar's own view, no viewer); a staff
    # member's copy differs only in its DESCRIPTION line, which is spliced in. The bytes are
    # those build_calendar(...).to_ical() gives (tests/test_ics.py compares them).
    events = _EventBytes(view, stamp, alarm_minutes)
    heads = _Heads(view, _year_span(view))
    written = []
    for path, activities, name, viewer in jobs:
        head = heads.get(name)
        body = b"".join(events.get(a, viewer) for a in activities)
        _write_atomic(path, head[:-len(_END)] + body + _END)
        written.append(path)
    return written


_END = b"END:VCALENDAR\r\n"


def _calendar(view: PlanView, name: str, span: tuple[date, date], method: str | None = "PUBLISH") -> Calendar:
    """A VCALENDAR with the plan's VTIMEZONE and no events yet."""
    cal = Calendar()
    cal.add("prodid", PRODID.format(lang=view.language.upper()))
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    # icalendar 7.3 does not know NAME and X-WR-* as TEXT: a plain str would be written
    # unescaped (a newline in a name would break the file), so say vText explicitly.
    cal.add("name", vText(_text(name)))
    cal.add("x-wr-calname", vText(_text(name)))
    cal.add("x-wr-timezone", vText(view.timezone))
    # Always present, also in a calendar with no events: a VCALENDAR needs one component,
    # and clients then know the zone X-WR-TIMEZONE names.
    cal.add_component(Timezone.from_ical(_vtimezone(view.timezone, *span)))
    return cal


class _Heads:
    """A calendar's head (properties and VTIMEZONE) as `_calendar(...)` serialises it, built
    once; each file's differs only in its NAME and X-WR-CALNAME lines, spliced in."""

    _MARK = "calendar name"

    def __init__(self, view: PlanView, span: tuple[date, date]) -> None:
        lines = _calendar(view, self._MARK, span).content_lines()
        named = [_name_line("NAME", self._MARK), _name_line("X-WR-CALNAME", self._MARK)]
        self.parts: list[bytes | str] = [line[:line.index(":")] if line in named else _fold(line) + b"\r\n"
                                         for line in lines if line]

    def get(self, name: str) -> bytes:
        return b"".join(part if isinstance(part, bytes) else _fold(_name_line(part, name)) + b"\r\n"
                        for part in self.parts)


def _name_line(prop: str, name: str) -> str:
    """The content line of NAME or X-WR-CALNAME as `_calendar` adds it (vText, escaped by icalendar)."""
    return f"{prop}:" + vText(_text(name)).to_ical().decode("utf-8")


class _EventBytes:
    """Serialised VEVENTs by activity, each built once; per viewer only DESCRIPTION differs."""

    def __init__(self, view: PlanView, stamp: datetime, alarm_minutes: int | None) -> None:
        self.view, self.stamp, self.alarm_minutes = view, stamp, alarm_minutes
        self.plain: dict[int, tuple[bytes, bytes, bytes]] = {}  # id(activity) → (before, description, after)
        self.lines: dict[str, bytes] = {}  # a DESCRIPTION's text → its line
        self.folded: dict[tuple[Any, ...], bytes] = {}  # a text property's line, by what decides it
        self.addresses: dict[str | None, vCalAddress] = {}

    def get(self, activity: ActivityView, viewer: str | None) -> bytes:
        parts = self.plain.get(id(activity))
        if parts is None:
            lines = self.content_lines(_event(self.view, activity, stamp=self.stamp, viewer=None,
                                              alarm_minutes=self.alarm_minutes, addresses=self.addresses))
            # the event's own DESCRIPTION (its properties come before the alarm's)
            at = next((i for i, (name, _) in enumerate(lines) if name == "DESCRIPTION"), None)
            if at is None:  # cannot happen with icalendar's writer; build the viewer's event whole
                parts = (b"".join(line for _, line in lines), b"", b"")
            else:
                parts = (b"".join(line for _, line in lines[:at]), lines[at][1],
                         b"".join(line for _, line in lines[at + 1:]))
            self.plain[id(activity)] = parts
        before, line, after = parts
        if viewer is None:
            return before + line + after
        if not line:
            return _serialise(_event(self.view, activity, stamp=self.stamp, viewer=viewer,
                                     alarm_minutes=self.alarm_minutes))
        text = _description(self.view, activity, viewer)
        line = self.lines.get(text) or self.lines.setdefault(text, _description_line(text))
        return before + line + after

    def content_lines(self, component: Event) -> list[tuple[str, bytes]]:
        """(name, folded line) of each line `component.to_ical()` writes, in its order.

        A text or address property's line depends only on its name, text and parameters;
        those repeat from event to event (ORGANIZER, each person's ATTENDEE, LOCATION, STATUS,
        BEGIN and END), so each is made by icalendar once and kept."""
        out = []
        for name, value in component.property_items():
            key = _text_key(name, value)
            if key is None:
                out.append((name, _fold(component.content_line(name, value)) + b"\r\n"))
                continue
            line = self.folded.get(key)
            if line is None:
                line = self.folded[key] = _fold(component.content_line(name, value)) + b"\r\n"
            out.append((name, line))
        return out


def _text_key(name: str, value: object) -> tuple[Any, ...] | None:
    """What decides a text property's line (its name, type, text and parameters); None for
    values of other types, and for parameters that are not plain text or lists of it."""
    if isinstance(value, bytes):  # BEGIN and END
        return (name, bytes, value)
    if type(value) not in (vText, vCalAddress):
        return None
    params: list[tuple[str, Any]] = []
    for k, v in value.params.items():  # type: ignore[attr-defined]
        if isinstance(v, str):
            params.append((k, v))
        elif isinstance(v, list) and all(isinstance(x, str) for x in v):
            params.append((k, tuple(v)))
        else:
            return None
    return (name, type(value), str(value), tuple(params))


def _description_line(text: str) -> bytes:
    """DESCRIPTION as icalendar writes it in an event: escaped (by icalendar), folded, CR LF ended."""
    return _fold("DESCRIPTION:" + vText(text).to_ical().decode("utf-8")) + b"\r\n"


# --- serialising --------------------------------------------------------------------------------------

#: the most octets icalendar 7 puts on a line: it folds before a character that would make 75
_LINE_OCTETS = 74
_ESCAPES = b"\\^"  # TEXT's backslash escapes and RFC 6868's parameter escapes start with these


def _fold(line: str) -> bytes:
    """A content line folded exactly as icalendar 7's `Contentline.to_ical` folds it, without
    its Python loop over every character (half of the calendars' time).

    Each line holds as many whole UTF-8 characters as fit in 74 octets; a line never ends in
    a backslash or caret after other characters (an escape is not split: it moves to the next
    line, icalendar issue #1501); the next line starts with a space. tests/test_ics.py checks
    this against `Contentline.to_ical` on arbitrary text and whole files against
    `Calendar.to_ical`."""
    data = line.encode("utf-8")
    if len(data) <= _LINE_OCTETS:
        return data
    parts = []
    start, size = 0, len(data)
    while size - start > _LINE_OCTETS:
        end = start + _LINE_OCTETS
        while data[end] & 0xC0 == 0x80:  # a continuation octet: the character starts before
            end -= 1
        if end - start > 1 and data[end - 1] in _ESCAPES:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def _join(lines: Iterable[str]) -> bytes:
    """Content lines as `Contentlines.to_ical` writes them: folded, each CR LF ended."""
    return b"".join(_fold(line) + b"\r\n" for line in lines if line)


def _serialise(component: Calendar | Event) -> bytes:
    """`component.to_ical()`, byte for byte, folded by `_fold`."""
    return _join(component.content_lines())
