"""The terminal speaks the campaign's language (issue 16): every command on a zh plan prints
no English sentence (tests/chinese.py says what ASCII may stay), the same commands on an en
plan, or with --lang en, read in English, and the numbers shown do not contradict themselves."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from chinese import english_sentences
from conftest import CONTRACT_EXAMPLE, STARTER
from rich.console import Console

from planner import messages
from planner.report import closeness, render_unmet
from planner.search import Summary, TacticScore

FAST = ("--time-limit", "3s", "--seed", "1")


def run(*args, lang_env: str | None = None) -> subprocess.CompletedProcess:
    """The real command, one table row a line (wide), no terminal: what a log or a pipe gets."""
    env = {"COLUMNS": "1000", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONIOENCODING": "utf-8"}
    if lang_env:
        env["LANG"] = lang_env
    return subprocess.run([sys.executable, "-m", "planner", *map(str, args)], capture_output=True, text=True,
                          timeout=600, env=env)


def reasons(out: Path) -> list[str]:
    """The unmet goals' reasons in OUT/plan.json: the tactics' text (their own tests judge its
    language), taken out of what this file checks, which is the terminal's own words."""
    return [u["why"] for u in json.loads((out / "plan.json").read_text(encoding="utf-8"))["unmet"]]


def sentences(done: subprocess.CompletedProcess, out: Path | None = None) -> list[str]:
    text = done.stdout + done.stderr
    for why in reasons(out) if out is not None else ():
        text = text.replace(why, "").replace(why.split(": ", 1)[-1], "")  # plan.json's may lead with the count
    return english_sentences(text)


@pytest.fixture(scope="module")
def zh_plan(tmp_path_factory):
    """The (zh) starter plan planned into OUT, then re-planned from July into OUT2: (plan, OUT, OUT2, outputs)."""
    folder = tmp_path_factory.mktemp("zh")
    plan = folder / "plan.yaml"
    shutil.copy(STARTER, plan)
    out, out2 = folder / "out", folder / "out2"
    planned = run("plan", plan, "-o", out, *FAST)
    assert planned.returncode == 0, planned.stderr
    replanned = run("replan", plan, "--previous", out / "plan.json", "--from", "2026-07-01", "-o", out2, *FAST)
    assert replanned.returncode == 0, replanned.stderr
    return plan, out, out2, {"plan": planned, "replan": replanned}


def test_english_sentences_finds_sentences_and_spares_what_a_user_types():
    assert english_sentences("3 problems; nothing was written") == ["problems; nothing was written"]
    assert english_sentences("Score by tactic 各项战法") == ["Score by tactic"]
    assert english_sentences("│ 6+ │ – │ 整个活动期 │ too few lecture slots │") == ["too few lecture slots"]
    for fine in ("共 3 处问题，未写出任何文件", "请运行 `planner plan --fresh` 重新排班",
                 "已写出 /tmp/o/：plan.json、calendars/", "(command line):1:1: --lang: 'fr' 不是 zh 或 en",
                 "│ zhang-wei │ 张伟 │ 民警 │ 15 │ 36% │",
                 "pip install 'fanzha-planner[pdf]' 以及 Debian 软件包 fonts-noto-cjk", "五进 (five_into)",
                 "可加大 solver.time_limit", "2026-W23 · 0 / 5 秒", "国家反诈中心App", "UID SEQUENCE PLAN OUT"):
        assert english_sentences(fine) == [], fine


def test_plan_speaks_chinese_for_a_zh_plan(zh_plan):
    _, out, _, done = zh_plan
    planned = done["plan"]
    assert sentences(planned, out) == []
    assert "方案已排出" in planned.stdout and "人员工作量" in planned.stdout and "已写出" in planned.stdout
    for jargon in ("objective", "bound", "gap"):  # the search's words are not the user's
        assert jargon not in planned.stdout


def test_no_one_is_loaded_beyond_what_the_hard_rules_let_them_do(zh_plan):
    _, _, _, done = zh_plan
    table = done["plan"].stdout.split("人员工作量", 1)[1].split("└", 1)[0]
    uses = [int(n) for n in re.findall(r"│\s*(\d+)%\s*│", table)]
    assert len(uses) == 6 and max(uses) <= 100, table  # the starter's six people


def test_replan_speaks_chinese(zh_plan):
    _, _, out2, done = zh_plan
    replanned = done["replan"]
    assert sentences(replanned, out2) == []
    assert "变动：" in replanned.stdout and "项未变" in replanned.stdout  # changes: …; n unchanged


def test_check_speaks_chinese():
    for plan in (STARTER, CONTRACT_EXAMPLE):
        done = run("check", plan)
        assert done.returncode == 0, done.stderr
        assert sentences(done) == [], plan.name
        assert "站点计划有效" in done.stdout and "力量测算" in done.stdout


def test_history_speaks_chinese_in_the_stations_time_zone(zh_plan):
    _, _, out2, _ = zh_plan
    done = run("history", out2)
    assert done.returncode == 0, done.stderr
    assert sentences(done) == []
    assert "Asia/Shanghai" in done.stdout and "UTC" not in done.stdout
    records = sorted((out2 / "history").glob("*.json"))
    at = json.loads(records[-1].read_text(encoding="utf-8"))["at"]  # UTC, as recorded
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local = datetime.fromisoformat(at).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert local in done.stdout


