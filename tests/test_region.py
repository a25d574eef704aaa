"""A region (issue 19): station plans and shared teams planned together on a local Ray cluster.

The teams are allocated first (no team given to two stations on one day), each station is
solved with its share and checked by planner.verify, and no shared member is found in two
stations on one day. A worker killed mid-task is retried; a station that fails validation is
reported and the others still come out.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from collections import defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from test_schema_languages import _descriptions, _not_bilingual

from planner.errors import PlanError
from planner.loader import load_plan
from planner.region import load_region, region_json_schema
from planner.regionrun import (
    FLOOR_SECONDS,
    TASK_SECONDS,
    TASK_SECONDS_PER_1000,
    Survey,
    allocate,
    level,
    makespan,
    plan_region,
    shared_need,
    split_limit,
    station_text,
    survey_station,
    task_seconds,
    team_roles,
)
from planner.verify import verify

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "region"


@pytest.fixture(scope="module")
def ray_session():
    """One local Ray of 2 worker processes for the module, shut down at its end."""
    import ray

    temp = tempfile.mkdtemp(prefix="ray-t")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
             object_store_memory=128 * 1024 * 1024, _temp_dir=temp)
    yield ray
    ray.shutdown()
    shutil.rmtree(temp, ignore_errors=True)


def _region(tmp_path: Path, broken: bool = False) -> Path:
    """The example region copied, each station's time limit 2 s; `broken`: one plan invalid."""
    folder = tmp_path / "region"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "region.yaml").read_text(encoding="utf-8").replace("time_limit: 5s", "time_limit: 2s")
    (folder / "region.yaml").write_text(text, encoding="utf-8")
    if broken:
        plan = folder / "stations" / "dongta.yaml"
        plan.write_text(plan.read_text(encoding="utf-8").replace("role: police", "role: policeman", 1),
                        encoding="utf-8")
    return folder / "region.yaml"


def _shared_days(out: Path, members: set[str]) -> dict[tuple[str, str], set[str]]:
    """(member, day) -> the stations whose plan.json has that member out that day."""
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for plan_json in out.glob("*/plan.json"):
        for activity in json.loads(plan_json.read_text(encoding="utf-8"))["activities"]:
            for person in set(activity["staff"]) & members:
                where[person, activity["start"][:10]].add(plan_json.parent.name)
    return where


def test_a_region_is_planned_and_no_shared_member_is_in_two_places(ray_session, tmp_path):
    loaded = load_region(_region(tmp_path))
    out = tmp_path / "out"
    run = plan_region(loaded, out)
    assert run.failed == [] and run.cross == []
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["dongta", "jinji", "qingtongxia", "teams"]
    members = {m.id for t in loaded.region.shared_teams for m in t.members}
    for stem in ("dongta", "jinji", "qingtongxia"):
        station = load_plan(out / stem / "station.yaml")  # the plan as solved: a valid station plan
        assert verify(out / stem / "plan.json", station) == []
        assert {s.id for s in station.plan.staff} & members  # it was given a shared team
    where = _shared_days(out, members)
    assert where, "the shared teams were planned into activities"
    assert all(len(stations) == 1 for stations in where.values()), where
    given = {(m, d): set(days) for t in run.report["teams"] for m in t["members"] for d, days in
             [(stem, days) for stem, days in t["days"].items()]}
    for (member, day), stations in where.items():
        (stem,) = stations
        assert day in given[member, stem], (member, day, stem)  # only on a day given to that station
    report = json.loads((out / "region.json").read_text(encoding="utf-8"))
    assert [s["rank"] for s in report["stations"]] == [1, 2, 3]
    assert {d["district"] for d in report["districts"]} == {"利通区", "青铜峡市"}
    assert all(s["seconds"] > 0 for s in report["stations"])
    html = (out / "region.html").read_text(encoding="utf-8")
    assert "吴忠市公安局" in html and "金积派出所" in html and "地区汇总报告" in html and "区县排名" in html
    assert "BEGIN:VEVENT" in (out / "teams" / "wuzhong-xuanjiang-1.ics").read_text(encoding="utf-8")


def test_a_killed_worker_is_retried_and_nothing_is_lost(ray_session, tmp_path):
    marker = tmp_path / "killed"

    def kill_once(stem: str) -> None:  # runs in the worker: the first attempt at jinji dies
        if stem == "jinji" and not marker.exists():
            marker.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)

    loaded = load_region(_region(tmp_path))
    run = plan_region(loaded, tmp_path / "out", hook=kill_once)
    assert marker.exists(), "the worker was killed"
    assert run.failed == [] and run.cross == []
    jinji = next(s for s in run.report["stations"] if s["stem"] == "jinji")
    assert jinji["pid"] != int(marker.read_text())  # done again by another worker
    assert json.loads((tmp_path / "out" / "jinji" / "plan.json").read_text(encoding="utf-8"))["activities"]


