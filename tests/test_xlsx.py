"""plan.xlsx: real files written by write_xlsx and read back with openpyxl."""

from __future__ import annotations

import copy
import json
import os
import re
import stat
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from conftest import CONTRACT_EXAMPLE, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.catalogue import catalogue
from planner.export.view import build_view
from planner.export.xlsx import SheetNames, put, sheet_title, text_width, write_xlsx
from planner.loader import load_plan

SAMPLE = ROOT / "tests" / "data" / "sample-plan.json"
HOSTILE_VENUE = '=HYPERLINK("http://x","y")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORBIDDEN = set('[]:*?/\\')


def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def make_view(tmp_path: Path, replace: dict[str, str] | None = None, data: dict | None = None, change=None):
    """A view of the contract example (with text replaced, then `change(plan)` applied) and
    plan.json (default: the sample)."""
    text = CONTRACT_EXAMPLE.read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_plan(path)
    if change:
        change(loaded.plan)
    return build_view(loaded, data if data is not None else sample())


def write(tmp_path: Path, view) -> openpyxl.Workbook:
    out = tmp_path / "out" / "plan.xlsx"
    out.parent.mkdir(exist_ok=True)
    write_xlsx(view, out)
    return openpyxl.load_workbook(out)


def table(ws, id_header: str = "活动编号") -> list[dict[str, openpyxl.cell.Cell]]:
    """Rows of a sheet's table as {header: cell}, for the rows that carry an activity id."""
    headers = [c.value for c in ws[1]]
    assert id_header in headers, headers
    rows = []
    for cells in ws.iter_rows(min_row=2):
        row = dict(zip(headers, cells))
        if row[id_header].value:
            rows.append(row)
    return rows


def values(row: dict) -> dict:
    return {k: c.value for k, c in row.items()}


@pytest.fixture
def zh(tmp_path):
    view = make_view(tmp_path)
    return view, write(tmp_path, view)


@pytest.fixture
def hostile(tmp_path):
    view = make_view(tmp_path, {
        "name: 幸福里社区": f"name: '{HOSTILE_VENUE}'",
        "name: 王力": "name: '@SUM(1)'",
        "name: 赵敏": "name: '-1+2'",
        "name: 东方红农贸市场": r'''name: "../<script>alert('x')</script>\n第二行 \"q\" & O'Brien [a]:*?/\\"''',
    })
    return view, write(tmp_path, view)


# --- sheets -------------------------------------------------------------------------------------------


def test_zh_sheets_in_order(zh):
    _, wb = zh
    assert wb.sheetnames == ["排班表", "台账", "物料清单", "王力", "赵敏", "幸福里社区", "东方红农贸市场"]
    assert wb.active.title == "排班表"


def test_en_sheets_and_words(tmp_path):
    view = make_view(tmp_path, {"language: zh ": "language: en "})
    wb = write(tmp_path, view)
    assert wb.sheetnames == ["Roster", "Ledger", "Materials", "王力", "赵敏", "幸福里社区", "东方红农贸市场"]
    rows = table(wb["Roster"], "Activity id")
    first = values(rows[0])
    assert first["Day"] == "Wed"
    assert first["Theme"] == catalogue().fraud_types["order_brushing"].en
    assert first["Format"] == catalogue().formats["stall"].en
    headers = [c.value for c in wb["Ledger"][1]]
    for h in ("People reached", "Expected reach", "Leaflets", "App installs", "Households visited",
              "Photos (count or file names)", "Notes"):
        assert h in headers


# --- the roster -----------------------------------------------------------------------------------------


def test_roster_has_a_row_per_activity_with_the_right_values(zh):
    view, wb = zh
    ws = wb["排班表"]
    rows = table(ws)
    raw = sorted(sample()["activities"], key=lambda a: (a["start"], a["id"]))
    assert [r["活动编号"].value for r in rows] == [a["id"] for a in raw]
    cat = catalogue()
    staff = {s.id: s.name for s in view.loaded.plan.staff}
    venues = {v.id: v.name for v in view.loaded.plan.venues}
    for row, a in zip(rows, raw):
        start = datetime.fromisoformat(a["start"])
        end = datetime.fromisoformat(a["end"])
        got = values(row)
        assert got["日期"].date() == start.date()
        assert row["日期"].is_date and row["日期"].number_format == "yyyy-mm-dd"
        assert got["开始"] == start.time().replace(tzinfo=None)
        assert got["结束"] == end.time().replace(tzinfo=None)
        assert row["开始"].number_format == "hh:mm" and row["结束"].number_format == "hh:mm"
        assert got["星期"] == "一二三四五六日"[start.weekday()].join(["周", ""])
        assert got["场所"] == (venues[a["venue"]] if a["venue"] else "线上")
        assert got["形式"] == cat.formats[a["activity"]].zh
        assert got["人员"] == "、".join(staff[s] for s in a["staff"])
        assert got["宣传主题"] == cat.fraud_types[a["theme"]].zh
        assert got["预计覆盖人数"] == a["reach"]
        if a["key_date"]:
            assert got["关键节点"]
    # the contract example's 幸福里社区 has an address; the roster carries it
    assert values(rows[0])["地址"] == "兰州市城关区广武门街道…"


