"""Staffing: who goes to each activity.

Every activity's needs become typed positions: (role or any role, skills the holder must
have), plus a team that goes as a unit. Activities on the same day, at the same time and in
the same area form a group; a person is assigned to a position type in a group
(u[person, group, type]), and the group's positions of a type equal the sum over its
chosen activities. Positions of one type are interchangeable, so handing the group's people
out to its activities afterwards always works, and the model needs one variable per person
per group instead of one per person per activity (a city's 80 community stalls at 17:30 in
one district share the same few variables).

Hard rules: needs met (roles, skills, the team as a unit), only available staff (leave,
duty rota), nobody in two places at once or without the travel time between areas, at most
max_activities_per_week. Soft: travel between areas (weights.travel, per 10 minutes).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from planner import messages
from planner.capacity import hall_families
from planner.formats import home_areas, match_teams
from planner.model import Staff
from planner.tactics.base import (
    PARTS,
    Ctx,
    Group,
    MasterCtx,
    Need,
    PersonCtx,
    PositionType,
    ScoreRow,
    Staffing,
    part_of,
    reachable,
    skill_words,
    travel_minutes,
)
from planner.vocab import ROLE_WORDS, fills, paired_roles

NAME = "staffing"
ORDER = 10  # builds the model after lower ORDERs
RANK = 70  # where it shows in the score and unmet goals
CORE = True  # in every model, whichever tactics are chosen
PREPARE_ORDER = 1000  # prepares last: positions follow the needs the tactics adjusted
ONLINE_AREA = "@online"


def enabled(plan) -> bool:
    return True  # who goes where is never optional


@dataclass
class Needs:
    """Formats' needs as read once per model (tactics adjust copies per candidate)."""

    base: dict[str, tuple] = field(default_factory=dict)


def base_need(ctx: Ctx, fmt_id: str) -> Need:
    """A fresh Need for the format (tactics may adjust it per candidate)."""
    cache = ctx.state(Needs).base
    if fmt_id not in cache:
        n = ctx.cset.formats[fmt_id].needs
        roles = {r: getattr(n, r) for r in ("police", "auxiliary", "grid_worker", "volunteer") if getattr(n, r)}
        one_of = tuple(match_teams(n.teams, {s.team for s in ctx.staff if s.team})) if n.teams else ()
        cache[fmt_id] = (roles, n.people or 0, tuple(n.skills), n.team, one_of, n.team_area == "stay")
    roles, people, skills, team, one_of, stay = cache[fmt_id]
    return Need(roles, people, skills, team, one_of, stay)


def teams(staff: list[Staff]) -> dict[str, tuple[int, ...]]:
    out: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(staff):
        if s.team:
            out[s.team].append(i)
    return {k: tuple(v) for k, v in out.items()}


def fits(person: Staff, pt: PositionType) -> bool:
    role, skills = pt
    return fills(person.role, role) and all(s in person.skills for s in skills) \
        and person.max_activities_per_week > 0


