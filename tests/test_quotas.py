"""Quotas per key date, publicity months (surges), a format's own quota and the 十个一
checklist (issue 17, item 2): what the per-rule cases in test_rules.py do not show."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from conftest import run_planner
from rules import HEAD, load

from planner.calendar import build_calendar
from planner.capacity import estimate
from planner.loader import LoadedPlan, load_plan
from planner.tactics import spread, surges

STAFF = """staff:
  - {id: p1, name: 警一, role: police, skills: [lecture]}
  - {id: g1, name: 格一, role: grid_worker}
venues:
  - {id: home, name: 家园社区, kind: community, size: 3000}
  - {id: vil, name: 金星村, kind: village, size: 800, checklist: [performance]}
  - {id: mkt, name: 菜市场, kind: market, size: 800}
"""


def plan_file(body: str, end: str, campaign: str) -> LoadedPlan:
    """A plan with more in its campaign line than tests/rules.py's head has."""
    head = HEAD.replace("START", "2026-06-01").replace("END", end)
    head = head.replace("holidays: none", f"holidays: none, {campaign}")
    path = Path(tempfile.mkdtemp(prefix="quotas-")) / "plan.yaml"
    path.write_text(head + body, encoding="utf-8")
    return load_plan(path)


def test_each_key_date_asks_its_own_number_of_themed_activities():
    loaded = load(STAFF + """tactics:
  key_dates:
    use: [childrens_day, dragon_boat]
    min_activities: 2
    overrides: {dragon_boat: {min_activities: 5}}
    custom: [{id: fair, name: 集市节, date: 2026-06-10, min_activities: 0}]
""", end="2026-06-30")
    asked = {k.id: k.min_activities for k in build_calendar(loaded.plan).key_dates}
    assert asked == {"childrens_day": 2, "dragon_boat": 5, "fair": 0}


def test_a_surge_multiplies_the_rhythm_over_its_window_and_allows_busier_days():
    text = STAFF + """tactics:
  five_into: {kinds: [community, village], every_venue: {at_least: 1, per: month}, min_gap_days: 3}
  key_dates: {use: [national_month]}
  surges: [{key_date: national_month, factor: 2}, {span: "2026-07-01..2026-07-03", factor: 2}]
"""
    loaded = plan_file(text, "2026-07-31", "national_month: {start: 2026-06-01, days: 30}")
    calendar = build_calendar(loaded.plan)
    found = surges.windows(loaded.plan, calendar)
    assert [w.period.label for w in found] == ["2026-06-01..2026-06-30", "2026-07-01..2026-07-03"]
    # a monthly visit × 2 over 30 days: 2; over 3 days it rounds to none, but a drive asks one
    assert [surges.required(loaded.plan, calendar, w) for w in found] == [2, 1]
    allowed = spread.asked(loaded.plan, calendar)
    assert allowed[0] > allowed.get(40, 0.0)  # the national month's days may hold more than July's later days


def test_the_capacity_estimate_counts_a_formats_own_quota():
    text = STAFF.replace("venues:", "activities:\n  stall: {per_week: 3}\nvenues:")
    loaded = load(text, end="2026-06-28")
    rows = {d.tactic: d.activities for d in estimate(loaded.plan, build_calendar(loaded.plan)).demands}
    assert rows["quotas:stall"] == 12  # four weeks × 3


def test_explain_names_the_quota_and_the_checklist_item_in_the_plan(tmp_path):
    plan = tmp_path / "plan.yaml"
    body = STAFF.replace("venues:", "activities:\n  stall: {per_week: 9}\nvenues:")
    plan.write_text(Path(load(body).file).read_text(encoding="utf-8"), encoding="utf-8")
    result = run_planner("explain", plan, "--json", "--time-limit", "5s")
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    quota = [f for f in findings if f["tactic"] == "quotas"]
    assert quota and all(f["verdict"] == "conflict" for f in quota)
    # nine stalls a week: a weekly limit (5) of the stall's pair is the other side of the conflict
    assert all({r["path"] for r in f["rules"]} & {"activities.stall.per_week"} for f in quota)
    assert all(any(r["path"].endswith("max_activities_per_week") for r in f["rules"]) for f in quota)
    item = [f for f in findings if f["tactic"] == "checklist"]
    assert item and item[0]["venue"] == "vil" and "反诈文艺汇演" in item[0]["goal"]
