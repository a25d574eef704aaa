"""Travel time between two areas of a plan.

An explicit `travel.pairs` entry wins; else, where both areas have venues with `geo`
coordinates, the straight-line (great-circle) distance between the areas' centres (the mean
of their venues' coordinates) at `travel.speed_kmh`, rounded up to a whole minute; else
`travel.between_areas`. Within one area, or where an area is not known, there is none.
"""

from __future__ import annotations

import math

from planner.model import Plan

EARTH_RADIUS_KM = 6371.0088  # the IUGG mean radius

# plan id → (plan, area → (lat, lon)): a plan's area centres, computed once (the plan is kept
# beside its id so a new plan at a reused address is never given another's centres)
_CENTRES: dict[int, tuple[Plan, dict[str, tuple[float, float]]]] = {}
_KEEP = 8


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def area_centres(plan: Plan) -> dict[str, tuple[float, float]]:
    """Each area's centre: the mean of the coordinates of its venues that give `geo`."""
    found = _CENTRES.get(id(plan))
    if found is not None and found[0] is plan:
        return found[1]
    points: dict[str, list[tuple[float, float]]] = {}
    for v in plan.venues:
        if v.area and v.geo is not None:
            points.setdefault(v.area, []).append((v.geo.lat, v.geo.lon))
    centres = {area: (sum(p[0] for p in ps) / len(ps), sum(p[1] for p in ps) / len(ps))
               for area, ps in sorted(points.items())}
    if len(_CENTRES) >= _KEEP:
        _CENTRES.pop(next(iter(_CENTRES)))
    _CENTRES[id(plan)] = (plan, centres)
    return centres


def minutes(plan: Plan, a: str | None, b: str | None) -> int:
    """Travel between two areas, in whole minutes (see the module's docstring)."""
    if a is None or b is None or a == b:
        return 0
    for pair in plan.travel.pairs:
        if {a, b} == set(pair.between):
            return int(pair.time.total_seconds() // 60)
    centres = area_centres(plan)
    if plan.travel.speed_kmh and a in centres and b in centres:
        return math.ceil(distance_km(centres[a], centres[b]) / plan.travel.speed_kmh * 60)
    return int(plan.travel.between_areas.total_seconds() // 60)


__all__ = ["distance_km", "area_centres", "minutes"]
