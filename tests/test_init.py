"""`planner init`: the Chinese starter (or `--lang en` the English one), dated for the next
campaign from today, that checks and plans with nothing unmet as it stands."""

import json
import re
from datetime import date

import pytest
from conftest import ROOT, run_planner

from planner.calendar import is_official
from planner.yamlio import load_yaml

CJK = re.compile(r"[\u4e00-\u9fff]")


def _init(tmp_path, *args: str):
    folder = tmp_path / "station"
    result = run_planner("init", folder, *args)
    assert result.returncode == 0, result.stderr
    return folder / "plan.yaml", result


def _comments(text: str) -> list[str]:
    """The comment of every line (what follows a # outside quotes)."""
    found = []
    for line in text.splitlines():
        quoted = False
        for i, char in enumerate(line):
            if char == '"':
                quoted = not quoted
            elif char == "#" and not quoted:
                found.append(line[i + 1:])
                break
    return found


def _plans_with_nothing_unmet(plan, out):
    checked = run_planner("check", plan)
    assert checked.returncode == 0, checked.stderr
    planned = run_planner("plan", plan, "-o", out, "--time-limit", "10s")
    assert planned.returncode == 0, planned.stderr
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert data["activities"] and data["unmet"] == [], data["unmet"]
    return data


def test_the_chinese_starter_for_next_year_carries_the_proposed_days_off_and_plans(tmp_path):
    plan, result = _init(tmp_path, "--today", "2026-12-05")
    assert "已生成" in result.stdout and "planner check" in result.stdout
    campaign = load_yaml(plan).data["campaign"]
    assert (campaign["name"], campaign["start"], campaign["end"], campaign["language"]) == (
        "2027年1—3月反诈集中宣传", date(2027, 1, 4), date(2027, 3, 28), "zh")  # Monday to Sunday
    text = plan.read_text(encoding="utf-8")
    if not is_official(2027):
        assert '- "2027-02-05..2027-02-12"  # 春节 待国务院通知确认' in text
        assert campaign["extra_workdays"] == []  # make-up workdays come with the notice
    assert "national_month" not in campaign  # June is not in January–March
    use = load_yaml(plan).data["tactics"]["key_dates"]["use"]
    assert "spring_festival" in use and "summer_holiday" not in use
    assert "2026-" not in text.split("staff:")[1]  # leave, rotas and the examples moved too
    data = _plans_with_nothing_unmet(plan, tmp_path / "out")
    assert all("2027-01-04" <= a["start"][:10] <= "2027-03-28" for a in data["activities"])


def test_the_chinese_starter_has_no_english_comment_sentence(tmp_path):
    plan, _ = _init(tmp_path, "--today", "2026-12-05")
    english = []
    for comment in _comments(plan.read_text(encoding="utf-8")):
        # ids, commands, options, dates, keys and YAML written in a comment are not sentences
        words = re.sub(r"`[^`]*`|\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"|\S*[_\d/.@-]\S*|[A-Za-z]+:", " ", comment)
        if re.search(r"[A-Za-z]+(?:[ ,;:'()]+[A-Za-z]+){2,}", words):
            english.append(comment)
    assert not english, english
    assert sum(bool(CJK.search(c)) for c in _comments(plan.read_text(encoding="utf-8"))) > 40


def test_the_english_starter_reads_in_english_and_plans(tmp_path):
    plan, result = _init(tmp_path, "--lang", "en", "--today", "2026-03-10")
    assert result.stdout.startswith("wrote ")
    text = plan.read_text(encoding="utf-8")
    assert not CJK.search(text)
    campaign = load_yaml(plan).data["campaign"]
    assert (campaign["start"], campaign["end"], campaign["language"]) == (date(2026, 4, 6), date(2026, 6, 28), "en")
    assert campaign["national_month"] == {"start": date(2026, 6, 15), "days": 30}  # inside: planned
    assert "extra_holidays: []" in text  # 2026 is in the installed calendar: nothing proposed
    _plans_with_nothing_unmet(plan, tmp_path / "out")


def test_init_dates_from_today_without_the_option(tmp_path):
    plan, _ = _init(tmp_path)
    assert load_yaml(plan).data["campaign"]["start"] > date.today()


def test_the_templates_are_plans_in_their_own_right():
    for template in ("starter.yaml", "starter-en.yaml"):
        result = run_planner("check", ROOT / "templates" / template)
        assert result.returncode == 0, result.stderr


def test_init_does_not_overwrite_a_plan(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("mine", encoding="utf-8")
    result = run_planner("init", tmp_path)
    assert result.returncode == 2
    assert f"{plan}:1:1: (文件)：已存在；要覆盖请加 --force" in result.stderr
    assert plan.read_text(encoding="utf-8") == "mine"
    assert run_planner("init", tmp_path, "--force").returncode == 0
    assert plan.read_text(encoding="utf-8") != "mine"


@pytest.mark.parametrize("args, says", [(("--lang", "fr"), "--lang"), (("--today", "soon"), "--today")])
def test_init_refuses_a_bad_option_without_a_traceback(tmp_path, args, says):
    result = run_planner("init", tmp_path / "station", *args)
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "station").exists()