def test_times_are_shown_in_the_plans_time_zone(tmp_path):
    data = sample()
    data["activities"] = [dict(data["activities"][0], start="2026-06-03T09:30:00+00:00",
                               end="2026-06-03T11:30:00+00:00")]
    wb = write(tmp_path, make_view(tmp_path, data=data))
    got = values(table(wb["排班表"])[0])
    assert got["日期"].date() == date(2026, 6, 3)
    assert (got["开始"], got["结束"]) == (time(17, 30), time(19, 30))


# --- staff and venue sheets ------------------------------------------------------------------------


def test_each_staff_sheet_has_exactly_that_persons_activities(zh):
    view, wb = zh
    raw = sample()["activities"]
    for person in view.loaded.plan.staff:
        ids = [r["活动编号"].value for r in table(wb[person.name])]
        expected = sorted((a for a in raw if person.id in a["staff"]), key=lambda a: (a["start"], a["id"]))
        assert ids == [a["id"] for a in expected], person.id
        for row in table(wb[person.name]):  # the others on the activity, not the person again
            assert person.name not in (row["同行人员"].value or "")


def test_each_venue_sheet_has_exactly_that_venues_activities(zh):
    view, wb = zh
    raw = sample()["activities"]
    for venue in view.loaded.plan.venues:
        ids = {r["活动编号"].value for r in table(wb[venue.name])}
        assert ids == {a["id"] for a in raw if a["venue"] == venue.id}


def test_staff_without_activities_still_gets_a_sheet(tmp_path):
    data = sample()
    for a in data["activities"]:
        a["staff"] = [s for s in a["staff"] if s != "zhao-min"] or ["wang-li"]
    wb = write(tmp_path, make_view(tmp_path, data=data))
    assert table(wb["赵敏"]) == []
    assert wb["赵敏"]["A2"].value == "（本期无安排）"


def test_people_sharing_a_name_get_their_id_in_the_sheet_name(tmp_path):
    view = make_view(tmp_path, {"name: 赵敏": "name: 王力"})
    wb = write(tmp_path, view)
    assert wb.sheetnames[3:5] == ["王力 (wang-li)", "王力 (zhao-min)"]
    ids = {r["活动编号"].value for r in table(wb["王力 (zhao-min)"])}
    assert ids == {a["id"] for a in sample()["activities"] if "zhao-min" in a["staff"]}


def test_a_name_equal_to_a_main_sheet_is_kept_apart(tmp_path):
    wb = write(tmp_path, make_view(tmp_path, {"name: 王力": "name: 排班表", "name: 东方红农贸市场": "name: history"}))
    assert wb.sheetnames[:2] == ["排班表", "台账"]
    assert "排班表 (wang-li)" in wb.sheetnames
    assert "history (dongfanghong)" in wb.sheetnames


# --- the ledger --------------------------------------------------------------------------------------


LEDGER_FILL_IN = ["实际覆盖人数", "宣传单\n（份）", "宣传册\n（份）", "海报\n（份）", "致居民的一封信\n（份）",
                  "宣传品\n（份）", "App安装数", "入户户数", "照片\n（张数或文件名）", "开展情况", "备注", "协办单位"]


def test_ledger_is_prefilled_with_the_planned_rows(zh):
    view, wb = zh
    ws = wb["台账"]
    headers = [c.value for c in ws[1]]
    for h in ["日期", "开始", "结束", "场所", "场所类型", "形式", "宣传主题", "宣传对象", "人员", *LEDGER_FILL_IN]:
        assert h in headers, h
    # the planned reach stands beside the actual
    assert headers.index("实际覆盖人数") == headers.index("预计覆盖人数") + 1
    rows = table(ws)
    assert [r["活动编号"].value for r in rows] == [a.id for a in view.activities]
    for row, a in zip(rows, view.activities):
        got = values(row)
        assert got["日期"].date() == a.day
        assert got["场所"] == a.venue_name and got["场所类型"] == a.kind_name
        assert got["预计覆盖人数"] == a.reach
        assert all(got[h] is None for h in LEDGER_FILL_IN)
    assert values(rows[0])["场所类型"] == "社区"


