"""Publishing a new version of a plan so that phones which imported the last one update.

`planner plan` into an OUT that already holds a plan.json, and `planner replan`, both go
through `publish`: it compares the new plan.json with the previous one and gives every
activity the calendar identity and version the calendar clients need (RFC 5545/5546):

- UID: `<activity id>@<uid domain>` (`event_uid`), where the domain is the plan's
  `station.id`, or a short hash of the station's name and region (`uid_domain`); plan.json
  records it as `"uid_domain"`, so `planner export` writes the same UIDs. The activity's
  `id` stays the bare activity id that scripts use.
- An activity of the previous plan found again (same id as it would be planned afresh, i.e.
  same venue, format and start) keeps its id and so its UID; one that vanished but has a new
  activity at the same venue in the same format is that activity moved (`changes.pair_moves`)
  and the new one takes its id (with `planned_as` saying what it would be called afresh).
- SEQUENCE (`"sequence"`) rises by one when anything the event shows changed; DTSTAMP is
  `"published"`: when that version was first published. An unchanged activity keeps both,
  so its event stays byte for byte the same.
- A vanished activity stays in plan.json's `cancelled` list with SEQUENCE + 1 and the UID it
  was published under (`"uid"`), so calendars withdraw it (STATUS:CANCELLED); one that comes
  back is revived under its UID with a higher SEQUENCE. People taken off an activity are
  listed in its `released` so their calendars withdraw it too.
- An event published under another UID (a plan.json from before UIDs carried the station,
  or `station.id` set or changed since) is withdrawn under the old UID and published under
  the new one.

A first version (no previous plan.json, or `--fresh`) is stamped deterministically with
the campaign's first day at 00:00 UTC, so two runs of the same plan and seed give identical
files; only versions that changed relative to a previous publication carry the wall clock
(UTC, whole seconds; `SOURCE_DATE_EPOCH` or the `now` argument set it instead).

The previous plan.json may be hand-edited or written by an older planner: whatever in it is
not a usable activity is left out of the comparison, never an error here.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from planner.changes import pair_moves

__all__ = ["publish", "Publication", "uid_domain", "event_uid", "valid_domain", "parse_stamp", "stamp_text",
           "first_stamp", "clock", "EVENT_FIELDS"]

# What an activity's calendar event shows, of plan.json's fields: a change in any of them is a
# new version of the event (SEQUENCE + 1).
EVENT_FIELDS = ("venue", "activity", "start", "end", "staff", "theme", "audiences", "tactics", "key_date", "reach",
                "materials")

_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$")
_UID = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces: safe and portable as a UID


# --- UIDs -------------------------------------------------------------------------------------------


def uid_domain(station: Any) -> str:
    """The part after '@' in this station's UIDs: `station.id`, else `station-<hash>` of the
    name and region (Chinese names have no ASCII slug; the region tells apart the many
    stations named alike, e.g. 城关派出所)."""
    ident = getattr(station, "id", None)
    if ident:
        return ident
    name = (getattr(station, "name", "") or "").strip()
    region = (getattr(station, "region", "") or "").strip()
    return "station-" + hashlib.sha256(f"{name}\n{region}".encode("utf-8")).hexdigest()[:10]


def valid_domain(value: Any) -> str | None:
    return value if isinstance(value, str) and _DOMAIN.fullmatch(value) else None


def _valid_uid(value: Any) -> str | None:
    return value if isinstance(value, str) and _UID.fullmatch(value) else None


def event_uid(entry: dict[str, Any], domain: str) -> str:
    """The UID of a plan.json activity or cancelled entry: its own "uid" where it has one,
    else `<id>@<domain>`."""
    return _valid_uid(entry.get("uid")) or f"{entry['id']}@{domain}"


# --- stamps ----------------------------------------------------------------------------------------


def stamp_text(moment: datetime) -> str:
    """UTC, whole seconds, e.g. 2026-12-04T16:45:00Z."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(value: Any) -> datetime | None:
    """A "published" value as an aware UTC datetime (whole seconds), or None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def first_stamp(campaign_start: date) -> str:
    """DTSTAMP of a first version: the campaign's first day at 00:00 UTC (never the clock)."""
    return stamp_text(datetime.combine(campaign_start, time(0), tzinfo=timezone.utc))


