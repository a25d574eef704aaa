"""Every bundled example, planned by the real solver with its own settings but a shorter time
limit (how good a plan the time buys is the benchmark's question), then every output opened
by the software its users open it with."""

import json
import shutil
import subprocess

import icalendar
import openpyxl
import pytest
import vobject
from conftest import EXAMPLES, run_planner

from planner.loader import load_plan
from planner.verify import verify

LIMIT = 15


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.stem)
def planned(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param.stem) / "out"
    result = run_planner("plan", request.param, "-o", out, "--time-limit", f"{LIMIT}s")
    assert result.returncode == 0, result.stderr
    return request.param, out, json.loads((out / "plan.json").read_text(encoding="utf-8"))


def test_every_hard_rule_holds_in_the_written_plan(planned):
    example, out, data = planned
    loaded = load_plan(example)
    assert data["activities"]
    assert verify(data, loaded) == []
    assert data["solve_seconds"] <= LIMIT + 5


def test_calendars_validate_and_hold_exactly_each_persons_activities(planned):
    example, out, data = planned
    loaded = load_plan(example)
    for person in loaded.plan.staff:
        path = out / "calendars" / "staff" / f"{person.id}.ics"
        text = path.read_text(encoding="utf-8")
        for component in vobject.readComponents(text, validate=True):
            component.validate(raiseException=True)
        uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}
        assert uids == {f"{a['id']}@{data['uid_domain']}" for a in data["activities"] if person.id in a["staff"]}, \
            person.id
    for venue in loaded.plan.venues:
        uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(
            (out / "calendars" / "venues" / f"{venue.id}.ics").read_bytes()).walk("VEVENT")}
        assert uids == {f"{a['id']}@{data['uid_domain']}" for a in data["activities"] if a["venue"] == venue.id}, \
            venue.id
    every = icalendar.Calendar.from_ical((out / "calendars" / "all.ics").read_bytes())
    assert len(every.walk("VEVENT")) == len(data["activities"])
    assert every.walk("VTIMEZONE")


def test_spreadsheet_has_a_roster_row_per_activity(planned):
    example, out, data = planned
    book = openpyxl.load_workbook(out / "plan.xlsx")
    roster, ledger = book.worksheets[0], book.worksheets[1]
    ids = {row[-1] for row in roster.iter_rows(min_row=2, values_only=True) if row[-1]}
    assert ids >= {a["id"] for a in data["activities"]}
    assert ledger.max_row >= len(data["activities"]) + 1
    assert roster.page_setup.orientation == "landscape"


def test_printable_plan_renders_with_an_embedded_cjk_font(planned):
    example, out, data = planned
    html = (out / "plan.html").read_text(encoding="utf-8")
    assert load_plan(example).plan.station.name in html
    if not shutil.which("pdffonts"):
        pytest.skip("poppler-utils (pdffonts) is not installed")
    if not (out / "plan.pdf").exists():
        pytest.skip("WeasyPrint is not installed here; plan.html was written instead")
    fonts = subprocess.run(["pdffonts", str(out / "plan.pdf")], capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts
