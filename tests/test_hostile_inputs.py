"""Hostile inputs and faults (issue 13, item 6): each is bad input with FILE:LINE:COL and exit
2 (or, for a full disk, a sentence and exit 1), never a traceback, and nothing written.

- plan.json given to `replan` or `export`: another station's, hand-edited fields of the wrong
  type, unknown venues, formats and people;
- ids with a trailing line break; weights and counts the solver cannot take; names long
  enough to stall the PDF;
- an OUT that cannot be written, a full disk, two runs into one OUT, OUT's mode;
- files that are folders, binary, missing or devices, for every command that reads one.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, STARTER, run_planner

from planner.errors import PlanError
from planner.export.output import DiskFull, OutputError, check_output_dir, output_dir
from planner.export.source import check_plan_json, check_previous_plan
from planner.history import entries, read, record
from planner.loader import load_plan
from planner.planfile import read_plan_json

FAST = ("--time-limit", "3s", "--workers", "1")
SINCE = "2026-07-01"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path]:
    """The starter plan, planned: (plan.yaml, OUT)."""
    folder = tmp_path_factory.mktemp("published")
    plan = folder / "plan.yaml"
    shutil.copy(STARTER, plan)
    done = run_planner("plan", plan, "-o", folder / "out", *FAST)
    assert done.returncode == 0, done.stderr
    return plan, folder / "out"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_out(out: Path, to: Path) -> Path:
    shutil.copytree(out, to)
    return to


def bad_input(result: subprocess.CompletedProcess) -> list[str]:
    """The problem lines of a bad-input run (exit 2, no traceback, no usage box)."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Usage:" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].endswith("未写出任何文件"), result.stderr  # nothing was written
    return lines[:-1]


def line_of(text: str, activity_id: str, key: str) -> int:
    """The line of `key` in the activity with this id, in a plan.json written with indent=2."""
    lines = text.splitlines()
    start = next(i for i, t in enumerate(lines) if f'"id": "{activity_id}"' in t)
    return next(i for i in range(start - 1, len(lines)) if lines[i].lstrip().startswith(f'"{key}":')) + 1


