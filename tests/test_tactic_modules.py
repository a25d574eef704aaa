"""Each tactic module matters: switched off, its rule or metric fails on a plan made to show it.

Every plan here is small (a few staff and venues, weeks not months) and solved for a few
seconds; `modules=` leaves one module out, as a tactic switched off in the model would.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from planner.calendar import build_calendar
from planner.candidates import generate_candidates
from planner.loader import load_plan
from planner.planjson import plan_json
from planner.search import solve
from planner.tactics import all_modules
from planner.tactics import themes as themes_module
from planner.verify import verify

HEAD = """version: 1
station: {name: 测试派出所}
campaign: {name: 测试, start: 2026-06-01, end: END, holidays: CN}
"""


def plan(tmp_path, body: str, end: str = "2026-06-28"):
    path = tmp_path / "plan.yaml"
    path.write_text(HEAD.replace("END", end) + body, encoding="utf-8")
    return load_plan(path)


def without(name: str) -> list:
    return [m for m in all_modules() if m.NAME != name]


def run(loaded, modules=None, seconds: float = 4):
    solution = solve(loaded, time_limit=seconds, workers=2, modules=modules)
    return solution, plan_json(solution)


STAFF = """staff:
  - {id: p1, name: 警一, role: police, skills: [lecture], area: 东, max_activities_per_week: 5}
  - {id: p2, name: 警二, role: police, skills: [lecture, online], area: 东, max_activities_per_week: 5}
  - {id: g1, name: 格一, role: grid_worker, area: 东, max_activities_per_week: 5}
  - {id: g2, name: 格二, role: grid_worker, area: 东, max_activities_per_week: 5}
"""


def test_five_into_keeps_visits_apart_and_every_venue_reached(tmp_path):
    loaded = plan(tmp_path, STAFF + """venues:
  - {id: home, name: 家园社区, kind: community, size: 6000, area: 东}
  - {id: shop, name: 小商店, kind: enterprise, size: 60, area: 东}
tactics:
  five_into: {kinds: [community, enterprise], every_venue: {at_least: 1, per: month}, min_gap_days: 10}
""")
    _, on = run(loaded)
    assert verify(on, loaded) == []
    assert on["score"]["five_into"]["met"] == on["score"]["five_into"]["required"] == 2
    # that min_gap_days and every_venue are this module's doing: tests/test_rules.py, rule by rule


def test_three_times_stalls_each_week_at_the_market(tmp_path):
    loaded = plan(tmp_path, """staff:
  - {id: p1, name: 警一, role: police, area: 东, max_activities_per_week: 2}
  - {id: g1, name: 格一, role: grid_worker, area: 东, max_activities_per_week: 2}
venues:
  - {id: mall, name: 商圈, kind: business_district, size: 9000, area: 东, coverage: false}
  - {id: mkt, name: 菜市场, kind: market, size: 800, area: 东}
tactics:
  three_times_three_places:
    - {place: market, days: all, time: "07:00-09:00", per_week: 2}
""")  # the mall asks no visit of its own (tactics.coverage): the two a week are the market's

    def market_weeks(data) -> list[int]:
        weeks: dict[str, int] = defaultdict(int)
        for a in data["activities"]:
            if a["venue"] == "mkt":
                weeks[date.fromisoformat(a["start"][:10]).isocalendar()[1]] += 1
        return [weeks.get(w, 0) for w in (23, 24, 25, 26)]

    _, on = run(loaded)
    assert verify(on, loaded) == []
    assert market_weeks(on) == [2, 2, 2, 2]
    assert all(a["start"][11:16] == "07:00" for a in on["activities"] if a["venue"] == "mkt")
    _, off = run(loaded, without("three_times_three_places"))
    assert sum(market_weeks(off)) < 8  # the staff's two a week go to the busy mall instead


def test_three_times_windows_are_hard_where_candidates_are_made(tmp_path):
    loaded = plan(tmp_path, STAFF + """venues:
  - {id: home, name: 家园社区, kind: community, size: 3000, area: 东}
