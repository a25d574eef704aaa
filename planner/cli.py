"""The `planner` command: a thin typer layer over functions a Python user can call."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from planner import atomic, messages
from planner.errors import PlanError
from planner.messages import N_, _

if TYPE_CHECKING:
    from rich.live import Live

    from planner.planfile import PlanFile
    from planner.search import Progress

app = typer.Typer(
    name="planner",
    help="Plan anti-fraud publicity campaigns (五进, 三时三地, 6+, key dates) for police stations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_BAD_INPUT = 2

#: --lang of a command that prints: zh or en; without it the plan's campaign.language (or,
#: for a command without a plan, the system's language)
Lang = Annotated[Optional[str], typer.Option("--lang", metavar="zh|en",
                                             help="language of what is printed (default: the plan's)")]

_speaking: ContextVar[ExitStack | None] = ContextVar("planner_cli_speaking", default=None)
_spoken: list[str] = []  # the language the last command spoke: main's last words after it are in it too


def _speaks(command):
    """The command speaks its --lang (else the system's language) until it reads a plan
    (`_speak`), and that plan's language to its end."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        lang = kwargs.get("lang")
        if lang is not None and lang not in messages.LANGUAGES:
            with messages.told(None):
                print(_("(command line):1:1: --lang: {value!r} is not zh or en").format(value=lang), file=sys.stderr)
            raise typer.Exit(EXIT_BAD_INPUT)
        with ExitStack() as stack:
            _spoken.append(stack.enter_context(messages.told(lang)).language)
            token = _speaking.set(stack)
            try:
                return command(*args, **kwargs)
            finally:
                _speaking.reset(token)
    return run


def _speak(plan_language: str | None) -> str:
    """From here to the command's end: --lang if given, else the plan's language. → it"""
    language = messages.chosen(plan_language)
    _spoken.append(language)
    stack = _speaking.get()
    if stack is not None:
        stack.enter_context(messages.using(language))
    return language


def _fail(error: PlanError) -> typer.Exit:
    for problem in error.problems:
        print(problem.format(), file=sys.stderr)
    count = len(error.problems)
    print(messages._n("{n} problem; nothing was written", "{n} problems; nothing was written", count).format(n=count),
          file=sys.stderr)
    return typer.Exit(EXIT_BAD_INPUT)


def _plan_encoding(ctx: typer.Context, value: Optional[str]) -> Optional[str]:
    """--encoding holds for every plan file the command reads (planner.yamlio.reading_as)."""
    if value:
        from planner.yamlio import known_encoding, reading_as

        try:
            known_encoding(value)
        except ValueError as e:
            raise typer.BadParameter(str(e)) from None
        ctx.with_resource(reading_as(value))
    return value


#: one option for every command that reads a plan: a plan saved as GBK is read without it, this forces one
PlanEncoding = Annotated[Optional[str], typer.Option(
    "--encoding", metavar="NAME", callback=_plan_encoding,
    help="the plan file's text encoding, e.g. gbk (default: UTF-8, else GB18030 as Chinese Windows saves it)")]


def templates_dir() -> Path:
    """templates/ inside an installed wheel, else the source tree's."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "starter.yaml").is_file():
            return candidate
    raise FileNotFoundError("the starter plan template is missing from this installation")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="folder to write plan.yaml into (created if needed)")],
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing plan.yaml")] = False,
    language: Annotated[Optional[str], typer.Option(
        "--lang", help="zh: the Chinese starter, en: the English one (default: the system's language, "
                       "Chinese unless it is English)")] = None,
    today: Annotated[Optional[str], typer.Option("--today", hidden=True, help="the day to date from (tests)")] = None,
) -> None:
    """Write a commented starter plan (DIR/plan.yaml) for the next campaign, to fill in.

    It runs from the first Monday of next month for about three months; for a year the installed
    chinesecalendar does not know yet, the proposed days off are written into it, marked
    待国务院通知确认 (to be confirmed by the State Council notice).
    """
    from rich.markup import escape

    from planner.messages import told
    from planner.starter import TEMPLATES, starter_text

    if language not in (None, "zh", "en"):
        with told(None) as m:
            print(m._("(command line):1:1: --lang: {value!r} is not zh or en").format(value=language),
                  file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    with told(language) as m:
        target = directory / "plan.yaml"
        if target.exists() and not force:
            print(m._("{file}:1:1: (file): already exists; pass --force to overwrite it").format(file=target),
                  file=sys.stderr)
            raise typer.Exit(EXIT_BAD_INPUT)
        if directory.exists() and not directory.is_dir():
            print(m._("{file}:1:1: (file): is a file, not a folder").format(file=directory), file=sys.stderr)
            raise typer.Exit(EXIT_BAD_INPUT)
        try:
            day = date.fromisoformat(today) if today else date.today()
        except ValueError:
            print(m._("(command line):1:1: --today: {value!r} is not a date like 2026-06-15").format(value=today),
                  file=sys.stderr)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        text = starter_text(templates_dir() / TEMPLATES[m.language], m.language, day)
        directory.mkdir(parents=True, exist_ok=True)
        atomic.write_text(target, text)
        Console().print(escape(m._("wrote {file}: edit it, then run `planner check {file}`").format(file=target)))


@app.command()
@_speaks
def check(
    plan: Annotated[Path, typer.Argument(help="station plan (YAML)")],
    encoding: PlanEncoding = None,
    lang: Lang = None,
) -> None:
    """Validate a plan and summarise staff, venues, days, key dates and capacity."""
    from planner.calendar import build_calendar
    from planner.capacity import estimate
    from planner.loader import load_plan
    from planner.overview import render_check

    try:
        loaded = load_plan(plan)
    except PlanError as e:
        raise _fail(e) from None
    _speak(loaded.plan.campaign.language)
    calendar = build_calendar(loaded.plan)
    render_check(Console(), loaded, calendar, estimate(loaded.plan, calendar))


@app.command()
def dates(
    year: Annotated[int, typer.Argument(help="calendar year, e.g. 2026", min=1901, max=2099)],
    language: Annotated[Optional[str], typer.Option(
        "--lang", help="zh or en (default: the system's language, Chinese unless it is English)")] = None,
    national_month: Annotated[Optional[str], typer.Option(
        "--national-month", help="start of this year's publicity month, e.g. 2026-06-15")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    extra: Annotated[bool, typer.Option(
        "--extra", help="print only the extra_holidays/extra_workdays block to paste into a plan's campaign: "
                        "for a year the installed calendar does not know yet (it is also shown by default)")] = False,
) -> None:
    """A year's days off, make-up workdays (调休), lunar festivals and key dates.

    For a year the installed chinesecalendar does not know yet (its data comes with the State
    Council's notice), it proposes the days off the lunar calendar and the solar terms give,
    as a campaign.extra_holidays block marked 待国务院通知确认 to paste into the plan.
    """
    from planner.calendar import proposed_block, year_overview
    from planner.messages import told
    from planner.overview import render_dates
    from planner.types import DateSpan

    if language not in (None, "zh", "en"):
        with told(None) as m:
            print(m._("(command line):1:1: --lang: {value!r} is not zh or en").format(value=language),
                  file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    with told(language) as m:
        span = None
        if national_month:
            try:
                start = date.fromisoformat(national_month)
            except ValueError:
                print(m._("(command line):1:1: --national-month: {value!r} is not a date like 2026-06-15")
                      .format(value=national_month), file=sys.stderr)
                raise typer.Exit(EXIT_BAD_INPUT) from None
            span = DateSpan(start, date.fromordinal(start.toordinal() + 29))
        overview = year_overview(year, national_month=span)
        if as_json:
            print(json.dumps(_dates_json(overview), ensure_ascii=False, indent=2))
            return
        block = proposed_block([year], m.language)
        if not overview.official:
            print(m._("note: {year}'s official days off are not yet in the installed calendar library "
                      "(chinesecalendar): they come with the State Council notice. A plan for {year} must list "
                      "them in campaign.extra_holidays and extra_workdays; below is a proposal to paste, "
                      "to be confirmed by the notice.").format(year=year), file=sys.stderr)
        if extra:
            if overview.official:
                print(m._("{year}'s official days off are in the installed calendar library: "
                          "a plan needs no extra_holidays for them").format(year=year), file=sys.stderr)
            else:
                sys.stdout.write(block)
            return
        render_dates(Console(), overview, m.language)
        if not overview.official:
            print()
            print(m._("Paste into the plan under campaign:, in place of its extra_holidays and "
                      "extra_workdays lines (`planner dates {year} --extra` prints only this):").format(year=year))
            sys.stdout.write(block)


def _dates_json(overview) -> dict:
    return {
        "year": overview.year,
        "official_data": overview.official,
        "days_off": [{"name": p.name, "start": p.span.start.isoformat(), "end": p.span.end.isoformat()}
                     for p in overview.days_off],
        "proposed_days_off": [{"name": p.name, "name_en": p.label("en"), "start": p.span.start.isoformat(),
                               "end": p.span.end.isoformat(), "confirmed": False} for p in overview.proposed],
        "makeup_workdays": [d.isoformat() for d in overview.makeup_workdays],
        "lunar_festivals": [{"name": n, "date": d.isoformat()} for d, n in overview.lunar_festivals],
        "solar_terms": [{"name": n, "date": d.isoformat()} for d, n in overview.solar_terms],
        "key_dates": [{"id": k.id, "name": k.zh, "name_en": k.en, "date": k.date.isoformat(),
                       "window": [k.window.start.isoformat(), k.window.end.isoformat()]}
                      for k in overview.key_dates],
    }


@app.command()
def schema(
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="write to this file")] = None,
    of: Annotated[str, typer.Option("--of", metavar="plan|plan-json|region",
                                    help="plan: the station plan's format; plan-json: OUT/plan.json's; "
                                         "region: a region file's")] = "plan",
) -> None:
    """The JSON Schema of the plan format (for editors: yaml-language-server), or of plan.json."""
    if of == "plan":
        from planner.model import Plan

        generated = Plan.model_json_schema(mode="validation")
    elif of == "plan-json":
        from planner.planfile import plan_json_schema

        generated = plan_json_schema()
    elif of == "region":
        from planner.region import region_json_schema

        generated = region_json_schema()
    else:
        with messages.told(None):  # the schema is the same in every language; its user's problem is not
            print("(command line):1:1: --of: " + _("{value!r} is not one of plan, plan-json, region").format(value=of),
                  file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    text = json.dumps(generated, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    atomic.write_text(output, text)


@app.command()
@_speaks
def plan(
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN", help="station plan (YAML)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="folder for plan.json, calendars, plan.html/pdf/xlsx")],
    time_limit: Annotated[Optional[str], typer.Option(
        "--time-limit", help="override solver.time_limit, e.g. 10s")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=0, help="override solver.workers")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", min=0, help="override solver.seed")] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="start over: ignore the plan.json already in OUT (every "
                                        "calendar event a first version, SEQUENCE 0; nothing withdrawn)")] = False,
    encoding: PlanEncoding = None,
    lang: Lang = None,
) -> None:
    """Solve the plan and write every output; live progress on a terminal. Into an OUT that
    holds an earlier plan, publishes a new version: calendar events keep their UIDs, SEQUENCE
    rises on what changed and what was dropped is withdrawn (STATUS:CANCELLED)."""
    from planner import clock, interrupt
    from planner.changes import diff
    from planner.export.output import output_dir
    from planner.export.source import source_record
    from planner.export.writer import write_outputs
    from planner.history import record
    from planner.loader import load_plan
    from planner.planjson import plan_json
    from planner.publish import publish
    from planner.report import render_publication, render_solution
    from planner.search import NoPlanError, solve

    clock.begin_command()  # the time limit covers the whole command: from the process's start
    console = Console()
    stages = _Stages(console)
    with stages.showing("read"):
        try:
            loaded = load_plan(plan_file)
            _override_solver(loaded, time_limit, workers, seed)
        except PlanError as e:
            raise _fail(e) from None
    _speak(loaded.plan.campaign.language)
    _check_out(out)
    earlier = None if fresh else _earlier_publication(out)
    _stop_on_ctrl_c()

    stages.limit = loaded.plan.solver.time_limit.total_seconds()
    try:
        with stages.showing("candidates"):
            repaired = _over_previous(loaded, out, stages.progress) if earlier is not None else None
            solution = repaired.solution if repaired is not None else solve(loaded, progress=stages.progress)
    except NoPlanError as e:
        err = Console(stderr=True)
        err.print("[bold red]" + escape(_("No plan exists: the plan’s hard rules leave no activity possible.")) + "[/]")
        for line in e.lines:
            err.print(f"  {line}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except interrupt.Interrupted as e:
        print(_("interrupted: {why}, so nothing was written; {out} is as it was").format(why=e, out=out),
              file=sys.stderr)
        raise typer.Exit(interrupt.EXIT_CODE) from None
    finally:
        clock.end_command()
    searched = not interrupt.requested()  # Ctrl-C during the search, or only while writing
    previous = _previous_plan(out)
    if repaired is not None:  # the earlier plan, kept where the updated plan still allows it
        publication = repaired.publication
        data = {k: v for k, v in repaired.data.items() if k != "replanned_from"}
        if not (publication.added or publication.changed or publication.cancelled or publication.revived
                or publication.renamed):
            assert earlier is not None  # a plan is repaired only over an earlier one
            data = dict(earlier)  # nothing changed: the published version stands, byte for byte
        data["source"] = source_record(loaded)
    else:
        data = plan_json(solution)
        data["source"] = source_record(loaded)
        publication = publish(data, earlier, plan=loaded.plan)
        data = publication.data
    with stages.showing("json"), output_dir(out) as staging:
        written = write_outputs(loaded, data, staging, previous_xlsx=[out / "plan.xlsx"], stage=stages.stage)
        record(staging, command="plan", loaded=loaded, data=data, previous=previous, seconds=solution.solve_seconds,
               changes=diff(previous.raw["activities"], data["activities"]) if previous else None)
    render_solution(console, solution)
    console.print(render_publication(publication), highlight=False, markup=False)
    console.print(_("wrote {out}/: plan.json, calendars/ ({staff} staff, {venues} venues, all.ics), {files}").format(
        out=out, staff=len(loaded.plan.staff), venues=len(loaded.plan.venues),
        files=_(", ").join(["plan.html", "plan.xlsx"] + ([] if written.notes else ["plan.pdf"]))),
        highlight=False, markup=False)
    _notes(console, written.notes)
    for line in written.ledger:
        console.print(line, highlight=False, markup=False)
    if interrupt.requested():
        print(_("interrupted: the search was complete; its plan was written") if searched else
              _("interrupted: the search was stopped; {out} holds the best plan it had found, not one searched for "
                "the whole time limit").format(out=out), file=sys.stderr)
        raise typer.Exit(interrupt.EXIT_CODE)


def _notes(console: Console, notes: list[str]) -> None:
    """Notes (what was not written and how to get it): their words as they are, `[pdf]` too."""
    for note in notes:
        console.print("[yellow]" + escape(_("note:")) + "[/] " + escape(note), highlight=False)


def _earlier_publication(out: Path) -> dict | None:
    """OUT/plan.json, the version a new one is published over (None where there is none). One
    that breaks the contract is bad input, exit 2: publishing over it would lose or garble
    calendar events; `--fresh` starts over instead."""
    from planner.planfile import read_plan_json

    path = out / "plan.json"
    if not path.exists():
        return None
    try:
        return read_plan_json(path).raw
    except PlanError as e:
        print(_("{path} is not a plan.json the planner wrote (edited by hand?): fix it, or run "
                "`planner plan --fresh` to start over without it").format(path=path), file=sys.stderr)
        raise _fail(e) from None


def _over_previous(loaded, out: Path, progress):
    """`planner plan` into an OUT holding this station's earlier plan: that plan re-planned
    (`planner.replan`, from today inside the campaign, else from its start), keeping every
    activity the updated plan still allows, so a new version changes only what it must; None
    where the earlier plan.json is not this plan's (then the plan is solved afresh)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from planner.export.source import check_previous_plan, read_plan_json
    from planner.records import RecordError, load_records
    from planner.replan import actuals_from_records, replan

    path = out / "plan.json"
    tz = ZoneInfo(loaded.plan.station.timezone)
    try:
        previous = read_plan_json(path)
        check_previous_plan(previous, loaded)
        records = load_records(out)
    except (PlanError, RecordError):
        return None
    campaign = loaded.plan.campaign
    today = dt.datetime.now(tz).date()
    since = today if campaign.start <= today <= campaign.end else campaign.start
    return replan(loaded, previous, since, progress=progress, retry_unmet=True,
                  actuals=actuals_from_records(records, tz))


def _stop_on_ctrl_c() -> None:
    """From here on (the rest of the process): the first Ctrl-C stops the search and the best
    plan found so far is written; the second stops at once, writing nothing (exit 130 either way)."""
    from planner import interrupt

    interrupt.install_ctrl_c("\n" + _("interrupted: stopping the search; the best plan found so far will be "
                                      "written (Ctrl-C again to stop at once and write nothing)"))


def _check_out(out: Path) -> None:
    """An output folder we may write: exit 2 with one line if not."""
    from planner.export.output import OutputError, check_output_dir

    try:
        check_output_dir(out)
    except OutputError as e:
        print(f"{out}:1:1: (output): {e}", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _previous_plan(out: Path) -> PlanFile | None:
    """The plan.json a run is about to replace, for the history's diff (None if unreadable)."""
    from planner.errors import PlanError as _PlanError
    from planner.planfile import read_plan_json

    if not (out / "plan.json").is_file():
        return None
    try:
        return read_plan_json(out / "plan.json")
    except _PlanError:
        return None  # a hand-edited one that would not compare: no diff


@app.command()
@_speaks
def replan(
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN", help="the updated station plan (YAML)")],
    previous: Annotated[Path, typer.Option("--previous", help="the published OUT/plan.json to change as little "
                                           "as possible")],
    since: Annotated[str, typer.Option("--from", metavar="DATE", help="first day that may change (YYYY-MM-DD); "
                                       "activities before it are kept exactly")],
    out: Annotated[Path, typer.Option("-o", "--out", help="folder for the new plan.json, calendars, changes.json")],
    time_limit: Annotated[Optional[str], typer.Option("--time-limit", help="override solver.time_limit")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=0, help="override solver.workers")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", min=0, help="override solver.seed")] = None,
    encoding: PlanEncoding = None,
    lang: Lang = None,
) -> None:
    """Re-plan from a date after the plan changed (leave, a closed venue, a new key date),
    keeping calendar events (UIDs) and changing as little as possible."""
    import datetime as dt
    import shutil

    from planner.errors import Problem
    from planner.export.output import output_dir
    from planner.export.source import check_previous_plan, read_plan_json, source_record
    from planner.export.writer import write_outputs
    from planner.history import FOLDER, record
    from planner.loader import load_plan
    from planner.planjson import dumps
    from planner.replan import replan as run_replan
    from planner.report import render_changes, render_solution

    try:
        loaded = load_plan(plan_file)
        _speak(loaded.plan.campaign.language)
        _override_solver(loaded, time_limit, workers, seed)
        try:
            first = dt.date.fromisoformat(since)
        except ValueError:
            raise PlanError([Problem(1, 1, "--from", _("{value!r} is not a date like 2026-07-01").format(
                value=since), "(command line)")]) from None
        campaign = loaded.plan.campaign
        if not campaign.start <= first <= campaign.end:
            raise PlanError([Problem(1, 1, "--from", _("{day} is outside the campaign {start}..{end}").format(
                day=first, start=campaign.start, end=campaign.end), "(command line)")])
        previous_plan = read_plan_json(previous)
        # another station's plan.json, or a hand-edited one, is bad input: never half re-planned
        check_previous_plan(previous_plan, loaded)
    except PlanError as e:
        raise _fail(e) from None
    # what the station recorded (planner record) in the published plan's OUT: re-plan from it
    from zoneinfo import ZoneInfo

    from planner.records import FOLDER as RECORDS
    from planner.records import RecordError, load_records
    from planner.replan import actuals_from_records

    try:
        recorded = load_records(previous.resolve().parent)
    except RecordError as e:
        for line in e.lines:
            print(line, file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    actuals = actuals_from_records(recorded, ZoneInfo(loaded.plan.station.timezone))
    _check_out(out)
    from planner import interrupt

    interrupt.install_ctrl_c("\n" + _("interrupted: stopping; a re-plan cut short is not written "
                                      "(Ctrl-C again to stop at once)"))
    console = Console()
    stages = _Stages(console)
    stages.limit = loaded.plan.solver.time_limit.total_seconds()
    try:
        with stages.showing("candidates"):
            result = run_replan(loaded, previous_plan, first, progress=stages.progress, actuals=actuals)
    except PlanError as e:
        raise _fail(e) from None
    if interrupt.requested():  # half a repair is no plan to publish: the previous one stands
        print(_("interrupted: nothing was written; {out} is as it was").format(out=out), file=sys.stderr)
        raise typer.Exit(interrupt.EXIT_CODE)
    new = result.data
    new["source"] = source_record(loaded)
    with stages.showing("json"), output_dir(out) as staging:
        written = write_outputs(loaded, new, staging,  # the ledger's entries: OUT's plan.xlsx, else --previous's
                                previous_xlsx=[out / "plan.xlsx", previous.parent / "plan.xlsx"], stage=stages.stage)
        (staging / "changes.json").write_text(dumps({"version": 1, "replanned_from": first.isoformat(),
                                                     "previous": str(previous), **result.changes.to_json(),
                                                     "missed": result.missed, "targets": result.targets}),
                                              encoding="utf-8")
        for folder in (FOLDER, RECORDS):  # a new folder continues the history and the records
            earlier = previous.resolve().parent / folder
            if not (staging / folder).exists() and earlier.is_dir():
                shutil.copytree(earlier, staging / folder)
        record(staging, command="replan", loaded=loaded, data=new, previous=previous_plan, changes=result.changes,
               seconds=result.solution.solve_seconds,
               since=first.isoformat())
    render_solution(console, result.solution, weeks=False)
    render_changes(console, result.changes, result.solution)
    if recorded.records:
        console.print(_("from the records: {held} held (kept, with their recorded figures), {missed} not held before "
                        "{day} (withdrawn; their goals reopened), {extra} held beyond the plan, {unrecorded} before "
                        "{day} not recorded (taken as held as planned)").format(
            held=result.held, missed=len(result.missed), day=first, extra=result.extra,
            unrecorded=result.unrecorded), highlight=False, markup=False)
    for line in result.targets:  # the targets the previous plan fell short of, and what the re-plan adds
        console.print(line, highlight=False, markup=False)
    console.print(_("wrote {out}/: {files} ({n} activities the updated plan no longer allowed as they were)").format(
        out=out, n=result.broken, files=_(", ").join(["plan.json", "changes.json", "calendars/", "plan.html",
                                                       "plan.xlsx"] + ([] if written.notes else ["plan.pdf"]))),
        highlight=False, markup=False)
    _notes(console, written.notes)
    for line in written.ledger:
        console.print(line, highlight=False, markup=False)


@app.command()
@_speaks
def history(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="an output folder of `planner plan` or `replan`")],
    lang: Lang = None,
) -> None:
    """What each plan and replan of OUT did: when, from which input (hash), seed, score, changes."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from rich.table import Table

    from planner.history import entries, read
    from planner.model import Station
    from planner.report import CHANGE_NAMES

    records = [(p, read(p)) for p in entries(out)]
    station_plan = _plan_of(out)
    if station_plan is not None:
        _speak(station_plan.campaign.language)
    if not records:
        print(f"{out}:1:1: history: " + _("no records; `planner plan PLAN -o {out}` writes the first").format(out=out),
              file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    # times in the station's time zone (the default one where OUT's plan cannot be read)
    zone = station_plan.station.timezone if station_plan is not None else Station.model_fields["timezone"].default
    tz = ZoneInfo(zone)
    said = messages.table(CHANGE_NAMES, messages.current())
    statuses = {"optimal": _("optimal"), "feasible": _("feasible")}
    table = Table(title=f"{out}/history", title_justify="left", caption=_("times in {zone}").format(zone=zone),
                  caption_justify="left")
    right = ("#", _("seed"), _("penalty"), _p_activities(), _("unmet"))
    for col in ("#", _("run"), _("when"), _("plan"), _("seed"), _("penalty"), _("result"), _p_activities(),
                _("unmet"), _("changes")):
        table.add_column(col, justify="right" if col in right else "left", overflow="fold",
                         no_wrap=col in (_("when"), _("plan")))
    for path, r in records:
        if r is None:
            table.add_row("?", path.name, _("unreadable"), *[""] * 7)
            continue
        counts = (r.get("changes") or {}).get("summary")
        changes = _(", ").join(_("{n} {change}").format(n=counts.get(k, 0), change=said[k])
                               for k in ("added", "moved", "restaffed", "cancelled")) if counts else "–"
        run = r.get("command", "") + (f" --from {r['replanned_from']}" if r.get("replanned_from") else "")
        try:
            when = datetime.fromisoformat(str(r.get("at"))).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            when = str(r.get("at", ""))[:16]
        table.add_row(str(r.get("number", "")), run, when, str(r.get("plan_sha256", ""))[:8], str(r.get("seed", "")),
                      str(r.get("objective", "")), statuses.get(str(r.get("status")), str(r.get("status", ""))),
                      str(r.get("activities", "")), str(r.get("unmet", "")), changes)
    Console().print(table)


def _p_activities() -> str:
    return messages._p("terminal", "activities")


def _plan_of(out: Path):
    """The station plan OUT's plan.json came from (its language and time zone), None if it cannot be read."""
    from planner.export.source import plan_path_for, read_plan_json
    from planner.loader import load_plan

    try:
        plan_json = read_plan_json(out / "plan.json")
        path = plan_path_for(out / "plan.json", plan_json)
        return load_plan(path).plan if path is not None else None
    except (PlanError, OSError):
        return None


def _override_solver(loaded, time_limit: str | None, workers: int | None, seed: int | None) -> None:
    from planner.errors import Problem
    from planner.types import parse_duration

    solver = loaded.plan.solver
    if time_limit is not None:
        try:
            solver.time_limit = parse_duration(time_limit)
        except ValueError as e:
            raise PlanError([Problem(1, 1, "--time-limit", str(e), "(command line)")]) from None
    if workers is not None:
        solver.workers = workers
    if seed is not None:
        solver.seed = seed


#: the stages a run goes through, as the live line names them
STAGES = {"read": N_("reading the plan"), "candidates": N_("generating candidate activities"), "solve": N_("solving"),
          "json": N_("writing plan.json"), "ics": N_("writing the calendars"), "xlsx": N_("writing the workbook"),
          "html": N_("writing the printable plan"), "pdf": N_("making the PDF")}


class _Stages:
    """On a terminal: one live line naming the stage under way and its time, redrawn four times
    a second (so it ticks even while the PDF is made); elsewhere nothing."""

    def __init__(self, console: Console):
        self.console = console
        self.live: Live | None = None
        self.limit: float | None = None  # the solver's time limit, once the plan is read
        self.label = ""
        self.key = ""
        self.started = time.monotonic()
        self.last: Progress | None = None
        self.words = messages.for_language(messages.current())

    @property
    def progress(self):
        """The search's progress callback, or None off a terminal (the search then reports nothing)."""
        return self.solving if self.console.is_terminal else None

    @contextmanager
    def showing(self, key: str) -> Iterator[_Stages]:
        if not self.console.is_terminal:
            yield self
            return
        from rich.live import Live

        self.stage(key)
        self.live = Live(console=self.console, refresh_per_second=4, transient=True, get_renderable=self._line)
        with self.live:
            yield self
        self.live = None

    def stage(self, key: str) -> None:
        """A new stage starts (in the language the command speaks now: the display draws from its own thread)."""
        self.words = messages.for_language(messages.current())
        self.key, self.label = key, self.words._(STAGES[key])
        self.started = time.monotonic()
        self.last = None

    def solving(self, p: Progress) -> None:
        if self.key != "solve":
            started = self.started  # the time limit runs from the search's start, candidates and all
            self.stage("solve")
            self.started = started
        self.last = p

    def _line(self):
        from rich.text import Text

        w = self.words
        elapsed = time.monotonic() - self.started
        parts = [self.label + "…"]
        if self.key == "solve" and self.limit:
            parts.append(w._("{elapsed:.0f} of {limit:.0f} s").format(elapsed=elapsed, limit=self.limit))
        else:
            parts.append(w._("{elapsed:.0f} s").format(elapsed=elapsed))
        if self.last is not None and self.last.objective is not None:
            parts.append(w._("a plan found, improving it"))  # how close it is is said at the end, in words
        return Text(" · ".join(parts))


@app.command()
@_speaks
def export(
    plan_json_path: Annotated[Path, typer.Argument(metavar="PLAN_JSON", help="OUT/plan.json from `planner plan`")],
    to: Annotated[list[str], typer.Option("--to", help="ics, html, pdf or xlsx (repeat for several)")],
    plan_file: Annotated[Optional[Path], typer.Option("--plan", help="the station plan (default: the one "
                                                      "plan.json records)")] = None,
    encoding: PlanEncoding = None,
    lang: Lang = None,
) -> None:
    """Re-render outputs from plan.json without solving."""
    from planner.export.output import output_dir
    from planner.export.source import check_plan_json, plan_path_for, read_plan_json
    from planner.export.writer import TARGET_PATHS, write_outputs
    from planner.loader import load_plan

    unknown = [t for t in to if t not in ("ics", "html", "pdf", "xlsx")]
    if unknown:
        print(_("(command line):1:1: --to: {values}: choose from ics, html, pdf, xlsx").format(
            values=", ".join(unknown)), file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        plan_json = read_plan_json(plan_json_path)
        station_plan = plan_file or plan_path_for(plan_json_path, plan_json)
        if station_plan is None:
            print(f"{plan_json_path}:1:1: source: " + _("the station plan it came from is not recorded or has "
                                                          "moved; pass it with --plan PLAN"), file=sys.stderr)
            raise typer.Exit(EXIT_BAD_INPUT)
        loaded = load_plan(station_plan)
        check_plan_json(plan_json, loaded)
    except PlanError as e:
        raise _fail(e) from None
    _speak(loaded.plan.campaign.language)
    if "pdf" in to:
        from planner.export.pdf import unavailable_reason

        reason = unavailable_reason()
        if reason:
            print(_("plan.pdf not written: {why}").format(why=reason), file=sys.stderr)
            raise typer.Exit(1)
    out = plan_json_path.parent
    _check_out(out)
    replaced = {p for t in to for p in TARGET_PATHS[t]}
    keep = [p.name for p in out.iterdir() if p.name not in replaced]
    stages = _Stages(Console())
    with stages.showing("json"), output_dir(out, keep=keep) as staging:
        written = write_outputs(loaded, plan_json.raw, staging, to, previous_xlsx=[out / "plan.xlsx"],
                                stage=stages.stage)
    for note in written.notes:
        print(note, file=sys.stderr)
    Console().print(_("wrote {files} in {out}/").format(files=_(", ").join(sorted(replaced)), out=out),
                    highlight=False, markup=False)
    for line in written.ledger:
        Console().print(line, highlight=False, markup=False)
    if written.notes:
        raise typer.Exit(1)


@app.command()
@_speaks
def suggest(
    plan_json_path: Annotated[Path, typer.Argument(metavar="PLAN_JSON", help="OUT/plan.json from `planner plan`")],
    venue: Annotated[Optional[str], typer.Option("--venue", help="venue id: who could hold an activity there")] = None,
    on: Annotated[Optional[str], typer.Option("--date", help="with --venue: the day, e.g. 2026-06-03")] = None,
    activity_format: Annotated[Optional[str], typer.Option(
        "--activity-format", help="with --venue: only this format (lecture, stall, …)")] = None,
    activity: Annotated[Optional[str], typer.Option(
        "--activity", help="activity id: who could replace its staff")] = None,
    person: Annotated[Optional[str], typer.Option("--person", help="with --activity: replace only this person")] = None,
    plan_file: Annotated[Optional[Path], typer.Option("--plan", help="the station plan (default: the one "
                                                      "plan.json records)")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="options shown per activity")] = 3,
    show_all: Annotated[bool, typer.Option("--all", help="also list who lacks the role or skill")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    encoding: PlanEncoding = None,
    lang: Lang = None,
) -> None:
    """Who could take an activity at a venue on a day, or replace someone on one: ranked, with why and the cost."""
    from planner.errors import Problem
    from planner.export.source import check_plan_json, plan_path_for, read_plan_json
    from planner.loader import load_plan
    from planner.suggest import SuggestError, render, suggest_for_venue, suggest_replacement
    from planner.suggest import as_json as suggestions_json

    def bad_option(option: str, what: str) -> PlanError:
        return PlanError([Problem(1, 1, option, what, "(command line)")])

    try:
        if (venue is None) == (activity is None):
            raise bad_option("--venue", _("give either --venue ID --date DATE or --activity ID"))
        if venue is not None and on is None:
            raise bad_option("--date", _("--venue needs --date DATE"))
        if activity is not None and (on is not None or activity_format is not None):
            raise bad_option("--activity", _("--date and --activity-format go with --venue, not --activity"))
        if person is not None and activity is None:
            raise bad_option("--person", _("--person goes with --activity ID"))
        day = None
        if on is not None:
            try:
                day = date.fromisoformat(on)
            except ValueError:
                raise bad_option("--date", _("{value!r} is not a date like 2026-06-03").format(value=on)) from None
        plan_json = read_plan_json(plan_json_path)
        station_plan = plan_file or plan_path_for(plan_json_path, plan_json)
        if station_plan is None:
            raise PlanError([Problem(1, 1, "source", "the station plan it came from is not recorded or has moved; "
                                     "pass it with --plan PLAN", str(plan_json_path))])
        loaded = load_plan(station_plan)
        check_plan_json(plan_json, loaded)
        if venue is not None:
            assert day is not None  # --venue needs --date, checked above
            result = suggest_for_venue(loaded, plan_json, venue, day, fmt=activity_format, top=top)
        else:
            assert activity is not None  # one of --venue and --activity, checked above
            result = suggest_replacement(loaded, plan_json, activity, person=person, top=top)
    except SuggestError as e:
        raise _fail(bad_option(e.option, str(e))) from None
    except PlanError as e:
        raise _fail(e) from None
    if as_json:
        print(json.dumps(suggestions_json(result), ensure_ascii=False, indent=2))
    else:
        result.language = _speak(loaded.plan.campaign.language)
        render(Console(), result, show_all=show_all)


@app.command("explain")
@_speaks
def explain_command(
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN", help="station plan (YAML)")],
    plan_json_path: Annotated[Optional[Path], typer.Option(
        "--plan-json", help="explain the unmet goals of this OUT/plan.json instead of solving")] = None,
    venue: Annotated[Optional[str], typer.Option("--venue", help="only this venue's goals (venue id)")] = None,
    time_limit: Annotated[str, typer.Option("--time-limit", help="time for solving and explaining, e.g. 10s")] = "10s",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    encoding: PlanEncoding = None,
    lang: Lang = None,
) -> None:
    """Why no plan exists, or why goals are unmet: the smallest set of conflicting plan entries, with FILE:LINE."""
    from planner.errors import Problem
    from planner.explain import explain, render
    from planner.export.source import check_plan_json, read_plan_json
    from planner.loader import load_plan
    from planner.types import parse_duration

    try:
        loaded = load_plan(plan_file)
        language = _speak(loaded.plan.campaign.language)
        try:
            seconds = parse_duration(time_limit).total_seconds()
        except ValueError as e:
            raise PlanError([Problem(1, 1, "--time-limit", str(e), "(command line)")]) from None
        if venue is not None and venue not in {v.id for v in loaded.plan.venues}:
            raise PlanError([Problem(1, 1, "--venue", _("no venue has the id {value!r}").format(value=venue),
                                     "(command line)")])
        plan_json = None
        if plan_json_path is not None:
            plan_json = read_plan_json(plan_json_path)
            check_plan_json(plan_json, loaded)
    except PlanError as e:
        raise _fail(e) from None
    result = explain(loaded, plan_json=plan_json, time_limit=max(1.0, seconds), venue=venue)
    if as_json:
        sys.stdout.write(result.dumps())
        return
    render(Console(), result, language)


@app.command("record")
@_speaks
def record_command(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="the folder `planner plan` wrote")],
    ledger: Annotated[Optional[Path], typer.Option("--ledger", metavar="FILE", help="the filled ledger to import "
                                                   "(default OUT/plan.xlsx): another copy of plan.xlsx, or a CSV "
                                                   "export of its 台账 (UTF-8 or GB18030)")] = None,
    plan_file: Annotated[Optional[Path], typer.Option("--plan", help="the station plan (default: the one "
                                                      "plan.json records)")] = None,
    activity: Annotated[Optional[str], typer.Option("--activity", metavar="ID", help="record one planned activity "
                                                    "(its 活动编号)")] = None,
    held: Annotated[Optional[bool], typer.Option("--held/--not-held", help="whether it was held")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="with --not-held: why not")] = None,
    reach: Annotated[Optional[int], typer.Option("--reach", min=0, help="people reached")] = None,
    leaflets: Annotated[Optional[int], typer.Option("--leaflets", min=0, help="leaflets handed out")] = None,
    booklets: Annotated[Optional[int], typer.Option("--booklets", min=0, help="booklets handed out")] = None,
    posters: Annotated[Optional[int], typer.Option("--posters", min=0, help="posters put up")] = None,
    letters: Annotated[Optional[int], typer.Option("--letters", min=0, help="letters to residents delivered")] = None,
    gifts: Annotated[Optional[int], typer.Option("--gifts", min=0, help="giveaways handed out")] = None,
    installs: Annotated[Optional[int], typer.Option("--installs", min=0, help="国家反诈中心 App installs")] = None,
    households: Annotated[Optional[int], typer.Option("--households", min=0, help="households visited")] = None,
    photos: Annotated[Optional[str], typer.Option("--photos", help="photos: a count or file names")] = None,
    partners: Annotated[Optional[str], typer.Option("--partners", help="partner organisations")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes", help="notes")] = None,
    extra: Annotated[bool, typer.Option("--extra", help="an activity held but not in the plan (with --venue, "
                                        "--date, and --format, --start, --end, --staff as known)")] = False,
    venue: Annotated[Optional[str], typer.Option("--venue", metavar="ID", help="with --extra: the venue")] = None,
    activity_format: Annotated[Optional[str], typer.Option("--format", help="with --extra: the format, e.g. "
                                                           "stall")] = None,
    on: Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="with --extra: the day")] = None,
    start: Annotated[Optional[str], typer.Option("--start", metavar="HH:MM", help="with --extra")] = None,
    end: Annotated[Optional[str], typer.Option("--end", metavar="HH:MM", help="with --extra")] = None,
    staff: Annotated[Optional[str], typer.Option("--staff", metavar="IDS", help="with --extra: staff ids, "
                                                 "comma-separated")] = None,
    encoding: PlanEncoding = None,
    lang: Lang = None,
) -> None:
    """Record what was done: the filled 台账, or one activity, into OUT's database.

    Imports the ledger of OUT/plan.xlsx (or --ledger FILE: a copy, or a CSV export of its 台账)
    into OUT/records/records.sqlite: all of it or, when a cell is wrong, none of it (each bad
    cell named FILE:SHEET!CELL, exit 2). Or records one activity: --activity ID, or --extra
    --venue ID --date DATE for one held but not planned."""
    from planner.records import RecordError, database_path, record_activity, record_ledger

    counts = {"reached": reach, "leaflet": leaflets, "booklet": booklets, "poster": posters, "letter": letters,
              "gift": gifts, "installs": installs, "households": households}
    texts = {"photos": photos, "partners": partners, "notes": notes}
    single = (activity is not None or extra or held is not None or reason is not None
              or any(v is not None for v in (*counts.values(), *texts.values(), venue, activity_format, on, start,
                                             end, staff)))
    try:
        if single and ledger is not None:
            raise RecordError(["(command line): --ledger: " + _("imports a whole ledger; record one activity "
                                                                 "without it")])
        if single:
            outcome, station = record_activity(out, activity=activity, extra=extra, venue=venue, fmt=activity_format,
                                               day=on, start=start, end=end, staff=staff, held=held, reason=reason,
                                               counts=counts, texts=texts, plan=plan_file)
        else:
            outcome, station = record_ledger(out, ledger, plan=plan_file)
    except PlanError as e:
        raise _fail(e) from None
    except RecordError as e:
        for line in e.lines:
            print(line, file=sys.stderr)
        count = len(e.lines)
        print(messages._n("{n} problem; nothing was recorded", "{n} problems; nothing was recorded", count).format(
            n=count), file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    Console().print(outcome.summary(_speak(station.lang), database_path(out)), highlight=False, markup=False,
                    soft_wrap=True)


def _period_or_exit(campaign, week, month, since, until):
    from planner.reports import PeriodError, parse_period

    try:
        return parse_period(campaign, week=week, month=month, since=since, until=until)
    except PeriodError as e:
        print(f"(command line): {e.option}: {e}", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _as_of_or_exit(as_of: str | None) -> date | None:
    if as_of is None:
        return None
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        print("(command line): --as-of: " + _("{value!r} is not a date like 2026-07-31").format(value=as_of),
              file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@app.command("report")
@_speaks
def report_command(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="the folder `planner plan` wrote")],
    week: Annotated[Optional[str], typer.Option("--week", help="an ISO week, e.g. 2026-W27")] = None,
    month: Annotated[Optional[str], typer.Option("--month", help="a month, e.g. 2026-07")] = None,
    since: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="first day")] = None,
    until: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="last day")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the figures for scripts (writes nothing)")] = False,
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="activities after this day are "
                                                 "still to come, not unreported (default: today)")] = None,
    plan_file: Annotated[Optional[Path], typer.Option("--plan", help="the station plan (default: the one "
                                                      "plan.json records)")] = None,
    encoding: PlanEncoding = None,
    lang: Lang = None,
) -> None:
    """A period's report against the targets: OUT/reports/<period>.html, .pdf, .xlsx, .png.

    Planned and held (and why not held), 五进 coverage, key dates, materials, reach,
    households and App installs against the targets with the gaps, rankings per community and
    village, person and area, and week-by-week trends; the .png is the summary at phone width.
    Default period: the whole campaign."""
    from planner.export.report_files import write_report
    from planner.records import RecordError, load_records, locked, open_station
    from planner.reports import build_report, report_json

    today = _as_of_or_exit(as_of)
    try:
        with locked(out):
            station = open_station(out, plan_file)
            records = load_records(out)
    except PlanError as e:
        raise _fail(e) from None
    except RecordError as e:
        for line in e.lines:
            print(line, file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    _speak(station.lang)
    period = _period_or_exit(station.plan.campaign, week, month, since, until)
    report = build_report(station, records, period, today=today)
    if as_json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=2))
        return
    written = write_report(out, report)
    console = Console()
    t = report.tally
    line = _(
        "{period}: planned {planned}, held {held} ({extra} not planned), not held {not_held}, "
        "rescheduled {rescheduled}, not reported {unreported}, still to come {upcoming}; {records} records").format(
        period=period.key, planned=t.planned, held=t.held, extra=t.extra, not_held=t.not_held,
        rescheduled=t.rescheduled, unreported=t.unreported, upcoming=t.upcoming, records=report.recorded)
    console.print(line, highlight=False, markup=False, soft_wrap=True)
    _say_written(console, out, written)