def positions_for(need: Need, staff: list[Staff], team_of: dict[str, tuple[int, ...]],
                  words: messages.Messages | None = None) -> Staffing | str:
    """Typed positions for a need, or why it cannot be staffed at all: in `words`' language, or
    without `words` in the English that planner.search.score reads back (role ids, for its blame).

    A skill is attached to one position: a free any-role position if there is one, else the
    role whose staff most often have it. That is stricter than "someone on it has the
    skill" only when nobody of the chosen role has it while another role does, which the
    holder count rules out.
    """
    m = words or messages.for_language("en")
    members = team_of.get(need.team, ()) if need.team else ()
    if need.team and not members:
        return m._("no staff member is in team {team}").format(team=need.team)
    covered: Counter[str] = Counter(staff[m].role for m in members)
    residual = {r: n - covered[r] for r, n in sorted(need.roles.items()) if n - covered[r] > 0}
    team_skills = {s for m in members for s in staff[m].skills}
    skills = [s for s in need.skills if s not in team_skills]
    n_roles = sum(residual.values())
    any_n = max(0, need.people - len(members) - n_roles) if members else max(0, max(need.people, 1) - n_roles)
    slots: list[tuple[str, set[str]]] = [(r, set()) for r, n in residual.items() for _ in range(n)]
    slots += [("*", set()) for _ in range(any_n)]

    def holders(slot: tuple[str, set[str]], skill: str) -> int:
        pt = (slot[0], tuple(sorted(slot[1] | {skill})))
        return sum(1 for p in staff if fits(p, pt))

    for skill in skills:
        if not slots:
            slots.append(("*", set()))
        best = max(slots, key=lambda sl: (holders(sl, skill) > 0, not sl[1], sl[0] == "*", holders(sl, skill)))
        if holders(best, skill) == 0:
            roles = m._(", ").join(m._(ROLE_WORDS[r]) if r in ROLE_WORDS else m._("any role")
                                   for r in sorted({sl[0] for sl in slots}))
            return m._("nobody ({roles}) has the skill {skill}").format(roles=roles, skill=skill_words(m, skill))
        best[1].add(skill)
    positions = Counter((r, tuple(sorted(sk))) for r, sk in slots)
    for pt, n in positions.items():
        if sum(1 for p in staff if fits(p, pt)) < n:
            if words is None:  # the ids, as planner.search.score reads them
                role = "people" if pt[0] == "*" else pt[0]
            else:
                role = m._p("needs", "people") if pt[0] == "*" else m._(ROLE_WORDS.get(pt[0], pt[0]))
            if pt[1]:
                return m._("needs {n} {role} with {skills}; the staff list has fewer").format(
                    n=n, role=role, skills=m._(", ").join(skill_words(m, k) for k in pt[1]))
            return m._("needs {n} {role}; the staff list has fewer").format(n=n, role=role)
    return Staffing(dict(sorted(positions.items())), tuple(members))


TEAM_AWAY = messages.N_("team {team} not all available")
NOBODY_FREE = messages.N_("not enough staff free that day")
NO_TEAM = messages.N_("none of its teams has the people free there that day")


def dropped_words(plan: Any, fmt_id: str, formats: dict, what: str, words: messages.Messages) -> str:
    """A reason candidates were dropped (recorded in English, which planner.search.score reads)
    in `words`' language: positions_for's reason found again from the format's need, as it is
    or with an officer and a grid worker added (grid_and_police), else as it was."""
    if what in (NOBODY_FREE, NO_TEAM):
        return words._(what)
    if what.startswith("team ") and what.endswith(" not all available"):
        return words._(TEAM_AWAY).format(team=what[len("team "):-len(" not all available")])
    fmt = formats.get(fmt_id)
    if fmt is None:
        return what
    n = fmt.needs
    roles = {r: getattr(n, r) for r in ("police", "auxiliary", "grid_worker", "volunteer") if getattr(n, r)}
    paired = paired_roles(roles)
    team_of = teams(plan.staff)
    for r in (roles, paired):
        need = Need(r, n.people or 0, tuple(n.skills), n.team, tuple(n.teams))
        if positions_for(need, plan.staff, team_of) == what:
            found = positions_for(need, plan.staff, team_of, words)
            return found if isinstance(found, str) else what
    return what


