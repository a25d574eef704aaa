"""Chinese names a person types for the plan's ids: `role: 民警`, `kind: 社区`, `days: 工作日`.

One table per vocabulary (roles, skills, venue kinds, formats, audiences, day classes, …), its
names taken from where the Chinese already lives (vocab's names, the catalogue's `zh`) with a
few short forms people use. `canonical_ids` rewrites a plan's data to the ids before it is
validated, keeping every value's position, so plan.json and every output carry the ids and a
plan written with names plans exactly as the same plan written with ids.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from planner.catalogue import catalogue
from planner.errors import Path_, Problem
from planner.messages import NP_, _, _p, for_language
from planner.vocab import DAY_CLASS_WORDS, DAY_CLASSES, ROLE_WORDS, ROLES, SKILLS, VENUE_KINDS
from planner.yamlio import Document

#: short forms people write beside the official names (id → names)
_EXTRA: dict[str, dict[str, tuple[str, ...]]] = {
    "role": {"auxiliary": ("协警",)},
    # skills have no catalogue entry: these are the words of a duty roster (suggest uses the same)
    "skill": {"lecture": ("宣讲", "讲座"), "performance": ("文艺", "文艺演出"), "online": ("线上", "网络宣传"),
              "door_to_door": ("入户", "入户走访"), "stall": ("摆摊", "摊点")},
    "kind": {"village": ("村", "村庄"), "bank": ("银行",), "market": ("集市",), "household": ("住户",),
             "university": ("大学", "高等院校"), "office": ("机关单位", "党政机关"),
             "hospitality": ("宾馆", "饭店", "酒店", "餐馆", "早茶店", "拉面馆")},
    "format": {"lecture": ("讲座", "宣讲"), "stall": ("摊点", "摆摊", "宣传摊位"), "door_to_door": ("入户走访", "入户"),
               "performance": ("文艺演出", "文艺汇演"), "themed_event": ("主题活动",),
               "online_post": ("线上", "线上宣传")},
    "audience": {"elderly": ("老人",), "employees": ("职工",), "business_owners": ("商户",)},
    "day_class": {"workdays": ("工作日",), "restdays": ("休息日",), "weekends": ("周末",),
                  "holidays": ("节假日", "假日"), "all": ("每天", "每日")},
    "risk": {"high": ("高", "高风险"), "medium": ("中", "中风险"), "low": ("低", "低风险")},
    "per": {"week": ("周", "每周"), "month": ("月", "每月"), "campaign": ("活动期", "整个活动期")},
}

#: what each vocabulary is called in a message
_WHAT = {"role": NP_("vocabulary", "role"), "skill": NP_("vocabulary", "skill"),
         "kind": NP_("vocabulary", "venue kind"), "format": NP_("vocabulary", "activity format"),
         "audience": NP_("vocabulary", "audience"), "day_class": NP_("vocabulary", "day class"),
         "risk": NP_("vocabulary", "risk level"), "per": NP_("vocabulary", "period"),
         "fraud_type": NP_("vocabulary", "fraud type"), "material": NP_("vocabulary", "material"),
         "key_date": NP_("vocabulary", "key date")}


def _bare(name: str) -> str:
    """A name as compared: NFKC (full-width letters), no spaces (also the ideographic one)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def _short(name: str) -> str:
    """'网络婚恋交友（杀猪盘）' → '网络婚恋交友': the name without its explanation in brackets."""
    return re.sub(r"[（(].*?[)）]$", "", name).strip()


@dataclass(frozen=True)
class Table:
    """One vocabulary's names: name → id (as written, for the schema), the same by the name as
    compared (`_bare`), and the name each id is shown with in messages."""

    ids: dict[str, str]
    lookup: dict[str, str]
    shown: dict[str, str]

    def merged(self, other: Table) -> Table:
        """This table with other's names that this one does not give."""
        return Table({**other.ids, **self.ids}, {**other.lookup, **self.lookup}, {**other.shown, **self.shown})


def _table(named: Mapping[str, list[str]]) -> Table:
    claims: dict[str, set[str]] = {}
    written: dict[str, str] = {}
    shown: dict[str, str] = {}
    for id_, given in named.items():
        for name in [*given, *(_short(n) for n in given)]:
            if name and name != id_:
                claims.setdefault(_bare(name), set()).add(id_)
                written.setdefault(_bare(name), name)
                shown.setdefault(id_, name)
    # a name two ids share is nobody's: the plan must say which
    lookup = {bare: next(iter(ids)) for bare, ids in claims.items() if len(ids) == 1}
    return Table({written[bare]: id_ for bare, id_ in lookup.items()}, lookup, shown)


