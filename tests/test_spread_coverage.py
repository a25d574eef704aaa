"""Spread and coverage on by default (issue 17, items 1 and 6), and the plans they led to.

The per-rule cases (each fails with its rule switched off) are in tests/test_rules.py."""

from __future__ import annotations

from collections import defaultdict

from rules import load

from planner.calendar import build_calendar
from planner.candidates import generate_candidates
from planner.greedy import staff_choice
from planner.search import build_master
from planner.tactics import part_of

SQUARE = """staff:
  - {id: p1, name: 警一, role: police, skills: [lecture]}
  - {id: p2, name: 警二, role: police, skills: [lecture]}
  - {id: p3, name: 警三, role: police}
  - {id: g1, name: 格一, role: grid_worker}
  - {id: g2, name: 格二, role: grid_worker}
venues:
  - {id: square, name: 广场, kind: square, size: 3000}
"""


def test_staffing_the_lps_choice_keeps_one_activity_per_venue_and_day():
    """The LP rounded by the greedy took every activity above 0.5; an LP at 0.5 + ε on a
    stall and a themed event at one square and start put both in one slot, and the slot's
    matching staffed both: a plan that broke a hard rule, whose exact evaluation was then
    INFEASIBLE (`planner init`'s starter with spread and coverage on)."""
    loaded = load(SQUARE, "2026-06-01", "2026-06-07")
    calendar = build_calendar(loaded.plan)
    ctx = build_master(loaded, calendar, generate_candidates(loaded, calendar), prepare_only=True)
    slots: dict[tuple, list[int]] = defaultdict(list)
    for i, c in enumerate(ctx.cands):
        if c.venue:
            slots[(c.venue, c.day, part_of(c.start_min))].append(i)
    pair = next(v for v in slots.values() if len(v) > 1)
    day, part = ctx.cands[pair[0]].day, part_of(ctx.cands[pair[0]].start_min)
    works = {(p, day, part, ctx.cands[pair[0]].area or "") for p in range(len(ctx.staff))}
    plan = staff_choice(ctx, pair, works)  # staff enough for both: only the venue rule stops one
    assert len(plan.chosen) == 1, [ctx.cands[i].id for i in plan.chosen]


def test_spread_and_coverage_are_on_unless_a_plan_says_false():
    """A plan that says nothing gets both with the catalogue's defaults; false switches each off."""
    from planner.catalogue import catalogue
    from planner.model import Tactics
    from planner.tactics import coverage, spread

    defaults = catalogue().defaults["tactics"]
    loaded = load(SQUARE)
    plan = loaded.plan
    assert plan.tactics.spread is not None and plan.tactics.coverage is not None
    assert plan.tactics.spread.busiest_day == defaults["spread"]["busiest_day"]
    assert plan.tactics.spread.min_day == defaults["spread"]["min_day"]
    assert plan.tactics.coverage.at_least == defaults["coverage"]["at_least"]
    assert spread.enabled(plan) and coverage.enabled(plan)
    off = load(SQUARE + "tactics:\n  spread: false\n  coverage: false\n").plan
    assert off.tactics.spread is None and off.tactics.coverage is None
    assert not spread.enabled(off) and not coverage.enabled(off)
    one = Tactics.model_validate({"spread": False})
    assert one.spread is None and one.coverage is not None


def test_the_greedy_plan_keeps_every_day_within_the_spread_allowance():
    """Lanzhou's greedy plan filled in day order had 7 offline activities on 2026-06-08 and
    four days above busiest_day × the daily mean + min_day; spread out, none."""
    import time

    from conftest import ROOT

    from planner.greedy import greedy
    from planner.loader import load_plan
    from planner.search import Run, choose_strategy
    from planner.tactics import spread

    loaded = load_plan(ROOT / "examples" / "lanzhou-guangwumen.yaml")
    calendar = build_calendar(loaded.plan)
    run = Run(loaded, calendar, choose_strategy(loaded, calendar), None, 1, 1, time.monotonic(), None)
    days = range(len(calendar.days))
    ctx = run.build(generate_candidates(loaded, calendar, days=days), days, days, run.carry, "prepare")
    plan = greedy(ctx)
    per_day: dict[int, int] = defaultdict(int)
    for i in plan.chosen:
        if ctx.cands[i].venue:
            per_day[ctx.cands[i].day] += 1
    rule = loaded.plan.tactics.spread
    asked = spread.asked(loaded.plan, calendar)
    allowance = rule.busiest_day * sum(per_day.values()) / len(days) + rule.min_day
    assert sum(per_day.values()) > 150  # the plan is not spread by being thin
    over = {calendar.days[d].date: n for d, n in per_day.items() if n > allowance + asked.get(d, 0) + 1e-9}
    assert not over, (allowance, over)
