"""Writes the outputs of a plan into a folder: plan.json, calendars, printable plan, spreadsheet."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from planner import atomic, messages
from planner.export.ics import write_calendars
from planner.export.ledger import LedgerUnreadable, Merged, read_ledger
from planner.export.view import PlanView, build_view
from planner.export.xlsx import write_xlsx
from planner.loader import LoadedPlan
from planner.messages import _, for_language
from planner.planfile import read_plan_json

TARGETS = ("json", "ics", "html", "pdf", "xlsx")
# What each target writes inside OUT (for `planner export`, which replaces only these).
TARGET_PATHS = {"json": ("plan.json",), "ics": ("calendars",), "html": ("plan.html",), "pdf": ("plan.pdf",),
                "xlsx": ("plan.xlsx",)}
BACKUPS = "backups"  # OUT/backups/plan-YYYYMMDDTHHMMSS.xlsx: earlier workbooks, kept across runs


@dataclass
class Written:
    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. how to get the PDF
    ledger: list[str] = field(default_factory=list)  # what the earlier plan.xlsx's ledger gave the new one
    backup: Path | None = None  # the earlier plan.xlsx kept, relative to the folder (backups/…)
    carried: Merged | None = None  # what was carried over, by activity id


def write_outputs(loaded: LoadedPlan, data: dict[str, Any], folder: Path,
                  targets: Iterable[str] = TARGETS, *, previous_xlsx: Path | Iterable[Path] | None = None,
                  now: datetime | None = None, stage: Callable[[str], None] | None = None) -> Written:
    """Write each requested output of plan.json `data` into `folder` (already a staging folder).

    `previous_xlsx`: where the plan.xlsx being replaced may be (the first that exists is used):
    what was typed into its ledger is carried into the new one by activity id, and the file is
    kept as `folder/backups/plan-<time>.xlsx` unless the new one is the same file or an
    identical backup is already there. `Written.ledger` says what happened, in the plan's
    language; a previous file that cannot be read is kept as the backup and said so.
    `stage(key)` is told each output as it starts (json, ics, xlsx, html, pdf): the live line.
    """
    from planner.planjson import dumps

    targets = list(targets)
    written = Written()
    say = stage or (lambda key: None)
    view = build_view(loaded, data)
    job = None
    scratch = None
    if "html" in targets or "pdf" in targets:
        from planner.export.html import render_html
        from planner.export.pdf import PdfJob

        say("html")
        html = render_html(view)
        source = folder / "plan.html"
        if "html" in targets:
            atomic.write_text(source, html)
            written.paths.append(source)
        if "pdf" in targets:
            if "html" not in targets:
                source = scratch = folder / ".plan.pdf.html"
                atomic.write_text(source, html)
            # the PDF, slowest by far, renders beside the other outputs
            job = PdfJob(source, folder / "plan.pdf")
    try:
        if "json" in targets:
            say("json")
            atomic.write_text(folder / "plan.json", dumps(data))
            written.paths.append(folder / "plan.json")
        if "ics" in targets:
            say("ics")
            written.paths += write_calendars(view, folder / "calendars")
        if "xlsx" in targets:
            say("xlsx")
            _write_workbook(view, folder, _candidates(previous_xlsx), written, now)
            written.paths.append(folder / "plan.xlsx")
        if job is not None:
            from planner.export.pdf import PdfUnavailable

            say("pdf")
            try:
                written.paths.append(job.wait())
            except PdfUnavailable as e:
                written.notes.append(_("plan.pdf not written: {why}").format(why=e))
    finally:
        if job is not None:
            job.stop()
        if scratch is not None:
            scratch.unlink(missing_ok=True)
    return written


def _candidates(previous: Path | Iterable[Path] | None) -> list[Path]:
    if previous is None:
        return []
    if isinstance(previous, (str, os.PathLike)):
        return [Path(previous)]
    return [Path(p) for p in previous]


def _write_workbook(view: PlanView, folder: Path, candidates: list[Path], written: Written,
                    now: datetime | None) -> None:
    """plan.xlsx, with what the earlier one's ledger held; the earlier one kept as a backup."""
    target = folder / "plan.xlsx"
    source = next((p for p in candidates if p.is_file()), None)
    if source is None:
        write_xlsx(view, target)
        return
    lang = messages.chosen(view.language)  # the terminal's line: --lang if the command was told one
    old = source.read_bytes()  # first: `source` may be the very file about to be replaced
    problem = None
    read = None
    try:
        read = read_ledger(old)
        if not read.found:
            problem = for_language(lang)._("it has no ledger sheet")
            read = None
    except LedgerUnreadable as e:
        problem = str(e)
    earlier = _earlier_view(view.loaded, source.parent / "plan.json") if read is not None else None
    merged = write_xlsx(view, target, previous=read, earlier=earlier)
    written.carried = merged
    backup = _backup(old, target, folder, view.timezone, now)
    written.backup = backup
    line = _summary(lang, source, merged, problem, backup)
    if line:
        written.ledger.append(line)


