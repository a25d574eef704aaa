"""Materials (物料) in the plan: each activity's counts in plan.json from its format and reach,
a plan's overrides, the weekly print list and the pick list in plan.xlsx, plan.html and the
calendars. Every expected figure is recomputed here from the catalogue's YAML, not taken from
planner.materials."""

from __future__ import annotations

import io
import math
import re
from collections import defaultdict
from datetime import date, timedelta

import openpyxl
import pytest
from conftest import ROOT, STARTER
from ruamel.yaml import YAML

from planner.errors import PlanError
from planner.export.html import render_html
from planner.export.ics import write_calendars
from planner.export.ledger import read_ledger
from planner.export.view import build_view, read_plan_json
from planner.export.xlsx import workbook_bytes
from planner.loader import load_plan
from planner.planjson import plan_json
from planner.search import solve

CATALOGUE = ROOT / "planner" / "catalogue"
FORMATS = YAML(typ="safe").load((CATALOGUE / "formats.yaml").read_text(encoding="utf-8"))
TARGETS = YAML(typ="safe").load((CATALOGUE / "targets.yaml").read_text(encoding="utf-8"))
MATERIALS = FORMATS.pop("materials")
HOUSEHOLD = TARGETS["household_size"]
LEAD = TARGETS["print_lead_days"]
USED_UP = {m for m, info in MATERIALS.items() if info["used_up"]}

# the starter, with a stall override: half a leaflet per person, 2 posters, a letter per household
OVERRIDE = "  stall: {materials: {leaflet: 0.5, poster: 2, letter: {per_household: 1}, display_board: 0}}\n"
RATES = {name: dict(fmt["materials"]) for name, fmt in FORMATS.items()}
RATES["stall"].update({"leaflet": {"per_person": 0.5}, "poster": {"per_activity": 2},
                       "letter": {"per_household": 1}})
del RATES["stall"]["display_board"]


def expected_materials(fmt: str, reach: int) -> dict[str, int]:
    """What one activity needs: each material's per-person, per-household and fixed parts,
    added up and rounded up to a whole number; none of a material: left out."""
    out = {}
    for material, rate in RATES[fmt].items():
        x = (rate.get("per_person", 0) * reach + rate.get("per_household", 0) * reach / HOUSEHOLD
             + rate.get("per_activity", 0))
        n = math.ceil(round(x, 6))
        if n:
            out[material] = n
    return out


def plan_text(language: str = "zh") -> str:
    text = STARTER.read_text(encoding="utf-8")
    anchor = "  lecture: {duration: 90m, needs: {police: 1, skills: [lecture]}}\n"
    assert anchor in text
    text = text.replace(anchor, anchor + OVERRIDE)
    return text.replace("  language: zh ", f"  language: {language} ")


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("materials")
    path = folder / "plan.yaml"
    path.write_text(plan_text(), encoding="utf-8")
    loaded = load_plan(path)
    data = plan_json(solve(loaded, time_limit=3, workers=1))
    assert data["activities"]
    return loaded, data


def week_of(a: dict) -> tuple[str, date]:
    day = date.fromisoformat(a["start"][:10])
    monday = day - timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", monday


def expected_weeks(data: dict) -> dict[str, dict[str, int]]:
    """ISO week → used-up material → the sum over that week's activities."""
    weeks: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a in data["activities"]:
        for m, n in a["materials"].items():
            if m in USED_UP:
                weeks[week_of(a)[0]][m] += n
    return {w: dict(v) for w, v in weeks.items()}


# --- plan.json ------------------------------------------------------------------------------------------


def test_every_activity_in_plan_json_carries_its_materials(solved):
    _, data = solved
    formats = {a["activity"] for a in data["activities"]}
    assert {"stall", "lecture", "online_post"} <= formats
    for a in data["activities"]:
        assert a["materials"] == expected_materials(a["activity"], a["reach"]), a["id"]
        assert all(isinstance(n, int) and n > 0 for n in a["materials"].values())
        assert list(a["materials"]) == [m for m in MATERIALS if m in a["materials"]]  # the catalogue's order
    stalls = [a for a in data["activities"] if a["activity"] == "stall"]
    assert stalls and all(a["materials"]["poster"] == 2 and "display_board" not in a["materials"]
                          and a["materials"]["letter"] == math.ceil(a["reach"] / HOUSEHOLD) for a in stalls)
    lectures = [a for a in data["activities"] if a["activity"] == "lecture"]
    assert lectures and all(a["materials"]["booklet"] == a["reach"] for a in lectures)  # a booklet an attendee
    assert all(a["materials"] == {} for a in data["activities"] if a["activity"] == "online_post")


