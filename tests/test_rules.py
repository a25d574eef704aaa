"""One tiny case per rule of every tactic, on a fixed assignment (tests/rules.py).

Each case is checked twice: as the planner is, the rule gives its verdict (a penalty, or
the assignment breaks a hard rule); with the function that implements the rule switched off
(replaced by one that adds nothing), the same case must come out otherwise, so no case can
pass without its rule.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from rules import verify_rule

from planner.tactics import (
    all_police,
    checklist,
    coverage,
    duty_rest,
    fairness,
    five_into,
    key_dates,
    quotas,
    reach,
    six_plus,
    spread,
    staffing,
    surges,
    targets,
    teams,
    themes,
    three_times,
    venue_days,
)

STAFF = """staff:
  - {id: p1, name: 警一, role: police, skills: [lecture, online], area: 东MAX1}
  - {id: p2, name: 警二, role: police, skills: [lecture], area: 西}
  - {id: g1, name: 格一, role: grid_worker, area: 东}
  - {id: g2, name: 格二, role: grid_worker, area: 西}
venues:
  - {id: home, name: 家园社区, kind: community, size: 6000, area: 东RISK}
  - {id: mkt, name: 菜市场, kind: market, size: 800, area: 西}
  - {id: school, name: 小学, kind: school, size: 600, area: 东}
"""


def body(tactics: str = "", *, p1: str = "", risk: str = "") -> str:
    return STAFF.replace("MAX1", p1).replace("RISK", risk) + (f"tactics:\n{tactics}" if tactics else "")


LECTURE = ("home", "lecture", "2026-06-01 09:00", ["p1"])
STALL = ("home", "stall", "2026-06-01 17:30", ["p1", "g1"])
WEEK = "2026-06-07"  # campaigns of one week: weekly goals whole


def venue_days_case() -> bool:
    """one_activity_per_venue_day: a lecture and a stall at one venue the same day break it."""
    return not verify_rule(body(), [], [LECTURE, STALL]).feasible


def needs_case() -> bool:
    """needs_met: a stall needs an auxiliary (or an officer) and a grid worker; one officer alone breaks it."""
    alone = ("home", "stall", "2026-06-01 17:30", ["p1"])
    return verify_rule(body(), [], [STALL]).feasible and not verify_rule(body(), [], [alone]).feasible


ROLES = """staff:
  - {id: p1, name: 警一, role: police}
  - {id: a1, name: 辅一, role: auxiliary}
  - {id: v1, name: 志一, role: volunteer, skills: [lecture]}
  - {id: g1, name: 格一, role: grid_worker}
venues:
  - {id: mkt, name: 菜市场, kind: market, size: 800}
  - {id: school, name: 小学, kind: school, size: 600}
