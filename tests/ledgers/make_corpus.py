"""The bad-ledger corpus: every way a filled 台账 can be wrong, each with the cell it must name.

    python tests/ledgers/make_corpus.py OUT/plan.xlsx DIR

writes DIR/<case>.xlsx (or .csv) from a plan.xlsx written by `planner plan`, and
DIR/expected.json: for each file, the lines `planner record OUT --ledger FILE` must print,
as [cell, words the line must contain] with cell `SHEET!A1` (or null for a problem with the
whole file). Activity ids and column letters come from the workbook itself, so the corpus
follows the plan it is made from. tests/test_record.py makes it from the starter plan and
checks that every file is refused with exactly those lines and nothing is recorded.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledgerfill import cell_name, columns, ledger_csv, ledger_sheet, rows_by_id  # noqa: E402

Expected = list[tuple[str | None, str]]
CASES: dict[str, Callable[..., Expected]] = {}


def case(function: Callable[..., Expected]) -> Callable[..., Expected]:
    CASES[function.__name__] = function
    return function


class Book:
    """A fresh copy of the workbook, with its ledger, columns and rows at hand."""

    def __init__(self, source: Path) -> None:
        self.book = openpyxl.load_workbook(source)
        self.ws = ledger_sheet(self.book)
        self.cols = columns(self.ws)
        self.rows = rows_by_id(self.ws)
        self.ids = list(self.rows)

    def put(self, ident: str | int, key: str, value: Any) -> str:
        row = self.rows[ident] if isinstance(ident, str) else ident
        self.ws.cell(row, self.cols[key]).value = value
        return cell_name(self.ws, row, key)

    def get(self, ident: str, key: str) -> Any:
        return self.ws.cell(self.rows[ident], self.cols[key]).value

    def new_row(self) -> int:
        return self.ws.max_row + 2

    def venue_names(self) -> list[str]:
        names = []
        for ident in self.ids:
            name = self.get(ident, "venue")
            if name not in names and name not in ("线上", "online"):
                names.append(name)
        return names

    def fine_entry(self) -> None:
        """One good entry, so a bad file is refused for its bad cells, not for being empty."""
        self.put(self.ids[-1], "reached", 40)

    def save(self, path: Path) -> None:
        self.book.save(path)


@case
def wrong_type(b: Book) -> Expected:
    b.fine_entry()
    return [(b.put(b.ids[0], "reached", "三百"), "应为整数")]


@case
def fraction(b: Book) -> Expected:
    b.fine_entry()
    return [(b.put(b.ids[1], "leaflet", 12.5), "应为整数")]


@case
def negative_count(b: Book) -> Expected:
    b.fine_entry()
    return [(b.put(b.ids[2], "households", -4), "不能为负数")]


@case
def date_in_a_count(b: Book) -> Expected:
    b.fine_entry()
    return [(b.put(b.ids[3], "installs", datetime(2026, 6, 3)), "不能是日期")]


@case
def unknown_status(b: Book) -> Expected:
    b.fine_entry()
    return [(b.put(b.ids[4], "status", "也许"), "之一，而不是")]


@case
def not_held_with_figures(b: Book) -> Expected:
    b.fine_entry()
    b.put(b.ids[5], "status", "未开展")
    return [(b.put(b.ids[5], "reached", 50), "活动未开展")]


@case
def unknown_activity_id(b: Book) -> Expected:
    b.fine_entry()
    b.put(b.ids[6], "reached", 10)
    return [(b.put(b.ids[6], "id", "nosuch-stall-20260601-0800"), "中没有活动")]


@case
def row_edited_into_another_venue(b: Book) -> Expected:
    b.fine_entry()
    ident = next(i for i in b.ids if b.get(i, "venue") not in ("线上", "online"))
    other = next(n for n in b.venue_names() if n != b.get(ident, "venue"))
    b.put(ident, "reached", 10)
    return [(b.put(ident, "venue", other), "改成了另一场活动")]


@case
def row_edited_into_another_day(b: Book) -> Expected:
    b.fine_entry()
    ident = b.ids[8]
    day = b.get(ident, "date")
    day = day.date() if isinstance(day, datetime) else day
    b.put(ident, "reached", 10)
    return [(b.put(ident, "date", day + timedelta(days=1)), "改成了另一场活动")]


@case
def extra_outside_the_campaign(b: Book) -> Expected:
    b.fine_entry()
    row = b.new_row()
    b.put(row, "venue", b.venue_names()[0])
    b.put(row, "reached", 10)
    return [(b.put(row, "date", date(2026, 9, 15)), "不在宣传期")]


@case
def extra_at_an_unknown_venue(b: Book) -> Expected:
    b.fine_entry()
    row = b.new_row()
    b.put(row, "date", date(2026, 6, 20))
    b.put(row, "reached", 10)
    return [(b.put(row, "venue", "不存在的社区"), "中的场所（名称或编号）")]


@case
def extra_without_a_date(b: Book) -> Expected:
    b.fine_entry()
    row = b.new_row()
    b.put(row, "reached", 10)
    return [(b.put(row, "venue", b.venue_names()[0]), "须填写日期")]


@case
def same_activity_twice_differently(b: Book) -> Expected:
    b.fine_entry()
    ident = b.ids[9]
    b.put(ident, "reached", 100)
    row = b.new_row()
    for key in ("date", "start", "end", "venue", "format", "id"):
        b.put(row, key, b.get(ident, key))
    return [(b.put(row, "reached", 120), "同一活动的另一行")]


@case
def three_problems_at_once(b: Book) -> Expected:
    b.fine_entry()
    return [(b.put(b.ids[0], "reached", "约200"), "应为整数"),
            (b.put(b.ids[1], "gift", -1), "不能为负数"),
            (b.put(b.ids[2], "status", "done?"), "之一，而不是")]


@case
def another_plans_ledger(b: Book) -> Expected:
    first = None
    for ident in b.ids:
        where = b.put(ident, "id", f"{ident}-x")
        first = first or where
    b.put(b.rows[b.ids[0]], "reached", 10)
    return [(first, "另一份方案的台账")]


def not_ours(path: Path) -> Expected:
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["姓名", "电话", "人数"])
    book.active.append(["张三", "13800000000", 3])
    book.save(path)
    return [(None, "没有带本工具各列")]


def corrupt(path: Path, source: Path) -> Expected:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return [(None, "无法作为工作簿读取")]


def encrypted(path: Path) -> Expected:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4088)
    return [(None, "加密的工作簿")]


def locked(path: Path, source: Path) -> Expected:
    path.write_bytes(source.read_bytes())
    path.with_name("~$" + path.name).write_bytes(b"\x0cWPS user")
    return [(None, "正在表格软件中打开")]


def empty_csv(path: Path) -> Expected:
    path.write_bytes(b"")
    return [(None, "是空文件")]


def make(source: Path, folder: Path) -> dict[str, Expected]:
    """Write every case into `folder` (and expected.json); → file name → expected lines."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, Expected] = {}
    for name, build in CASES.items():
        b = Book(source)
        expected[f"{name}.xlsx"] = build(b)
        b.save(folder / f"{name}.xlsx")
    expected["not_ours.xlsx"] = not_ours(folder / "not_ours.xlsx")
    expected["corrupt.xlsx"] = corrupt(folder / "corrupt.xlsx", source)
    expected["encrypted.xlsx"] = encrypted(folder / "encrypted.xlsx")
    expected["locked.xlsx"] = locked(folder / "locked.xlsx", source)
    expected["empty.csv"] = empty_csv(folder / "empty.csv")
    # a CSV export (GB18030, as Chinese Excel saves it) with a wrong type: the sheet is the file's name
    b = Book(source)
    b.fine_entry()
    where = b.put(b.ids[0], "reached", "三百人")
    b.save(folder / ".csv-source.xlsx")
    ledger_csv(folder / ".csv-source.xlsx", folder / "csv_wrong_type.csv", "gb18030")
    (folder / ".csv-source.xlsx").unlink()
    expected["csv_wrong_type.csv"] = [(f"csv_wrong_type!{where.split('!')[1]}", "应为整数")]
    (folder / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return expected


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python tests/ledgers/make_corpus.py OUT/plan.xlsx DIR")
    for file, lines in make(Path(sys.argv[1]), Path(sys.argv[2])).items():
        print(file, lines)