def prepare(ctx: Ctx) -> None:
    """Typed positions per candidate; drop candidates nobody can staff on their day."""
    team_of = teams(ctx.staff)
    home = home_areas(ctx.plan)
    fill_cache: dict[tuple, bool] = {}
    claimants: dict[str, list[int]] = defaultdict(list)
    for i, person in enumerate(ctx.staff):
        for v in person.claims:
            claimants[v].append(i)
    cache: dict[tuple, Staffing | str] = {}
    free_count: dict[tuple, int] = {}
    verdicts: dict[tuple, bool] = {}
    keep, needs, staffing = [], [], []
    for c, need in zip(ctx.cands, ctx.needs):
        key = need.key()
        if key not in cache:
            cache[key] = positions_for(need, ctx.staff, team_of)  # English: search.score parses it
        st = cache[key]
        if isinstance(st, str):
            ctx.dropped[f"{c.format}: {st}"] += 1
            continue
        if any(not ctx.free_at(m, c.day, c.start_min) for m in st.team):
            ctx.dropped[f"{c.format}: {TEAM_AWAY.format(team=need.team)}"] += 1
            continue
        area = c.area if c.venue else ONLINE_AREA
        verdict_key = (key, c.day, area, c.venue if c.venue in claimants else None)
        ok = verdicts.get(verdict_key)
        if ok is None:
            ok = True
            for pt, n in st.positions.items():
                k = (c.day, pt, area)
                if k not in free_count:  # who may fill it that day, not counting claims
                    free_count[k] = sum(1 for i, p in enumerate(ctx.staff) if ctx.available[i][c.day]
                                        and fits(p, pt) and eligible_area(ctx, i, area, None))
                extra = sum(1 for i in claimants.get(c.venue or "", ()) if ctx.available[i][c.day]
                            and fits(ctx.staff[i], pt) and not eligible_area(ctx, i, area, None))
                if free_count[k] + extra - sum(1 for i in st.team if fits(ctx.staff[i], pt)) < n:
                    ok = False
                    break
            verdicts[verdict_key] = ok
        if not ok:
            ctx.dropped[f"{c.format}: {NOBODY_FREE}"] += 1
            continue
        if need.teams:
            choices = tuple(t for t in need.teams if (not need.stay or home.get(t) in (None, c.area))
                            and team_can_fill(ctx, team_of.get(t, ()), st, c, fill_cache, t))
            if not choices:
                ctx.dropped[f"{c.format}: {NO_TEAM}"] += 1
                continue
            st = replace(st, choices=choices)
        keep.append(c)
        needs.append(need)
        staffing.append(st)
    ctx.cands, ctx.needs = keep, needs
    ctx.staffing = staffing
    ctx.teams = team_of


def team_can_fill(ctx: Ctx, members: tuple[int, ...], st: Staffing, c: Any, cache: dict, team: str) -> bool:
    """Whether the team's members free at c's time fill every position of st (a matching)."""
    key = (team, tuple(sorted(st.positions.items())), c.day, c.start_min)
    if key not in cache:
        slots = [pt for pt, n in st.positions.items() for _ in range(n)]
        free = [p for p in members if ctx.free_at(p, c.day, c.start_min) and ctx.staff[p].max_activities_per_week > 0]
        holder: dict[int, int] = {}

        def options(p: int) -> list[int]:
            return [k for k, pt in enumerate(slots) if fits(ctx.staff[p], pt)]

        for p in free:
            augment(p, options, holder, set())
        cache[key] = len(holder) == len(slots)
    return bool(cache[key])


def eligible_area(ctx: Ctx, person: int, area: str | None, venue: str | None) -> bool:
    """Nobody goes further than MAX_TRAVEL_MINUTES from their area; large plans keep staff
    in their own area (or at venues they claimed)."""
    if area == ONLINE_AREA:
        return True
    p = ctx.staff[person]
    if p.area is None or not area:
        return True
    if venue is not None and venue in p.claims:
        return True
    if ctx.area_bound:
        return p.area == area
    return reachable(ctx.plan, p.area, area)


def add(ctx: Ctx) -> None:
    if isinstance(ctx, MasterCtx):
        capacity(ctx)
        return
    assert isinstance(ctx, PersonCtx)
    groups = build_groups(ctx)
    assign_people(ctx, groups)
    one_team(ctx, groups)
    one_place_at_a_time(ctx, groups)
    weekly_limit(ctx)
    travel_between_areas(ctx, groups)


# --- the master: staffing as capacities ---------------------------------------------------------------

def families(ctx: Ctx, types: list[PositionType]) -> list[tuple[frozenset, frozenset]]:
    """The Hall families of these position types among the staff (planner.capacity.hall_families)."""
    return hall_families({pt: frozenset(p for p, person in enumerate(ctx.staff) if fits(person, pt)) for pt in types})


