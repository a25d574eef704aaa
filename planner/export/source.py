"""Reading plan.json back (for `planner export`): its syntax, shape and references checked.

A plan.json that no longer matches its station plan (a venue renamed, a person removed)
is bad input like any other: FILE:LINE:COL lines, exit 2, nothing written.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from planner.errors import PlanError, Problem
from planner.loader import LoadedPlan

REQUIRED = ("id", "venue", "activity", "start", "end", "staff")


def plan_digest(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def source_record(loaded: LoadedPlan) -> dict[str, str]:
    """What plan.json records of the plan it came from, so export and replan can find it."""
    return {"plan": loaded.file, "sha256": plan_digest(loaded.file)}


def _line_of(text: str, needle: str) -> tuple[int, int]:
    at = text.find(needle)
    if at < 0:
        return 1, 1
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def read_plan_json(path: Path | str) -> tuple[dict[str, Any], str]:
    """plan.json's data and text, or PlanError for a file that is not a plan.json."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError([Problem(1, 1, "(file)", "no such file; run `planner plan` first", file)]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise PlanError([Problem(1, 1, "(file)", f"cannot be read: {e}", file)]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise PlanError([Problem(e.lineno, e.colno, "(syntax)", f"not valid JSON: {e.msg}", file)]) from None
    if not isinstance(data, dict) or not isinstance(data.get("activities"), list):
        raise PlanError([Problem(1, 1, "(top level)", "not a plan.json: it has no list of activities", file)])
    return data, text


def check_plan_json(path: Path | str, data: dict[str, Any], text: str, loaded: LoadedPlan) -> None:
    """Every activity is complete and names staff and venues the station plan has."""
    file = str(path)
    staff = {s.id for s in loaded.plan.staff}
    venues = {v.id for v in loaded.plan.venues}
    problems = []
    for i, activity in enumerate(data["activities"]):
        where = f"activities[{i}]"
        ident = activity.get("id") if isinstance(activity, dict) else None
        line, col = _line_of(text, f'"id": "{ident}"') if isinstance(ident, str) else (1, 1)

        def problem(what: str) -> None:
            problems.append(Problem(line, col, where, what, file))

        if not isinstance(activity, dict):
            problem("an activity must be an object")
            continue
        missing = [k for k in REQUIRED if k not in activity]
        if missing:
            problem(f"missing {', '.join(missing)}")
            continue
        if activity["venue"] is not None and activity["venue"] not in venues:
            problem(f"venue '{activity['venue']}' is not in {loaded.file}")
        for person in activity["staff"] if isinstance(activity["staff"], list) else ["(not a list)"]:
            if person not in staff:
                problem(f"staff '{person}' is not in {loaded.file}")
        for key in ("start", "end"):
            try:
                datetime.fromisoformat(str(activity[key]))
            except ValueError:
                problem(f"{key} {activity[key]!r} is not an ISO date and time")
    if problems:
        raise PlanError(problems)


def plan_path_for(json_path: Path, data: dict[str, Any]) -> Path | None:
    """The station plan recorded in plan.json, where it still exists."""
    recorded = (data.get("source") or {}).get("plan")
    if not isinstance(recorded, str):
        return None
    for candidate in (Path(recorded), json_path.parent / recorded):
        if candidate.is_file():
            return candidate
    return None
