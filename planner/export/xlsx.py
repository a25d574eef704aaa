"""The roster as a spreadsheet: OUT/plan.xlsx.

Sheets, in the campaign's language:

- 排班表 / Roster: one row per activity, in date order: date, weekday, start, end, venue,
  its kind, format, staff, theme, key date, audience, expected reach, materials, address, id.
- 台账 / Ledger: the planned rows again, pre-filled with what the plan knows, and blank
  columns for what a station records after the activity (people reached, materials handed
  out by type, App installs, households visited, photos, how it went, notes), the expected
  reach beside the actual; whole numbers ≥ 0 enforced by data validation; a totals row.
- 已取消活动 / Cancelled activities, 未匹配记录 / Unmatched entries: only when an earlier
  plan.xlsx is carried over (`write_xlsx(..., previous=...)`, see `planner.export.ledger`):
  the ledger rows of activities no longer planned that had entries, each marked cancelled,
  with their own totals; and, one per row, every value that matched no activity (where it
  was, the column, what was typed, what the plan says, why it is there);
- 物料清单 / Materials: the pick list and the weekly print list in one table: a row per
  activity that needs materials (its ISO week, when that week's print order is due, when and
  where, who collects the materials — its first police officer — and with whom, a count per
  material), and after each week's rows the week's total of what is handed out or posted
  (the sum of those rows: what to print by the due date), then a campaign total; see
  `planner.materials`;
- one sheet per staff member (their activities only), named by the person's name, with the
  staff id added when two people share a name;
- one sheet per venue (its activities only), named by the venue's name, likewise; both only
  for a plan with at most `SHEETS_PER_PERSON_MAX` (100) staff and venues together, a
  station's size: a district's or city's people and venues have their calendars instead.

The file is written by XlsxWriter (shared strings, formats made once, the zip's parts dated
1980-01-01: the same plan gives the same bytes); openpyxl reads ledgers back
(`planner.export.ledger`) and writes the report's workbook, whose styles are the ones below.

Every sheet prints landscape on A4, fitted to the page width, with the header row repeated
on every page; panes are frozen under the header and the header carries an autofilter.
Dates and times are real Excel dates and times in the plan's time zone.

Text from the plan is data, never code: a cell whose text starts with = + - @ (or a tab or
line break) is stored as a string cell with Excel's quote prefix (the "'" a user would
type), so neither Excel nor LibreOffice evaluates it, not even after the cell is edited; the
text itself is stored unchanged. Characters XML cannot carry are dropped. Sheet names obey
Excel's rules whatever the names in the plan are (see `sheet_title`).
"""

from __future__ import annotations

import gc
import io
import math
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

import xlsxwriter
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from planner import atomic
from planner.catalogue import catalogue
from planner.export.columns import HANDOUTS, MATERIAL_KEYS, UNKNOWN_KEY, L, cell_text
from planner.export.view import ActivityView, PlanView
from planner.materials import iso_week
from planner.messages import N_, WEEKDAYS, for_language

if TYPE_CHECKING:
    from planner.export.ledger import LedgerRead, Merged

__all__ = ["write_xlsx", "sheet_title", "SheetNames", "cell_text", "text_width",
           "FORMULA_TRIGGERS", "HANDOUTS", "MATERIAL_KEYS", "workbook_bytes"]


# --- words -------------------------------------------------------------------------------------------

#: the ledger's "held?" choices, in the order of the drop-down list
STATUS = (N_("held"), N_("not held"), N_("rescheduled"))
LIST_SEP = N_(", ")


#: First characters that make a spreadsheet treat text as a formula (or as the start of one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"
COUNT_FORMAT = "0"

# --- styles --------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="FF9AA5B1")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEAD_FILL = PatternFill("solid", fgColor="FFDCE6F1")
FILL_IN_HEAD_FILL = PatternFill("solid", fgColor="FFFCE4CC")
FILL_IN_FILL = PatternFill("solid", fgColor="FFFFFBEF")
TOTAL_FILL = PatternFill("solid", fgColor="FFF2F2F2")
FONT = "Calibri"  # the workbook's default: fonts named alike render alike (CJK falls back as usual)
BOLD = Font(name=FONT, bold=True)
MUTED = Font(name=FONT, italic=True, color="FF666666")
SMALL = Font(name=FONT, size=8, color="FF666666")
HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
TEXT_ALIGN = Alignment(vertical="top", wrap_text=True)
CENTER_ALIGN = Alignment(horizontal="center", vertical="top")
STAFF_TAB = "FF4F81BD"
VENUE_TAB = "FF9BBB59"
KEPT_TAB = "FF7F7F7F"  # the sheets of what an earlier workbook held that the plan no longer has
CANCELLED_FONT = Font(name=FONT, bold=True, color="FFC00000")

#: one sheet per person and per venue only up to this many of both together (a station: 11-50);
#: beyond, hundreds of sheets help no one, and each person's and venue's list is its calendar
#: (calendars/staff, calendars/venues) or the roster filtered by its staff or venue column
SHEETS_PER_PERSON_MAX = 100

