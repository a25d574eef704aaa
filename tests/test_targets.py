"""Targets (考核指标) in the plan: the contract's `targets:` keys, their checks, and the defaults
scaled to the plan that reports compare against when a plan gives none."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest
from conftest import CONTRACT_EXAMPLE, ROOT
from ruamel.yaml import YAML

from planner.errors import PlanError
from planner.loader import load_plan
from planner.model import MAX_COUNT, Plan
from planner.targets import campaign_months, campaign_weeks, default_targets, effective_targets, targets_for

# The contract's example (shared/spec/station-plan.md, "Added for the station's loop"), verbatim.
CONTRACT_TARGETS = """\
targets:                            # what the station is judged on; per campaign, or per month/week
  activities: {lecture: 40, stall: 30, door_to_door: 60, performance: 8}
  reach: 50000                      # people reached
  materials: {leaflet: 16000, booklet: 3000, poster: 2000, letter: 5000, gift: 500}
  households: 1200                  # households visited door to door
  app_installs: 2000
  fraud_free:                       # 无诈社区 / 无诈校园 / 无诈单位 thresholds per venue
    {kinds: [community, village, school, enterprise], install_rate: 0.6, households_share: 0.8}
"""

CATALOGUE = ROOT / "planner" / "catalogue"


def write(tmp_path: Path, tail: str = "", replace: dict[str, str] | None = None) -> Path:
    text = CONTRACT_EXAMPLE.read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "plan.yaml"
    path.write_text(text.rstrip("\n") + "\n" + tail, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    return [p.format() for p in caught.value.problems]


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the file holding `text` (once)."""
    lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    assert len(lines) == 1, (text, lines)
    return lines[0]


# --- the contract's keys -----------------------------------------------------------------------------


def test_the_contracts_targets_example_is_accepted_verbatim(tmp_path):
    targets = load_plan(write(tmp_path, CONTRACT_TARGETS)).plan.targets
    assert targets is not None
    assert targets.activities == {"lecture": 40, "stall": 30, "door_to_door": 60, "performance": 8}
    assert targets.reach == 50000
    assert targets.materials == {"leaflet": 16000, "booklet": 3000, "poster": 2000, "letter": 5000, "gift": 500}
    assert targets.households == 1200 and targets.app_installs == 2000
    assert targets.fraud_free.kinds == ["community", "village", "school", "enterprise"]
    assert targets.fraud_free.install_rate == 0.6 and targets.fraud_free.households_share == 0.8


def test_months_and_weeks_of_the_campaign_are_accepted(tmp_path):
    tail = CONTRACT_TARGETS + """\
  months:
    "2026-06": {activities: {lecture: 20}, reach: 20000}
    2026-08: {materials: {leaflet: 4000}}
  weeks:
    "2026-W27": {activities: {stall: 4}, households: 100}
"""
    targets = load_plan(write(tmp_path, tail)).plan.targets
    assert targets.months["2026-06"].activities == {"lecture": 20}
    assert targets.months["2026-08"].materials == {"leaflet": 4000}
    assert targets.weeks["2026-W27"].households == 100


@pytest.mark.parametrize("bad, where, what", [
    ("activities: {lectures: 40}", "lectures: 40", "没有编号为 'lectures' 的活动形式（您是否想写 'lecture'？）"),
    ("materials: {leaflets: 100}", "leaflets: 100", "没有编号为 'leaflets' 的物料（您是否想写 'leaflet'？）"),
    ("reach: -5", "reach: -5", "不能小于 0，实际为 -5"),
    ("households: 100000000000", "households: 100000000000", "不能大于"),
    ("materials: {poster: 1e400}", "poster: 1e400", "应填有限的数字"),
    ("materials: {poster: 2.5}", "poster: 2.5", "应填整数，实际为 2.5"),
    ("app_install: 2000", "app_install: 2000", "无法识别的配置项 'app_install'（您是否想写 'app_installs'？）"),
    ("months: {\"2026-09\": {reach: 10}}", "2026-09", "月份 2026-09（2026-09-01..2026-09-30）不在宣传期"),
    ("months: {\"2026-13\": {reach: 10}}", "2026-13", "'2026-13' 不是月份，应写作 2026-07"),
    ("weeks: {\"2026-W37\": {reach: 10}}", "2026-W37",
     "ISO 周 2026-W37（2026-09-07..2026-09-13）不在宣传期"),
    ("weeks: {\"2026-W22\": {reach: 10}}", "2026-W22", "ISO 周 2026-W22（2026-05-25..2026-05-31）不在"),
    ("weeks: {\"2026-27\": {reach: 10}}", "2026-27", "不是 ISO 周，应写作 2026-W27"),
    ("months: {\"2026-07\": {fraud_free: {install_rate: 0.5}}}", "fraud_free", "无法识别的配置项 'fraud_free'"),
    ("fraud_free: {kinds: [city], install_rate: 0.6}", "kinds: [city]", "'city' 不是可选值"),
    ("fraud_free: {install_rate: 1.5}", "install_rate: 1.5", "不能大于 1"),
])
def test_bad_targets_are_file_line_errors(tmp_path, bad, where, what):
    path = write(tmp_path, f"targets:\n  {bad}\n")
    found = problems(path)
    line = line_of(path, where)
    assert any(p.startswith(f"{path}:{line}:") and what in p for p in found), found