def test_ledger_counts_are_validated_and_totalled(zh):
    view, wb = zh
    ws = wb["台账"]
    headers = [c.value for c in ws[1]]
    last = 1 + len(view.activities)
    whole = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert len(whole) == 1
    dv = whole[0]
    assert (dv.operator, dv.formula1, dv.showErrorMessage) == ("greaterThanOrEqual", "0", True)
    numeric = ["实际覆盖人数", "宣传单\n（份）", "宣传册\n（份）", "海报\n（份）", "致居民的一封信\n（份）",
               "宣传品\n（份）", "App安装数", "入户户数"]
    for h in numeric:
        letter = openpyxl.utils.get_column_letter(headers.index(h) + 1)
        assert f"{letter}2" in dv.sqref and f"{letter}{last}" in dv.sqref, h
        assert f"{letter}{last + 1}" not in dv.sqref  # not the totals row
        total = ws[f"{letter}{last + 1}"]
        assert total.value == f"=SUBTOTAL(109,{letter}2:{letter}{last})"
    text = openpyxl.utils.get_column_letter(headers.index("备注") + 1)
    assert f"{text}2" not in dv.sqref
    assert ws.cell(last + 1, 1).value == "合计"
    status = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert status and "已开展" in status[0].formula1


# --- layout and print ------------------------------------------------------------------------------------


