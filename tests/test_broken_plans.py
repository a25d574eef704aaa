"""Broken station plans: every problem is reported as FILE:LINE:COL, and `planner check` exits 2.

The corpus lives in tests/broken/. Each file is a small valid plan with one deliberate
defect (a few have two or three, to prove that every problem is listed). Its first lines say
what must be reported:

    # expect: LINE SUBSTRING | en: EN-SUBSTRING
                                  a problem on LINE whose message contains SUBSTRING (the plans are
                                  Chinese ones), and EN-SUBSTRING when the plan is read in English
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
    en: str = ""


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
            text, _, en = text.partition(" | en: ")
            expects.append(Expect(int(line), text, en))
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
    # name: (make, [(line, substring, English substring)])
    "empty_file": (_empty, [(1, "文件是空的", "empty")]),
    "blank_lines_only": (_blank, [(1, "文件是空的", "empty")]),
    "file_50mb": (_huge, [(1, "MB", "MB")]),
    "missing_file": (_missing, [(1, "文件不存在", "no such file")]),
}


# --- the corpus itself -------------------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 24, f"only {len(CASES)} broken plans in {BROKEN}"
    for case in CASES:
        assert case.expects, f"{case.path}: no '# expect: LINE SUBSTRING' header"
        lines = case.path.read_bytes().count(b"\n") + 1
        for e in case.expects:
            assert 1 <= e.line <= lines and e.text and e.en, f"{case.path}: bad expectation {e}"
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
    assert_reported(info.value, str(path), [Expect(line, text) for line, text, _en in expects])


def test_load_plan_folder(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    assert_reported(info.value, str(tmp_path), [Expect(1, "文件夹")])


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
    assert "国务院" in problem.what


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
    # a file too broken to say its language is reported in the system's: Chinese here
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "200",
           "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": "", "LANG": "zh_CN.UTF-8"}
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
    assert_cli_reports(plan, tmp_path, [Expect(line, text) for line, text, _en in expects])


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


# --- the language of the problems ------------------------------------------------------------------------


def english_sentences(text: str) -> list[str]:
    """Runs of two or more plain English words in `text`: what a Chinese message must not hold.
    Quoted values, `commands`, keys (`holidays:`), dotted paths, ids and numbers are not words."""
    text = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"|“[^”]*”", " ", text)
    runs, run = [], []
    for token in text.split():
        if re.fullmatch(r"[A-Za-z]+[,.;!?]?", token):
            run.append(token)
            continue
        if len(run) >= 2:
            runs.append(" ".join(run))
        run = []
    if len(run) >= 2:
        runs.append(" ".join(run))
    return runs


def test_the_english_checker_finds_english() -> None:
    assert english_sentences("unknown venue 'nope'") == ["unknown venue"]
    assert english_sentences("应填整数，实际为 'lots'; or set holidays: none") == ["or set"]
    assert english_sentences("没有编号为 'nope' 的场所；或设 holidays: none，见 `planner init`") == []


def _problems(path: Path, language: str | None = None) -> list:
    from planner import messages

    with messages.told(language), pytest.raises(PlanError) as info:
        load_plan(path)
    return info.value.problems


@pytest.mark.parametrize("case", _params())
def test_a_chinese_plan_is_told_its_problems_in_chinese(case: Case) -> None:
    problems = _problems(case.path)
    english = [f"{p.format()} <- {run!r}" for p in problems for run in english_sentences(p.what)]
    assert not english, "English in the problems of a Chinese plan:\n" + "\n".join(english)
    assert all(re.search(r"[\u4e00-\u9fff]", p.what) for p in problems), "\n".join(p.format() for p in problems)


@pytest.mark.parametrize("case", _params())
def test_lang_en_tells_the_same_problems_in_english(case: Case) -> None:
    problems = _problems(case.path, "en")
    assert_reported(PlanError(problems), str(case.path), [Expect(e.line, e.en) for e in case.expects])
    assert not any("（" in p.what or "：" in p.what or "您" in p.what for p in problems), \
        "\n".join(p.format() for p in problems)


def _in_english(case_name: str, tmp_path: Path) -> Path:
    """A corpus plan with `language: en` added to its campaign (one line more, below `campaign:`)."""
    text = (BROKEN / f"{case_name}.yaml").read_text(encoding="utf-8")
    assert text.count("\ncampaign:\n") == 1
    plan = tmp_path / f"{case_name}.yaml"
    plan.write_text(text.replace("\ncampaign:\n", "\ncampaign:\n  language: en\n"), encoding="utf-8")
    return plan


@pytest.mark.parametrize("case_name", ["three_problems", "all_stages_duplicate_key_and_claim", "unknown_role",
                                       "unknown_key_top", "unknown_claim", "campaign_reversed",
                                       "year_without_data", "date_range_open", "unknown_team"])
def test_an_english_plan_is_told_its_problems_in_english(case_name: str, tmp_path: Path) -> None:
    case = read_case(BROKEN / f"{case_name}.yaml")
    plan = _in_english(case_name, tmp_path)
    problems = _problems(plan)
    shown = "\n".join(p.format() for p in problems)
    for e in case.expects:
        assert any(e.en in p.what for p in problems), f"no {e.en!r} in:\n{shown}"
        assert not any(e.text in p.what for p in problems), shown
    # and `--lang zh` wins over the plan's language
    chinese = _problems(plan, "zh")
    for e in case.expects:
        assert any(e.text in p.what for p in chinese), "\n".join(p.format() for p in chinese)


def test_a_plan_too_broken_to_read_its_language_is_told_in_the_current_one(tmp_path: Path) -> None:
    plan = _in_english("syntax_mapping_in_scalar", tmp_path)
    [problem] = _problems(plan)
    assert problem.where == "（语法）" and "YAML 格式错误" in problem.what
    [problem] = _problems(plan, "en")
    assert problem.where == "(syntax)" and "mapping values are not allowed" in problem.what
