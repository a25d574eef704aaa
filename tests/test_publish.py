"""Publishing a new version (`planner plan` into an OUT holding an earlier plan): what a phone
that imported the last version needs. Unchanged events keep UID, SEQUENCE and bytes; changed
ones keep their UID with SEQUENCE + 1; dropped ones are withdrawn (STATUS:CANCELLED) from
everyone who had them and from their venue; `--fresh` starts over; UIDs carry the station.

End to end with the real command (starter plan, one worker, a fixed seed, so runs compare),
calendars read back with icalendar and vobject; then `planner.publish.publish` on its own
for the cases a re-solve does not reliably produce (moves, revivals, old plan.json files)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import icalendar
import pytest
import vobject
from conftest import STARTER

from planner.loader import load_plan
from planner.publish import EVENT_FIELDS, first_stamp, publish, uid_domain

ARGS = ("--time-limit", "15s", "--workers", "1", "--seed", "5")  # room for the repairs on a busy machine
NOW = 1_790_000_000  # SOURCE_DATE_EPOCH for the runs that publish changes: 2026-09-21T14:13:20Z
NOW_STAMP = datetime.fromtimestamp(NOW, timezone.utc)
FIRST = datetime(2026, 6, 1, tzinfo=timezone.utc)  # a first version's DTSTAMP: the campaign's first day
IDLE = """  - id: wu-fang
    name: 吴芳
    role: volunteer
    unavailable: ["2026-06-01..2026-08-31"]   # away the whole campaign: no activities
"""
XINGFU = "  - id: xingfu\n"
CLOSED = '    closed: ["2026-06-01..2026-08-31"]   # closed for the whole campaign\n'


def run(*args, now: int | None = None) -> subprocess.CompletedProcess:
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    if now is not None:
        env["SOURCE_DATE_EPOCH"] = str(now)
    return subprocess.run([sys.executable, "-m", "planner", *map(str, args)], capture_output=True, text=True,
                          timeout=600, env=env)


def write_plan(path: Path, *edits: tuple[str, str]) -> Path:
    text = STARTER.read_text(encoding="utf-8").replace("\n# Where publicity happens.", "\n" + IDLE.rstrip("\n")
                                                       + "\n\n# Where publicity happens.", 1)
    assert "wu-fang" in text
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def copy_out(out: Path, to: Path) -> Path:
    shutil.copytree(out, to)
    return to


def data_of(out: Path) -> dict:
    return json.loads((out / "plan.json").read_text(encoding="utf-8"))


def calendars(out: Path) -> list[Path]:
    return sorted(p.relative_to(out) for p in (out / "calendars").rglob("*.ics"))


def blocks(path: Path) -> dict[str, bytes]:
    """Each VEVENT's exact bytes, by UID."""
    raw = path.read_bytes()
    out = {}
    for block in re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", raw, re.S):
        unfolded = block.replace(b"\r\n ", b"")
        uid = re.search(rb"^UID:(.*)\r$", unfolded, re.M)[1].decode()
        assert uid not in out, f"{path}: UID {uid} twice"
        out[uid] = block
    return out


def versions(path: Path) -> dict[str, tuple[int, str, datetime]]:
    """UID → (SEQUENCE, STATUS, DTSTAMP) as icalendar reads it, checked against vobject's reading."""
    text = path.read_text(encoding="utf-8")
    by_icalendar = {str(e["UID"]): (int(e.get("SEQUENCE", 0)), str(e["STATUS"]), e["DTSTAMP"].dt)
                    for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}
    cal = vobject.readOne(text, validate=True)
    cal.validate(raiseException=True)
    by_vobject = {v.uid.value: (int(v.sequence.value), v.status.value, v.dtstamp.value)
                  for v in getattr(cal, "vevent_list", [])}
    assert by_vobject == by_icalendar, path
    return by_icalendar


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[str, Path, Path]:
    """The first version: the starter plan (plus someone away all campaign) planned into OUT."""
    folder = tmp_path_factory.mktemp("base")
    plan = write_plan(folder / "plan.yaml")
    done = run("plan", plan, "-o", folder / "out", *ARGS, now=NOW)
    assert done.returncode == 0, done.stderr
    return done.stdout, plan, folder / "out"


