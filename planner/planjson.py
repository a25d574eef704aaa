"""Solution → plan.json, exactly as the contract (shared/spec/station-plan.md) says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

from planner import atomic, messages
from planner.formats import resolve_formats
from planner.loader import LoadedPlan
from planner.materials import activity_materials
from planner.messages import N_
from planner.search import Progress, Solution, solve

#: what an unmet goal counts, in "2 of 3 visits" (a format's id counts its activities)
UNIT_WORDS = {"visit": N_("visits"), "activity": N_("activities"), "post": N_("posts"),
              "lecture": N_("lectures"), "install": N_("installs"), "person": N_("people reached"),
              "household": N_("households visited"), "copy": N_("copies handed out")}


def done_of_required(why: str) -> tuple[int, int] | None:
    """(done, required) from the head of a plan.json unmet reason, in either language."""
    for language in messages.LANGUAGES:
        template = messages.for_language(language)._("{done} of {required} {unit}: {why}").split("{why}")[0]
        pattern = (re.escape(template).replace(re.escape("{done}"), r"(?P<done>\d+)")
                   .replace(re.escape("{required}"), r"(?P<required>\d+)").replace(re.escape("{unit}"), ".*?"))
        found = re.match(pattern, why)
        if found:
            return int(found["done"]), int(found["required"])
    return None


def _iso(dt) -> str:
    return dt.isoformat(timespec="seconds")


def _number(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 2)


def unique_reach(sizes: dict[str, int | None], reached: list[tuple[str, int]]) -> dict[str, int]:
    """People reached at least once per venue, by venue id: a venue's `size` is its pool and
    each activity meets its expected reach drawn from the whole pool, so k activities reaching
    r each meet size × (1 − (1 − r/size)^k), not k × r (issue 17: a venue visited 9 times
    reached 9 times its people). Venues without a size keep the sum of their activities'."""
    missed: dict[str, float] = {}
    summed: dict[str, int] = {}
    for venue, r in reached:
        size = sizes.get(venue)
        summed[venue] = summed.get(venue, 0) + r
        if size:
            missed[venue] = missed.get(venue, 1.0) * (1.0 - min(r, size) / size)
    return {v: round((sizes[v] or 0) * (1.0 - missed[v])) if v in missed else summed[v] for v in sorted(summed)}


def plan_json(solution: Solution) -> dict[str, Any]:
    plan = solution.loaded.plan
    keys = solution.calendar.key_dates
    formats = resolve_formats(plan)
    activities = []
    for a in sorted(solution.activities, key=lambda a: (a.cand.start, a.cand.venue or "", a.cand.format)):
        c = a.cand
        activities.append({
            "id": c.id,
            "venue": c.venue,
            "activity": c.format,
            "start": _iso(c.start),
            "end": _iso(c.end),
            "staff": list(a.staff),
            "theme": a.theme,
            "audiences": list(a.audiences),
            "tactics": list(a.tactics),
            "key_date": keys[a.key_date].id if a.key_date is not None else None,
            "reach": c.reach,
            # what to bring: from the format's rates and the expected reach (planner.materials)
            "materials": activity_materials(formats.get(c.format), c.reach),
        })
    unmet = []
    # the reasons are read in the campaign's language (terminal, printable plan); the fields stay ids
    m = messages.for_language(plan.campaign.language)
    for u in solution.unmet:
        why = u.why
        if u.person and u.person not in why:
            why = m._("{person}: {why}").format(person=u.person, why=why)
        if u.short > 1 or u.required > 1:
            unit = m._(UNIT_WORDS.get(u.unit, UNIT_WORDS["activity"]))
            why = m._("{done} of {required} {unit}: {why}").format(
                done=u.required - u.short, required=u.required, unit=unit, why=why)
        unmet.append({"tactic": u.tactic, "venue": u.venue, "period": u.period, "why": why})
    return {
        "version": 1,
        "station": plan.station.name,
        "campaign": {"name": plan.campaign.name, "start": plan.campaign.start.isoformat(),
                     "end": plan.campaign.end.isoformat()},
        "status": solution.status,
        "objective": _number(solution.objective),
        "bound": None if solution.bound is None else _number(solution.bound),  # null: not known in time
        # deterministic solves report their work, so the same plan gives the same file
        "solve_seconds": round(solution.solve_seconds if solution.work_seconds is None else solution.work_seconds, 2),
        "found_seconds": solution.found_seconds if solution.work_seconds is None else solution.found_work,
        "stopped": solution.stopped,
        "activities": activities,
        "reach": solution.reach,
        # people met at least once per venue (reach counts contacts: a person met twice, twice)
        "unique_reach": unique_reach({v.id: v.size for v in plan.venues},
                                     [(a.cand.venue, a.cand.reach) for a in solution.activities if a.cand.venue]),
        "unmet": unmet,
        "score": {name: {"penalty": _number(s.penalty), "met": s.met, "required": s.required}
                  for name, s in solution.score.items()},
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_plan_json(solution: Solution, path: Path | str) -> Path:
    """Write atomically: a reader never sees half a file, and a failed run leaves the old one."""
    return atomic.write_text(path, dumps(plan_json(solution)))


__all__ = ["plan_json", "write_plan_json", "dumps"]


def plan_to_dir(loaded: LoadedPlan, out_dir: Path | str, *, progress: Callable[[Progress], None] | None = None
                ) -> Solution:
    """Solve the plan and write OUT/plan.json (atomically). Raises NoPlanError, writing nothing."""
    solution = solve(loaded, progress=progress)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_plan_json(solution, out / "plan.json")
    return solution
