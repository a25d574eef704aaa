"""plan.json as a contract: pydantic models of every key the planner writes, and the reader.

`planner.planjson` writes plan.json (its bytes stay what they were); everything that reads it
back goes through `read_plan_json`, which returns a typed `PlanFile`. Reading is fast: one
json.loads and one validation. Only when the file breaks the contract is it parsed again with
the position-aware YAML loader (JSON is YAML 1.2), so each bad value is reported as
FILE:LINE:COL, like a station plan's problems: exit 2, nothing written.
"""

from __future__ import annotations

import json
import re
import stat
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError

from planner import messages
from planner.errors import PlanError, Problem, file_where, syntax_where
from planner.loader import pydantic_problems
from planner.messages import N_, _
from planner.types import _ID
from planner.yamlio import Document, Positions, load_yaml_text

MAX_BYTES = 64 * 1024 * 1024  # a city's year is a few MB; more is not a plan.json
MAX_REACH = 10_000_000  # people one activity reaches (as the plan format's counts)
MAX_SEQUENCE = 2**31 - 1  # iCalendar's SEQUENCE is a 32-bit integer
_ACTIVITY_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,199}")


# --- what each value must be -------------------------------------------------------------------------


def _moment(value: Any) -> datetime:
    """An ISO date and time with its UTC offset, as text (JSON has no datetime)."""
    if not isinstance(value, str):
        raise ValueError(_("expected a date and time like 2026-06-03T17:30:00+08:00, got {value}").format(
            value=repr(value)))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_("{value} is not an ISO date and time like 2026-06-03T17:30:00+08:00").format(
            value=repr(value))) from None
    if moment.tzinfo is None:
        raise ValueError(_("{value} has no UTC offset; write it like 2026-06-03T17:30:00+08:00").format(
            value=repr(value)))
    return moment


def _day(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError(_("expected a date like 2026-06-01, got {value}").format(value=repr(value)))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("{value} is not a date like 2026-06-01").format(value=repr(value))) from None


def _activity_id(value: str) -> str:
    if not _ACTIVITY_ID.fullmatch(value):
        raise ValueError(_("{value} is not an activity id like xingfu-stall-20260603-1730 (lowercase letters, "
                           "digits, '-' and '_'; it is the calendar event's UID)").format(value=repr(value)))
    return value


def _person(value: str) -> str:
    if not _ID.fullmatch(value) or value.endswith("-"):
        raise ValueError(_("{value} is not a staff id (lowercase letters a-z, digits and '-')").format(
            value=repr(value)))
    return value


Moment = Annotated[datetime, BeforeValidator(_moment)]
Day = Annotated[date, BeforeValidator(_day)]
# the patterns are for the published schema; the validators say what is wrong in words
ActivityId = Annotated[str, AfterValidator(_activity_id),
                       Field(json_schema_extra={"pattern": f"^{_ACTIVITY_ID.pattern}$"})]
PersonId = Annotated[str, AfterValidator(_person),
                     Field(json_schema_extra={"pattern": "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"})]
