"""What a station did: the filled 台账 (and single activities typed on the command line)
recorded in a SQLite database inside OUT, `OUT/records/records.sqlite`.

`planner record OUT` reads the ledger of `OUT/plan.xlsx` (or another copy, or a CSV export of
it, `--ledger FILE`) with `planner.export.ledger.read_ledger`, checks every cell a station
typed, and stores what it says in one transaction: either every row is recorded or, when any
cell is wrong, nothing is, and each wrong cell is named `FILE:SHEET!CELL: what is wrong`.

The database keeps
- `plan_versions`: every plan.json an import was made against, its SHA-256 and its text, so
  a record points at the version of the plan its activity was planned in;
- `imports`: when, from which file (its hash and its bytes: nothing a station typed is lost,
  even what no record holds), against which plan version, and what changed;
- `records`: one row per activity, planned or held without being planned (`extra`), with
  what the plan said of it (venue, format, day, time, staff) and what the ledger says
  (status, people reached, materials handed out, App installs, households, photos, notes);
- `changes`: every value an import set or changed, with the value it replaced and the cell
  it came from.

A blank cell never erases a recorded value (an older copy of the ledger cannot undo a newer
one); a changed value replaces the recorded one and the old value stays in `changes`.
Importing the same ledger again changes nothing and writes nothing.

OUT is replaced as a whole by `planner plan`, `replan` and `export`; `records/` is among the
entries they carry over (`planner.export.output.KEPT`), and every write here holds the same
lock those commands hold while they copy and swap OUT, so a record is never lost between
the copy and the swap. The database uses SQLite's rollback journal (not WAL), so the copy
is always the whole database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import unicodedata
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from planner import messages
from planner.errors import PlanError, Problem
from planner.export.ledger import (
    ENTRY_KEYS,
    NEUTRAL_KEYS,
    LedgerRead,
    LedgerRow,
    LedgerUnreadable,
    read_ledger,
    same_planned,
)
from planner.messages import _
from planner.planfile import PlanFile

__all__ = ["FOLDER", "DATABASE", "COUNTS", "MATERIALS", "TEXTS", "STATUSES", "RecordError", "Station", "Outcome",
           "Record", "Records", "open_station", "record_ledger", "record_activity", "load_records",
           "database_path", "parse_status", "extra_id", "locked"]

FOLDER = "records"  # inside OUT; carried over by every run that rewrites OUT
DATABASE = "records.sqlite"
SCHEMA = 1

#: The ledger's material columns (the contract's `targets.materials` keys), in column order.
MATERIALS = tuple(k for k in ENTRY_KEYS if k not in ("partners", "reached", "installs", "households", "photos",
                                                     "status", "notes"))
#: Whole-number columns.
COUNTS = ("reached", *MATERIALS, "installs", "households")
#: Text columns.
TEXTS = ("partners", "photos", "notes")
#: What the 开展情况 column may say, as stored.
STATUSES = ("held", "not_held", "rescheduled")
#: The contract's material keys, stored in their own columns; any other ledger entry key
#: (a material a later catalogue adds) is kept in the record's `other` JSON.
_MATERIAL_COLUMNS = ("leaflet", "booklet", "poster", "letter", "gift")
_COLUMNS = ("reached", *_MATERIAL_COLUMNS, "installs", "households", "partners", "photos", "notes", "status",
            "reason")
MAX_COUNT = 10_000_000  # people or copies one activity may record (the plan format's limit on counts)
#: The pre-filled columns that say which activity a row is: changing one makes it another activity.
IDENTITY = ("date", "venue", "format")

_STATUS_WORDS = {
    "held": ("已开展", "开展", "已完成", "完成", "已举办", "是", "held", "yes", "y", "done"),
    "not_held": ("未开展", "未完成", "没有开展", "取消", "已取消", "否", "not held", "no", "n", "cancelled",
                 "canceled"),
    "rescheduled": ("已改期", "改期", "延期", "rescheduled", "postponed", "moved"),
}

_SQL = """
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_versions (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,      -- of plan.json's bytes
  content TEXT NOT NULL,            -- plan.json as published
  first_recorded TEXT NOT NULL      -- when an import first stored it (UTC)
);
CREATE TABLE IF NOT EXISTS imports (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,                 -- UTC
  source TEXT NOT NULL,             -- the file as given, or "(command line)"
  kind TEXT NOT NULL,               -- xlsx | csv | command
  sha256 TEXT,                      -- of the file
  content BLOB,                     -- the file as imported, or the command's arguments (JSON)
  plan_version INTEGER NOT NULL REFERENCES plan_versions(id),
  added INTEGER NOT NULL,           -- records new with this import
  updated INTEGER NOT NULL,         -- records it changed
  summary TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  activity TEXT PRIMARY KEY,        -- plan.json's activity id; extra-… for one held but not planned
  extra INTEGER NOT NULL,           -- 1: held but not in the plan
  plan_version INTEGER REFERENCES plan_versions(id),   -- the version it was planned in
  venue TEXT,                       -- venue id (NULL: online)
  format TEXT,                      -- format id (NULL: not said)
  date TEXT NOT NULL,               -- YYYY-MM-DD, in the station's time zone
  start TEXT,                       -- HH:MM
  "end" TEXT,
  staff TEXT NOT NULL,              -- JSON list of staff ids
  key_date TEXT,
  theme TEXT,
  expected_reach INTEGER,
  status TEXT,                      -- held | not_held | rescheduled | NULL (not said)
  reason TEXT,                      -- why not held
  reached INTEGER, leaflet INTEGER, booklet INTEGER, poster INTEGER, letter INTEGER, gift INTEGER,
  installs INTEGER, households INTEGER,
  partners TEXT, photos TEXT, notes TEXT,
  other TEXT NOT NULL DEFAULT '{}', -- JSON: further ledger columns {key: value}
  edits TEXT NOT NULL DEFAULT '{}', -- JSON: pre-filled cells typed over {header: value}
  created_import INTEGER NOT NULL REFERENCES imports(id),
  updated_import INTEGER NOT NULL REFERENCES imports(id)
);
CREATE TABLE IF NOT EXISTS changes (
  id INTEGER PRIMARY KEY,
  import INTEGER NOT NULL REFERENCES imports(id),
  activity TEXT NOT NULL REFERENCES records(activity),
  field TEXT NOT NULL,
  old TEXT,                         -- JSON
  new TEXT,                         -- JSON
  source TEXT                       -- FILE:SHEET!CELL, or the option
);
CREATE INDEX IF NOT EXISTS records_date ON records(date);
CREATE INDEX IF NOT EXISTS changes_activity ON changes(activity);
"""


def _statements() -> list[str]:
    """The schema's statements, without their comments."""
    text = "\n".join(line.split("--", 1)[0] for line in _SQL.splitlines())
    return [s.strip() for s in text.split(";") if s.strip()]


