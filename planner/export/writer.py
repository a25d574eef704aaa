"""Writes the outputs of a plan into a folder: plan.json, calendars, printable plan, spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from planner.export.ics import write_calendars
from planner.export.output import write_text_atomic
from planner.export.view import build_view
from planner.export.xlsx import write_xlsx
from planner.loader import LoadedPlan

TARGETS = ("json", "ics", "html", "pdf", "xlsx")
# What each target writes inside OUT (for `planner export`, which replaces only these).
TARGET_PATHS = {"json": ("plan.json",), "ics": ("calendars",), "html": ("plan.html",), "pdf": ("plan.pdf",),
                "xlsx": ("plan.xlsx",)}


@dataclass
class Written:
    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. how to get the PDF


def write_outputs(loaded: LoadedPlan, data: dict[str, Any], folder: Path,
                  targets: Iterable[str] = TARGETS) -> Written:
    """Write each requested output of plan.json `data` into `folder` (already a staging folder)."""
    from planner.planjson import dumps

    targets = list(targets)
    written = Written()
    view = build_view(loaded, data)
    if "json" in targets:
        write_text_atomic(folder / "plan.json", dumps(data))
        written.paths.append(folder / "plan.json")
    if "ics" in targets:
        written.paths += write_calendars(view, folder / "calendars")
    if "xlsx" in targets:
        write_xlsx(view, folder / "plan.xlsx")
        written.paths.append(folder / "plan.xlsx")
    if "html" in targets or "pdf" in targets:
        from planner.export.html import render_html
        from planner.export.pdf import PdfUnavailable, write_pdf

        html = render_html(view)
        if "html" in targets:
            write_text_atomic(folder / "plan.html", html)
            written.paths.append(folder / "plan.html")
        if "pdf" in targets:
            try:
                write_pdf(html, folder / "plan.pdf")
                written.paths.append(folder / "plan.pdf")
            except PdfUnavailable as e:
                written.notes.append(f"plan.pdf not written: {e}")
    return written