tactics:
  three_times_three_places:
    - {place: community, days: workdays, time: "17:30-19:30"}
""")
    calendar = build_calendar(loaded.plan)
    stalls = [c for c in generate_candidates(loaded, calendar).candidates if c.format == "stall"]
    assert stalls and all(c.start_min == 17 * 60 + 30 and calendar[c.date].is_workday for c in stalls)


def test_six_plus_pairs_police_with_grid_workers_and_posts_online(tmp_path):
    # one grid worker, once a week: without 网格+警网 officers lecture on their own
    loaded = plan(tmp_path, """staff:
  - {id: p1, name: 警一, role: police, skills: [lecture], area: 东, max_activities_per_week: 5}
  - {id: p2, name: 警二, role: police, skills: [lecture, online], area: 东, max_activities_per_week: 5}
  - {id: g1, name: 格一, role: grid_worker, area: 东, max_activities_per_week: 1}
venues:
  - {id: home, name: 家园社区, kind: community, size: 3000, area: 东}
activities:
  lecture: {duration: 90m, needs: {police: 1, skills: [lecture]}}
tactics:
  six_plus: {grid_and_police: true, precision: false, lectures: false, app_promotion: false,
             online: {posts_per_week: 3}}
""")
    _, on = run(loaded)
    assert verify(on, loaded) == []
    lectures = [a for a in on["activities"] if a["activity"] == "lecture"]
    assert all({"p1", "p2"} & set(a["staff"]) and "g1" in a["staff"] for a in lectures)
    posts = [a for a in on["activities"] if a["activity"] == "online_post"]
    assert len(posts) >= 12 and all(a["staff"] == ["p2"] for a in posts)  # p2 has the online skill
    _, off = run(loaded, without("six_plus"))
    assert any(v.rule == "needs" and "grid_worker" in v.message for v in verify(off, loaded))
    assert len([a for a in off["activities"] if a["activity"] == "online_post"]) < 12


def test_key_dates_get_their_themed_activity(tmp_path):
    loaded = plan(tmp_path, """staff:
  - {id: p1, name: 警一, role: police, skills: [lecture], area: 东, max_activities_per_week: 1}
  - {id: g1, name: 格一, role: grid_worker, area: 东, max_activities_per_week: 1}
venues:
  - {id: school, name: 小学, kind: school, size: 100, area: 东}
  - {id: mall, name: 商圈, kind: business_district, size: 9000, area: 东}
tactics:
  key_dates: {use: [childrens_day], min_activities: 1}
""", end="2026-06-14")
    _, on = run(loaded)
    assert verify(on, loaded) == []
    themed = [a for a in on["activities"] if a["key_date"] == "childrens_day"]
    assert len(themed) == 1 and themed[0]["venue"] == "school"
    assert themed[0]["theme"] in ("game_trading", "impersonate_teacher")
    assert on["score"]["key_dates"]["met"] == 1
    # switched off: no activity is Children's Day's and nothing is scored for it (which day the
    # school's visit falls on is then the search's chance, so it is not asserted)
    _, off = run(loaded, [m for m in all_modules() if m.NAME not in ("key_dates", "coverage")])
    assert verify(off, loaded) == []
    assert not any(a["key_date"] == "childrens_day" for a in off["activities"])
    assert "key_dates" not in off["score"]


def test_themes_rotate_and_match_the_venue(tmp_path):
    loaded = plan(tmp_path, STAFF + """venues:
  - {id: home, name: 家园社区, kind: community, audiences: [elderly], size: 3000, area: 东}
