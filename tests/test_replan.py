"""`planner replan` end to end on the Lanzhou example: new leave, a closed venue, an
unchanged plan; calendars keep their UIDs and SEQUENCE rises only on what changed."""

import json
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import ROOT, run_planner
from icalendar import Calendar

from planner.loader import load_plan
from planner.verify import verify

LANZHOU = ROOT / "examples" / "lanzhou-guangwumen.yaml"
SINCE = "2026-07-01"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The Lanzhou plan as published: OUT/plan.json and its calendars."""
    folder = tmp_path_factory.mktemp("published")
    plan = folder / "plan.yaml"
    shutil.copy(LANZHOU, plan)
    done = run_planner("plan", plan, "-o", folder / "out", "--time-limit", "8s", "--workers", "2")
    assert done.returncode == 0, done.stderr
    return folder


def variant(published: Path, tmp_path: Path, old: str, new: str) -> Path:
    text = (published / "plan.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def plan_json(folder: Path) -> dict:
    return json.loads((folder / "plan.json").read_text(encoding="utf-8"))


def event_uid(out: Path, activity_id: str) -> str:
    """An activity's calendar UID: its id at the station's UID domain, which plan.json records."""
    return f"{activity_id}@{plan_json(out)['uid_domain']}"


def events(path: Path) -> dict[str, dict]:
    cal = Calendar.from_ical(path.read_bytes())
    out = {}
    for e in cal.walk("VEVENT"):
        attendees = e.get("attendee", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        out[str(e["uid"])] = {"sequence": int(e.get("sequence", 0)), "status": str(e.get("status")),
                              "start": e.decoded("dtstart"), "summary": str(e["summary"]),
                              "attendees": sorted(str(a) for a in attendees)}
    return out


def day_of(activity: dict) -> date:
    return datetime.fromisoformat(activity["start"]).date()


LEAVE_FROM, LEAVE_TO = date(2026, 7, 6), date(2026, 7, 12)
GRID_WORKER_LEAVE = ("""    max_activities_per_week: 4
    area: 广武门东片
  - id: sun-hong""", """    max_activities_per_week: 4
    unavailable: ["2026-07-06..2026-07-12"]   # called away
    area: 广武门东片
  - id: sun-hong""")


@pytest.fixture(scope="module")
def after_leave(published, tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("leave")
    plan = variant(published, tmp, *GRID_WORKER_LEAVE)
    done = run_planner("replan", plan, "--previous", published / "out" / "plan.json", "--from", SINCE,
                       "-o", tmp / "out", "--time-limit", "10s")
    assert done.returncode == 0, done.stderr
    assert "变动：" in done.stdout  # changes:
    return plan, tmp / "out"


def test_replan_after_leave_changes_only_the_activities_the_leave_touches(published, after_leave):
    plan, out = after_leave
    before, after = plan_json(published / "out"), plan_json(out)
    touched = {a["id"] for a in before["activities"]
               if "liu-yang" in a["staff"] and LEAVE_FROM <= day_of(a) <= LEAVE_TO}
    assert touched, "the example should have the grid worker out that week"
    changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    changed = {c["id"] for c in changes["changes"] if c["kind"] != "added"}
    assert changed == touched  # each touched one is re-staffed, moved or cancelled; nothing else
    for c in changes["changes"]:
        if c["kind"] == "added":  # only to make up for what was lost, near it
            assert abs((datetime.fromisoformat(c["after"]["start"]).date() - LEAVE_FROM).days) <= 10
    old = {a["id"]: a for a in before["activities"]}
    new = {a["id"]: a for a in after["activities"]}
    for aid, a in old.items():
        if aid in touched:
            continue
        assert aid in new, f"{aid} disappeared"
        assert {k: new[aid][k] for k in ("start", "end", "staff", "venue", "activity")} == \
            {k: a[k] for k in ("start", "end", "staff", "venue", "activity")}
        assert new[aid].get("sequence", 0) == a.get("sequence", 0)
    for a in after["activities"]:  # nobody is sent out on their leave
        assert not ("liu-yang" in a["staff"] and LEAVE_FROM <= day_of(a) <= LEAVE_TO)
    assert verify(after, load_plan(plan)) == []


def test_replan_keeps_every_activity_before_the_date_exactly(published, after_leave):
    _, out = after_leave
    before = [a for a in plan_json(published / "out")["activities"] if a["start"] < SINCE]
    after = [a for a in plan_json(out)["activities"] if a["start"] < SINCE]
    assert before and after == before


def test_calendars_keep_uids_and_raise_sequence_only_on_changed_events(published, after_leave):
    _, out = after_leave
    old = events(published / "out" / "calendars" / "all.ics")
    new = events(out / "calendars" / "all.ics")
    assert set(old) <= set(new)  # cancelled events stay, as CANCELLED, so clients withdraw them
    assert plan_json(out)["uid_domain"] == plan_json(published / "out")["uid_domain"]
    assert all(u.endswith("@" + plan_json(out)["uid_domain"]) for u in new)
    changed = 0
    for uid, e in old.items():
        n = new[uid]
        same = (n["start"], n["attendees"], n["summary"]) == (e["start"], e["attendees"], e["summary"]) \
            and n["status"] == e["status"]
        if same:
            assert n["sequence"] == e["sequence"], uid
        else:
            changed += 1
            assert n["sequence"] > e["sequence"], uid
    assert changed >= 1
    changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    for c in changes["changes"]:
        if c["kind"] == "cancelled":
            assert new[event_uid(out, c["id"])]["status"] == "CANCELLED"
    # the person on leave gets each activity taken from them withdrawn from their calendar
    mine = events(out / "calendars" / "staff" / "liu-yang.ics")
    for c in changes["changes"]:
        if "liu-yang" in (c["before"] or {}).get("staff", []) and c["kind"] in ("restaffed", "cancelled"):
            assert mine[event_uid(out, c["id"])]["status"] == "CANCELLED"
            assert mine[event_uid(out, c["id"])]["sequence"] >= 1


def test_history_records_each_run_with_its_hash_seed_score_and_diff(published, after_leave):
    plan, out = after_leave
    records = sorted((out / "history").glob("*.json"))
    assert [r.name.split("-")[1] for r in records] == ["plan", "replan"]
    last = json.loads(records[-1].read_text(encoding="utf-8"))
    import hashlib

    assert last["plan_sha256"] == hashlib.sha256(plan.read_bytes()).hexdigest()
    assert last["seed"] == load_plan(plan).plan.solver.seed
    assert last["score"] == plan_json(out)["score"]
    changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    assert last["changes"]["summary"] == changes["summary"]
    assert last["replanned_from"] == SINCE
    shown = run_planner("history", out)
    assert shown.returncode == 0, shown.stderr
    assert "replan" in shown.stdout and "plan" in shown.stdout


def test_replan_of_an_unchanged_plan_changes_nothing(published, tmp_path):
    # on a busy machine (another plan solving beside it on every core), and from a Wednesday:
    # the week's goals count the two days before the date as they were
    load = subprocess.Popen([sys.executable, "-m", "planner", "plan", str(LANZHOU), "-o", str(tmp_path / "load"),
                             "--time-limit", "60s", "--seed", "7"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        done = run_planner("replan", published / "plan.yaml", "--previous", published / "out" / "plan.json",
                           "--from", SINCE, "-o", tmp_path / "out", "--time-limit", "10s")
    finally:
        load.kill()
        load.wait()
    assert done.returncode == 0, done.stderr
    changes = json.loads((tmp_path / "out" / "changes.json").read_text(encoding="utf-8"))
    assert changes["summary"]["unchanged"] > 0
    assert changes["changes"] == []
    before, after = plan_json(published / "out"), plan_json(tmp_path / "out")
    assert after["score"] == before["score"]
    assert after["unmet"] == before["unmet"]
    assert after["objective"] == before["objective"]
    fields = ("start", "end", "staff", "venue", "activity", "theme", "audiences", "tactics", "key_date", "reach")
    assert [{k: a.get(k) for k in ("id", *fields)} for a in after["activities"]] == \
        [{k: a.get(k) for k in ("id", *fields)} for a in before["activities"]]
    old_calendars = sorted(p.relative_to(published / "out") for p in (published / "out" / "calendars").rglob("*.ics"))
    new_calendars = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out" / "calendars").rglob("*.ics"))
    assert new_calendars == old_calendars
    for path in old_calendars:
        assert (tmp_path / "out" / path).read_bytes() == (published / "out" / path).read_bytes(), path


def test_a_closed_day_moves_the_activity_and_it_keeps_its_uid(published, tmp_path):
    before = plan_json(published / "out")
    plan = load_plan(published / "plan.yaml").plan
    venues = {v.id: v for v in plan.venues}
    # a 五进 venue visit after the date, at a venue with no `closed:` yet
    target = next(a for a in before["activities"] if a["start"] >= "2026-07-15" and a["venue"]
                  and not venues[a["venue"]].closed and venues[a["venue"]].kind == "community")
    vid, day = target["venue"], day_of(target)
    text = (published / "plan.yaml").read_text(encoding="utf-8")
    marker = f"  - id: {vid}\n"
    assert marker in text
    changed = variant(published, tmp_path, marker, f"{marker}    closed: [\"{day}\"]\n")
    done = run_planner("replan", changed, "--previous", published / "out" / "plan.json", "--from", SINCE,
                       "-o", tmp_path / "out", "--time-limit", "10s")
    assert done.returncode == 0, done.stderr
    after = plan_json(tmp_path / "out")
    assert verify(after, load_plan(changed)) == []
    same_uid = [a for a in after["activities"] if a["id"] == target["id"]]
    cancelled = [a for a in after["cancelled"] if a["id"] == target["id"]]
    assert len(same_uid) + len(cancelled) == 1  # moved under its UID, or withdrawn
    if same_uid:
        moved = same_uid[0]
        assert day_of(moved) != day and moved["venue"] == vid
        assert moved["sequence"] == target.get("sequence", 0) + 1
        assert moved["planned_as"] != target["id"]
    new = events(tmp_path / "out" / "calendars" / "venues" / f"{vid}.ics")
    assert new[event_uid(tmp_path / "out", target["id"])]["sequence"] == 1


@pytest.mark.parametrize("args, line", [
    (["--from", "2026-13-01"], "--from"),
    (["--from", "2027-01-01"], "不在活动期"),  # outside the campaign (a zh plan)
])
def test_bad_replan_input_is_one_line_and_writes_nothing(published, tmp_path, args, line):
    done = run_planner("replan", published / "plan.yaml", "--previous", published / "out" / "plan.json",
                       *args, "-o", tmp_path / "out")
    assert done.returncode == 2
    assert line in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_replan_names_a_missing_previous_plan(published, tmp_path):
    done = run_planner("replan", published / "plan.yaml", "--previous", tmp_path / "nope.json", "--from", SINCE,
                       "-o", tmp_path / "out")
    assert done.returncode == 2
    assert "nope.json:1:1" in done.stderr and "Traceback" not in done.stderr