@pytest.fixture(scope="module")
def edited(base, tmp_path_factory) -> tuple[Path, Path, Path]:
    """幸福里 closed for the whole campaign, planned again into (a copy of) the same OUT."""
    _, plan, out = base
    folder = tmp_path_factory.mktemp("edited")
    out2 = copy_out(out, folder / "out")
    plan2 = write_plan(folder / "plan.yaml", (XINGFU, XINGFU + CLOSED))
    done = run("plan", plan2, "-o", out2, *ARGS, now=NOW)
    assert done.returncode == 0, done.stderr
    assert "日历事件：" in done.stdout and "个取消" in done.stdout  # calendar events: … cancelled
    return out, out2, plan2


def test_a_first_version_is_sequence_0_stamped_with_the_campaign_start(base):
    _, _, out = base
    data = data_of(out)
    assert data["activities"] and data["cancelled"] == []
    assert data["uid_domain"].startswith("station-")
    assert {(a["sequence"], a["published"]) for a in data["activities"]} == {(0, "2026-06-01T00:00:00Z")}
    for path in calendars(out):
        for uid, (sequence, status, stamp) in versions(out / path).items():
            assert (sequence, status, stamp) == (0, "CONFIRMED", FIRST), (path, uid)
            assert uid.endswith("@" + data["uid_domain"])


def test_someone_with_no_activities_gets_a_valid_calendar_and_is_named(base):
    stdout, _, out = base
    path = out / "calendars" / "staff" / "wu-fang.ics"
    text = path.read_text(encoding="utf-8")
    assert versions(path) == {}  # vobject validates it, icalendar reads it
    cal = icalendar.Calendar.from_ical(text)
    assert [c.name for c in cal.subcomponents] == ["VTIMEZONE"]  # a VCALENDAR needs a component
    assert not any("wu-fang" in a["staff"] for a in data_of(out)["activities"])
    line = next(line for line in stdout.splitlines() if line.startswith("无活动安排"))  # no activities
    assert "吴芳 (wu-fang)" in line
    # exactly the people plan.json gives nothing (a short limit may leave others idle too)
    busy = {s for a in data_of(out)["activities"] for s in a["staff"]}
    for person in load_plan(STARTER).plan.staff:
        assert (f"({person.id})" in line) == (person.id not in busy), person.id


def test_a_re_run_with_nothing_changed_changes_no_byte(base, tmp_path):
    _, plan, out = base
    again = copy_out(out, tmp_path / "out")
    done = run("plan", plan, "-o", again, *ARGS)  # the real clock: nothing may show it
    assert done.returncode == 0, done.stderr
    assert f"{len(data_of(out)['activities'])} 个未变、0 个有变动" in done.stdout  # n unchanged, 0 changed
    assert calendars(again) == calendars(out)
    for path in calendars(out):
        assert (again / path).read_bytes() == (out / path).read_bytes(), path
    before, after = data_of(out), data_of(again)
    before.pop("solve_seconds"), after.pop("solve_seconds")  # the solver's own timing
    assert after == before


