"""`planner report` and `planner roster`: the figures are the ledger's, summed here
independently of the planner; the HTML, PDF, workbook and the phone-width PNG are written
into OUT/reports/ with Chinese glyphs; the roster shows the week's activities."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from conftest import STARTER, run_planner
from ledgerfill import COUNTS, fill, plan_activities

SHORT = ("--time-limit", "3s", "--workers", "1")
AS_OF = "2026-09-30"  # after the campaign: every activity's day has come


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """The starter plan, planned, its ledger filled and recorded: (OUT, what was typed)."""
    folder = tmp_path_factory.mktemp("report")
    plan = folder / "plan.yaml"
    shutil.copy(STARTER, plan)
    out = folder / "out"
    done = run_planner("plan", plan, "-o", out, *SHORT)
    assert done.returncode == 0, done.stderr
    filled = fill(out)
    done = run_planner("record", out)
    assert done.returncode == 0, done.stderr
    return out, filled


def report_json(out: Path, *period: str) -> dict:
    done = run_planner("report", out, *period, "--as-of", AS_OF, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def photos(entry) -> int:
    value = entry.get("photos")
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    return len([p for p in re.split(r"[、,]", value) if p])


PERIODS = {
    ("--month", "2026-06"): (date(2026, 6, 1), date(2026, 6, 30)),
    ("--week", "2026-W25"): (date(2026, 6, 15), date(2026, 6, 21)),
    ("--from", "2026-06-10", "--to", "2026-07-12"): (date(2026, 6, 10), date(2026, 7, 12)),
    (): (date(2026, 6, 1), date(2026, 8, 31)),
}


@pytest.mark.parametrize("period", list(PERIODS), ids=["month", "week", "span", "campaign"])
def test_the_figures_are_the_sums_of_what_the_ledger_says(recorded, period):
    out, filled = recorded
    first, last = PERIODS[period]
    got = report_json(out, *period)
    assert (got["period"]["start"], got["period"]["end"]) == (first.isoformat(), last.isoformat())
    entries = filled.in_period(first, last)
    planned = [a for a in plan_activities(out) if first <= datetime.fromisoformat(a["start"]).date() <= last]
    held = [e for e in entries if e["outcome"] == "held"]
    assert got["planned"] == len(planned)
    assert got["held"] == len(held)
    assert got["extra"] == sum(1 for e in entries if "id" not in e)
    assert got["not_held"] == sum(1 for e in entries if e["outcome"] == "not_held")
    assert got["rescheduled"] == sum(1 for e in entries if e["outcome"] == "rescheduled")
    reported = {e["id"] for e in entries if "id" in e}
    assert got["unreported"] == sum(1 for a in planned if a["id"] not in reported)
    assert got["upcoming"] == 0
    for key in COUNTS:
        assert got["totals"][key] == sum(e.get(key, 0) for e in entries), key
    assert got["totals"]["photos"] == sum(photos(e) for e in entries)
    assert got["totals"]["partners"] == sorted({e["partners"] for e in entries if "partners" in e})
    # the reasons a 所长 asks for
    reasons = {a["id"]: a.get("reason") for a in got["not_held_activities"]}
    assert reasons == {e["id"]: e["notes"] for e in entries if e["outcome"] in ("not_held", "rescheduled")}
    # per week, per venue and per person, again from what was typed
    for week in got["weeks"]:
        start, end = date.fromisoformat(week["start"]), date.fromisoformat(week["end"])
        typed = filled.in_period(start, end)
        assert week["held"] == sum(1 for e in typed if e["outcome"] == "held"), week["week"]
        assert week["totals"]["reached"] == sum(e.get("reached", 0) for e in typed), week["week"]
        assert week["in_period"] == (start <= last and end >= first)
    venues = {v["venue"]: v for v in got["venues"]}
    for venue in {e["venue"] for e in held}:
        mine = [e for e in held if e["venue"] == venue]
        assert venues[venue]["held"] == len(mine)
        assert venues[venue]["reached"] == sum(e.get("reached", 0) for e in mine)
    people = {p["id"]: p for p in got["rankings"]["staff"]}
    for person, row in people.items():
        assert row["held"] == sum(1 for e in held if person in e.get("staff", [])), person


def test_targets_come_with_their_gaps(recorded):
    from planner.loader import load_plan
    from planner.targets import targets_for

    out, _ = recorded
    got = report_json(out, "--month", "2026-07")
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))["source"]["plan"]
    target = targets_for(load_plan(plan), date(2026, 7, 1), date(2026, 7, 31))
    figures = {f["key"]: f for f in got["targets"]}
    handouts = ("leaflet", "booklet", "poster", "letter", "gift")
    expected = {"reach": target.reach, "app_installs": target.app_installs, "households": target.households,
                "activities": sum(target.activities.values()),
                **{f"materials.{k}": v for k, v in target.materials.items() if k in handouts},
                **{f"activities.{k}": v for k, v in target.activities.items()}}
    for key, value in expected.items():
        assert figures[key]["target"] == value, key
        assert figures[key]["gap"] == max(value - figures[key]["actual"], 0), key
    assert figures["reach"]["actual"] == got["totals"]["reached"]
    assert figures["activities"]["actual"] == got["held"]


def test_the_report_files_render_with_chinese_glyphs_and_a_phone_width_png(recorded):
    out, _ = recorded
    done = run_planner("report", out, "--month", "2026-06", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    folder = out / "reports"
    if "not written" in done.stdout:
        pytest.skip(done.stdout)
    assert sorted(p.name for p in folder.iterdir()) == ["2026-06.html", "2026-06.pdf", "2026-06.png", "2026-06.xlsx"]
    got = report_json(out, "--month", "2026-06")
    html = (folder / "2026-06.html").read_text(encoding="utf-8")
    assert "反诈宣传工作月报" in html and "2026年6月" in html
    if shutil.which("pdffonts") is None:
        pytest.skip("poppler-utils is not installed")
    fonts = subprocess.run(["pdffonts", folder / "2026-06.pdf"], capture_output=True, text=True).stdout
    assert re.search(r"CJK|SourceHan|WenQuanYi", fonts), fonts
    text = subprocess.run(["pdftotext", folder / "2026-06.pdf", "-"], capture_output=True, text=True).stdout
    assert "考核指标完成情况" in text and "未开展及改期活动" in text
    # the workbook's summary says the same numbers
    book = openpyxl.load_workbook(folder / "2026-06.xlsx")
    summary = book[book.sheetnames[0]]
    values = [[c.value for c in row] for row in summary.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[:2] == ["计划", "已开展"])
    assert values[header + 1][:2] == [got["planned"], got["held"]]
    # the PNG: phone width, long, and drawn (not blank)
    from PIL import Image

    picture = Image.open(folder / "2026-06.png")
    width, height = picture.size
    assert 600 <= width <= 1242 and height > width
    grey = picture.convert("L")
    dark = sum(grey.histogram()[:100])  # text and bars
    assert dark > width * height * 0.01, dark
    rgb = picture.convert("RGB")
    pixels = rgb.get_flattened_data() if hasattr(rgb, "get_flattened_data") else rgb.getdata()
    assert len(set(pixels)) > 50  # colours, not one flat fill


def test_the_card_is_drawn_with_a_cjk_font(recorded, tmp_path):
    """The PNG comes from the card as laid out with the PDF tools: its fonts are the CJK ones."""
    from planner.export.pdf import pdf_bytes, unavailable_reason
    from planner.export.report_html import render_report_card
    from planner.records import load_records, open_station
    from planner.reports import build_report, parse_period

    if unavailable_reason() or shutil.which("pdffonts") is None:
        pytest.skip(unavailable_reason() or "poppler-utils is not installed")
    out, _ = recorded
    station = open_station(out)
    report = build_report(station, load_records(out), parse_period(station.plan.campaign, month="2026-06"),
                          today=date(2026, 9, 30))
    card = render_report_card(report)
    assert "已开展" in card and "五进覆盖" in card
    (tmp_path / "card.pdf").write_bytes(pdf_bytes(card))
    fonts = subprocess.run(["pdffonts", tmp_path / "card.pdf"], capture_output=True, text=True).stdout
    assert re.search(r"CJK", fonts), fonts


def test_json_writes_nothing_and_bad_periods_exit_2(recorded, tmp_path):
    out, _ = recorded
    copy = Path(shutil.copytree(out, tmp_path / "out"))
    shutil.rmtree(copy / "reports", ignore_errors=True)
    assert run_planner("report", copy, "--json").returncode == 0
    assert not (copy / "reports").exists()
    for args, words in ((("--week", "2026-W99"), "--week: '2026-W99'"), (("--month", "2026-13"), "--month: "),
                        (("--month", "2027-07"), "outside the campaign"),
                        (("--week", "2026-W27", "--month", "2026-07"), "give one of"),
                        (("--from", "2026-07-10", "--to", "2026-07-01"), "--to: 2026-07-01 is before")):
        done = run_planner("report", copy, *args)
        assert done.returncode == 2 and words in done.stderr, (args, done.stderr)
    assert not (copy / "reports").exists()


def test_the_week_roster_is_a_phone_picture_and_a_printable_page(recorded):
    out, _ = recorded
    done = run_planner("roster", out, "--week", "2026-W28")
    assert done.returncode == 0, done.stderr
    folder = out / "reports"
    if "not written" in done.stdout:
        pytest.skip(done.stdout)
    for suffix in (".png", ".html", ".pdf"):
        assert (folder / f"roster-2026-W28{suffix}").is_file()
    from PIL import Image

    width, height = Image.open(folder / "roster-2026-W28.png").size
    assert 600 <= width <= 1242 and height > width
    monday = date(2026, 7, 6)
    week = [a for a in plan_activities(out)
            if monday <= datetime.fromisoformat(a["start"]).date() <= monday + timedelta(days=6)]
    assert week
    html = (folder / "roster-2026-W28.html").read_text(encoding="utf-8")
    times = re.findall(r'<td class="nowrap">(\d\d:\d\d–\d\d:\d\d)</td>', html)
    expected = sorted(f"{a['start'][11:16]}–{a['end'][11:16]}" for a in week)
    assert sorted(times) == expected
    assert f"{len(week)} 场活动" in done.stdout
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.reports.")]  # no staging left


def test_headless_chromium_draws_the_same_card(recorded, tmp_path):
    """The other way to the picture (where WeasyPrint or poppler is missing): Chromium's screenshot."""
    from PIL import Image

    from planner.export.images import card_png, chromium
    from planner.export.report_html import render_report_card
    from planner.records import load_records, open_station
    from planner.reports import build_report, parse_period

    if chromium() is None:
        pytest.skip("Chromium is not installed (Debian: chromium)")
    out, _ = recorded
    station = open_station(out)
    report = build_report(station, load_records(out), parse_period(station.plan.campaign, week="2026-W24"),
                          today=date(2026, 9, 30))
    path = card_png(render_report_card(report), tmp_path / "card.png", engine="chromium")
    picture = Image.open(path).convert("L")
    width, height = picture.size
    assert width == 750 and height > width
    assert sum(picture.histogram()[:100]) > width * height * 0.01  # text drawn, not a blank page
    assert picture.getpixel((width // 2, 30)) < 128  # the dark title band at the top
