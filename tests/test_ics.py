"""Calendars (.ics): checked with real software only: icalendar, vobject and a Radicale CalDAV server."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from conftest import CONTRACT_EXAMPLE, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import PlanError
from planner.export.ics import build_calendar, calendar_stamp, calendar_uid_domain, write_calendars
from planner.export.view import build_view
from planner.loader import load_plan

SAMPLE_JSON = ROOT / "tests" / "data" / "sample-plan.json"
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOSTILE = '<script>alert(1)</script> "q" a,b;c\\d\n../../etc/passwd\nBEGIN:VEVENT\nUID:evil ^ \'x\''

# A third staff member with no activity, and geo for one venue.
EXTRA_STAFF = """  - id: li-na
    name: 李娜
    role: grid_worker
    email: li.na@example.org
"""
GEO = "    area: 广武门                     # zone"


def _yaml(value: str) -> str:
    """A YAML 1.2 double-quoted scalar (JSON strings are valid YAML 1.2)."""
    return json.dumps(value, ensure_ascii=False)


def plan_text(replace: dict[str, str] | None = None) -> str:
    text = CONTRACT_EXAMPLE.read_text(encoding="utf-8")
    edits = {"    team: 文艺小分队\n\nvenues:": "    team: 文艺小分队\n" + EXTRA_STAFF + "\nvenues:",
             GEO: "    geo: {lat: 36.0611, lon: 103.8343}\n" + GEO,
             **(replace or {})}
    for old, new in edits.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def sample_data() -> dict:
    data = json.loads(SAMPLE_JSON.read_text(encoding="utf-8"))
    by_id = {a["id"]: a for a in data["activities"]}
    by_id["xingfu-lecture-20260616-0900"]["sequence"] = 2
    by_id["dongfanghong-stall-20260619-0700"]["status"] = "cancelled"
    by_id["dongfanghong-stall-20260619-0700"]["sequence"] = 1
    return data


def make_view(tmp_path: Path, replace: dict[str, str] | None = None, data: dict | None = None):
    path = tmp_path / "plan.yaml"
    path.write_text(plan_text(replace), encoding="utf-8")
    return build_view(load_plan(path), copy.deepcopy(data if data is not None else sample_data()))


def parse(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def calname(cal: icalendar.Calendar, prop: str = "X-WR-CALNAME") -> str:
    """icalendar 7.3 reads NAME and X-WR-CALNAME back still escaped (vUnknown): unescape as TEXT."""
    raw = cal[prop].to_ical().decode()
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], raw)


def events(cal: icalendar.Calendar) -> list[icalendar.Event]:
    return list(cal.walk("VEVENT"))


def uid(view, activity_id: str) -> str:
    """An activity's event UID: its id at the station's UID domain (test_uids_carry_the_station)."""
    return f"{activity_id}@{calendar_uid_domain(view)}"


def vobject_validate(text: str) -> int:
    """vobject parses with validation, then every component validates (raising on a problem)."""
    count = 0
    for component in vobject.readComponents(text, validate=True):
        stack = [component]
        while stack:
            node = stack.pop()
            assert node.validate(raiseException=True) is not False, node
            stack += [c for c in node.getChildren() if isinstance(c, vobject.base.Component)]
        count += 1
    return count


def physical_lines_are_content_lines(raw: bytes) -> None:
    """Every line is CRLF-terminated and is a NAME[;params]:value line or a folded continuation."""
    assert raw.endswith(b"\r\n")
    for line in raw.decode("utf-8").split("\r\n")[:-1]:
        assert "\n" not in line and "\r" not in line
        assert line.startswith(" ") or re.match(r"^[A-Z][A-Z0-9-]*[;:]", line), line
        assert len(line.encode("utf-8")) <= 75, line


@pytest.fixture
def view(tmp_path):
    return make_view(tmp_path)


@pytest.fixture
def written(view, tmp_path):
    out = tmp_path / "calendars"
    return view, out, write_calendars(view, out)


# --- files --------------------------------------------------------------------------------------------


def test_every_staff_member_and_venue_gets_a_file(written):
    view, out, paths = written
    assert paths == [out / "staff" / "wang-li.ics", out / "staff" / "zhao-min.ics", out / "staff" / "li-na.ics",
                     out / "venues" / "xingfu.ics", out / "venues" / "dongfanghong.ics", out / "all.ics"]
    assert all(p.is_file() for p in paths)
    # atomic writes leave no temporary files behind
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == sorted(p.name for p in paths)


def test_vobject_validates_every_file(written):
    _, _, paths = written
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert vobject_validate(text) == 1
        physical_lines_are_content_lines(path.read_bytes())


def test_per_staff_and_per_venue_files_hold_exactly_their_activities(written):
    view, out, _ = written
    raw = view.data["activities"]
    for staff in ("wang-li", "zhao-min", "li-na"):
        uids = [str(e["UID"]) for e in events(parse(out / "staff" / f"{staff}.ics"))]
        assert sorted(uids) == sorted(uid(view, a["id"]) for a in raw if staff in a["staff"])
    for venue in ("xingfu", "dongfanghong"):
        uids = [str(e["UID"]) for e in events(parse(out / "venues" / f"{venue}.ics"))]
        assert sorted(uids) == sorted(uid(view, a["id"]) for a in raw if a["venue"] == venue)
    all_uids = [str(e["UID"]) for e in events(parse(out / "all.ics"))]
    assert all_uids == [uid(view, a.id) for a in view.activities]  # plan order: start, then id
    assert len(set(all_uids)) == len(raw) == 4


def test_a_staff_member_with_no_activities_gets_a_valid_calendar_with_the_timezone(written):
    _, out, _ = written
    cal = parse(out / "staff" / "li-na.ics")
    assert events(cal) == []
    assert [tz.tz_name for tz in cal.timezones] == ["Asia/Shanghai"]
    assert calname(cal) == "李娜 · 2026年全民反诈集中宣传"


# --- fields ---------------------------------------------------------------------------------------------


def test_calendar_properties(written):
    _, out, _ = written
    cal = parse(out / "staff" / "wang-li.ics")
    assert str(cal["VERSION"]) == "2.0"
    assert "fanzha-planner" in str(cal["PRODID"])
    assert str(cal["METHOD"]) == "PUBLISH"
    assert calname(cal) == "王力 · 2026年全民反诈集中宣传"
    assert calname(cal, "NAME") == "王力 · 2026年全民反诈集中宣传"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert [tz.tz_name for tz in cal.timezones] == ["Asia/Shanghai"]
    assert cal.get_missing_tzids() == set()
    assert calname(parse(out / "venues" / "xingfu.ics")) == "幸福里社区 · 2026年全民反诈集中宣传"
    assert calname(parse(out / "all.ics")) == "兰州市公安局城关分局广武门派出所 · 2026年全民反诈集中宣传"


def test_every_event_field_survives_a_round_trip(written):
    view, out, _ = written
    cal = parse(out / "all.ics")
    by_uid = {str(e["UID"]): e for e in events(cal)}
    for a in view.activities:
        e = by_uid[uid(view, a.id)]
        assert e["DTSTAMP"].dt == datetime(2026, 6, 1, tzinfo=timezone.utc)
        assert e["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert e["DTEND"].params["TZID"] == "Asia/Shanghai"
        assert e.start == a.start and e.end == a.end
        assert e.start.tzinfo.key == "Asia/Shanghai"  # zoneinfo, not a fixed offset
        assert e.start.replace(tzinfo=None) == datetime.fromisoformat(a.raw["start"]).replace(tzinfo=None)
        assert str(e["SUMMARY"]).endswith(a.summary)
        assert str(e["LOCATION"]) == a.location
        cats = [str(c) for c in e["CATEGORIES"].cats]
        assert cats[0] == a.kind_name
        assert a.theme_name in cats
        if a.key_date_name:
            assert a.key_date_name in cats
        desc = str(e["DESCRIPTION"])
        assert "宣传对象：" + "、".join(a.audience_names) in desc
        for point in a.talking_points:
            assert point in desc
        for material in a.materials:
            assert material in desc
        assert f"约{a.reach}人" in desc
        attendees = e["ATTENDEE"] if isinstance(e["ATTENDEE"], list) else [e["ATTENDEE"]]
        assert [att.params["CN"] for att in attendees] == [s.name for s in a.staff]
        assert [att.params["X-PLANNER-ROLE"] for att in attendees] == [s.role for s in a.staff]
        assert all(att.params["ROLE"] == "REQ-PARTICIPANT" for att in attendees)
        assert [str(att) for att in attendees] == [f"mailto:{s.id}@staff.invalid" for s in a.staff]
        assert str(e["ORGANIZER"]) == "mailto:station@station.invalid"
        assert e["ORGANIZER"].params["CN"] == "兰州市公安局城关分局广武门派出所"
        alarms = e.walk("VALARM")
        if a.raw.get("status") == "cancelled":
            assert alarms == [] and str(e["TRANSP"]) == "TRANSPARENT"
            continue
        assert str(e["TRANSP"]) == "OPAQUE"
        assert len(alarms) == 1 and alarms[0]["TRIGGER"].dt == timedelta(minutes=-60)
        assert str(alarms[0]["ACTION"]) == "DISPLAY" and str(alarms[0]["DESCRIPTION"]) == a.summary


def test_categories_geo_sequence_and_status(written):
    view, out, _ = written
    by_uid = {str(e["UID"]): e for e in events(parse(out / "all.ics"))}
    stall = by_uid[uid(view, "xingfu-stall-20260603-1730")]
    assert [str(c) for c in stall["CATEGORIES"].cats] == ["社区", "五进", "三时三地", "刷单返利"]
    assert (stall["GEO"].latitude, stall["GEO"].longitude) == (36.0611, 103.8343)
    assert stall["SEQUENCE"] == 0 and str(stall["STATUS"]) == "CONFIRMED"
    lecture = by_uid[uid(view, "xingfu-lecture-20260616-0900")]
    assert [str(c) for c in lecture["CATEGORIES"].cats] == ["社区", "五进", "6+", "关键节点", "养老诈骗",
                                                            "全民反诈在行动集中宣传月"]
    assert lecture["SEQUENCE"] == 2
    market = by_uid[uid(view, "dongfanghong-stall-20260619-0700")]
    assert "GEO" not in market  # that venue gives no geo
    assert str(market["STATUS"]) == "CANCELLED" and market["SEQUENCE"] == 1
    assert str(market["SUMMARY"]).startswith("【已取消】")
    online = by_uid[uid(view, "online-online_post-20260605-2100")]
    assert str(online["LOCATION"]) == "线上" and "GEO" not in online


def test_partners_are_the_other_staff_with_their_roles(written):
    view, out, _ = written
    stall, lecture = uid(view, "xingfu-stall-20260603-1730"), uid(view, "xingfu-lecture-20260616-0900")
    mine = {str(e["UID"]): str(e["DESCRIPTION"]) for e in events(parse(out / "staff" / "wang-li.ics"))}
    assert "同行人员：赵敏（志愿者）" in mine[stall]
    assert "王力（" not in mine[stall]
    assert "同行人员：无" in mine[lecture]
    theirs = {str(e["UID"]): str(e["DESCRIPTION"]) for e in events(parse(out / "staff" / "zhao-min.ics"))}
    assert "同行人员：王力（民警）" in theirs[stall]
    venue = {str(e["UID"]): str(e["DESCRIPTION"]) for e in events(parse(out / "venues" / "xingfu.ics"))}
    assert "参加人员：王力（民警）、赵敏（志愿者）" in venue[stall]


def test_staff_email_is_used_when_given(tmp_path):
    data = sample_data()
    data["activities"][0]["staff"].append("li-na")
    view = make_view(tmp_path, data=data)
    cal = build_calendar(view, view.for_staff("li-na"), name="x")
    attendees = events(cal)[0]["ATTENDEE"]
    assert [str(a) for a in attendees][-1] == "mailto:li.na@example.org"
    assert attendees[-1].params["CN"] == "李娜" and attendees[-1].params["X-PLANNER-ROLE"] == "grid_worker"


def test_alarm_minutes_and_off(view, tmp_path):
    write_calendars(view, tmp_path / "a", alarm_minutes=15)
    for e in events(parse(tmp_path / "a" / "all.ics")):
        expected = [] if str(e["STATUS"]) == "CANCELLED" else [timedelta(minutes=-15)]
        assert [al["TRIGGER"].dt for al in e.walk("VALARM")] == expected
    write_calendars(view, tmp_path / "b", alarm_minutes=None)
    raw = (tmp_path / "b" / "all.ics").read_bytes()
    assert b"VALARM" not in raw and events(parse(tmp_path / "b" / "all.ics"))
    with pytest.raises(ValueError):
        write_calendars(view, tmp_path / "c", alarm_minutes=-5)


def test_times_are_written_in_the_plans_timezone(tmp_path):
    """plan.json may carry any offset; calendars show the station's zone (here Xinjiang's, UTC+6)."""
    data = sample_data()
    data["activities"][0]["start"] = "2026-06-03T09:30:00Z"
    data["activities"][0]["end"] = "2026-06-03T11:30:00Z"
    view = make_view(tmp_path, {"  timezone: Asia/Shanghai ": "  timezone: Asia/Urumqi "}, data)
    write_calendars(view, tmp_path / "out")
    cal = parse(tmp_path / "out" / "all.ics")
    assert [tz.tz_name for tz in cal.timezones] == ["Asia/Urumqi"]
    assert calname(cal, "X-WR-TIMEZONE") == "Asia/Urumqi"
    by_uid = {str(e["UID"]): e for e in events(cal)}
    stall = by_uid[uid(view, "xingfu-stall-20260603-1730")]
    assert stall["DTSTART"].params["TZID"] == "Asia/Urumqi"
    assert stall.start == datetime(2026, 6, 3, 15, 30, tzinfo=ZoneInfo("Asia/Urumqi"))
    assert stall.start.tzinfo.key == "Asia/Urumqi"
    assert b"DTSTART;TZID=Asia/Urumqi:20260603T153000\r\n" in (tmp_path / "out" / "all.ics").read_bytes()
    lecture = by_uid[uid(view, "xingfu-lecture-20260616-0900")]
    assert lecture.start.replace(tzinfo=None) == datetime(2026, 6, 16, 7, 0)  # 09:00+08:00


# --- determinism ------------------------------------------------------------------------------------------


def _tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_plan_gives_byte_identical_files(tmp_path):
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    first = make_view(tmp_path / "1")
    write_calendars(first, tmp_path / "out1")
    time.sleep(1.1)  # a wall-clock DTSTAMP would differ now
    second = make_view(tmp_path / "2")
    write_calendars(second, tmp_path / "out2")
    write_calendars(second, tmp_path / "out3")
    one, two, three = _tree(tmp_path / "out1"), _tree(tmp_path / "out2"), _tree(tmp_path / "out3")
    assert one == two == three
    assert len(one) == 6


def test_dtstamp_sources(view, tmp_path):
    assert calendar_stamp(view) == datetime(2026, 6, 1, tzinfo=timezone.utc)
    given = datetime(2026, 5, 20, 18, 30, 15, 123, tzinfo=SHANGHAI)
    assert calendar_stamp(view, given) == datetime(2026, 5, 20, 10, 30, 15, tzinfo=timezone.utc)
    view.data["generated"] = "2026-05-21T09:00:00+08:00"
    assert calendar_stamp(view) == datetime(2026, 5, 21, 1, 0, tzinfo=timezone.utc)
    write_calendars(view, tmp_path / "g", generated=given)
    for e in events(parse(tmp_path / "g" / "all.ics")):
        assert e["DTSTAMP"].dt == datetime(2026, 5, 20, 10, 30, 15, tzinfo=timezone.utc)
    assert b"DTSTAMP:20260520T103015Z\r\n" in (tmp_path / "g" / "all.ics").read_bytes()


def test_dtstamp_is_when_each_version_was_published(view, tmp_path):
    """plan.json's "published" is an event's DTSTAMP; events without one get the calendar's."""
    first = view.data["activities"][0]
    first["published"] = "2026-12-04T16:45:00Z"
    view = build_view(view.loaded, view.data)
    write_calendars(view, tmp_path / "p")
    stamps = {str(e["UID"]): e["DTSTAMP"].dt for e in events(parse(tmp_path / "p" / "all.ics"))}
    assert stamps.pop(uid(view, first["id"])) == datetime(2026, 12, 4, 16, 45, tzinfo=timezone.utc)
    assert set(stamps.values()) == {datetime(2026, 6, 1, tzinfo=timezone.utc)}
    assert b"DTSTAMP:20261204T164500Z\r\n" in (tmp_path / "p" / "all.ics").read_bytes()


