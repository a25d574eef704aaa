"""A period's report as a workbook, in the campaign's language, for those who work in Excel/WPS.

Sheets: the summary (outcomes, every target with its gap, activities by format, materials),
activities not held with the reasons, 五进 coverage per venue kind and per venue, key dates,
the rankings (communities and villages, staff, areas), the week-by-week trend, and every
activity of the period with what was recorded for it. Numbers are numbers (sums and
filters work); names from the plan are text, never formulas (`planner.export.xlsx.put`).
"""

from __future__ import annotations

import io
from copy import copy
from pathlib import Path
from typing import Any, Callable, Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner import atomic
from planner.export.report_html import LABELS
from planner.export.xlsx import BOLD, BORDER, HEAD_ALIGN, HEAD_FILL, SheetNames, put, text_width
from planner.messages import N_, NP_, Msg, for_language, table
from planner.records import COUNTS
from planner.reports import Report, Tally

__all__ = ["write_report_xlsx", "report_workbook_bytes"]

PERCENT = "0%"
TITLE = Font(name="Calibri", bold=True, size=14)
SHEETS: dict[str, Msg] = {
    "summary": NP_("report sheet: summary", "Summary"), "not_held": N_("Not held"),
    "coverage": NP_("report sheet: coverage", "Coverage"), "key_dates": N_("Key dates"),
    "rankings": N_("Rankings"), "weeks": N_("Weeks"), "items": NP_("report sheet: items", "Activities"),
}