class RecordError(Exception):
    """Bad input: one line per problem (`FILE:SHEET!CELL: what is wrong`); nothing was recorded."""

    def __init__(self, lines: list[str]):
        self.lines = list(dict.fromkeys(lines))
        super().__init__("\n".join(self.lines))


def database_path(out: Path | str) -> Path:
    return Path(out) / FOLDER / DATABASE


# --- the station: OUT's plan.json and the station plan it came from ------------------------------------


@dataclass
class Station:
    out: Path
    loaded: Any  # LoadedPlan
    plan_json: PlanFile
    sha256: str
    view: Any  # PlanView
    planned: dict[str, dict[str, Any]]  # activity id → the ledger's pre-filled values
    withdrawn: dict[str, dict[str, Any]]  # plan.json's cancelled: id → pre-filled values
    raw: dict[str, dict[str, Any]]  # id → plan.json's activity (activities, then cancelled)

    @property
    def plan(self):
        return self.loaded.plan

    @property
    def text(self) -> str:
        """plan.json as published (stored with the records it was made against)."""
        return self.plan_json.text

    @property
    def lang(self) -> str:
        return "zh" if self.plan.campaign.language == "zh" else "en"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.plan.station.timezone)

    def station_key(self) -> str:
        from planner.publish import uid_domain

        return str(self.plan_json.uid_domain or uid_domain(self.plan.station))


def open_station(out: Path | str, plan: Path | str | None = None) -> Station:
    """OUT's plan.json and the station plan it came from (`plan` overrides the one recorded),
    both checked; PlanError (FILE:LINE:COL lines) when either is missing or wrong."""
    from planner.export.source import check_plan_json, plan_path_for, read_plan_json
    from planner.export.view import build_view
    from planner.loader import load_plan

    out = Path(out)
    json_path = out / "plan.json"
    if not out.is_dir():
        raise PlanError([Problem(1, 1, _("(folder)"), _("no such folder; run `planner plan PLAN -o OUT` first"),
                                 str(out))])
    plan_json = read_plan_json(json_path)
    station_plan = Path(plan) if plan is not None else plan_path_for(json_path, plan_json)
    if station_plan is None:
        raise PlanError([Problem(1, 1, "source", _("the station plan it came from is not recorded or has moved; "
                                                   "pass it with --plan PLAN"), str(json_path))])
    loaded = load_plan(station_plan)
    check_plan_json(plan_json, loaded)
    view = build_view(loaded, plan_json.raw)
    book = _book(view)
    raw: dict[str, dict[str, Any]] = {}
    for a in plan_json.raw["activities"] + plan_json.raw.get("cancelled", []):
        raw.setdefault(a["id"], a)
    return Station(out, loaded, plan_json, hashlib.sha256(plan_json.text.encode("utf-8")).hexdigest(), view,
                   book.planned_values(view.activities), book.planned_values(view.cancelled), raw)


def _book(view):
    """The spreadsheet's builder, for what its ledger pre-fills (the one place that says it)."""
    from planner.export.xlsx import _Book

    return _Book(view)


# --- values as typed -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def _shown(value: Any) -> str:
    text = _text(value)
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


def parse_count(value: Any) -> tuple[int | None, str | None]:
    """(a whole number ≥ 0, None) or (None, what is wrong) for a count cell's value."""
    if isinstance(value, bool) or isinstance(value, (datetime, date, time, timedelta)):
        if isinstance(value, (datetime, date)):
            return None, _("must be a whole number, not a date ({value})").format(value=_shown(value))
        if isinstance(value, (time, timedelta)):
            return None, _("must be a whole number, not a time ({value})").format(value=_shown(value))
        return None, _("must be a whole number, not true/false ({value})").format(value=_shown(value))
    number: float | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, _("must be a whole number, not {value}").format(value=_shown(value))
        number = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
            text = text.replace(",", "")
        if re.fullmatch(r"[+-]?\d+", text):
            number = int(text)
        elif re.fullmatch(r"[+-]?\d*\.\d+", text):
            number = float(text)
        else:
            return None, _("must be a whole number, not {value}").format(value=_shown(value))
    if number < 0:
        return None, _("must not be negative ({value})").format(value=_text(value))
    if isinstance(number, float) and not number.is_integer():
        return None, _("must be a whole number, not {value}").format(value=_text(value))
    if number > MAX_COUNT:
        return None, _("is over {limit} ({value}): a typing mistake?").format(limit=f"{MAX_COUNT:,}",
                                                                               value=_text(value))
    return int(number), None


def _status_key(text: str) -> str:
    return re.sub(r"[\s_-]+", "", unicodedata.normalize("NFKC", text)).casefold()


_STATUS_LOOKUP = {_status_key(word): status for status, words in _STATUS_WORDS.items() for word in words}


def parse_status(value: Any) -> str | None:
    """held, not_held or rescheduled for what a 开展情况 cell says; None if it says none of them."""
    if not isinstance(value, str):
        return None
    return _STATUS_LOOKUP.get(_status_key(value))


def status_words(lang: str) -> str:
    from planner.export.xlsx import STATUS
    from planner.messages import for_language

    m = for_language(lang)
    return m._(", ").join(m._(s) for s in STATUS)