def capacity(ctx: MasterCtx) -> None:
    """Master: a[person, day, part, area] says who works where in which part of which day.
    In each part and area the positions of every family are at most its people working
    there (exact, by Hall); a person works in one area per part, at most
    max_activities_per_week parts a week, and pays the travel to areas not their own. What
    the master leaves out (overlaps across parts, who takes which activity) is settled
    person by person afterwards."""
    m = ctx.model
    st = ctx.staffing
    types = sorted({pt for x in st for pt in x.positions})
    fams = families(ctx, types)
    slots: dict[tuple[int, int], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, c in enumerate(ctx.cands):
        area = (c.area or "") if c.venue else ONLINE_AREA
        slots[(c.day, part_of(c.start_min))][area].append(i)
    earlier: dict[tuple[int, str], int] = defaultdict(int)
    for c, staff in ctx.carry.activities:
        for sid in staff:
            earlier[(ctx.staff_index[sid], ctx.week(c.day))] += 1
    a: dict[tuple[int, int, int, str], Any] = {}
    per_week: dict[tuple[int, str], list] = defaultdict(list)
    travel = []
    demand: dict[tuple[int, int, str], dict[PositionType, Any]] = {}
    for (d, part), by_area in sorted(slots.items()):
        per_person: dict[int, list] = defaultdict(list)
        for area, idx in sorted(by_area.items()):
            needed: dict[PositionType, list] = defaultdict(list)
            team_x: dict[tuple, list] = defaultdict(list)
            for i in idx:
                for pt, n in st[i].positions.items():
                    needed[pt].append((ctx.x[i], n))
                if st[i].team:
                    team_x[st[i].team].append(ctx.x[i])
            venues = {ctx.cands[i].venue for i in idx}
            here: dict[PositionType, Any] = {}
            for pt, terms in sorted(needed.items()):
                if len(terms) == 1 and terms[0][1] == 1:
                    here[pt] = terms[0][0]
                else:
                    here[pt] = m.new_int_var(0, sum(n for _, n in terms), f"demand[{d},{part},{pt[0]},{area}]")
                    m.add(here[pt] == sum(n * v for v, n in terms))
            demand[(d, part, area)] = here
            members = {p for team in team_x for p in team}
            for p, person in enumerate(ctx.staff):
                if not ctx.available[p][d] or person.max_activities_per_week <= 0:
                    continue
                if p not in members and not any(fits(person, pt) for pt in here):
                    continue
                if (p, d) in ctx.not_before and not any(ctx.free_at(p, d, ctx.cands[i].start_min) for i in idx):
                    continue
                # a team goes as a unit wherever its activity is, as in the person-level model
                if p not in members and not any(eligible_area(ctx, p, area, v) for v in venues):
                    continue
                var = m.new_bool_var(f"a[{person.id},{d},{PARTS[part][1]},{area}]")
                a[(p, d, part, area)] = var
                per_person[p].append(var)
                per_week[(p, ctx.week(d))].append(var)
                minutes = travel_minutes(ctx.plan, person.area, None if area in ("", ONLINE_AREA) else area)
                if minutes:
                    travel.append((var, minutes / 10))
            for fam, people in fams:
                terms = [here[pt] for pt in fam if pt in here]
                if terms:
                    have = [a[(p, d, part, area)] for p in sorted(people) if (p, d, part, area) in a]
                    m.add(sum(terms) <= (sum(have) if have else 0))
                    ctx.hard("capacity_per_part_of_day")
            # everyone working there fills exactly one place: a[] is each person's real load
            working = [a[(p, d, part, area)] for p in range(len(ctx.staff)) if (p, d, part, area) in a]
            places = list(here.values()) + [len(team) * v for team, vs in team_x.items() for v in vs]
            m.add(sum(working) == sum(places)) if working else m.add(sum(places) == 0)
            for team, vs in sorted(team_x.items()):
                for p in team:
                    m.add(sum(vs) <= a.get((p, d, part, area), 0))
                ctx.hard("team_as_unit")
            # one_team: an activity only one team may staff takes that many of its members working here
            one_of: dict[str, list] = defaultdict(list)
            for i in idx:
                if len(st[i].choices) == 1:
                    one_of[st[i].choices[0]].append((ctx.x[i], sum(st[i].positions.values())))
            for team_name, terms in sorted(one_of.items()):
                have = [a[(p, d, part, area)] for p in ctx.teams.get(team_name, ()) if (p, d, part, area) in a]
                m.add(sum(n * v for v, n in terms) <= sum(have)) if have else m.add(sum(v for v, _ in terms) == 0)
                ctx.hard("one_team")
        for vs in per_person.values():
            if len(vs) > 1:
                m.add_at_most_one(vs)
    for (p, week), vs in sorted(per_week.items()):
        cap = ctx.staff[p].max_activities_per_week - earlier[(p, week)]
        if len(vs) > cap:
            m.add(sum(vs) <= max(0, cap))
            ctx.hard("max_activities_per_week")
    ctx.cost(NAME, "travel", travel, "travel")
    ctx.a = a
    ctx.demand = demand


# --- the person-level model ------------------------------------------------------------------------


def build_groups(ctx: PersonCtx) -> list[Group]:
    """Activities at the same time in the same area share their staff variables."""
    index: dict[tuple, int] = {}
    groups: list[Group] = []
    for i, c in enumerate(ctx.cands):
        area = (c.area or "") if c.venue else ONLINE_AREA
        key = (c.day, c.start_min, c.end_min, area)
        if key not in index:
            index[key] = len(groups)
            groups.append(Group(c.day, c.start_min, c.end_min, area))
        groups[index[key]].cands.append(i)
    ctx.groups = groups
    return groups


def assign_people(ctx: PersonCtx, groups: list[Group]) -> None:
    """needs_met: each position type in a group is filled by exactly as many people as its
    chosen activities need; team_as_unit: a team's members all go, so one team activity per group."""
    m = ctx.model
    staffing = ctx.staffing
    u: dict[tuple[int, int, PositionType], Any] = {}
    lits: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))  # person → group → literals
    fitting: dict[PositionType, list[int]] = {}
    for g, group in enumerate(groups):
        demand: dict[PositionType, list] = defaultdict(list)
        team_cands: dict[tuple[int, ...], list[int]] = defaultdict(list)
        venues_in_group = {ctx.cands[i].venue for i in group.cands}
        for i in group.cands:
            st = staffing[i]
            for pt, n in st.positions.items():
                demand[pt].append((i, n))
            if st.team:
                team_cands[st.team].append(i)
        for pt in sorted(demand):
            people = []
            if pt not in fitting:
                fitting[pt] = [p for p, person in enumerate(ctx.staff) if fits(person, pt)]
            for p in fitting[pt]:
                person = ctx.staff[p]
                if not ctx.free_at(p, group.day, group.start):
                    continue
                if not any(eligible_area(ctx, p, group.area, v) for v in venues_in_group):
                    continue
                var = m.new_bool_var(f"u[{person.id},{g},{pt[0]}{'+' + '+'.join(pt[1]) if pt[1] else ''}]")
                u[(p, g, pt)] = var
                lits[p][g].append(var)
                people.append(var)
            m.add(sum(people) == sum(n * ctx.x[i] for i, n in demand[pt]))
            ctx.hard("needs_met")
        for members, cands in sorted(team_cands.items()):
            if len(cands) > 1:
                m.add_at_most_one(ctx.x[i] for i in cands)
            for p in members:
                lits[p][g].extend(ctx.x[i] for i in cands)
            ctx.hard("team_as_unit")
    ctx.u = u
    ctx.lits = lits