LINE_HEIGHT = 15.0  # points per line of 11 pt text, CJK included
LEDGER_MIN_LINES = 2  # ledger rows are tall enough to write in by hand when printed


# --- text ----------------------------------------------------------------------------------------------





@lru_cache(maxsize=1 << 16)  # names, formats, themes repeat across a plan's rows
def text_width(text: str) -> int:
    """Display width in columns: CJK and other wide characters count double; widest line."""
    best = 0
    for line in text.split("\n"):
        width = 0
        for ch in line:
            if unicodedata.combining(ch) or unicodedata.category(ch) in ("Cf", "Cc"):
                continue
            width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        best = max(best, width)
    return best


def put(cell: Any, value: Any, number_format: str | None = None) -> None:
    """Write a value; text that could be read as a formula is stored as text, quote-prefixed."""
    if value is None or value == "":
        cell.value = None
        return
    if isinstance(value, str):
        text = cell_text(value)
        cell.value = text
        if text.startswith(FORMULA_TRIGGERS):
            cell.data_type = "s"  # openpyxl makes every "=…" a formula; this one is text
            cell.quotePrefix = True  # Excel's "'": shown and kept as text, even when edited
        return
    cell.value = value
    if number_format:
        cell.number_format = number_format


def _hf_text(text: str, limit: int) -> str:
    """Text for a page header or footer: one line, '&' escaped (it starts a code), at most
    `limit` characters once escaped (Excel refuses headers over 255 in all)."""
    text = " ".join(cell_text(text).split()).replace("&", "&&")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if (len(cut) - len(cut.rstrip("&"))) % 2:  # never leave half of an escaped '&'
        cut = cut[:-1]
    return cut + "…"


# --- sheet names ---------------------------------------------------------------------------------------

MAX_TITLE = 31  # Excel: at most 31 characters (UTF-16 code units)
_TITLE_SWAPS = str.maketrans({":": "：", "/": "／", "\\": "＼", "?": "？", "*": "＊", "[": "［", "]": "］"})
RESERVED_TITLES = ("history",)  # Excel keeps "History" for change tracking


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, units: int) -> str:
    """The longest prefix of text that fits in `units` UTF-16 code units."""
    out = []
    used = 0
    for ch in text:
        n = _utf16_len(ch)
        if used + n > units:
            break
        out.append(ch)
        used += n
    return "".join(out)


def _title_chars(text: str) -> str:
    text = cell_text(text).translate(_TITLE_SWAPS)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    return " ".join(text.split())


def sheet_title(name: str, tag: str = "", fallback: str = "Sheet") -> str:
    """A legal Excel sheet name for `name`, with " (tag)" kept at the end when a tag is given.

    Forbidden characters ([ ] : * ? / \\) become their full-width look-alikes, control
    characters and line breaks become spaces, runs of spaces collapse, leading and trailing
    apostrophes go, an empty name becomes `fallback`, and the name is cut (ending in "…") so
    that name and tag fit in 31 UTF-16 units; a tag over 16 is cut too. Uniqueness is
    `SheetNames`'s job.
    """
    text = _title_chars(name).strip("'").strip() or fallback
    suffix = ""
    tag = _title_chars(tag)
    if tag:
        if _utf16_len(tag) > 16:
            tag = _cut(tag, 15) + "…"
        suffix = f" ({tag})"
    room = MAX_TITLE - _utf16_len(suffix)
    if _utf16_len(text) > room:
        text = _cut(text, room - 1).rstrip().rstrip("'").rstrip() + "…"
    return text + suffix


