"""Broken station plans: every problem is reported as FILE:LINE:COL, and `planner check` exits 2.

The corpus lives in tests/broken/. Each file is a small valid plan with one deliberate
defect (a few have two or three, to prove that every problem is listed). Its first lines say
what must be reported:

    # expect: LINE SUBSTRING      a problem on LINE whose message contains SUBSTRING
    # xfail: REASON               a known bug in planner/ (strict: the test must fail until fixed)
    # fixed: REASON               a bug that was fixed (kept as a note; the case must pass)
    # defect: ...                 what was broken, for the reader

Some cases cannot carry a comment (an empty file, a 50 MB file, a missing file); they are
made at test time in tmp_path. The contract is /work/shared/spec/station-plan.md, "What bad
input gets": exit status 2, one `FILE:LINE:COL: where: what is wrong` line per problem, all
problems, no traceback, nothing written.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from planner.errors import PlanError
from planner.loader import LoadedPlan, load_plan

REPO = Path(__file__).resolve().parents[1]
BROKEN = Path(__file__).resolve().parent / "broken"
HEADER = re.compile(r"^# (expect|xfail|defect|fixed): ?(.*)$")


@dataclass(frozen=True)
class Expect:
    line: int
    text: str


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    expects: tuple[Expect, ...]
    xfail: str | None


def read_case(path: Path) -> Case:
    """The `# expect:` / `# xfail:` header of a corpus file (the body may be any bytes)."""
    expects: list[Expect] = []
    xfail = None
    for raw in path.read_bytes().split(b"\n"):
        if not raw.startswith(b"#"):
            break
        m = HEADER.match(raw.decode("utf-8", errors="replace").rstrip("\r"))
        if not m:
            continue
        kind, rest = m.groups()
        if kind == "expect":
            line, _, text = rest.partition(" ")
            expects.append(Expect(int(line), text))
        elif kind == "xfail":
            xfail = rest
    return Case(path.stem, path, tuple(expects), xfail)


CASES = [read_case(p) for p in sorted(BROKEN.glob("*.yaml"))]


def _params() -> list:
    out = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


def line_pattern(file: str) -> re.Pattern[str]:
    """The contract's problem line: FILE:LINE:COL: where: what."""
    return re.compile(rf"^{re.escape(file)}:(\d+):(\d+): [^:]+: .+")


# --- generated cases (no room for a header comment, or too big to commit) --------------------------


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _blank(path: Path) -> None:
    path.write_bytes(b"\n  \n\n")


def _huge(path: Path) -> None:
    """50 MB: a plausible plan followed by a very long comment."""
    head = (BROKEN.parent / "broken" / "unknown_claim.yaml").read_bytes()
    chunk = b"# " + b"x" * 1021 + b"\n"
    with path.open("wb") as f:
        f.write(head)
        for _ in range(50 * 1024):
            f.write(chunk)


def _missing(path: Path) -> None:
    pass  # not created


GENERATED = {
    # name: (make, [(line, substring)])
    "empty_file": (_empty, [(1, "empty")]),
    "blank_lines_only": (_blank, [(1, "empty")]),
    "file_50mb": (_huge, [(1, "MB")]),
    "missing_file": (_missing, [(1, "no such file")]),
}


# --- the corpus itself -------------------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 24, f"only {len(CASES)} broken plans in {BROKEN}"
    for case in CASES:
        assert case.expects, f"{case.path}: no '# expect: LINE SUBSTRING' header"
        lines = case.path.read_bytes().count(b"\n") + 1
        for e in case.expects:
            assert 1 <= e.line <= lines and e.text, f"{case.path}: bad expectation {e}"
    assert sum(len(c.expects) > 1 for c in CASES) >= 2, "some files must have several defects"


# --- load_plan ---------------------------------------------------------------------------------------


def assert_reported(error: PlanError, file: str, expects: list[Expect] | tuple[Expect, ...]) -> None:
    problems = error.problems
    assert problems, "PlanError with no problems"
    shown = "\n".join(p.format() for p in problems)
    for e in expects:
        assert any(p.line == e.line and e.text in p.what for p in problems), (
            f"expected a problem on line {e.line} containing {e.text!r}; got:\n{shown}")
    for p in problems:
        assert p.file == file, f"problem names {p.file!r}, not the plan {file!r}"
        assert p.line >= 1 and p.col >= 1, p
    pattern = line_pattern(file)
    for text in str(error).splitlines():
        assert pattern.match(text), f"not FILE:LINE:COL: where: what -> {text!r}"
    assert len(str(error).splitlines()) == len(problems)


