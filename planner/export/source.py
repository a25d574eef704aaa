"""Reading plan.json back (`planner export`, `replan`, `suggest`, `explain`): its syntax, the
type of every field the commands use, and every reference checked.

plan.json is written by the planner, but it may have been edited by hand, written by an older
planner or belong to another station. Whatever the commands would use must be what they
expect, or it is bad input like any other: FILE:LINE:COL lines (the line of the offending
field), exit 2, nothing written. Fields the planner does not know are left alone.

`check_plan_json` is what re-rendering needs (`export`, `suggest`, `explain`);
`check_previous_plan` is the same for the plan `planner replan` changes, where people no
longer in the station plan are the departures a re-plan is for.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import stat
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from planner.errors import PlanError, Problem, dotted
from planner.loader import LoadedPlan, pydantic_problems
from planner.types import _ID
from planner.yamlio import Document, Positions

MAX_BYTES = 64 * 1024 * 1024  # a city's year is a few MB; more is not a plan.json
MAX_REACH = 10_000_000  # people one activity reaches (as the plan format's counts)
MAX_SEQUENCE = 2**31 - 1  # iCalendar's SEQUENCE is a 32-bit integer
_ACTIVITY_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,199}")


def plan_digest(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def source_record(loaded: LoadedPlan) -> dict[str, str]:
    """What plan.json records of the plan it came from, so export and replan can find it."""
    return {"plan": loaded.file, "sha256": plan_digest(loaded.file)}


# --- reading ----------------------------------------------------------------------------------------


def read_plan_json(path: Path | str) -> tuple[dict[str, Any], str]:
    """plan.json's data and text, or PlanError for a file that is not a plan.json."""
    path = Path(path)
    file = str(path)

    def fail(what: str, line: int = 1, col: int = 1, where: str = "(file)") -> PlanError:
        return PlanError([Problem(line, col, where, what, file)])

    try:
        if path.is_dir():
            raise fail("is a folder, not a plan.json (give OUT/plan.json)")
        mode = path.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise fail("is a device, not a plan.json")
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise fail("no such file; run `planner plan` first") from None
    except PermissionError:
        raise fail("cannot be read (permission denied)") from None
    except OSError as e:
        raise fail(f"cannot be read: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:
        raise fail(f"is over {MAX_BYTES // 1024 // 1024} MB, so it is not a plan.json")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise fail("is not UTF-8 text; a plan.json is", line, e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1) \
            from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise fail(f"not valid JSON: {e.msg}", e.lineno, e.colno, "(syntax)") from None
    except RecursionError:
        raise fail("not a plan.json: nested too deeply", where="(syntax)") from None
    if not isinstance(data, dict) or not isinstance(data.get("activities"), list):
        raise fail("not a plan.json: it has no list of activities", where="(top level)")
    return data, text


def json_positions(text: str) -> Positions:
    """1-based (line, col) of every value and key of a JSON text (one json.loads accepted),
    by path, for FILE:LINE:COL lines that point at the offending field."""
    positions = Positions()
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    # frames: [is_object, path, index (arrays) or key (objects), expecting a key]
    stack: list[list[Any]] = []
    for m in _TOKEN.finditer(text):
        token = m.group()
        top = stack[-1] if stack else None
        if token in "}]":
            stack.pop()
            continue
        if token == ",":
            if top[0]:
                top[3] = True
            else:
                top[2] += 1
            continue
        if token == ":":
            continue
        if top is not None and top[0] and top[3]:  # a key
            key = json.loads(token)
            top[2], top[3] = key, False
            positions.keys.setdefault((*top[1], key), at(m.start()))
            continue
        path = () if top is None else (*top[1], top[2])
        positions.values.setdefault(path, at(m.start()))
        if token == "{":
            stack.append([True, path, None, True])
        elif token == "[":
            stack.append([False, path, 0, False])
    return positions


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.S)


# --- what each field must be ------------------------------------------------------------------------