"""


def stand_in_case() -> bool:
    """needs_met: a stall's auxiliary may be an officer in their place, never a volunteer; a volunteer
    with the lecture skill lectures alone (the catalogue's needs)."""
    def ok(*people: str, fmt: str = "stall", venue: str = "mkt", when: str = "2026-06-01 07:00") -> bool:
        try:
            return verify_rule(ROLES, [], [(venue, fmt, when, list(people))]).feasible
        except LookupError:  # nobody could staff it: the candidate is gone
            return False
    return (ok("a1", "g1") and ok("p1", "g1") and not ok("v1", "g1")
            and ok("v1", fmt="lecture", venue="school", when="2026-06-01 08:00"))


def double_booking_case() -> bool:
    """no_double_booking: one officer at the school at 08:00 and the community at 09:00."""
    school = ("school", "lecture", "2026-06-01 08:00", ["p1"])
    return not verify_rule(body(), [], [school, LECTURE]).feasible


def weekly_limit_case() -> bool:
    """max_activities_per_week: an officer with a limit of one, given two that week."""
    second = ("home", "lecture", "2026-06-02 09:00", ["p1"])
    return not verify_rule(body(p1=", max_activities_per_week: 1"), [], [LECTURE, second]).feasible


def travel_case() -> bool:
    """travel: two people from 西 at a stall in 东 cost 30 minutes each (weights.travel per 10 minutes)."""
    far = ("home", "stall", "2026-06-01 17:30", ["p2", "g2"])
    return verify_rule(body(), [], [far]).rule("staffing", "travel") == 6.0


def duty_rest_case() -> bool:
    """rest_after_duty: on duty on 1 June, the officer is not out before 12:00 on 2 June; the evening is allowed."""
    plan = body(p1=", duty: {cycle: [on, off], start: 2026-06-01}")
    morning = ("home", "lecture", "2026-06-02 09:00", ["p1"])
    evening = ("home", "stall", "2026-06-02 17:30", ["p1", "g1"])
    return (not verify_rule(plan, [], [morning]).feasible) and verify_rule(plan, [], [evening]).feasible


def min_gap_case() -> bool:
    """min_gap_days: two visits to one 五进 venue four days apart, with a gap of ten."""
    fi = "  five_into: {kinds: [community], every_venue: {at_least: 1, per: month}, min_gap_days: 10}\n"
    later = ("home", "lecture", "2026-06-05 09:00", ["p1"])
    return not verify_rule(body(fi), "five_into", [LECTURE, later]).feasible


def every_venue_case() -> bool:
    """every_venue: a week with the community visited and the school not is one visit short."""
    fi = "  five_into: {kinds: [community, school], every_venue: {at_least: 1, per: week}, min_gap_days: 1}\n"
    verdict = verify_rule(body(fi), "five_into", [LECTURE], end=WEEK)
    return verdict.short.get(("five_into", "every_venue")) == 1 and verdict.rule("five_into", "every_venue") == 100


def per_week_case() -> bool:
    """三时三地 per_week: two market stalls wanted in a week, one held."""
    tt = '  three_times_three_places:\n    - {place: market, days: all, time: "07:00-09:00", per_week: 2}\n'
    stall = ("mkt", "stall", "2026-06-01 07:00", ["p2", "g2"])
    verdict = verify_rule(body(tt), "three_times_three_places", [stall], end=WEEK)
    return verdict.short.get(("three_times_three_places", "per_week")) == 1


def six(**rule: str) -> str:
    """六加 with every rule off but the ones given."""
    keys = dict(grid_and_police="false", precision="{high: 1, medium: 1, low: 1}", lectures="{min_share: 0}",
                app_promotion="{target_installs: 0}", online="{posts_per_week: 0}", key_dates="false")
    keys.update(rule)
    return "  six_plus: {" + ", ".join(f"{k}: {v}" for k, v in keys.items()) + "}\n"


def grid_and_police_case() -> bool:
    """grid_and_police: a lecture at a community needs a grid worker beside the officer."""
    plan = body(six(grid_and_police="true"))
    with_grid = ("home", "lecture", "2026-06-01 09:00", ["p1", "g1"])
    return not verify_rule(plan, "six_plus", [LECTURE]).feasible and verify_rule(plan, "six_plus", [with_grid]).feasible


def precision_case() -> bool:
    """precision: a high-risk community wants its monthly visit ×2, half of it in a two-week
    campaign: one visit; none is one short."""
    plan = body(six(precision="{high: 2, medium: 1, low: 1}"), risk=", risk: high")
    none, one = verify_rule(plan, "six_plus", []), verify_rule(plan, "six_plus", [LECTURE])
    return none.rule("six_plus", "precision") == 20 and one.short.get(("six_plus", "precision")) == 0


def lectures_case() -> bool:
    """lectures: at least half the offline activities are lectures; two stalls and no lecture."""
    plan = body(six(lectures="{min_share: 0.5}"))
    stall2 = ("mkt", "stall", "2026-06-02 07:00", ["p2", "g2"])
    return verify_rule(plan, "six_plus", [STALL, stall2]).short.get(("six_plus", "lectures")) == 1


def app_promotion_case() -> bool:
    """app_promotion: ten installs wanted and none expected cost 0.2 × weights.reach each."""
    plan = body(six(app_promotion="{target_installs: 10}"))
    return verify_rule(plan, "six_plus", []).rule("six_plus", "app_promotion") == 4.0


def online_case() -> bool:
    """online: a post a week wanted; a week without one is one short, a post meets it."""
    plan = body(six(online="{posts_per_week: 1}"))
    post = (None, "online_post", "2026-06-01 21:00", ["p1"])
    return (verify_rule(plan, "six_plus", [], end=WEEK).short.get(("six_plus", "online")) == 1
            and verify_rule(plan, "six_plus", [post], end=WEEK).short.get(("six_plus", "online")) == 0)


def key_dates_case() -> bool:
    """themed_activities: a school lecture on 1 June is 六一's themed activity; without it 六一 is short."""
    plan = body("  key_dates: {use: [childrens_day], min_activities: 1}\n")
    lecture = ("school", "lecture", "2026-06-01 08:00", ["p1"])
    none, one = verify_rule(plan, "key_dates", []), verify_rule(plan, "key_dates", [lecture])
    return (none.short.get(("key_dates", "themed_activities")) == 1
            and one.short.get(("key_dates", "themed_activities")) == 0
            and one.key_dates == {"school-lecture-20260601-0800": "childrens_day"})


def key_date_override_case() -> bool:
    """themed_activities per key date: 六一 set to two themed activities (overrides), one
    held: one short; a plan's own key date asking three (custom), one held: two short."""
    plan = body("  key_dates: {use: [childrens_day], min_activities: 1, "
                "overrides: {childrens_day: {min_activities: 2}}}\n")
    own = body("  key_dates:\n    use: []\n"
               "    custom: [{id: fair, name: 集市节, date: 2026-06-02, min_activities: 3}]\n")
    lecture = ("school", "lecture", "2026-06-01 08:00", ["p1"])
    return (verify_rule(plan, "key_dates", [lecture]).short.get(("key_dates", "themed_activities")) == 1
            and verify_rule(own, "key_dates", [LECTURE]).short.get(("key_dates", "themed_activities")) == 2)


def surge_case() -> bool:
    """surge: a week's publicity drive doubling a weekly 五进 rhythm asks two visits of the
    community; one is one short (weights.surge), a stall the next evening meets it."""
    plan = body("  five_into: {kinds: [community], every_venue: {at_least: 1, per: week}, min_gap_days: 0}\n"
                "  surges: [{span: 2026-06-01..2026-06-07, factor: 2, kinds: [community]}]\n")
    second = ("home", "stall", "2026-06-02 17:30", ["p1", "g1"])
    return (verify_rule(plan, "surges", [LECTURE]).rule("surges", "surge") == 50.0
            and verify_rule(plan, "surges", [LECTURE, second]).rule("surges", "surge") == 0.0)


def quotas_case() -> bool:
    """per_week: two stalls a week wanted (activities.stall.per_week), one held: one short, weights.quotas."""
    plan = body().replace("venues:", "activities:\n  stall: {per_week: 2}\nvenues:")
    two = [STALL, ("mkt", "stall", "2026-06-02 07:00", ["p2", "g2"])]
    return (verify_rule(plan, "quotas", [STALL], end=WEEK).rule("quotas", "per_week.stall") == 40.0
            and verify_rule(plan, "quotas", two, end=WEEK).rule("quotas", "per_week.stall") == 0.0)


def checklist_case() -> bool:
    """checklist: a community's list is a lecture and the letter to residents; a lecture ticks
    the first, a door-to-door visit (which hands out the letter) the second."""
    plan = body("  checklist: {community: [lecture, letter]}\n")
    visit = ("home", "door_to_door", "2026-06-02 18:30", ["p1", "g1"])
    lecture_only = verify_rule(plan, "checklist", [LECTURE])
    return (lecture_only.rule("checklist", "item.letter") == 30.0
            and lecture_only.rule("checklist", "item.lecture") == 0.0
            and verify_rule(plan, "checklist", [LECTURE, visit]).rule("checklist", "item.letter") == 0.0)


def every_officer_case() -> bool:
    """every_officer: both officers take part each week; only p1 does."""
    plan = body("  all_police: {at_least: 1, per: week}\n")
    verdict = verify_rule(plan, "all_police", [LECTURE], end=WEEK)
    return verdict.short.get(("all_police", "every_officer")) == 1


def claims_case() -> bool:
    """claims: an activity at a venue p1 claimed, without p1, costs weights.claims; with p1, nothing."""
    plan = body("  all_police: {at_least: 0, per: week}\n", p1=", claims: [home]")
    other = ("home", "stall", "2026-06-01 17:30", ["p2", "g1"])
    return (verify_rule(plan, "all_police", [other]).rule("all_police", "claims") == 5.0
            and verify_rule(plan, "all_police", [STALL]).rule("all_police", "claims") == 0.0)


def work_hours_case() -> bool:
    """work_hours: p1's visit to the venue they claimed on a Monday at 09:00 earns no claim
    credit (weights.work_hours takes back weights.claims: 5 either way, as if p1 were not
    there); the same visit at 17:30, after work, costs nothing."""
    plan = body("  all_police: {at_least: 0, per: week}\n", p1=", claims: [home]")

    def claimed(assignment: list) -> float:
        verdict = verify_rule(plan, "all_police", assignment)
        return verdict.rule("all_police", "claims") + verdict.rule("all_police", "work_hours")

    return claimed([LECTURE]) == 5.0 and claimed([STALL]) == 0.0


def coverage_case() -> bool:
    """every_venue_once: a lecture at home leaves the market and the school unvisited (weights.coverage
    each); the school saying coverage: false asks only the market."""
    plan = body("  coverage: {at_least: 1}\n")
    quiet = plan.replace("kind: school,", "kind: school, coverage: false,")
    return (verify_rule(plan, "coverage", [LECTURE]).short.get(("coverage", "every_venue_once")) == 2
            and verify_rule(quiet, "coverage", [LECTURE]).rule("coverage", "every_venue_once") == 100.0)


def spread_case() -> bool:
    """crammed_days: three activities on one day of a fortnight with three in all: the mean is
    3/14 a day, so a day may hold 2 × 3/14 + min_day (1) = 1.43; two over cost 2 × weights.spread.
    One a day on three days, nothing."""
    market = ("mkt", "stall", "2026-06-01 07:00", ["p2", "g2"])
    school = ("school", "lecture", "2026-06-01 08:00", ["p1"])
    evening = ("home", "stall", "2026-06-01 17:30", ["p1", "g1"])
    spread_out = [market, ("school", "lecture", "2026-06-02 08:00", ["p1"]),
                  ("home", "stall", "2026-06-03 17:30", ["p1", "g1"])]
    plan = body("  spread: {busiest_day: 2, min_day: 1}\n")
    return (verify_rule(plan, "spread", [market, school, evening]).rule("spread", "crammed_days") == 40.0
            and verify_rule(plan, "spread", spread_out).rule("spread", "crammed_days") == 0.0)


def fairness_case() -> bool:
    """above_average: one officer with both activities is 10 points above the police average."""
    second = ("school", "lecture", "2026-06-02 08:00", ["p1"])
    shared = ("school", "lecture", "2026-06-02 08:00", ["p2"])
    return (verify_rule(body(), "fairness", [LECTURE, second]).rule("fairness", "above_average.police") == 10.0
            and verify_rule(body(), "fairness", [LECTURE, shared]).rule("fairness", "above_average.police") == 0.0)


def test_fairness_prices_a_person_holding_more_activities_than_free_days():
    # free one day and two activities on it (a lecture, an evening post): 200% of their
    # capacity; the rule once capped the excess at 100 points and made such plans infeasible
    plan = body("  six_plus: {online: {posts_per_week: 1}}\n", p1=', unavailable: ["2026-06-02..2026-06-14"]')
    school = ("school", "lecture", "2026-06-01 08:00", ["p1"])
    post = (None, "online_post", "2026-06-01 21:00", ["p1"])
    verdict = verify_rule(plan, ["fairness", "six_plus"], [school, post])
    assert verdict.feasible
    assert verdict.rule("fairness", "above_average.police") > 10.0


def reach_case() -> bool:
    """reach: a market stall meets 72 people (the catalogue's rate at this market), a reward of
    weights.reach per hundred."""
    stall = ("mkt", "stall", "2026-06-01 07:00", ["p2", "g2"])
    return verify_rule(body(), [], [stall]).rule("reach", "reach") == -1.44


def themes_case() -> bool:
    """rotation: a venue hearing the same theme twice running is one repeat (the themes score)."""
    def act(day: int, theme: str) -> SimpleNamespace:
        return SimpleNamespace(cand=SimpleNamespace(venue="home", start_min=540, day=day, id=f"a{day}"), theme=theme)

    row = SimpleNamespace(penalty=0.0, met=0, required=0)
    themes.score(None, None, [act(0, "loans"), act(1, "loans"), act(2, "shopping")], row)
    return (row.penalty, row.met, row.required) == (1.0, 2, 3)


def targets_case() -> bool:
    """targets: two lectures wanted in the campaign, one held: one activity short, weights.targets."""
    plan = body() + "targets: {activities: {lecture: 2}, reach: 0, materials: {}, households: 0, app_installs: 0}\n"
    verdict = verify_rule(plan, "targets", [LECTURE], end=WEEK)
    return (verdict.short.get(("targets", "activities.lecture")) == 1
            and verdict.rule("targets", "activities.lecture") == 10.0)


def targets_month_case() -> bool:
    """targets per month: 500 people reached wanted in June; a market stall reaches 72."""
    plan = body() + ("targets: {activities: {}, reach: 0, materials: {}, households: 0, app_installs: 0,\n"
                     "          months: {'2026-06': {reach: 500}}}\n")
    stall = ("mkt", "stall", "2026-06-01 07:00", ["p2", "g2"])
    verdict = verify_rule(plan, "targets", [stall], end=WEEK)
    # weights.targets per goal_units.reach people short
    return (verdict.short.get(("targets", "reach")) == 428
            and verdict.rule("targets", "reach") == round(428 * 10 / 300, 6))


TEAMS = """staff:
  - {id: a1, name: 甲一, role: police, skills: [lecture], team: 东宣讲组, area: 东}
  - {id: a2, name: 甲二, role: volunteer, skills: [lecture, performance], team: 东宣讲组, area: 东}
  - {id: b1, name: 乙一, role: police, skills: [lecture], team: 西宣讲组, area: 西}
  - {id: b2, name: 乙二, role: volunteer, skills: [lecture], team: 西宣讲组, area: 西}
  - {id: t1, name: 演一, role: volunteer, skills: [performance], team: 文艺队}
  - {id: t2, name: 演二, role: volunteer, skills: [performance], team: 文艺队}
venues:
  - {id: home, name: 家园社区, kind: community, size: 6000, area: 东}
  - {id: plaza, name: 广场, kind: square, size: 6000, area: 东}
  - {id: plaza2, name: 二号广场, kind: square, size: 6000, area: 东}
activities:
  lecture: {needs: {police: 1, people: 2, skills: [lecture], team: "*宣讲组"}}
  performance: {needs: {team: 文艺队}}
"""


def one_team_case() -> bool:
    """one_team: a lecture of one team's people is allowed; one officer of 东 with a volunteer of 西 is not."""
    same = ("home", "lecture", "2026-06-01 09:00", ["a1", "a2"])
    mixed = ("home", "lecture", "2026-06-01 09:00", ["a1", "b2"])
    return verify_rule(TEAMS, [], [same]).feasible and not verify_rule(TEAMS, [], [mixed]).feasible


def team_area_case() -> bool:
    """home_area: 西's team lecturing in 东 costs weights.team_area (20) for the activity."""
    away = ("home", "lecture", "2026-06-01 09:00", ["b1", "b2"])
    return verify_rule(TEAMS, "teams", [away]).rule("teams", "home_area") == 20.0


def tour_case() -> bool:
    """tour: the troupe's second show at one venue costs weights.tour (15); at two venues nothing."""
    first = ("plaza", "performance", "2026-06-06 09:30", ["t1", "t2"])
    again = ("plaza", "performance", "2026-06-07 09:30", ["t1", "t2"])
    elsewhere = ("plaza2", "performance", "2026-06-07 09:30", ["t1", "t2"])
    return (verify_rule(TEAMS, "teams", [first, again]).rule("teams", "tour") == 15.0
            and verify_rule(TEAMS, "teams", [first, elsewhere]).rule("teams", "tour") == 0.0)


CASES: list[tuple[str, object, str, Callable[[], bool]]] = [
    ("venue_days", venue_days, "one_activity_per_venue_day", venue_days_case),
    ("staffing.needs_met", staffing, "assign_people", needs_case),
    ("staffing.stand_in", staffing, "fits", stand_in_case),
    ("staffing.no_double_booking", staffing, "one_place_at_a_time", double_booking_case),
    ("staffing.max_activities_per_week", staffing, "weekly_limit", weekly_limit_case),
    ("staffing.travel", staffing, "travel_between_areas", travel_case),
    ("staffing.one_team", staffing, "one_team", one_team_case),
    ("teams.home_area", teams, "home_area", team_area_case),
    ("teams.tour", teams, "tour", tour_case),
    ("duty_rest", duty_rest, "prepare", duty_rest_case),
    ("five_into.min_gap_days", five_into, "min_gap", min_gap_case),
    ("five_into.every_venue", five_into, "every_venue", every_venue_case),
    ("three_times.per_week", three_times, "per_week", per_week_case),
    ("six_plus.grid_and_police", six_plus, "grid_and_police", grid_and_police_case),
    ("six_plus.precision", six_plus, "precision", precision_case),
    ("six_plus.lectures", six_plus, "lecture_share", lectures_case),
    ("six_plus.app_promotion", six_plus, "app_promotion", app_promotion_case),
    ("six_plus.online", six_plus, "online_posts", online_case),
    ("key_dates.themed_activities", key_dates, "themed_activities", key_dates_case),
    ("key_dates.per_key_date", key_dates, "themed_activities", key_date_override_case),
    ("surges.surge", surges, "surge_visits", surge_case),
    ("quotas.per_week", quotas, "per_period", quotas_case),
    ("checklist.every_item", checklist, "every_item", checklist_case),
    ("all_police.every_officer", all_police, "every_officer", every_officer_case),
    ("all_police.claims", all_police, "claims", claims_case),
    ("all_police.work_hours", all_police, "in_work_hours", work_hours_case),
    ("coverage.every_venue_once", coverage, "every_venue_once", coverage_case),
    ("spread.crammed_days", spread, "crammed_days", spread_case),
    ("fairness.above_average", fairness, "add", fairness_case),
    ("reach", reach, "add", reach_case),
    ("themes.rotation", themes, "repeats", themes_case),
    ("targets.campaign", targets, "campaign_targets", targets_case),
    ("targets.months", targets, "period_targets", targets_month_case),
]


@pytest.mark.parametrize("name,module,function,case", CASES, ids=[c[0] for c in CASES])
def test_rule(name, module, function, case):
    assert case()


@pytest.mark.parametrize("name,module,function,case", CASES, ids=[c[0] for c in CASES])
def test_rule_switched_off_changes_the_verdict(monkeypatch, name, module, function, case):
    off: Callable[..., object] = (lambda *a, **k: 0) if function == "repeats" else (lambda *a, **k: None)
    monkeypatch.setattr(module, function, off)
    assert not case()
