"""Property: whatever small plan comes in, every hard rule holds in what comes out (or the
scheduler says, naming YAML lines, that nothing can be scheduled)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from planner.loader import load_plan
from planner.planjson import plan_json
from planner.search import NoPlanError, solve
from planner.verify import verify

ROLES = ["police", "auxiliary", "grid_worker", "volunteer"]
SKILLS = ["lecture", "performance", "online", "door_to_door", "stall"]
KINDS = ["community", "village", "household", "school", "enterprise", "business_district", "market", "square",
         "bank", "station"]


@st.composite
def small_plans(draw) -> str:
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
    end = start + timedelta(days=draw(st.integers(6, 20)))
    areas = ["东片", "西片"][:draw(st.integers(1, 2))]
    lines = ["version: 1", "station: {name: 测试派出所}",
             f"campaign: {{name: 测试, start: {start}, end: {end}}}", "staff:"]
    n_staff = draw(st.integers(2, 5))
    for i in range(n_staff):
        role = ROLES[i] if i < 2 and draw(st.booleans()) else draw(st.sampled_from(ROLES))
        if i == 0:
            role = "police"
        skills = draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=3))
        entry = (f"  - {{id: s{i}, name: 人员{i}, role: {role}, skills: [{', '.join(skills)}], "
                 f"area: {draw(st.sampled_from(areas))}, max_activities_per_week: {draw(st.integers(1, 5))}")
        if draw(st.booleans()):
            off = start + timedelta(days=draw(st.integers(0, 6)))
            entry += f', unavailable: ["{off}..{off + timedelta(days=draw(st.integers(0, 3)))}"]'
        if role == "police" and draw(st.booleans()):
            entry += f", duty: {{cycle: [on, off, off], start: {start}}}"
        if i >= 3 and draw(st.booleans()):
            entry += ", team: 小分队"
        lines.append(entry + "}")
    lines.append("venues:")
    n_venues = draw(st.integers(1, 4))
    for j in range(n_venues):
        kind = draw(st.sampled_from(KINDS))
        entry = (f"  - {{id: v{j}, name: 场所{j}, kind: {kind}, size: {draw(st.integers(50, 8000))}, "
                 f"risk: {draw(st.sampled_from(['low', 'medium', 'high']))}, area: {draw(st.sampled_from(areas))}")
        if kind == "market" and draw(st.booleans()):
            entry += ", market_days: [1, 4, 7, 11, 14, 17, 21, 24, 27]"
        if draw(st.booleans()):
            closed = start + timedelta(days=draw(st.integers(0, 6)))
            entry += f', closed: ["{closed}..{closed + timedelta(days=2)}"]'
        lines.append(entry + "}")
    if any("team: 小分队" in line for line in lines) and draw(st.booleans()):
        lines.append("activities:\n  performance: {duration: 2h, needs: {team: 小分队}}")
    tactics = ["tactics:"]
    if draw(st.booleans()):
        gap = draw(st.integers(0, 5))
        tactics.append(f"  five_into: {{every_venue: {{at_least: 1, per: week}}, min_gap_days: {gap}}}")
    if draw(st.booleans()):
        tactics.append('  three_times_three_places:\n    - {place: community, days: workdays, time: "17:30-19:30"}\n'
                       '    - {place: market, days: all, time: "07:00-09:00", per_week: 2}')
    if draw(st.booleans()):
        tactics.append(f"  six_plus: {{grid_and_police: {str(draw(st.booleans())).lower()}, "
                       "online: {posts_per_week: 2}, lectures: {min_share: 0.3}}")
    if draw(st.booleans()):
        tactics.append("  key_dates: {use: all, min_activities: 1}")
    if draw(st.booleans()):
        tactics.append("  all_police: {at_least: 1, per: week}")
    lines += tactics if len(tactics) > 1 else ["tactics: {}"]
    lines.append(f"travel: {{between_areas: {draw(st.sampled_from(['15m', '45m', '2h']))}}}")
    return "\n".join(lines) + "\n"


TEAM_MEMBER_TWICE = """\
version: 1
station: {name: 测试派出所}
campaign: {name: 测试, start: 2026-01-01, end: 2026-01-07}
staff:
  - {id: s0, name: 人员0, role: police, skills: [], area: 东片, max_activities_per_week: 1,
     unavailable: ["2026-01-01..2026-01-01"]}
  - {id: s1, name: 人员1, role: auxiliary, skills: [], area: 东片, max_activities_per_week: 1}
  - {id: s2, name: 人员2, role: auxiliary, skills: [], area: 东片, max_activities_per_week: 1}
  - {id: s3, name: 人员3, role: grid_worker, skills: [], area: 东片, max_activities_per_week: 1, team: 小分队}
  - {id: s4, name: 人员4, role: police, skills: [], area: 东片, max_activities_per_week: 1}
venues:
  - {id: v0, name: 场所0, kind: community, size: 50, risk: low, area: 东片}
  - {id: v1, name: 场所1, kind: community, size: 50, risk: low, area: 东片}
activities:
  performance: {duration: 2h, needs: {team: 小分队}}
tactics: {}
travel: {between_areas: 15m}


"""


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=small_plans())
# found by this test: the master's choice staffed a team member already sent elsewhere that part of the day
@example(text=TEAM_MEMBER_TWICE)
def test_hard_rules_always_hold(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("plan") / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_plan(path)
    try:
        solution = solve(loaded, time_limit=1.5, workers=1)
    except NoPlanError as e:
        assert e.lines and all(line.startswith(str(path)) for line in e.lines)
        return
    data = plan_json(solution)
    assert verify(data, loaded) == [], text
    assert data["bound"] <= data["objective"] + 1e-6