def test_every_sheet_prints_landscape_fitted_to_width_with_the_header_repeated(zh):
    _, wb = zh
    for ws in wb:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize in (9, "9")  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        # fitToWidth may be left out: 1 is its default (ECMA-376 part 1, 18.3.1.63 pageSetup)
        assert int(ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.print_title_rows == "$1:$1"
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2")  # under the header
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert "&P" in ws.oddFooter.center.text
    assert wb["排班表"].freeze_panes == "A2"
    assert wb["排班表"].auto_filter.ref == f"A1:O{1 + 4}"


def test_column_widths_fit_chinese_text(zh):
    view, wb = zh
    ws = wb["排班表"]
    headers = [c.value for c in ws[1]]
    col = openpyxl.utils.get_column_letter(headers.index("场所") + 1)
    # 东方红农贸市场: 7 characters, 14 columns wide
    assert ws.column_dimensions[col].width >= 14
    date_col = openpyxl.utils.get_column_letter(headers.index("日期") + 1)
    assert ws.column_dimensions[date_col].width >= len("2026-06-03")
    for i, h in enumerate(headers, 1):  # every roster header fits on one line
        assert ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width >= text_width(h), h


def test_text_width_counts_cjk_double():
    assert text_width("abc") == 3
    assert text_width("幸福里") == 6
    assert text_width("App安装数") == 9
    assert text_width("第一行\nlonger line") == 11
    assert text_width("（份）") == 6  # full-width brackets


# --- hostile text -----------------------------------------------------------------------------------------


def test_formula_like_text_is_stored_as_text(hostile, tmp_path):
    view, wb = hostile
    roster = table(wb["排班表"])
    venue_cell = roster[0]["场所"]
    assert venue_cell.value == HOSTILE_VENUE
    assert venue_cell.data_type == "s" and venue_cell.data_type != "f"
    assert venue_cell.quotePrefix is True
    assert {"@SUM(1)", "-1+2"} <= set(wb.sheetnames)
    staff_cells = [r["人员"] for r in roster]
    assert "@SUM(1)、-1+2" in [c.value for c in staff_cells]
    with_cells = [r["同行人员"] for r in table(wb["@SUM(1)"])]
    assert "-1+2" in [c.value for c in with_cells]
    checked = 0
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # the only formulas are the ledger's totals
                    assert ws.title == "台账" and cell.value.startswith("=SUBTOTAL(109,"), (ws.title, cell.value)
                elif isinstance(cell.value, str) and cell.value.startswith(TRIGGERS):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
                    checked += 1
    assert checked >= 10


def test_no_formula_element_in_the_file_but_the_totals(hostile, tmp_path):
    """Below openpyxl's reader: the sheet XML has <f> only for the ledger's SUBTOTALs."""
    path = tmp_path / "out" / "plan.xlsx"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        formulas = [f for n in sheets for f in re.findall(r"<f>(.*?)</f>", z.read(n).decode("utf-8"))]
        assert formulas and all(f.startswith("SUBTOTAL(109,") for f in formulas)
        assert "HYPERLINK" not in "".join(formulas)


def test_hostile_names_break_nothing(hostile, tmp_path):
    view, wb = hostile
    name = "../<script>alert('x')</script>\n第二行 \"q\" & O'Brien [a]:*?/\\"
    rows = table(wb["排班表"])
    assert rows[-1]["场所"].value == name  # unchanged, line break included
    title = wb.sheetnames[-1]
    assert title.startswith("..／<script>alert('x')<／script>") and len(title) <= 31
    assert not FORBIDDEN & set(title)
    assert wb[title].print_title_rows == "$1:$1"
    assert values(table(wb[title])[0])["活动编号"] == "dongfanghong-stall-20260619-0700"
    assert "&&" in wb[title].oddHeader.center.text  # '&' escaped in the page header
    # nothing was written but the workbook (no file from a name with ../ in it)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["plan.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "plan.yaml"]


def test_control_characters_are_dropped_not_fatal(tmp_path):
    def change(plan):  # what YAML cannot carry, a plan built in Python can
        plan.staff[0].name = "王\x07力\x00"
        plan.venues[0].name = "幸福\x1b里\r\n社区"
        plan.venues[1].name = " \n\x01 "

    wb = write(tmp_path, make_view(tmp_path, change=change))
    assert "王力" in wb.sheetnames and "幸福里 社区" in wb.sheetnames
    assert values(table(wb["排班表"])[0])["场所"] == "幸福里\n社区"
    assert values(table(wb["排班表"])[0])["人员"] == "王力、赵敏"
    assert wb.sheetnames[-1] == "dongfanghong"  # nothing printable: the id names it


@pytest.mark.parametrize("text, stored", [
    ("=1+1", "=1+1"), ("+86 138 0000 0000", "+86 138 0000 0000"), ("-1+2", "-1+2"), ("@SUM(1)", "@SUM(1)"),
    ("\t=1", "\t=1"), ("\r=1", "\n=1"), ("=", "="), ("-", "-"),
])
def test_put_stores_formula_triggers_as_quoted_text(tmp_path, text, stored):
    wb = openpyxl.Workbook()
    put(wb.active["A1"], text)
    put(wb.active["A2"], "plain")
    wb.save(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert (ws["A1"].value, ws["A1"].data_type, ws["A1"].quotePrefix) == (stored, "s", True)
    assert (ws["A2"].value, ws["A2"].quotePrefix) == ("plain", False)


# --- sheet names ------------------------------------------------------------------------------------------


def legal(title: str) -> bool:
    return (0 < len(title.encode("utf-16-le")) // 2 <= 31 and not FORBIDDEN & set(title)
            and not title.startswith("'") and not title.endswith("'") and title.casefold() != "history")


@pytest.mark.parametrize("name, expected", [
    ("幸福里社区", "幸福里社区"),
    ("a/b\\c:d*e?f[g]", "a／b＼c：d＊e？f［g］"),
    ("'quoted'", "quoted"),
    ("two\nlines\tand  spaces", "two lines and spaces"),
    ("", "Sheet"),
    ("\n\t ", "Sheet"),
    ("兰州市城关区广武门街道幸福里社区居民委员会第一网格党群服务中心活动室",
     "兰州市城关区广武门街道幸福里社区居民委员会第一网格党群服务中…"),
])
def test_sheet_title(name, expected):
    title = sheet_title(name)
    assert title == expected
    assert legal(title)


def test_sheet_title_keeps_the_tag_and_counts_utf16():
    title = sheet_title("x" * 40, "wang-li")
    assert title.endswith(" (wang-li)") and len(title) == 31
    emoji = sheet_title("😀" * 20)  # 2 UTF-16 units each
    assert len(emoji.encode("utf-16-le")) // 2 <= 31 and emoji.endswith("…")
    assert legal(sheet_title("a" * 20, "b" * 63))


def test_sheet_names_are_unique_ignoring_case_and_history_is_reserved():
    names = SheetNames()
    got = [names.claim("Roster"), names.claim("roster"), names.claim("ROSTER", "wang-li"), names.claim("History"),
           names.claim("x" * 40), names.claim("x" * 41)]
    assert got[0] == "Roster"
    assert got[1] == "roster (2)"
    assert got[2] == "ROSTER (wang-li)"
    assert got[3] == "History (2)"
    assert got[4] != got[5] and all(len(t) <= 31 for t in got)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=50), st.sampled_from(["wang-li", "x", "a" * 63, ""])), max_size=12))
