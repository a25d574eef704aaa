"""What a station typed into the 台账 (Ledger) of a plan.xlsx, read back and matched to a plan.

The ledger (see `planner.export.xlsx`) is pre-filled with what the plan knows and has blank
columns for what happened. `read_ledger` reads a workbook as Excel, WPS or LibreOffice may
have saved it: sheets and columns are found by their header text in either language (zh or
en), wherever the header row is, whatever the column order; a formula a user typed counts
with the value the spreadsheet last computed for it. `read_entries` gives, per activity id,
the values typed into the blank columns keyed by a stable column key (`ENTRY_KEYS`).

`merge` matches what was read against a new plan, so that a new plan.xlsx can carry it: the
entries of each activity still planned, the activities no longer planned that had entries
(cancelled), and everything that matches nothing (a row without a known id, a column the
ledger does not have, a pre-filled cell changed to something the plan does not say), which
is kept apart, never dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Iterable

from planner.export.columns import HANDOUTS, MATERIAL_KEYS, UNKNOWN_KEY, L, cell_text
from planner.messages import NP_, every_language

__all__ = ["ENTRY_KEYS", "PLANNED_KEYS", "MATERIAL_KEYS", "LedgerUnreadable", "LedgerRow", "Unmatched",
           "LedgerRead", "Cancelled", "Merged", "read_ledger", "read_entries", "merge", "same_value",
           "same_planned", "header_key"]

#: The blank columns a station fills in, in the ledger's order.
ENTRY_KEYS = ("partners", "reached", *(MATERIAL_KEYS[m] for m in HANDOUTS), "installs", "households",
              "photos", "status", "notes")
#: The columns the plan fills in (`id` identifies the row).
PLANNED_KEYS = ("date", "weekday", "start", "end", "venue", "kind", "format", "theme", "key_date", "audience",
                "staff", "expected_reach", "id")
#: The cancelled-activities sheet's first column (ours: not an entry).
MARK_KEY = "plan_status"
#: The unmatched-entries sheet's columns.
UNMATCHED_KEYS = ("where", "id", "column", "value", "planned", "why")

# key → its words in L; materials are the catalogue's names
_WORD = {"expected_reach": "reach", "plan_status": "plan_status", "where": "u_where", "column": "u_column",
         "value": "u_value", "planned": "u_planned", "why": "u_why"}
_IGNORED_TEXT = {"total", "nothing", "cancelled"}  # our words in rows without an id: not entries
_HEADER_SCAN = 30  # rows searched for the header row


class LedgerUnreadable(Exception):
    """The file is not a workbook openpyxl can read (corrupt, encrypted, another format)."""


def header_key(text: Any) -> str:
    """Header text as compared: NFKC (full-width brackets become ASCII), no spaces, case folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


def _loose(key: str) -> str:
    """Without bracketed parts: "宣传单(份)" and "宣传单" are the same column."""
    return re.sub(r"\([^)]*\)", "", key)


def _known_headers() -> tuple[dict[str, str], dict[str, str]]:
    """(normalised header → column key, normalised header → "zh" or "en"), for the headers of
    both languages, with and without a bracketed unit."""
    from planner.catalogue import catalogue

    words: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for key in (*PLANNED_KEYS, *ENTRY_KEYS, MARK_KEY, *UNMATCHED_KEYS):
        if key not in MATERIAL_KEYS.values():
            said = every_language(L[_WORD.get(key, key)])
            words[key] = ((said["zh"],), (said["en"],))
    materials = catalogue().materials
    for material, key in MATERIAL_KEYS.items():
        if material in materials:
            info = materials[material]
            column = every_language(NP_("ledger: handout column", "{name}"))  # as plan.xlsx heads it
            words[key] = ((column["zh"].format(name=info.zh), info.zh),
                          (column["en"].format(name=info.en.capitalize()), info.en))
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    language: dict[str, str] = {}
    for key, (zh, en) in words.items():
        for lang, texts in (("zh", zh), ("en", en)):
            for text in texts:
                exact.setdefault(header_key(text), key)
                loose.setdefault(_loose(header_key(text)), key)
                language.setdefault(header_key(text), lang)
    return {**loose, **exact}, language