def parse_day(value: Any, campaign) -> date | None:
    """A day from a cell: a date, or text like 2026-07-03, 2026/7/3, 2026.7.3, 2026年7月3日, 7月3日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if m:
        year, month, day = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})\s*[月/]\s*(\d{1,2})\s*日?", text)
        if not m:
            return None
        month, day = (int(g) for g in m.groups())
        years = sorted({campaign.start.year, campaign.end.year})
        year = next((y for y in years if _valid(y, month, day) and campaign.start <= date(y, month, day)
                     <= campaign.end), years[0])
    return date(year, month, day) if _valid(year, month, day) else None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def parse_clock(value: Any) -> time | None:
    """A time of day from a cell: a time, a fraction of a day, or text like 9:00 or 09:30:00."""
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        minutes = round((value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 60)
        return time((minutes // 60) % 24, minutes % 60)
    if isinstance(value, timedelta):
        minutes = round(value.total_seconds() / 60) % (24 * 60)
        return time(minutes // 60, minutes % 60)
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60) % (24 * 60)
        return time(minutes // 60, minutes % 60)
    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"(\d{1,2})\s*[:：点]\s*(\d{2})?(?::\d{2})?\s*分?", unicodedata.normalize("NFKC", value).strip())
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _header(text: str) -> str:
    """A header as one line: 宣传单（份） and "People reached" (no space beside a CJK character)."""
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", " ".join(str(text).split()))


def _name_key(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


# --- one activity's record, as read -------------------------------------------------------------------


@dataclass
class Entry:
    """What one ledger row (or one command) says about one activity."""

    activity: str
    extra: bool
    values: dict[str, Any] = field(default_factory=dict)  # _COLUMNS and other entry keys → value
    where: dict[str, str] = field(default_factory=dict)  # key → FILE:SHEET!CELL or --option
    snapshot: dict[str, Any] = field(default_factory=dict)  # venue, format, date, start, end, staff, …
    version: str | None = None  # sha256 of the plan.json it was planned in (None: the current one)
    edits: dict[str, Any] = field(default_factory=dict)  # pre-filled header → value typed over it


def _snapshot(station: Station, raw: dict[str, Any]) -> dict[str, Any]:
    """What a record keeps of what the plan said of its activity."""
    tz = station.tz
    start = datetime.fromisoformat(raw["start"]).astimezone(tz)
    end = datetime.fromisoformat(raw["end"]).astimezone(tz)
    return {"venue": raw.get("venue"), "format": raw.get("activity"), "date": start.date().isoformat(),
            "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "staff": list(raw.get("staff") or []),
            "key_date": raw.get("key_date"), "theme": raw.get("theme"),
            "expected_reach": int(raw.get("reach") or 0)}


def extra_id(venue: str | None, fmt: str | None, day: date, start: time | None) -> str:
    """The id of an activity held but not planned: stable, so recording it again is the same record."""
    parts = ["extra", venue or "online", fmt or "activity", f"{day:%Y%m%d}"]
    if start is not None:
        parts.append(f"{start:%H%M}")
    return "-".join(parts)


class _Reader:
    """Turns ledger rows into entries, collecting every problem."""

    def __init__(self, station: Station, label: str, versions: "_Versions", other_language: bool) -> None:
        self.station = station
        self.label = label  # the file as the user named it
        self.versions = versions  # earlier plan versions: sha → {"planned": {id: values}, "raw": {id: activity}}
        self.other_language = other_language
        self.problems: list[str] = []
        self.entries: dict[str, Entry] = {}
        self.first_row: dict[str, LedgerRow] = {}
        plan = station.plan
        self.venues = {v.id: v for v in plan.venues}
        self.venue_names: dict[str, list[str]] = {}
        for v in plan.venues:
            self.venue_names.setdefault(_name_key(v.name), []).append(v.id)
        from planner.formats import resolve_formats

        self.formats = resolve_formats(plan)
        self.format_names: dict[str, str] = {}
        for fid, fmt in self.formats.items():
            for name in (fid, fmt.name("zh"), fmt.name("en")):
                self.format_names.setdefault(_name_key(name), fid)
        self.staff_names: dict[str, str] = {}
        for s in plan.staff:
            self.staff_names.setdefault(_name_key(s.id), s.id)
            self.staff_names.setdefault(_name_key(s.name), s.id)

    def bad(self, row: LedgerRow, key: str, what: str) -> None:
        header = _header(row.headers.get(key, key))
        self.problems.append(f"{self.label}:{row.where(key)}: {header} {what}")

    def where(self, row: LedgerRow, key: str) -> str:
        return f"{self.label}:{row.where(key)}"

    # values typed into the blank columns

    def values(self, row: LedgerRow) -> tuple[dict[str, Any], dict[str, str], bool]:
        """The row's typed entries, checked: (values, where, fine)."""
        values: dict[str, Any] = {}
        where: dict[str, str] = {}
        fine = True
        for key, value in row.entries.items():
            if key in COUNTS:
                number, problem = parse_count(value)
                if problem:
                    self.bad(row, key, problem)
                    fine = False
                    continue
                values[key] = number
            elif key == "status":
                status = parse_status(value)
                if status is None:
                    self.bad(row, key, _("must be one of {words}, not {value}").format(
                        words=status_words(messages.current()), value=_shown(value)))
                    fine = False
                    continue
                values[key] = status
            else:
                values[key] = _text(value)
            where[key] = self.where(row, key)
        if fine and values.get("status") == "not_held":
            for key in COUNTS:
                if values.get(key):
                    self.bad(row, key, _("is {n} but {status} says the activity was not held ({value})").format(
                        n=values[key], status=_header(row.headers.get("status", "status")),
                        value=_text(row.entries["status"])))
                    fine = False
            if values.get("notes"):
                values["reason"] = values["notes"]
                where["reason"] = where["notes"]
        return values, where, fine

    # rows of planned activities

    def refs(self, ident: str, everywhere: bool = False) -> list[tuple[str | None, dict[str, Any], dict[str, Any]]]:
        """(version sha or None for the current plan, pre-filled values, plan.json activity) of
        the current plan's activity, else (or, `everywhere`, also) of the earlier versions'."""
        station = self.station
        found: list[tuple[str | None, dict[str, Any], dict[str, Any]]] = []
        if ident in station.planned:
            found.append((None, station.planned[ident], station.raw[ident]))
        elif ident in station.withdrawn:
            found.append((None, station.withdrawn[ident], station.raw[ident]))
        if found and not everywhere:  # the current plan has it: no need to read older ones
            return found
        for sha, version in self.versions.items():
            if ident in version["planned"]:
                found.append((sha, version["planned"][ident], version["raw"][ident]))
        return found

    def planned_row(self, row: LedgerRow, ident: str) -> None:
        """`row`, whose id is `ident`, records a planned activity (or one planned earlier)."""
        refs = self.refs(ident)
        if not refs:
            if row.cancelled:  # a row the planner itself kept on the cancelled sheet: it says what it was
                self.extra_row(row, ident=ident)
                return
            self.bad(row, "id", _("{id} is not an activity of {file} (nor of a plan version recorded earlier)").format(
                id=_shown(row.id), file=self.station.out / "plan.json"))
            return
        keys = [k for k in IDENTITY if not self.other_language or k in NEUTRAL_KEYS]

        def matching(found):
            return next((ref for ref in found if all(k not in row.planned
                                                     or same_planned(k, row.planned[k], ref[1].get(k)) for k in keys)),
                        None)

        match = matching(refs)
        if match is None:  # an older copy of the ledger, from a version where the activity was elsewhere?
            match = matching(self.refs(ident, everywhere=True))
        if match is None:
            version, planned, _raw = refs[0]
            key = next(k for k in keys if k in row.planned and not same_planned(k, row.planned[k], planned.get(k)))
            self.bad(row, key, _("says {value} but activity {id} is {planned}: the row was edited into another "
                                 "activity; put what was done on the activity's own row, or on a new row without an "
                                 "id").format(value=_shown(row.planned[key]), id=row.id,
                                              planned=_shown(planned.get(key))))
            return
        version, planned, raw = match
        values, where, fine = self.values(row)
        if not fine or not values:
            return
        edits = {row.headers.get(k, k): _text(v) for k, v in row.planned.items()
                 if k not in IDENTITY and k in planned and not same_planned(k, v, planned.get(k))
                 and not (self.other_language and k not in NEUTRAL_KEYS)}
        self.add(row, Entry(ident, False, values, where, _snapshot(self.station, raw), version, edits))

    def add(self, row: LedgerRow, entry: Entry) -> None:
        earlier = self.entries.get(entry.activity)
        if earlier is None:
            self.entries[entry.activity] = entry
            self.first_row[entry.activity] = row
            return
        first = self.first_row[entry.activity]
        for key, value in entry.values.items():
            if key in earlier.values and earlier.values[key] != value:
                if key == "reason":
                    continue  # follows notes, which says so
                self.bad(row, key, _("is {value} but the same activity's row {cell} says {earlier}").format(
                    value=_shown(value), cell=f"{first.sheet}!{first.cells.get(key, f'A{first.row}')}",
                    earlier=_shown(earlier.values[key])))
            else:
                earlier.values.setdefault(key, value)
                earlier.where.setdefault(key, entry.where.get(key, ""))
        for header, value in entry.edits.items():
            earlier.edits.setdefault(header, value)

    # rows of activities not in the plan

    def extra_row(self, row: LedgerRow, ident: str | None = None) -> None:
        station = self.station
        campaign = station.plan.campaign
        planned = row.planned
        fine = True
        venue_id = None
        if "venue" not in planned:
            self.bad(row, "venue" if "venue" in row.cells else "id",
                     _("is blank: a row without an activity id records an activity not in the plan and needs "
                       "its venue (name or id) and date"))
            fine = False
        else:
            venue_id = self.venue(row, planned["venue"])
            fine &= venue_id is not False
        day = None
        if "date" not in planned:
            if "venue" in planned:
                self.bad(row, "venue", _("has no date beside it: an activity not in the plan needs its date"))
            fine = False
        else:
            day = parse_day(planned["date"], campaign)
            if day is None:
                self.bad(row, "date", _("must be a date like 2026-07-03, not {value}").format(
                    value=_shown(planned["date"])))
                fine = False
            elif not campaign.start <= day <= campaign.end:
                self.bad(row, "date", _("{date} is outside the campaign {start}..{end}").format(
                    date=day, start=campaign.start, end=campaign.end))
                fine = False
        fmt = None
        if "format" in planned:
            fmt = self.format_names.get(_name_key(planned["format"]))
            if fmt is None:
                self.bad(row, "format", _("{value} is not a format of the plan ({formats})").format(
                    value=_shown(planned["format"]), formats=_(", ").join(self.formats)))
                fine = False
        times: dict[str, time | None] = {}
        for key in ("start", "end"):
            times[key] = None
            if key in planned:
                times[key] = parse_clock(planned[key])
                if times[key] is None:
                    self.bad(row, key, _("must be a time like 09:00, not {value}").format(value=_shown(planned[key])))
                    fine = False
        if times["start"] and times["end"] and times["end"] <= times["start"]:
            self.bad(row, "end", _("{end} is not after the start {start}").format(
                end=f"{times['end']:%H:%M}", start=f"{times['start']:%H:%M}"))
            fine = False
        staff, unknown = self.people(planned.get("staff"))
        values, where, good = self.values(row)
        if not (fine and good) or not values:
            return
        edits = {row.headers.get(k, k): _text(v) for k, v in planned.items()
                 if k in ("theme", "key_date", "audience", "kind", "expected_reach", "weekday")}
        if unknown:
            edits[row.headers.get("staff", "staff")] = _text(planned["staff"])
        # fine: the venue and the date were read (a False venue_id and a None day said what was wrong)
        assert day is not None and not isinstance(venue_id, bool)
        snapshot = {"venue": venue_id, "format": fmt, "date": day.isoformat(),
                    "start": f"{times['start']:%H:%M}" if times["start"] else None,
                    "end": f"{times['end']:%H:%M}" if times["end"] else None, "staff": staff,
                    "key_date": None, "theme": None, "expected_reach": None}
        ident = ident or extra_id(venue_id, fmt, day, times["start"])
        self.add(row, Entry(ident, True, values, where, snapshot, None, edits))

    def venue(self, row: LedgerRow, value: Any) -> str | None | bool:
        """The venue id a cell names (None: online), or False after saying what is wrong."""
        from planner.export.view import ONLINE

        text = _text(value)
        if _name_key(text) in {_name_key(w) for w in ONLINE.values()}:
            return None
        if text in self.venues:
            return text
        ids = self.venue_names.get(_name_key(text), [])
        if len(ids) == 1:
            return ids[0]
        if ids:
            self.bad(row, "venue", _("{value} names several venues ({ids}): write the venue id").format(
                value=_shown(value), ids=_(", ").join(ids)))
        else:
            self.bad(row, "venue", _("{value} is not a venue of {file} (its name or id)").format(
                value=_shown(value), file=self.station.loaded.file))
        return False

    def people(self, value: Any) -> tuple[list[str], list[str]]:
        if value is None:
            return [], []
        found: list[str] = []
        unknown: list[str] = []
        for part in re.split(r"[、,，;；/\s]+", _text(value)):
            if not part:
                continue
            ident = self.staff_names.get(_name_key(part))
            (found if ident else unknown).append(ident or part)
        return list(dict.fromkeys(found)), unknown