def clock() -> datetime:
    """Now, in UTC whole seconds; `SOURCE_DATE_EPOCH` (reproducible builds) overrides it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


# --- the previous plan.json, read defensively ---------------------------------------------------------


@dataclass
class _Published:
    raw: dict[str, Any]
    id: str
    natural: str  # the id it would have if planned afresh (venue, format, date, start)
    day: date
    staff: list[str]
    sequence: int
    published: str  # its DTSTAMP, as plan.json writes it
    uid: str  # the UID it was published under


def _sequence(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _read(entries: Any, tz: ZoneInfo, old_uid, default_stamp: str) -> list[_Published]:
    from planner.candidates import activity_id

    out: list[_Published] = []
    seen: set[str] = set()
    for raw in entries if isinstance(entries, list) else ():
        if not isinstance(raw, dict):
            continue
        ident, fmt, venue = _valid_uid(raw.get("id")), raw.get("activity"), raw.get("venue")
        if ident is None or not isinstance(fmt, str) \
                or not (venue is None or isinstance(venue, str)) or not isinstance(raw.get("end"), str):
            continue
        try:
            start = datetime.fromisoformat(raw["start"])
            datetime.fromisoformat(raw["end"])
        except (KeyError, TypeError, ValueError):
            continue
        start = start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz)
        uid = old_uid(raw)
        if uid in seen:  # a hand-edited duplicate: the first one is what calendars hold
            continue
        seen.add(uid)
        stamp = parse_stamp(raw.get("published"))
        out.append(_Published(raw, ident, activity_id(venue, fmt, start.date(), start.hour * 60 + start.minute),
                              start.date(), _strings(raw.get("staff")), _sequence(raw.get("sequence")),
                              stamp_text(stamp) if stamp else default_stamp, uid))
    return out


# --- one activity ---------------------------------------------------------------------------------------


def _changed(new: dict[str, Any], old: dict[str, Any]) -> bool:
    return any(new.get(k) != old.get(k) for k in EVENT_FIELDS)


def carry_over(new: dict[str, Any], p: _Published, *, moved: bool, now: str) -> dict[str, Any]:
    """The new activity under the previous one's id (and explicit UID, if it had one): SEQUENCE
    + 1 and stamped `now` if the event changed (or `moved`), else the previous version's
    SEQUENCE and stamp, so its event keeps its bytes. People it no longer has are `released`."""
    out = dict(new)
    out["id"] = p.id
    if p.id != new["id"]:
        out["planned_as"] = new.get("planned_as", new["id"])
    explicit = _valid_uid(p.raw.get("uid"))
    if explicit:
        out["uid"] = explicit
    changed = moved or _changed(new, p.raw)
    out["sequence"] = p.sequence + (1 if changed else 0)
    out["published"] = now if changed else p.published
    staff = set(_strings(new.get("staff")))
    released = (set(_strings(p.raw.get("released"))) | (set(p.staff) - staff)) - staff
    if released:
        out["released"] = sorted(released)
    else:
        out.pop("released", None)
    return out


# --- a version -------------------------------------------------------------------------------------------


@dataclass
class Publication:
    data: dict[str, Any]  # the new plan.json
    unchanged: int = 0
    changed: int = 0  # same UID, SEQUENCE + 1 (moved, re-staffed, re-themed, …)
    added: int = 0  # new UIDs
    revived: int = 0  # UIDs cancelled before, published again
    cancelled: int = 0  # withdrawn in this version
    renamed: int = 0  # withdrawn under an old UID and published under the station's (see the module)
    previous: bool = False  # whether there was a previous plan.json to compare with
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.previous:
            return f"first version: {self.added} events, SEQUENCE 0"
        parts = [f"{self.unchanged} unchanged", f"{self.changed} changed (SEQUENCE + 1)", f"{self.added} new",
                 f"{self.cancelled} cancelled"]
        if self.revived:
            parts.append(f"{self.revived} revived")
        if self.renamed:
            parts.append(f"{self.renamed} moved to station UIDs")
        return "calendar events: " + ", ".join(parts)


def _order(a: dict[str, Any]) -> tuple:
    return (str(a.get("start")), a.get("venue") or "", str(a.get("activity")), str(a.get("id")))


def publish(data: dict[str, Any], previous: dict[str, Any] | None, *, plan: Any, now: datetime | None = None,
            since: date | None = None) -> Publication:
    """The new version of plan.json `data` (fresh from `planjson.plan_json`: activities under
    the ids they would have afresh) published over `previous` (the plan.json it replaces, or
    None for a first version). `plan` is the station plan (model); `now` is the stamp of
    what changed (default: the clock). With `since` (replan), previous activities before that
    day that the new plan still has are kept exactly as they were."""
    domain = uid_domain(plan.station)
    tz = ZoneInfo(plan.station.timezone)
    first = first_stamp(plan.campaign.start)
    out = dict(data)
    out["uid_domain"] = domain
    new_activities = [a for a in data.get("activities", []) if isinstance(a, dict)]
    result = Publication(out)
    if not isinstance(previous, dict):
        out["activities"] = [{**a, "sequence": 0, "published": first} for a in new_activities]
        out["cancelled"] = []
        result.added = len(new_activities)
        return result
    result.previous = True
    stamp = stamp_text(now if now is not None else clock())
    prev_domain = valid_domain(previous.get("uid_domain"))

    def old_uid(raw: dict[str, Any]) -> str:  # the UID the previous version published it under
        explicit = _valid_uid(raw.get("uid"))
        if explicit:
            return explicit
        return f"{raw['id']}@{prev_domain}" if prev_domain else str(raw["id"])  # from before UIDs had a domain

    entries = _read(previous.get("activities"), tz, old_uid, _previous_stamp(previous, plan))
    live_before = {p.uid for p in entries}
    cancelled_before: dict[str, dict[str, Any]] = {}
    for c in _read(previous.get("cancelled"), tz, old_uid, _previous_stamp(previous, plan)):
        if c.uid not in live_before:  # listed as both: the live one is what calendars hold
            cancelled_before[c.uid] = {**c.raw, "uid": c.uid}

    frozen: dict[str, _Published] = {}  # replan: before `since`, kept as they were
    later: dict[str, _Published] = {}
    unmatched: list[_Published] = []  # a hand-edited duplicate of another's natural id
    p: _Published | None
    for p in entries:
        target = frozen if since is not None and p.day < since else later
        if p.natural in target:
            if target is later:
                unmatched.append(p)
            continue
        target[p.natural] = p

    pairs: list[tuple[dict[str, Any], _Published | None]] = []  # (new activity, the one it continues)
    fresh: list[dict[str, Any]] = []
    for a in new_activities:
        p = frozen.pop(a["id"], None)
        if p is not None:
            pairs.append((p.raw, p))
            continue
        p = later.pop(a["id"], None)
        if p is None:
            fresh.append(a)
        else:
            pairs.append((carry_over(a, p, moved=False, now=stamp), p))
    # what is left of the previous plan was moved (same venue and format) or cancelled
    gone = {p.uid: p for p in list(later.values()) + unmatched}
    for old, new in pair_moves([{**p.raw, "id": p.id, "_uid": p.uid} for p in gone.values()], fresh):
        p = gone.pop(old["_uid"])
        fresh.remove(new)
        pairs.append((carry_over(new, p, moved=True, now=stamp), p))
    used = {a["id"] for a, _ in pairs} | {p.id for p in gone.values()}
    for a in fresh:
        if a["id"] in used:  # an id an earlier version kept for an activity moved elsewhere
            n = 2
            while f"{a['id']}-{n}" in used:
                n += 1
            a = {**a, "planned_as": a["id"], "id": f"{a['id']}-{n}"}
        used.add(a["id"])
        pairs.append(({**a, "sequence": 0, "published": first}, None))

    activities: list[dict[str, Any]] = []
    cancelled: list[dict[str, Any]] = []
    for a, p in pairs:
        uid = event_uid(a, domain)
        withdrawn = cancelled_before.pop(uid, None)
        if withdrawn is not None:  # published again after being withdrawn: a newer version
            a = {**a, "sequence": max(_sequence(a.get("sequence")), _sequence(withdrawn.get("sequence")) + 1),
                 "published": stamp}
            result.revived += 1
        elif p is None:
            result.added += 1
        elif p.uid != uid:
            result.renamed += 1
        elif a is p.raw or a["sequence"] == p.sequence:
            result.unchanged += 1
        else:
            result.changed += 1
        if p is not None and p.uid != uid:  # withdrawn under the UID phones know it by
            cancelled.append(_withdrawal(p, stamp))
        activities.append(a)
    # what vanished, and (replan) what before the date the new plan no longer has: recorded
    # as not held, or no longer possible at all; calendars withdraw it
    for p in list(gone.values()) + list(frozen.values()):
        cancelled.append(_withdrawal(p, stamp))
        result.cancelled += 1
    cancelled += cancelled_before.values()
    live = {event_uid(a, domain) for a in activities}
    cancelled = [c for c in cancelled if c["uid"] not in live]  # never a UID both live and withdrawn
    activities.sort(key=_order)
    cancelled.sort(key=lambda c: (str(c.get("start")), str(c.get("id")), c["uid"]))
    out["activities"] = activities
    out["cancelled"] = cancelled
    return result


def _previous_stamp(previous: dict[str, Any], plan: Any) -> str:
    """DTSTAMP the previous version gave events without "published" (an older planner's
    plan.json): its "generated", else its campaign's first day, as `export.ics` did."""
    generated = parse_stamp(previous.get("generated"))
    if generated:
        return stamp_text(generated)
    campaign = previous.get("campaign")
    if isinstance(campaign, dict) and isinstance(campaign.get("start"), str):
        try:
            return first_stamp(date.fromisoformat(campaign["start"]))
        except ValueError:
            pass
    return first_stamp(plan.campaign.start)


def _withdrawal(p: _Published, now: str) -> dict[str, Any]:
    return {**p.raw, "uid": p.uid, "status": "cancelled", "sequence": p.sequence + 1, "published": now}