def write_json(path: Path, data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


# --- 1 and 2: plan.json as replan and export read it ---------------------------------------------------

WRONG_TYPES = {
    "reach": "很多",
    "tactics": 5,
    "start": "2026-06-03T17:30:00",  # no UTC offset
    "key_date": ["national_month"],
    "sequence": -1,
    "theme": 3,
    "audiences": "x",
}


def edited(published: tuple[Path, Path], tmp_path: Path, key: str, value) -> tuple[Path, int]:
    """A copy of OUT whose plan.json has activity 1's `key` set to `value`; (plan.json, its line)."""
    _, out = published
    copy = copy_out(out, tmp_path / "out")
    data = json.loads((copy / "plan.json").read_text(encoding="utf-8"))
    activity = data["activities"][1]
    activity[key] = value
    text = write_json(copy / "plan.json", data)
    return copy / "plan.json", line_of(text, activity["id"], key)


@pytest.mark.parametrize("key", list(WRONG_TYPES))
def test_export_reports_a_hand_edited_field_of_the_wrong_type(published, tmp_path, key):
    path, line = edited(published, tmp_path, key, WRONG_TYPES[key])
    before = snapshot(path.parent)
    problems = bad_input(run_planner("export", path, "--to", "ics", "--to", "html"))
    assert problems[0].startswith(f"{path}:{line}:"), problems
    assert f"activities[1].{key}:" in problems[0]
    assert snapshot(path.parent) == before


@pytest.mark.parametrize("key", list(WRONG_TYPES))
def test_replan_reports_a_hand_edited_field_of_the_wrong_type(published, tmp_path, key):
    plan, _ = published
    path, line = edited(published, tmp_path, key, WRONG_TYPES[key])
    problems = bad_input(run_planner("replan", plan, "--previous", path, "--from", SINCE,
                                     "-o", tmp_path / "new", *FAST))
    assert problems[0].startswith(f"{path}:{line}:"), problems
    assert f"activities[1].{key}:" in problems[0]
    assert not (tmp_path / "new").exists()


def test_replan_refuses_another_stations_plan_json(published, tmp_path):
    _, out = published
    other = tmp_path / "other.yaml"
    other.write_text(STARTER.read_text(encoding="utf-8").replace("XX市公安局XX分局XX派出所", "哈尔滨市反诈中心"),
                     encoding="utf-8")
    problems = bad_input(run_planner("replan", other, "--previous", out / "plan.json", "--from", SINCE,
                                     "-o", tmp_path / "new", *FAST))
    assert len(problems) == 1, problems  # one problem, not one per venue and person
    text = (out / "plan.json").read_text(encoding="utf-8")
    line = text[:text.index('"station":')].count("\n") + 1
    assert problems[0].startswith(f"{out / 'plan.json'}:{line}:") and "这是 'XX市公安局XX分局XX派出所' 的排期" \
        in problems[0], problems
    assert not (tmp_path / "new").exists()


def test_a_station_renamed_in_its_own_plan_file_is_still_that_station(published, tmp_path):
    plan, out = published
    plan_json = read_plan_json(out / "plan.json")
    renamed = plan.read_text(encoding="utf-8")
    try:
        plan.write_text(renamed.replace("XX市公安局XX分局XX派出所", "XX市公安局XX分局新名派出所"), encoding="utf-8")
        check_previous_plan(plan_json, load_plan(plan))
    finally:
        plan.write_text(renamed, encoding="utf-8")


@pytest.mark.parametrize("key, value, message, below", [
    ("venue", "nowhere", "中没有场所 'nowhere'", 0),
    ("activity", "karaoke", "中没有活动形式 'karaoke'", 0),
    # plan.json's own problems are told in the current language (Chinese here)
    ("staff", ["Zhang Wei"], "'Zhang Wei' 不是人员编号", 1),  # the line of the list's item
    ("staff", [5], "应填文字，实际为 5", 1),
    ("staff", "zhang-wei", "应填列表", 0),
    ("id", "xingfu stall", "不是活动编号", 0),
])
def test_replan_and_export_refuse_what_would_vanish_or_be_copied_wrong(published, tmp_path, key, value, message,
                                                                      below):
    plan, _ = published
    path, line = edited(published, tmp_path, key, value)
    line += below
    for command in (["replan", plan, "--previous", path, "--from", SINCE, "-o", tmp_path / "new", *FAST],
                    ["export", path, "--to", "ics"]):
        problems = bad_input(run_planner(*command))
        assert any(p.startswith(f"{path}:{line}:") and message in p for p in problems), (command[0], problems)
    assert not (tmp_path / "new").exists()


def test_people_who_left_are_departures_for_replan_not_for_export(published, tmp_path):
    """An id the station no longer has is what a replan after a departure is for; export
    accepts it only on activities a replan kept as they were (before its replanned_from)."""
    plan, out = published
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    data["activities"][0]["staff"] = ["left-in-june"]
    path = tmp_path / "plan.json"
    write_json(path, data)
    loaded = load_plan(plan)
    check_previous_plan(read_plan_json(path), loaded)
    with pytest.raises(PlanError, match="中没有人员 'left-in-june'"):
        check_plan_json(read_plan_json(path), loaded)
    data["replanned_from"] = "2026-12-31"  # a replan kept it as it was
    write_json(path, data)
    check_plan_json(read_plan_json(path), loaded)


def test_a_duplicate_activity_id_is_reported(published, tmp_path):
    plan, out = published
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    data["activities"][2]["id"] = data["activities"][1]["id"]
    path = tmp_path / "plan.json"
    write_json(path, data)
    with pytest.raises(PlanError, match=r"activities\[2\]: 编号 .* 与 activities\[1\] 重复"):
        check_previous_plan(read_plan_json(path), load_plan(plan))


# --- 3: ids with a trailing line break -----------------------------------------------------------------


@pytest.mark.parametrize("old, new, where", [
    ("  - id: xingfu\n", '  - id: "xingfu\\n"\n', "venues[0].id"),
    ("  - id: zhang-wei\n", '  - id: "zhang-wei\\n"\n', "staff[0].id"),
    ("{id: census,", '{id: "census\\n",', "tactics.key_dates.custom[0].id"),
    ("audiences: [students, parents]", 'audiences: ["students\\n", parents]', "venues[1].audiences[0]"),
    ("    area: 东片\n  - id: li-na", '    email: "zhang@example.cn\\n"\n    area: 东片\n  - id: li-na',
     "staff[0].email"),
])
def test_an_id_or_value_with_a_trailing_line_break_is_refused(plan_file, old, new, where):
    path = plan_file(replace={old: new})
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert any(p.where == where for p in caught.value.problems), caught.value


# --- 4: numbers the solver cannot take -----------------------------------------------------------------

WEIGHTS = "weights: {coverage: 100, key_dates: 80, precision: 20, reach: 2, fairness: 10, claims: 5, travel: 1}"


@pytest.mark.parametrize("old, new, message", [
    ("coverage: 100,", "coverage: .inf,", "weights.coverage: 不能大于 10,000，实际为 inf"),
    ("coverage: 100,", "coverage: .nan,", "weights.coverage: 不能大于 10,000，实际为 nan"),
    ("reach: 2,", "reach: 1e15,", "weights.reach: 不能大于 10,000，实际为 1e+15"),
    ("travel: 1}", "travel: 1e300}", "weights.travel: 不能大于 10,000，实际为 1e+300"),
    ("travel: 1}", "travel: 1, cancelled: 1e15}", "weights.cancelled: 不能大于 10,000"),
])
def test_weights_beyond_what_the_solver_takes_are_refused(plan_file, old, new, message):
    path = plan_file(replace={WEIGHTS: WEIGHTS.replace(old, new)})
    with pytest.raises(PlanError, match=message.replace("+", r"\+")):
        load_plan(path)
    problems = bad_input(run_planner("check", path))
    text = path.read_text(encoding="utf-8")
    line = text[:text.index("weights:")].count("\n") + 1
    assert len(problems) == 1 and problems[0].startswith(f"{path}:{line}:") and message in problems[0], problems


def test_a_count_beyond_what_the_solver_takes_is_refused(plan_file):
    path = plan_file(replace={"target_installs: 500": "target_installs: 100000000000000000000000000"})
    problems = bad_input(run_planner("check", path))
    assert len(problems) == 1 and "target_installs: 不能大于 10,000,000，实际为 1e+26" in problems[0]


def test_the_limits_themselves_are_plannable(plan_file, tmp_path):
    path = plan_file(replace={
        WEIGHTS: "weights: {coverage: 10000, key_dates: 10000, precision: 10000, reach: 10000, fairness: 10000, "
                 "claims: 10000, travel: 10000, moved: 10000, restaffed: 10000, cancelled: 10000}",
        "target_installs: 500": "target_installs: 10000000",
        "size: 6000": "size: 10000000"})
    done = run_planner("plan", path, "-o", tmp_path / "out", *FAST)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))["activities"]