@cache
def tables() -> dict[str, Table]:
    """{vocabulary: its table}, from vocab's names and the catalogue's `zh`, then the short forms."""
    c = catalogue()
    official: dict[str, dict[str, list[str]]] = {
        "role": {r: [for_language("zh")._(ROLE_WORDS[r])] for r in ROLES},
        "skill": {s: [] for s in SKILLS},
        "kind": {k: [c.venue_kinds[k].zh] for k in VENUE_KINDS},
        "format": {f: [info.zh] for f, info in c.formats.items()},
        "audience": {a: [info.zh] for a, info in c.audiences.items()},
        "day_class": {d: [for_language("zh")._(DAY_CLASS_WORDS[d])] for d in DAY_CLASSES},
        "risk": {r: [] for r in ("high", "medium", "low")},
        "per": {p: [] for p in ("week", "month", "campaign")},
        "fraud_type": {f: [info.zh] for f, info in c.fraud_types.items()},
        "material": {m: [info.zh] for m, info in c.materials.items()},
        "key_date": {k: [info.zh] for k, info in c.key_dates.items()},
    }
    return {vocab: _table({id_: [*zh, *_EXTRA.get(vocab, {}).get(id_, ())] for id_, zh in named.items()})
            for vocab, named in official.items()}


def _with_plan_names(data: Any) -> dict[str, Table]:
    """The tables with the names of the plan's own audiences, fraud types and formats (a name the
    catalogue already gives keeps the catalogue's id)."""
    own: dict[str, dict[str, list[str]]] = {"audience": {}, "fraud_type": {}, "format": {}}
    if isinstance(data, dict):
        for vocab, key in (("audience", "audiences"), ("fraud_type", "fraud_types")):
            items = data.get(key)
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("name"), str):
                    own[vocab][item["id"]] = [item["name"]]
        activities = data.get("activities")
        for id_, fmt in (activities.items() if isinstance(activities, dict) else []):
            if isinstance(id_, str) and id_.isascii() and isinstance(fmt, dict) and isinstance(fmt.get("name"), str):
                own["format"][id_] = [fmt["name"]]
    out = dict(tables())
    for vocab, named in own.items():
        if named:
            out[vocab] = out[vocab].merged(_table(named))
    return out


def names(vocab: str) -> dict[str, str]:
    """The Chinese names of a vocabulary and their ids, for the JSON Schema (in the table's order)."""
    return dict(tables()[vocab].ids)