""")
    solution, data = run(loaded)
    assert verify(data, loaded) == []  # every theme targets one of the venue's audiences
    seq = [a["theme"] for a in data["activities"] if a["venue"] == "home"]
    assert len(seq) >= 4 and all(x != y for x, y in zip(seq, seq[1:]))
    assert solution.score["themes"].penalty == 0
    # the rotation is the module's: the same activities, themed without it, repeat
    for a in solution.activities:
        a.theme = None
    repeats = themes_module.assign(loaded.plan, solution.calendar, solution.activities,
                                   {"elderly_care": ("elderly",)}, {"home": ("elderly_care",)})
    assert repeats == len(seq) - 1


def test_all_police_gets_every_officer_out(tmp_path):
    loaded = plan(tmp_path, """staff:
  - {id: p1, name: 警一, role: police, area: 东, max_activities_per_week: 5}
  - {id: p2, name: 警二, role: police, area: 东, max_activities_per_week: 5}
  - {id: p3, name: 警三, role: police, area: 西, max_activities_per_week: 5, claims: [far]}
  - {id: g1, name: 格一, role: grid_worker, area: 东, max_activities_per_week: 5}
venues:
  - {id: mall, name: 商圈, kind: business_district, size: 9000, area: 东}
  - {id: far, name: 西边市场, kind: market, size: 100, area: 西}
tactics:
  all_police: {at_least: 2, per: month}
weights: {fairness: 0, travel: 5, claims: 50}
""")
    _, on = run(loaded)
    assert verify(on, loaded) == []
    load = Counter(s for a in on["activities"] for s in a["staff"])
    assert all(load[p] >= 2 for p in ("p1", "p2", "p3"))
    assert all("p3" in a["staff"] for a in on["activities"] if a["venue"] == "far")  # the claimant goes
    _, off = run(loaded, without("all_police"))
    load_off = Counter(s for a in off["activities"] for s in a["staff"])
    assert load_off["p3"] < 2  # far away and travel costs: left at home without the tactic


def test_fairness_balances_the_load(tmp_path):
    loaded = plan(tmp_path, """staff:
  - {id: p1, name: 警一, role: police, area: 东, max_activities_per_week: 5}
  - {id: g1, name: 格一, role: grid_worker, area: 东, max_activities_per_week: 5}
  - {id: g2, name: 格二, role: grid_worker, area: 西, max_activities_per_week: 5}
venues:
  - {id: mall, name: 商圈, kind: business_district, size: 9000, area: 东}
weights: {fairness: 50, travel: 1}
travel: {between_areas: 20m}
""")

    def spread(data) -> int:
        load = Counter(s for a in data["activities"] for s in a["staff"])
        return abs(load["g1"] - load["g2"])

    _, on = run(loaded)
    assert verify(on, loaded) == []
    _, off = run(loaded, without("fairness"))
    assert spread(on) <= 2 < spread(off)  # without it, the local grid worker does everything


def test_staffing_cannot_be_switched_off_and_keeps_people_apart(tmp_path):
    loaded = plan(tmp_path, STAFF + """venues:
  - {id: home, name: 家园社区, kind: community, size: 3000, area: 东}
  - {id: mall, name: 商圈, kind: business_district, size: 9000, area: 西}
travel: {between_areas: 45m}
""")
    _, data = run(loaded, without("staffing"))
    assert data["activities"] and verify(data, loaded) == []  # staffing was put back
    assert all(a["staff"] for a in data["activities"])


@pytest.mark.parametrize("name", ["five_into", "three_times_three_places", "six_plus", "key_dates", "all_police"])
def test_a_tactic_switched_off_in_the_plan_adds_nothing(tmp_path, name):
    loaded = plan(tmp_path, STAFF + """venues:
  - {id: home, name: 家园社区, kind: community, size: 3000, area: 东}
tactics: {}
weights: {fairness: 0}
""", end="2026-06-07")
    solution, data = run(loaded, seconds=2)
    assert name not in data["score"]
    assert all(g.tactic != name for g in solution.unmet)


def master_ctx(example: str):
    """The master model of an example's first part, as the search builds it before the greedy."""
    from pathlib import Path

    from planner.search import Run, choose_strategy

    loaded = load_plan(Path(__file__).parent.parent / example)
    calendar = build_calendar(loaded.plan)
    strategy = choose_strategy(loaded, calendar)
    run_ = Run(loaded, calendar, strategy, None, 1, 1, 0.0, None)
    days = strategy.chunks[0]
    return run_.build(generate_candidates(loaded, calendar, days=days), days, days, run_.carry, "master")


