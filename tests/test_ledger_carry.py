"""What a station types into the 台账 survives every write of plan.xlsx: `planner export`,
`planner replan` (into the same folder or a new one) and `planner plan`, matched by activity id;
cancelled activities keep their entries, marked; what matches nothing is kept on its own sheet;
the previous workbook is kept as a backup. Entries are typed with openpyxl, and once through
LibreOffice."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import plan_starter_once, run_planner

from planner.export.ledger import read_entries

SHORT = ("--time-limit", "3s", "--workers", "1")
SINCE = "2026-07-01"
ID = "活动编号"
REACHED, LEAFLETS, BOOKLETS = "实际覆盖人数", "宣传单\n（份）", "宣传册\n（份）"
INSTALLS, HOUSEHOLDS, PHOTOS = "App安装数", "入户户数", "照片\n（张数或文件名）"
STATUS, NOTES, PARTNERS = "开展情况", "备注", "协办单位"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The starter plan, planned once: folder/plan.yaml and folder/out/."""
    return plan_starter_once(tmp_path_factory, "published", *SHORT)


def copy_out(published: Path, target: Path) -> Path:
    shutil.copytree(published / "out", target)
    return target


def plan_json(out: Path) -> dict:
    return json.loads((out / "plan.json").read_text(encoding="utf-8"))


# --- reading and typing with openpyxl ----------------------------------------------------------------------


def header_columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


def rows_by_id(ws) -> dict[str, dict[str, Any]]:
    """{activity id: {header: value}} of a sheet whose first row is the header."""
    columns = header_columns(ws)
    out = {}
    for r in range(2, ws.max_row + 1):
        ident = ws.cell(r, columns[ID]).value
        if ident:
            out[ident] = {h: ws.cell(r, c).value for h, c in columns.items()}
    return out


