"""Small value types of the plan format: ids, durations, clock ranges, date spans."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

from planner.messages import _

# --- ids ---------------------------------------------------------------------------------

# Every pattern here is used with fullmatch: Python's `$` also matches before a final line
# break, so `match` would let "xingfu\n" through as an id (and into a calendar's file name).
# The patterns keep `^…$` for the JSON Schema, where `$` is the end of the text.
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})$")
_WORD = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_RESERVED = {"con", "prn", "aux", "nul", "all", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def _check_id(value: str) -> str:
    if not _ID.fullmatch(value) or value.endswith("-"):
        raise ValueError(_(
            "{value} is not a safe id: ids name calendar files, so use only lowercase "
            "letters a-z, digits and '-', starting with a letter or digit (at most 63)").format(value=repr(value)))
    if value in _RESERVED:
        raise ValueError(_("{value} is reserved as a file name; choose another id").format(value=repr(value)))
    return value


def _check_word(value: str) -> str:
    if not _WORD.fullmatch(value):
        raise ValueError(_("{value} is not a valid id: use lowercase letters, digits and '_', "
                           "starting with a letter").format(value=repr(value)))
    return value


_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def _check_key(value: str) -> str:
    if not _KEY.fullmatch(value):
        raise ValueError(_("{value} is not a valid id: use lowercase letters, digits, '-' and '_'").format(
            value=repr(value)))
    return value


_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(_("{value} is not an e-mail address like name@example.cn").format(value=repr(value)))
    return value


KeyId = Annotated[str, AfterValidator(_check_key),
                  WithJsonSchema({"type": "string", "pattern": _KEY.pattern})]
Email = Annotated[str, AfterValidator(_check_email), WithJsonSchema({"type": "string", "format": "email"})]
Id = Annotated[str, AfterValidator(_check_id),
               WithJsonSchema({"type": "string", "pattern": _ID.pattern, "maxLength": 63})]
Word = Annotated[str, AfterValidator(_check_word),
                 WithJsonSchema({"type": "string", "pattern": _WORD.pattern})]

# --- durations -----------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(?:([0-9]+)\s*h)?\s*(?:([0-9]+)\s*m(?:in)?)?\s*(?:([0-9]+)\s*s)?\s*$")


def parse_duration(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(_("{value} is not a duration; write it with a unit: 90m, 2h, 1h30m or 30s").format(
            value=repr(value)))
    m = _DURATION.fullmatch(value)
    if not m or not any(m.groups()):
        raise ValueError(_("{value} is not a duration; write it like 90m, 2h, 1h30m or 30s").format(value=repr(value)))
    h, mins, s = (int(g) if g else 0 for g in m.groups())
    try:
        result = timedelta(hours=h, minutes=mins, seconds=s)
    except OverflowError:
        raise ValueError(_("{value}: a duration is at most 24h").format(value=repr(value))) from None
    if result <= timedelta(0):
        raise ValueError(_("{value}: a duration must be longer than zero").format(value=repr(value)))
    if result > timedelta(days=1):
        raise ValueError(_("{value}: a duration is at most 24h").format(value=repr(value)))
    return result


def format_duration(value: timedelta) -> str:
    total = int(value.total_seconds())
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((h, "h"), (m, "m"), (s, "s")) if n) or "0m"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^(\d+h)?(\d+m)?(\d+s)?$",
                    "examples": ["90m", "2h", "1h30m"]}),
]

# --- clock ranges ------------------------------------------------------------------------------

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, order=True)
class ClockRange:
    """A time-of-day range, in minutes after midnight."""

    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def start_time(self) -> time:
        return time(self.start // 60, self.start % 60)

    def end_time(self) -> time:
        return time(self.end // 60, self.end % 60) if self.end < 24 * 60 else time(23, 59)

    def __str__(self) -> str:
        return f"{self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"


def parse_clock_range(value: Any) -> Any:
    if isinstance(value, ClockRange):
        return value
    if not isinstance(value, str):
        raise ValueError(_("{value} is not a time range; write it in quotes like \"17:30-19:30\"").format(
            value=repr(value)))
    m = _CLOCK.fullmatch(value)
    if not m:
        raise ValueError(_("{value} is not a time range; write it like \"17:30-19:30\"").format(value=repr(value)))
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    for h, mi, text in ((h1, m1, "start"), (h2, m2, "end")):
        if mi > 59 or h > 24 or (h == 24 and mi) or (h == 24 and text == "start"):
            raise ValueError(_("{value}: {time} is not a time of day").format(value=repr(value), time=f"{h}:{mi:02d}"))
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(_("{value}: the range ends before it starts (overnight windows are not supported)").format(
            value=repr(value)))
    return ClockRange(start, end)


Clock = Annotated[
    ClockRange,
    BeforeValidator(parse_clock_range),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$",
                    "examples": ["17:30-19:30"]}),
]

# --- dates and date spans -----------------------------------------------------------------------


def _to_date(value: Any, text: str) -> date:
    if isinstance(value, datetime):
        raise ValueError(_("{value}: give a date like 2026-06-01, without a time").format(value=repr(text)))
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(_("{value} is not a date; write it like 2026-06-01").format(value=repr(text)))


@dataclass(frozen=True, order=True)
class DateSpan:
    """An inclusive range of dates; a single date is a span of one day."""

    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days(self) -> list[date]:
        return [self.start + timedelta(n) for n in range((self.end - self.start).days + 1)]

    def __str__(self) -> str:
        return self.start.isoformat() if self.start == self.end else f"{self.start}..{self.end}"


def parse_date_span(value: Any) -> Any:
    if isinstance(value, DateSpan):
        return value
    if isinstance(value, str) and ".." in value:
        first, _dots, last = value.partition("..")
        if not first.strip() or not last.strip():
            raise ValueError(_("{value} is an open range; write both ends: \"2026-06-10..2026-06-14\"").format(
                value=repr(value)))
        start, end = _to_date(first, value), _to_date(last, value)
        if end < start:
            raise ValueError(_("{value}: the range ends before it starts").format(value=repr(value)))
        return DateSpan(start, end)
    day = _to_date(value, str(value))
    return DateSpan(day, day)


Span = Annotated[
    DateSpan,
    BeforeValidator(parse_date_span),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string",
                    "pattern": r"^\d{4}-\d{2}-\d{2}(\.\.\d{4}-\d{2}-\d{2})?$",
                    "examples": ["2026-07-01", "2026-06-10..2026-06-14"]}),
]


def parse_month_day(value: Any) -> tuple[int, int]:
    """'MM-DD' as used by the catalogue's yearly rules."""
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", str(value))
    if not m:
        raise ValueError(_("{value} is not a month-day like 06-07").format(value=repr(value)))
    month, day = int(m.group(1)), int(m.group(2))
    date(2024, month, day)  # raises for 02-30; 2024 allows 02-29
    return month, day