Label = Annotated[str, Field(max_length=200)]
Number = Annotated[float, Field(allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]


class _Entry(BaseModel):
    # strict: "12" is not a number, 5 is not a list; forbid: a misspelt key is an error, not ignored
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Campaign(_Entry):
    name: str
    start: Day
    end: Day


class Activity(_Entry):
    """plan.json 中的一场活动（`cancelled` 列表的条目也是这个格式）。 /
    One activity of plan.json (also the entries of its `cancelled` list)."""

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
    materials: dict[str, Count] = {}  # what to bring, from the format's rates and the reach
    # publication (planner.publish): the calendar event this activity is
    sequence: int | None = Field(None, ge=0, le=MAX_SEQUENCE)
    published: Moment | None = None
    uid: Label | None = None  # where the event's UID is not id@uid_domain (published before it was)
    planned_as: Label | None = None  # the id it was planned under, where two would have shared it
    status: Literal["cancelled"] | None = None  # entries of `cancelled`
    released: list[PersonId] = []  # people a re-plan took off it
    app_installs: Number | None = Field(None, ge=0)  # expected installs, where given (the html reads it)


class Unmet(_Entry):
    tactic: Label | None = None
    venue: Label | None = None
    staff: Label | None = None
    key_date: Label | None = None
    period: Label | None = None  # 2026-W40, 2026-06 or a key date's window, as the tactic counts
    why: str = ""


class Score(_Entry):
    penalty: Number | None = None
    met: Number | None = None
    required: Number | None = None


class Source(_Entry):
    plan: str | None = None
    sha256: str | None = None


class Missed(_Entry):
    """重排计划首日之前未开展的活动（依据台账记录）。 /
    An activity before a re-plan's first day that was not held (from the records)."""

    id: ActivityId
    venue: Label | None
    activity: Label
    start: Moment
    end: Moment
    staff: list[PersonId]
    reason: str | None = None


class PlanFile(_Entry):
    """`planner plan` 和 `planner replan` 写出的 plan.json。 /
    plan.json as `planner plan` and `planner replan` write it."""

    version: Literal[1] = 1
    station: str | None = None  # checked against the station plan's name where present
    campaign: Campaign | None = None
    status: Label | None = None
    objective: Number | None = None
    bound: Number | None = None
    solve_seconds: Number | None = None
    # when the final plan was found (seconds from the command's start; a deterministic solve's
    # in deterministic seconds, as solve_seconds) and why the search stopped; older files have neither
    found_seconds: Number | None = None
    stopped: Literal["optimal", "within_gap", "stalled", "time_limit", "interrupted"] | None = None
    activities: list[Activity]
    reach: Number | None = None
    unique_reach: dict[Label, Number] = {}  # people met at least once, per venue id (planner.planjson)
    app_installs: Number | None = None  # expected App installs, where given (else the html derives them)
    installs: Number | None = None  # the same, as older files name it
    unmet: list[Unmet] = []
    score: dict[str, Score] = {}
    source: Source | None = None
    uid_domain: Label | None = None
    cancelled: list[Activity] = []
    generated: Moment | None = None  # older planners' publication stamp (publish falls back on it)
    replanned_from: Day | None = None
    missed: list[Missed] = []

    _path: str = PrivateAttr("")
    _text: str = PrivateAttr("")
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @classmethod
    def from_data(cls, data: dict[str, Any], path: str = "", text: str = "") -> PlanFile:
        """The model of plan.json data made in memory (a solve's, a test's); ValidationError if
        it breaks the contract."""
        model = cls.model_validate(data)
        model._path, model._text, model._raw = path, text, data
        return model

    @property
    def path(self) -> str:
        return self._path

    @property
    def text(self) -> str:
        """The file's text, as read (records keep it, replan points into it)."""
        return self._text

    @property
    def raw(self) -> dict[str, Any]:
        """The file's data as JSON, key order kept: what publishing carries over as it was."""
        return self._raw


def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema of plan.json, as `planner schema --of plan-json` prints it."""
    schema = PlanFile.model_json_schema(mode="validation")
    schema["title"] = "plan.json"
    return schema


# --- reading ---------------------------------------------------------------------------------------


class _Duplicate(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Duplicate  # json.loads keeps the last silently; the YAML pass names each
    return out


def read_plan_json(path: Path | str) -> PlanFile:
    """plan.json as its typed model, or PlanError with a FILE:LINE:COL line per problem."""
    path = Path(path)
    file = str(path)

    def fail(what: str, line: int = 1, col: int = 1, where: str = "") -> PlanError:
        return PlanError([Problem(line, col, where or file_where(), what, file)])

    try:
        if path.is_dir():
            raise fail(_("is a folder, not a plan.json (give OUT/plan.json)"))
        mode = path.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise fail(_("is a device, not a plan.json"))
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise fail(_("no such file; run `planner plan` first")) from None
    except PermissionError:
        raise fail(_("cannot be read (permission denied)")) from None
    except OSError as e:
        raise fail(_("cannot be read: {reason}").format(reason=e.strerror or e)) from None
    if len(raw) > MAX_BYTES:
        raise fail(_("is over {limit} MB, so it is not a plan.json").format(limit=MAX_BYTES // 1024 // 1024))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise fail(_("is not UTF-8 text; a plan.json is"), line,
                   e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1) from None
    duplicates = False
    try:
        data = json.loads(text, object_pairs_hook=_pairs)
    except _Duplicate:
        duplicates = True
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise fail(_json_syntax(e.msg), e.lineno, e.colno, syntax_where()) from None
    except RecursionError:
        raise fail(_("not a plan.json: nested too deeply"), where=syntax_where()) from None
    if not isinstance(data, dict) or not isinstance(data.get("activities"), list):
        raise fail(_("not a plan.json: it has no list of activities"), where=_("(top level)"))
    try:
        model = PlanFile.from_data(data, file, text)
    except ValidationError as e:
        document = positioned(file, text, data)
        raise PlanError(document.problems + pydantic_problems(document, e, PlanFile)) from None
    if duplicates:
        raise PlanError(positioned(file, text, data).problems)
    return model


#: json's words for a syntax error, with their Chinese (the English is json's own)
_JSON_SYNTAX = frozenset((
    N_("Expecting value"), N_("Expecting property name enclosed in double quotes"), N_("Expecting ',' delimiter"),
    N_("Expecting ':' delimiter"), N_("Unterminated string starting at"), N_("Invalid control character at"),
    N_("Invalid \\escape"), N_("Extra data"), N_("Illegal trailing comma before end of object"),
    N_("Illegal trailing comma before end of array")))


def _json_syntax(message: str) -> str:
    """json's syntax error in the current language."""
    if message not in _JSON_SYNTAX and messages.current() != "en":
        return _("not valid JSON: {detail}").format(detail=_("check the commas, quotes and brackets here"))
    return _("not valid JSON: {detail}").format(detail=_(message))


def positioned(file: str, text: str, data: Any) -> Document:
    """`data` (json.loads of `text`) with the line and column of every value and key, and the
    problems only a second reading sees (duplicate keys). Slow: for reporting problems only."""
    try:
        document = load_yaml_text(text, file, what="plan.json", strict=False)
    except PlanError:  # valid JSON that YAML refuses: point at the top, the messages still say what
        return Document(file, data, Positions())
    return Document(file, data, document.positions, document.problems)


__all__ = ["PlanFile", "Activity", "Unmet", "Score", "Source", "Campaign", "Missed", "read_plan_json",
           "plan_json_schema", "positioned", "MAX_REACH", "MAX_SEQUENCE"]
