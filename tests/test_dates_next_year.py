"""A year the installed chinesecalendar does not know yet (2027 with chinesecalendar 1.11):
`planner dates` says so and proposes the days off to paste, marked to be confirmed, and a plan
for that year without them is refused with the command to run."""

import json
import re
from datetime import date, timedelta

import chinese_calendar
import pytest
from conftest import run_planner

from planner.calendar import is_official, official_years, proposed_block, proposed_days_off
from planner.yamlio import load_yaml_text

NEXT = official_years()[1] + 1  # the first year the library does not know


def _official_breaks(year: int) -> list[tuple[date, date]]:
    """The year's days off by the library, as runs of consecutive days."""
    days = sorted(d for d in chinese_calendar.holidays if d.year == year)
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] == day - timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def test_the_proposal_for_2025_is_what_the_state_council_published():
    # since the 2025 rules (国务院令第798号) the breaks have had these lengths; 2025's notice
    # matches the proposal day for day, the merged 中秋/国庆 break included
    proposed = [(p.span.start, p.span.end) for p in proposed_days_off(2025)]
    assert proposed == _official_breaks(2025)
    assert proposed_days_off(2025)[-1].name == "中秋节、国庆节"


def test_the_proposal_for_2026_proposes_no_day_the_notice_did_not_give():
    # 2026's notice bridged 元旦 and began 春节 a day earlier, with make-up workdays: a midweek
    # bridge is the notice's to make, so the proposal stays within the days off it gave
    official = set(chinese_calendar.holidays)
    for period in proposed_days_off(2026):
        assert set(period.span.days()) <= official, period


def test_next_years_festivals_follow_the_lunar_calendar_and_the_solar_terms():
    spans = {p.name: str(p.span) for p in proposed_days_off(2027)}
    assert spans == {"元旦": "2027-01-01..2027-01-03",  # a Friday: joined to the weekend
                     "春节": "2027-02-05..2027-02-12",  # 除夕 to 正月初七
                     "清明节": "2027-04-03..2027-04-05",  # 清明 falls on Monday 5 April
                     "劳动节": "2027-05-01..2027-05-05", "端午节": "2027-06-09", "中秋节": "2027-09-15",
                     "国庆节": "2027-10-01..2027-10-07"}


@pytest.mark.skipif(is_official(2027), reason="the installed chinesecalendar knows 2027")
def test_dates_for_next_year_says_so_in_chinese_and_prints_the_block_to_paste():
    result = run_planner("dates", "2027")
    assert result.returncode == 0, result.stderr
    assert "尚未收录2027年的法定节假日安排" in result.stderr and "国务院通知" in result.stderr
    out = result.stdout
    assert "法定节假日" in out and "调休上班" in out and "农历节日" in out and "关键节点" in out
    assert "2月6日（周六）" in out  # 春节, as a date reads in Chinese
    assert '- "2027-02-05..2027-02-12"  # 春节 待国务院通知确认' in out
    assert "extra_workdays: []" in out and "调休上班日随国务院通知公布" in out
    assert not re.search(r"\b(holiday|festival|date|window|Official|Lunar|Key)\b", out)


@pytest.mark.skipif(is_official(2027), reason="the installed chinesecalendar knows 2027")
def test_the_extra_block_pastes_into_a_campaign_as_the_plan_reads_it():
    result = run_planner("dates", "2027", "--extra")
    assert result.returncode == 0, result.stderr
    assert result.stdout == proposed_block([2027], "zh")
    campaign = load_yaml_text("campaign:\n" + result.stdout, "block").data["campaign"]
    assert campaign["extra_workdays"] == []  # make-up workdays are never guessed
    assert campaign["extra_holidays"][1] == "2027-02-05..2027-02-12"
    assert all("待国务院通知确认" in line for line in result.stdout.splitlines() if line.lstrip().startswith("- "))
    english = run_planner("dates", "2027", "--extra", "--lang", "en").stdout
    assert "# Spring Festival, to be confirmed by the State Council notice" in english
    assert not re.search(r"[\u4e00-\u9fff]", english)  # an English user reads English


@pytest.mark.skipif(is_official(2027), reason="the installed chinesecalendar knows 2027")
def test_dates_json_lists_the_proposal_as_unconfirmed():
    data = json.loads(run_planner("dates", "2027", "--json").stdout)
    assert data["official_data"] is False and data["days_off"] == []
    assert {"name": "春节", "name_en": "Spring Festival", "start": "2027-02-05", "end": "2027-02-12",
            "confirmed": False} in data["proposed_days_off"]


def test_dates_for_a_known_year_in_english_reads_in_english():
    result = run_planner("dates", "2026", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "Spring Festival" in result.stdout and "Sun 2026-01-04" in result.stdout  # a make-up workday
    assert not re.search(r"[\u4e00-\u9fff]", result.stdout)
    assert run_planner("dates", "2026", "--extra").stdout == ""  # nothing to paste


def _plan_for_2027(plan_file, *, language: str = "zh", block: str | None = None):
    """The starter plan moved to March–April 2027, with a block in place of its extra_* lines."""
    replace = {"  start: 2026-06-01\n": "  start: 2027-03-01\n", "  end: 2026-08-31 ": "  end: 2027-04-30 ",
               "  language: zh ": f"  language: {language} "}
    path = plan_file(replace=replace)
    if block is not None:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        extra = [i for i, line in enumerate(lines) if line.startswith(("  extra_workdays:", "  extra_holidays:"))]
        assert len(extra) == 2
        lines[extra[0]:extra[1] + 1] = [block]
        path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.skipif(is_official(2027), reason="the installed chinesecalendar knows 2027")
@pytest.mark.parametrize("language, says", [
    ("zh", "没有2027年的：请运行 `planner dates 2027`，把它输出的 extra_holidays / extra_workdays 一段粘贴到"),
    ("en", "not 2027's: run `planner dates 2027` and paste the extra_holidays / extra_workdays block"),
])
def test_a_plan_for_next_year_without_its_days_off_shows_the_command(plan_file, language, says):
    path = _plan_for_2027(plan_file, language=language)
    result = run_planner("check", path)
    assert result.returncode == 2
    text = path.read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(text, 1) if t.startswith("  end: 2027-04-30"))
    [problem] = [t for t in result.stderr.splitlines() if t.startswith(f"{path}:")]
    assert problem.startswith(f"{path}:{line}:") and says in problem
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(is_official(2027), reason="the installed chinesecalendar knows 2027")
def test_a_plan_for_next_year_with_the_pasted_block_checks_and_plans(plan_file, tmp_path):
    block = run_planner("dates", "2027", "--extra").stdout
    path = _plan_for_2027(plan_file, block=block)
    checked = run_planner("check", path)
    assert checked.returncode == 0, checked.stderr
    assert "04-03, 04-04, 04-05" in checked.stdout  # 清明, as proposed, is a day off
    planned = run_planner("plan", path, "-o", tmp_path / "out", "--time-limit", "5s")
    assert planned.returncode == 0, planned.stderr
    data = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert data["activities"] and all("2027-03-01" <= a["start"][:10] <= "2027-04-30" for a in data["activities"])