# --- reading the file -------------------------------------------------------------------------------------


_LOCKS = ("~${name}", "~${short}", ".~lock.{name}#")  # Excel and WPS (long names lose 2 letters); LibreOffice


def _read_file(path: Path, label: str) -> tuple[bytes, str]:
    """The file's bytes and kind (xlsx or csv); RecordError saying why it cannot be used."""
    def fail(what: str) -> RecordError:
        return RecordError([f"{label}: {what}"])

    for pattern in _LOCKS:
        lock = path.with_name(pattern.format(name=path.name, short=path.name[2:]))
        if lock.exists():
            raise fail(_("is open in a spreadsheet (its lock file {lock} is beside it): save it, close it and "
                         "record again (delete the lock file if no spreadsheet has it open)").format(lock=lock.name))
    try:
        if path.is_dir():
            raise fail(_("is a folder, not a ledger"))
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail(_("no such file; run `planner plan` first") if path.name == "plan.xlsx" else _("no such file")) \
            from None
    except PermissionError:
        raise fail(_("cannot be read (permission denied)")) from None
    except OSError as e:
        raise fail(_("cannot be read: {reason}").format(reason=e.strerror or e)) from None
    if raw.startswith(b"PK\x03\x04"):
        return raw, "xlsx"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail(_("is a password-protected workbook or an old .xls: save it as .xlsx (Excel workbook) without a "
                     "password, or export the 台账 sheet as CSV"))
    if not raw.strip():
        raise fail(_("is empty"))
    if path.suffix.lower() in (".xlsx", ".xlsm") or b"\x00" in raw[:4096]:
        raise fail(_("is not an .xlsx workbook (it may be damaged, or still being copied)"))
    return raw, "csv"