class _Sheet:
    """Writes tables one under another on a sheet, sizing columns to what they hold."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1
        self.widths: dict[int, int] = {}
        self.styles: dict[tuple[Any, ...], Any] = {}  # a cell's style by what decides it

    def styled(self, cell: Any, key: tuple[Any, ...], apply: Callable[[Any], None]) -> None:
        """Give `cell` the style `apply` sets, looked up by `key` after the first time: openpyxl
        hashes every style object on each assignment (most of the workbook's time otherwise)."""
        key = (*key, bool(cell.quotePrefix))
        style = self.styles.get(key)
        if style is not None:
            cell._style = copy(style)
            return
        apply(cell)
        self.styles[key] = copy(cell._style)

    def cell(self, col: int, value: Any, fmt: str | None = None, bold: bool = False,
             body: bool = False, head: bool = False):
        cell = self.ws.cell(self.row, col)
        put(cell, value, fmt)
        wrap = isinstance(value, str)

        def apply(c: Any) -> None:
            if fmt:
                c.number_format = fmt
            if bold:
                c.font = BOLD
            if head:
                c.fill = HEAD_FILL
                c.border = BORDER
                c.alignment = HEAD_ALIGN
            if body:
                c.border = BORDER
                c.alignment = Alignment(vertical="top", wrap_text=wrap)

        self.styled(cell, (fmt, bold, head, body, body and wrap), apply)
        if isinstance(value, str):
            self.widths[col] = max(self.widths.get(col, 0), min(text_width(value) + 2, 40))
        elif value is not None:
            self.widths[col] = max(self.widths.get(col, 0), len(str(value)) + 2)
        return cell

    def title(self, text: str) -> None:
        self.ws.cell(self.row, 1).value = None
        put(self.ws.cell(self.row, 1), text)
        self.ws.cell(self.row, 1).font = TITLE
        self.row += 1

    def line(self, *values: Any) -> None:
        for col, value in enumerate(values, 1):
            self.cell(col, value)
        self.row += 1

    def table(self, heading: str | None, headers: list[str], rows: Iterable[list[Any]],
              formats: dict[int, str] | None = None) -> None:
        if heading:
            put(self.ws.cell(self.row, 1), heading)
            self.ws.cell(self.row, 1).font = BOLD
            self.row += 1
        for col, header in enumerate(headers, 1):
            self.cell(col, header, bold=True, head=True)
        self.row += 1
        for values in rows:
            for col, value in enumerate(values, 1):
                self.cell(col, value, (formats or {}).get(col - 1), body=True)
            self.row += 1
        self.row += 1

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = max(width, 8)
        self.ws.page_setup.orientation = self.ws.ORIENTATION_LANDSCAPE
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _tally(t: Tally) -> list[Any]:
    return [t.planned, t.held, t.not_held + t.rescheduled, t.unreported, t.upcoming, _rate(t.rate), t.reached,
            t.installs, t.households]


def build_report_workbook(report: Report) -> Workbook:
    lang = report.lang
    t = table(LABELS, lang)
    names = table(SHEETS, lang)
    book = Workbook()
    titles = SheetNames()
    tally_heads = [t["planned"], t["held"], f"{t['not_held']}/{t['rescheduled']}", t["unreported"], t["upcoming"],
                   t["rate"], t["reach"], t["installs"], t["households"]]

    def sheet(key: str) -> _Sheet:
        ws = book.active if key == "summary" else book.create_sheet()
        ws.title = titles.claim(names[key])
        return _Sheet(ws)

    p = report.period
    s = sheet("summary")
    s.title(f"{report.station} · {t[p.kind + '_doc']}")
    s.line(t["campaign"], report.campaign)
    s.line(t["period"], f"{p.first.isoformat()} – {p.last.isoformat()}")
    s.line(t["as_of"], report.last_import or t["no_records"])
    s.line(t["plan_version"], report.plan_version[:12])
    s.row += 1
    tally = report.tally
    s.table(None, [t["planned"], t["held"], t["extra"], t["not_held"], t["rescheduled"], t["unreported"],
                   t["upcoming"], t["rate"]],
            [[tally.planned, tally.held, tally.extra, tally.not_held, tally.rescheduled, tally.unreported,
              tally.upcoming, _rate(tally.rate)]], {7: PERCENT})
    figure_rows = [[f.name, f.target, f.actual, f.gap, _rate(f.progress), f.planned]
                   for f in report.figures + report.formats + report.materials]
    figure_rows.append([t["photos"], None, report.totals.get("photos", 0), None, None, None])
    s.table(t["targets"], [t["indicator"], t["target"], t["actual"], t["gap"], t["progress"], t["expected"]],
            figure_rows, {4: PERCENT})
    if report.partners:
        s.line(t["partners"], for_language(lang)._(", ").join(report.partners))
    s.finish()

    s = sheet("not_held")
    s.table(t["not_held_title"], [t["date"], t["time"], t["venue"], t["format"], t["staff"], t["state"], t["reason"],
                                  "id"],
            [[i.day, f"{i.start}–{i.end}" if i.start and i.end else i.start, i.venue_name, i.format_name,
              for_language(lang)._(", ").join(i.staff_names), t[i.outcome], i.reason, i.id]
             for i in report.items if i.outcome in ("not_held", "rescheduled", "unreported")], {0: "yyyy-mm-dd"})
    s.finish()

    s = sheet("coverage")
    s.table(t["five_into"], [t["kind"], t["five_into"], t["venues"], t["venues_reached"], t["share"], *tally_heads],
            [[k.name, "✓" if k.five_into else "", k.venues, k.venues_reached, _rate(k.share), *_tally(k.tally)]
             for k in report.kinds], {4: PERCENT, 10: PERCENT})
    s.table(t["per_venue"], [t["venue"], t["kind"], t["area"], *tally_heads, t["last_held"]],
            [[v.name, v.kind_name, v.area, *_tally(v.tally), v.last_held] for v in report.venues],
            {8: PERCENT, 12: "yyyy-mm-dd"})
    if report.fraud_free:
        s.table(t["fraud_free"], [t["venue"], t["kind"], t["people_served"], t["installs"], t["install_rate"],
                                  t["households"], t["households_share"], t["yes"]],
                [[r.name, r.kind_name, r.people, r.installs, round(r.install_rate, 4), r.households,
                  round(r.households_share, 4), t["yes"] if r.met else t["no"]] for r in report.fraud_free],
                {4: PERCENT, 6: PERCENT})
    s.finish()

    s = sheet("key_dates")
    s.table(t["key_dates"], [t["key_date"], t["date"], t["window"], t["planned"], t["held"], t["yes"]],
            [[k.name, k.day, f"{k.window[0].isoformat()} – {k.window[1].isoformat()}", k.planned, k.held,
              t["yes"] if k.met else t["no"]] for k in report.key_dates], {1: "yyyy-mm-dd"})
    s.finish()

    s = sheet("rankings")
    for key, rows, note in (("places", report.places, "area"), ("people", report.people, "role"),
                            ("areas", report.areas, "venue_count")):
        s.table(t[key], [t["rank"], t["name"], t[note], *tally_heads],
                [[r.rank, r.name, r.note, *_tally(r.tally)] for r in rows], {8: PERCENT})
    s.finish()

    s = sheet("weeks")
    s.table(t["trend"], ["", t["date"], t["this_period"], *tally_heads,
                         *(report.names.get(k, k) for k in COUNTS if k not in ("reached", "installs", "households"))],
            [[w.key, f"{w.first.isoformat()} – {w.last.isoformat()}", "✓" if w.in_period else "", *_tally(w.tally),
              *(w.totals[k] for k in COUNTS if k not in ("reached", "installs", "households"))]
             for w in report.weeks], {8: PERCENT})
    s.finish()

    s = sheet("items")
    count_heads = [t["reach"], *(report.names.get(k, k) for k in COUNTS if k not in ("reached", "installs",
                                                                                      "households")),
                   t["installs"], t["households"]]
    count_keys = ["reached", *(k for k in COUNTS if k not in ("reached", "installs", "households")), "installs",
                  "households"]
    s.table(None, [t["date"], t["time"], t["venue"], t["format"], t["staff"], t["state"], *count_heads, t["photos"],
                   t["reason"], "id"],
            [[i.day, i.start, i.venue_name, i.format_name, for_language(lang)._(", ").join(i.staff_names),
              t[i.outcome] + (f" ({t['extra']})" if i.extra else ""),
              *((i.record.counts.get(k) if i.record else None) for k in count_keys),
              i.record.photos if i.record else None, i.reason, i.id] for i in report.items], {0: "yyyy-mm-dd"})
    s.ws.freeze_panes = "A2"
    s.finish()
    book.active = 0
    props = book.properties
    props.title = f"{report.campaign} · {p.key}"[:255]
    props.subject = report.station[:255]
    props.creator = "fanzha-planner"
    props.language = "zh-CN" if lang == "zh" else "en"
    return book


def report_workbook_bytes(report: Report) -> bytes:
    data = io.BytesIO()
    build_report_workbook(report).save(data)
    return data.getvalue()


def write_report_xlsx(report: Report, path: Path | str) -> Path:
    """Write the report's workbook to `path`, atomically (a temporary file, then a rename)."""
    return atomic.write_bytes(path, report_workbook_bytes(report))
