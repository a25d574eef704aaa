"""What every exporter shows: plan.json joined with the station plan, in the campaign's language.

Exporters read plan.json (so `planner export` can re-render without solving) and the
station plan (for names, addresses, roles). This module does the joining and the naming
once, so the calendars, the printable plan and the spreadsheet say the same things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from planner import messages
from planner.catalogue import catalogue
from planner.formats import resolve_formats
from planner.loader import LoadedPlan
from planner.materials import activity_materials
from planner.messages import N_, every_language
from planner.model import Staff, Venue
from planner.vocab import ROLE_WORDS, TACTIC_WORDS

#: an online activity's venue, in each language (the ledger reads either back)
ONLINE = every_language(N_("online"))


@dataclass
class ActivityView:
    """One planned activity with everything a person reading it needs."""

    id: str
    format: str
    format_name: str
    venue: Venue | None  # None for online activities
    venue_name: str
    kind: str | None
    kind_name: str
    start: datetime
    end: datetime
    staff: list[Staff]
    theme: str | None
    theme_name: str
    talking_points: list[str]
    audiences: list[str]
    audience_names: list[str]
    tactics: list[str]
    key_date: str | None
    key_date_name: str | None
    reach: int
    materials: list[str]  # what to bring with counts, in the campaign's language: 宣传单230份, leaflets ×230
    material_ids: list[str]
    tactic_names: list[str]
    expected_installs: int  # 国家反诈中心 App installs expected from the reach
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    material_counts: dict[str, int] = field(default_factory=dict)  # material id → count (plan.json's)

    @property
    def collector(self) -> Staff | None:
        """Who collects the activity's materials (the pick list): its first police officer,
        else its first person."""
        return next((s for s in self.staff if s.role == "police"), self.staff[0] if self.staff else None)

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def location(self) -> str:
        if self.venue is None:
            return self.venue_name
        return f"{self.venue.name}, {self.venue.address}" if self.venue.address else self.venue.name

    @property
    def summary(self) -> str:
        """Format, venue, theme: what a calendar shows in one line."""
        parts = [self.format_name, self.venue_name]
        if self.theme_name:
            parts.append(self.theme_name)
        return " · ".join(parts)


@dataclass
class PlanView:
    loaded: LoadedPlan
    data: dict[str, Any]
    activities: list[ActivityView]
    cancelled: list[ActivityView] = field(default_factory=list)  # events to withdraw (replan)
    released: list[ActivityView] = field(default_factory=list)  # withdrawn from these people only

    def withdrawn_for_staff(self, staff_id: str) -> list[ActivityView]:
        return [a for a in self.cancelled + self.released if any(s.id == staff_id for s in a.staff)]

    @property
    def language(self) -> str:
        return self.loaded.plan.campaign.language

    @property
    def timezone(self) -> str:
        return self.loaded.plan.station.timezone

    def role_name(self, role: str) -> str:
        return messages.for_language(self.language)._(ROLE_WORDS[role])

    def for_staff(self, staff_id: str) -> list[ActivityView]:
        return list(self._index()[0].get(staff_id, ()))

    def for_venue(self, venue_id: str) -> list[ActivityView]:
        return list(self._index()[1].get(venue_id, ()))

    def _index(self) -> tuple[dict[str, list[ActivityView]], dict[str, list[ActivityView]]]:
        """Activities by staff id and by venue id, in plan order: one pass, not one per person
        and venue (a city asks 1,900 times). Made again if `activities` was replaced or grew."""
        key = (id(self.activities), len(self.activities))
        cached = self.__dict__.get("_by")
        if cached is None or cached[0] != key:
            staff: dict[str, list[ActivityView]] = {}
            venues: dict[str, list[ActivityView]] = {}
            for a in self.activities:
                for sid in dict.fromkeys(s.id for s in a.staff):
                    staff.setdefault(sid, []).append(a)
                if a.venue is not None:
                    venues.setdefault(a.venue.id, []).append(a)
            cached = (key, (staff, venues))
            self.__dict__["_by"] = cached
        return cached[1]


def tactic_name(tactic: str, language: str) -> str:
    """A tactic (or a "6+" measure, a weight) by its name: 五进, five-into; an unknown one by its id."""
    return messages.for_language(language)._(TACTIC_WORDS[tactic]) if tactic in TACTIC_WORDS else tactic


def material_text(material: str, count: int, language: str) -> str:
    """One material with its count: 宣传单230份 in Chinese, "leaflets ×230" in English."""
    info = catalogue().materials.get(material)
    if info is None:
        return f"{material} ×{count}"
    return messages.for_language(language)._("{name} ×{count}").format(name=info.name(language), count=count,
                                                                        unit=info.unit)


def material_counts(raw: dict[str, Any], fmt: Any) -> dict[str, int]:
    """An activity's materials: plan.json's when it has them (whole numbers ≥ 0), else (a
    plan.json from before materials were written) from its format and reach."""
    given = raw.get("materials")
    if isinstance(given, dict) and all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                                       and v >= 0 for k, v in given.items()):
        return {k: v for k, v in given.items() if v > 0}
    reach = raw.get("reach")
    return activity_materials(fmt, reach if isinstance(reach, int) and not isinstance(reach, bool) else 0)


def read_plan_json(path: Path | str) -> dict[str, Any]:
    """plan.json's data, read through its contract (PlanError with FILE:LINE:COL if broken)."""
    from planner.planfile import read_plan_json as read

    return read(path).raw


