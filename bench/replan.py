"""Issue 5's replan target: after one officer's week of leave on a district-size plan,
`replan` returns within 5 s and changes no activity the leave did not touch.

    python -m bench.replan [--plan examples/litong.yaml] [--limit 60] [--officer ID] [--week 2026-10-12]

Plans the district once (the published plan), adds a week of leave to the officer with the
most activities that week (or --officer), re-plans from the campaign's second month and
prints the replan's time, the changes, and whether any change touched an activity the leave
did not. Also replans the unchanged plan: nothing may change.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from planner.loader import load_plan
from planner.planfile import read_plan_json
from planner.planjson import plan_json
from planner.replan import replan
from planner.search import solve
from planner.verify import verify

ROOT = Path(__file__).resolve().parent.parent


def _day(a: dict) -> date:
    return datetime.fromisoformat(a["start"]).date()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", type=Path, default=ROOT / "examples" / "litong.yaml")
    ap.add_argument("--limit", type=float, default=None, help="seconds for the published plan (default: the plan's)")
    ap.add_argument("--officer", default=None)
    ap.add_argument("--week", type=date.fromisoformat, default=None, help="Monday of the leave week")
    args = ap.parse_args(argv)
    loaded = load_plan(args.plan)
    campaign = loaded.plan.campaign
    started = time.monotonic()
    published = plan_json(solve(loaded, time_limit=args.limit))
    plan_seconds = time.monotonic() - started
    since = (campaign.start.replace(day=1) + timedelta(days=32)).replace(day=1)
    monday = args.week or since + timedelta(days=(7 - since.weekday()) % 7 + 7)
    sunday = monday + timedelta(days=6)
    police = {s.id for s in loaded.plan.staff if s.role == "police"}
    busy = Counter(s for a in published["activities"] if monday <= _day(a) <= sunday for s in a["staff"]
                   if s in police)
    officer = args.officer or busy.most_common(1)[0][0]
    text = args.plan.read_text(encoding="utf-8")
    marker = f"  - id: {officer}\n"
    assert marker in text, f"{officer} is not a staff entry of {args.plan}"
    head, rest = text.split(marker, 1)
    entry, tail = rest.split("\n  - id:", 1) if "\n  - id:" in rest else (rest, None)
    if "unavailable: [" in entry:  # leave already: add the week rather than write the key twice
        entry = entry.replace("unavailable: [", f"unavailable: [\"{monday}..{sunday}\", ", 1)
    else:
        entry = f"    unavailable: [\"{monday}..{sunday}\"]\n" + entry
    changed_text = head + marker + entry + ("" if tail is None else "\n  - id:" + tail)
    rows = []
    with TemporaryDirectory() as tmp:
        previous = Path(tmp) / "plan.json"
        previous.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
        for label, body in (("unchanged plan", text), (f"{officer} on leave {monday}..{sunday}", changed_text)):
            path = Path(tmp) / "plan.yaml"
            path.write_text(body, encoding="utf-8")
            loaded2 = load_plan(path)
            t0 = time.monotonic()
            result = replan(loaded2, read_plan_json(previous), since)
            seconds = time.monotonic() - t0
            touched = {a["id"] for a in published["activities"]
                       if officer in a["staff"] and monday <= _day(a) <= sunday} if body is changed_text else set()
            changed = {c.id for c in result.changes.changes if c.kind != "added"}
            rows.append((label, seconds, result.changes.summary(), len(touched), sorted(changed - touched),
                         len(verify(result.data, loaded2))))
    print(f"{args.plan.name}: {len(loaded.plan.staff)} staff, {len(loaded.plan.venues)} venues, "
          f"{campaign.start}..{campaign.end}; published plan {len(published['activities'])} activities "
          f"in {plan_seconds:.1f} s; replan from {since}")
    print("| replan after | seconds | added | moved | re-staffed | cancelled | unchanged | activities the leave "
          "touched | changed beyond them | hard-rule violations |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, seconds, s, n_touched, beyond, violations in rows:
        print(f"| {label} | {seconds:.2f} | {s['added']} | {s['moved']} | {s['restaffed']} | {s['cancelled']} | "
              f"{s['unchanged']} | {n_touched} | {len(beyond)} | {violations} |")
    return 0 if all(not r[4] and not r[5] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