def test_an_unknown_id_names_the_known_ones(tmp_path):
    path = write(tmp_path, "targets:\n  activities: {quiz: 3}\n  materials: {flyer: 10}\n")
    found = "\n".join(problems(path))
    assert "没有编号为 'quiz' 的活动形式；可用的形式：door_to_door、lecture、online_post、performance、" \
           "stall、themed_event" in found
    assert "没有编号为 'flyer' 的物料；可用的物料：leaflet、booklet、poster、letter、gift" in found


def test_a_format_the_plan_defines_can_have_a_target(tmp_path):
    film = """  film: {duration: 1h, needs: {police: 1}, kinds: [community],
         windows: [{days: all, time: "19:00-21:00"}]}
"""
    plain = write(tmp_path, "targets:\n  activities: {film: 3}\n")
    assert any("没有编号为 'film' 的活动形式" in p for p in problems(plain))
    path = write(tmp_path, "targets:\n  activities: {film: 3}\n",
                 replace={"activities:                         # formats": "activities:\n" + film + "  # formats"})
    assert load_plan(path).plan.targets.activities == {"film": 3}


def test_counts_are_bounded_by_the_plan_formats_limit(tmp_path):
    assert load_plan(write(tmp_path, f"targets:\n  reach: {MAX_COUNT}\n")).plan.targets.reach == MAX_COUNT
    assert any("reach" in p for p in problems(write(tmp_path, f"targets:\n  reach: {MAX_COUNT + 1}\n")))


def test_every_problem_in_the_targets_is_reported_at_once(tmp_path):
    path = write(tmp_path, "targets:\n  activities: {lectures: 1}\n  reach: -1\n  months: {\"2027-01\": {}}\n")
    assert len(problems(path)) == 3


def test_the_schema_has_targets_and_checks_their_numbers():
    schema = Plan.model_json_schema()
    assert "targets" in schema["properties"]
    yaml = YAML(typ="safe")
    data = yaml.load(CONTRACT_EXAMPLE.read_text(encoding="utf-8") + CONTRACT_TARGETS)
    data = json.loads(json.dumps(data, default=str))
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(data)) == []
    data["targets"]["reach"] = -1
    assert len(list(validator.iter_errors(data))) == 1


# --- defaults scaled to the plan ------------------------------------------------------------------------


def _yaml(name: str):
    return YAML(typ="safe").load((CATALOGUE / name).read_text(encoding="utf-8"))


def test_without_targets_the_defaults_apply_scaled_to_the_plan(tmp_path):
    loaded = load_plan(write(tmp_path))
    plan = loaded.plan
    assert plan.targets is None
    targets = effective_targets(loaded)
    assert targets == default_targets(loaded)
    rules = _yaml("targets.yaml")["activities"]
    days = (plan.campaign.end - plan.campaign.start).days + 1
    formats = _yaml("formats.yaml")
    lecture_venues = sum(v.kind in formats["lecture"]["kinds"] for v in plan.venues)
    police = sum(s.role == "police" for s in plan.staff)
    assert days == 92 and lecture_venues == 1 and police == 1
    expected = {
        "lecture": rules["lecture"]["per_venue_month"] * lecture_venues * days / (365.25 / 12),
        "door_to_door": rules["door_to_door"]["per_police_week"] * police * days / 7,
        # the plan's own 三时三地 lines: 1 a week at squares (none here) and 2 at its market
        "stall": 2 * days / 7,
        "online_post": plan.tactics.six_plus.online.posts_per_week * days / 7,
    }
    for name, value in expected.items():
        assert targets.activities[name] == math.floor(value + 0.5), name
    # its App target is the plan's own; reach, materials and households follow the activities
    assert targets.app_installs == plan.tactics.six_plus.app_promotion.target_installs
    assert targets.reach > 0 and targets.households > 0
    assert set(targets.materials) == {"leaflet", "booklet", "poster", "letter", "gift"}
    assert targets.fraud_free.model_dump() == _yaml("targets.yaml")["fraud_free"]