def _decode(raw: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_value(text: str) -> Any:
    """A CSV field as the spreadsheet showed it: numbers, dates and times typed again."""
    if not text.strip():
        return None
    value = text.strip()
    plain = unicodedata.normalize("NFKC", value)
    if re.fullmatch(r"[+-]?\d+", plain):
        return int(plain)
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", plain):
        return int(plain.replace(",", ""))
    if re.fullmatch(r"[+-]?\d*\.\d+", plain):
        return float(plain)
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+0{1,2}:00(?::00)?)?", plain)
    if m and _valid(*(int(g) for g in m.groups())):
        return date(*(int(g) for g in m.groups()))
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", plain)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return time(int(m.group(1)), int(m.group(2)))
    return text


def _csv_workbook(raw: bytes, path: Path, label: str) -> bytes:
    """A CSV export of the ledger (UTF-8 with or without BOM, or GB18030 as Chinese Excel
    saves it) as a one-sheet workbook named like the file, as a spreadsheet opens it."""
    from openpyxl import Workbook

    from planner.export.xlsx import put, sheet_title

    text = _decode(raw)
    if text is None:
        raise RecordError([f"{label}: " + _("is neither an .xlsx workbook nor CSV text (UTF-8 or GB18030)")])
    sample = text[:8192]
    delimiter = max((",", "\t", ";"), key=lambda d: sample.split("\n", 1)[0].count(d))
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(path.stem, fallback="Sheet1")
    try:
        for r, fields in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            for c, value in enumerate(fields, 1):
                put(sheet.cell(r, c), _csv_value(value))
    except csv.Error as e:
        raise RecordError([f"{label}: " + _("not readable as CSV: {reason}").format(reason=e)]) from None
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _read(path: Path, label: str) -> tuple[LedgerRead, bytes, str]:
    raw, kind = _read_file(path, label)
    workbook = raw if kind == "xlsx" else _csv_workbook(raw, path, label)
    try:
        read = read_ledger(workbook)
    except LedgerUnreadable as e:
        raise RecordError([f"{label}: " + _("cannot be read as a workbook ({reason}); it may be damaged: save it "
                                            "again from the spreadsheet, or export the 台账 sheet as CSV").format(
            reason=e)]) from None
    if not read.found:
        raise RecordError([f"{label}: " + _("has no 台账 (ledger) sheet with the planner's columns (实际覆盖人数, "
                                            "开展情况, 活动编号 …): this is not a plan.xlsx written by `planner plan`, "
                                            "nor a CSV export of its 台账")])
    return read, raw, kind