def test_uids_carry_the_station(tmp_path):
    """UID = <activity id>@<station>: station.id where the plan sets one, else a hash of the
    station's name and region; plan.json's recorded "uid_domain" (what was published) first."""
    for name in "abcd":
        (tmp_path / name).mkdir()
    view = make_view(tmp_path / "a")
    station = view.loaded.plan.station
    digest = hashlib.sha256(f"{station.name}\n{station.region}".encode("utf-8")).hexdigest()[:10]
    write_calendars(view, tmp_path / "a" / "out")
    uids = sorted(str(e["UID"]) for e in events(parse(tmp_path / "a" / "out" / "all.ics")))
    assert uids == sorted(f"{a['id']}@station-{digest}" for a in view.data["activities"])
    # another station, same activity ids: no UID in common
    other = make_view(tmp_path / "b",
                      {"  name: 兰州市公安局城关分局广武门派出所": "  name: 兰州市公安局城关分局东岗派出所"})
    write_calendars(other, tmp_path / "b" / "out")
    theirs = {str(e["UID"]) for e in events(parse(tmp_path / "b" / "out" / "all.ics"))}
    assert len(theirs) == 4 and not theirs & set(uids)
    # station.id
    named = make_view(tmp_path / "c",
                      {"  region: 甘肃省兰州市城关区": "  id: guangwumen\n  region: 甘肃省兰州市城关区"})
    assert named.loaded.plan.station.id == "guangwumen"
    write_calendars(named, tmp_path / "c" / "out")
    assert sorted(str(e["UID"]) for e in events(parse(tmp_path / "c" / "out" / "all.ics"))) == \
        sorted(f"{a['id']}@guangwumen" for a in named.data["activities"])
    # what plan.json records wins, and an entry's own "uid" over that
    data = sample_data()
    data["uid_domain"] = "published-domain"
    data["activities"][0]["uid"] = "kept-uid@elsewhere"
    recorded = make_view(tmp_path / "d", data=data)
    write_calendars(recorded, tmp_path / "d" / "out")
    assert sorted(str(e["UID"]) for e in events(parse(tmp_path / "d" / "out" / "all.ics"))) == \
        sorted(["kept-uid@elsewhere"] + [f"{a['id']}@published-domain" for a in data["activities"][1:]])