def one_team(ctx: PersonCtx, groups: list[Group]) -> None:
    """one_team: an activity whose need names teams is staffed by one of them, never mixed.
    team[activity, team] picks the team (x itself when only one may go); in each group the
    members of a team on a position type are at least what its picked activities ask for, so
    handing people out (disaggregate) gives each such activity its own team's members."""
    m = ctx.model
    st = ctx.staffing
    choice: dict[int, dict[str, Any]] = {}
    for g, group in enumerate(groups):
        asked: dict[tuple[str, PositionType], list] = defaultdict(list)
        for i in group.cands:
            options = st[i].choices
            if not options:
                continue
            if len(options) == 1:
                ys = {options[0]: ctx.x[i]}
            else:
                ys = {t: m.new_bool_var(f"team[{ctx.cands[i].id},{t}]") for t in options}
                m.add(sum(ys.values()) == ctx.x[i])
            choice[i] = ys
            for t, y in ys.items():
                for pt, n in st[i].positions.items():
                    asked[(t, pt)].append((y, n))
        for (t, pt), terms in sorted(asked.items()):
            have = [ctx.u[(p, g, pt)] for p in ctx.teams.get(t, ()) if (p, g, pt) in ctx.u]
            m.add(sum(have) >= sum(n * y for y, n in terms)) if have else m.add(sum(y for y, _ in terms) == 0)
            ctx.hard("one_team")
    ctx.team_choice = choice