def test_a_station_that_fails_validation_is_reported_and_the_rest_come_out(ray_session, tmp_path):
    loaded = load_region(_region(tmp_path, broken=True))
    out = tmp_path / "out"
    run = plan_region(loaded, out)
    assert [f.stem for f in run.failed] == ["dongta"]
    assert any("dongta.yaml:" in line and "policeman" in line for line in run.failed[0].error)
    assert (out / "jinji" / "plan.json").is_file() and (out / "qingtongxia" / "plan.json").is_file()
    assert not (out / "dongta").exists()
    assert json.loads((out / "region.json").read_text(encoding="utf-8"))["failed"][0]["stem"] == "dongta"


def test_allocation_gives_a_team_one_station_a_day_and_days_per_month(tmp_path):
    loaded = load_region(_region(tmp_path))
    teams = loaded.region.shared_teams
    surveys = [Survey(f"s{n}", "", f"S{n}", district, "2026-06-01", "2026-07-31", need_days=30)
               for n, district in enumerate(["利通区", "利通区", "青铜峡市", "利通区"])]
    allocation = allocate(teams, surveys, 5.0)
    for team in teams:
        days = [d for by in allocation[team.id].values() for d in by]
        assert len(days) == len(set(days)), "a team in two stations on one day"
        for given in allocation[team.id].values():
            for month in (6, 7):
                assert sum(1 for d in given if d.month == month) <= team.days_per_month
        assert days  # it was needed and free, so it was given
    # the home district first: team 1 (利通区) gives each 利通区 station all it may (6 days a month)
    home = allocation["wuzhong-xuanjiang-1"]
    for stem in ("s0", "s1", "s3"):
        assert [sum(1 for d in home[stem] if d.month == m) for m in (6, 7)] == [6, 6]


def test_a_station_with_its_share_is_a_valid_plan_unavailable_on_other_days(tmp_path):
    loaded = load_region(_region(tmp_path))
    team = loaded.region.shared_teams[0]
    ref = loaded.stations[0]
    given = [date(2026, 6, 3), date(2026, 6, 4), date(2026, 6, 10)]
    text = station_text(ref.path.read_bytes(), ref.path.name, {team.id: (team, given)}, [])
    path = tmp_path / "derived.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path).plan
    member = next(s for s in plan.staff if s.id == team.members[0].id)
    free = [d for d in (date(2026, 6, 1) + __import__("datetime").timedelta(n) for n in range(30))
            if member.is_available(d)]
    assert free == given
    assert member.team == team.name
    assert "# 金积派出所" in text  # the plan's comments are kept


def test_region_file_problems_point_at_file_and_line_in_chinese(tmp_path):
    path = tmp_path / "region.yaml"
    path.write_text("version: 1\nregion: {name: 测试市}\nstations: [nowhere.yaml]\nshared_teams:\n"
                    "  - {id: a, name: 一团, days_per_month: 40, members: [{id: m, name: 张三, role: police}]}\n"
                    "colour: red\n", encoding="utf-8")
    with pytest.raises(PlanError) as e:
        load_region(path)
    lines = [p.format() for p in e.value.problems]
    assert any(line.startswith(f"{path}:3:") and "nowhere.yaml" in line for line in lines), lines
    assert any(line.startswith(f"{path}:5:") and "days_per_month" in line for line in lines), lines
    assert any(line.startswith(f"{path}:6:") and "colour" in line for line in lines), lines


def test_region_schema_descriptions_speak_both_languages():
    bad = [(where, why) for where, text in _descriptions(region_json_schema())
           if (why := _not_bilingual(text)) is not None]
    assert bad == []