def test_a_format_no_venue_can_host_has_no_default_target(tmp_path):
    # the example's venues are a community and a market: lectures at the community; a plan of
    # markets only gets no lecture target (lectures are not held at markets)
    assert effective_targets(load_plan(write(tmp_path))).activities["lecture"] > 0
    market_only = load_plan(write(tmp_path, replace={"kind: community ": "kind: market "}))
    assert effective_targets(market_only).activities["lecture"] == 0


def test_months_and_weeks_cover_the_campaign_and_add_up(tmp_path):
    loaded = load_plan(write(tmp_path))
    targets = effective_targets(loaded)
    assert list(targets.months) == ["2026-06", "2026-07", "2026-08"]
    assert list(targets.weeks)[0] == "2026-W23" and list(targets.weeks)[-1] == "2026-W36"
    for key in ("reach", "households", "app_installs"):
        assert sum(getattr(m, key) for m in targets.months.values()) == getattr(targets, key), key
    for key in ("activities", "materials"):
        for ident, total in getattr(targets, key).items():
            assert sum(getattr(m, key)[ident] for m in targets.months.values()) == total, (key, ident)


def test_the_plans_figures_win_and_the_rest_is_shared_out(tmp_path):
    tail = CONTRACT_TARGETS + """\
  months:
    "2026-06": {activities: {lecture: 20}}
  weeks:
    "2026-W27": {activities: {stall: 7}}
"""
    loaded = load_plan(write(tmp_path, tail))
    targets = effective_targets(loaded)
    assert targets.activities == {"lecture": 40, "stall": 30, "door_to_door": 60, "performance": 8}
    assert targets.reach == 50000 and targets.materials["leaflet"] == 16000
    months = targets.months
    assert months["2026-06"].activities["lecture"] == 20
    assert months["2026-07"].activities["lecture"] + months["2026-08"].activities["lecture"] == 20  # 40 − 20
    assert months["2026-07"].activities["lecture"] == 10  # 31 days each
    # the other formats of June are June's share of the campaign (30 of 92 days), not dropped
    assert months["2026-06"].activities["stall"] == round(30 * 30 / 92)
    assert sum(m.reach for m in months.values()) == 50000
    assert targets.weeks["2026-W27"].activities["stall"] == 7
    # a week inside July: July's figures by its 7 of 31 days
    july = months["2026-07"]
    assert targets.weeks["2026-W28"].reach == math.floor(july.reach * 7 / 31 + 0.5)
    # keys the plan leaves out are the defaults
    plain = default_targets(loaded)
    partial = load_plan(write(tmp_path, "targets:\n  reach: 1234\n"))
    assert effective_targets(partial).activities == plain.activities
    assert effective_targets(partial).reach == 1234


def test_targets_for_a_period(tmp_path):
    loaded = load_plan(write(tmp_path, CONTRACT_TARGETS))
    targets = effective_targets(loaded)
    assert targets_for(loaded, date(2026, 7, 1), date(2026, 7, 31)) == targets.months["2026-07"]
    monday = date.fromisocalendar(2026, 27, 1)
    assert targets_for(loaded, monday, monday + timedelta(days=6)) == targets.weeks["2026-W27"]
    # the first week starts before the campaign: its days in the campaign are that week
    first, last = campaign_weeks(loaded.plan)["2026-W23"]
    assert targets_for(loaded, first, last) == targets.weeks["2026-W23"]
    # any other span: the campaign's figures by its share of the campaign's days
    ten = targets_for(loaded, date(2026, 7, 1), date(2026, 7, 10))
    assert ten.reach == math.floor(50000 * 10 / 92 + 0.5)
    assert ten.activities["lecture"] == math.floor(40 * 10 / 92 + 0.5)
    assert targets_for(loaded, date(2027, 1, 1), date(2027, 1, 31)).reach == 0
    assert list(campaign_months(loaded.plan)) == list(targets.months)


