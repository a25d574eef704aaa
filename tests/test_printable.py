"""The printable plan: HTML in both languages, escaping, PDF with an embedded CJK font, Chromium.

The PDF and Chromium tests need Debian's poppler-utils (pdffonts, pdftoppm), chromium,
fonts-noto-cjk and WeasyPrint's libraries (libpango-1.0-0 libpangoft2-1.0-0
libharfbuzz-subset0); they are skipped, saying which binary is missing, only where those are
not installed. CI installs them.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from planner.calendar import build_calendar
from planner.catalogue import catalogue
from planner.export.html import render_html, write_html
from planner.export.pdf import PdfUnavailable, write_pdf, write_printable
from planner.export.pdf import available as pdf_available
from planner.export.view import PlanView, build_view, read_plan_json
from planner.formats import resolve_formats
from planner.loader import LoadedPlan, load_plan

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "tests" / "data" / "contract-example.yaml"
SAMPLE = ROOT / "tests" / "data" / "sample-plan.json"
LANZHOU = ROOT / "examples" / "lanzhou-guangwumen.yaml"

HOSTILE = {
    "station": '<script>alert("station")</script>派出所',
    "campaign": "反诈\"宣传\" & 'quotes' </title><marquee>",
    "staff": '王"力\'</td><img src=x onerror=alert(1)>',
    "venue": "幸福里\n社区 ../../etc/passwd <script>x</script>",
    "team": "宣讲一组</span><script>1</script>",
    "key_date": "人口普查<svg onload=alert(2)>入户",
}


# --- plans ---------------------------------------------------------------------------------------------


def _variant(tmp_path: Path, replace: dict[str, str], name: str = "plan.yaml") -> Path:
    text = CONTRACT.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML 1.2 double-quoted scalar


def hostile_plan(tmp_path: Path) -> Path:
    return _variant(tmp_path, {
        "  name: 兰州市公安局城关分局广武门派出所": f"  name: {_yaml_str(HOSTILE['station'])}",
        "  name: 2026年全民反诈集中宣传": f"  name: {_yaml_str(HOSTILE['campaign'])}",
        "    name: 王力": f"    name: {_yaml_str(HOSTILE['staff'])}",
        "    name: 幸福里社区": f"    name: {_yaml_str(HOSTILE['venue'])}",
        "    team: 宣讲一组 ": f"    team: {_yaml_str(HOSTILE['team'])} ",
        "name: 人口普查入户,": f"name: {_yaml_str(HOSTILE['key_date'])},",
    }, "hostile.yaml")


def view_of(plan: Path, data: dict | None = None) -> PlanView:
    return build_view(load_plan(plan), data if data is not None else read_plan_json(SAMPLE))


TIMES = {  # format → (day class wanted, start times)
    "lecture": ("workdays", ["09:00", "14:30", "19:00"]),
    "stall": ("all", ["07:00", "09:30", "17:30"]),
    "door_to_door": ("all", ["18:30", "09:00"]),
    "performance": ("restdays", ["15:00", "19:00"]),
    "themed_event": ("restdays", ["09:30"]),
}


def synthetic_plan_json(loaded: LoadedPlan, *, per_month: tuple[int, int] = (1, 2), seed: int = 7,
                        posts_per_week: int = 3) -> dict:
    """A plan.json of the solver's shape: every venue visited per_month times a month, online posts,
    key dates themed where the window and audience fit, and a few unmet goals. Not a real plan:
    only realistic enough to look at and to time."""
    plan = loaded.plan
    rng = random.Random(seed)
    cat = catalogue()
    formats = resolve_formats(plan)
    cal = build_calendar(plan)
    tz = plan.station.timezone
    offset = "+08:00" if tz == "Asia/Shanghai" else "+00:00"
    by_role: dict[str, list[str]] = {}
    for s in plan.staff:
        by_role.setdefault(s.role, []).append(s.id)
    anyone = [s.id for s in plan.staff]
    online_staff = [s.id for s in plan.staff if "online" in s.skills] or anyone[:1]
    activities, unmet = [], []
    months = sorted({(d.date.year, d.date.month) for d in cal.days})
    for v in plan.venues:
        allowed = [f for f, fmt in formats.items() if v.kind in fmt.kinds and f in TIMES]
        if not allowed:
            continue
        for ym in months:
            days = [d for d in cal.days if (d.date.year, d.date.month) == ym
                    and not any(d.date in span for span in v.closed)]
            wanted = rng.randint(*per_month)
            if not days:
                continue
            if rng.random() < 0.04:
                unmet.append({"tactic": "five_into", "venue": v.id, "period": f"{ym[0]}-{ym[1]:02d}",
                              "why": "no police officer and grid worker free together in the venue's windows"})
                continue
            for n in range(wanted):
                fmt = rng.choice(allowed)
                day_class, starts = TIMES[fmt]
                fitting = [d for d in days if d.in_class(day_class)] or days
                day = rng.choice(fitting)
                hh, mm = map(int, rng.choice(starts).split(":"))
                start = datetime(day.date.year, day.date.month, day.date.day, hh, mm)
                end = start + formats[fmt].duration
                police = by_role.get("police") or anyone
                staff = [rng.choice(police)]
                partner = by_role.get("grid_worker") or by_role.get("auxiliary") or anyone
                if formats[fmt].needs.grid_worker or formats[fmt].needs.people:
                    staff.append(rng.choice(partner))
                audiences = v.audience_ids()
                themes = [f for f, info in cat.fraud_types.items() if set(info.audiences) & set(audiences)]
                theme = rng.choice(themes or list(cat.fraud_types))
                key = None
                for k in cal.key_dates:
                    if day.date in k.window and (k.audiences is None or set(k.audiences) & set(audiences)):
                        key = k.id
                        if k.themes:
                            theme = k.themes[0]
                        break
                size = v.people()
                reach = int(min(formats[fmt].reach.cap, formats[fmt].reach.rate * size) * rng.uniform(0.8, 1.3))
                five_into = ("community", "village", "household", "school", "enterprise")
                tactics = ["five_into"] if v.kind in five_into else []
                if fmt == "stall":
                    tactics.append("three_times_three_places")
                if key:
                    tactics.append("key_dates")
                activities.append({
                    "id": f"{v.id}-{fmt}-{start:%Y%m%d-%H%M}-{n}", "venue": v.id, "activity": fmt,
                    "start": f"{start:%Y-%m-%dT%H:%M:%S}{offset}", "end": f"{end:%Y-%m-%dT%H:%M:%S}{offset}",
                    "staff": sorted(set(staff)), "theme": theme, "audiences": audiences[:2],
                    "tactics": tactics, "key_date": key, "reach": reach,
                })
    day = cal.days[0].date
    while day <= cal.days[-1].date:
        for k in range(posts_per_week):
            when = datetime(day.year, day.month, day.day, 21, 0) + timedelta(days=2 * k)
            if when.date() > cal.days[-1].date:
                break
            activities.append({
                "id": f"online-{when:%Y%m%d}-{k}", "venue": None, "activity": "online_post",
                "start": f"{when:%Y-%m-%dT%H:%M:%S}{offset}",
                "end": f"{when + timedelta(minutes=30):%Y-%m-%dT%H:%M:%S}{offset}",
                "staff": [rng.choice(online_staff)], "theme": rng.choice(list(cat.fraud_types)),
                "audiences": ["residents"], "tactics": ["six_plus"], "key_date": None, "reach": 500,
            })
        day += timedelta(days=7)
    met_keys = {a["key_date"] for a in activities if a["key_date"]}
    for k in cal.key_dates:
        if k.id not in met_keys:
            unmet.append({"tactic": "key_dates", "key_date": k.id, "period": f"{k.window.start}..{k.window.end}",
                          "why": "no venue with a matching audience is open in the window"})
    five = sum(1 for a in activities if "five_into" in a["tactics"])
    return {
        "version": 1, "station": plan.station.name,
        "campaign": {"name": plan.campaign.name, "start": str(plan.campaign.start), "end": str(plan.campaign.end)},
        "status": "feasible", "objective": 4242, "bound": 4100, "solve_seconds": 30.0,
        "activities": activities, "unmet": unmet,
        "score": {"five_into": {"penalty": 100 * len([u for u in unmet if u["tactic"] == "five_into"]),
                                "met": five, "required": five + len(unmet)},
                  "key_dates": {"penalty": 0, "met": len(met_keys), "required": len(cal.key_dates)}},
        "reach": sum(a["reach"] for a in activities),
    }


def city_plan(tmp_path: Path, *, venues: int = 1500, staff: int = 200) -> Path:
    """A city-size station plan (反诈中心): many areas, venues of every kind, a large staff."""
    rng = random.Random(3)
    kinds = ["community"] * 30 + ["village"] * 25 + ["household"] * 15 + ["school"] * 10 + ["enterprise"] * 10 \
        + ["market"] * 4 + ["square"] * 3 + ["business_district"] * 2 + ["bank"]
    areas = [f"{d}区{n}街道" for d in ("道里", "道外", "南岗", "香坊", "平房", "松北") for n in ("一", "二", "三")]
    kind_zh = {k: info.zh for k, info in catalogue().venue_kinds.items()}
    roles = ["police"] * 4 + ["auxiliary"] * 2 + ["grid_worker"] * 3 + ["volunteer"]
    surnames, given = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    doc = {
        "version": 1,
        "station": {"name": "哈尔滨市公安局反电信网络诈骗中心", "region": "黑龙江省哈尔滨市"},
        "campaign": {"name": "2026年夏季全民反诈集中宣传", "start": "2026-06-01", "end": "2026-08-31",
                     "language": "zh", "national_month": {"start": "2026-06-15", "days": 30}},
        "staff": [{"id": f"s{i:03d}", "name": rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                   "role": roles[i % len(roles)], "skills": ["lecture", "online"] if i % 7 == 0 else ["lecture"],
                   "team": f"宣讲{i % 18 + 1}组", "area": areas[i % len(areas)]} for i in range(staff)],
        "venues": [{"id": f"v{i:04d}", "name": f"{areas[i % len(areas)][:2]}{kind_zh[k]}{i:04d}", "kind": k,
                    "area": areas[i % len(areas)], "risk": rng.choice(["low", "low", "medium", "high"]),
                    "size": rng.randint(200, 6000)}
                   for i, k in enumerate(rng.choice(kinds) for _ in range(venues))],
        "tactics": {"five_into": {"every_venue": {"at_least": 1, "per": "month"}},
                    "key_dates": {"use": "all"}, "six_plus": {"app_promotion": {"target_installs": 50000}}},
    }
    path = tmp_path / "city.yaml"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# --- reading what was written ----------------------------------------------------------------------------


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title:
            self.title += data


def parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser


def need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed (Debian: poppler-utils for pdffonts/pdftoppm, chromium)")
    return path


def need_pdf() -> None:
    if not pdf_available():
        try:
            write_pdf("<p>x</p>", Path("/nonexistent/never-written.pdf"))
        except PdfUnavailable as e:
            pytest.skip(f"WeasyPrint is not usable here: {e}")


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)  # type: ignore[return-value]
    pytest.skip("no Chromium here (Debian: chromium)")


def non_white_share(ppm: Path) -> float:
    """The share of pixels that are not near-white in a binary PPM (P6) file, in plain Python."""
    data = ppm.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:  # magic, width, height, maxval; comments start with '#'
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6", fields[0]
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + width * height * 3]
    dark = sum(1 for i in range(0, len(pixels), 3) if min(pixels[i], pixels[i + 1], pixels[i + 2]) < 200)
    return dark / (width * height)


# --- HTML ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zh_html() -> str:
    return render_html(view_of(CONTRACT))


def test_html_in_chinese_has_every_part(zh_html):
    doc = parse(zh_html)
    assert '<html lang="zh-CN">' in zh_html
    text = "".join(doc.text)
    for expected in ("2026年全民反诈集中宣传", "兰州市公安局城关分局广武门派出所",  # cover
                     "2026年6月", "2026年7月", "2026年8月",  # a grid per month
                     "五进覆盖", "幸福里社区",  # the coverage matrix
                     "人员排班表", "王力", "赵敏",  # rosters
                     "场所排期表", "东方红农贸市场",  # venue schedules
                     "关键节点", "端午节", "全民反诈在行动集中宣传月", "人口普查入户",  # key dates
                     "未达成目标及原因", "closed 2026-07-10..2026-08-31",  # unmet with its reason
                     "预计覆盖人数", "1,092", "预计国家反诈中心App安装"):  # headline numbers
        assert expected in text, expected
    ids = {attrs.get("id") for _, attrs in doc.tags}
    assert {"cover", "calendar", "coverage", "key-dates", "unmet", "rosters", "venues"} <= ids
    assert {"staff-wang-li", "staff-zhao-min", "venue-xingfu", "venue-dongfanghong"} <= ids
    assert sum(tag == "svg" for tag, _ in doc.tags) >= 3  # weekly, coverage, load charts
    assert not any(tag in ("script", "link", "iframe", "img") for tag, _ in doc.tags)  # self-contained, no JS
    assert '"Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif' in zh_html
    assert "@page" in zh_html and "size: A4" in zh_html


def test_month_grid_marks_days_off_and_activities(zh_html):
    dragon_boat = re.search(r'<td class="day holiday[^"]*" data-date="2026-06-19">(.*?)</td>', zh_html, re.S)
    assert dragon_boat, "2026-06-19 (端午, an official day off) is not marked as a holiday"
    cell = dragon_boat.group(1)
    assert "休" in cell and "端午节" in cell and "07:00 摊点 东方红农贸市场" in cell
    assert re.search(r'<td class="day weekend[^"]*" data-date="2026-06-06">', zh_html)
    assert re.search(r'<td class="day workday busy" data-date="2026-06-03">.*?17:30 摊点 幸福里社区', zh_html, re.S)


def test_make_up_workdays_are_marked(tmp_path):
    plan = _variant(tmp_path, {"  start: 2026-06-01\n  end: 2026-08-31": "  start: 2026-09-01\n  end: 2026-10-31"})
    html = render_html(view_of(plan, {"activities": [], "unmet": [], "score": {}}))
    for makeup in ("2026-09-20", "2026-10-10"):  # 调休 Sundays/Saturdays of 2026
        assert re.search(rf'<td class="day makeup_workday" data-date="{makeup}">\s*<div class="dhead">.*?班',
                         html, re.S)
    for off in ("2026-10-01", "2026-10-07", "2026-09-25"):
        assert re.search(rf'<td class="day holiday" data-date="{off}">', html)
    assert "重阳节" in html  # a key date inside the campaign


def test_coverage_matrix_colours_met_short_and_closed(zh_html):
    row = re.search(r'<td class="vname">幸福里社区.*?</tr>', zh_html, re.S).group(0)
    cells = re.findall(r'<td class="mcell (\w+)"', row)
    assert cells == ["met", "short", "closed"], cells  # June met, July unmet (in plan.json), August closed
    assert 'title="closed 2026-07-10..2026-08-31' in row  # the reason travels with the short cell


def test_html_in_english(tmp_path):
    plan = _variant(tmp_path, {"language: zh ": "language: en "})
    html = render_html(view_of(plan))
    doc = parse(html)
    text = "".join(doc.text)
    assert '<html lang="en">' in html
    for expected in ("June 2026", "July 2026", "August 2026", "Month calendars", "Staff rosters",
                     "Venue schedules", "Key dates", "Goals not met, and why", "expected people reached",
                     "Mon", "Sun", "Dragon Boat", "street stall", "order brushing", "王力"):
        assert expected in text, expected
    for chinese_label in ("月历排期", "人员排班表", "场所排期表", "预计覆盖人数"):
        assert chinese_label not in text


def test_names_are_escaped_never_markup(tmp_path):
    html = render_html(view_of(hostile_plan(tmp_path)))
    doc = parse(html)
    # nothing a name carried became a tag or an attribute
    assert not any(tag in ("script", "img", "marquee") for tag, _ in doc.tags)
    assert not any(name.startswith("on") for _, attrs in doc.tags for name in attrs)
    assert [tag for tag, _ in doc.tags].count("title") == 1
    # … and every name is there as text, escaped
    assert "&lt;script&gt;alert(&#34;station&#34;)&lt;/script&gt;派出所" in html
    assert "反诈&#34;宣传&#34; &amp; &#39;quotes&#39; &lt;/title&gt;&lt;marquee&gt;" in html
    assert "王&#34;力&#39;&lt;/td&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "宣讲一组&lt;/span&gt;&lt;script&gt;1&lt;/script&gt;" in html
    assert "人口普查&lt;svg onload=alert(2)&gt;入户" in html
    # a newline in a name is a space, never a broken cell; ../ is only text
    assert "幸福里 社区 ../../etc/passwd &lt;script&gt;x&lt;/script&gt;" in html
    text = "".join(doc.text)
    assert '<script>alert("station")</script>派出所' in text
    assert doc.title.startswith("反诈\"宣传\" & 'quotes' </title><marquee>")


def test_write_html_writes_one_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    write_html(view_of(hostile_plan(tmp_path)), out / "plan.html")
    assert sorted(p.name for p in out.iterdir()) == ["plan.html"]
    assert (out / "plan.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_city_size_plan_renders_compactly(tmp_path):
    loaded = load_plan(city_plan(tmp_path))
    data = synthetic_plan_json(loaded, per_month=(1, 2))
    assert len(data["activities"]) > 4000
    html = render_html(build_view(loaded, data))
    doc = parse(html)
    ids = {attrs.get("id") for _, attrs in doc.tags}
    assert all(f"staff-{s.id}" in ids for s in loaded.plan.staff)
    # venues: a row per area (venues, activities, the venues with nothing planned), not per venue
    areas = _area_rows(html)
    assert sum(int(r[1]) for r in areas.values()) == len(loaded.plan.venues)
    assert sum(int(r[2]) for r in areas.values()) == sum(1 for a in data["activities"] if a.get("venue"))
    # the coverage matrix lists only venues short of the rule, at most SUMMARY_SHORT_VENUES a kind
    from planner.export.html import SUMMARY_SHORT_VENUES, SUMMARY_UNMET_ROWS

    for table in re.findall(r'<table class="grid matrix">(.*?)</table>', html, re.S):
        rows = re.findall(r'<td class="mcell total (\w+)">', table)
        assert len(rows) <= SUMMARY_SHORT_VENUES and set(rows) <= {"short"}
    unmet = re.search(r'<table class="grid unmet-table">(.*?)</table>', html, re.S)
    if len(data.get("unmet") or []) > SUMMARY_UNMET_ROWS:
        assert unmet.group(1).count("<tr>") - 1 == SUMMARY_UNMET_ROWS  # and its header row
    # above SUMMARY_ABOVE activities: counts, not a row or chip per activity
    assert 'class="summary-note"' in html and "plan.xlsx" in html
    assert '<div class="roster' not in html and 'class="grid pick-table' not in html and "data-activity=" not in html
    assert len(html) < 3_000_000


def _area_rows(html: str) -> dict[str, list[str]]:
    """The summary's venue table: area → [area, venues, activities, venues with nothing planned]."""
    table = re.search(r'<table class="grid venue-summary">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert table, "no venue summary"
    rows = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)]
    return {r[0]: r for r in rows}