def test_a_station_id_must_be_a_safe_id(tmp_path):
    with pytest.raises(PlanError) as caught:
        make_view(tmp_path, {"  region: 甘肃省兰州市城关区": "  id: 广武门 x\n  region: 甘肃省兰州市城关区"})
    assert "station.id" in str(caught.value)


# --- hostile names ------------------------------------------------------------------------------------------


def hostile_view(tmp_path: Path):
    replace = {
        "  name: 兰州市公安局城关分局广武门派出所": f"  name: {_yaml('派出所 ' + HOSTILE)}",
        "  name: 2026年全民反诈集中宣传": f"  name: {_yaml('宣传 ' + HOSTILE)}",
        "    name: 王力": f"    name: {_yaml('王力 ' + HOSTILE)}",
        "    name: 幸福里社区": f"    name: {_yaml('幸福里 ' + HOSTILE)}",
        "    address: 兰州市城关区广武门街道…": f"    address: {_yaml('街道 ' + HOSTILE)}",
        "solver: {": ("fraud_types:\n  - id: hostile_theme\n"
                      f"    name: {_yaml('主题 ' + HOSTILE)}\n    audiences: [elderly]\n"
                      f"    talking_points: [{_yaml('要点 ' + HOSTILE)}, "
                      f"{_yaml('CRLF' + chr(13) + chr(10) + 'END:VCALENDAR')}]\n"
                      "\nsolver: {"),
    }
    data = sample_data()
    for a in data["activities"]:
        a["theme"] = "hostile_theme"
        if a["id"] == "xingfu-stall-20260603-1730":
            a["staff"].append("li-na")
    return make_view(tmp_path, replace, data)


