"""Reach as people (issue 17 item 5): plan.json's unique reach per venue, a pool met with
diminishing returns, never more than the people the venue serves."""

from __future__ import annotations

import pytest

from planner.planfile import PlanFile
from planner.planjson import unique_reach


def test_a_venue_visited_again_meets_fewer_new_people():
    """Nine stalls reaching 270 of a 3,000-person community meet 3,000 × (1 − 0.91⁹) = 1,716
    people once or more, not 2,430; one activity meets its reach; a venue without a size
    keeps the sum; every venue is in plan.json's order (by id)."""
    sizes = {"c1": 3000, "c2": 3000, "online": None}
    got = unique_reach(sizes, [("c1", 270)] * 9 + [("c2", 270), ("online", 50), ("online", 50)])
    assert got == {"c1": round(3000 * (1 - 0.91 ** 9)), "c2": 270, "online": 100}
    assert got["c1"] == 1716 < 9 * 270
    assert list(got) == sorted(got)


def test_unique_reach_never_exceeds_the_venues_people():
    got = unique_reach({"sq": 1000}, [("sq", 800)] * 5 + [("sq", 5000)])
    assert got == {"sq": 1000}


def test_plan_json_carries_unique_reach_and_refuses_a_bad_one():
    base = {"version": 1, "activities": []}
    assert PlanFile.from_data({**base, "unique_reach": {"c1": 1722}}).unique_reach == {"c1": 1722}
    assert PlanFile.from_data(base).unique_reach == {}  # older files have none
    with pytest.raises(ValueError):
        PlanFile.from_data({**base, "unique_reach": {"c1": "many"}})