def name_schema(vocab: str, ids: list[str] | None = None, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A JSON Schema accepting the ids (a closed list, or `base` for open ones) and the names."""
    if ids is not None:
        return {"type": "string", "enum": [*ids, *names(vocab)]}
    return {"anyOf": [dict(base or {"type": "string"}), {"type": "string", "enum": list(names(vocab))}]}


# --- where the plan takes ids ---------------------------------------------------------------------------

# A path pattern: keys, "*" for every item of a list or value of a mapping, "<key>" for the
# keys of a mapping, "<one>" for a value that is one item or a list of them.
_KEYS, _ANY, _ONE = "<key>", "*", "<one>"


@dataclass(frozen=True)
class _Slot:
    pattern: tuple[str, ...]
    vocab: str


def _slots() -> list[_Slot]:
    def s(pattern: str, vocab: str) -> _Slot:
        return _Slot(tuple(pattern.split(".")), vocab)

    period = [s(f"{p}activities.<key>", "format") for p in ("targets.", "targets.months.*.", "targets.weeks.*.")]
    period += [s(f"{p}materials.<key>", "material") for p in ("targets.", "targets.months.*.", "targets.weeks.*.")]
    return [
        s("staff.*.role", "role"),
        s("staff.*.skills.*", "skill"),
        s("venues.*.kind", "kind"),
        s("venues.*.audiences.*", "audience"),
        s("venues.*.risk", "risk"),
        s("activities.<key>", "format"),
        s("activities.*.kinds.*", "kind"),
        s("activities.*.needs.<key>", "role"),
        s("activities.*.needs.skills.*", "skill"),
        s("activities.*.windows.*.days", "day_class"),
        s("activities.*.windows.*.kinds.*", "kind"),
        s("activities.*.materials.<key>", "material"),
        s("tactics.five_into.kinds.*", "kind"),
        s("tactics.five_into.every_venue.per", "per"),
        s("tactics.three_times_three_places.*.place.<one>", "kind"),
        s("tactics.three_times_three_places.*.days", "day_class"),
        s("tactics.three_times_three_places.*.activity", "format"),
        s("tactics.six_plus.precision.<key>", "risk"),
        s("tactics.key_dates.use.*", "key_date"),
        s("tactics.key_dates.custom.*.audiences.*", "audience"),
        s("tactics.key_dates.custom.*.themes.*", "fraud_type"),
        s("tactics.key_dates.custom.*.activity", "format"),
        s("tactics.all_police.per", "per"),
        s("fraud_types.*.audiences.*", "audience"),
        s("targets.fraud_free.kinds.*", "kind"),
        s("tactics.surges.*.kinds.*", "kind"),
        s("tactics.checklist.<key>", "kind"),
        *period,
    ]


SLOTS = _slots()


def _unknown(table: Table, vocab: str, value: str, path: Path_) -> str:
    # Chinese names are short: one character of two wrong is still a near miss, two of four are not
    bare = _bare(value)
    close = difflib.get_close_matches(bare, list(table.ids), n=1, cutoff=0.5 if len(bare) <= 2 else 0.6)
    hint = _(" (did you mean '{name}', that is {id}?)").format(name=close[0], id=table.ids[close[0]]) if close else ""
    ids = sorted(set(table.lookup.values()) | set(table.shown))
    listed = _(", ").join(_p("vocabulary", "{id} ({name})").format(id=i, name=table.shown[i])
                          if i in table.shown else i for i in ids)
    message = _("'{value}' is not a {what}{hint}; write one of {ids}").format(
        value=value, what=_p(*_WHAT[vocab]), hint=hint, ids=listed)
    if path[:1] == ("activities",) and len(path) == 2:  # perhaps a format of the plan's own
        message += _("; a new format takes an id of a-z, 0-9 and _ (e.g. anti_drug) and its Chinese under name:")
    return message


class _Rewriter:
    def __init__(self, document: Document):
        self.document = document
        self.tables = _with_plan_names(document.data)
        self.problems: list[Problem] = []

    def canonical(self, vocab: str, value: Any, path: Path_, *, key: bool = False) -> Any:
        if not isinstance(value, str) or value.isascii():
            return value  # ids (right or wrong) are pydantic's and the checks' to judge
        table = self.tables[vocab]
        found = table.lookup.get(_bare(value))
        if found is None:
            self.problems.append(self.document.problem(path, _unknown(table, vocab, value, path), key=key))
            return value
        return found

    def walk(self, node: Any, pattern: tuple[str, ...], path: Path_, vocab: str) -> Any:
        if not pattern:
            return self.canonical(vocab, node, path)
        head, rest = pattern[0], pattern[1:]
        if head == _ONE:
            if isinstance(node, list):
                return [self.canonical(vocab, v, (*path, i)) for i, v in enumerate(node)]
            return self.canonical(vocab, node, path)
        if head == _ANY:
            if isinstance(node, list):
                for i, item in enumerate(node):
                    node[i] = self.walk(item, rest, (*path, i), vocab)
            elif isinstance(node, dict):
                for k in list(node):
                    node[k] = self.walk(node[k], rest, (*path, k), vocab)
            return node
        if head == _KEYS:
            return self.keys(node, path, vocab) if isinstance(node, dict) else node
        if isinstance(node, dict) and head in node:
            node[head] = self.walk(node[head], rest, (*path, head), vocab)
        return node

    def keys(self, node: dict, path: Path_, vocab: str) -> dict:
        out: dict = {}
        given: dict[str, str] = {}
        renamed: dict[str, str] = {}
        for k, v in node.items():
            new = self.canonical(vocab, k, (*path, k), key=True)
            if new in given:
                self.problems.append(self.document.problem(
                    (*path, k), _("'{key}' and '{other}' are the same {what} ({id}); give it once").format(
                        key=k, other=given[new], what=_p(*_WHAT[vocab]), id=new), key=True))
                continue
            given[new] = k
            if new != k:
                renamed[k] = new
            out[new] = v
        if renamed:
            _move_positions(self.document, path, renamed)
        return out


def _move_positions(document: Document, parent: Path_, renamed: dict[str, str]) -> None:
    """Renamed keys' positions, and those of everything under them, now under their new names
    (one pass over the positions for all the keys of a mapping: a city plan has tens of thousands)."""
    n = len(parent)
    for table in (document.positions.values, document.positions.keys):
        moved = [p for p in table if len(p) > n and p[n] in renamed and p[:n] == parent]
        entries = [(p, table.pop(p)) for p in moved]
        for p, position in entries:
            table[(*parent, renamed[str(p[n])], *p[n + 1:])] = position


def canonical_ids(document: Document) -> list[Problem]:
    """Every Chinese name in the plan's data replaced by its id, in place, positions kept; the
    names that are nobody's, each a problem at its FILE:LINE:COL (the value is left for
    validation, whose own message on it the loader then drops)."""
    rewriter = _Rewriter(document)
    for slot in SLOTS:
        document.data = rewriter.walk(document.data, slot.pattern, (), slot.vocab)
    return rewriter.problems


__all__ = ["SLOTS", "Table", "tables", "names", "name_schema", "canonical_ids"]