def test_changed_events_keep_their_uid_and_dropped_ones_are_withdrawn(base, edited):
    before_out, out, _ = edited
    before, after = data_of(before_out), data_of(out)
    assert after["uid_domain"] == before["uid_domain"]
    old = {a["id"]: a for a in before["activities"]}
    new = {a["id"]: a for a in after["activities"]}
    cancelled = {c["id"]: c for c in after["cancelled"]}
    at_xingfu = [a for a in before["activities"] if a["venue"] == "xingfu"]
    assert at_xingfu and not [a for a in after["activities"] if a["venue"] == "xingfu"]
    assert {a["id"] for a in at_xingfu} <= set(cancelled)
    # plan.json: each earlier activity is kept, changed or withdrawn, under its id
    for aid, a in old.items():
        if aid in new:
            b = new[aid]
            same = all(a.get(k) == b.get(k) for k in EVENT_FIELDS)
            assert (b["sequence"], b["published"]) == ((0, "2026-06-01T00:00:00Z") if same
                                                       else (1, "2026-09-21T14:13:20Z")), aid
        else:
            c = cancelled[aid]
            assert (c["status"], c["sequence"], c["published"]) == ("cancelled", 1, "2026-09-21T14:13:20Z")
            assert c["uid"] == f"{aid}@{after['uid_domain']}"
    assert set(new) | set(cancelled) >= set(old)
    # calendars: nobody keeps a stale event; an unchanged one is byte for byte the same
    for path in calendars(before_out):
        old_events, new_events = blocks(before_out / path), blocks(out / path)
        old_v, new_v = versions(before_out / path), versions(out / path)
        assert set(old_events) <= set(new_events), f"{path}: events left behind"
        for uid, block in old_events.items():
            sequence, status, stamp = new_v[uid]
            if sequence == old_v[uid][0]:
                assert new_events[uid] == block, (path, uid)
                assert status == "CONFIRMED" and stamp == FIRST
            else:
                assert sequence == old_v[uid][0] + 1 and stamp == NOW_STAMP, (path, uid)
    # dropped: CANCELLED in the calendar of everyone who had it, and of its venue
    for _aid, c in cancelled.items():
        uid = c["uid"]
        for person in c["staff"]:
            assert versions(out / "calendars" / "staff" / f"{person}.ics")[uid][:2] == (1, "CANCELLED")
        if c["venue"]:
            assert versions(out / "calendars" / "venues" / f"{c['venue']}.ics")[uid][:2] == (1, "CANCELLED")
        assert versions(out / "calendars" / "all.ics")[uid][:2] == (1, "CANCELLED")
    xingfu = versions(out / "calendars" / "venues" / "xingfu.ics")
    assert xingfu and all(v[:2] == (1, "CANCELLED") for v in xingfu.values())


def test_editing_one_venue_changes_only_the_activities_it_must(base, edited):
    """A new version re-plans the earlier one (as `planner replan` does): every activity the
    edit does not touch stays exactly as published, in plan.json and in every calendar."""
    before_out, out, _ = edited
    before, after = data_of(before_out), data_of(out)
    new = {a["id"]: a for a in after["activities"]}
    untouched = [a for a in before["activities"] if a["venue"] != "xingfu"]
    assert untouched
    for a in untouched:
        assert new.get(a["id"]) == a, a["id"]
    # the people who never went to 幸福里 see no change at all
    went = {s for a in before["activities"] if a["venue"] == "xingfu" for s in a["staff"]}
    added = {s for a in after["activities"] if a["id"] not in {b["id"] for b in before["activities"]}
             for s in a["staff"]}
    others = [p for p in calendars(before_out) if p.parts[1] == "staff" and p.stem not in went | added]
    assert others
    for path in others:
        assert (out / path).read_bytes() == (before_out / path).read_bytes(), path


def test_re_opening_the_venue_revives_its_events_with_a_higher_sequence(base, edited, tmp_path):
    _, plan, first_out = base
    _, out, _ = edited
    again = copy_out(out, tmp_path / "out")
    done = run("plan", plan, "-o", again, *ARGS, now=NOW + 3600)
    assert done.returncode == 0, done.stderr
    withdrawn = {c["uid"]: c for c in data_of(out)["cancelled"]}
    live = versions(again / "calendars" / "all.ics")
    revived = [uid for uid in withdrawn if uid in live and live[uid][1] == "CONFIRMED"]
    assert revived, "the original plan should bring back 幸福里's activities"
    for uid in revived:
        assert live[uid][0] == withdrawn[uid]["sequence"] + 1 == 2
        assert live[uid][2] == datetime.fromtimestamp(NOW + 3600, timezone.utc)
    assert not {c["uid"] for c in data_of(again)["cancelled"]} & set(revived)