def test_a_bare_number_means_what_the_material_says(tmp_path):
    from planner.formats import resolve_formats

    # leaflet is per person, poster a fixed count, letter per household
    assert MATERIALS["leaflet"]["per"] == "person" and MATERIALS["poster"]["per"] == "activity"
    assert MATERIALS["letter"]["per"] == "household"
    path = tmp_path / "plan.yaml"
    path.write_text(plan_text().replace("letter: {per_household: 1}", "letter: 1"), encoding="utf-8")
    stall = resolve_formats(load_plan(path).plan)["stall"]
    assert stall.materials["leaflet"].per_person == 0.5
    assert stall.materials["poster"].per_activity == 2
    assert stall.materials["letter"].per_household == 1
    assert "display_board" not in stall.materials  # 0 drops it
    assert stall.materials["gift"].per_person == FORMATS["stall"]["materials"]["gift"]["per_person"]  # kept


@pytest.mark.parametrize("bad, what", [
    ("{materials: {flyer: 2}}", "没有编号为 'flyer' 的物料"),
    ("{materials: {leaflet: -1}}", "不能小于 0"),
    ("{materials: {poster: 100000}}", "不能大于"),
    ("{materials: {leaflet: {per_reach: 1}}}", "per_reach"),
    ("{materials: {leaflet: {per_person: 500}}}", "不能大于"),
])
def test_bad_material_overrides_are_file_line_errors(tmp_path, bad, what):
    text = plan_text().replace(OVERRIDE, f"  stall: {bad}\n")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("  stall: {materials"))
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    found = [p.format() for p in caught.value.problems]
    assert any(p.startswith(f"{path}:{line}:") and what in p for p in found), found


# --- the print list and the pick list --------------------------------------------------------------------


def test_the_print_lists_weekly_totals_are_the_sums_of_each_weeks_activities(solved):
    from planner.materials import print_list

    _, data = solved
    weeks = print_list([(date.fromisoformat(a["start"][:10]), a["materials"]) for a in data["activities"]])
    expected = expected_weeks(data)
    assert {w.week for w in weeks} == {week_of(a)[0] for a in data["activities"] if a["materials"]}
    for w in weeks:
        assert w.totals == expected.get(w.week, {}), w.week
        assert w.due == w.monday - timedelta(days=LEAD) and w.monday.weekday() == 0
        assert not set(w.totals) - USED_UP  # display boards and QR codes are not printed weekly


def _sheet(view) -> tuple[bytes, openpyxl.Workbook]:
    raw, _ = workbook_bytes(view)
    return raw, openpyxl.load_workbook(io.BytesIO(raw))


def test_the_spreadsheet_has_the_materials_sheet_with_those_numbers(solved):
    loaded, data = solved
    view = build_view(loaded, data)
    raw, wb = _sheet(view)
    assert "物料清单" in wb.sheetnames
    ws = wb["物料清单"]
    header = [c.value for c in ws[1]]
    column = {MATERIALS[m]["zh"]: m for m in MATERIALS}
    counts = {i: column[h.split("\n")[0]] for i, h in enumerate(header) if h and h.split("\n")[0] in column}
    assert set(counts.values()) == {m for a in data["activities"] for m in a["materials"]}
    by_id = {a["id"]: a for a in data["activities"]}
    weeks = expected_weeks(data)
    seen_ids, seen_weeks = set(), set()
    for row in ws.iter_rows(min_row=2, values_only=True):
        values = dict(zip(header, row))
        found = {m: row[i] for i, m in counts.items() if row[i] is not None}
        if values["活动编号"]:
            a = by_id[values["活动编号"]]
            seen_ids.add(a["id"])
            assert found == a["materials"], a["id"]
            assert values["周次"] == week_of(a)[0]
            assert values["日期"].date() == date.fromisoformat(a["start"][:10])
            staff = {s.id: s for s in loaded.plan.staff}
            police = [s for s in a["staff"] if staff[s].role == "police"]
            assert values["领取人\n（首位民警）"] == staff[(police or a["staff"])[0]].name
        elif values["场所"] == "本周合计（需印制）":
            week, monday = values["周次"], date.fromisocalendar(int(values["周次"][:4]), int(values["周次"][6:]), 1)
            seen_weeks.add(week)
            assert found == weeks[week], week
            assert values["印制交付截止\n（周一前5天）"].date() == monday - timedelta(days=LEAD)
        elif values["周次"] == "合计":
            assert found == {m: sum(w.get(m, 0) for w in weeks.values()) for m in USED_UP
                             if any(m in w for w in weeks.values())}
    assert seen_ids == {a["id"] for a in data["activities"] if a["materials"]}
    assert seen_weeks == set(weeks)
    # planned counts are not the ledger's entries: an untouched workbook carries nothing over
    assert read_ledger(raw).entries() == {}
    assert workbook_bytes(view)[0] == raw  # the same plan, the same bytes