def type_into_ledger(path: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Type `entries` ({activity id: {header: value}}) into the ledger, as a station would."""
    wb = openpyxl.load_workbook(path)
    ws = wb["台账"]
    columns = header_columns(ws)
    rows = {ws.cell(r, columns[ID]).value: r for r in range(2, ws.max_row + 1)}
    for ident, values in entries.items():
        for header, value in values.items():
            ws.cell(rows[ident], columns[header]).value = value
    wb.save(path)


def some_entries(ids: list[str]) -> dict[str, dict[str, Any]]:
    """Several columns for each of several activities, every value different."""
    out = {}
    for n, ident in enumerate(ids):
        out[ident] = {REACHED: 100 + n, LEAFLETS: 300 + n, INSTALLS: 10 + n, HOUSEHOLDS: 5 + n,
                      PHOTOS: f"IMG_{n:03d}.jpg、IMG_{n:03d}b.jpg", STATUS: "已开展",
                      NOTES: f"第{n}场：下雨，改在活动室", PARTNERS: f"社区居委会{n}"}
    return out


def assert_entries(found: dict[str, dict[str, Any]], entries: dict[str, dict[str, Any]], where: str) -> None:
    for ident, values in entries.items():
        assert ident in found, f"{ident} missing from {where}"
        for header, value in values.items():
            assert found[ident][header] == value, (where, ident, header)


def ledger_of(path: Path, sheet: str = "台账") -> dict[str, dict[str, Any]]:
    return rows_by_id(openpyxl.load_workbook(path)[sheet])


def backups(out: Path) -> list[Path]:
    folder = out / "backups"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def export_xlsx(out: Path, *extra: str) -> subprocess.CompletedProcess:
    done = run_planner("export", out / "plan.json", "--to", "xlsx", *extra)
    assert done.returncode == 0, done.stderr
    return done


def first_ids(out: Path, n: int, *, before: str | None = None, after: str | None = None, venue=None) -> list[str]:
    ids = [a["id"] for a in plan_json(out)["activities"]
           if (before is None or a["start"] < before) and (after is None or a["start"] >= after)
           and (venue is None or a["venue"] == venue)]
    assert len(ids) >= n, (before, after, venue, len(ids))
    return ids[:n]


# --- export -------------------------------------------------------------------------------------------------


def test_export_carries_every_entry_and_keeps_the_typed_workbook_as_a_backup(published, tmp_path):
    out = copy_out(published, tmp_path / "out")
    entries = some_entries(first_ids(out, 4))
    type_into_ledger(out / "plan.xlsx", entries)
    typed = (out / "plan.xlsx").read_bytes()

    done = export_xlsx(out)
    assert_entries(ledger_of(out / "plan.xlsx"), entries, "the new workbook")
    [backup] = backups(out)
    assert backup.name.startswith("plan-") and backup.suffix == ".xlsx"
    assert backup.read_bytes() == typed
    assert_entries(ledger_of(backup), entries, "the backup")
    assert "台账: 4 条记录已带入新表" in done.stdout and f"备份 backups/{backup.name}" in done.stdout

    # the same plan and the same entries give the same file, and no second backup
    first = (out / "plan.xlsx").read_bytes()
    export_xlsx(out)
    assert (out / "plan.xlsx").read_bytes() == first
    assert backups(out) == [backup]


def test_the_same_entries_typed_twice_give_the_same_bytes(published, tmp_path):
    results = []
    for name in ("a", "b"):
        out = copy_out(published, tmp_path / name)
        type_into_ledger(out / "plan.xlsx", some_entries(first_ids(out, 3)))
        export_xlsx(out)
        results.append((out / "plan.xlsx").read_bytes())
    assert results[0] == results[1]
    assert results[0] != (published / "out" / "plan.xlsx").read_bytes()  # the entries are in it


def test_read_entries_gives_stable_keys(published, tmp_path):
    out = copy_out(published, tmp_path / "out")
    [one, two] = first_ids(out, 2)
    type_into_ledger(out / "plan.xlsx", {one: {REACHED: 80, BOOKLETS: 20, STATUS: "未开展", NOTES: "改期"},
                                         two: {HOUSEHOLDS: 12, PHOTOS: "3"}})
    assert read_entries(out / "plan.xlsx") == {
        one: {"reached": 80, "booklet": 20, "status": "未开展", "notes": "改期"},
        two: {"households": 12, "photos": "3"},
    }


def test_an_english_plan_reads_the_chinese_ledger(published, tmp_path):
    """Columns are matched by header text in either language, not by position."""
    out = copy_out(published, tmp_path / "out")
    entries = some_entries(first_ids(out, 2))
    type_into_ledger(out / "plan.xlsx", entries)
    english = tmp_path / "plan-en.yaml"
    english.write_text((published / "plan.yaml").read_text(encoding="utf-8")
                       .replace("language: zh", "language: en", 1), encoding="utf-8")
    done = export_xlsx(out, "--plan", english)
    assert "ledger: entries of 2 activities carried into the new workbook" in done.stdout
    found = rows_by_id_en(openpyxl.load_workbook(out / "plan.xlsx")["Ledger"])
    english_headers = {REACHED: "People reached", LEAFLETS: "Leaflets", INSTALLS: "App installs",
                       HOUSEHOLDS: "Households visited", PHOTOS: "Photos (count or file names)",
                       STATUS: "Held?", NOTES: "Notes", PARTNERS: "Partners"}
    assert_entries(found, {i: {english_headers[h]: v for h, v in e.items()} for i, e in entries.items()},
                   "the English ledger")
    assert "Unmatched entries" not in openpyxl.load_workbook(out / "plan.xlsx").sheetnames


def rows_by_id_en(ws) -> dict[str, dict[str, Any]]:
    columns = header_columns(ws)
    return {ws.cell(r, columns["Activity id"]).value: {h: ws.cell(r, c).value for h, c in columns.items()}
            for r in range(2, ws.max_row + 1) if ws.cell(r, columns["Activity id"]).value}


# --- what matches nothing -------------------------------------------------------------------------------------


def test_what_matches_no_activity_is_kept_on_its_own_sheet(published, tmp_path):
    out = copy_out(published, tmp_path / "out")
    [kept, edited] = first_ids(out, 2)
    type_into_ledger(out / "plan.xlsx", {kept: {REACHED: 66, NOTES: "正常"}})
    wb = openpyxl.load_workbook(out / "plan.xlsx")
    ws = wb["台账"]
    columns = header_columns(ws)
    row_of = {ws.cell(r, columns[ID]).value: r for r in range(2, ws.max_row + 1)}
    planned_venue = ws.cell(row_of[edited], columns["场所"]).value
    ws.cell(row_of[edited], columns["场所"]).value = "临时改到人民广场"  # a pre-filled cell changed
    bottom = ws.max_row + 2  # a row of its own below the totals, as a station adds one
    ws.cell(bottom, columns["日期"]).value = "2026-06-30"
    ws.cell(bottom, columns["场所"]).value = "群众自发组织"
    ws.cell(bottom, columns[REACHED]).value = 45
    ws.cell(bottom, columns[NOTES]).value = "未列入计划的宣传"
    weather = ws.max_column + 1  # a column of its own
    ws.cell(1, weather).value = "天气"
    ws.cell(row_of[kept], weather).value = "小雨"
    wb.save(out / "plan.xlsx")

    done = export_xlsx(out)
    assert "6 项无法对应到活动的内容保留在「未匹配记录」表" in done.stdout, done.stdout  # 1 + 4 + 1

    def unmatched() -> list[tuple]:
        book = openpyxl.load_workbook(out / "plan.xlsx")
        assert "未匹配记录" in book.sheetnames, book.sheetnames
        rows = list(book["未匹配记录"].iter_rows(values_only=True))
        assert rows[0][:6] == ("原位置", "活动编号", "列", "填写内容", "计划内容", "原因")
        return [r[:6] for r in rows[1:]]

    rows = unmatched()
    values = {(r[1], r[2], r[3]) for r in rows}
    assert (edited, "场所", "临时改到人民广场") in values
    assert [r[4] for r in rows if r[3] == "临时改到人民广场"] == [planned_venue]  # the plan's value beside it
    assert (None, "场所", "群众自发组织") in values and (None, REACHED, 45) in values
    assert (None, "日期", "2026-06-30") in values
    assert (None, NOTES, "未列入计划的宣传") in values
    assert (kept, "天气", "小雨") in values
    assert all(r[5] for r in rows)  # each says why it is there
    # the plan's own rows are the plan's again, and the matched entries are where they belong
    ledger = ledger_of(out / "plan.xlsx")
    assert ledger[edited]["场所"] == planned_venue
    assert ledger[kept][REACHED] == 66 and ledger[kept][NOTES] == "正常"
    ws = openpyxl.load_workbook(out / "plan.xlsx")["台账"]
    assert "群众自发组织" not in [c.value for row in ws.iter_rows() for c in row]

    # and nothing of it is lost on the next write
    export_xlsx(out)
    assert sorted(map(repr, unmatched())) == sorted(map(repr, rows))


def test_an_unreadable_workbook_is_kept_and_does_not_stop_the_run(published, tmp_path):
    out = copy_out(published, tmp_path / "out")
    (out / "plan.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    done = export_xlsx(out)
    assert "无法读取" in done.stdout
    assert zipfile.is_zipfile(out / "plan.xlsx") and "台账" in openpyxl.load_workbook(out / "plan.xlsx").sheetnames
    assert [b.read_bytes() for b in backups(out)] == [b"PK\x03\x04 not really a workbook"]


# --- replan and plan ------------------------------------------------------------------------------------------


def replan_variant(published: Path, tmp_path: Path) -> tuple[Path, str]:
    """xingfu closed from SINCE (its later activities cannot move: cancelled), and someone on
    leave on the day of a later activity elsewhere (re-staffed, moved or cancelled)."""
    text = (published / "plan.yaml").read_text(encoding="utf-8")
    marker = "    address: XX区XX街道幸福里\n"
    assert marker in text
    text = text.replace(marker, marker + '    closed: ["2026-07-01..2026-08-31"]\n', 1)
    data = plan_json(published / "out")
    on_leave_already = "zhang-wei"  # the starter's one person with `unavailable:`
    touched = next(a for a in data["activities"] if a["start"] >= "2026-07-15" and a["venue"] not in (None, "xingfu")
                   and set(a["staff"]) - {on_leave_already})
    person = sorted(set(touched["staff"]) - {on_leave_already})[0]
    anchor = f"  - id: {person}\n"
    assert anchor in text
    text = text.replace(anchor, anchor + f'    unavailable: ["{touched["start"][:10]}"]\n', 1)
    path = tmp_path / "plan-changed.yaml"
    path.write_text(text, encoding="utf-8")
    return path, touched["id"]


def replan_entries(out: Path, touched: str) -> dict[str, dict[str, Any]]:
    before = first_ids(out, 2, before=SINCE)
    closed = first_ids(out, 2, after=SINCE, venue="xingfu")
    return some_entries(before + closed + [touched])


def where_each_went(out: Path, entries: dict[str, dict[str, Any]]) -> tuple[set[str], set[str]]:
    """Check every entry is in the new workbook; → (ids in the ledger, ids kept as cancelled)."""
    data = plan_json(out)
    planned = {a["id"] for a in data["activities"]}
    book = openpyxl.load_workbook(out / "plan.xlsx")
    ledger = rows_by_id(book["台账"])
    assert set(ledger) == planned  # the ledger is the plan's: no cancelled row in its totals
    kept = rows_by_id(book["已取消活动"]) if "已取消活动" in book.sheetnames else {}
    live = {i: e for i, e in entries.items() if i in planned}
    gone = {i: e for i, e in entries.items() if i not in planned}
    assert_entries(ledger, live, "the ledger")
    assert_entries(kept, gone, "the cancelled activities")
    for ident in gone:
        assert kept[ident]["计划状态"] == "已取消"
    ws = book["台账"]
    columns = header_columns(ws)
    total_row = len(planned) + 2
    assert ws.cell(total_row, 1).value == "合计"
    letter = openpyxl.utils.get_column_letter(columns[REACHED])
    assert ws.cell(total_row, columns[REACHED]).value == f"=SUBTOTAL(109,{letter}2:{letter}{total_row - 1})"
    return set(live), set(gone)


def test_replan_into_the_same_folder_carries_entries_and_keeps_cancelled_ones(published, tmp_path):
    out = copy_out(published, tmp_path / "out")
    plan, touched = replan_variant(published, tmp_path)
    entries = replan_entries(out, touched)
    type_into_ledger(out / "plan.xlsx", entries)
    done = run_planner("replan", plan, "--previous", out / "plan.json", "--from", SINCE, "-o", out, *SHORT)
    assert done.returncode == 0, done.stderr
    live, gone = where_each_went(out, entries)
    assert gone, "xingfu is closed from the date: its activities after it are cancelled"
    assert gone <= {c["id"] for c in plan_json(out).get("cancelled", [])} | \
        (set(entries) - {a["id"] for a in plan_json(out)["activities"]})
    assert "台账:" in done.stdout and f"{len(gone)} 条已取消活动的记录保留在「已取消活动」表" in done.stdout
    [backup] = backups(out)
    assert_entries(ledger_of(backup), entries, "the backup")
    # a later write keeps the cancelled ones too
    export_xlsx(out)
    assert where_each_went(out, entries) == (live, gone)


def test_replan_into_a_new_folder_reads_the_previous_folders_ledger(published, tmp_path):
    out = copy_out(published, tmp_path / "out")
    plan, touched = replan_variant(published, tmp_path)
    entries = replan_entries(out, touched)
    type_into_ledger(out / "plan.xlsx", entries)
    typed = (out / "plan.xlsx").read_bytes()
    done = run_planner("replan", plan, "--previous", out / "plan.json", "--from", SINCE,
                       "-o", tmp_path / "new", *SHORT)
    assert done.returncode == 0, done.stderr
    live, gone = where_each_went(tmp_path / "new", entries)
    assert live and gone
    assert (out / "plan.xlsx").read_bytes() == typed  # the previous folder is left as it was


def test_plan_again_into_the_same_folder_carries_entries(published, tmp_path):
    out = copy_out(published, tmp_path / "out")
    entries = some_entries(first_ids(out, 3))
    type_into_ledger(out / "plan.xlsx", entries)
    done = run_planner("plan", published / "plan.yaml", "-o", out, *SHORT)
    assert done.returncode == 0, done.stderr
    where_each_went(out, entries)
    assert "台账:" in done.stdout
    assert len(backups(out)) == 1


# --- LibreOffice ------------------------------------------------------------------------------------------------


def test_a_workbook_saved_by_libreoffice_carries_over(published, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    out = copy_out(published, tmp_path / "out")
    entries = some_entries(first_ids(out, 3))
    type_into_ledger(out / "plan.xlsx", entries)
    formula_id = first_ids(out, 4)[3]
    type_into_ledger(out / "plan.xlsx", {formula_id: {BOOKLETS: "=20+30"}})  # a sum typed as a formula
    converted = tmp_path / "converted"
    profile = tmp_path / "lo-profile"  # its own profile: other LibreOffice runs do not interfere
    done = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--convert-to", "xlsx", "--outdir", str(converted), str(out / "plan.xlsx")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and (converted / "plan.xlsx").is_file(), done.stderr + done.stdout
    with zipfile.ZipFile(converted / "plan.xlsx") as z:
        assert b"LibreOffice" in z.read("docProps/app.xml")  # really LibreOffice's file
    shutil.copy(converted / "plan.xlsx", out / "plan.xlsx")

    export_xlsx(out)
    ledger = ledger_of(out / "plan.xlsx")
    assert_entries(ledger, entries, "the workbook after LibreOffice")
    assert ledger[formula_id][BOOKLETS] == 50  # the value LibreOffice computed
    assert "未匹配记录" not in openpyxl.load_workbook(out / "plan.xlsx").sheetnames  # nothing read as changed