@pytest.mark.parametrize("example", ["templates/starter.yaml", "examples/lanzhou-guangwumen.yaml"])
def test_the_greedy_fills_the_quotas_the_model_scores(example):
    """The greedy (the search's starting plan, the fallback without a solver plan) asks each
    tactic for its quotas: every counted goal of the model has its quota, with the same amount."""
    from planner.greedy import quotas

    ctx = master_ctx(example)
    asked = {(q.tactic, q.rule, q.venue, ctx.staff[q.person].id if q.person is not None else None,
              q.period.label if q.period else None, q.where): q.required for q in quotas(ctx) if q.kind != "share"}
    # of the targets, the formats' counts are quotas; reach, installs and materials are sums
    # the greedy would fill blindly (planner.tactics.targets): the solver weighs them
    counted = [g for g in ctx.goals if g.rule not in ("lectures", "app_promotion")
               and (g.tactic != "targets" or g.rule.startswith("activities."))]
    assert {g.tactic for g in counted} >= {"five_into", "three_times_three_places", "six_plus", "key_dates",
                                           "all_police"}
    for g in counted:
        where = g.where if g.tactic == "three_times_three_places" else ()  # which line
        key = (g.tactic, g.rule, g.venue, g.person, g.period, where)
        assert asked.get(key) == g.required, key


def test_hall_families_bound_positions_only_the_same_people_can_fill():
    """Two lecture places and a police place, with one lecturer among two officers: the
    families say the lecture places need more lecturers, whatever the officers do."""
    from planner.capacity import FAMILY_LIMIT, hall_families

    fams = hall_families({"lecture": frozenset({0}), "police": frozenset({0, 1}), "online": frozenset({2})})
    assert (frozenset({"lecture"}), frozenset({0})) in fams  # 2 lecture places > 1 person: unstaffable
    assert (frozenset({"lecture", "police"}), frozenset({0, 1})) in fams
    assert (frozenset({"lecture", "police", "online"}), frozenset({0, 1, 2})) in fams
    many = {f"t{k}": frozenset({k}) for k in range(FAMILY_LIMIT + 1)}
    assert len(hall_families(many)) == FAMILY_LIMIT + 2  # past the limit: each type, and all together


def test_the_greedy_keeps_min_gap_days_at_five_into_venues():
    """The fallback plan keeps 五进 visits min_gap_days apart, as the model does."""
    from planner.greedy import greedy
    from planner.tactics.five_into import min_gap_days

    ctx = master_ctx("examples/lanzhou-guangwumen.yaml")
    days: dict[str, list[int]] = defaultdict(list)
    for i in greedy(ctx).chosen:
        if ctx.cands[i].venue:
            days[ctx.cands[i].venue].append(ctx.cands[i].day)
    gaps = {v: min_gap_days(ctx.plan, ctx.venues[v].kind) for v in days}
    assert any(len(ds) > 1 and gaps[v] > 1 for v, ds in days.items())  # the rule has something to keep
    for v, ds in days.items():
        ds.sort()
        assert all(b - a >= max(1, gaps[v]) for a, b in zip(ds, ds[1:])), (v, ds, gaps[v])


def test_every_registered_tactic_is_a_tactic_and_a_half_tactic_is_not():
    import types

    from planner.tactics import registry
    from planner.tactics.base import Tactic

    modules = registry.all_modules()
    assert modules and all(isinstance(m, Tactic) for m in modules)
    assert len({m.NAME for m in modules}) == len(modules)
    half = types.ModuleType("planner.tactics.half")
    half.NAME, half.ORDER = "half", 1
    half.enabled = lambda plan: True  # no add(ctx)
    assert not isinstance(half, Tactic)
