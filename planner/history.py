"""OUT/history/: one record per `planner plan` and `planner replan`, so a station can show
what changed and why: the input's hash, the seed, the score and the diff from the plan it
replaced. Records are never rewritten; `planner history OUT` lists them."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from planner import atomic
from planner.changes import Changes
from planner.export.source import plan_digest
from planner.loader import LoadedPlan
from planner.planfile import PlanFile

FOLDER = "history"
_NAME = re.compile(r"^(\d{4})-(plan|replan)-(\d{8}T\d{6}Z)\.json$")


def entries(out: Path) -> list[Path]:
    """The records in OUT/history, oldest first."""
    folder = Path(out) / FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _NAME.fullmatch(p.name))


def record(folder: Path, *, command: str, loaded: LoadedPlan, data: dict[str, Any],
           changes: Changes | None, previous: PlanFile | None = None, since: str | None = None,
           now: datetime | None = None, seconds: float | None = None) -> Path:
    """Write the next record into `folder` (OUT's staging folder, whose history/ the previous
    output's was copied into, under `output_dir`'s lock: two runs into one OUT take turns, so
    the second numbers its record after the first's). Numbered after the highest number
    there, so a record deleted by hand never makes two records share a number."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    history = folder / FOLDER
    history.mkdir(parents=True, exist_ok=True)
    numbers = (_NAME.fullmatch(p.name) for p in entries(folder))
    number = max((int(m.group(1)) for m in numbers if m), default=0) + 1
    solver = loaded.plan.solver
    entry: dict[str, Any] = {
        "number": number,
        "command": command,
        "at": now.isoformat(),
        "plan": loaded.file,
        "plan_sha256": plan_digest(loaded.file),
        "seed": solver.seed,
        "workers": solver.workers,
        "time_limit_seconds": solver.time_limit.total_seconds(),
        "deterministic": solver.deterministic,
        # wall-clock seconds of solving (plan.json's solve_seconds is a deterministic solve's work)
        "seconds": None if seconds is None else round(seconds, 2),
        "status": data.get("status"),
        "objective": data.get("objective"),
        "bound": data.get("bound"),
        "activities": len(data.get("activities", [])),
        "unmet": len(data.get("unmet", [])),
        "score": data.get("score"),
    }
    if since is not None:
        entry["replanned_from"] = since
    if previous is not None:
        entry["previous"] = {"plan_sha256": previous.source.sha256 if previous.source is not None else None,
                             "objective": previous.raw.get("objective"),  # as written: 12, not 12.0
                             "activities": len(previous.activities)}
    if changes is not None:
        entry["changes"] = changes.to_json()
    path = history / f"{number:04d}-{command}-{now:%Y%m%dT%H%M%SZ}.json"
    atomic.write_text(path, json.dumps(entry, ensure_ascii=False, indent=2) + "\n")
    return path


def read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


__all__ = ["record", "entries", "read", "FOLDER"]
