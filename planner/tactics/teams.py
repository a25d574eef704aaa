"""Teams as units (宣讲团, 文艺小分队): a format's needs name one team, or one of several.

`needs: {team: 警宝反诈宣讲团}` sends the whole team; `needs: {team: [宣讲一组, 宣讲二组]}` or a
kind of team (`team: "*宣讲团"`) takes the need's people (roles, head count, skills) from one
of those teams, never a mix. The hard rule (one_team) is staffing's, in the master, the person-level
model and the greedy plan alike; planner.verify checks it again.

A team's home area is the area most of its members work from (a team with no area, such as a
city-wide troupe, has none and works everywhere). `team_area: stay` keeps a team's activities
in its home area (hard: the other teams are never offered there); by default (`prefer`) an
activity of a team outside its home area costs weights.team_area (home_area).

Soft, tour: a whole team's activity (a troupe's show) held again at a venue it has played costs
weights.tour per repeat, so the troupe tours the venues rather than returning to one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from planner.candidates import Candidate
from planner.capacity import Quota
from planner.formats import home_areas, resolve_formats
from planner.tactics.base import Ctx, MasterCtx, PersonCtx, ScoreRow
from planner.targets import effective_targets

NAME = "teams"
ORDER = 11  # after staffing (10), which picks the teams
RANK = 72  # beside staffing in the score
GREEDY_STEP = 15  # after key dates, before the weekly lines take the troupe's members one by one


def enabled(plan: Any) -> bool:
    formats = resolve_formats(plan)
    used = {f.needs.team for f in formats.values()} | {t for f in formats.values() for t in f.needs.teams}
    return any(s.team for s in plan.staff) and bool(used - {None}) and \
        (plan.weights.team_area > 0 or plan.weights.tour > 0)


def add(ctx: Ctx) -> None:
    home_area(ctx)
    tour(ctx)


def home_area(ctx: Ctx) -> None:
    """weights.team_area per activity of a team held outside the team's home area."""
    home = home_areas(ctx.plan)
    terms: list[tuple[Any, float]] = []
    for i, st in enumerate(ctx.staffing):
        c = ctx.cands[i]
        if not st.choices or not c.venue or not c.area:
            continue
        away = {t for t in st.choices if home.get(t) not in (None, c.area)}
        if not away:
            continue
        if isinstance(ctx, PersonCtx):
            terms += [(y, 1.0) for t, y in sorted(ctx.team_choice.get(i, {}).items()) if t in away]
        elif isinstance(ctx, MasterCtx) and away == set(st.choices):  # the master picks no team: only sure costs
            terms.append((ctx.x[i], 1.0))
    ctx.cost(NAME, "home_area", terms, "team_area")


def tour(ctx: Ctx) -> None:
    """weights.tour per repeat of a whole team's activity at a venue the team has played."""
    m = ctx.model
    by_venue: dict[tuple[tuple[int, ...], str], list] = defaultdict(list)
    for i, st in enumerate(ctx.staffing):
        c = ctx.cands[i]
        if st.team and c.venue:
            by_venue[(st.team, c.venue)].append(ctx.x[i])
    before: dict[tuple[tuple[int, ...], str], int] = defaultdict(int)  # shows in earlier parts of the solve
    for c, staff in ctx.carry.activities:
        ids = {ctx.staff_index[s] for s in staff}
        for team, venue in by_venue:
            if venue == c.venue and set(team) <= ids:
                before[(team, venue)] += 1
    terms = []
    for (team, venue), xs in sorted(by_venue.items()):
        if before[(team, venue)]:  # played there in an earlier part (charged there): every show here repeats
            terms += [(x, 1.0) for x in xs]
            continue
        if len(xs) < 2:
            continue
        repeats = m.new_int_var(0, len(xs), f"tour[{ctx.staff[team[0]].team},{venue}]")
        m.add(repeats >= sum(xs) - 1)
        terms.append((repeats, 1.0))
    ctx.cost(NAME, "tour", terms, "tour")


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    """A troupe's shows first: each month's target of a whole team's format, before the team's
    members are spent one by one on stalls and visits (which leave the team never all free)."""
    if ctx.plan.targets is None:
        return []
    whole = sorted({c.format for c, st in zip(ctx.cands, ctx.staffing) if st.team})
    if not whole:
        return []
    months = effective_targets(ctx.plan).months
    out = []
    for period in ctx.periods("month"):
        wanted = months.get(period.label)
        if wanted is None or not ctx.in_chunk(period):
            continue
        for fmt in whole:
            n = (wanted.activities or {}).get(fmt, 0)
            if n:
                out.append(Quota(NAME, "tour", GREEDY_STEP, "count", n, period, of_format(fmt),
                                 order=("reach", "day", "id")))
    return out


def of_format(fmt: str) -> Callable[[Candidate], bool]:
    return lambda c: c.format == fmt


def score(plan: Any, calendar: Any, activities: list, row: ScoreRow) -> None:
    """Activities whose need names teams, staffed by one team in its home area (or a team with none)."""
    formats = resolve_formats(plan)
    team_of = {s.id: s.team for s in plan.staff}
    home = home_areas(plan)
    venues = {v.id: v for v in plan.venues}
    met = required = 0
    for a in activities:
        fmt = formats.get(a.cand.format)
        if fmt is None or not fmt.needs.teams or not a.staff:
            continue
        required += 1
        theirs = {team_of.get(s) for s in a.staff}
        venue = venues.get(a.cand.venue) if a.cand.venue else None
        if len(theirs) == 1 and (venue is None or home.get(next(iter(theirs)) or "") in (None, venue.area)):
            met += 1
    row.met, row.required = met, required


__all__ = ["add", "enabled", "home_area", "tour", "greedy_quotas", "score"]