def test_an_email_that_would_inject_lines_is_refused_when_the_plan_is_read(tmp_path):
    with pytest.raises(PlanError) as caught:
        hostile_view_with({"    email: li.na@example.org":
                           f"    email: {_yaml('x@y.org' + chr(13) + chr(10) + 'BEGIN:VEVENT')}"}, tmp_path)
    assert "staff[2].email" in str(caught.value)


def hostile_view_with(replace, tmp_path):
    return make_view(tmp_path, replace, sample_data())


def test_hostile_names_are_escaped_and_survive_a_round_trip(tmp_path):
    view = hostile_view(tmp_path)
    out = tmp_path / "calendars"
    paths = write_calendars(view, out)
    # file names come from ids only
    assert sorted(str(p.relative_to(out)) for p in paths) == sorted(
        ["staff/wang-li.ics", "staff/zhao-min.ics", "staff/li-na.ics", "venues/xingfu.ics",
         "venues/dongfanghong.ics", "all.ics"])
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        ["plan.yaml", *(p.name for p in paths)])
    for path in paths:
        raw = path.read_bytes()
        physical_lines_are_content_lines(raw)
        text = raw.decode("utf-8")
        assert vobject_validate(text) == 1
        cal = parse(path)
        # no injected components or properties: exactly one BEGIN:VEVENT line per event
        assert text.count("\r\nBEGIN:VEVENT\r\n") == len(events(cal))
        assert text.count("\r\nBEGIN:VCALENDAR") == 0 and text.count("END:VCALENDAR\r\n") == 1
        assert not re.search(r"^UID:evil", text, re.M)
        assert all(not str(e["UID"]).startswith("evil") for e in events(cal))
        assert calname(cal).endswith("宣传 " + HOSTILE)
    all_events = {str(e["UID"]): e for e in events(parse(out / "all.ics"))}
    assert len(all_events) == 4
    stall = all_events[uid(view, "xingfu-stall-20260603-1730")]
    assert str(stall["SUMMARY"]) == f"宣传摊点 · 幸福里 {HOSTILE} · 主题 {HOSTILE}"
    assert str(stall["LOCATION"]) == f"幸福里 {HOSTILE}, 街道 {HOSTILE}"
    assert f"主题 {HOSTILE}" in [str(c) for c in stall["CATEGORIES"].cats]
    desc = str(stall["DESCRIPTION"])
    assert f"要点 {HOSTILE}" in desc and "CRLF\nEND:VCALENDAR" in desc
    assert f"王力 {HOSTILE}（民警）" in desc
    attendees = stall["ATTENDEE"]
    assert attendees[0].params["CN"] == f"王力 {HOSTILE}"
    assert str(attendees[-1]) == "mailto:li.na@example.org"  # bad addresses are refused at load
    assert stall["ORGANIZER"].params["CN"] == f"派出所 {HOSTILE}"
    # vobject reads the same values back (text; CN is RFC 6868-encoded, which vobject leaves as is)
    vcal = vobject.readOne((out / "all.ics").read_text(encoding="utf-8"))
    vstall = [v for v in vcal.vevent_list if v.uid.value == uid(view, "xingfu-stall-20260603-1730")][0]
    assert vstall.summary.value == f"宣传摊点 · 幸福里 {HOSTILE} · 主题 {HOSTILE}"
    assert f"主题 {HOSTILE}" in vstall.categories.value


