"""Reading plan.json back (`planner export`, `replan`, `suggest`, `explain`): its syntax, the
type of every field the commands use, and every reference checked.

plan.json is written by the planner, but it may have been edited by hand, written by an older
planner or belong to another station. Whatever the commands would use must be what they
expect, or it is bad input like any other: FILE:LINE:COL lines (the line of the offending
field), exit 2, nothing written. Keys the contract (planner.planfile) does not know are refused.

`check_plan_json` is what re-rendering needs (`export`, `suggest`, `explain`);
`check_previous_plan` is the same for the plan `planner replan` changes, where people no
longer in the station plan are the departures a re-plan is for.
"""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from planner import messages
from planner.errors import PlanError, Problem, dotted
from planner.loader import LoadedPlan
from planner.messages import _
from planner.planfile import PlanFile, positioned, read_plan_json


def plan_digest(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def source_record(loaded: LoadedPlan) -> dict[str, str]:
    """What plan.json records of the plan it came from, so export and replan can find it."""
    return {"plan": loaded.file, "sha256": plan_digest(loaded.file)}


# --- reading: planner.planfile (the contract); what follows checks it against the station plan ------


def check_plan_json(plan_json: PlanFile, loaded: LoadedPlan) -> None:
    """Every activity names a venue, a format and staff the station plan has (people may be
    missing only from activities a re-plan kept as they were: those before its
    `replanned_from`, who may since have left). The types were checked on reading."""
    problems = plan_json_problems(plan_json, loaded, departures="kept")
    if problems:
        raise PlanError(problems)


def check_previous_plan(plan_json: PlanFile, loaded: LoadedPlan) -> None:
    """The published plan `planner replan` is to change: what `check_plan_json` checks, with
    people who are no longer in the station plan taken as departures (the re-plan takes them
    off what is still to come), never ids that no station plan could have."""
    problems = plan_json_problems(plan_json, loaded, departures="any")
    if problems:
        raise PlanError(problems)


def plan_json_problems(plan_json: PlanFile, loaded: LoadedPlan, *,
                       departures: Literal["kept", "any"] = "kept") -> list[Problem]:
    """What is wrong with plan.json against the station plan, in the station plan's language."""
    with messages.using(messages.chosen(loaded.plan.campaign.language)):
        return _problems(plan_json, loaded, departures)


def _problems(plan_json: PlanFile, loaded: LoadedPlan, departures: Literal["kept", "any"]) -> list[Problem]:
    from planner.formats import resolve_formats

    file = plan_json.path
    found: list[tuple[tuple[str | int, ...], str, str]] = []  # (field, where, what): positions only if any

    def problem(field: tuple[str | int, ...], what: str) -> None:
        """A problem of an activity, at the line of its offending field."""
        found.append((field, dotted(field[:2]), what))

    plan = loaded.plan
    wrong = _wrong_station(plan_json, loaded)
    if wrong:  # then every venue and person differs too: that is one problem, not hundreds
        found.append((("station",), "station", wrong))
    else:
        staff = {s.id for s in plan.staff}
        venues = {v.id for v in plan.venues}
        formats = resolve_formats(plan)
        tz = ZoneInfo(plan.station.timezone)
        campaign = plan.campaign
        kept_until = plan_json.replanned_from
        seen: dict[str, int] = {}
        for i, activity in enumerate(plan_json.activities):
            at = ("activities", i)
            if activity.id in seen:
                problem((*at, "id"), _("the id {id} is also activities[{n}]'s; ids are calendar UIDs and must be "
                                       "unique").format(id=repr(activity.id), n=seen[activity.id]))
            seen.setdefault(activity.id, i)
            fmt: str | None = activity.activity
            if fmt not in formats:
                problem((*at, "activity"), _("the activity format {format} is not one {file} knows "
                                             "(built in or under `activities:`)").format(format=repr(fmt),
                                                                                        file=loaded.file))
                fmt = None
            venue = activity.venue
            if venue is None:
                if fmt is not None and formats[fmt].kinds:
                    problem((*at, "venue"), _("a {format} needs a venue; only online formats have none").format(
                        format=fmt))
            elif venue not in venues:
                problem((*at, "venue"), _("venue {venue} is not in {file} (a venue that closed stays in the plan, "
                                          "with `closed:` dates)").format(venue=repr(venue), file=loaded.file))
            start = activity.start.astimezone(tz)
            end = activity.end.astimezone(tz)
            if not campaign.start <= start.date() <= campaign.end:
                problem((*at, "start"), _("starts {date}, outside the campaign {start}..{end} of {file}").format(
                    date=start.date(), start=campaign.start, end=campaign.end, file=loaded.file))
            if not timedelta(0) < end - start <= timedelta(days=1):
                problem((*at, "end"), _("ends before it starts") if end <= start else _("lasts more than a day"))
            people = activity.staff
            kept = departures == "any" or (kept_until is not None and start.date() < kept_until)
            for n, person in enumerate(people):
                if person in people[:n]:
                    problem((*at, "staff", n), _("lists staff {person} twice").format(person=repr(person)))
                elif person not in staff and not kept:
                    problem((*at, "staff", n), _("staff {person} is not in {file}").format(person=repr(person),
                                                                                          file=loaded.file))
    if not found:
        return []
    document = positioned(file, plan_json.text, plan_json.raw)
    problems = []
    for field, where, what in found:
        line, col = document.positions.locate(field)
        problems.append(Problem(line, col, where, what, file))
    return problems


def _wrong_station(plan_json: PlanFile, loaded: LoadedPlan) -> str | None:
    """Why plan.json is not this station's, or None: it is if the name is the same, or if the
    plan it records is this very file (the station was renamed since)."""
    name = plan_json.station
    if name is None or name == loaded.plan.station.name:
        return None
    recorded = plan_json.source.plan if plan_json.source is not None else None
    if recorded is not None and any(_same_file(candidate, loaded.file) for candidate in
                                    (Path(recorded), Path(plan_json.path).parent / recorded)):
        return None
    return _("this is the plan of {name}, not of {station} ({where}): give the plan.json written for this "
             "station").format(name=repr(name), station=repr(loaded.plan.station.name),
                               where=loaded.where("station", "name"))


def _same_file(a: Path, b: Path | str) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def plan_path_for(json_path: Path, plan_json: PlanFile) -> Path | None:
    """The station plan recorded in plan.json, where it still exists."""
    recorded = plan_json.source.plan if plan_json.source is not None else None
    if not recorded:
        return None
    for candidate in (Path(recorded), json_path.parent / recorded):
        if candidate.is_file():
            return candidate
    return None


__all__ = ["plan_digest", "source_record", "read_plan_json", "check_plan_json", "check_previous_plan",
           "plan_json_problems", "plan_path_for"]