def test_any_names_give_legal_unique_sheet_names_openpyxl_accepts(items):
    names = SheetNames()
    titles = [names.claim(name, tag or None) for name, tag in items]
    assert all(legal(t) for t in titles), titles
    assert len({t.casefold() for t in titles}) == len(titles)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for t in titles:
        assert wb.create_sheet(t).title == t  # openpyxl neither refuses nor renames it


# --- files -------------------------------------------------------------------------------------------------


def test_write_is_atomic_and_replaces_the_old_file(tmp_path, monkeypatch):
    view = make_view(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    path = out / "plan.xlsx"
    path.write_bytes(b"old")
    write_xlsx(view, path)
    assert zipfile.is_zipfile(path)
    assert [p.name for p in out.iterdir()] == ["plan.xlsx"]  # no temp file left behind
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask

    good = path.read_bytes()

    def broken(self):
        self.filename.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", broken)
    with pytest.raises(OSError):
        write_xlsx(view, path)
    assert path.read_bytes() == good  # the old file is untouched
    assert [p.name for p in out.iterdir()] == ["plan.xlsx"]


def test_a_full_campaign_of_activities(tmp_path):
    data = sample()
    base = data["activities"]
    data["activities"] = []
    for n in range(90):
        for a in base:
            b = copy.deepcopy(a)
            for key in ("start", "end"):
                b[key] = (datetime.fromisoformat(a[key]) + timedelta(days=n)).isoformat()
            b["id"] = f"{a['id']}-{n}"
            data["activities"].append(b)
    view = make_view(tmp_path, data=data)
    wb = write(tmp_path, view)
    assert len(table(wb["排班表"])) == len(table(wb["台账"])) == 360
    assert len(table(wb["赵敏"])) == sum("zhao-min" in a["staff"] for a in data["activities"])
    days = [r["日期"].value for r in table(wb["排班表"])]
    assert days == sorted(days)


def test_a_plan_with_no_activities_still_writes_every_sheet(tmp_path):
    data = dict(sample(), activities=[])
    wb = write(tmp_path, make_view(tmp_path, data=data))
    assert wb.sheetnames == ["排班表", "台账", "物料清单", "王力", "赵敏", "幸福里社区", "东方红农贸市场"]
    for ws in wb:
        assert table(ws) == []
        assert ws.print_title_rows == "$1:$1"
    assert wb["台账"].max_row == 2  # the header and the note; no totals over nothing


def test_staff_and_venue_sheets_only_up_to_a_stations_size(tmp_path, monkeypatch):
    """Beyond SHEETS_PER_PERSON_MAX staff and venues together (a district, a city) the workbook
    has no sheet per person or venue: the roster and the ledger still have every activity."""
    import planner.export.xlsx as xlsx_module

    view = make_view(tmp_path)
    people = len(view.loaded.plan.staff) + len(view.loaded.plan.venues)
    monkeypatch.setattr(xlsx_module, "SHEETS_PER_PERSON_MAX", people - 1)
    wb = write(tmp_path, view)
    assert wb.sheetnames == ["排班表", "台账", "物料清单"]
    assert len(table(wb["排班表"])) == len(table(wb["台账"])) == len(view.activities)
    monkeypatch.setattr(xlsx_module, "SHEETS_PER_PERSON_MAX", people)
    assert len(write(tmp_path, view).sheetnames) == 3 + people


def test_the_cycle_collector_is_on_again_after_a_workbook(tmp_path, monkeypatch):
    """The workbook is built with Python's cycle collector paused (XlsxWriter keeps every cell
    until it closes the file); it is on again afterwards, also when the build fails, and stays
    off for a caller that had it off."""
    import gc

    import planner.export.xlsx as xlsx_module

    view = make_view(tmp_path)
    seen = []
    build = xlsx_module._Book.build
    monkeypatch.setattr(xlsx_module._Book, "build", lambda self: (seen.append(gc.isenabled()), build(self))[1])
    assert gc.isenabled()
    assert xlsx_module.workbook_bytes(view)[0][:2] == b"PK"
    assert seen == [False] and gc.isenabled()

    def broken(self):
        raise OSError("disk full")

    monkeypatch.setattr(xlsx_module._Book, "build", broken)
    with pytest.raises(OSError):
        xlsx_module.workbook_bytes(view)
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(OSError):
            xlsx_module.workbook_bytes(view)
        assert not gc.isenabled()
    finally:
        gc.enable()