def _aware(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO date and time like 2026-06-03T17:30:00+08:00") from None
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset; write it like 2026-06-03T17:30:00+08:00")
    return value


def _activity_id(value: str) -> str:
    if not _ACTIVITY_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not an activity id like xingfu-stall-20260603-1730 (lowercase letters, "
                         "digits, '-' and '_'; it is the calendar event's UID)")
    return value


def _person(value: str) -> str:
    if not _ID.fullmatch(value) or value.endswith("-"):
        raise ValueError(f"{value!r} is not a staff id (lowercase letters a-z, digits and '-')")
    return value


Moment = Annotated[str, AfterValidator(_aware)]
ActivityId = Annotated[str, AfterValidator(_activity_id)]
PersonId = Annotated[str, AfterValidator(_person)]
Label = Annotated[str, Field(max_length=200)]
Number = Annotated[float, Field(allow_inf_nan=False)]


class _Entry(BaseModel):
    # strict: "12" is not a number, 5 is not a list; extra: what a newer planner adds stays
    model_config = ConfigDict(strict=True, extra="allow")


class ActivityEntry(_Entry):
    """One activity of plan.json (also the entries of its `cancelled` list)."""

    id: ActivityId
    venue: Label | None
    activity: Label
    start: Moment
    end: Moment
    staff: list[PersonId]
    theme: Label | None = None
    audiences: list[Label] = []
    tactics: list[Label] = []
    key_date: Label | None = None
    reach: int = Field(0, ge=0, le=MAX_REACH)
    sequence: int | None = Field(None, ge=0, le=MAX_SEQUENCE)
    status: Label | None = None
    released: list[PersonId] = []
    planned_as: Label | None = None
    app_installs: Number | None = Field(None, ge=0)


class UnmetEntry(_Entry):
    tactic: Label | None = None
    venue: Label | None = None
    staff: Label | None = None
    key_date: Label | None = None
    period: Label | None = None
    why: str = ""


class ScoreEntry(_Entry):
    penalty: Number | None = None
    met: Number | None = None
    required: Number | None = None


class SourceEntry(_Entry):
    plan: str | None = None
    sha256: str | None = None


class PlanJson(_Entry):
    """plan.json as `planner plan` and `planner replan` write it."""

    version: Literal[1] = 1
    station: str | None = None  # checked against the station plan's name where present
    status: Label | None = None
    objective: Number | None = None
    bound: Number | None = None
    solve_seconds: Number | None = None
    activities: list[ActivityEntry]
    cancelled: list[ActivityEntry] = []
    reach: Number | None = None
    installs: Number | None = None
    app_installs: Number | None = None
    unmet: list[UnmetEntry] = []
    score: dict[str, ScoreEntry] = {}
    source: SourceEntry | None = None
    generated: str | None = None
    replanned_from: str | None = None


# --- checking -----------------------------------------------------------------------------------------


def well_typed(data: Any) -> bool:
    """Every field of plan.json `data` has the type the planner writes (references unchecked)."""
    try:
        PlanJson.model_validate(data)
    except ValidationError:
        return False
    return True


def check_plan_json(path: Path | str, data: dict[str, Any], text: str, loaded: LoadedPlan) -> None:
    """Every field has the type the planner writes, and every activity names a venue, a
    format and staff the station plan has (people may be missing only from activities a
    re-plan kept as they were: those before its `replanned_from`, who may since have left)."""
    problems = plan_json_problems(path, data, text, loaded, departures="kept")
    if problems:
        raise PlanError(problems)


def check_previous_plan(path: Path | str, data: dict[str, Any], text: str, loaded: LoadedPlan) -> None:
    """The published plan `planner replan` is to change: what `check_plan_json` checks, with
    people who are no longer in the station plan taken as departures (the re-plan takes them
    off what is still to come), never ids that no station plan could have."""
    problems = plan_json_problems(path, data, text, loaded, departures="any")
    if problems:
        raise PlanError(problems)


def plan_json_problems(path: Path | str, data: dict[str, Any], text: str, loaded: LoadedPlan, *,
                       departures: Literal["kept", "any"] = "kept") -> list[Problem]:
    """What is wrong with plan.json `data` (read from `text`) against the station plan."""
    from planner.formats import resolve_formats

    file = str(path)
    document = Document(file, data, json_positions(text))
    problems: list[Problem] = []
    try:
        PlanJson.model_validate(data)
    except ValidationError as e:
        problems += pydantic_problems(document, e, PlanJson)
    bad = {p.where for p in problems}

    def problem(field: tuple, what: str) -> None:
        """A problem of an activity, at the line of its offending field."""
        line, col = document.positions.locate(field)
        problems.append(Problem(line, col, dotted(field[:2]), what, file))

    def fine(*where: str | int) -> bool:
        """The field exists and its type was right (else it has its problem already)."""
        text_path = dotted(where)
        return not any(b == text_path or b.startswith(text_path + ".") or b.startswith(text_path + "[")
                       for b in bad)

    plan = loaded.plan
    wrong = _wrong_station(data, loaded, file)
    if wrong:  # then every venue and person differs too: that is one problem, not hundreds
        return [document.problem(("station",), wrong)]
    staff = {s.id for s in plan.staff}
    venues = {v.id for v in plan.venues}
    formats = resolve_formats(plan)
    tz = ZoneInfo(plan.station.timezone)
    campaign = plan.campaign
    kept_until = _date(data.get("replanned_from"))
    seen: dict[str, int] = {}
    for i, activity in enumerate(data["activities"]):
        if not isinstance(activity, dict):
            continue  # pydantic said so
        at = ("activities", i)
        ident = activity.get("id")
        if fine(*at, "id") and isinstance(ident, str):
            if ident in seen:
                problem((*at, "id"), f"the id {ident!r} is also activities[{seen[ident]}]'s; ids are calendar "
                                     "UIDs and must be unique")
            seen.setdefault(ident, i)
        fmt = activity.get("activity")
        if fine(*at, "activity") and isinstance(fmt, str) and fmt not in formats:
            problem((*at, "activity"), f"the activity format {fmt!r} is not one {loaded.file} knows "
                                       f"(built in or under `activities:`)")
            fmt = None
        venue = activity.get("venue")
        if fine(*at, "venue") and "venue" in activity:
            if venue is None:
                if isinstance(fmt, str) and fmt in formats and formats[fmt].kinds:
                    problem((*at, "venue"), f"a {fmt} needs a venue; only online formats have none")
            elif venue not in venues:
                problem((*at, "venue"), f"venue {venue!r} is not in {loaded.file} (a venue that closed stays "
                                        "in the plan, with `closed:` dates)")
        start = end = None
        if fine(*at, "start") and isinstance(activity.get("start"), str):
            start = datetime.fromisoformat(activity["start"]).astimezone(tz)
            if not campaign.start <= start.date() <= campaign.end:
                problem((*at, "start"), f"starts {start.date()}, outside the campaign {campaign.start}.."
                                        f"{campaign.end} of {loaded.file}")
        if fine(*at, "end") and isinstance(activity.get("end"), str):
            end = datetime.fromisoformat(activity["end"]).astimezone(tz)
        if start is not None and end is not None and not timedelta(0) < end - start <= timedelta(days=1):
            problem((*at, "end"), "ends before it starts" if end <= start else "lasts more than a day")
        people = activity.get("staff")
        if fine(*at, "staff") and isinstance(people, list):
            kept = departures == "any" or (kept_until is not None and start is not None
                                           and start.date() < kept_until)
            for n, person in enumerate(people):
                if person in people[:n]:
                    problem((*at, "staff", n), f"lists staff {person!r} twice")
                elif person not in staff and not kept:
                    problem((*at, "staff", n), f"staff {person!r} is not in {loaded.file}")
    return problems


def _wrong_station(data: dict[str, Any], loaded: LoadedPlan, file: str) -> str | None:
    """Why plan.json is not this station's, or None: it is if the name is the same, or if the
    plan it records is this very file (the station was renamed since)."""
    name = data.get("station")
    if not isinstance(name, str) or name == loaded.plan.station.name:
        return None
    source = data.get("source")
    recorded = source.get("plan") if isinstance(source, dict) else None
    if isinstance(recorded, str) and any(_same_file(candidate, loaded.file) for candidate in
                                         (Path(recorded), Path(file).parent / recorded)):
        return None
    return (f"this is the plan of {name!r}, not of {loaded.plan.station.name!r} "
            f"({loaded.where('station', 'name')}): give the plan.json written for this station")


def _same_file(a: Path, b: Path | str) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def plan_path_for(json_path: Path, data: dict[str, Any]) -> Path | None:
    """The station plan recorded in plan.json, where it still exists."""
    source = data.get("source")
    recorded = source.get("plan") if isinstance(source, dict) else None
    if not isinstance(recorded, str) or not recorded:
        return None
    for candidate in (Path(recorded), json_path.parent / recorded):
        if candidate.is_file():
            return candidate
    return None