def test_the_english_sheet_is_materials(solved, tmp_path):
    _, data = solved
    path = tmp_path / "plan.yaml"
    path.write_text(plan_text("en"), encoding="utf-8")
    _, wb = _sheet(build_view(load_plan(path), data))
    header = [c.value for c in wb["Materials"][1]]
    assert "Leaflets needed" in header and "Week" in header and "Activity id" in header


def test_the_printable_plan_has_the_materials_section_with_those_numbers(solved):
    loaded, data = solved
    html = render_html(build_view(loaded, data))
    assert 'id="materials"' in html and "每周印制清单" in html and "领取清单" in html
    section = html[html.index('id="materials"'):]
    weeks = expected_weeks(data)
    head = re.search(r'<table class="grid print-list">.*?<thead><tr>(.*?)</tr>', section, re.S).group(1)
    names = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]
    for week, totals in weeks.items():
        row = re.search(rf'<tr data-week="{week}">(.*?)</tr>', section, re.S)
        assert row, week
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))]
        shown = dict(zip(names, cells))
        for m, n in totals.items():
            assert shown[f"{MATERIALS[m]['zh']}（{MATERIALS[m]['unit']}）"] == f"{n:,}", (week, m)
    assert_each_activity_brings(data, section, '<tr data-activity="{id}">(.*?)</tr>')


def assert_each_activity_brings(data: dict, section: str, pattern: str) -> None:
    """Each activity needing materials has its entry (`pattern`, {id} its activity id, group 1
    its text) in the printable plan's materials section, with how many of each to bring."""
    for a in data["activities"]:
        if not a["materials"]:
            continue
        entry = re.search(pattern.replace("{id}", re.escape(a["id"])), section, re.S)
        assert entry, a["id"]
        for m, n in a["materials"].items():
            assert f"{MATERIALS[m]['zh']}{n}{MATERIALS[m]['unit']}" in entry.group(1), (a["id"], m)


def test_a_longer_plans_pick_list_is_a_line_per_activity_with_what_to_bring(solved, monkeypatch):
    from planner.export import html as html_module

    loaded, data = solved
    monkeypatch.setattr(html_module, "PICK_TABLE_ROWS", 0)  # as for a plan of more than 300 activities
    section = render_html(build_view(loaded, data)).split('id="materials"', 1)[1]
    assert 'class="grid pick-table' not in section
    assert_each_activity_brings(data, section, '<span class="chip" data-activity="{id}">(.*?)</span>')


def test_calendars_say_how_many_of_each_to_bring(solved, tmp_path):
    loaded, data = solved
    view = build_view(loaded, data)
    write_calendars(view, tmp_path / "calendars")
    text = (tmp_path / "calendars" / "all.ics").read_text(encoding="utf-8")
    unfolded = re.sub(r"\r?\n[ \t]", "", text).replace("\\n", "\n").replace("\\,", ",")
    stall = next(a for a in data["activities"] if a["activity"] == "stall")
    assert f"携带物料：宣传单{stall['materials']['leaflet']}份" in unfolded


def test_an_older_plan_json_without_materials_gets_them_from_format_and_reach():
    loaded = load_plan(ROOT / "tests" / "data" / "contract-example.yaml")
    data = read_plan_json(ROOT / "tests" / "data" / "sample-plan.json")
    assert all("materials" not in a for a in data["activities"])
    view = build_view(loaded, data)
    for a in view.activities:
        rates = {name: dict(fmt["materials"]) for name, fmt in FORMATS.items()}
        expected = {}
        for m, rate in rates[a.format].items():
            n = math.ceil(round(rate.get("per_person", 0) * a.reach + rate.get("per_household", 0) * a.reach / HOUSEHOLD
                                + rate.get("per_activity", 0), 6))
            if n:
                expected[m] = n
        assert a.material_counts == expected, a.id
