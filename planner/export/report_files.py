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


@dataclass
class _Pdf:
    """A part that is this HTML as PDF, rendered by a child process beside the other parts."""

    html: str


Part = Callable[[Path], None] | _Pdf


def _render(out: Path, name: str, parts: dict[str, Part], written: Written) -> Written:
    """Render each part into a staging folder beside OUT, then move them into OUT/reports/."""
    from planner.export.pdf import PdfJob, PdfUnavailable

    out = Path(os.path.abspath(out))
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.{FOLDER}.", dir=out.parent))
    jobs: dict[str, PdfJob] = {}
    try:
        for suffix, render in parts.items():  # the PDFs first: they take longest
            if isinstance(render, _Pdf):
                source = staging / f".{name}{suffix}.html"
                atomic.write_text(source, render.html)
                jobs[suffix] = PdfJob(source, staging / f"{name}{suffix}")
        made = []
        for suffix, render in parts.items():
            target = staging / f"{name}{suffix}"
            try:
                if isinstance(render, _Pdf):
                    jobs[suffix].wait()
                else:
                    render(target)
            except (_Unavailable, PdfUnavailable) as e:
                written.notes.append(f"{FOLDER}/{name}{suffix} not written: {e}")
                continue
            made.append(target)
        with locked(out):
            folder = out / FOLDER
            folder.mkdir(exist_ok=True)
            for path in made:
                os.replace(path, folder / path.name)
                written.paths.append(folder / path.name)
    finally:
        for job in jobs.values():
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
    parts: dict[str, Part] = {".html": _text(html)}
    if pdf:
        parts[".pdf"] = _Pdf(html)
    parts[".xlsx"] = lambda path: build_report_workbook(report).save(path)
    if png:
        parts[".png"] = _png(render_report_card(report))
    return _render(Path(out), report.period.key, parts, Written())


def write_roster(out: Path | str, roster: Roster, *, png: bool = True, pdf: bool = True) -> Written:
    """OUT/reports/roster-<week>.png (phone width), .html and .pdf (printable)."""
    from planner.export.report_html import render_roster, render_roster_card

    html = render_roster(roster)
    parts: dict[str, Part] = {}
    if png:
        parts[".png"] = _png(render_roster_card(roster))
    parts[".html"] = _text(html)
    if pdf:
        parts[".pdf"] = _Pdf(html)
    return _render(Path(out), f"roster-{roster.period.key}", parts, Written())