def _earlier_view(loaded: LoadedPlan, path: Path) -> PlanView | None:
    """The plan view the earlier workbook was written from (its plan.json), if it can be had."""
    try:
        return build_view(loaded, read_plan_json(path).raw)
    except Exception:  # missing, unreadable, or not a plan this plan can show: compare with the new plan only
        return None


def _backup(old: bytes, target: Path, folder: Path, tz: str, now: datetime | None) -> Path | None:
    """Keep the earlier workbook (`old`) in folder/backups unless `target` is the same file or a
    backup already is (no pile of identical backups); → the backup, relative to `folder`."""
    if old == target.read_bytes():
        return None
    backups = folder / BACKUPS
    if backups.is_dir():
        for kept in sorted(backups.iterdir()):
            if kept.is_file() and kept.stat().st_size == len(old) and kept.read_bytes() == old:
                return kept.relative_to(folder)
    backups.mkdir(exist_ok=True)
    moment = (now or datetime.now(timezone.utc))
    stamp = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(ZoneInfo(tz))
    name = f"plan-{stamp:%Y%m%dT%H%M%S}.xlsx"
    n = 2
    while (backups / name).exists():
        name = f"plan-{stamp:%Y%m%dT%H%M%S}-{n}.xlsx"
        n += 1
    atomic.write_bytes(backups / name, old)
    return Path(BACKUPS) / name


def _summary(lang: str, source: Path, merged: Merged | None, problem: str | None, backup: Path | None) -> str:
    """One line for the terminal: what the earlier ledger gave the new workbook, and the backup."""
    m = for_language(lang)
    head = m._("ledger: ")
    if problem is not None:
        return head + m._("the previous {file} could not be read ({why}); nothing was carried over; "
                          "the file is kept as the backup {path}").format(file=source, why=problem,
                                                                          path=backup or source)
    parts = []
    if merged is not None:
        if merged.carried:
            parts.append(m._n("entries of {n} activity carried into the new workbook",
                              "entries of {n} activities carried into the new workbook",
                              merged.carried).format(n=merged.carried))
        if merged.cancelled:
            n = len(merged.cancelled)
            parts.append(m._n("{n} cancelled activity with entries kept on the sheet \u201cCancelled activities\u201d",
                              "{n} cancelled activities with entries kept on the sheet "
                              "\u201cCancelled activities\u201d", n).format(n=n))
        if merged.unmatched:
            n = len(merged.unmatched)
            parts.append(m._n("{n} entry matching no activity kept on the sheet \u201cUnmatched entries\u201d",
                              "{n} entries matching no activity kept on the sheet \u201cUnmatched entries\u201d",
                              n).format(n=n))
    if not parts and backup is None:
        return ""
    if not parts:
        parts.append(m._("nothing was typed into the previous workbook's ledger"))
    if backup is not None:
        parts.append(m._("backup {path}").format(path=backup.as_posix()))
    return head + ", ".join(parts)
