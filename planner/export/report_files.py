"""Writing a report (`OUT/reports/<period>.html/.pdf/.xlsx/.png`) and a week's roster
(`OUT/reports/roster-<week>.html/.pdf/.png`) into OUT.

Everything is rendered into a folder beside OUT first, then moved into OUT/reports/ one file
at a time with a rename, holding OUT's lock (`planner.records.locked`, the one `planner
plan` holds while it copies and swaps OUT): a reader never sees a half-written file, a
failed run leaves the previous report as it was, and a `plan` running meanwhile carries the
new report over (`reports` is in `planner.export.output.KEPT`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from planner import atomic
from planner.records import locked
from planner.reports import Report, Roster

__all__ = ["FOLDER", "Written", "write_report", "write_roster"]

FOLDER = "reports"


@dataclass
class Written:
    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not written and how to get it


def _render(out: Path, name: str, parts: dict[str, Callable[[Path], None]], written: Written,
            pdf: str | None = None) -> Written:
    """Render each part into a staging folder beside OUT, then move them into OUT/reports/.
    `pdf`: the HTML of `<name>.pdf`, rendered by a child process beside the other parts."""
    from planner.export.pdf import PdfJob, PdfUnavailable

    out = Path(os.path.abspath(out))
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.{FOLDER}.", dir=out.parent))
    job = None
    try:
        made = []
        if pdf is not None:
            source = staging / f".{name}.pdf.html"
            atomic.write_text(source, pdf)
            job = PdfJob(source, staging / f"{name}.pdf")
        for suffix, render in parts.items():
            target = staging / f"{name}{suffix}"
            try:
                render(target)
            except _Unavailable as e:
                written.notes.append(f"{FOLDER}/{name}{suffix} not written: {e}")
                continue
            made.append(target)
        if job is not None:
            try:
                made.append(job.wait())
            except PdfUnavailable as e:
                written.notes.append(f"{FOLDER}/{name}.pdf not written: {e}")
        with locked(out):
            folder = out / FOLDER
            folder.mkdir(exist_ok=True)
            order = [f"{name}{suffix}" for suffix in parts]
            order.insert(order.index(f"{name}.html") + 1 if f"{name}.html" in order else len(order), f"{name}.pdf")
            for path in sorted(made, key=lambda p: order.index(p.name)):
                os.replace(path, folder / path.name)
                written.paths.append(folder / path.name)
    finally:
        if job is not None:
            job.stop()
        shutil.rmtree(staging, ignore_errors=True)
    return written


class _Unavailable(Exception):
    pass


def _png(html: str) -> Callable[[Path], None]:
    def render(path: Path) -> None:
        from planner.export.images import CardUnavailable, card_png

        try:
            card_png(html, path)
        except CardUnavailable as e:
            raise _Unavailable(str(e)) from None
    return render


def _text(text: str) -> Callable[[Path], None]:
    def render(path: Path) -> None:
        atomic.write_text(path, text)
    return render


def write_report(out: Path | str, report: Report, *, png: bool = True, pdf: bool = True) -> Written:
    """OUT/reports/<period>.html, .pdf, .xlsx and .png (the phone-width summary)."""
    from planner.export.report_html import render_report, render_report_card
    from planner.export.report_xlsx import build_report_workbook

    html = render_report(report)
    parts: dict[str, Callable[[Path], None]] = {".html": _text(html)}
    parts[".xlsx"] = lambda path: build_report_workbook(report).save(path)
    if png:
        parts[".png"] = _png(render_report_card(report))
    return _render(Path(out), report.period.key, parts, Written(), pdf=html if pdf else None)


def write_roster(out: Path | str, roster: Roster, *, png: bool = True, pdf: bool = True) -> Written:
    """OUT/reports/roster-<week>.png (phone width), .html and .pdf (printable)."""
    from planner.export.report_html import render_roster, render_roster_card

    html = render_roster(roster)
    parts: dict[str, Callable[[Path], None]] = {}
    if png:
        parts[".png"] = _png(render_roster_card(roster))
    parts[".html"] = _text(html)
    return _render(Path(out), f"roster-{roster.period.key}", parts, Written(), pdf=html if pdf else None)