def test_unsafe_ids_never_name_files(view, tmp_path):
    view.loaded.plan.staff[0].id = "../evil"  # bypasses the loader's validation on purpose
    with pytest.raises(ValueError, match="not a safe id"):
        write_calendars(view, tmp_path / "out")
    assert not (tmp_path / "evil.ics").exists()
    assert not list(tmp_path.rglob("*evil*"))


# --- English ------------------------------------------------------------------------------------------------


def test_english_calendars(tmp_path):
    view = make_view(tmp_path, {"  language: zh ": "  language: en "})
    assert view.language == "en"
    out = tmp_path / "calendars"
    paths = write_calendars(view, out)
    for path in paths:
        assert vobject_validate(path.read_text(encoding="utf-8")) == 1
    cal = parse(out / "staff" / "wang-li.ics")
    assert str(cal["PRODID"]).endswith("//EN")
    by_uid = {str(e["UID"]): e for e in events(cal)}
    stall = by_uid[uid(view, "xingfu-stall-20260603-1730")]
    desc = str(stall["DESCRIPTION"])
    assert "Audience: elderly" in desc
    assert "Partners: 赵敏 (volunteer)" in desc
    assert "Expected reach: about 192 people" in desc
    assert "\nTalking points:\n- " in desc and "Bring: leaflets" in desc
    assert "：" not in desc and "宣传对象" not in desc
    assert [str(c) for c in stall["CATEGORIES"].cats][:3] == ["community", "five-into",
                                                              "three times and three places"]
    market = {str(e["UID"]): e for e in events(parse(out / "all.ics"))}[uid(view, "dongfanghong-stall-20260619-0700")]
    assert str(market["SUMMARY"]).startswith("[Cancelled] ")
    assert "Staff: 王力 (police officer), 赵敏 (volunteer)" in str(market["DESCRIPTION"])


