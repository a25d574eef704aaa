"""What a plan does in the national publicity month (issue 17, "No surges"): themed activities
credited to it, activities and 五进 visits inside its window against the campaign's daily
mean, the busiest day, unmet goals and the objective.

    python -m bench.national_month examples/lanzhou-guangwumen.yaml OUT/plan.json [PLAN OUT/plan.json …]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from planner.loader import load_plan


def measure(plan_path: Path, plan_json: Path) -> dict:
    plan = load_plan(plan_path).plan
    out = json.loads(plan_json.read_text(encoding="utf-8"))
    nm = plan.campaign.national_month
    first = max(nm.start, plan.campaign.start) if nm else None
    last = min(nm.end, plan.campaign.end) if nm else None
    five = set(plan.tactics.five_into.kinds) if plan.tactics.five_into else set()
    kind = {v.id: v.kind for v in plan.venues}
    offline = [a for a in out["activities"] if a["venue"] is not None]
    per_day = Counter(date.fromisoformat(a["start"][:10]) for a in offline)
    days = (plan.campaign.end - plan.campaign.start).days + 1

    def inside(a: dict) -> bool:
        return first is not None and last is not None and first <= date.fromisoformat(a["start"][:10]) <= last

    window = [a for a in offline if inside(a)]
    n = (last - first).days + 1 if first and last else 0
    return {
        "plan": plan_path.name,
        "window": f"{first}..{last}" if first else None,
        "themed_national_month": sum(1 for a in out["activities"] if a.get("key_date") == "national_month"),
        "themed_in_window": sum(1 for a in window if a.get("key_date")),
        "activities_in_window": len(window),
        "five_into_in_window": sum(1 for a in window if kind.get(a["venue"]) in five),
        "per_day_window": round(len(window) / n, 2) if n else None,
        "per_day_campaign": round(len(offline) / days, 2),
        "busiest_day": max(per_day.values(), default=0),
        "activities": len(out["activities"]),
        "unmet": len(out["unmet"]),
        "objective": out["objective"],
        "bound": out["bound"],
        "score": {k: v["penalty"] for k, v in out["score"].items() if k in ("surges", "quotas", "checklist",
                                                                              "key_dates", "spread")},
    }


def main(argv: list[str]) -> None:
    for plan_path, plan_json in zip(argv[::2], argv[1::2]):
        print(json.dumps(measure(Path(plan_path), Path(plan_json)), ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])

__all__ = ["measure"]