# --- 9: names long enough to stall the PDF --------------------------------------------------------------


LONG = "诈" * 10_000


@pytest.mark.parametrize("old, new, where, limit", [
    ("name: XX市公安局XX分局XX派出所", f"name: {LONG}", "station.name", 100),
    ("region: XX省XX市XX区", f"region: {LONG}", "station.region", 200),
    ("name: 2026年全民反诈集中宣传", f"name: {LONG}", "campaign.name", 100),
    ("name: 张伟", f"name: {LONG}", "staff[0].name", 100),
    ("team: 文艺小分队                    #", f"team: {LONG} #", "staff[5].team", 100),
    ("name: 幸福里社区", f"name: {LONG}", "venues[0].name", 100),
    ("address: XX区XX街道幸福里", f"address: {LONG}", "venues[0].address", 200),
    ("area: 东片\n    address", f"area: {LONG}\n    address", "venues[0].area", 100),
    ("name: 人口普查入户", f"name: {LONG}", "tactics.key_dates.custom[0].name", 100),
])
def test_names_and_free_text_are_bounded(plan_file, old, new, where, limit):
    path = plan_file(replace={old: new})
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    problems = [p for p in caught.value.problems if p.where == where]
    assert problems and f"长 10000 个字，日历和打印的方案最多容纳 {limit} 个字" in problems[0].what, caught.value
    assert len(problems[0].format()) < 300  # the name itself is not echoed


