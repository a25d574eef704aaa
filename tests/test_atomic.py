"""The one atomic-write helper every output goes through."""

import os
import stat

import pytest
from conftest import run_planner

from planner import atomic


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def test_text_and_bytes_land_whole_and_leave_no_temporary(tmp_path):
    target = tmp_path / "plan.json"
    assert atomic.write_text(target, "计划\n") == target
    assert target.read_bytes() == "计划\n".encode("utf-8")
    atomic.write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_a_new_file_follows_the_umask(tmp_path, umask_027):
    target = atomic.write_bytes(tmp_path / "new.xlsx", b"x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_an_existing_file_keeps_its_mode(tmp_path, umask_027):
    target = tmp_path / "plan.html"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o604)
    atomic.write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert target.read_text(encoding="utf-8") == "new"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "plan.ics"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic.write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.ics"]


def test_a_missing_folder_is_an_error_not_a_stray_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        atomic.write_text(tmp_path / "absent" / "plan.json", "{}")
    assert list(tmp_path.iterdir()) == []


def test_schema_output_keeps_the_mode_the_user_gave_it(tmp_path):
    out = tmp_path / "plan.schema.json"
    out.write_text("{}", encoding="utf-8")
    out.chmod(0o600)
    assert run_planner("schema", "-o", out).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8").startswith("{\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.schema.json"]