def build_view(loaded: LoadedPlan, data: dict[str, Any]) -> PlanView:
    """Join plan.json's activities with the plan's staff, venues and the catalogue's names."""
    plan = loaded.plan
    lang = plan.campaign.language
    cat = catalogue()
    formats = resolve_formats(plan)
    staff = {s.id: s for s in plan.staff}
    venues = {v.id: v for v in plan.venues}
    custom_audiences = {a.id: a.name for a in plan.audiences}
    custom_frauds = {f.id: f for f in plan.fraud_types}
    key_names = {k: info.name(lang) for k, info in cat.key_dates.items()}
    if plan.tactics.key_dates:
        key_names.update({k.id: k.name for k in plan.tactics.key_dates.custom})

    def audience_name(a: str) -> str:
        return cat.audiences[a].name(lang) if a in cat.audiences else custom_audiences.get(a, a)

    def theme(t: str | None) -> tuple[str, list[str]]:
        if t is None:
            return "", []
        if t in cat.fraud_types:
            info = cat.fraud_types[t]
            return info.name(lang), list(info.talking_points[lang])
        if t in custom_frauds:
            return custom_frauds[t].name, list(custom_frauds[t].talking_points)
        return t, []

    tz = ZoneInfo(plan.station.timezone)

    def local(text: str) -> datetime:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)

    def activity_view(raw: dict[str, Any]) -> ActivityView:
        fmt = formats.get(raw["activity"])
        venue = venues.get(raw["venue"]) if raw.get("venue") else None
        kind = venue.kind if venue else None
        theme_name, points = theme(raw.get("theme"))
        key = raw.get("key_date")
        counts = material_counts(raw, fmt)
        return ActivityView(
            id=raw["id"],
            format=raw["activity"],
            format_name=fmt.name(lang) if fmt else raw["activity"],
            venue=venue,
            # a venue the plan no longer has (a withdrawn activity's): its id, not "online"
            venue_name=venue.name if venue else str(raw["venue"]) if raw.get("venue") else ONLINE[lang],
            kind=kind,
            kind_name=cat.venue_kinds[kind].name(lang) if kind else "" if raw.get("venue") else ONLINE[lang],
            start=local(raw["start"]),
            end=local(raw["end"]),
            staff=[staff[s] for s in raw.get("staff", []) if s in staff],
            theme=raw.get("theme"),
            theme_name=theme_name,
            talking_points=points,
            audiences=list(raw.get("audiences", [])),
            audience_names=[audience_name(a) for a in raw.get("audiences", [])],
            tactics=list(raw.get("tactics", [])),
            key_date=key,
            key_date_name=key_names.get(key, key) if key else None,
            reach=int(raw.get("reach") or 0),
            materials=[material_text(m, n, lang) for m, n in counts.items()],
            material_ids=list(counts),
            material_counts=counts,
            tactic_names=[tactic_name(t, lang) for t in raw.get("tactics", [])],
            expected_installs=round(int(raw.get("reach") or 0) * (fmt.app_install_rate if fmt else 0)),
            raw=raw,
        )

    views = sorted((activity_view(raw) for raw in data.get("activities", [])), key=lambda a: (a.start, a.id))
    # `planner replan`: cancelled activities, and people taken off an activity, still get
    # the event, as CANCELLED, so that calendar clients remove it
    cancelled = sorted((activity_view({**raw, "status": "cancelled"}) for raw in data.get("cancelled", [])),
                       key=lambda a: (a.start, a.id))
    released = sorted((activity_view({**raw, "status": "cancelled",
                                      "staff": [s for s in raw["released"] if s not in raw.get("staff", [])]})
                       for raw in data.get("activities", []) if raw.get("released")), key=lambda a: (a.start, a.id))
    return PlanView(loaded, data, views, cancelled, released)