def _conflict(ctx: Ctx, a: Group, b: Group) -> bool:
    ta = travel_minutes(ctx.plan, _area(a), _area(b))
    return a.start < b.end + ta and b.start < a.end + ta


def _area(g: Group) -> str | None:
    return None if g.area in ("", ONLINE_AREA) else g.area


def conflict_cliques(ctx: Ctx, groups: list[Group]) -> list[list[int]]:
    """Cliques of groups that overlap (travel time included), covering every conflicting pair."""
    by_day: dict[int, list[int]] = defaultdict(list)
    for g, group in enumerate(groups):
        by_day[group.day].append(g)
    cliques: list[list[int]] = []
    for day in sorted(by_day):
        nodes = sorted(by_day[day], key=lambda g: (groups[g].start, groups[g].end, groups[g].area))
        adj = {a: {b for b in nodes if b != a and _conflict(ctx, groups[a], groups[b])} for a in nodes}
        covered: set[tuple[int, int]] = set()
        for a in nodes:
            while True:
                rest = [b for b in nodes if b in adj[a] and (min(a, b), max(a, b)) not in covered]
                if not rest:
                    break
                clique = [a, rest[0]]
                for c in nodes:
                    if c not in clique and all(c in adj[q] for q in clique):
                        clique.append(c)
                for i, q in enumerate(clique):
                    for r in clique[i + 1:]:
                        covered.add((min(q, r), max(q, r)))
                cliques.append(clique)
    return cliques


def one_place_at_a_time(ctx: PersonCtx, groups: list[Group]) -> None:
    """no_double_booking: a person fills one position per group, and one group of any set
    that overlaps in time once travel between their areas is added."""
    m = ctx.model
    lits = ctx.lits
    cliques = conflict_cliques(ctx, groups)
    for p in sorted(lits):
        mine = lits[p]
        by_part: dict[tuple[int, int], list] = defaultdict(list)
        for g in sorted(mine):
            by_part[(groups[g].day, part_of(groups[g].start))].extend(mine[g])
        for vs in by_part.values():
            if len(vs) > 1:
                m.add_at_most_one(vs)
                ctx.hard("one_activity_per_part_of_day")
        for clique in cliques:
            present = [g for g in clique if g in mine]
            if len(present) > 1:
                m.add_at_most_one([v for g in present for v in mine[g]])
                ctx.hard("no_double_booking")


def weekly_limit(ctx: PersonCtx) -> None:
    """max_activities_per_week, counting what earlier chunks already gave the person that week."""
    groups = ctx.groups
    lits = ctx.lits
    earlier: dict[tuple[str, str], int] = defaultdict(int)
    for c, staff in ctx.carry.activities:
        for s in staff:
            earlier[(s, ctx.week(c.day))] += 1
    for p in sorted(lits):
        person = ctx.staff[p]
        by_week: dict[str, list] = defaultdict(list)
        for g, vs in lits[p].items():
            by_week[ctx.week(groups[g].day)].extend(vs)
        for week, vs in sorted(by_week.items()):
            cap = person.max_activities_per_week - earlier[(person.id, week)]
            if len(vs) > cap:
                ctx.model.add(sum(vs) <= max(cap, 0))
                ctx.hard("max_activities_per_week")


def travel_between_areas(ctx: PersonCtx, groups: list[Group]) -> None:
    """Soft: working outside one's own area costs the travel there (per 10 minutes)."""
    terms = []
    for (p, g, _), var in ctx.u.items():
        minutes = travel_minutes(ctx.plan, ctx.staff[p].area, _area(groups[g]))
        if minutes:
            terms.append((var, minutes / 10))
    staffing = ctx.staffing
    for i, c in enumerate(ctx.cands):
        for p in staffing[i].team:
            minutes = travel_minutes(ctx.plan, ctx.staff[p].area, c.area)
            if minutes:
                terms.append((ctx.x[i], minutes / 10))
    ctx.cost(NAME, "travel", terms, "travel")


