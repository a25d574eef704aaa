"""`planner record`: the filled 台账 (xlsx, a LibreOffice save, CSV in UTF-8 or GB18030) and
single activities go into OUT's SQLite database, all or nothing; bad cells are named
FILE:SHEET!CELL with exit 2; the same ledger twice changes nothing; a new `planner plan` into
the same OUT keeps every record."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import STARTER, plan_starter_once, run_planner
from ledgerfill import (
    COUNTS,
    cell_name,
    columns,
    fill,
    ledger_csv,
    ledger_sheet,
    libreoffice_round_trip,
    rows_by_id,
    soffice,
)

sys.path.insert(0, str(Path(__file__).resolve().parent / "ledgers"))
from make_corpus import make as make_corpus  # noqa: E402

SHORT = ("--time-limit", "3s", "--workers", "1")
DB = Path("records") / "records.sqlite"


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    """The starter plan, planned once: folder/plan.yaml and folder/out/."""
    return plan_starter_once(tmp_path_factory, "planned", *SHORT)


@pytest.fixture
def out(planned, tmp_path) -> Path:
    """A fresh copy of the planned OUT (its plan.json still points at the plan file)."""
    return Path(shutil.copytree(planned / "out", tmp_path / "out"))


def db_rows(out: Path) -> dict[str, dict]:
    db = sqlite3.connect(out / DB)
    db.row_factory = sqlite3.Row
    try:
        return {r["activity"]: dict(r) for r in db.execute("SELECT * FROM records")}
    finally:
        db.close()


def db_query(out: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(out / DB)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_recorded(out: Path, filled) -> None:
    """Every value typed is in the database, under its activity."""
    rows = db_rows(out)
    status = {"held": "held", "not_held": "not_held", "rescheduled": "rescheduled"}
    for ident, entry in filled.activities.items():
        assert ident in rows, ident
        row = rows[ident]
        for key in COUNTS:
            assert row[key] == entry.get(key), (ident, key)
        if "status" in entry:
            assert row["status"] == status[entry["outcome"]], ident
        else:
            assert row["status"] is None, ident
        if entry["outcome"] == "not_held":
            assert row["reason"] == entry["notes"]
        assert row["notes"] == entry.get("notes")
        assert row["partners"] == entry.get("partners")
        assert row["photos"] == (str(entry["photos"]) if "photos" in entry else None)
        assert row["date"] == entry["date"].isoformat()
        assert json.loads(row["staff"]) == entry["staff"]
    extras = [r for r in rows.values() if r["extra"]]
    assert len(extras) == len(filled.extras)
    for entry, row in zip(filled.extras, extras):
        assert (row["date"], row["venue"], row["reached"], row["leaflet"], row["installs"]) == \
            (entry["date"].isoformat(), entry["venue"], entry["reached"], entry["leaflet"], entry["installs"])
    assert len(rows) == len(filled.activities) + len(filled.extras)


# --- importing the ledger --------------------------------------------------------------------------------------


def test_the_filled_ledger_is_recorded_with_the_plan_version_it_was_planned_in(out):
    filled = fill(out)
    done = run_planner("record", out)
    assert done.returncode == 0, done.stderr
    assert "已记录到" in done.stdout and f"新增 {len(filled.activities) + 1} 项活动" in done.stdout
    assert_recorded(out, filled)
    plan_text = (out / "plan.json").read_bytes()
    versions = db_query(out, "SELECT id, sha256, content FROM plan_versions")
    assert versions == [(1, hashlib.sha256(plan_text).hexdigest(), plan_text.decode("utf-8"))]
    assert {r["plan_version"] for r in db_rows(out).values() if not r["extra"]} == {1}
    assert {r["plan_version"] for r in db_rows(out).values() if r["extra"]} == {None}
    imports = db_query(out, "SELECT kind, sha256, content, plan_version FROM imports")
    assert imports == [("xlsx", digest(out / "plan.xlsx"), (out / "plan.xlsx").read_bytes(), 1)]
    # every value set is in the history of changes, with the cell it came from
    reached = db_query(out, "SELECT source FROM changes WHERE field = 'reached' ORDER BY id LIMIT 1")[0][0]
    ws = ledger_sheet(openpyxl.load_workbook(out / "plan.xlsx"))
    first = next(i for i, e in filled.activities.items() if "reached" in e)
    assert reached == f"{out / 'plan.xlsx'}:{cell_name(ws, rows_by_id(ws)[first], 'reached')}"


def test_recording_the_same_ledger_again_changes_nothing(out):
    fill(out)
    assert run_planner("record", out).returncode == 0
    before = digest(out / DB)
    done = run_planner("record", out)
    assert done.returncode == 0, done.stderr
    assert "没有变化" in done.stdout
    assert digest(out / DB) == before


def test_a_new_plan_into_the_same_out_keeps_every_record(out, planned):
    filled = fill(out)
    assert run_planner("record", out).returncode == 0
    assert run_planner("report", out, "--month", "2026-06", "--as-of", "2026-09-01").returncode == 0
    recorded = db_rows(out)
    before = digest(out / DB)
    done = run_planner("plan", planned / "plan.yaml", "-o", out, *SHORT)
    assert done.returncode == 0, done.stderr
    assert digest(out / DB) == before
    assert db_rows(out) == recorded
    assert sorted(p.suffix for p in (out / "reports").iterdir()) == [".html", ".pdf", ".png", ".xlsx"]
    # the new plan.xlsx carried the entries over: recording it again changes nothing
    done = run_planner("record", out)
    assert done.returncode == 0 and "没有变化" in done.stdout, done.stdout + done.stderr
    assert_recorded(out, filled)


def test_a_changed_value_replaces_the_recorded_one_and_a_blank_never_erases(out):
    filled = fill(out)
    assert run_planner("record", out).returncode == 0
    ident = next(i for i, e in filled.activities.items() if e.get("leaflet"))
    book = openpyxl.load_workbook(out / "plan.xlsx")
    ws = ledger_sheet(book)
    cols, row = columns(ws), rows_by_id(ws)[ident]
    ws.cell(row, cols["leaflet"]).value = 999
    ws.cell(row, cols["reached"]).value = None  # cleared: the recorded figure stays
    book.save(out / "plan.xlsx")
    done = run_planner("record", out)
    assert done.returncode == 0, done.stderr
    assert "更新 1 项" in done.stdout and "已保留" in done.stdout
    record = db_rows(out)[ident]
    assert record["leaflet"] == 999 and record["reached"] == filled.activities[ident]["reached"]
    history = db_query(out, f"SELECT old, new, import FROM changes WHERE activity = '{ident}' AND field = 'leaflet' "
                            "ORDER BY id")
    assert history == [(None, str(filled.activities[ident]["leaflet"]), 1),
                        (str(filled.activities[ident]["leaflet"]), "999", 2)]


def test_a_ledger_saved_by_libreoffice_records_the_same(out, tmp_path):
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    filled = fill(out)
    saved = libreoffice_round_trip(out / "plan.xlsx", tmp_path)
    done = run_planner("record", out, "--ledger", saved)
    assert done.returncode == 0, done.stderr
    assert_recorded(out, filled)
    # the same entries from the workbook as the planner wrote it: nothing new
    done = run_planner("record", out)
    assert done.returncode == 0 and "没有变化" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_csv_export_of_the_ledger_records_the_same(out, tmp_path, encoding):
    filled = fill(out)
    exported = ledger_csv(out / "plan.xlsx", tmp_path / "台账.csv", encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            exported.read_bytes().decode("utf-8")  # really not UTF-8
    done = run_planner("record", out, "--ledger", exported)
    assert done.returncode == 0, done.stderr
    assert_recorded(out, filled)
    done = run_planner("record", out)  # the workbook itself: the same entries
    assert done.returncode == 0 and "没有变化" in done.stdout, done.stdout + done.stderr


# --- one activity from the command line ------------------------------------------------------------------------


def test_one_activity_from_the_command_line(out):
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    first, second = plan["activities"][0]["id"], plan["activities"][1]["id"]
    args = ("record", out, "--activity", first, "--held", "--reach", "300", "--leaflets", "200", "--booklets", "20",
            "--posters", "4", "--letters", "10", "--gifts", "15", "--installs", "30", "--households", "12",
            "--notes", "居民反响好")
    done = run_planner(*args)
    assert done.returncode == 0, done.stderr
    row = db_rows(out)[first]
    assert (row["status"], row["reached"], row["leaflet"], row["booklet"], row["poster"], row["letter"], row["gift"],
            row["installs"], row["households"], row["notes"]) == ("held", 300, 200, 20, 4, 10, 15, 30, 12, "居民反响好")
    before = digest(out / DB)
    done = run_planner(*args)
    assert done.returncode == 0 and "没有变化" in done.stdout
    assert digest(out / DB) == before
    done = run_planner("record", out, "--activity", second, "--not-held", "--reason", "暴雨")
    assert done.returncode == 0, done.stderr
    assert (db_rows(out)[second]["status"], db_rows(out)[second]["reason"]) == ("not_held", "暴雨")


def test_an_activity_held_but_not_planned(out):
    done = run_planner("record", out, "--extra", "--venue", "xingfu", "--format", "stall", "--date", "2026-07-03",
                       "--start", "09:00", "--end", "11:00", "--staff", "zhang-wei,chen-jing", "--held",
                       "--reach", "150", "--leaflets", "300")
    assert done.returncode == 0, done.stderr
    row = db_rows(out)["extra-xingfu-stall-20260703-0900"]
    assert (row["extra"], row["venue"], row["format"], row["date"], row["start"], row["end"], row["reached"]) == \
        (1, "xingfu", "stall", "2026-07-03", "09:00", "11:00", 150)
    assert json.loads(row["staff"]) == ["zhang-wei", "chen-jing"]


def test_bad_options_name_each_problem_and_record_nothing(out):
    done = run_planner("record", out, "--extra", "--venue", "nowhere", "--format", "stal", "--date", "2026-09-03",
                       "--held", "--reach", "10")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[:-1] == [
        "（命令行）: --venue: " + json.loads(
            (out / "plan.json").read_text(encoding="utf-8"))["source"]["plan"] + " 中没有编号为 'nowhere' 的场所",
        "（命令行）: --format: 'stal' 不是方案中的活动形式（lecture、stall、door_to_door、performance、"
        "themed_event、online_post）",
        "（命令行）: --date: 2026-09-03 不在宣传期 2026-06-01..2026-08-31 内",
    ]
    assert lines[-1] == "共 3 处问题，未记录任何内容"  # 3 problems; nothing was recorded
    done = run_planner("record", out, "--activity", "no-such-activity", "--held")
    assert done.returncode == 2 and "中没有活动 'no-such-activity'" in done.stderr
    ident = json.loads((out / "plan.json").read_text(encoding="utf-8"))["activities"][0]["id"]
    done = run_planner("record", out, "--activity", ident, "--not-held", "--reach", "5")
    assert done.returncode == 2 and "--reach: 为 5，但 --not-held 表示活动未开展" in done.stderr
    done = run_planner("record", out, "--activity", ident, "--reach", "-5")
    assert done.returncode == 2  # typer refuses a negative count
    assert not (out / DB).exists()


# --- bad ledgers ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(planned, tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("ledgers")
    return folder, make_corpus(planned / "out" / "plan.xlsx", folder)


def test_every_bad_ledger_is_refused_naming_its_cells_and_nothing_is_recorded(out, corpus):
    from planner.records import RecordError, record_ledger

    folder, expected = corpus
    assert len(expected) >= 20
    fill(out)
    assert run_planner("record", out).returncode == 0  # a database with records in it
    before = digest(out / DB)
    for name, lines in expected.items():
        with pytest.raises(RecordError) as caught:
            record_ledger(out, folder / name)
        got = caught.value.lines
        assert len(got) == len(lines), (name, got)
        for line, (cell, words) in zip(got, lines):
            prefix = f"{folder / name}:{cell}: " if cell else f"{folder / name}: "
            assert line.startswith(prefix) and words in line, (name, line, cell, words)
        assert digest(out / DB) == before, name


def test_the_command_exits_2_with_one_line_per_bad_cell(out, corpus):
    folder, expected = corpus
    file = folder / "three_problems_at_once.xlsx"
    done = run_planner("record", out, "--ledger", file)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == [f"{file}:{cell}" for cell, _ in expected[file.name]]
    assert lines[0].endswith('实际覆盖人数 应为整数，而不是 "约200"')
    assert lines[-1] == "共 3 处问题，未记录任何内容"  # 3 problems; nothing was recorded
    assert not (out / DB).exists()


def test_an_english_plan_names_its_columns_in_english(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(STARTER.read_text(encoding="utf-8").replace("language: zh ", "language: en "), encoding="utf-8")
    out = tmp_path / "out"
    assert run_planner("plan", plan, "-o", out, *SHORT).returncode == 0
    book = openpyxl.load_workbook(out / "plan.xlsx")
    ws = ledger_sheet(book)
    assert ws.title == "Ledger"
    first = next(iter(rows_by_id(ws)))
    ws.cell(rows_by_id(ws)[first], columns(ws)["reached"]).value = "lots"
    book.save(out / "plan.xlsx")
    done = run_planner("record", out)
    assert done.returncode == 2
    where = cell_name(ws, rows_by_id(ws)[first], "reached")
    assert done.stderr.splitlines()[0] == \
        f'{out / "plan.xlsx"}:{where}: People reached must be a whole number, not "lots"'
    ws.cell(rows_by_id(ws)[first], columns(ws)["reached"]).value = 12
    ws.cell(rows_by_id(ws)[first], columns(ws)["status"]).value = "held"
    book.save(out / "plan.xlsx")
    done = run_planner("record", out)
    assert done.returncode == 0 and done.stdout.startswith("recorded in"), done.stdout + done.stderr
    done = run_planner("report", out, "--week", "2026-W23", "--as-of", "2026-09-01")
    assert done.returncode == 0, done.stderr
    html = (out / "reports" / "2026-W23.html").read_text(encoding="utf-8")
    assert "Weekly anti-fraud publicity report" in html and "people reached" in html
    assert "已开展" not in html and "考核指标" not in html


def test_records_go_only_where_plan_keeps_them():
    from planner.export.output import KEPT
    from planner.records import FOLDER

    assert FOLDER in KEPT and "reports" in KEPT


def test_an_older_copy_of_the_ledger_matches_the_plan_version_it_was_written_from(out, tmp_path):
    """An activity moved since (a new plan.json): the old ledger's row is that activity as the
    recorded earlier version had it, not a row edited into another activity."""
    from datetime import datetime, timedelta

    filled = fill(out)
    assert run_planner("record", out).returncode == 0
    old = Path(shutil.copy(out / "plan.xlsx", tmp_path / "old.xlsx"))
    moved = next(i for i, e in filled.activities.items() if e.get("reached") and e["date"].day < 28)
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    for a in data["activities"]:
        if a["id"] == moved:
            for key in ("start", "end"):
                a[key] = (datetime.fromisoformat(a[key]) + timedelta(days=1)).isoformat()
    (out / "plan.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    book = openpyxl.load_workbook(old)
    ws = ledger_sheet(book)
    ws.cell(rows_by_id(ws)[moved], columns(ws)["reached"]).value = 777
    book.save(old)
    done = run_planner("record", out, "--ledger", old)
    assert done.returncode == 0, done.stderr
    record = db_rows(out)[moved]
    assert (record["reached"], record["plan_version"], record["date"]) == (777, 1, filled.activities[moved]["date"]
                                                                            .isoformat())
    assert len(db_query(out, "SELECT id FROM plan_versions")) == 2
    # without the earlier version recorded, the same row is another activity's day
    shutil.rmtree(out / "records")
    done = run_planner("record", out, "--ledger", old)
    assert done.returncode == 2
    assert f"{old}:{cell_name(ws, rows_by_id(ws)[moved], 'date')}: " in done.stderr
    assert "改成了另一场活动" in done.stderr


def test_record_waits_while_a_plan_is_replacing_out(out):
    """`planner plan` holds OUT from copying what it keeps to swapping the new OUT in: a record
    written meanwhile would be lost with the old folder, so `record` waits for it."""
    import os
    import subprocess
    import time

    from planner.export.output import _turn

    fill(out)
    with _turn(Path(os.path.abspath(out))):  # what planner plan holds while it replaces OUT
        run = subprocess.Popen([sys.executable, "-m", "planner", "record", str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"})
        time.sleep(6)
        assert run.poll() is None and not (out / DB).exists()
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 0, stderr
    assert "正在等待另一个 planner 运行写完" in stderr and "已记录到" in stdout  # waiting for another run
    assert (out / DB).exists()
