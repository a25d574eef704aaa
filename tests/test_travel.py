"""Travel between areas from venues' geo coordinates (planner.travel), on tiny plans."""

from __future__ import annotations

import math

import pytest
from rules import load, verify_rule

from planner import travel

# 东 and 西 are 0.05° of latitude apart (5.56 km); 北 has no coordinates
BODY = """staff:
  - {{id: a1, name: 辅一, role: auxiliary, area: 西}}
  - {{id: g1, name: 格一, role: grid_worker, area: 西}}
venues:
  - {{id: e1, name: 东菜市场, kind: market, size: 800, area: 东, geo: {{lat: 36.10, lon: 103.80}}}}
  - {{id: e2, name: 东银行, kind: bank, size: 800, area: 东, geo: {{lat: 36.12, lon: 103.80}}}}
  - {{id: w1, name: 西菜市场, kind: market, size: 800, area: 西, geo: {{lat: 36.06, lon: 103.80}}}}
  - {{id: n1, name: 北菜市场, kind: market, size: 800, area: 北}}
{travel}"""


def plan(travel_yaml: str = ""):
    return load(BODY.format(travel=travel_yaml)).plan


def test_the_distance_is_the_great_circle_one():
    # one degree of latitude is about 111.2 km on the mean sphere
    assert travel.distance_km((36.0, 103.8), (37.0, 103.8)) == pytest.approx(111.19, abs=0.01)
    assert travel.distance_km((36.0, 103.8), (36.0, 103.8)) == 0


def test_areas_with_coordinates_are_as_far_as_their_centres_at_the_speed():
    p = plan()
    centres = travel.area_centres(p)
    assert centres["东"] == pytest.approx((36.11, 103.80)) and "北" not in centres
    km = travel.distance_km((36.11, 103.80), (36.06, 103.80))  # 5.56 km
    assert travel.minutes(p, "东", "西") == math.ceil(km / 20 * 60) == 17  # default 20 km/h
    assert travel.minutes(plan("travel: {speed_kmh: 40}\n"), "东", "西") == 9


def test_a_pair_wins_and_an_area_without_coordinates_takes_between_areas():
    p = plan("travel: {between_areas: 25m, pairs: [{between: [西, 东], time: 5m}]}\n")
    assert travel.minutes(p, "东", "西") == 5
    assert travel.minutes(p, "东", "北") == 25
    assert travel.minutes(p, "东", "东") == 0 and travel.minutes(p, None, "东") == 0
    assert travel.minutes(plan("travel: {speed_kmh: 0, between_areas: 25m}\n"), "东", "西") == 25


def test_the_travel_cost_follows_the_coordinates():
    """Two people from 西 at a stall in 东: 17 minutes each by coordinates (weights.travel per 10
    minutes), 30 each by the default between_areas when coordinates are switched off."""
    stall = ("e1", "stall", "2026-06-01 07:00", ["a1", "g1"])
    by_geo = verify_rule(BODY.format(travel=""), [], [stall]).rule("staffing", "travel")
    by_area = verify_rule(BODY.format(travel="travel: {speed_kmh: 0}\n"), [], [stall]).rule("staffing", "travel")
    assert by_geo == pytest.approx(2 * 17 / 10) and by_area == pytest.approx(2 * 30 / 10)