def test_fresh_starts_over(edited, tmp_path):
    first_out, out, _ = edited
    again = copy_out(out, tmp_path / "out")
    plan = data_of(first_out)["source"]["plan"]
    done = run("plan", plan, "-o", again, *ARGS, "--fresh", now=NOW + 7200)
    assert done.returncode == 0, done.stderr
    data = data_of(again)
    assert data["cancelled"] == []
    assert {(a["sequence"], a["published"]) for a in data["activities"]} == {(0, "2026-06-01T00:00:00Z")}
    assert not any("planned_as" in a or "released" in a for a in data["activities"])
    for path in calendars(again):
        assert {v for v in versions(again / path).values()} <= {(0, "CONFIRMED", FIRST)}, path
    # the same plan and seed, published afresh: the first version again, byte for byte
    for path in calendars(first_out):
        assert (again / path).read_bytes() == (first_out / path).read_bytes(), path
    first = data_of(first_out)
    data.pop("solve_seconds"), first.pop("solve_seconds")
    assert data == first


def test_two_stations_never_share_a_uid(base, tmp_path):
    _, _, out = base
    plan = write_plan(tmp_path / "plan.yaml",
                      ("  name: XX市公安局XX分局XX派出所", "  name: XX市公安局XX分局东岗派出所\n  id: dongta"))
    done = run("plan", plan, "-o", tmp_path / "out", *ARGS)
    assert done.returncode == 0, done.stderr
    ours, theirs = data_of(out), data_of(tmp_path / "out")
    assert theirs["uid_domain"] == "dongta" and ours["uid_domain"] != "dongta"
    shared_ids = {a["id"] for a in ours["activities"]} & {a["id"] for a in theirs["activities"]}
    assert len(shared_ids) > 10  # the same activity ids…
    our_uids = set(versions(out / "calendars" / "all.ics"))
    their_uids = set(versions(tmp_path / "out" / "calendars" / "all.ics"))
    assert their_uids == {f"{a['id']}@dongta" for a in theirs["activities"]}
    assert not our_uids & their_uids  # …but no UID in common
    # `planner export` writes the UIDs plan.json records
    before = {p: (tmp_path / "out" / p).read_bytes() for p in calendars(tmp_path / "out")}
    done = run("export", tmp_path / "out" / "plan.json", "--to", "ics")
    assert done.returncode == 0, done.stderr
    assert {p: (tmp_path / "out" / p).read_bytes() for p in calendars(tmp_path / "out")} == before


# --- publish() on its own ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan():
    return load_plan(STARTER).plan


def activity(venue: str | None, fmt: str, day: str, hhmm: str, minutes: int, staff: list[str],
             theme: str = "order_brushing") -> dict:
    start = datetime.fromisoformat(f"{day}T{hhmm}:00+08:00")
    end = start + timedelta(minutes=minutes)
    return {"id": f"{venue or 'online'}-{fmt}-{day.replace('-', '')}-{hhmm.replace(':', '')}", "venue": venue,
            "activity": fmt, "start": start.isoformat(), "end": end.isoformat(), "staff": staff, "theme": theme,
            "audiences": ["residents"], "tactics": ["five_into"], "key_date": None, "reach": 100}


def version(plan, activities: list[dict], previous: dict | None, now: datetime = NOW_STAMP, **kw):
    data = {"version": 1, "station": plan.station.name, "activities": copy.deepcopy(activities)}
    return publish(data, copy.deepcopy(previous), plan=plan, now=now, **kw)


