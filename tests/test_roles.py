"""Who may fill a position (planner.vocab): officers stand in for auxiliaries, never the reverse,
and the capacity estimate gives an auxiliary's work to the officers where there are too few."""

from __future__ import annotations

from rules import load

from planner.calendar import build_calendar
from planner.capacity import estimate
from planner.vocab import fills, paired_roles, short_roles


def test_an_officer_fills_an_auxiliarys_place_and_not_the_reverse():
    assert fills("police", "auxiliary") and fills("auxiliary", "auxiliary")
    assert not fills("auxiliary", "police") and not fills("volunteer", "auxiliary")
    assert fills("volunteer", "*")


def test_short_roles_counts_exact_roles_first():
    # two officers and no auxiliary: one officer for the police place, one for the auxiliary's
    assert short_roles({"police": 1, "auxiliary": 1}, ["police", "police"]) == {}
    # one officer: the police place takes them, the auxiliary's stays open
    assert short_roles({"police": 1, "auxiliary": 1}, ["police"]) == {"auxiliary": 1}
    assert short_roles({"police": 1}, ["auxiliary"]) == {"police": 1}
    assert short_roles({"grid_worker": 1, "auxiliary": 1}, ["auxiliary", "volunteer"]) == {"grid_worker": 1}


def test_grid_and_police_adds_an_officer_only_where_the_need_has_none():
    assert paired_roles({}) == {"auxiliary": 1, "grid_worker": 1}
    assert paired_roles({"police": 1}) == {"police": 1, "grid_worker": 1}
    assert paired_roles({"auxiliary": 2, "grid_worker": 1}) == {"auxiliary": 2, "grid_worker": 1}


def test_a_station_without_auxiliaries_gives_their_stalls_to_its_officers():
    body = """staff:
  - {id: p1, name: 警一, role: police}
  - {id: g1, name: 格一, role: grid_worker}
venues:
  - {id: mkt, name: 菜市场, kind: market, size: 800}
tactics:
  three_times_three_places:
    - {place: market, days: all, time: "07:00-09:00", per_week: 2}
"""
    loaded = load(body)
    cap = estimate(loaded.plan, build_calendar(loaded.plan))
    stalls = next(d for d in cap.demands if d.tactic.startswith("three_times"))
    assert stalls.by_role == {"auxiliary": stalls.activities, "grid_worker": stalls.activities}
    assert cap.required("auxiliary") == 0 and cap.required("police") == stalls.activities