# --- a real CalDAV server -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, method: str, body: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, resp.read()


@pytest.fixture
def radicale(tmp_path):
    port = _free_port()
    config = tmp_path / "radicale.conf"
    config.write_text(f"""[server]
hosts = 127.0.0.1:{port}
[auth]
type = none
[rights]
type = authenticated
[storage]
filesystem_folder = {tmp_path / 'collections'}
[web]
type = none
[logging]
level = warning
""", encoding="utf-8")
    log = (tmp_path / "radicale.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(config)],
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                _request(base + "/", "OPTIONS")
                break
            except (urllib.error.URLError, ConnectionError) as err:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError("radicale did not start: " + (tmp_path / "radicale.log").read_text()) from err
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


MKCALENDAR = b"""<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>plan</D:displayname></D:prop></D:set>
</C:mkcalendar>"""

REPORT = b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>"""


def test_caldav_server_keeps_uid_summary_times_and_attendees(radicale, tmp_path):
    view = hostile_view(tmp_path)
    collection = radicale + "/planner/campaign/"
    auth = {"Authorization": "Basic cGxhbm5lcjpwbGFubmVy"}  # planner:planner; auth type none accepts any
    status, _ = _request(collection, "MKCALENDAR", MKCALENDAR, {**auth, "Content-Type": "application/xml"})
    assert status == 201
    for a in view.activities:
        resource = build_calendar(view, [a], name="x", method=None)  # CalDAV objects carry no METHOD
        assert len(events(resource)) == 1 and len(resource.timezones) == 1
        status, _ = _request(f"{collection}{a.id}.ics", "PUT", resource.to_ical(),
                             {**auth, "Content-Type": "text/calendar; charset=utf-8"})
        assert status == 201

    status, body = _request(collection, "REPORT", REPORT,
                            {**auth, "Depth": "1", "Content-Type": "application/xml"})
    assert status == 207
    ns = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
    reported = {}
    for response in ET.fromstring(body).findall("D:response", ns):
        href = response.find("D:href", ns).text
        data = response.find(".//C:calendar-data", ns).text
        reported[href.rsplit("/", 1)[-1]] = icalendar.Calendar.from_ical(data)
    assert sorted(reported) == sorted(f"{a.id}.ics" for a in view.activities)

    for a in view.activities:
        _, got = _request(f"{collection}{a.id}.ics", "GET", headers=auth)
        for cal in (icalendar.Calendar.from_ical(got), reported[f"{a.id}.ics"]):
            assert [tz.tz_name for tz in cal.timezones] == ["Asia/Shanghai"]
            (e,) = events(cal)
            assert str(e["UID"]) == uid(view, a.id)
            assert str(e["SUMMARY"]).endswith(a.summary)
            assert e["DTSTART"].params["TZID"] == "Asia/Shanghai"
            assert e.start == a.start and e.start.tzinfo.key == "Asia/Shanghai"
            assert e.end == a.end
            attendees = e["ATTENDEE"] if isinstance(e["ATTENDEE"], list) else [e["ATTENDEE"]]
            assert [att.params["CN"] for att in attendees] == [s.name for s in a.staff]
            assert "METHOD" not in cal


def test_each_file_is_what_build_calendar_writes(written):
    """write_calendars serialises each event once and splices each person's DESCRIPTION; the
    files are byte for byte build_calendar's for the same events and viewer."""
    from planner.export.ics import build_calendar, calendar_names

    view, out, paths = written
    all_name, staff_names, venue_names = calendar_names(view)
    order = lambda acts: sorted(acts, key=lambda a: (a.start, a.id))  # noqa: E731
    for s in view.loaded.plan.staff:
        expected = build_calendar(view, order(view.for_staff(s.id) + view.withdrawn_for_staff(s.id)),
                                  name=staff_names[s.id], viewer=s.id).to_ical()
        assert (out / "staff" / f"{s.id}.ics").read_bytes() == expected, s.id
    for v in view.loaded.plan.venues:
        withdrawn = [a for a in view.cancelled if a.venue is not None and a.venue.id == v.id]
        expected = build_calendar(view, order(view.for_venue(v.id) + withdrawn), name=venue_names[v.id]).to_ical()
        assert (out / "venues" / f"{v.id}.ics").read_bytes() == expected, v.id
    expected = build_calendar(view, order(view.activities + view.cancelled), name=all_name).to_ical()
    assert (out / "all.ics").read_bytes() == expected
    assert any(a.staff for a in view.activities)  # the sample has people whose copy is spliced


# The calendars fold their own lines (planner.export.ics._fold): what icalendar writes, faster.
_LINE_TEXT = st.text(st.one_of(st.sampled_from(list("\\^;,:\"a 宣传é😀\r\t")),
                               st.characters(codec="utf-8", exclude_characters="\n")), max_size=400)


@settings(max_examples=400, deadline=None)
@given(_LINE_TEXT, st.integers(0, 80))
def test_fold_is_icalendars_folding(text, pad):
    """Any content line (CJK, 4-octet characters, escapes at every offset) folds to the bytes
    icalendar's own `Contentline.to_ical` gives."""
    from icalendar.parser import Contentline

    from planner.export.ics import _fold

    line = "X" * pad + text  # the padding moves escapes and wide characters across the fold
    assert _fold(line) == Contentline(line).to_ical()


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=300))
def test_a_spliced_description_is_icalendars(text):
    """A person's DESCRIPTION line, escaped by icalendar and folded by _fold, is the line an
    icalendar Event writes for the same text (the splice in write_calendars relies on it)."""
    from planner.export.ics import _description_line

    event = icalendar.Event()
    event.add("description", text)
    assert _description_line(text) == event.to_ical().split(b"\r\n", 1)[1].rsplit(b"END:VEVENT", 1)[0]