def _say_written(console: Console, out: Path, written) -> None:
    if written.paths:
        console.print(_("wrote {out}/: {files}").format(out=out / "reports", files=_(", ").join(
            p.name for p in written.paths)), highlight=False, markup=False, soft_wrap=True)
    for note in written.notes:
        console.print(_("note:") + " " + note, highlight=False, markup=False, soft_wrap=True)


@app.command("roster")
@_speaks
def roster_command(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="the folder `planner plan` wrote")],
    week: Annotated[Optional[str], typer.Option("--week", help="an ISO week, e.g. 2026-W28 (default: next week)")]
    = None,
    plan_file: Annotated[Optional[Path], typer.Option("--plan", help="the station plan (default: the one "
                                                      "plan.json records)")] = None,
    encoding: PlanEncoding = None,
    lang: Lang = None,
) -> None:
    """A week's roster, who goes where and when: OUT/reports/roster-<week>.png, .html, .pdf.

    The picture is phone-width, for the 工作群; the page prints on A4."""
    from planner.export.report_files import write_roster
    from planner.records import locked, open_station
    from planner.reports import build_roster, next_week

    try:
        with locked(out):
            station = open_station(out, plan_file)
    except PlanError as e:
        raise _fail(e) from None
    _speak(station.lang)
    if week is None:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        week = next_week(datetime.now(ZoneInfo(station.plan.station.timezone)).date())
    period = _period_or_exit(station.plan.campaign, week, None, None, None)
    roster = build_roster(station, period)
    written = write_roster(out, roster)
    console = Console()
    console.print(_("{period}: {summary}").format(period=period.key, summary=_(
                      "{activities} activities, {people} people").format(activities=roster.count,
                                                                         people=len(roster.people))),
                  highlight=False, markup=False, soft_wrap=True)
    _say_written(console, out, written)