def _ignored_words() -> set[str]:
    return {header_key(text) for key in _IGNORED_TEXT for text in every_language(L[key]).values()}


# --- values --------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A cell's value as carried: None for blank, whole floats as ints, other objects as text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, (int, datetime, date, time, timedelta)):
        return value
    text = getattr(value, "text", None)  # ArrayFormula
    return str(text if text is not None else value)


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _norm(value: Any) -> tuple[str, Any]:
    if isinstance(value, datetime):
        if value.time() == time(0):
            return "d", value.date().isoformat()
        return "s", value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return "d", value.isoformat()
    if isinstance(value, time):
        minutes = round((value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 60)
        return "t", f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "n", float(value)
    text = unicodedata.normalize("NFC", cell_text(value)).strip()
    if _NUMBER.fullmatch(text):
        return "n", float(text)
    try:
        return "d", date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
        try:
            return _norm(time.fromisoformat(text.zfill(5) if len(text) < 5 else text))
        except ValueError:
            pass
    return "s", text


def same_value(a: Any, b: Any) -> bool:
    """Whether two cell values say the same: blank equals blank, a date cell its ISO text, a
    time to the minute (spreadsheets store times as fractions of a day), numbers by value."""
    a, b = _plain(a), _plain(b)
    if a is None or b is None:
        return a is None and b is None
    return _norm(a) == _norm(b)


def _sort_text(value: Any) -> str:
    return "" if value is None else str(_norm(value)[1])


# --- reading ---------------------------------------------------------------------------------------------


@dataclass
class LedgerRow:
    """One row of a ledger (or of the cancelled-activities sheet) as found."""

    sheet: str
    row: int
    id: str | None
    entries: dict[str, Any] = field(default_factory=dict)  # ENTRY_KEYS → value
    planned: dict[str, Any] = field(default_factory=dict)  # PLANNED_KEYS (not id) → value
    cells: dict[str, str] = field(default_factory=dict)  # key → "A2"
    headers: dict[str, str] = field(default_factory=dict)  # key → header text as found
    extra: list[tuple[str, str, Any]] = field(default_factory=list)  # (header, cell, value) of unknown columns
    cancelled: bool = False  # from the cancelled-activities sheet

    def where(self, key: str) -> str:
        return f"{self.sheet}!{self.cells.get(key, f'A{self.row}')}"


@dataclass
class Unmatched:
    """Something typed that belongs to no activity of the plan, kept as found."""

    where: Any
    id: Any
    column: Any
    value: Any
    planned: Any = None
    why: Any = None

    def as_row(self) -> tuple:
        return (self.where, self.id, self.column, self.value, self.planned, self.why)


@dataclass
class LedgerRead:
    path: Path | None  # None when read from bytes
    rows: list[LedgerRow] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)  # from an earlier unmatched-entries sheet
    found: bool = False  # a ledger sheet was found
    language: str | None = None  # "zh" or "en": the language of the ledger's headers

    def entries(self) -> dict[str, dict[str, Any]]:
        """Activity id → {entry key: value}, for every row with an id and something typed.

        A later row of the same id fills only the keys the earlier rows left blank."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            if row.id is None or not row.entries:
                continue
            target = out.setdefault(row.id, {})
            for key, value in row.entries.items():
                target.setdefault(key, value)
        return out


def _cell_name(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _find_header(rows: list[tuple], known: dict[str, str]) -> tuple[int, dict[int, str], dict[int, str]] | None:
    """(row index, column → key, column → header text) of the first row that looks like a header."""
    for index, cells in enumerate(rows[:_HEADER_SCAN]):
        keys: dict[int, str] = {}
        texts: dict[int, str] = {}
        for col, (value, _) in enumerate(cells):
            if isinstance(value, str) and value.strip():
                texts[col] = value
                norm = header_key(value)
                key = known.get(norm) or known.get(_loose(norm))
                if key and key not in keys.values():
                    keys[col] = key
        found = set(keys.values())
        ledger = len(found & set(ENTRY_KEYS)) >= 2
        unmatched = {"where", "column", "value"} <= found
        if ledger or unmatched:
            return index, keys, texts
    return None


def _sheet_rows(ws, max_row: int | None = None) -> list[tuple]:
    """The sheet (its first `max_row` rows) as rows of (value, is_formula), padded to the same width."""
    rows = []
    for cells in ws.iter_rows(max_row=max_row):
        rows.append(tuple((getattr(c, "value", None), getattr(c, "data_type", None) == "f") for c in cells))
    width = max((len(r) for r in rows), default=0)
    return [r + ((None, False),) * (width - len(r)) for r in rows]


def read_ledger(source: Path | str | bytes) -> LedgerRead:
    """Read what was typed into the ledger of the workbook at `source` (a path, or the file's bytes).

    Raises LedgerUnreadable when the file cannot be opened as a workbook. A workbook without
    a ledger sheet gives `found=False` and no rows.
    """
    try:
        book = _load(source, data_only=False)
    except Exception as e:  # zip, XML, format or permission errors alike: the file is kept, not read
        raise LedgerUnreadable(_reason(e)) from None
    try:
        return _read(source, book)
    except Exception as e:
        raise LedgerUnreadable(_reason(e)) from None
    finally:
        book.close()


def _load(source: Path | str | bytes, data_only: bool):
    import io
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (WPS, Excel)
        return openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, bytes) else Path(source),
                                      read_only=True, data_only=data_only)


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}"[:200] if text else type(error).__name__


def _read(source: Path | str | bytes, book) -> LedgerRead:
    known, languages = _known_headers()
    ignored = _ignored_words()
    result = LedgerRead(None if isinstance(source, bytes) else Path(source))
    tables = []
    for ws in book.worksheets:
        if not hasattr(ws, "iter_rows"):
            continue  # a chart sheet
        header = _find_header(_sheet_rows(ws, _HEADER_SCAN), known)
        if header is not None:  # only the tables of ours are read whole
            tables.append((ws.title, _sheet_rows(ws), header))
    formulas = [(title, r, c) for title, rows, (h, _, _) in tables for r, cells in enumerate(rows) if r > h
                for c, (value, is_formula) in enumerate(cells)
                if is_formula and not _is_total_formula(value)]
    cached = _cached_values(source, formulas) if formulas else {}

    for title, rows, (h, keys, texts) in tables:
        found = set(keys.values())
        if {"where", "column", "value"} <= found and not (found & set(ENTRY_KEYS)):
            result.unmatched += _read_unmatched(title, rows, h, keys, texts)
            continue
        result.found = True
        if result.language is None:
            votes = [languages.get(header_key(text)) for text in texts.values()]
            zh, en = votes.count("zh"), votes.count("en")
            result.language = "zh" if zh > en else "en" if en > zh else None
        cancelled = MARK_KEY in found
        id_col = next((c for c, k in keys.items() if k == "id"), None)
        for r in range(h + 1, len(rows)):
            cells = rows[r]
            ident = _plain(cells[id_col][0]) if id_col is not None else None
            ident = str(ident).strip() if ident is not None else None
            row = LedgerRow(title, r + 1, ident or None, cancelled=cancelled)
            for c, (value, is_formula) in enumerate(cells):
                if is_formula:
                    if _is_total_formula(value):
                        continue
                    value = cached.get((title, r, c), value)
                value = _plain(value)
                if value is None:
                    continue
                key = keys.get(c)
                if key == "id" or key == MARK_KEY:
                    if key == "id":  # where the id is, for messages naming the row (planner.records)
                        row.cells["id"] = _cell_name(r + 1, c + 1)
                        row.headers["id"] = " ".join(str(texts.get(c, key)).split())
                    continue
                if row.id is None and isinstance(value, str) and header_key(value) in ignored:
                    continue  # the totals row's label, the "nothing planned" note
                cell = _cell_name(r + 1, c + 1)
                if key in ENTRY_KEYS:
                    row.entries[key] = value
                elif key in PLANNED_KEYS:
                    row.planned[key] = value
                else:
                    heading = texts.get(c) or _cell_name(h + 1, c + 1)
                    row.extra.append((" ".join(str(heading).split()), cell, value))
                    continue
                row.cells[key] = cell
                row.headers[key] = " ".join(str(texts.get(c, key)).split())
            if row.entries or row.planned or row.extra:
                result.rows.append(row)
    return result


def _is_total_formula(value: Any) -> bool:
    return isinstance(value, str) and value.replace(" ", "").upper().startswith("=SUBTOTAL(")


def _cached_values(source: Path | str | bytes,
                   wanted: list[tuple[str, int, int]]) -> dict[tuple[str, int, int], Any]:
    """The values a spreadsheet last computed for these formula cells (none where openpyxl saved it)."""
    want = set(wanted)
    sheets = {title for title, _, _ in wanted}
    out: dict[tuple[str, int, int], Any] = {}
    book = _load(source, data_only=True)
    try:
        for ws in book.worksheets:
            if ws.title not in sheets:
                continue
            for r, cells in enumerate(ws.iter_rows()):
                for c, cell in enumerate(cells):
                    if (ws.title, r, c) in want and getattr(cell, "value", None) is not None:
                        out[(ws.title, r, c)] = cell.value
    finally:
        book.close()
    return out


def _read_unmatched(title: str, rows: list[tuple], h: int, keys: dict[int, str],
                    texts: dict[int, str]) -> list[Unmatched]:
    out = []
    for r in range(h + 1, len(rows)):
        found: dict[str, Any] = {}
        extra = []
        for c, (value, _) in enumerate(rows[r]):
            value = _plain(value)
            if value is None:
                continue
            key = keys.get(c)
            if key in UNMATCHED_KEYS:
                found[key] = value
            else:
                extra.append((" ".join(str(texts.get(c) or _cell_name(h + 1, c + 1)).split()),
                              _cell_name(r + 1, c + 1), value))
        if {"column", "value"} & set(found):
            out.append(Unmatched(**{k: found.get(k) for k in UNMATCHED_KEYS}))
        for header, cell, value in extra:
            out.append(Unmatched(found.get("where") or f"{title}!{cell}", found.get("id"), header, value,
                                 None, found.get("why")))
    return out


def read_entries(source: Path | str | bytes) -> dict[str, dict[str, Any]]:
    """Activity id → {column key: value typed}, from the ledger (and the cancelled-activities
    sheet) of the workbook at `source` (a path or the file's bytes); keys are `ENTRY_KEYS`.
    Raises LedgerUnreadable."""
    return read_ledger(source).entries()


# --- matching against a plan -----------------------------------------------------------------------------


@dataclass
class Cancelled:
    """An activity no longer in the plan whose ledger row had entries."""

    id: str
    planned: dict[str, Any]  # PLANNED_KEYS → value shown
    entries: dict[str, Any]


@dataclass
class Merged:
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # planned activity id → entries
    cancelled: list[Cancelled] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)

    @property
    def carried(self) -> int:
        """Activities of the new plan whose entries were carried."""
        return sum(1 for e in self.entries.values() if e)


NEUTRAL_KEYS = ("date", "start", "end", "venue", "staff", "expected_reach")


def same_planned(key: str, a: Any, b: Any) -> bool:
    """Whether a pre-filled cell (column `key`) read back says what the plan says: as
    `same_value`, with 线上 and online the same venue and staff lists compared name by name."""
    return _same_planned(key, a, b)


def _same_planned(key: str, a: Any, b: Any) -> bool:
    from planner.export.view import ONLINE

    if key == "venue" and a in ONLINE.values() and b in ONLINE.values():  # 线上 / online
        return True
    if key == "staff" and isinstance(a, str) and isinstance(b, str):  # names joined by 、 or ,
        return re.split(r"\s*[、,，]\s*", a.strip()) == re.split(r"\s*[、,，]\s*", b.strip())
    return same_value(a, b)


def merge(read: LedgerRead, *, current: dict[str, dict[str, Any]], withdrawn: dict[str, dict[str, Any]],
          earlier: dict[str, dict[str, Any]] | None, columns: Iterable[str], words,
          other_language: bool = False) -> Merged:
    """Match the rows read against a new plan.

    `current`: id → pre-filled values (PLANNED_KEYS) of each activity of the new plan;
    `withdrawn`: likewise for the new plan's `cancelled` list; `earlier`: likewise for the plan
    the workbook was written from (None when unknown: then every id the new plan lacks counts
    as cancelled); `columns`: the entry keys the new ledger has; `words(key)`: a word of L in
    the new plan's language, for the reasons given on the unmatched sheet; `other_language`:
    the workbook was written in the other language, so only the pre-filled columns that do not
    depend on it (date, times, venue, staff, expected reach) are compared with the plan.
    """
    columns = set(columns)
    merged = Merged()
    cancelled: dict[str, Cancelled] = {}
    unmatched: list[Unmatched] = list(read.unmatched)

    def lost(row: LedgerRow, key: str, value: Any, why: str, planned: Any = None) -> None:
        unmatched.append(Unmatched(row.where(key), row.id, row.headers.get(key, key), value, planned, words(why)))

    for row in read.rows:
        if row.id is None:
            for key, value in {**row.planned, **row.entries}.items():
                lost(row, key, value, "why_no_id")
            for header, cell, value in row.extra:
                unmatched.append(Unmatched(f"{row.sheet}!{cell}", None, header, value, None, words("why_no_id")))
            continue
        refs = [r[row.id] for r in (current, withdrawn, earlier or {}) if row.id in r]
        for key, value in row.planned.items():
            if other_language and key not in NEUTRAL_KEYS:
                continue
            known = [ref for ref in refs if key not in ref.get(UNKNOWN_KEY, ())]
            if known and not any(_same_planned(key, value, ref.get(key)) for ref in known):
                lost(row, key, value, "why_differs", known[0].get(key))
        for header, cell, value in row.extra:
            unmatched.append(Unmatched(f"{row.sheet}!{cell}", row.id, header, value, None, words("why_column")))
        if row.id in current:
            target = merged.entries.setdefault(row.id, {})
        elif row.id in withdrawn or row.cancelled or earlier is None or row.id in earlier:
            if row.id not in cancelled:
                shown = dict(refs[0]) if refs else dict(row.planned)
                cancelled[row.id] = Cancelled(row.id, shown, {})
            target = cancelled[row.id].entries
        else:
            for key, value in row.entries.items():
                lost(row, key, value, "why_unknown_id")
            continue
        for key, value in row.entries.items():
            if key not in columns:
                lost(row, key, value, "why_column")
            elif key not in target:
                target[key] = value
            elif not same_value(target[key], value):
                lost(row, key, value, "why_conflict", target[key])

    merged.cancelled = sorted((c for c in cancelled.values() if c.entries),
                              key=lambda c: (_sort_text(c.planned.get("date")), _sort_text(c.planned.get("start")),
                                             c.id))
    seen: set[tuple] = set()
    for u in unmatched:
        mark = tuple(_sort_text(v) for v in u.as_row())
        if mark not in seen:
            seen.add(mark)
            merged.unmatched.append(u)
    return merged