STALL = ("xingfu", "stall", "2026-06-03", "17:30", 120, ["zhang-wei", "chen-jing"])
LECTURE = ("hongxing-school", "lecture", "2026-06-04", "09:00", 90, ["li-na"])
POST = (None, "online_post", "2026-06-05", "21:00", 30, ["zhao-min"])


def test_publish_first_version_and_an_unchanged_one(plan):
    first = version(plan, [activity(*STALL), activity(*LECTURE)], None)
    assert first.data["uid_domain"] == uid_domain(plan.station)
    assert ([(a["sequence"], a["published"]) for a in first.data["activities"]]
            == [(0, first_stamp(date(2026, 6, 1)))] * 2)
    again = version(plan, [activity(*STALL), activity(*LECTURE)], first.data, now=datetime(2030, 1, 1))
    assert again.data == first.data
    assert (again.unchanged, again.changed, again.added, again.cancelled) == (2, 0, 0, 0)


def test_publish_changed_moved_dropped_and_revived(plan):
    first = version(plan, [activity(*STALL), activity(*LECTURE), activity(*POST)], None).data
    # the stall re-staffed, the lecture moved two days on (same school, same format), the post dropped
    stall = activity(*STALL[:5], ["zhang-wei", "liu-yang"])
    lecture = activity("hongxing-school", "lecture", "2026-06-06", "10:00", 90, ["li-na"])
    second = version(plan, [stall, lecture], first)
    by_id = {a["id"]: a for a in second.data["activities"]}
    assert set(by_id) == {"xingfu-stall-20260603-1730", "hongxing-school-lecture-20260604-0900"}
    s = by_id["xingfu-stall-20260603-1730"]
    assert (s["sequence"], s["published"], s["released"]) == (1, "2026-09-21T14:13:20Z", ["chen-jing"])
    m = by_id["hongxing-school-lecture-20260604-0900"]  # the old UID, at the new time
    assert (m["sequence"], m["start"], m["planned_as"]) == (1, lecture["start"], lecture["id"])
    (c,) = second.data["cancelled"]
    assert (c["id"], c["status"], c["sequence"], c["published"]) == \
        ("online-online_post-20260605-2100", "cancelled", 1, "2026-09-21T14:13:20Z")
    assert c["uid"] == f"online-online_post-20260605-2100@{uid_domain(plan.station)}"
    assert (second.changed, second.cancelled) == (2, 1)
    # the next version: the withdrawal stays as it was; then the post comes back
    third = version(plan, [stall, lecture], second.data, now=datetime(2026, 9, 22, tzinfo=timezone.utc))
    assert third.data["cancelled"] == second.data["cancelled"] and third.data == second.data
    fourth = version(plan, [stall, lecture, activity(*POST)], third.data,
                     now=datetime(2026, 9, 23, tzinfo=timezone.utc))
    post = next(a for a in fourth.data["activities"] if a["venue"] is None)
    assert (post["sequence"], post["published"]) == (2, "2026-09-23T00:00:00Z")
    assert fourth.data["cancelled"] == [] and fourth.revived == 1


def test_publish_over_a_plan_json_from_before_uids_carried_the_station(plan):
    """Events published under bare ids are withdrawn under them and published under the station's."""
    old = {"version": 1, "activities": [{**activity(*STALL), "sequence": 3}]}
    new = version(plan, [activity(*STALL)], old)
    (a,) = new.data["activities"]
    (c,) = new.data["cancelled"]
    assert c["uid"] == "xingfu-stall-20260603-1730" and (c["status"], c["sequence"]) == ("cancelled", 4)
    assert a["id"] == "xingfu-stall-20260603-1730" and "uid" not in a  # → id@uid_domain
    assert new.renamed == 1