@app.command("plan-region")
@_speaks
def plan_region_command(
    region_file: Annotated[Path, typer.Argument(metavar="REGION", help="region file (YAML)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="folder for each station's outputs and the region report")],
    address: Annotated[Optional[str], typer.Option(
        "--address", help="a Ray cluster to run on, e.g. ray://head:10001 or auto (default: this machine)")] = None,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", min=1, help="worker processes on this machine (default: its cores)")] = None,
    time_limit: Annotated[Optional[str], typer.Option(
        "--time-limit", help="the whole command's time limit, e.g. 10m, divided among the stations by the workers "
                             "(default: the region's solver.total_time_limit, else none)")] = None,
    station_time_limit: Annotated[Optional[str], typer.Option(
        "--station-time-limit", help="each station's time limit, e.g. 30s, at most (default: the region's solver."
                                     "time_limit, else each plan's)")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="also each station's plan.pdf (slow)")] = False,
    encoding: PlanEncoding = None,
    lang: Lang = None,
) -> None:
    """Plan every station of a region on Ray, the shared teams first; check each plan and
    the teams across stations; write OUT/<station>/, OUT/teams/ and the region report."""
    from planner import clock
    from planner.errors import Problem
    from planner.region import load_region
    from planner.regionrun import plan_region
    from planner.types import parse_duration

    console = Console()
    limits: dict[str, float | None] = {}
    clock.begin_command()  # the region's time limit covers the whole command: from the process's start
    try:
        try:
            loaded = load_region(region_file)
            for option, value in (("--time-limit", time_limit), ("--station-time-limit", station_time_limit)):
                try:
                    limits[option] = None if value is None else parse_duration(value).total_seconds()
                except ValueError as e:
                    raise PlanError([Problem(1, 1, option, str(e), "(command line)")]) from None
        except PlanError as e:
            raise _fail(e) from None
        _speak(loaded.region.region.language)
        _check_out(out)
        run = plan_region(loaded, out, address=address, workers=workers, total_time_limit=limits["--time-limit"],
                          station_time_limit=limits["--station-time-limit"], pdf=pdf, started=clock.command_start(),
                          say=lambda line: console.print(line, highlight=False, markup=False))
    finally:
        clock.end_command()
    report = run.report
    console.print(_("wrote {out}/: {n} stations, teams/, region.html, region.json").format(
        out=out, n=len(report["stations"])), highlight=False, markup=False)
    for failed in run.failed:
        print(_("{station}: not planned").format(station=failed.name or failed.stem), file=sys.stderr)
        for line in failed.error + failed.violations:
            print(f"  {line}", file=sys.stderr)
    for line in run.cross:
        print(line, file=sys.stderr)
    if run.failed or run.cross:
        raise typer.Exit(1)


def main() -> None:
    from planner import interrupt

    try:
        app()
    except (interrupt.Stopped, OSError) as e:
        with messages.using(_spoken[-1] if _spoken else messages.system_language()):
            _last_words(e)


def _last_words(error: BaseException) -> None:
    """A second Ctrl-C, or a full disk: one line, in the language the command spoke."""
    from planner import interrupt
    from planner.export import output

    if isinstance(error, interrupt.Stopped):  # Ctrl-C a second time
        written = output.last_swapped is not None
        print("\n" + (_("interrupted again: stopped at once; {out} was already written").format(
            out=output.last_swapped) if written else _("interrupted again: stopped at once; nothing was written")),
            file=sys.stderr)
        sys.exit(interrupt.EXIT_CODE)
    else:
        assert isinstance(error, OSError)
        e = error
        if e.errno not in output.FULL:
            raise e
        # the outputs are staged: a full disk leaves OUT as it was (DiskFull says so)
        print(str(e) if isinstance(e, output.DiskFull) else _("{file}: the disk is full ({why}); free some space and "
                                                               "run again").format(file=e.filename or "(file)",
                                                                                   why=e.strerror), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