def test_export_and_roster_speak_chinese(zh_plan):
    _, out, _, _ = zh_plan
    exported = run("export", out / "plan.json", "--to", "ics", "--to", "xlsx")
    assert exported.returncode == 0, exported.stderr
    assert sentences(exported) == [] and "已在" in exported.stdout
    roster = run("roster", out, "--week", "2026-W24")
    assert roster.returncode == 0, roster.stderr
    assert sentences(roster) == [] and roster.stdout.startswith("2026-W24：") and "场活动" in roster.stdout


def test_record_report_suggest_and_explain_speak_chinese(zh_plan, tmp_path):
    plan, out, _, _ = zh_plan
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    activity = json.loads((copy / "plan.json").read_text(encoding="utf-8"))["activities"][0]["id"]
    for args in (("record", copy, "--activity", activity, "--held", "--reach", "30"),
                 ("report", copy, "--week", "2026-W24"),
                 ("suggest", copy / "plan.json", "--activity", activity),
                 ("explain", plan, "--plan-json", copy / "plan.json", "--time-limit", "3s")):
        done = run(*args)
        assert done.returncode == 0, (args, done.stderr)
        assert sentences(done, copy) == [], args
        assert re.search(r"[\u4e00-\u9fff]", done.stdout), args


def test_bad_input_speaks_chinese(tmp_path):
    done = run("check", tmp_path / "nope.yaml")
    assert done.returncode == 2
    assert done.stderr.strip().endswith("未写出任何文件")  # nothing was written
    wrong = run("check", STARTER, "--lang", "fr")
    assert wrong.returncode == 2 and "(command line):1:1: --lang: 'fr' 不是 zh 或 en" in wrong.stderr
    empty = run("history", tmp_path)
    assert empty.returncode == 2 and sentences(empty) == [] and "尚无记录" in empty.stderr


def test_lang_en_and_an_english_system_read_in_english(zh_plan):
    _, out, out2, _ = zh_plan
    checked = run("check", STARTER, "--lang", "en")
    assert "valid station plan" in checked.stdout and "Capacity estimate (before solving)" in checked.stdout
    history = run("history", out2, "--lang", "en")
    assert "times in Asia/Shanghai" in history.stdout and "时间" not in history.stdout
    missing = run("history", out.parent / "nowhere", lang_env="en_US.UTF-8")  # no plan: the system's language
    assert "no records" in missing.stderr


def test_an_en_plan_reads_in_english(tmp_path):
    plan = tmp_path / "plan.yaml"
    text = STARTER.read_text(encoding="utf-8")
    assert "  language: zh" in text
    plan.write_text(text.replace("  language: zh", "  language: en", 1), encoding="utf-8")
    done = run("plan", plan, "-o", tmp_path / "out", *FAST)
    assert done.returncode == 0, done.stderr
    for phrase in ("Plan ready:", "Score by tactic", "Load per person", "calendar events: first version",
                   "wrote "):
        assert phrase in done.stdout, phrase
    assert not re.search(r"[\u4e00-\u9fff]", done.stdout.split("Score by tactic")[0])  # the header
    assert "方案已排出" not in done.stdout and "已写出" not in done.stdout


def _summary(unmet=(), score=None) -> Summary:
    return Summary("feasible", 10.0, 5.0, 0.5, 1.0, 3, 100, 10.0, score or {}, [], [], list(unmet), [])


def test_every_goal_met_is_said_only_when_every_tactic_reached_what_it_asks():
    def shown(summary: Summary) -> str:
        console = Console(file=io.StringIO(), width=200)
        with messages.using("zh"):
            render_unmet(console, summary, "zh")
        return console.file.getvalue()

    assert "全部目标均已达成" in shown(_summary(score={"five_into": TacticScore(0.0, 5, 5)}))
    short = shown(_summary(score={"five_into": TacticScore(0.0, 5, 5), "key_dates": TacticScore(240.0, 3, 6)}))
    assert "全部目标均已达成" not in short and "关键节点" in short


def test_how_close_to_the_best_is_said_in_words_or_not_at_all():
    with messages.using("zh"):
        assert closeness("optimal", 0.0) == "已是最优方案"
        assert closeness("feasible", 0.02) == "与理论最优相差约 2%"
        assert closeness("feasible", 112.04) == ""  # a bound that weak says nothing about the plan
        # month by month: the whole campaign's bound
        assert closeness("feasible", 0.02, parts=3) == "与理论最优相差约 2%"
        assert closeness("optimal", 0.0, parts=3) == "与理论最优相差不到 0.5%"  # never "proven" in parts
        assert "无法判断" in closeness("feasible", None, parts=3)  # no bound in time: words
    with messages.using("en"):
        assert closeness("optimal", 0.0) == "the best possible plan (proven)"


def test_the_live_line_names_each_stage_in_the_users_language():
    from planner.cli import _Stages

    for language, words in (("zh", "生成PDF"), ("en", "making the PDF")):
        console = Console(file=io.StringIO(), force_terminal=True, width=100)
        with messages.using(language):
            stages = _Stages(console)
            with stages.showing("json"):
                stages.stage("pdf")
        assert words in console.file.getvalue()
    plain = Console(file=io.StringIO(), force_terminal=False)
    stages = _Stages(plain)
    with stages.showing("json"):
        stages.stage("pdf")
    assert plain.file.getvalue() == "" and stages.progress is None  # no terminal: nothing drawn, nothing asked
