"""`planner plan` and `planner export` end to end: every output, written all at once."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, STARTER, run_planner

PLAN_ARGS = ("--time-limit", "5s", "--workers", "1")


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("planned") / "out"
    result = run_planner("plan", STARTER, "-o", out, *PLAN_ARGS)
    assert result.returncode == 0, result.stderr
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_plan_writes_every_output_in_the_contract(planned):
    data = json.loads((planned / "plan.json").read_text(encoding="utf-8"))
    assert data["activities"], "the starter plan has room for activities"
    staff = ("zhang-wei", "li-na", "zhao-min", "chen-jing", "liu-yang", "sun-li")
    for person in staff:
        assert (planned / "calendars" / "staff" / f"{person}.ics").is_file()
    for venue in ("xingfu", "hongxing-school", "dongfeng-market", "renmin-square"):
        assert (planned / "calendars" / "venues" / f"{venue}.ics").is_file()
    assert (planned / "calendars" / "all.ics").is_file()
    assert (planned / "plan.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (planned / "plan.xlsx").read_bytes()[:2] == b"PK"
    assert data["source"]["plan"] == str(STARTER)


def test_export_re_renders_without_solving_and_gives_the_same_files(planned, tmp_path):
    copy = tmp_path / "out"
    os.makedirs(copy)
    before = snapshot(planned)
    for name, body in before.items():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes(body)
    (copy / "plan.html").unlink()
    result = run_planner("export", copy / "plan.json", "--to", "html", "--to", "ics", "--to", "xlsx")
    assert result.returncode == 0, result.stderr
    after = snapshot(copy)
    assert after.keys() == before.keys()
    for name in before:
        if name != "plan.pdf":
            assert after[name] == before[name], name


def test_export_refuses_a_plan_json_that_names_unknown_staff(planned, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".planner-output").write_text("", encoding="utf-8")
    data = json.loads((planned / "plan.json").read_text(encoding="utf-8"))
    data["activities"][0]["staff"] = ["nobody"]
    (out / "plan.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    result = run_planner("export", out / "plan.json", "--to", "ics")
    assert result.returncode == 2
    assert "中没有人员 'nobody'" in result.stderr
    assert not (out / "calendars").exists()


def test_plan_refuses_a_folder_holding_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_planner("plan", STARTER, "-o", tmp_path, *PLAN_ARGS)
    assert result.returncode == 2
    assert "不是本程序写出的文件" in result.stderr  # files the planner did not write
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_bad_plan_writes_nothing(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(STARTER.read_text(encoding="utf-8").replace("role: police", "role: polic", 1),
                    encoding="utf-8")
    result = run_planner("plan", plan, "-o", tmp_path / "out", *PLAN_ARGS)
    assert result.returncode == 2
    assert not (tmp_path / "out").exists()


def test_a_killed_run_leaves_the_previous_outputs_untouched(planned, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name, body in snapshot(planned).items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(body)
    previous = snapshot(out)
    command = [sys.executable, "-m", "planner", "export", str(out / "plan.json"),
               "--to", "ics", "--to", "html", "--to", "xlsx"]
    killed_while_writing = 0
    # killed at moments after writing began (its staging folder appeared), however slow the
    # machine is to get there
    for delay in (0.0, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        deadline = time.monotonic() + 120
        while process.poll() is None and not list(tmp_path.glob(".out.*.new")) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
        if process.poll() is None:
            killed_while_writing += bool(list(tmp_path.glob(".out.*.new")))
            process.send_signal(signal.SIGKILL)
        process.wait()
        # whatever the moment, OUT is the previous complete output or an identical new one
        assert snapshot(out) == previous, f"killed {delay} s into writing"
    assert killed_while_writing, "no kill landed while outputs were being written"
    run_planner("export", out / "plan.json", "--to", "ics")
    assert list(tmp_path.glob(".out.*.new")) == []  # abandoned staging folders are cleared