def test_a_region_limit_is_split_into_the_allocation_and_each_station_by_the_workers():
    budget = split_limit(120, [30.0] * 10, 2, allocation_limit=10)
    assert budget.allocation == 10  # its own limit, under a tenth of the region's
    assert budget.setup + budget.allocation + budget.stations + budget.outputs == pytest.approx(120)
    # 10 stations on 2 workers: 5 one after another on each, each its limit and its task's own time
    assert 5 * (budget.limits[0] + TASK_SECONDS) == pytest.approx(budget.stations, abs=0.1)
    assert len(set(budget.limits)) == 1 and not budget.short and budget.needed <= 120
    # twice the workers, about twice the time for each station; the allocation's share at most a tenth
    wider = split_limit(120, [30.0] * 10, 4, allocation_limit=60)
    assert wider.allocation == pytest.approx(12) and wider.limits[0] > 1.5 * budget.limits[0]
    # a station's own limit is an upper bound; a long region limit leaves every station its own
    mixed = split_limit(120, [4.0] + [30.0] * 9, 2, allocation_limit=10)
    assert mixed.limits[0] == 4.0 and all(limit >= budget.limits[1] for limit in mixed.limits[1:])
    assert makespan(mixed.limits, [0.0, 0.0], [TASK_SECONDS] * 10) <= mixed.stations
    assert split_limit(3600, [30.0] * 10, 2, allocation_limit=10).limits == [30.0] * 10
    # bigger stations take longer to read, check and write: less of the time is left for solving
    big = split_limit(120, [30.0] * 10, 2, allocation_limit=10, overheads=[task_seconds(1000)] * 10)
    assert big.limits[0] == pytest.approx(budget.limits[0] - TASK_SECONDS_PER_1000, abs=0.02)


def test_a_region_limit_too_short_gives_each_station_the_floor_and_says_how_long_it_takes():
    budget = split_limit(20, [30.0] * 10, 2, allocation_limit=10)
    assert budget.short and budget.limits == [FLOOR_SECONDS] * 10 and budget.needed > 20
    # handed out behind the schedule: what is left, down to the floor
    at, short = level([30.0, 30.0], [100.0, 100.0], 110.0, [3.0, 3.0])
    assert at == pytest.approx(7.0, abs=0.02) and not short
    assert level([30.0, 30.0], [100.0, 100.0], 101.0, [3.0, 3.0]) == (FLOOR_SECONDS, True)


def test_a_region_with_a_small_limit_plans_and_verifies_every_station(ray_session, tmp_path):
    path = _region(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "total_time_limit: 2m" in text
    path.write_text(text.replace("total_time_limit: 2m", "total_time_limit: 3s"), encoding="utf-8")
    loaded = load_region(path)
    out = tmp_path / "out"
    run = plan_region(loaded, out)  # 3 s, far too short: each station gets its floor
    assert run.failed == [] and run.cross == []
    seconds = run.report["seconds"]
    assert seconds["limit"] == 3.0 and seconds["short"] and seconds["allocation_limit"] == pytest.approx(0.3)
    for station in run.report["stations"]:
        assert station["time_limit"] == FLOOR_SECONDS and station["activities"] > 0
        assert station["solve_seconds"] > 0 and station["seconds"] >= station["solve_seconds"]
        plan = load_plan(out / station["stem"] / "station.yaml")
        assert verify(out / station["stem"] / "plan.json", plan) == []
    html = (out / "region.html").read_text(encoding="utf-8")
    assert "整个地区时限 3.0 秒" in html and "求解用时" in html


def test_a_station_short_of_officers_asks_for_shared_team_days_though_its_staff_suffice_in_all(tmp_path):
    from planner.capacity import CapacityEstimate, Demand, Supply

    capacity = CapacityEstimate(13, [Demand("five_into:community", 80, 160, 320, {"police": 130, "any": 30})],
                                [Supply("police", 5, 100.0, 200.0), Supply("auxiliary", 5, 200.0, 400.0)])
    assert capacity.required_total() < capacity.available_total()
    assert shared_need(capacity, {"police": 3.0}) == 10  # 30 officer-activities short, 3 officers a team-day
    assert shared_need(capacity, {"grid_worker": 2.0}) == 0  # a team of no officers cannot help
    loaded = load_region(_region(tmp_path))
    ref = next(r for r in loaded.stations if r.stem == "dongta")
    found = survey_station(replace(ref, team_days=None), ref.path.read_bytes(), team_roles(loaded.region.shared_teams))
    assert found.need_days > 0 and found.own_limit == 5.0 and found.activities > 0


def test_a_bad_region_time_limit_is_told_in_chinese_and_nothing_is_written(tmp_path):
    from conftest import run_planner

    out, region = tmp_path / "out", _region(tmp_path)
    done = run_planner("plan-region", region, "-o", out, "--time-limit", "5x")
    assert done.returncode == 2 and "(command line):1:1: --time-limit: '5x' 不是时长" in done.stderr, done.stderr
    done = run_planner("plan-region", region, "-o", out, "--station-time-limit", "0s")
    assert done.returncode == 2 and "--station-time-limit" in done.stderr, done.stderr
    assert not out.exists()
