"""Activity formats as a plan sees them: the catalogue's, with the plan's overrides applied."""

from __future__ import annotations

from collections import Counter, defaultdict
from fnmatch import fnmatchcase

from planner.catalogue import Format, MaterialUse, Named, Needs, Reach, Window, catalogue, defaults
from planner.model import Plan


def is_team_kind(name: str) -> bool:
    """A team named by a pattern (`*宣讲团`): a kind of team, so one of them, not a whole team."""
    return any(ch in name for ch in "*?[")


def match_teams(patterns: list[str], names: set[str] | list[str]) -> list[str]:
    """The teams among `names` that `patterns` (names, or patterns such as *宣讲团) name, sorted."""
    return sorted(n for n in set(names) if any(fnmatchcase(n, p) for p in patterns))


def home_areas(plan: Plan) -> dict[str, str | None]:
    """Each team's home area: the area most of its members work from (ties: the first by name);
    None for a team whose members have no area, which works everywhere (a city-wide troupe)."""
    areas: dict[str, Counter[str]] = defaultdict(Counter)
    for s in plan.staff:
        if s.team:
            areas[s.team].update([s.area] if s.area else [])
    return {t: (min(c, key=lambda a: (-c[a], a)) if c else None) for t, c in areas.items()}


def resolve_formats(plan: Plan) -> dict[str, Format]:
    cat = catalogue()
    resolved: dict[str, Format] = dict(cat.formats)
    new = defaults()["new_format"]
    for name, override in plan.activities.items():
        base = resolved.get(name)
        needs = base.needs.model_dump() if base else Needs().model_dump()
        if override.needs is not None:
            given = override.needs.model_dump(exclude_none=True)
            team = given.pop("team", None)
            if isinstance(team, str) and not is_team_kind(team):  # the team replaces the role counts: a unit
                needs = {"team": team}
            elif team is not None:  # one of these teams: the need's people all come from one of them
                needs.update(team=None, teams=[team] if isinstance(team, str) else list(team))
            needs.update(given)
        fields = {
            "zh": override.name or (base.zh if base else name),
            "en": override.name or (base.en if base else name),
            "duration": override.duration or base.duration if base else override.duration,
            "needs": Needs(**needs),
            "kinds": [] if override.online else (override.kinds if override.kinds is not None
                                                 else base.kinds if base else []),
            "reach": base.reach if base else Reach(**new["reach"]),
            "app_install_rate": base.app_install_rate if base else new["app_install_rate"],
            "materials": _materials(base.materials if base else {}, override.materials),
        }
        resolved[name] = Format(**fields)
    return resolved


def _materials(base: dict[str, MaterialUse], override: dict[str, float | MaterialUse] | None) -> dict[str, MaterialUse]:
    """The catalogue's amounts with the plan's: a bare number means what the material's `per`
    says (per person, per household or a fixed count); a material set to 0 is dropped."""
    if not override:
        return dict(base)
    materials = catalogue().materials
    merged = dict(base)
    for material, given in override.items():
        use = given if isinstance(given, MaterialUse) else materials[material].use(float(given))
        if use.per_person or use.per_household or use.per_activity:
            merged[material] = use
        else:
            merged.pop(material, None)
    return merged


def resolve_windows(plan: Plan) -> dict[str, Window]:
    """Catalogue windows, with a format's own `windows:` replacing the catalogue's for it."""
    windows = {wid: w for wid, w in catalogue().windows.items()}
    formats = resolve_formats(plan)
    for name, override in plan.activities.items():
        if override.windows is None:
            continue
        for wid, window in list(windows.items()):
            if name in window.formats:
                rest = [f for f in window.formats if f != name]
                if rest:
                    windows[wid] = window.model_copy(update={"formats": rest})
                else:
                    del windows[wid]
        for i, own in enumerate(override.windows):
            kinds = own.kinds if own.kinds is not None else formats[name].kinds
            windows[f"{name}-{i + 1}"] = Window(
                zh=formats[name].zh, en=formats[name].en, formats=[name], kinds=kinds, days=own.days,
                times=own.time, source="plan")
    return windows


__all__ = ["resolve_formats", "resolve_windows", "Named", "is_team_kind", "match_teams", "home_areas"]