def test_lines_kept_from_event_to_event_are_keyed_by_text_and_parameters():
    """write_calendars keeps a text or address line once made; an address with other
    parameters (another CN, role) or another text is a line of its own, and every event
    serialises as icalendar's to_ical does."""
    from datetime import datetime as dt

    from planner.export.ics import _EventBytes

    def event(cn: str, role: str, location: str) -> icalendar.Event:
        e = icalendar.Event()
        e.add("dtstart", dt(2026, 6, 3, 9, 30, tzinfo=SHANGHAI))
        e.add("location", location)
        for who in (cn, "乙"):
            address = icalendar.vCalAddress("mailto:same@example.org")
            address.params["CN"] = who
            address.params["X-PLANNER-ROLE"] = role
            e.add("attendee", address)
        return e

    kept = _EventBytes.__new__(_EventBytes)
    kept.folded = {}
    for e in (event("甲", "police", "广场"), event("丙", "police", "广场"), event("甲", "volunteer", "广场, 东门"),
              event("甲", "police", "广场")):
        assert b"".join(line for _, line in kept.content_lines(e)) == e.to_ical()
    # 甲, 乙 and 丙 as police, 甲 and 乙 as volunteers: the fourth event made none
    assert len([k for k in kept.folded if k[0] == "ATTENDEE"]) == 5