def _cells(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', html, re.S)
    assert row, row_id
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_the_summary_counts_are_plan_json_s(tmp_path, monkeypatch):
    """The printable plan's summary (any plan above the threshold; here lowered to 1) gives each
    person's and venue's number of activities as plan.json has them, and the same print list."""
    import planner.export.html as html_module

    loaded = load_plan(CONTRACT)
    data = read_plan_json(SAMPLE)
    full = render_html(build_view(loaded, data))
    monkeypatch.setattr(html_module, "SUMMARY_ABOVE", 1)
    html = render_html(build_view(loaded, data))
    assert 'class="summary-note"' in html and "data-activity=" not in html
    for s in loaded.plan.staff:
        assert _cells(html, f"staff-{s.id}")[1] == str(sum(s.id in a["staff"] for a in data["activities"]))
    areas = _area_rows(html)
    for area in {v.area or "" for v in loaded.plan.venues}:
        venues = [v for v in loaded.plan.venues if (v.area or "") == area]
        row = next(r for name, r in areas.items() if name == area or (not area and name not in
                                                                          {v.area for v in loaded.plan.venues}))
        assert row[1] == str(len(venues))
        assert row[2] == str(sum(a.get("venue") in {v.id for v in venues} for a in data["activities"]))
        idle = [v.name for v in venues if not any(a.get("venue") == v.id for a in data["activities"])]
        assert (row[3] == "—") if not idle else all(name in row[3] for name in idle)
    print_list = re.compile(r'<table class="grid print-list">.*?</table>', re.S)
    assert print_list.search(html).group(0) == print_list.search(full).group(0)
    # goals not met: the first SUMMARY_UNMET_ROWS listed, and a note saying how many there are
    assert data["unmet"]
    monkeypatch.setattr(html_module, "SUMMARY_UNMET_ROWS", 0)
    html = render_html(build_view(loaded, data))
    table = re.search(r'<table class="grid unmet-table">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert "<tr>" not in table.group(1)
    assert f"（共 {len(data['unmet'])} 项）" in html


# --- PDF -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    need_pdf()
    path = tmp_path_factory.mktemp("pdf") / "plan.pdf"
    write_pdf(view_of(CONTRACT), path)
    return path


def test_pdf_embeds_a_cjk_font(sample_pdf):
    out = subprocess.run([need("pdffonts"), str(sample_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line for line in out.splitlines()[2:] if line.strip()]
    cjk = [line for line in rows if re.search(r"Noto.?(Sans|Serif).?CJK", line, re.I)]
    assert cjk, out
    for line in cjk:  # columns: name type encoding emb sub uni object ID
        assert line.split()[-5] == "yes", f"not embedded: {line}"
    assert all(line.split()[-5] == "yes" for line in rows), out  # no font left to the printer


def test_pdf_first_page_is_not_blank(sample_pdf, tmp_path):
    need("pdftoppm")
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(sample_pdf),
                    str(tmp_path / "page")], check=True, capture_output=True)
    share = non_white_share(tmp_path / "page.ppm")
    assert share > 0.02, f"the cover is {share:.1%} ink: blank?"
    info = subprocess.run(["pdfinfo", str(sample_pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 6 <= pages <= 20, pages
    assert re.search(r"Page size:\s+595\.\d* x 841\.\d*", info), info  # A4


def test_pdf_from_html_text_and_in_english(tmp_path):
    need_pdf()
    plan = _variant(tmp_path, {"language: zh ": "language: en "})
    html = render_html(view_of(plan))
    write_pdf(html, tmp_path / "en.pdf")
    assert (tmp_path / "en.pdf").read_bytes().startswith(b"%PDF-")
    text = subprocess.run([need("pdftotext"), str(tmp_path / "en.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Staff rosters" in text and "王力" in text


def test_hostile_names_survive_the_pdf(tmp_path):
    need_pdf()
    write_pdf(view_of(hostile_plan(tmp_path)), tmp_path / "plan.pdf")
    text = subprocess.run([need("pdftotext"), str(tmp_path / "plan.pdf"), "-"], capture_output=True, text=True).stdout
    assert '<script>alert("station")</script>派出所' in text


def test_without_weasyprint_the_html_is_written_and_one_line_says_how(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint → ImportError
    with pytest.raises(PdfUnavailable) as caught:
        write_pdf("<p>x</p>", tmp_path / "x.pdf")
    message = str(caught.value)
    assert "\n" not in message
    assert "pip install 'fanzha-planner[pdf]'" in message and "fonts-noto-cjk" in message
    assert not (tmp_path / "x.pdf").exists()
    result = write_printable(view_of(CONTRACT), tmp_path)
    assert result.pdf is None and result.html.is_file()
    assert result.note.startswith("plan.pdf not written: ") and "\n" not in result.note
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.html"]


def test_missing_pango_is_pdf_unavailable(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def broken(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(__import__("sys").modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", broken)
    with pytest.raises(PdfUnavailable, match="libpango"):
        write_pdf("<p>x</p>", tmp_path / "x.pdf")


# --- Chromium -------------------------------------------------------------------------------------------------


def test_chromium_prints_the_html_to_pdf(tmp_path):
    browser = chromium()
    html_path = write_html(view_of(CONTRACT), tmp_path / "plan.html")
    out = tmp_path / "chromium.pdf"
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={out}",
         html_path.as_uri()],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.is_file() and out.read_bytes().startswith(b"%PDF-"), result.stderr[-2000:]
    # Chromium's own complaints about the page or the printing (D-Bus noise in a container is not one)
    trouble = [line for line in result.stderr.splitlines()
               if ("ERROR" in line or "CONSOLE" in line)
               and re.search(r"print|pdf|CONSOLE|render|font|css", line, re.I)]
    assert not trouble, "\n".join(trouble)
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
        assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 6, info
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
        assert "广武门派出所" in text and "人员排班表" in text


def test_cover_says_when_closeness_is_not_known():
    # a campaign solved month by month whose whole LP was not had in time: bound null in plan.json
    data = read_plan_json(SAMPLE)
    unknown = "时限内未能算出理论最优的界"
    assert unknown not in "".join(parse(render_html(view_of(CONTRACT, data))).text)
    text = "".join(parse(render_html(view_of(CONTRACT, {**data, "bound": None}))).text)
    assert unknown in text and "%" not in text.split(unknown)[0][-40:]


# --- the PDF beside the other outputs ----------------------------------------------------------------------------


def test_the_pdf_job_renders_in_a_child_process_and_says_when_weasyprint_is_missing(tmp_path, monkeypatch):
    from planner.export.pdf import PdfJob

    html_path = write_html(view_of(CONTRACT), tmp_path / "plan.html")
    job = PdfJob(html_path, tmp_path / "plan.pdf")
    assert job.process.pid != __import__("os").getpid()
    assert job.wait() == tmp_path / "plan.pdf"
    assert (tmp_path / "plan.pdf").read_bytes().startswith(b"%PDF-")
    # a child that cannot import WeasyPrint: PdfUnavailable in the parent, in one line, no file
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "weasyprint.py").write_text("raise ImportError('no WeasyPrint in this test')\n")
    monkeypatch.setenv("PYTHONPATH", str(fake))
    job = PdfJob(html_path, tmp_path / "second.pdf")
    with pytest.raises(PdfUnavailable) as caught:
        job.wait()
    assert "no WeasyPrint in this test" in str(caught.value) and "\n" not in str(caught.value)
    assert "fonts-noto-cjk" in str(caught.value)
    assert not (tmp_path / "second.pdf").exists()
