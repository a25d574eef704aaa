"""Re-planning from what happened: held activities are facts, missed ones reopen their goals.

The starter plan with a weekly 五进 rhythm, published, then re-planned from a day in the
middle of a week with records of what the station did before that day: a venue's visit that
week missed, another activity held with more people than expected, an extra visit nobody
planned."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import STARTER

from planner.loader import load_plan
from planner.planfile import read_plan_json
from planner.planjson import dumps, plan_json
from planner.publish import publish
from planner.replan import Actual, Actuals, Extra, replan
from planner.search import solve
from planner.verify import verify

TZ = ZoneInfo("Asia/Shanghai")
WEEKLY = ("every_venue: {at_least: 1, per: month}   # per: week | month | campaign\n    min_gap_days: 10",
          "every_venue: {at_least: 1, per: week}\n    min_gap_days: 3")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("published")
    text = STARTER.read_text(encoding="utf-8")
    assert WEEKLY[0] in text
    plan = folder / "plan.yaml"
    plan.write_text(text.replace(*WEEKLY), encoding="utf-8")
    loaded = load_plan(plan)
    data = publish(plan_json(solve(loaded, time_limit=10, workers=1)), None, plan=loaded.plan).data
    path = folder / "plan.json"
    path.write_text(dumps(data), encoding="utf-8")
    previous = read_plan_json(path)
    return plan, previous.raw, previous, path


def day(a: dict) -> date:
    return datetime.fromisoformat(a["start"]).date()


def week_visit(data: dict) -> tuple[str, date, list[dict]]:
    """A 五进 venue, a day in the middle of a week, and the venue's visits that week, all
    before that day: missing them leaves the week's goal to the days from that day on."""
    visits = [a for a in data["activities"] if a["venue"] and "five_into" in a["tactics"]]
    for a in visits:
        since = day(a) + timedelta(days=1)
        if since.isoweekday() not in (2, 3, 4) or since.month != day(a).month:
            continue
        week = [b for b in visits if b["venue"] == a["venue"] and day(b).isocalendar()[:2] == since.isocalendar()[:2]]
        if all(day(b) < since for b in week):
            return a["venue"], since, week
    pytest.skip("no 五进 visit early in a week in this plan")


def test_missed_activities_leave_the_plan_and_their_goals_reopen(published):
    plan, data, previous, path = published
    venue, since, missed = week_visit(data)
    actuals = Actuals({a["id"]: Actual("not_held", reason="暴雨") for a in missed})
    result = replan(load_plan(plan), previous, since, actuals=actuals, time_limit=10, workers=1)
    new = result.data
    ids = {a["id"] for a in new["activities"]}
    assert not ids & {a["id"] for a in missed}  # not held: withdrawn from the plan and the calendars
    assert {c["id"] for c in new["cancelled"]} >= {a["id"] for a in missed}
    assert sorted(m["id"] for m in new["missed"]) == sorted(a["id"] for a in missed)
    assert all(m["reason"] == "暴雨" for m in new["missed"])
    # the week's visit is made up later that week, or reported unmet with the reason
    week = since.isocalendar()[:2]
    made_up = [a for a in new["activities"] if a["venue"] == venue and day(a) >= since
               and day(a).isocalendar()[:2] == week]
    label = f"{week[0]}-W{week[1]:02d}"
    unmet = [u for u in new["unmet"] if u["tactic"] == "five_into" and u["venue"] == venue and u["period"] == label]
    assert made_up or (unmet and "not held" in unmet[0]["why"] and "暴雨" in unmet[0]["why"])
    # nothing else before the date changed
    gone = {a["id"] for a in missed}
    before = [a for a in data["activities"] if day(a) < since and a["id"] not in gone]
    assert [a for a in new["activities"] if day(a) < since] == before
    assert verify(new, load_plan(plan)) == []


def test_held_activities_count_with_their_recorded_figures(published):
    plan, data, previous, path = published
    since = date(2026, 6, 16)
    past = [a for a in data["activities"] if day(a) < since and a["venue"]]
    held = past[0]
    actuals = Actuals({held["id"]: Actual("held", reach=held["reach"] + 5000, installs=7)})
    plain = replan(load_plan(plan), previous, since, time_limit=10, workers=1)
    recorded = replan(load_plan(plan), previous, since, actuals=actuals, time_limit=10, workers=1)
    assert recorded.held == 1
    # kept exactly in the plan; its real figures count in the plan's totals
    kept = next(a for a in recorded.data["activities"] if a["id"] == held["id"])
    assert kept == held
    assert recorded.data["reach"] == plain.data["reach"] + 5000


def test_an_extra_activity_held_counts_towards_the_goals(published):
    plan, data, previous, path = published
    venue, since, missed = week_visit(data)
    actuals = Actuals({a["id"]: Actual("not_held") for a in missed})
    # ... but the station went there on another day that week, unplanned, before the date
    first = missed[0]
    start = datetime.fromisoformat(first["start"]).astimezone(TZ)
    other = next((start + timedelta(days=k) for k in (-1, -2, -3, 1)
                  if (start + timedelta(days=k)).isocalendar()[:2] == since.isocalendar()[:2]
                  and (start + timedelta(days=k)).date() < since
                  and (start + timedelta(days=k)).date() != start.date()), None)
    if other is None:
        pytest.skip("no other day before the date in that week")
    with_extra = Actuals(actuals.planned, [Extra(venue, first["activity"], other, None, reach=80)])
    result = replan(load_plan(plan), previous, since, actuals=with_extra, time_limit=10, workers=1)
    assert result.extra == 1
    week = since.isocalendar()[:2]
    label = f"{week[0]}-W{week[1]:02d}"
    assert [u for u in result.data["unmet"] if u["tactic"] == "five_into" and u["venue"] == venue
            and u["period"] == label] == []
    added = [a for a in result.data["activities"] if a["venue"] == venue and day(a) >= since
             and day(a).isocalendar()[:2] == week and a["id"] not in {x["id"] for x in data["activities"]}]
    assert added == []  # the extra visit met the week's goal: nothing needs adding
    assert json.loads(dumps(result.data))  # still a plan.json


def test_replan_on_the_command_line_reads_the_records(published, tmp_path):
    from conftest import run_planner

    plan, data, _, _ = published
    out = tmp_path / "out"
    done = run_planner("plan", plan, "-o", out, "--time-limit", "10s", "--workers", "1")
    assert done.returncode == 0, done.stderr
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    venue, since, missed = week_visit(data)
    for a in missed:
        done = run_planner("record", out, "--activity", a["id"], "--not-held", "--reason", "暴雨")
        assert done.returncode == 0, done.stderr
    done = run_planner("replan", plan, "--previous", out / "plan.json", "--from", since.isoformat(),
                       "-o", tmp_path / "out2", "--time-limit", "10s")
    assert done.returncode == 0, done.stderr
    assert f"{since} 前未开展 {len(missed)} 场" in done.stdout  # n not held before the day
    changes = json.loads((tmp_path / "out2" / "changes.json").read_text(encoding="utf-8"))
    assert sorted(m["id"] for m in changes["missed"]) == sorted(a["id"] for a in missed)
    new = json.loads((tmp_path / "out2" / "plan.json").read_text(encoding="utf-8"))
    assert not {a["id"] for a in new["activities"]} & {a["id"] for a in missed}
    # the records came along to the new folder: nothing the station entered is left behind
    assert (tmp_path / "out2" / "records" / "records.sqlite").is_file()
