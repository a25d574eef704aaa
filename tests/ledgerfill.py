"""Filling a plan.xlsx's 台账 as a station does, for the record and report tests.

Independent of the planner's own reading code: columns are found by their header text (zh
or en, units in brackets ignored), values typed with openpyxl, and `Filled` keeps what was
typed so that tests can sum it themselves.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl

HEADERS = {  # ledger key → its header, zh and en, without the unit in brackets
    "date": ("日期", "Date"), "start": ("开始", "Start"), "end": ("结束", "End"), "venue": ("场所", "Venue"),
    "format": ("形式", "Format"), "staff": ("人员", "Staff"), "partners": ("协办单位", "Partners"),
    "reached": ("实际覆盖人数", "People reached"), "leaflet": ("宣传单", "Leaflets"),
    "booklet": ("宣传册", "Booklets"), "poster": ("海报", "Posters"),
    "letter": ("致居民的一封信", "Letter to residents"),
    "gift": ("宣传品", "Giveaways"), "installs": ("App安装数", "App installs"),
    "households": ("入户户数", "Households visited"), "photos": ("照片", "Photos"), "status": ("开展情况", "Held?"),
    "notes": ("备注", "Notes"), "id": ("活动编号", "Activity id"),
}
COUNTS = ("reached", "leaflet", "booklet", "poster", "letter", "gift", "installs", "households")
HELD = {"zh": "已开展", "en": "held"}
NOT_HELD = {"zh": "未开展", "en": "not held"}
RESCHEDULED = {"zh": "已改期", "en": "rescheduled"}


def _key(text: Any) -> str:
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"\([^)]*\)", "", text)
    return re.sub(r"\s+", "", text).casefold()


def columns(ws) -> dict[str, int]:
    """Ledger key → column number, from the header row."""
    found = {}
    wanted = {_key(h): k for k, pair in HEADERS.items() for h in pair}
    for cell in ws[1]:
        if cell.value is not None and _key(cell.value) in wanted:
            found.setdefault(wanted[_key(cell.value)], cell.column)
    return found


def ledger_sheet(book):
    return next(ws for ws in book.worksheets if ws.title in ("台账", "Ledger"))


def cell_name(ws, row: int, key: str) -> str:
    from openpyxl.utils import get_column_letter

    return f"{ws.title}!{get_column_letter(columns(ws)[key])}{row}"


def rows_by_id(ws) -> dict[str, int]:
    col = columns(ws)["id"]
    return {ws.cell(r, col).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, col).value}


@dataclass
class Filled:
    """What was typed: per activity id, its day and what the ledger says."""

    activities: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → {"date", "outcome", values…}
    extras: list[dict[str, Any]] = field(default_factory=list)  # rows added at the bottom: {"date", "venue", …}

    def entries(self) -> list[dict[str, Any]]:
        return list(self.activities.values()) + self.extras

    def in_period(self, first: date, last: date) -> list[dict[str, Any]]:
        return [e for e in self.entries() if first <= e["date"] <= last]


def plan_activities(out: Path) -> list[dict[str, Any]]:
    return json.loads((out / "plan.json").read_text(encoding="utf-8"))["activities"]


def day_of(activity: dict[str, Any]) -> date:
    return datetime.fromisoformat(activity["start"]).date()


def fill(out: Path, lang: str = "zh") -> Filled:
    """Type a month and a half of a station's ledger into OUT/plan.xlsx: activities held with
    figures (some with the 开展情况 left blank), two not held with the reason in the notes, one
    rescheduled, and an activity held but not planned on a row added at the bottom."""
    path = out / "plan.xlsx"
    book = openpyxl.load_workbook(path)
    ws = ledger_sheet(book)
    cols = columns(ws)
    rows = rows_by_id(ws)
    filled = Filled()
    activities = sorted(plan_activities(out), key=lambda a: (a["start"], a["id"]))
    chosen = [a for a in activities if day_of(a) < date(2026, 7, 15)]
    for n, a in enumerate(chosen):
        if n % 5 == 4:
            continue  # a fifth of them not reported at all
        row = rows[a["id"]]
        entry: dict[str, Any] = {"id": a["id"], "date": day_of(a), "venue": a["venue"], "format": a["activity"],
                                 "staff": list(a["staff"])}
        if n in (3, 11):
            entry.update(outcome="not_held", status=NOT_HELD[lang], notes=f"暴雨预警，活动取消{n}")
        elif n == 7:
            entry.update(outcome="rescheduled", status=RESCHEDULED[lang], notes="改到下周")
        else:
            values = {"reached": 80 + 7 * n, "leaflet": 150 + 11 * n, "booklet": n % 4 * 10, "poster": n % 3,
                      "letter": 5 * (n % 2), "gift": n % 5, "installs": 3 + n % 9, "households": 2 * (n % 3)}
            entry.update(values, outcome="held", photos=f"IMG_{n:03d}.jpg、IMG_{n:03d}b.jpg" if n % 2 else 3)
            if n % 6 != 1:  # some rows leave 开展情况 blank: figures say it was held
                entry["status"] = HELD[lang]
            if n % 4 == 0:
                entry["partners"] = "社区居委会" if n % 8 == 0 else "市场监管所"
        for key in (*COUNTS, "status", "notes", "photos", "partners"):
            if key in entry:
                ws.cell(row, cols[key]).value = entry[key]
        filled.activities[a["id"]] = entry
    # an activity held but not planned: a row added under the totals row
    venue = next(a for a in activities if a["venue"])["venue"]
    names = venue_names(out)
    extra_row = ws.max_row + 2
    extra = {"date": date(2026, 6, 20), "venue": venue, "venue_name": names[venue], "outcome": "held",
             "reached": 120, "leaflet": 240, "installs": 9, "status": HELD[lang]}
    ws.cell(extra_row, cols["date"]).value = extra["date"]
    ws.cell(extra_row, cols["start"]).value = time(10, 0)
    ws.cell(extra_row, cols["venue"]).value = extra["venue_name"]
    for key in ("reached", "leaflet", "installs", "status"):
        ws.cell(extra_row, cols[key]).value = extra[key]
    filled.extras.append(extra)
    book.save(path)
    return filled


def venue_names(out: Path) -> dict[str, str]:
    """Venue id → name, from the station plan OUT's plan.json was planned from."""
    from ruamel.yaml import YAML

    source = json.loads((out / "plan.json").read_text(encoding="utf-8"))["source"]["plan"]
    data = YAML(typ="safe").load(Path(source).read_text(encoding="utf-8"))
    return {v["id"]: v["name"] for v in data["venues"]}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_round_trip(path: Path, work: Path) -> Path:
    """The workbook as LibreOffice saves it (opened and saved again as .xlsx)."""
    converted = work / "converted"
    profile = work / "lo-profile"
    done = subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                           "xlsx", "--outdir", str(converted), str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and (converted / path.name).is_file(), done.stderr + done.stdout
    return converted / path.name


def ledger_csv(path: Path, target: Path, encoding: str, *, excel_dates: bool = True) -> Path:
    """The 台账 sheet exported as CSV, as Excel writes it: dates 2026/6/1, times 8:00."""
    ws = ledger_sheet(openpyxl.load_workbook(path))
    with open(target, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        for row in ws.iter_rows(values_only=True):
            out = []
            for value in row:
                if isinstance(value, datetime):
                    value = value.date() if value.time() == time(0) else value
                if isinstance(value, date) and not isinstance(value, datetime):
                    out.append(f"{value.year}/{value.month}/{value.day}" if excel_dates else value.isoformat())
                elif isinstance(value, time):
                    out.append(f"{value.hour}:{value.minute:02d}")
                elif value is None or (isinstance(value, str) and value.startswith("=")):
                    out.append("")  # formulas (the totals row) export as their values; blank here
                else:
                    out.append(str(value))
            writer.writerow(out)
    return target
