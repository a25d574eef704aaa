"""The `planner` command: a thin typer layer over functions a Python user can call."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from planner.errors import PlanError

app = typer.Typer(
    name="planner",
    help="Plan anti-fraud publicity campaigns (五进, 三时三地, 6+, key dates) for police stations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_BAD_INPUT = 2


def _fail(error: PlanError) -> typer.Exit:
    for problem in error.problems:
        print(problem.format(), file=sys.stderr)
    count = len(error.problems)
    print(f"{count} problem{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
    return typer.Exit(EXIT_BAD_INPUT)


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
) -> None:
    """Write a commented starter plan (DIR/plan.yaml) to fill in."""
    target = directory / "plan.yaml"
    if target.exists() and not force:
        print(f"{target}:1:1: (file): already exists; pass --force to overwrite it", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    if directory.exists() and not directory.is_dir():
        print(f"{directory}:1:1: (file): is a file, not a folder", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    directory.mkdir(parents=True, exist_ok=True)
    text = (templates_dir() / "starter.yaml").read_text(encoding="utf-8")
    temporary = target.with_name(".plan.yaml.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    Console().print(f"wrote {target}: edit it, then run [bold]planner check {target}[/]")


@app.command()
def check(
    plan: Annotated[Path, typer.Argument(help="station plan (YAML)")],
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
    calendar = build_calendar(loaded.plan)
    render_check(Console(), loaded, calendar, estimate(loaded.plan, calendar))


@app.command()
def dates(
    year: Annotated[int, typer.Argument(help="calendar year, e.g. 2026", min=1901, max=2099)],
    language: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
    national_month: Annotated[Optional[str], typer.Option(
        "--national-month", help="start of this year's publicity month, e.g. 2026-06-15")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """A year's days off, make-up workdays (调休), lunar festivals and key dates."""
    from planner.calendar import year_overview
    from planner.overview import render_dates
    from planner.types import DateSpan

    if language not in ("zh", "en"):
        print(f"--lang: {language!r} is not zh or en", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    span = None
    if national_month:
        try:
            start = date.fromisoformat(national_month)
        except ValueError:
            print(f"--national-month: {national_month!r} is not a date like 2026-06-15", file=sys.stderr)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        span = DateSpan(start, date.fromordinal(start.toordinal() + 29))
    overview = year_overview(year, national_month=span)
    if as_json:
        print(json.dumps(_dates_json(overview), ensure_ascii=False, indent=2))
        return
    render_dates(Console(), overview, language)
    if not overview.official:
        print(f"warning: {year}'s official days off are not in the installed chinesecalendar; "
              "a plan for this year must list them in campaign.extra_holidays and extra_workdays",
              file=sys.stderr)


def _dates_json(overview) -> dict:
    return {
        "year": overview.year,
        "official_data": overview.official,
        "days_off": [{"name": p.name, "start": p.span.start.isoformat(), "end": p.span.end.isoformat()}
                     for p in overview.days_off],
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
) -> None:
    """The JSON Schema of the plan format, for editors (yaml-language-server)."""
    from planner.model import Plan

    text = json.dumps(Plan.model_json_schema(mode="validation"), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    temporary = output.with_name(f".{output.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(output)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