def test_publish_with_since_keeps_the_past_exactly(plan):
    past = {**activity(*STALL), "sequence": 2, "published": "2026-05-30T08:00:00Z", "note": "as it was"}
    previous = {"version": 1, "uid_domain": uid_domain(plan.station), "activities": [past, activity(*LECTURE)]}
    new = version(plan, [activity(*STALL[:5], ["li-na"]), activity(*LECTURE)], previous, since=date(2026, 6, 4))
    assert new.data["activities"][0] == past
    assert new.data["activities"][1]["sequence"] == 0  # unchanged, and no "published" before: the campaign's


@pytest.mark.parametrize("previous", [
    {"activities": "not a list"},
    {"activities": [None, 3, "x", {}, {"id": 5}, {"id": "a", "activity": "stall", "start": "soon", "end": "later"},
                    {**activity(*STALL), "sequence": -1, "published": "yesterday", "released": "everyone",
                     "staff": "zhang-wei"},
                    {**activity(*LECTURE), "id": "evil id\r\nBEGIN:VEVENT"}],
     "cancelled": [{"id": "x"}, "junk", {**activity(*POST), "uid": "bad uid with spaces"}],
     "uid_domain": "bad domain!", "campaign": {"start": "June"}},
    {"activities": [], "cancelled": {"not": "a list"}, "generated": 12},
])
def test_publish_survives_a_hand_edited_previous_plan_json(plan, previous):
    new = version(plan, [activity(*STALL), activity(*POST)], previous)
    assert {a["id"] for a in new.data["activities"]} == {"xingfu-stall-20260603-1730",
                                                         "online-online_post-20260605-2100"}
    json.dumps(new.data)
    uids = [a.get("uid", a["id"]) for a in new.data["activities"]] + [c["uid"] for c in new.data["cancelled"]]
    assert all(" " not in u for u in uids)


def test_plan_json_records_the_uid_domain_and_station_id_sets_it(plan, tmp_path):
    assert re.fullmatch(r"station-[0-9a-f]{10}", uid_domain(plan.station))
    path = write_plan(tmp_path / "plan.yaml", ("  name: XX市公安局XX分局XX派出所", "  name: XX市公安局XX分局XX派出所\n"
                                               "  id: guangwumen"))
    assert uid_domain(load_plan(path).plan.station) == "guangwumen"
    renamed = write_plan(tmp_path / "other.yaml", ("  name: XX市公安局XX分局XX派出所", "  name: 另一个派出所"))
    assert uid_domain(load_plan(renamed).plan.station) != uid_domain(plan.station)


def test_a_venue_removed_from_the_plan_withdraws_its_events_everywhere(base, tmp_path):
    """The square taken out of the plan: its events are withdrawn from its own calendar (still
    written, so its subscribers see them go) and from everyone's, shown at the square rather
    than "online", and the ledger's rows for them are not mistaken for entries."""
    _, plan, out = base
    again = copy_out(out, tmp_path / "out")
    text = plan.read_text(encoding="utf-8")
    start = text.index("  - id: renmin-square\n")
    end = text.index("\n\n", start)
    edited = tmp_path / "plan.yaml"
    edited.write_text(text[:start] + text[end + 2:], encoding="utf-8")
    done = run("plan", edited, "-o", again, *ARGS, now=NOW)
    assert done.returncode == 0, done.stderr
    at_square = [a for a in data_of(out)["activities"] if a["venue"] == "renmin-square"]
    assert at_square
    square = versions(again / "calendars" / "venues" / "renmin-square.ics")
    uids = {f"{a['id']}@{data_of(again)['uid_domain']}" for a in at_square}
    assert set(square) == uids and all(v[1] == "CANCELLED" for v in square.values())
    every = icalendar.Calendar.from_ical((again / "calendars" / "all.ics").read_bytes())
    locations = {str(e["UID"]): str(e["LOCATION"]) for e in every.walk("VEVENT")}
    assert all(locations[u] != "线上" for u in uids)
    assert "未匹配记录" not in done.stdout and "Unmatched" not in done.stdout