def person_literals(ctx: Ctx) -> dict[int, list[tuple[int, Any]]]:
    """Person → (day, literal) for every activity they may be given: their load."""
    if isinstance(ctx, MasterCtx):
        out_m: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        for (p, d, _part, _area), v in sorted(ctx.a.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2],
                                                                                  kv[0][3])):
            out_m[p].append((d, v))
        return out_m
    assert isinstance(ctx, PersonCtx)
    groups = ctx.groups
    out: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    for p, by_group in ctx.lits.items():
        for g, vs in sorted(by_group.items()):
            out[p].extend((groups[g].day, v) for v in vs)
    return out


def augment(p: int, options: Callable[[int], Iterable[int]], holder: dict[int, int], seen: set[int]) -> bool:
    """Place person p on one of their `options` (slot indexes) in `holder` (slot → person),
    moving others along an augmenting path if need be; slots in `seen` are not tried."""
    for k in options(p):
        if k in seen:
            continue
        seen.add(k)
        if k not in holder or augment(holder[k], options, holder, seen):
            holder[k] = p
            return True
    return False


def disaggregate(ctx: PersonCtx, chosen: list[int], value, prefer: dict[int, list[int]] | None = None
                 ) -> tuple[dict[int, list[int]], set[int]]:
    """Hand each group's people to its chosen activities: candidate → staff indexes.

    `prefer` maps a candidate to people who should go there if they are in the group (claims).
    Also returns the candidates the group's people could not fill (an inconsistent solution,
    seen once under heavy machine load): the caller drops them rather than send too few people.
    """
    groups = ctx.groups
    staffing = ctx.staffing
    u = ctx.u
    chosen_set = set(chosen)
    short: set[int] = set()
    people_of: dict[int, list[int]] = defaultdict(list)
    by_group: dict[int, list[tuple[int, PositionType]]] = defaultdict(list)
    for (p, g, pt), var in u.items():
        if value(var):
            by_group[g].append((p, pt))
    for g, group in enumerate(groups):
        todo = [i for i in group.cands if i in chosen_set]
        if not todo:
            continue
        for i in todo:
            people_of[i].extend(staffing[i].team)
        pool: dict[PositionType, list[int]] = defaultdict(list)
        for p, pt in sorted(by_group.get(g, [])):
            pool[pt].append(p)
        for pt, people in pool.items():
            taken: set[int] = set()
            # an activity of one team first, from that team's members (one_team keeps enough of them)
            for i in todo:
                if not staffing[i].choices:
                    continue
                team = picked_team(ctx, i, value)
                own = [p for p in people if p not in taken and ctx.staff[p].team == team]
                for _ in range(staffing[i].positions.get(pt, 0)):
                    if own:
                        p = own.pop(0)
                        people_of[i].append(p)
                        taken.add(p)
                    else:
                        short.add(i)
            people = [p for p in people if p not in taken]
            slots = [i for i in todo if not staffing[i].choices for _ in range(staffing[i].positions.get(pt, 0))]
            # claimants first, to the activity they claimed
            for k, i in enumerate(slots):
                for p in (prefer or {}).get(i, []):
                    if p in people and p not in taken:
                        people_of[i].append(p)
                        taken.add(p)
                        slots[k] = -1
                        break
            rest = [p for p in people if p not in taken]
            for i in slots:
                if i >= 0:
                    if rest:
                        people_of[i].append(rest.pop(0))
                    else:
                        short.add(i)
    return people_of, short


def picked_team(ctx: PersonCtx, i: int, value: Callable[[Any], Any]) -> str | None:
    """The team one_team picked for candidate i in a solution."""
    return next((t for t, y in ctx.team_choice.get(i, {}).items() if value(y)), None)


def score(plan, calendar, activities: list, row: ScoreRow) -> None:
    """Every planned activity is staffed: one met rule each."""
    row.met = row.required = len(activities)


__all__ = ["prepare", "add", "base_need", "positions_for", "dropped_words", "fits", "augment", "disaggregate",
           "person_literals",
           "Staffing", "Group", "ONLINE_AREA", "score"]