# --- 5: an OUT that cannot be written; a full disk ------------------------------------------------------


def test_an_out_inside_a_file_is_refused_before_solving(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    # a ten-hour search: had it started, the run would not end inside run_planner's guard
    result = run_planner("plan", ROOT / "examples" / "lanzhou-guangwumen.yaml", "-o", blocker / "out",
                         "--time-limit", "10h", "--workers", "1")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"{blocker / 'out'}:1:1: (output): {blocker} 是文件"), result.stderr  # is a file


def test_replan_refuses_an_out_inside_a_file(published, tmp_path):
    plan, out = published
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = run_planner("replan", plan, "--previous", out / "plan.json", "--from", SINCE,
                         "-o", blocker / "sub" / "out", *FAST)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"{blocker / 'sub' / 'out'}:1:1: (output):"), result.stderr


def _chattr(flag: str, path: Path) -> bool:
    try:
        return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


def test_a_read_only_folder_is_refused_before_any_work(published, tmp_path):
    """A folder nobody may write in (immutable: even root cannot), for plan, replan and export."""
    plan, out = published
    folder = tmp_path / "read-only"
    copy = copy_out(out, folder / "out")
    if not _chattr("+i", folder):
        pytest.skip("chattr +i is not available here (the in-process test below covers the check)")
    try:
        before = snapshot(folder)
        for command in (["plan", plan, "-o", folder / "new", *FAST],
                        ["replan", plan, "--previous", out / "plan.json", "--from", SINCE, "-o", folder / "new",
                         *FAST],
                        ["export", copy / "plan.json", "--to", "ics"]):
            result = run_planner(*command)
            assert result.returncode == 2 and "Traceback" not in result.stderr, (command[0], result.stderr)
            assert f":1:1: (output): 无法写入 {folder}" in result.stderr, result.stderr  # cannot write in
        assert snapshot(folder) == before
    finally:
        _chattr("-i", folder)


def test_check_output_dir_says_why_a_folder_cannot_be_written(tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match=f"无法写入 {tmp_path}：Permission denied"):  # cannot write in
        check_output_dir(tmp_path / "out")


FULL_DISK = """
import errno, sys
import planner.export.writer as writer
real = writer.write_outputs
def full(loaded, data, folder, *args, **kwargs):
    (folder / "plan.json").write_text("half", encoding="utf-8")
    raise OSError(errno.ENOSPC, "No space left on device", str(folder / "plan.html"))
writer.write_outputs = full
sys.argv = ["planner", *sys.argv[1:]]
from planner.cli import main
main()
"""


@pytest.mark.parametrize("command", ["export", "plan"])
def test_a_full_disk_is_said_in_words_and_the_previous_outputs_stay(published, tmp_path, command):
    plan, out = published
    copy = copy_out(out, tmp_path / "out")
    before = snapshot(copy)
    args = ["export", str(copy / "plan.json"), "--to", "html"] if command == "export" else \
        ["plan", str(plan), "-o", str(copy), *FAST]
    result = subprocess.run([sys.executable, "-c", FULL_DISK, *args], capture_output=True, text=True, cwd=ROOT,
                            timeout=600)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert f"{copy}：磁盘已满（No space left on device），未写出任何文件" in result.stderr  # a zh plan
    assert snapshot(copy) == before
    assert list(tmp_path.glob(".out.*.new")) == []