@pytest.mark.parametrize("case", _params())
def test_load_plan_reports_every_problem(case: Case) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(case.path)
    assert_reported(info.value, str(case.path), case.expects)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_load_plan_generated(name: str, tmp_path: Path) -> None:
    make, expects = GENERATED[name]
    path = tmp_path / f"{name}.yaml"
    make(path)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert_reported(info.value, str(path), [Expect(line, text) for line, text in expects])


def test_load_plan_folder(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    assert_reported(info.value, str(tmp_path), [Expect(1, "folder")])


# --- the year the official calendar does not cover ------------------------------------------------------


def _body(case_name: str) -> str:
    """A corpus file without its header comments."""
    lines = (BROKEN / f"{case_name}.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


@pytest.mark.parametrize("fix", [
    '  holidays: CN\n  extra_holidays: ["2027-10-01..2027-10-07", 2027-06-19]\n',
    "  holidays: CN\n  extra_workdays: [2027-09-26]\n",
    "  holidays: none\n",
], ids=["extra_holidays", "extra_workdays", "holidays_none"])
@pytest.mark.parametrize("case_name", ["year_without_data", "year_without_data_crossing"])
def test_year_without_data_is_fine_when_the_plan_supplies_it(case_name: str, fix: str, tmp_path: Path) -> None:
    body = _body(case_name)
    assert body.count("  holidays: CN\n") == 1
    plan = tmp_path / "plan.yaml"
    plan.write_text(body.replace("  holidays: CN\n", fix), encoding="utf-8")
    assert isinstance(load_plan(plan), LoadedPlan)


def test_year_without_data_names_the_campaign_end_line(tmp_path: Path) -> None:
    """The contract case, built from scratch: error on the `end:` line, column of the value."""
    plan = tmp_path / "plan.yaml"
    body = _body("year_without_data")
    plan.write_text(body, encoding="utf-8")
    end_line = next(i for i, text in enumerate(body.splitlines(), 1) if text.startswith("  end:"))
    with pytest.raises(PlanError) as info:
        load_plan(plan)
    [problem] = info.value.problems
    assert (problem.line, problem.where) == (end_line, "campaign.end")
    assert "2027" in problem.what and "extra_holidays" in problem.what and "holidays: none" in problem.what


# --- planner check (subprocess) ---------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under folder: (mtime_ns, content hash); hashing skips the 50 MB file's bytes."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        if path.is_dir():
            out[str(path.relative_to(folder)) + "/"] = (st.st_mtime_ns, "")
        elif st.st_size > 5_000_000:
            out[str(path.relative_to(folder))] = (st.st_mtime_ns, f"size={st.st_size}")
        else:
            out[str(path.relative_to(folder))] = (st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def run_check(plan: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "planner", "check", str(plan)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=180)


def assert_cli_reports(plan: Path, workdir: Path, expects) -> None:
    before = snapshot(workdir)
    result = run_check(plan, workdir)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 2, f"exit {result.returncode}, want 2\n{output}"
    pattern = line_pattern(str(plan))
    lines = result.stderr.splitlines()
    problem_lines = [text for text in lines if text.startswith(f"{plan}:")]
    assert problem_lines, f"no FILE:LINE:COL lines on stderr:\n{result.stderr}"
    for text in problem_lines:
        assert pattern.match(text), f"not FILE:LINE:COL: where: what -> {text!r}"
    for e in expects:
        assert any(m and int(m.group(1)) == e.line and e.text in text
                   for text in problem_lines for m in [pattern.match(text)]), (
            f"no stderr line for line {e.line} containing {e.text!r}:\n{result.stderr}")
    assert snapshot(workdir) == before, "planner check wrote or changed files"


@pytest.mark.parametrize("case", _params())
def test_cli_check_broken(case: Case, tmp_path: Path) -> None:
    plan = tmp_path / case.path.name
    shutil.copyfile(case.path, plan)
    assert_cli_reports(plan, tmp_path, case.expects)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_cli_check_generated(name: str, tmp_path: Path) -> None:
    make, expects = GENERATED[name]
    plan = tmp_path / f"{name}.yaml"
    make(plan)
    assert_cli_reports(plan, tmp_path, [Expect(line, text) for line, text in expects])


def test_cli_check_valid_plans_exit_0(tmp_path: Path) -> None:
    """The control: the starter template and a 2027 plan with holidays: none pass."""
    starter = tmp_path / "starter.yaml"
    shutil.copyfile(REPO / "templates" / "starter.yaml", starter)
    y2027 = tmp_path / "plan2027.yaml"
    y2027.write_text(_body("year_without_data").replace("  holidays: CN\n", "  holidays: none\n"), encoding="utf-8")
    for plan in (starter, y2027):
        before = snapshot(tmp_path)
        result = run_check(plan, tmp_path)
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        assert result.returncode == 0, f"{plan.name}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        assert snapshot(tmp_path) == before