class SheetNames:
    """Hands out sheet names, unique the way Excel compares them (ignoring case)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    @staticmethod
    def key(title: str) -> str:
        return unicodedata.normalize("NFKC", title).casefold()

    def free(self, title: str) -> bool:
        key = self.key(title)
        return key not in self.taken and key not in RESERVED_TITLES

    def claim(self, name: str, tag: str | None = None, *, tagged: bool = False) -> str:
        """The name if free (unless `tagged`), else "name (tag)", else "name (2)", "name (3)"…

        A name with nothing printable in it is replaced by its tag.
        """
        if tag and not _title_chars(name).strip("'").strip():
            name, tag, tagged = tag, None, False
        candidates = [] if tagged and tag else [sheet_title(name)]
        if tag:
            candidates.append(sheet_title(name, tag))
        for title in candidates:
            if self.free(title):
                self.taken.add(self.key(title))
                return title
        n = 2
        while not self.free(title := sheet_title(name, str(n))):
            n += 1
        self.taken.add(self.key(title))
        return title


def _titles(items: list[tuple[str, str]], names: SheetNames) -> list[str]:
    """Sheet names for (name, id) pairs: by name, with the id added to every name shared."""
    count = Counter(SheetNames.key(sheet_title(name)) for name, _ in items)
    return [names.claim(name, ident, tagged=count[SheetNames.key(sheet_title(name))] > 1)
            for name, ident in items]


# --- tables ------------------------------------------------------------------------------------------


@dataclass
class Column:
    header: str
    value: Callable[[ActivityView], Any] | None  # None: a blank column the station fills in
    kind: str = "text"  # text | date | time | count | short (centred) | small (a reference, small print)
    max_width: int = 40
    min_width: int = 6
    validate: str | None = None  # ledger: "count" or "status"
    key: str | None = None  # ledger: the column's stable key (planner.export.ledger)

    @property
    def scale(self) -> float:
        """Text width relative to 11 pt text."""
        return SMALL.size / 11 if self.kind == "small" else 1.0

    @property
    def fill_in(self) -> bool:
        return self.value is None

    @property
    def ledger_key(self) -> str:
        """The key of a ledger column: every ledger column has one."""
        assert self.key is not None
        return self.key


#: The words of L heading ledger columns, which are also those columns' keys.
LEDGER_WORDS = ("date", "weekday", "start", "end", "venue", "kind", "format", "theme", "key_date", "audience",
                "staff", "partners", "reached", "installs", "households", "photos", "status", "notes", "id")

_FORMATS = {"date": DATE_FORMAT, "time": TIME_FORMAT, "count": COUNT_FORMAT}
#: a date or time carried into a column not made for it: shown as what it is (openpyxl's choice)
_VALUE_FORMATS: dict[type, str] = {datetime: "yyyy-mm-dd h:mm:ss", date: DATE_FORMAT, time: "h:mm:ss",
                                   timedelta: "[hh]:mm:ss"}


def _rgb(argb: Any) -> str:
    """An openpyxl colour ("FFDCE6F1") as XlsxWriter writes it ("#DCE6F1")."""
    return "#" + str(argb)[-6:]


def _format_properties(kind: str, fill_in: bool, number_format: str | None, quoted: bool, total: bool,
                       font: str | None) -> dict[str, Any]:
    """XlsxWriter format properties of a table cell: the styles above (which the report's
    openpyxl workbook uses), said as XlsxWriter says them.

    kind: a column's kind (text, date, time, count, short, small), or "head", "muted" (the
    empty table's note), "total_label", "total_count", "total_blank" (the ledger's totals row);
    font: None or "cancelled"."""
    if kind == "muted":
        return {"italic": True, "font_color": _rgb(MUTED.color.rgb)}
    props: dict[str, Any] = {"border": 1, "border_color": _rgb(_THIN.color.rgb)}
    if kind == "head":
        fill = FILL_IN_HEAD_FILL if fill_in else HEAD_FILL
        props.update(bold=True, align="center", valign="vcenter", text_wrap=True, pattern=1,
                     bg_color=_rgb(fill.fgColor.rgb))
    elif kind.startswith("total_"):
        props.update(pattern=1, bg_color=_rgb(TOTAL_FILL.fgColor.rgb))
        if kind != "total_blank":
            props["bold"] = True
    else:
        if kind in ("date", "time", "short"):
            props.update(align="center", valign="top")
        else:
            props.update(valign="top", text_wrap=True)
        if kind == "small" and not total and font is None:
            props.update(font_size=SMALL.size, font_color=_rgb(SMALL.color.rgb))
        if fill_in:
            props.update(pattern=1, bg_color=_rgb(FILL_IN_FILL.fgColor.rgb))
        if total:
            props.update(bold=True, pattern=1, bg_color=_rgb(TOTAL_FILL.fgColor.rgb))
        if font == "cancelled":
            props.update(bold=True, font_color=_rgb(CANCELLED_FONT.color.rgb))
    if number_format:
        props["num_format"] = number_format
    if quoted:
        props["quote_prefix"] = True  # Excel's "'": shown and kept as text, even when edited
    return props


class _Book:
    """Builds the workbook for one view."""

    def __init__(self, view: PlanView) -> None:
        self.view = view
        self.lang = "zh" if view.language == "zh" else "en"
        self.m = for_language(self.lang)
        self.tz = ZoneInfo(view.timezone)
        self.plan = view.loaded.plan
        self.out = io.BytesIO()
        self._wb: xlsxwriter.Workbook | None = None  # made by the first sheet: records only asks planned_values
        self.names = SheetNames()
        self.merged: Merged | None = None
        self.formats: dict[tuple[Any, ...], Format] = {}  # a cell's format by what decides it

    @property
    def wb(self) -> xlsxwriter.Workbook:
        if self._wb is None:
            # in memory: every part of the zip dated 1980-01-01, so the bytes depend only on the
            # plan; text is never turned into a number, formula or link behind our back
            self._wb = xlsxwriter.Workbook(self.out, {"in_memory": True, "strings_to_numbers": False,
                                                      "strings_to_formulas": False, "strings_to_urls": False})
        return self._wb

    def sheet(self, title: str, tab: str | None = None) -> Worksheet:
        ws = self.wb.add_worksheet(title)
        if tab:
            ws.set_tab_color(_rgb(tab))
        return ws

    def format(self, *key: Any) -> Format:
        """The format for a (kind, fill_in, number format, quoted, total, font) key, made once."""
        found = self.formats.get(key)
        if found is None:
            found = self.formats[key] = self.wb.add_format(_format_properties(*key))
        return found

    def t(self, key: str) -> str:
        return self.m.msg(L[key])

    def join(self, items: Iterable[str]) -> str:
        return self.m._(LIST_SEP).join(i for i in items if i)

    # values

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz) if moment.tzinfo else moment

    def day(self, a: ActivityView) -> date:
        return self.local(a.start).date()

    def start(self, a: ActivityView) -> time:
        return self.local(a.start).time().replace(tzinfo=None)

    def end(self, a: ActivityView) -> time:
        return self.local(a.end).time().replace(tzinfo=None)

    def weekday(self, a: ActivityView) -> str:
        return self.m._(WEEKDAYS[self.day(a).weekday()])

    def staff(self, a: ActivityView, without: str | None = None) -> str:
        return self.join(s.name for s in a.staff if s.id != without)

    # columns

    def when(self) -> list[Column]:
        return [
            Column(self.t("date"), self.day, "date", min_width=11),
            Column(self.t("weekday"), self.weekday, "short", min_width=5),
            Column(self.t("start"), self.start, "time", min_width=6),
            Column(self.t("end"), self.end, "time", min_width=6),
        ]

    def roster_columns(self) -> list[Column]:
        return self.when() + [
            Column(self.t("venue"), lambda a: a.venue_name, max_width=30),
            Column(self.t("kind"), lambda a: a.kind_name, max_width=16),
            Column(self.t("format"), lambda a: a.format_name, max_width=20),
            Column(self.t("staff"), self.staff, max_width=30),
            Column(self.t("theme"), lambda a: a.theme_name, max_width=24),
            Column(self.t("key_date"), lambda a: a.key_date_name or "", max_width=20),
            Column(self.t("audience"), lambda a: self.join(a.audience_names), max_width=24),
            Column(self.t("reach"), lambda a: a.reach, "count", max_width=14),
            Column(self.t("materials"), lambda a: self.join(a.materials), max_width=30),
            Column(self.t("address"), lambda a: a.venue.address if a.venue and a.venue.address else "",
                   max_width=36),
            Column(self.t("id"), lambda a: a.id, max_width=40),
        ]

    def staff_columns(self, staff_id: str) -> list[Column]:
        return self.when() + [
            Column(self.t("venue"), lambda a: a.venue_name, max_width=30),
            Column(self.t("address"), lambda a: a.venue.address if a.venue and a.venue.address else "",
                   max_width=36),
            Column(self.t("format"), lambda a: a.format_name, max_width=20),
            Column(self.t("theme"), lambda a: a.theme_name, max_width=24),
            Column(self.t("key_date"), lambda a: a.key_date_name or "", max_width=20),
            Column(self.t("audience"), lambda a: self.join(a.audience_names), max_width=24),
            Column(self.t("with"), lambda a: self.staff(a, without=staff_id), max_width=30),
            Column(self.t("materials"), lambda a: self.join(a.materials), max_width=30),
            Column(self.t("id"), lambda a: a.id, max_width=40),
        ]

    def venue_columns(self) -> list[Column]:
        return self.when() + [
            Column(self.t("format"), lambda a: a.format_name, max_width=20),
            Column(self.t("staff"), self.staff, max_width=30),
            Column(self.t("theme"), lambda a: a.theme_name, max_width=24),
            Column(self.t("key_date"), lambda a: a.key_date_name or "", max_width=20),
            Column(self.t("audience"), lambda a: self.join(a.audience_names), max_width=24),
            Column(self.t("reach"), lambda a: a.reach, "count", max_width=14),
            Column(self.t("materials"), lambda a: self.join(a.materials), max_width=30),
            Column(self.t("id"), lambda a: a.id, max_width=40),
        ]

    def ledger_columns(self) -> list[Column]:
        materials = catalogue().materials
        counted = [
            Column(self.m._p("ledger: handout column", "{name}").format(name=self.material_name(m)),
                   None, "count", max_width=8, min_width=8, validate="count", key=MATERIAL_KEYS[m])
            for m in HANDOUTS if m in materials
        ]
        # Ledger rows are two lines tall (room to write by hand), so text wraps in narrower
        # columns than the roster's: the page holds more columns at a legible scale.
        columns = self.when() + [
            Column(self.t("venue"), lambda a: a.venue_name, max_width=14),
            Column(self.t("kind"), lambda a: a.kind_name, max_width=8, min_width=6),
            Column(self.t("format"), lambda a: a.format_name, max_width=10),
            Column(self.t("theme"), lambda a: a.theme_name, max_width=12),
            Column(self.t("key_date"), lambda a: a.key_date_name or "", max_width=10),
            Column(self.t("audience"), lambda a: self.join(a.audience_names), max_width=10),
            Column(self.t("staff"), self.staff, max_width=12),
            Column(self.t("partners"), None, max_width=12, min_width=12),
            Column(self.t("reach"), lambda a: a.reach, "count", max_width=8, min_width=8, key="expected_reach"),
            Column(self.t("reached"), None, "count", max_width=8, min_width=8, validate="count"),
            *counted,
            Column(self.t("installs"), None, "count", max_width=8, min_width=8, validate="count"),
            Column(self.t("households"), None, "count", max_width=8, min_width=8, validate="count"),
            Column(self.t("photos"), None, max_width=14, min_width=14),
            Column(self.t("status"), None, "short", max_width=8, min_width=8, validate="status"),
            Column(self.t("notes"), None, max_width=16, min_width=16),
            Column(self.t("id"), lambda a: a.id, "small", max_width=14),
        ]
        for c in columns:  # the word of L a column is headed by is its key: "date", "reached", "notes"…
            if c.key is None:
                c.key = next(k for k in LEDGER_WORDS if c.header == self.t(k))
        return columns

    # sheets

    def table(self, ws: Worksheet, columns: list[Column], activities: list[ActivityView], *,
              ledger: bool = False, page_title: str = "", freeze_after: int = 0,
              rows: list[list[Any]] | None = None, totals: frozenset[int] = frozenset(),
              first_font: str | None = None) -> int:
        """Header row, one row per activity (or the `rows` given), widths, heights, filter and
        print setup; → last row (numbered as on the sheet). `totals` are the rows (numbered as
        on the sheet) set in bold on grey, `first_font` the first column's font ("cancelled").
        A caller may write more rows after (the ledger's totals)."""
        widths = [max(c.min_width, min(text_width(c.header) + 2, c.max_width)) for c in columns]
        if rows is None:
            rows = [[c.value(a) if c.value else None for c in columns] for a in activities]
        texts = [c.kind in ("text", "short", "small") for c in columns]
        for values in rows:
            for i, v in enumerate(values):
                if v and texts[i] and widths[i] < columns[i].max_width:
                    c = columns[i]
                    widths[i] = max(widths[i], min(math.ceil(text_width(cell_text(v)) * c.scale) + 2, c.max_width))
        for i, c in enumerate(columns):
            widths[i] = max(widths[i], c.min_width)
            ws.set_column(i, i, widths[i])
        ws.freeze_panes(1, freeze_after)
        self.print_setup(ws, page_title)

        head_lines = max(_lines(c.header, w) for c, w in zip(columns, widths))
        ws.set_row(0, LINE_HEIGHT * head_lines + 6)
        for col, c in enumerate(columns):
            text = cell_text(c.header)
            ws.write_string(0, col, text, self.format("head", c.fill_in, None, text.startswith(FORMULA_TRIGGERS),
                                                      False, None))

        rooms = [w / c.scale for c, w in zip(columns, widths)]
        # the formats of plain text and of blanks in each column (most cells): found once, not per cell
        plain = [self.format(c.kind, c.fill_in, COUNT_FORMAT if c.fill_in and c.kind == "count" else None, False,
                             False, first_font if col == 0 else None) for col, c in enumerate(columns)]
        for r, values in enumerate(rows, 1):
            lines = LEDGER_MIN_LINES if ledger else 1
            total = r + 1 in totals
            for col, (c, v) in enumerate(zip(columns, values)):
                if not total:
                    if v is None:
                        ws.write_blank(r, col, None, plain[col])
                        continue
                    if v.__class__ is str and v:
                        text = _cell_text(v)
                        if not text.startswith(FORMULA_TRIGGERS):
                            ws.write_string(r, col, text, plain[col])
                            lines = max(lines, _lines(text, rooms[col]))
                            continue
                text = self.put(ws, r, col, v, c, total=total, font=first_font if col == 0 else None)
                if text:
                    lines = max(lines, _lines(text, rooms[col]))
            if lines > 1:
                ws.set_row(r, LINE_HEIGHT * lines + 3)

        last = 1 + len(rows)
        if rows:
            ws.autofilter(0, 0, last - 1, len(columns) - 1)
        else:
            ws.write_string(1, 0, cell_text(self.t("nothing")), self.format("muted", False, None, False, False, None))
        return last

    def put(self, ws: Worksheet, r: int, col: int, value: Any, c: Column, *, total: bool = False,
            font: str | None = None) -> str:
        """Write a table cell with its format; → its text ("" for anything else). Text that
        could be read as a formula is stored as text, quote-prefixed, as `put` does."""
        if value is None or value == "":
            number_format = COUNT_FORMAT if c.fill_in and c.kind == "count" else None
            ws.write_blank(r, col, None, self.format(c.kind, c.fill_in, number_format, False, total, font))
            return ""
        if isinstance(value, str):
            text = cell_text(value)
            quoted = text.startswith(FORMULA_TRIGGERS)
            number_format = COUNT_FORMAT if c.fill_in and c.kind == "count" else None
            ws.write_string(r, col, text, self.format(c.kind, c.fill_in, number_format, quoted, total, font))
            return text
        if isinstance(value, bool):
            ws.write_boolean(r, col, value, self.format(c.kind, c.fill_in, None, False, total, font))
            return ""
        if isinstance(value, (datetime, date, time, timedelta)):
            number_format = (_FORMATS[c.kind] if c.kind in ("date", "time")
                             else _VALUE_FORMATS.get(type(value), "yyyy-mm-dd h:mm:ss"))
            if isinstance(value, (datetime, time)) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)
            ws.write_datetime(r, col, value, self.format(c.kind, c.fill_in, number_format, False, total, font))
            return ""
        if isinstance(value, (int, float)) and math.isfinite(value):
            number_format = COUNT_FORMAT if c.kind == "count" else None
            ws.write_number(r, col, value, self.format(c.kind, c.fill_in, number_format, False, total, font))
            return ""
        return self.put(ws, r, col, str(value), c, total=total, font=font)

    def print_setup(self, ws: Worksheet, page_title: str) -> None:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # the page's width, as many pages down as it takes
        ws.repeat_rows(0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        campaign = self.plan.campaign
        header = ("&L" + _hf_text(self.plan.station.name, 60)
                  + '&C&"-,Bold"' + _hf_text(page_title or ws.name, 60)
                  + "&R" + _hf_text(f"{campaign.name} {campaign.start}–{campaign.end}", 70))
        ws.set_header(header, {"margin": 0.3})
        ws.set_footer("&C" + self.t("page"), {"margin": 0.3})

    def roster(self) -> None:
        ws = self.sheet(self.names.claim(self.t("roster")))
        self.table(ws, self.roster_columns(), self.view.activities, page_title=self.t("roster"))

    def ledger(self) -> None:
        ws = self.sheet(self.names.claim(self.t("ledger")))
        columns = self.ledger_columns()
        entries = self.merged.entries if self.merged else {}
        rows = [[entries.get(a.id, {}).get(c.ledger_key) if c.value is None else c.value(a) for c in columns]
                for a in self.view.activities]
        self.ledger_table(ws, columns, rows, self.t("ledger"))

    def ledger_table(self, ws: Worksheet, columns: list[Column], rows: list[list[Any]], page_title: str,
                     first_font: str | None = None) -> None:
        """The ledger's table: rows, validation of what is typed, a totals row."""
        venue_col = next(i for i, c in enumerate(columns, 1) if c.key == "venue")
        last = self.table(ws, columns, [], ledger=True, page_title=page_title, freeze_after=venue_col, rows=rows,
                          first_font=first_font)
        if last < 2:
            return
        count: list[str] = []
        status: list[str] = []
        for col, c in enumerate(columns):
            letter = get_column_letter(col + 1)
            if c.validate == "count":
                count.append(f"{letter}2:{letter}{last}")
            elif c.validate == "status":
                status.append(f"{letter}2:{letter}{last}")
            if col == 0:
                ws.write_string(last, 0, cell_text(self.t("total")), self.format("total_label", False, None, False,
                                                                                  True, None))
            elif c.kind == "count":
                # SUBTOTAL 109: sums the rows the filter shows, so a filtered ledger totals itself;
                # the value stored beside it is that sum, for readers that do not calculate
                known = sum(v for v in (row[col] for row in rows)
                            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))
                ws.write_formula(last, col, f"=SUBTOTAL(109,{letter}2:{letter}{last})",
                                 self.format("total_count", False, COUNT_FORMAT, False, True, None), known)
            else:
                ws.write_blank(last, col, None, self.format("total_blank", False, None, False, True, None))
        if count:
            ws.data_validation(1, 0, last - 1, 0, {
                "validate": "integer", "criteria": ">=", "value": 0, "ignore_blank": True, "show_input": False,
                "error_title": self.t("whole_title"), "error_message": self.t("whole"), "multi_range": " ".join(count)})
        if status:
            ws.data_validation(1, 0, last - 1, 0, {
                "validate": "list", "source": [self.m._(s) for s in STATUS], "ignore_blank": True,
                "error_title": self.t("status_title"), "error_message": self.t("status_error"),
                "multi_range": " ".join(status)})

    # what an earlier workbook's ledger held

    def planned_values(self, activities: list[ActivityView]) -> dict[str, dict[str, Any]]:
        """Activity id → what the ledger pre-fills for it, by column key."""
        planned = [c for c in self.ledger_columns() if not c.fill_in]
        out: dict[str, dict[str, Any]] = {}
        for a in activities:
            out[a.id] = {c.ledger_key: c.value(a) for c in planned if c.value is not None}
            if a.venue is None and a.raw.get("venue"):  # a venue the plan no longer has: its name is unknown
                out[a.id][UNKNOWN_KEY] = ("venue", "kind")
        return out

    def carry(self, previous: "LedgerRead", earlier: PlanView | None) -> None:
        """Match an earlier workbook's ledger against this plan (see planner.export.ledger)."""
        from planner.export.ledger import merge

        before = None
        if earlier is not None:
            before = {**self.planned_values(earlier.cancelled), **self.planned_values(earlier.activities)}
        self.merged = merge(previous, current=self.planned_values(self.view.activities),
                            withdrawn=self.planned_values(self.view.cancelled), earlier=before,
                            columns=[c.ledger_key for c in self.ledger_columns() if c.fill_in], words=self.t,
                            other_language=previous.language not in (None, self.lang))

    @staticmethod
    def shown(c: Column, value: Any) -> Any:
        """A pre-filled value read back from a workbook, as the ledger writes it."""
        if c.kind == "date" and isinstance(value, datetime) and value.time() == time(0):
            return value.date()
        if c.kind == "time" and isinstance(value, time):
            minutes = round((value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 60)
            return time((minutes // 60) % 24, minutes % 60)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def cancelled(self) -> None:
        """Activities no longer planned whose ledger rows had entries: their own sheet, each
        row marked cancelled, with its own totals (the ledger's stay those of the plan)."""
        if not self.merged or not self.merged.cancelled:
            return
        ws = self.sheet(self.names.claim(self.t("cancelled_sheet")), KEPT_TAB)
        mark = Column(self.t("plan_status"), lambda a: self.t("cancelled"), "short", max_width=10, min_width=8,
                      key="plan_status")
        columns = [mark, *self.ledger_columns()]
        rows = []
        for kept in self.merged.cancelled:
            rows.append([self.t("cancelled") if c is mark else kept.id if c.key == "id"
                         else kept.entries.get(c.ledger_key) if c.fill_in
                         else self.shown(c, kept.planned.get(c.ledger_key))
                         for c in columns])
        self.ledger_table(ws, columns, rows, self.t("cancelled_sheet"), first_font="cancelled")

    def unmatched(self) -> None:
        """What matched no activity: one row per value, where it was, and why it is here."""
        if not self.merged or not self.merged.unmatched:
            return
        ws = self.sheet(self.names.claim(self.t("unmatched")), KEPT_TAB)
        given = lambda a: None  # noqa: E731 (rows are given, not computed from activities)
        columns = [Column(self.t("u_where"), given, max_width=24, min_width=10),
                   Column(self.t("id"), given, max_width=30, min_width=12),
                   Column(self.t("u_column"), given, max_width=20, min_width=8),
                   Column(self.t("u_value"), given, max_width=40, min_width=12),
                   Column(self.t("u_planned"), given, max_width=30, min_width=12),
                   Column(self.t("u_why"), given, max_width=30, min_width=12)]
        rows = [list(u.as_row()) for u in self.merged.unmatched]
        self.table(ws, columns, [], page_title=self.t("unmatched"), rows=rows)

    def material_name(self, material: str) -> str:
        """A catalogue material's name in the campaign's language, as a column header starts."""
        info = catalogue().materials[material]
        name = info.name(self.lang)
        return name.capitalize() if name.isascii() else name  # Chinese has no capitals

    def material_header(self, material: str) -> str:
        """A material column's header. Never the ledger's header for it (宣传单, Leaflets): the
        ledger reader finds ledgers by their headers, and these counts are planned, not recorded."""
        info = catalogue().materials.get(material)
        if info is None:
            return material
        return self.m._("{name} needed").format(name=self.material_name(material), unit=info.unit)

    def materials(self) -> None:
        """物料清单: the pick list and the weekly print list in one table (planner.materials).

        One row per activity that needs materials (week, due date, when, where, who collects
        them, with whom, a column per material), and after each week's rows the week's total
        of what is handed out or posted: what to print, due `print_lead_days` before the
        week's Monday; a grand total closes the table. Filtering the week column shows one
        week's pick list and its print order."""
        from planner.export.view import material_text
        from planner.materials import print_lead_days, print_list

        ws = self.sheet(self.names.claim(self.t("materials_sheet")))
        cat = catalogue().materials
        needing = [a for a in self.view.activities if a.material_counts]
        weeks = print_list([(self.day(a), a.material_counts) for a in needing])
        due = {wk.week: wk.due for wk in weeks}
        used = {m for a in needing for m in a.material_counts}
        taken = [m for m in cat if m in used] + sorted(m for m in used if m not in cat)
        value = lambda a: None  # noqa: E731 (rows are given)
        columns = [
            Column(self.t("week"), value, "short", min_width=9),
            Column(self.t("due").format(days=print_lead_days()), value, "date", min_width=11),
            *self.when(),
            Column(self.t("venue"), value, max_width=30),
            Column(self.t("format"), value, max_width=20),
            Column(self.t("collector"), value, max_width=12),
            Column(self.t("with"), value, max_width=24),
            *(Column(self.material_header(m), value, "count", max_width=12, min_width=8) for m in taken),
            Column(self.t("materials"), value, max_width=40),
            Column(self.t("id"), value, "small", max_width=30),
        ]
        rows: list[list[Any]] = []
        totals: list[int] = []  # the rows (1-based, header included) that are week totals
        by_week: dict[str, list[ActivityView]] = {}
        for a in needing:  # in plan order within each week
            by_week.setdefault(iso_week(self.day(a)), []).append(a)
        for wk in weeks:
            for a in by_week.get(wk.week, []):
                who = a.collector
                rows.append([wk.week, due[wk.week], self.day(a), self.weekday(a), self.start(a), self.end(a),
                             a.venue_name, a.format_name, who.name if who else "",
                             self.staff(a, without=who.id if who else None),
                             *(a.material_counts.get(m) for m in taken),
                             self.join(material_text(m, n, self.lang) for m, n in a.material_counts.items()), a.id])
            rows.append([wk.week, wk.due, None, None, None, None, self.t("week_total"), None, None, None,
                         *(wk.totals.get(m) for m in taken), None, None])
            totals.append(len(rows) + 1)
        if weeks:
            rows.append([self.t("total"), None, None, None, None, None, self.t("print_total"), None, None, None,
                         *(sum(wk.totals.get(m, 0) for wk in weeks) if cat.get(m) is None or cat[m].used_up else None
                           for m in taken), None, None])
            totals.append(len(rows) + 1)
        self.table(ws, columns, [], page_title=self.t("materials_sheet"), rows=rows, freeze_after=2,
                   totals=frozenset(totals))

    def people(self) -> None:
        staff = list(self.plan.staff)
        for person, title in zip(staff, _titles([(s.name, s.id) for s in staff], self.names)):
            ws = self.sheet(title, STAFF_TAB)
            parts = [person.name, self.view.role_name(person.role), person.team or ""]
            self.table(ws, self.staff_columns(person.id), self.view.for_staff(person.id),
                       page_title=" · ".join(p for p in parts if p))

    def places(self) -> None:
        venues = list(self.plan.venues)
        kinds = catalogue().venue_kinds
        for venue, title in zip(venues, _titles([(v.name, v.id) for v in venues], self.names)):
            ws = self.sheet(title, VENUE_TAB)
            kind = kinds[venue.kind].name(self.lang) if venue.kind in kinds else venue.kind
            parts = [venue.name, kind, venue.address or ""]
            self.table(ws, self.venue_columns(), self.view.for_venue(venue.id),
                       page_title=" · ".join(p for p in parts if p))

    def build(self) -> bytes:
        """The workbook's bytes: the same plan (and the same entries carried) gives the same bytes."""
        self.roster()
        self.ledger()
        self.cancelled()
        self.unmatched()
        self.materials()
        if len(self.plan.staff) + len(self.plan.venues) <= SHEETS_PER_PERSON_MAX:
            self.people()
            self.places()
        # Same plan, same bytes: stamp the campaign start, not the wall clock (XlsxWriter
        # writes it as both created and modified, and dates every part of the zip 1980-01-01).
        self.wb.set_properties({
            "title": cell_text(self.plan.campaign.name)[:255],
            "subject": cell_text(self.plan.station.name)[:255],
            "author": "fanzha-planner",
            "created": datetime.combine(self.plan.campaign.start, time(0, 0)),
        })
        self.wb.close()
        return self.out.getvalue()


_cell_text = lru_cache(maxsize=1 << 16)(cell_text)  # the same names and words, row after row


@lru_cache(maxsize=1 << 16)  # the same names and words in the same columns, row after row
def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell needs at this column width."""
    room = max(width - 1.5, 1)
    return sum(max(1, math.ceil(text_width(line) / room)) for line in text.split("\n"))


# --- entry points --------------------------------------------------------------------------------------


@contextmanager
def _collector_waits() -> Iterator[None]:
    """Python's cycle collector off while the workbook is built, on again after (if it was).

    XlsxWriter keeps every cell (a small tuple) until the file is closed: a city's million
    cells made each full collection walk them all, a quarter of the workbook's time. Building
    it makes no reference cycles worth collecting meanwhile; what it frees, it frees at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def workbook_bytes(view: PlanView, previous: "LedgerRead | None" = None,
                   earlier: PlanView | None = None) -> tuple[bytes, "Merged | None"]:
    """The file's bytes (the same for the same plan and the same entries carried) and what was
    carried over from `previous` (None without it)."""
    book = _Book(view)
    if previous is not None:
        book.carry(previous, earlier)
    with _collector_waits():
        return book.build(), book.merged


def write_xlsx(view: PlanView, path: Path, previous: "LedgerRead | None" = None,
               earlier: PlanView | None = None) -> "Merged | None":
    """Write the roster workbook to `path`, atomically: a temp file beside it, then a rename.

    Readers never see a half-written file, and a failure leaves the old file as it was.
    With `previous`, what a station typed into an earlier workbook's ledger is carried over
    by activity id (`earlier`: the plan view that workbook was written from, if known); the
    result says what was carried, cancelled and left unmatched.
    """
    path = Path(path)
    data, merged = workbook_bytes(view, previous, earlier)
    atomic.write_bytes(path, data)
    return merged