def test_output_dir_turns_a_full_disk_into_disk_full(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(DiskFull) as caught:
        with output_dir(out) as staging:
            (staging / "plan.json").write_text("{}", encoding="utf-8")
            raise OSError(errno.EDQUOT, "Disk quota exceeded")
    assert caught.value.errno == errno.EDQUOT and "磁盘已满" in str(caught.value)  # the disk is full (zh first)
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / ".out.lock"]


# --- 7: two runs into one OUT ---------------------------------------------------------------------------


def test_two_runs_into_one_out_at_once_keep_both_history_records(published, tmp_path):
    plan, _ = published
    loaded = load_plan(plan)
    out = tmp_path / "out"
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(command: str) -> None:
        try:
            start.wait()
            with output_dir(out) as staging:
                record(staging, command=command, loaded=loaded, data={"activities": []}, changes=None)
                time.sleep(0.5)  # writing the outputs: long enough for the other run to get here
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=run, args=(c,)) for c in ("plan", "replan")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    records = [read(p) for p in entries(out)]
    assert sorted(r["command"] for r in records) == ["plan", "replan"]
    assert [r["number"] for r in records] == [1, 2]


def test_a_record_deleted_by_hand_does_not_make_two_share_a_number(published, tmp_path):
    plan, _ = published
    loaded = load_plan(plan)
    out = tmp_path / "out"
    for _ in range(3):
        with output_dir(out) as staging:
            record(staging, command="plan", loaded=loaded, data={"activities": []}, changes=None)
    entries(out)[1].unlink()
    with output_dir(out) as staging:
        record(staging, command="plan", loaded=loaded, data={"activities": []}, changes=None)
    assert [read(p)["number"] for p in entries(out)] == [1, 3, 4]


# --- 8: OUT's mode --------------------------------------------------------------------------------------


def test_out_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        with output_dir(out) as staging:
            (staging / "plan.json").write_text("{}", encoding="utf-8")
        assert stat.S_IMODE(out.stat().st_mode) == 0o755
        out.chmod(0o751)
        with output_dir(out) as staging:
            (staging / "plan.json").write_text("{}", encoding="utf-8")
        assert stat.S_IMODE(out.stat().st_mode) == 0o751
    finally:
        os.umask(old)


def test_export_keeps_outs_mode(published, tmp_path):
    _, out = published
    copy = copy_out(out, tmp_path / "out")
    copy.chmod(0o755)
    assert run_planner("export", copy / "plan.json", "--to", "ics").returncode == 0
    assert stat.S_IMODE(copy.stat().st_mode) == 0o755


# --- 10: files that cannot be read, for every command that reads one ------------------------------------


def unreadable(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "a-folder.yaml"
    folder.mkdir()
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(bytes(range(256)) * 4)
    return {"folder": folder, "binary": binary, "missing": tmp_path / "missing.yaml",
            "device": Path("/dev/zero")}


@pytest.mark.parametrize("kind", ["folder", "binary", "missing", "device"])
def test_every_command_reports_an_unreadable_file_as_file_1_1(published, tmp_path, kind):
    plan, out = published
    bad = unreadable(tmp_path)[kind]
    commands = [
        ["check", bad],
        ["plan", bad, "-o", tmp_path / "new", *FAST],
        ["replan", bad, "--previous", out / "plan.json", "--from", SINCE, "-o", tmp_path / "new", *FAST],
        ["replan", plan, "--previous", bad, "--from", SINCE, "-o", tmp_path / "new", *FAST],
        ["export", bad, "--to", "ics"],
        ["export", out / "plan.json", "--to", "ics", "--plan", bad],
        ["explain", bad],
        ["explain", plan, "--plan-json", bad],
        ["suggest", bad, "--venue", "xingfu", "--date", "2026-06-03"],
        ["suggest", out / "plan.json", "--plan", bad, "--venue", "xingfu", "--date", "2026-06-03"],
    ]
    for command in commands:
        problems = bad_input(run_planner(*command))
        assert problems[0].startswith(f"{bad}:") and ": （文件）: " in problems[0], (command, problems)
        if kind != "binary":
            assert problems[0].startswith(f"{bad}:1:1: （文件）: "), (command, problems)
    assert not (tmp_path / "new").exists()
