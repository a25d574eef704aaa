"""What changed between two plans: added, moved, re-staffed and cancelled activities.

Works on plan.json data (the activities' dicts), so it serves `planner replan` (which keeps
a moved activity's id, so calendar clients update the event instead of adding one) and the
plan history (a fresh `planner plan` compared with the previous OUT/plan.json).

An activity is the same activity when its id is the same. Of the rest, an old and a new
activity at the same venue in the same format are one activity moved (nearest dates
paired first); what is left was cancelled or added.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

KINDS = ("added", "moved", "restaffed", "cancelled")


@dataclass
class Change:
    kind: str  # added | moved | restaffed | cancelled
    id: str  # the event's UID: the old activity's id for moved and cancelled ones
    venue: str | None
    activity: str  # the format
    before: dict[str, Any] | None  # start, end, staff
    after: dict[str, Any] | None
    new_id: str | None = None  # moved: the id the activity would have if planned afresh

    def slot(self, after_first: bool = False) -> dict[str, Any]:
        """The before slot (or the after one first), whichever it has; every change has at least one."""
        slot = (self.after or self.before) if after_first else (self.before or self.after)
        assert slot is not None, "a change has a before, an after or both"
        return slot

    @property
    def staff_added(self) -> list[str]:
        old = set(self.before["staff"]) if self.before else set()
        return sorted(set(self.after["staff"]) - old) if self.after else []

    @property
    def staff_removed(self) -> list[str]:
        new = set(self.after["staff"]) if self.after else set()
        return sorted(set(self.before["staff"]) - new) if self.before else []

    @property
    def people(self) -> list[str]:
        """Everyone whose calendar this change touches."""
        out = set(self.before["staff"]) if self.before else set()
        if self.after:
            out |= set(self.after["staff"])
        return sorted(out)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "id": self.id, "venue": self.venue, "activity": self.activity,
                               "before": self.before, "after": self.after}
        if self.new_id and self.new_id != self.id:
            out["planned_as"] = self.new_id
        if self.kind == "restaffed":
            out["staff_added"], out["staff_removed"] = self.staff_added, self.staff_removed
        return out


@dataclass
class Changes:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    def summary(self) -> dict[str, int]:
        return {**{k: self.count(k) for k in KINDS}, "unchanged": self.unchanged}

    def by_staff(self) -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = defaultdict(lambda: {k: [] for k in KINDS})
        for c in self.changes:
            for person in c.people:
                kind = c.kind
                if kind == "restaffed":  # for the person: they gained or lost the activity
                    kind = "added" if person in c.staff_added else "cancelled" if person in c.staff_removed \
                        else "restaffed"
                out[person][kind].append(c.id)
        return {p: out[p] for p in sorted(out)}

    def by_venue(self) -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = defaultdict(lambda: {k: [] for k in KINDS})
        for c in self.changes:
            out[c.venue or "online"][c.kind].append(c.id)
        return {v: out[v] for v in sorted(out)}

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "changes": [c.to_json() for c in self.changes],
                "by_staff": self.by_staff(), "by_venue": self.by_venue()}


def _when(a: dict[str, Any]) -> dict[str, Any]:
    return {"start": a["start"], "end": a["end"], "staff": sorted(a.get("staff", []))}


def _start(a: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(a["start"])


def pair_moves(old: Iterable[dict[str, Any]], new: Iterable[dict[str, Any]]
               ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Old and new activities (none sharing an id) that are one activity moved: same venue and
    format, the closest in time paired first."""
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for a in old:
        by_key[(a.get("venue"), a["activity"])].append(a)
    options = []
    for b in new:
        for a in by_key.get((b.get("venue"), b["activity"]), ()):
            options.append((abs((_start(b) - _start(a)).total_seconds()), a["id"], b["id"], a, b))
    options.sort(key=lambda t: t[:3])
    used_old: set[str] = set()
    used_new: set[str] = set()
    pairs = []
    for _, oid, nid, a, b in options:
        if oid in used_old or nid in used_new:
            continue
        used_old.add(oid)
        used_new.add(nid)
        pairs.append((a, b))
    return pairs


def diff(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Changes:
    """The changes from `old` to `new` activities (plan.json dicts). A moved activity is
    reported under the old id, whatever id the new one carries."""
    old_by_id = {a["id"]: a for a in old}
    new_by_id = {a["id"]: a for a in new}
    out = Changes()
    for aid in sorted(set(old_by_id) & set(new_by_id)):
        a, b = old_by_id[aid], new_by_id[aid]
        if (a["start"], a["end"]) != (b["start"], b["end"]):
            out.changes.append(Change("moved", aid, b.get("venue"), b["activity"], _when(a), _when(b), aid))
        elif sorted(a.get("staff", [])) != sorted(b.get("staff", [])):
            out.changes.append(Change("restaffed", aid, b.get("venue"), b["activity"], _when(a), _when(b), aid))
        else:
            out.unchanged += 1
    gone = [old_by_id[k] for k in sorted(set(old_by_id) - set(new_by_id))]
    came = [new_by_id[k] for k in sorted(set(new_by_id) - set(old_by_id))]
    paired_old, paired_new = set(), set()
    for a, b in pair_moves(gone, came):
        paired_old.add(a["id"])
        paired_new.add(b["id"])
        out.changes.append(Change("moved", a["id"], b.get("venue"), b["activity"], _when(a), _when(b),
                                  b.get("planned_as", b["id"])))
    for a in gone:
        if a["id"] not in paired_old:
            out.changes.append(Change("cancelled", a["id"], a.get("venue"), a["activity"], _when(a), None))
    for b in came:
        if b["id"] not in paired_new:
            out.changes.append(Change("added", b["id"], b.get("venue"), b["activity"], None, _when(b), b["id"]))
    order = {k: i for i, k in enumerate(KINDS)}
    out.changes.sort(key=lambda c: (c.slot(after_first=True)["start"], order[c.kind], c.id))
    return out


__all__ = ["Change", "Changes", "diff", "pair_moves", "KINDS"]