# --- the database ------------------------------------------------------------------------------------------


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold OUT as `planner plan`, `replan` and `export` do from copying OUT's kept entries to
    swapping the new OUT in (`planner.export.output`'s lock, `.OUT.lock` beside it): a record
    written meanwhile would be lost with the folder being replaced, and a report likewise."""
    from planner.export.output import _absolute, _turn

    out = _absolute(out)
    if not out.is_dir():  # nothing to protect (and no lock file left beside a mistyped name)
        yield
        return
    with _turn(out):
        yield


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=DELETE")  # the whole database in one file between writes
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _check_database(db: sqlite3.Connection, path: Path, station: Station) -> None:
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    schema = int(meta.get("schema", SCHEMA))
    if schema > SCHEMA:
        raise RecordError([f"{path}: " + _("was written by a newer planner (schema {schema}); update the "
                                           "planner").format(schema=schema)])
    key = meta.get("station")
    # the same station: the same calendar UID domain, or the same name (setting station.id later
    # changes the domain, renaming the station changes the name, not both at once)
    if key is not None and key != station.station_key() and meta.get("station_name") != station.plan.station.name:
        raise RecordError([f"{path}: " + _("holds the records of another station ({other}), not of {station}; "
                                           "record into that station's OUT").format(
            other=meta.get("station_name", key), station=station.plan.station.name)])


class _Versions:
    """Earlier plan versions stored in the database, with what their ledger pre-filled: read
    only when a row names an activity the current plan.json does not have."""

    def __init__(self, station: Station, stored: list[tuple[str, str]]) -> None:
        self.station = station
        self.stored = stored  # (sha256, plan.json text), newest first
        self.loaded: dict[str, dict[str, Any]] | None = None

    def items(self):
        if self.loaded is None:
            from planner.export.view import build_view

            self.loaded = {}
            for sha, content in self.stored:
                try:
                    data = json.loads(content)
                    view = build_view(self.station.loaded, data)
                    book = _book(view)
                    planned = {**book.planned_values(view.cancelled), **book.planned_values(view.activities)}
                    raw = {a["id"]: a for a in data.get("cancelled", []) + data.get("activities", [])}
                except Exception:  # a version this station plan can no longer show: its records stay as they are
                    continue
                self.loaded[sha] = {"planned": planned, "raw": raw}
        return self.loaded.items()


def _versions(db: sqlite3.Connection, station: Station) -> _Versions:
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'plan_versions'").fetchone():
        return _Versions(station, [])
    return _Versions(station, db.execute("SELECT sha256, content FROM plan_versions WHERE sha256 != ? "
                                         "ORDER BY id DESC", (station.sha256,)).fetchall())


@dataclass
class Outcome:
    """What an import did."""

    added: int = 0
    updated: int = 0
    values: int = 0  # values set or changed
    kept: int = 0  # recorded values the import left blank (kept)
    import_id: int | None = None
    activities: int = 0  # activities the import had entries for
    edits: int = 0  # pre-filled cells typed over (kept with their record)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    def summary(self, lang: str, database: Path) -> str:
        m = messages.for_language(lang)
        if not self.activities:
            return m._("no changes: nothing to record, the ledger's columns to fill in (people reached, held? …) "
                       "are blank")
        if not self.changed:
            return m._("no changes: the entries of {n} activities are already recorded in {database}").format(
                n=self.activities, database=database)
        text = m._n("recorded in {database} (import {import_id}): {added} new, {updated} updated activity, "
                    "{values} values",
                    "recorded in {database} (import {import_id}): {added} new, {updated} updated activities, "
                    "{values} values", self.updated).format(
            database=database, import_id=self.import_id, added=self.added, updated=self.updated, values=self.values)
        if self.kept:
            text += m._("; {n} recorded values left blank this time were kept").format(n=self.kept)
        if self.edits:
            text += m._("; {n} pre-filled cells typed over were kept with their records").format(n=self.edits)
        return text

def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _store(station: Station, entries: list[Entry], *, source: str, kind: str, sha: str | None,
           content: bytes | None, now: datetime | None, db: sqlite3.Connection, path: Path) -> Outcome:
    """Write the entries in one transaction (the caller holds OUT's lock); nothing when nothing changes."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    outcome = Outcome(activities=len(entries))
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements():
            db.execute(statement)
        _check_database(db, path, station)
        cursor = db.execute("INSERT INTO plan_versions (sha256, content, first_recorded) VALUES (?, ?, ?) "
                            "ON CONFLICT(sha256) DO NOTHING", (station.sha256, station.text, now.isoformat()))
        current = db.execute("SELECT id FROM plan_versions WHERE sha256 = ?", (station.sha256,)).fetchone()[0]
        cursor = db.execute("INSERT INTO imports (at, source, kind, sha256, content, plan_version, added, updated, "
                            "summary) VALUES (?, ?, ?, ?, ?, ?, 0, 0, '')",
                            (now.isoformat(), source, kind, sha, content, current))
        import_id = cursor.lastrowid
        assert import_id is not None  # the INSERT above made the row
        outcome.import_id = import_id
        version_ids: dict[str | None, int] = {None: current}
        for entry in entries:
            version = None
            if not entry.extra:
                if entry.version not in version_ids:
                    row = db.execute("SELECT id FROM plan_versions WHERE sha256 = ?", (entry.version,)).fetchone()
                    version_ids[entry.version] = row[0]
                version = version_ids[entry.version]
            _store_entry(db, entry, import_id, version, outcome)
        if not outcome.changed:
            db.execute("ROLLBACK")
            outcome.import_id = None
            return outcome
        db.execute("UPDATE imports SET added = ?, updated = ?, summary = ? WHERE id = ?",
                   (outcome.added, outcome.updated, outcome.summary("en", path), import_id))
        db.execute("INSERT INTO meta (key, value) VALUES ('schema', ?), ('station', ?), ('station_name', ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                   (str(SCHEMA), station.station_key(), station.plan.station.name))
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return outcome


def _store_entry(db: sqlite3.Connection, entry: Entry, import_id: int, version: int | None,
                 outcome: Outcome) -> None:
    db.row_factory = sqlite3.Row
    try:
        old = db.execute("SELECT * FROM records WHERE activity = ?", (entry.activity,)).fetchone()
    finally:
        db.row_factory = None
    given = {k: v for k, v in entry.values.items() if k in _COLUMNS}
    other_given = {k: v for k, v in entry.values.items() if k not in _COLUMNS}
    if old is None:
        snap = entry.snapshot
        columns = ["activity", "extra", "plan_version", "venue", "format", "date", "start", '"end"', "staff",
                   "key_date", "theme", "expected_reach", *given, "other", "edits", "created_import",
                   "updated_import"]
        values = [entry.activity, int(entry.extra), version, snap.get("venue"), snap.get("format"), snap["date"],
                  snap.get("start"), snap.get("end"), _json(snap.get("staff") or []), snap.get("key_date"),
                  snap.get("theme"), snap.get("expected_reach"), *given.values(), _json(other_given),
                  _json(entry.edits), import_id, import_id]
        db.execute(f"INSERT INTO records ({', '.join(columns)}) VALUES ({', '.join('?' * len(values))})", values)
        for key, value in entry.values.items():
            _change(db, import_id, entry.activity, key, None, value, entry.where.get(key))
        for header, value in entry.edits.items():
            _change(db, import_id, entry.activity, f"edit:{header}", None, value, None)
        outcome.added += 1
        outcome.values += len(entry.values)
        outcome.edits += len(entry.edits)
        return
    sets: dict[str, Any] = {}
    changed = 0
    for key, value in given.items():
        if old[key] != value:
            sets[key] = value
            _change(db, import_id, entry.activity, key, old[key], value, entry.where.get(key))
            changed += 1
    other = json.loads(old["other"] or "{}")
    for key, value in other_given.items():
        if other.get(key) != value:
            _change(db, import_id, entry.activity, key, other.get(key), value, entry.where.get(key))
            other[key] = value
            sets["other"] = _json(other)
            changed += 1
    edits = json.loads(old["edits"] or "{}")
    for header, value in entry.edits.items():
        if edits.get(header) != value:
            _change(db, import_id, entry.activity, f"edit:{header}", edits.get(header), value, None)
            edits[header] = value
            sets["edits"] = _json(edits)
            outcome.edits += 1
            changed += 1
    outcome.kept += sum(1 for key in _COLUMNS if old[key] is not None and key not in given and key != "reason")
    if not sets:
        return
    sets["updated_import"] = import_id
    if version is not None:
        sets["plan_version"] = version
    assignments = ", ".join(f'"{k}" = ?' for k in sets)
    db.execute(f"UPDATE records SET {assignments} WHERE activity = ?", (*sets.values(), entry.activity))
    outcome.updated += 1
    outcome.values += changed


def _change(db: sqlite3.Connection, import_id: int, activity: str, key: str, old: Any, new: Any,
            where: str | None) -> None:
    db.execute("INSERT INTO changes (import, activity, field, old, new, source) VALUES (?, ?, ?, ?, ?, ?)",
               (import_id, activity, key, None if old is None else _json(old), _json(new), where))


@contextmanager
def _database(out: Path, *, create: bool = True) -> Iterator[tuple[sqlite3.Connection | None, Path]]:
    """OUT's database; with `create` False, None when there is none yet (nothing is made)."""
    path = database_path(out)
    if not create and not path.is_file():
        yield None, path
        return
    path.parent.mkdir(exist_ok=True)
    db = _connect(path)
    try:
        yield db, path
    finally:
        db.close()


# --- the two ways in ------------------------------------------------------------------------------------


def record_ledger(out: Path | str, ledger: Path | str | None = None, *, plan: Path | str | None = None,
                  now: datetime | None = None, label: str | None = None) -> tuple[Outcome, Station]:
    """Import the filled 台账 of `ledger` (default OUT/plan.xlsx; xlsx or csv) into OUT's database.

    RecordError lists every bad cell (nothing is recorded then); PlanError when OUT's
    plan.json or its station plan cannot be used."""
    out = Path(out)
    path = Path(ledger) if ledger is not None else out / "plan.xlsx"
    label = label or str(path)
    with locked(out), ExitStack() as speaking:  # what is wrong, in the station plan's language
        station = open_station(out, plan)
        speaking.enter_context(messages.using(messages.chosen(station.plan.campaign.language)))
        read, raw, kind = _read(path, label)
        if not any(r.entries for r in read.rows):
            return Outcome(), station
        reader = _Reader(station, label, _earlier(out, station),
                         other_language=read.language not in (None, station.lang))
        rows = [r for r in read.rows if r.entries]
        known = [r for r in rows if r.id is not None and (r.cancelled or reader.refs(r.id))]
        with_id = [r for r in rows if r.id is not None]
        if with_id and not known:
            ids = {r.id for r in read.rows if r.id is not None}
            raise RecordError([f"{label}:{with_id[0].where('id')}: " + _(
                "none of the ledger's {n} activity ids is in {file}: this is the ledger of another plan").format(
                n=len(ids), file=out / "plan.json")])
        for row in rows:
            if row.id is None:
                reader.extra_row(row)
            else:
                reader.planned_row(row, row.id)
        if reader.problems:
            raise RecordError(_sorted(reader.problems))
        with _database(out) as (db, db_path):
            assert db is not None  # create=True: the database is made when missing
            outcome = _store(station, list(reader.entries.values()), source=label, kind=kind,
                             sha=hashlib.sha256(raw).hexdigest(), content=raw, now=now, db=db, path=db_path)
    return outcome, station


def _earlier(out: Path, station: Station) -> _Versions:
    """The plan versions recorded earlier (none before the first import), after checking that
    the database is this station's."""
    with _database(out, create=False) as (db, path):
        if db is None:
            return _Versions(station, [])
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
            _check_database(db, path, station)
        return _versions(db, station)


def _sorted(lines: list[str]) -> list[str]:
    """Problems in sheet order: by sheet, then row, then column."""
    def key(line: str) -> tuple:
        m = re.search(r":([^:!]*)!([A-Z]+)(\d+):", line)
        if not m:
            return ("", 0, 0, line)
        col = 0
        for ch in m.group(2):
            col = col * 26 + ord(ch) - 64
        return (m.group(1), int(m.group(3)), col, line)

    return sorted(dict.fromkeys(lines), key=key)


def record_activity(out: Path | str, *, activity: str | None = None, extra: bool = False,
                    venue: str | None = None, fmt: str | None = None, day: str | None = None,
                    start: str | None = None, end: str | None = None, staff: str | None = None,
                    held: bool | None = None, reason: str | None = None, counts: dict[str, int | None] | None = None,
                    texts: dict[str, str | None] | None = None, plan: Path | str | None = None,
                    now: datetime | None = None) -> tuple[Outcome, Station]:
    """Record one activity from the command line: a planned one (`activity`) or, with `extra`,
    one held at `venue` on `day` that the plan did not have. RecordError names each bad option."""
    out = Path(out)
    counts = {k: v for k, v in (counts or {}).items() if v is not None}
    texts = {k: v for k, v in (texts or {}).items() if v is not None and v.strip()}
    label = _("(command line)")  # in messages; the database keeps "(command line)" as the source
    problems: list[str] = []

    def bad(option: str, what: str) -> None:
        problems.append(f"{label}: {option}: {what}")

    for key, value in counts.items():
        number, problem = parse_count(value)
        if problem:
            bad(f"--{_OPTION.get(key, key)}", problem)
    if held is False and any(counts.values()):
        key = next(k for k, v in counts.items() if v)
        bad(f"--{_OPTION.get(key, key)}", _("is {n} but --not-held says the activity was not held").format(
            n=counts[key]))
    if reason and held is not False:
        bad("--reason", _("goes with --not-held (why the activity was not held)"))
    if extra and activity:
        bad("--activity", _("give either --activity ID (a planned activity) or --extra --venue ID --date DATE"))
    if not extra and not activity:
        bad("--activity", _("give --activity ID, or --extra --venue ID --date DATE for an activity not in the plan"))
    if not extra and any(v is not None for v in (venue, fmt, day, start, end, staff)):
        bad("--extra", _("--venue, --format, --date, --start, --end and --staff describe an activity not in the "
                         "plan: add --extra"))
    if not (counts or texts or held is not None):
        bad("--held", _("nothing to record: give --held or --not-held, or a figure such as --reach"))
    with locked(out), ExitStack() as speaking:  # what is wrong, in the station plan's language
        station = open_station(out, plan)
        speaking.enter_context(messages.using(messages.chosen(station.plan.campaign.language)))
        values: dict[str, Any] = dict(counts)
        values.update(texts)
        if held is not None:
            values["status"] = "held" if held else "not_held"
        if reason:
            values["reason"] = " ".join(reason.split())
        where = {k: f"--{_OPTION.get(k, k)}" for k in values}
        entry = None
        earlier = _earlier(out, station)
        if activity and not extra:
            refs = _Reader(station, label, earlier, other_language=False).refs(activity)
            if not refs:
                bad("--activity", _("{id} is not an activity of {file} (see the 活动编号 column of the ledger, "
                                    "or plan.json)").format(id=repr(activity), file=out / "plan.json"))
            else:
                version, _planned, raw = refs[0]
                entry = Entry(activity, False, values, where, _snapshot(station, raw), version)
        elif extra:
            entry = _extra_entry(station, venue, fmt, day, start, end, staff, values, where, bad)
        if problems:
            raise RecordError(problems)
        # no problems: --activity named a planned activity, or --extra described a good one
        assert entry is not None
        arguments = {"activity": activity, "extra": extra, "venue": venue, "format": fmt, "date": day,
                     "start": start, "end": end, "staff": staff, **values}
        content = _json({k: v for k, v in arguments.items() if v not in (None, False)}).encode("utf-8")
        with _database(out) as (db, db_path):
            assert db is not None  # create=True: the database is made when missing
            outcome = _store(station, [entry], source="(command line)", kind="command", sha=None, content=content,
                             now=now, db=db, path=db_path)
    return outcome, station


_OPTION = {"reached": "reach", "leaflet": "leaflets", "booklet": "booklets", "poster": "posters",
           "letter": "letters", "gift": "gifts", "installs": "installs", "households": "households",
           "partners": "partners", "photos": "photos", "notes": "notes", "status": "held", "reason": "reason"}


def _extra_entry(station: Station, venue: str | None, fmt: str | None, day: str | None, start: str | None,
                 end: str | None, staff: str | None, values: dict[str, Any], where: dict[str, str],
                 bad) -> Entry | None:
    from planner.formats import resolve_formats

    plan = station.plan
    campaign = plan.campaign
    fine = True
    venue_id = None
    venues = {v.id for v in plan.venues}
    if venue is None:
        bad("--venue", _("--extra needs --venue ID (the venue it was held at)"))
        fine = False
    elif venue not in venues:
        bad("--venue", _("{venue} is not a venue id of {file}").format(venue=repr(venue), file=station.loaded.file))
        fine = False
    else:
        venue_id = venue
    formats = resolve_formats(plan)
    if fmt is not None and fmt not in formats:
        bad("--format", _("{value} is not a format of the plan ({formats})").format(
            value=repr(fmt), formats=_(", ").join(formats)))
        fine = False
    the_day = None
    if day is None:
        bad("--date", _("--extra needs --date DATE (the day it was held)"))
        fine = False
    else:
        try:
            the_day = date.fromisoformat(day)
        except ValueError:
            bad("--date", _("{value} is not a date like 2026-07-03").format(value=repr(day)))
            fine = False
        else:
            if not campaign.start <= the_day <= campaign.end:
                bad("--date", _("{date} is outside the campaign {start}..{end}").format(
                    date=the_day, start=campaign.start, end=campaign.end))
                fine = False
    clocks: dict[str, time | None] = {}
    for option, text in (("--start", start), ("--end", end)):
        clocks[option] = None
        if text is not None:
            clocks[option] = parse_clock(text)
            if clocks[option] is None:
                bad(option, _("{value} is not a time like 09:00").format(value=repr(text)))
                fine = False
    if clocks["--start"] and clocks["--end"] and clocks["--end"] <= clocks["--start"]:
        bad("--end", _("{end} is not after --start {start}").format(end=end, start=start))
        fine = False
    people: list[str] = []
    if staff:
        known = {s.id for s in plan.staff}
        for person in [p for p in re.split(r"[,\s]+", staff) if p]:
            if person not in known:
                bad("--staff", _("{person} is not a staff id of {file}").format(person=repr(person),
                                                                              file=station.loaded.file))
                fine = False
            people.append(person)
    if not fine:
        return None
    assert the_day is not None  # fine: --date was read
    snapshot = {"venue": venue_id, "format": fmt, "date": the_day.isoformat(),
                "start": f"{clocks['--start']:%H:%M}" if clocks["--start"] else None,
                "end": f"{clocks['--end']:%H:%M}" if clocks["--end"] else None,
                "staff": list(dict.fromkeys(people)), "key_date": None, "theme": None, "expected_reach": None}
    return Entry(extra_id(venue_id, fmt, the_day, clocks["--start"]), True, values, where, snapshot)


# --- reading the records back -----------------------------------------------------------------------------


@dataclass
class Record:
    activity: str
    extra: bool
    plan_version: int | None
    venue: str | None
    format: str | None
    date: date
    start: str | None
    end: str | None
    staff: list[str]
    key_date: str | None
    theme: str | None
    expected_reach: int | None
    status: str | None
    reason: str | None
    counts: dict[str, int]  # COUNTS → value, only those recorded
    partners: str | None
    photos: str | None
    notes: str | None
    other: dict[str, Any]
    edits: dict[str, Any]

    @property
    def outcome(self) -> str | None:
        """held, not_held or rescheduled as the ledger said; held when it said nothing but
        has figures (people reached, materials, photos); None when it says neither."""
        if self.status:
            return self.status
        if any(self.counts.values()) or self.photos:
            return "held"
        return None

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)

    def photo_count(self) -> int:
        """Photos as a number: the number typed, else the file names listed."""
        if not self.photos:
            return 0
        text = self.photos.strip()
        if re.fullmatch(r"\d+", text):
            return int(text)
        return len([p for p in re.split(r"[、,，;；\s]+", text) if p])


@dataclass
class ImportInfo:
    id: int
    at: str
    source: str
    kind: str
    added: int
    updated: int


@dataclass
class Records:
    records: list[Record] = field(default_factory=list)
    versions: dict[int, str] = field(default_factory=dict)  # id → sha256
    imports: list[ImportInfo] = field(default_factory=list)

    def by_activity(self) -> dict[str, Record]:
        return {r.activity: r for r in self.records}

    def version_content(self, out: Path, version: int) -> dict[str, Any] | None:
        path = database_path(out)
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT content FROM plan_versions WHERE id = ?", (version,)).fetchone()
        finally:
            db.close()
        return json.loads(row[0]) if row else None


def load_records(out: Path | str) -> Records:
    """Every record in OUT's database (none when nothing has been recorded yet)."""
    path = database_path(out)
    found = Records()
    if not path.is_file():
        return found
    db = sqlite3.connect(path, timeout=30)
    db.row_factory = sqlite3.Row
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'records'").fetchone():
            return found
        for row in db.execute("SELECT * FROM records ORDER BY date, start, activity"):
            found.records.append(Record(
                activity=row["activity"], extra=bool(row["extra"]), plan_version=row["plan_version"],
                venue=row["venue"], format=row["format"], date=date.fromisoformat(row["date"]), start=row["start"],
                end=row["end"], staff=json.loads(row["staff"] or "[]"), key_date=row["key_date"], theme=row["theme"],
                expected_reach=row["expected_reach"], status=row["status"], reason=row["reason"],
                counts={k: row[k] for k in COUNTS if k in row.keys() and row[k] is not None}
                | {k: v for k, v in json.loads(row["other"] or "{}").items() if k in COUNTS and isinstance(v, int)},
                partners=row["partners"], photos=row["photos"], notes=row["notes"],
                other=json.loads(row["other"] or "{}"), edits=json.loads(row["edits"] or "{}")))
        found.versions = {r["id"]: r["sha256"] for r in db.execute("SELECT id, sha256 FROM plan_versions")}
        found.imports = [ImportInfo(r["id"], r["at"], r["source"], r["kind"], r["added"], r["updated"])
                         for r in db.execute("SELECT * FROM imports ORDER BY id")]
    except sqlite3.DatabaseError as e:
        raise RecordError([f"{path}: " + _("cannot be read ({reason}); it is kept as it is").format(reason=e)]) \
            from None
    finally:
        db.close()
    return found