def test_the_examples_targets_come_from_the_seeds():
    for name, lectures in (("lanzhou-guangwumen.yaml", 40), ("litong.yaml", 120), ("harbin.yaml", 144)):
        loaded = load_plan(ROOT / "examples" / name)
        assert loaded.plan.targets is not None, name
        assert loaded.plan.targets.activities["lecture"] == lectures, name
    litong = load_plan(ROOT / "examples" / "litong.yaml").plan.targets
    # Litong [002]: 160,000 leaflets, 20,000 posters and 30 shows in 11 months, for 4 months
    assert litong.materials["leaflet"] == round(160_000 * 4 / 11, -3)
    assert litong.activities["performance"] >= 30 * 4 // 11


# --- the greedy plan: targets as quotas and ceilings (issue 17, items 4 and 9) -------------------------

PAIR = """staff:
  - {id: a1, name: 辅一, role: auxiliary, max_activities_per_week: 3}
  - {id: g1, name: 格一, role: grid_worker, max_activities_per_week: 3}
venues:
  - {id: c1, name: 社区一, kind: community, size: 3000}
  - {id: c2, name: 社区二, kind: community, size: 3000}
  - {id: sq, name: 广场, kind: square, size: 20000}
"""


def greedy_formats(body: str) -> dict[str, int]:
    """Activities per format of a tiny two-week plan's greedy plan (what the search starts from)."""
    import time
    from collections import Counter

    from rules import load

    from planner.calendar import build_calendar
    from planner.candidates import generate_candidates
    from planner.greedy import greedy
    from planner.search import Run, choose_strategy

    loaded = load(body, "2026-06-01", "2026-06-14")
    calendar = build_calendar(loaded.plan)
    run = Run(loaded, calendar, choose_strategy(loaded, calendar), None, 1, 1, time.monotonic(), None)
    days = range(len(calendar.days))
    ctx = run.build(generate_candidates(loaded, calendar, days=days), days, days, run.carry, "prepare")
    return dict(Counter(ctx.cands[i].format for i in greedy(ctx).chosen))


def pair_targets(door_to_door: int, stall: int) -> str:
    return PAIR + (f"targets: {{activities: {{door_to_door: {door_to_door}, stall: {stall}}}, reach: 0, "
                   "materials: {}, households: 0, app_installs: 0}\n")


def test_the_greedy_meets_a_format_target_a_stall_out_reaches(monkeypatch):
    """An auxiliary and a grid worker, three activities a week each: by reach per head the
    greedy spent all six on stalls (a square's stall reaches 800, a round of doors 60) and
    the door-to-door target went unmet, as Litong's did; the targets are quotas, and a
    venue's visit goes to the format short of its target."""
    from planner.greedy import Greedy
    from planner.tactics import targets

    assert greedy_formats(pair_targets(4, 1)) == {"door_to_door": 4, "stall": 2}
    with monkeypatch.context() as m:  # a venue's coverage visit no longer prefers the short format
        m.setattr(Greedy, "short_of", lambda self, i: False)
        assert greedy_formats(pair_targets(4, 1)) == {"door_to_door": 3, "stall": 3}
    monkeypatch.setattr(targets, "greedy_quotas", lambda ctx: [])  # the rule switched off
    assert greedy_formats(pair_targets(4, 1)) == {"stall": 6}


def test_spare_time_past_the_targets_keeps_their_mix(monkeypatch):
    """Both targets met (two rounds of doors, a stall), three places left to fill: by reach per
    head alone they went to stalls (4 stalls, 2 rounds); the format least far along its
    target goes first, so the plan keeps the targets' two rounds to a stall."""
    from planner.greedy import Greedy

    body = pair_targets(2, 1) + "tactics: {coverage: false}\n"
    assert greedy_formats(body) == {"door_to_door": 4, "stall": 2}
    monkeypatch.setattr(Greedy, "filled", lambda self, i: 1.0)  # the rule switched off
    assert greedy_formats(body) == {"door_to_door": 2, "stall": 4}
