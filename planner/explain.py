"""`planner explain`: why a goal is unmet, or why no plan exists, as the smallest set of the
plan's own entries (YAML lines) that conflict.

For each goal (or, when no plan exists, "at least one activity anywhere") a small CP-SAT
model is built: the goal's venues, formats and days, every start the windows offer on any
day, staff per part of a day (Hall's condition, as the master model has it). Each entry of
the plan that restricts it is an assumption literal: a window's days (a 三时三地 line, a
format's own `windows:`), a closure, market days, school terms, each leave entry and duty
rota, max_activities_per_week, a format override in `activities:`, grid_and_police,
min_gap_days and the goal itself; with a plan, also each person's other activities in it
(capacity). Lifting an assumption lifts only that entry's restriction, so the model is a
relaxation of the scheduler's: whatever set it finds infeasible is infeasible for the
planner too. CP-SAT's sufficient assumptions are then shrunk to a minimal set by deletion
(drop one, re-solve), so an explanation names two or three entries, not thirty.

The built-in catalogue (its windows, formats' needs) is background: not the plan's lines.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from planner import messages
from planner.calendar import CampaignCalendar, build_calendar
from planner.candidates import (
    WindowSpec,
    _key_date_fit,
    fraud_type_audiences,
    matching_themes,
    resolve_window_specs,
    start_grid,
)
from planner.capacity import hall_families
from planner.catalogue import Format, catalogue
from planner.errors import dotted
from planner.formats import home_areas, match_teams, resolve_formats
from planner.loader import LoadedPlan
from planner.planfile import PlanFile
from planner.planjson import done_of_required
from planner.tactics import Need, Period, all_modules, campaign_periods, part_of
from planner.tactics.base import day_class_words
from planner.tactics.five_into import min_gap_days, too_close
from planner.tactics.staffing import fits, positions_for, teams
from planner.vocab import ROLE_WORDS

ONLINE = "@online"
#: "a week", "每周": the word after "a"/"每"
PER_WORDS = {"week": messages.NP_("per", "week"), "month": messages.NP_("per", "month"),
             "campaign": messages.NP_("per", "campaign")}


# --- what an explanation is ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One entry of the plan, in words, with where it is."""

    path: tuple
    where: str  # FILE:LINE
    text: str
    kind: str = ""  # window, closed, market, terms, leave, duty, cap, busy, visits, format, pairing, gap, goal

    def to_json(self) -> dict[str, Any]:
        return {"path": dotted(self.path), "where": self.where, "text": self.text, "kind": self.kind}


@dataclass
class Finding:
    """One goal (or the whole plan) and the entries that rule it out."""

    goal: str  # in words
    verdict: str  # conflict | capacity | room
    rules: list[Rule]
    tactic: str | None = None
    venue: str | None = None
    person: str | None = None
    period: str | None = None
    minimal: bool = True  # False when a re-solve ran out of time while shrinking
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["rules"] = [r.to_json() for r in self.rules]
        return out


@dataclass
class Explanation:
    plan: str
    no_plan: bool
    findings: list[Finding]
    seconds: float
    skipped: int = 0  # goals left unexplained for lack of time
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan, "no_plan": self.no_plan, "seconds": round(self.seconds, 2),
                "skipped": self.skipped, "notes": self.notes, "findings": [f.to_json() for f in self.findings]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"


@dataclass
class Target:
    """What must hold: `required` visits, activities or working parts of days, in scope."""

    tactic: str | None
    rule: str
    required: int
    first: int  # day indexes, inclusive
    last: int
    period: str | None = None
    venues: list[str] | None = None  # None: every venue
    formats: set[str] | None = None  # None: every format
    online: bool = False  # online posts count too
    count: str = "activities"  # visits (venue-days) | activities | person
    venue: str | None = None
    person: str | None = None
    gap: int = 0
    line: int | None = None  # only this 三时三地 line's windows
    key_date: int | None = None  # only activities that can be this key date's themed one
    goal_path: tuple | None = None
    goal_text: str = ""
    gap_path: tuple | None = None


# --- words ---------------------------------------------------------------------------------------------


class Words:
    def __init__(self, loaded: LoadedPlan, calendar: CampaignCalendar):
        self.plan = loaded.plan
        self.m = messages.for_language(self.plan.campaign.language)
        self.language = self.m.language
        self.calendar = calendar
        self.formats = resolve_formats(self.plan)

    def _(self, message: str) -> str:
        return self.m._(message)

    def _p(self, context: str, message: str) -> str:
        return self.m._p(context, message)

    def venue(self, vid: str) -> str:
        return next((v.name for v in self.plan.venues if v.id == vid), vid)

    def person(self, p: int) -> str:
        s = self.plan.staff[p]
        return self._("{name} ({role})").format(name=s.name, role=self._(ROLE_WORDS[s.role]))

    def fmt(self, f: str) -> str:
        fmt = self.formats.get(f)
        return fmt.name(self.language) if fmt else f

    def kind(self, k: str) -> str:
        info = catalogue().venue_kinds.get(k)
        return info.name(self.language) if info else k

    def days(self, day_class: str) -> str:
        return day_class_words(self.m, day_class)

    def times(self, ranges: Iterable) -> str:
        return self._(", ").join(str(r).replace("-", "–") for r in ranges)

    def span(self, first: int, last: int) -> str:
        a, b = self.calendar.days[first].date, self.calendar.days[last].date
        return str(a) if a == b else f"{a}..{b}"

    def needs(self, fmt: Format) -> str:
        n = fmt.needs
        parts = []
        if n.team:
            parts.append(self._("the whole team {team}").format(team=n.team))
        if n.teams:
            parts.append((self._("all from one of the teams {teams}, in its home area") if n.team_area == "stay"
                          else self._("all from one of the teams {teams}")).format(teams=self._(", ").join(n.teams)))
        for role in ("police", "auxiliary", "grid_worker", "volunteer"):
            k = getattr(n, role)
            if k:
                parts.append(self.m._n("{n} {role}", "{n} {role}s", k).format(n=k, role=self._(ROLE_WORDS[role])))
        if n.people:
            parts.append(self._("at least {n} people").format(n=n.people))
        if n.skills:
            parts.append(self._("with {skills} skills").format(skills=self._(", ").join(n.skills)))
        minutes = int(fmt.duration.total_seconds() // 60)
        text = self._(", ").join(parts) or self._("anyone")
        return self._("{needs}, {minutes} minutes long").format(needs=text, minutes=minutes)


# --- the relaxed model of one target ---------------------------------------------------------------------


class Relaxed:
    """The target as a CP-SAT model whose restrictions are assumption literals, one per plan entry."""

    def __init__(self, ex: Explainer, target: Target, busy: Busy | None):
        self.ex, self.target, self.busy = ex, target, busy
        self.model = cp_model.CpModel()
        self.lits: dict[tuple, Any] = {}  # rule key → literal: true = the entry holds
        self.rules: dict[tuple, Rule] = {}
        self.slots = 0
        self.one_of: dict[tuple[int, int], list[tuple[Any, int, tuple[str, ...]]]] = defaultdict(list)
        self._build()

    # assumption literals, created on first use
    def lit(self, key: tuple) -> Any:
        if key not in self.lits:
            self.lits[key] = self.model.new_bool_var(f"rule{key}")
            self.rules[key] = self.ex.rule(key)
        return self.lits[key]

    def _condition(self, x: Any, must: Iterable[tuple], options: list[frozenset]) -> None:
        """x needs every rule in `must` lifted and, for one option, every rule of that option."""
        m = self.model
        for key in must:
            m.add_implication(x, self.lit(key).Not())
        if any(not o for o in options):
            return
        if all(len(o) == 1 for o in options):
            m.add_bool_or([x.Not()] + [self.lit(next(iter(o))).Not() for o in options])
            return
        either = []
        for o in options:
            y = m.new_bool_var("option")
            for key in o:
                m.add_implication(y, self.lit(key).Not())
            either.append(y)
        m.add_bool_or([x.Not()] + either)

    def _build(self) -> None:
        ex, t, m = self.ex, self.target, self.model
        days = range(t.first, t.last + 1)
        # slot: (day, part) → list of (literal, positions, team)
        by_part: dict[tuple[int, int], list[tuple[Any, dict, tuple]]] = defaultdict(list)
        visited: dict[tuple[str, int], list] = defaultdict(list)
        seen: dict[tuple, Any] = {}
        # interchangeable slots: one is enough when a single activity, or one person's load, is asked for
        dedupe = (t.count == "activities" and t.required == 1 and t.key_date is None) or t.count == "person"
        me_p = ex.staff_index[t.person] if t.count == "person" and t.person is not None else None
        me = ex.staff[me_p] if me_p is not None else None
        for vi, venue in ex.scope_venues(t):
            for f, fmt_variants in ex.scope_formats(t, venue):
                windows = ex.windows_for(f, venue.kind if venue else None, t.line)
                if not windows:
                    continue
                for fmt, fmt_guard in fmt_variants:
                    minutes = int(fmt.duration.total_seconds() // 60)
                    for need, need_guard in ex.needs_for(f, fmt, venue):
                        st = ex.positions(need)
                        if st is None:
                            continue
                        positions, team = st
                        if me is not None and me_p not in team and \
                                not any(fits(me, pt) for pt in positions):
                            continue  # the officer could not go
                        one_of = tuple(tm for tm in need.teams if not need.stay or venue is None
                                       or ex.home.get(tm) in (None, venue.area))
                        if need.teams and not one_of:
                            continue  # no team may go there (team_area: stay)
                        for d in days:
                            must = list(fmt_guard) + list(need_guard) + ex.venue_blocks(vi, venue, d)
                            options: dict[int, set[frozenset]] = defaultdict(set)
                            for w in windows:
                                failing = ex.failing(w, d, venue, vi)
                                if failing is None:
                                    continue
                                for rng in w.times:
                                    for start in start_grid(rng, minutes):
                                        options[part_of(start)].add(failing)
                            for part, opts in sorted(options.items()):
                                opts_l = sorted(opts, key=lambda o: (len(o), sorted(map(str, o))))
                                if frozenset() in opts:
                                    opts_l = [frozenset()]
                                sig = (d, part, tuple(sorted(positions.items())), team, frozenset(must),
                                       frozenset(opts_l), one_of)
                                if dedupe and sig in seen:
                                    continue
                                x = m.new_bool_var(f"x[{venue.id if venue else 'online'},{f},{d},{part}]")
                                seen[sig] = x
                                self.slots += 1
                                self._condition(x, must, opts_l)
                                by_part[(d, part)].append((x, positions, team))
                                if one_of:
                                    self.one_of[(d, part)].append((x, sum(positions.values()), one_of))
                                visited[(venue.id if venue else ONLINE, d)].append(x)
        # a venue holds one activity a day
        vday: dict[tuple[str, int], Any] = {}
        for (vid, d), xs in visited.items():
            if vid == ONLINE:
                continue
            if len(xs) == 1:
                vday[(vid, d)] = xs[0]
            else:
                v = m.new_bool_var(f"visited[{vid},{d}]")
                m.add(v == sum(xs))
                vday[(vid, d)] = v
        works = self._staff(by_part)
        goal = [self.lit(("goal",))] if t.goal_path else []
        if t.count == "visits":
            total = list(vday.values())
        elif t.count == "person":
            total = [w for (p, d, part), w in works.items() if p == me_p]
        else:
            total = [x for xs in visited.values() for x in xs]
        m.add(sum(total) >= t.required).only_enforce_if(goal)
        if t.gap > 1 and t.venue:
            self._gap(vday)

    def _gap(self, vday: dict[tuple[str, int], Any]) -> None:
        t, m = self.target, self.model
        gap_lit = self.lit(("gap",))
        mine = {d: v for (vid, d), v in vday.items() if vid == t.venue}
        for d in sorted(mine):
            window = [mine[e] for e in range(d, d + t.gap) if e in mine]
            if len(window) > 1:
                m.add(sum(window) <= 1).only_enforce_if(gap_lit)
        if self.busy is not None:
            fixed = self.busy.venue_days.get(t.venue, set()) if t.venue is not None else set()
            for d, v in mine.items():
                if too_close(t.gap, d, fixed):
                    m.add_bool_or([v.Not(), gap_lit.Not(), self.lit(("visits", t.venue)).Not()])

    def _staff(self, by_part: dict[tuple[int, int], list]) -> dict[tuple[int, int, int], Any]:
        """Per part of a day: positions within Hall's condition of the people working then."""
        ex, m, busy = self.ex, self.model, self.busy
        works: dict[tuple[int, int, int], Any] = {}
        for (d, part), slots in sorted(by_part.items()):
            types = sorted({pt for _, pos, _ in slots for pt in pos})
            members = {p for _, _, team in slots for p in team}
            here: dict[int, Any] = {}
            for p, person in enumerate(ex.staff):
                if p not in members and not any(fits(person, pt) for pt in types):
                    continue
                w = m.new_bool_var(f"w[{person.id},{d},{part}]")
                here[p] = works[(p, d, part)] = w
                for key in ex.person_blocks(p, d):
                    m.add_implication(w, self.lit(key).Not())
                if busy is not None and (d, part) in busy.parts.get(p, ()):
                    m.add_implication(w, self.lit(("busy", p)).Not())
            for x, _, team in slots:
                for p in team:
                    m.add_implication(x, here[p])
            for x, heads, one_of in self.one_of.get((d, part), []):  # one team's members fill it (one_team)
                picks = []
                for tm in one_of:
                    pick = m.new_bool_var(f"team[{x.name},{tm}]")
                    picks.append(pick)
                    mine = [here[p] for p in ex.team_of.get(tm, ()) if p in here]
                    m.add(sum(mine) >= heads * pick) if mine else m.add(pick == 0)
                m.add(sum(picks) == x)
            for fam, people in families(types, ex.staff):
                demand = [n * x for x, pos, _ in slots for pt, n in pos.items() if pt in fam]
                if demand:
                    have = [here[p] for p in people if p in here]
                    m.add(sum(demand) <= sum(have))
            places = [n * x for x, pos, _ in slots for n in pos.values()] + \
                     [len(team) * x for x, _, team in slots if team]
            m.add(sum(here.values()) == sum(places))
        # max_activities_per_week, and with a plan, what the plan already gives each person
        weeks: dict[tuple[int, str], list] = defaultdict(list)
        for (p, d, _), w in works.items():
            weeks[(p, ex.week(d))].append(w)
        for (p, week), ws in sorted(weeks.items()):
            cap = ex.staff[p].max_activities_per_week
            if len(ws) > cap:
                m.add(sum(ws) <= cap).only_enforce_if(self.lit(("cap", p)))
            if busy is not None:
                booked = busy.weeks.get((p, week), 0)
                if booked and len(ws) > cap - booked:
                    m.add(sum(ws) <= max(0, cap - booked)).only_enforce_if(
                        [self.lit(("cap", p)), self.lit(("busy", p))])
        return works

    # --- solving ----------------------------------------------------------------------------------

    def solve(self, keys: list[tuple], seconds: float) -> tuple[str, list[tuple]]:
        """feasible | infeasible | unknown, and with infeasible the assumptions CP-SAT blames."""
        m = self.model
        m.clear_assumptions()
        m.add_assumptions([self.lits[k] for k in keys])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # assumptions cores need a single worker
        solver.parameters.linearization_level = 2  # enforced sums in the LP: proves "too few" at once
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        status = solver.solve(m)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "feasible", []
        if status == cp_model.INFEASIBLE:
            index = {self.lits[k].Index(): k for k in keys}
            blamed = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
            return "infeasible", blamed or list(keys)
        return "unknown", []

    def minimal_core(self, keys: list[tuple], deadline: float) -> tuple[list[tuple] | None, bool, bool]:
        """The smallest set of `keys` that is infeasible on its own (None: feasible with all),
        whether it is certainly minimal, and whether CP-SAT decided at all."""
        def left() -> float:
            return max(0.05, deadline - time.monotonic())

        status, core = self.solve(keys, left())
        if status != "infeasible":
            return None, True, status == "feasible"
        for _ in range(3):  # re-solving on the core alone usually shrinks it for free
            status, smaller = self.solve(core, left())
            if status != "infeasible" or len(smaller) >= len(core):
                break
            core = smaller
        minimal = True
        # drop what explains least first: the goal and capacity stay if they can
        order = sorted(core, key=lambda k: (k[0] in ("goal", "busy", "visits"), k[0] == "cap", str(k)))
        kept = list(core)
        for key in order:
            if key not in kept or len(kept) == 1:
                continue
            if time.monotonic() >= deadline:
                minimal = False
                break
            trial = [k for k in kept if k != key]
            status, smaller = self.solve(trial, min(left(), 2.0))
            if status == "infeasible":
                kept = [k for k in trial if k in smaller] if smaller else trial
            elif status == "unknown":
                minimal = False
        return kept, minimal, True


def families(types: list[tuple], staff: list) -> list[tuple[frozenset, frozenset]]:
    """The Hall families of these position types among the staff, as the master model has them."""
    return hall_families({pt: frozenset(p for p, person in enumerate(staff) if fits(person, pt)) for pt in types})


@dataclass
class Busy:
    """What a plan already gives each person (for explaining capacity), leaving out the target's own."""

    parts: dict[int, set[tuple[int, int]]]
    weeks: dict[tuple[int, str], int]
    venue_days: dict[str, set[int]]  # visits outside the target's period


# --- the plan's entries and the scope of a target ------------------------------------------------------


class Explainer:
    def __init__(self, loaded: LoadedPlan, calendar: CampaignCalendar | None = None):
        self.loaded = loaded
        self.plan = loaded.plan
        self.calendar = calendar or build_calendar(self.plan)
        self.words = Words(loaded, self.calendar)
        self.staff = list(self.plan.staff)
        self.staff_index = {s.id: i for i, s in enumerate(self.staff)}
        self.venue_index = {v.id: i for i, v in enumerate(self.plan.venues)}
        self.formats = resolve_formats(self.plan)
        self.specs = resolve_window_specs(self.plan, self.formats)
        self.fraud_types = fraud_type_audiences(self.plan)
        self.team_of = teams(self.staff)
        self.home = home_areas(self.plan)
        self.date_index = {d.date: i for i, d in enumerate(self.calendar.days)}
        self._positions: dict[tuple, tuple | None] = {}
        self._weeks: dict[int, str] = {}
        self.modules = {mod.NAME: mod for mod in all_modules()}  # each explains its own goals and rules

    def week(self, d: int) -> str:
        if d not in self._weeks:
            y, w, _ = self.calendar.days[d].date.isocalendar()
            self._weeks[d] = f"{y}-W{w:02d}"
        return self._weeks[d]

    # scope ---------------------------------------------------------------------------------------

    def scope_venues(self, t: Target) -> list[tuple[int, Any]]:
        out: list[tuple[int, Any]] = []
        wanted = set(t.venues) if t.venues is not None else None
        for vi, v in enumerate(self.plan.venues):
            if wanted is not None and v.id not in wanted:
                continue
            themes = matching_themes(v.audience_ids(), self.fraud_types)
            if not themes:
                continue  # no theme fits: the planner never goes there (planner check says so)
            out.append((vi, v))
        if t.online:
            out.append((-1, None))
        return out

    def scope_formats(self, t: Target, venue) -> list[tuple[str, list[tuple[Format, tuple]]]]:
        out = []
        kd_fit = None
        if t.key_date is not None and venue is not None:
            themes = matching_themes(venue.audience_ids(), self.fraud_types)
            kd_fit = _key_date_fit(self.plan, self.calendar, venue, themes, self.fraud_types)
            if t.key_date not in kd_fit:
                return []
        for f, fmt in self.formats.items():
            if t.formats is not None and f not in t.formats:
                continue
            if (venue is None) != bool(fmt.online):
                continue
            if kd_fit is not None and t.key_date is not None:
                allowed = kd_fit[t.key_date]
                if allowed is not None and f not in allowed:
                    continue
            variants: list[tuple[Format, tuple]] = [(fmt, ())]
            base = catalogue().formats.get(f)
            if f in self.plan.activities and base is not None and (
                    base.duration != fmt.duration or base.needs != fmt.needs):
                variants.append((base, (("format", f),)))  # the entry lifted: the built-in format
            out.append((f, variants))
        return out

    def windows_for(self, f: str, kind: str | None, line: int | None) -> list[WindowSpec]:
        windows = self.specs.get((f, kind), [])
        fmt = self.formats[f]
        if kind is not None and (kind not in fmt.kinds and all(w.line is None for w in windows)):
            return []
        if line is not None:
            windows = [w for w in windows if w.line == line]
        return windows

    def needs_for(self, f: str, fmt: Format, venue) -> list[tuple[Need, tuple]]:
        n = fmt.needs
        roles = {r: getattr(n, r) for r in ("police", "auxiliary", "grid_worker", "volunteer") if getattr(n, r)}
        one_of = tuple(match_teams(n.teams, set(self.team_of))) if n.teams else ()
        out: list[tuple[Need, tuple]] = [(Need(roles, n.people or 0, tuple(n.skills), n.team, one_of,
                                               n.team_area == "stay"), ())]
        for mod in self.modules.values():  # what tactics add to a format's needs (grid_and_police)
            adjust = getattr(mod, "explain_needs", None)
            if adjust is not None:
                out = [(changed, guard + more) for need, guard in out
                       for changed, more in adjust(self.plan, need, venue.kind if venue is not None else None)]
        return out

    def positions(self, need: Need) -> tuple[dict, tuple] | None:
        key = need.key()
        if key not in self._positions:
            st = positions_for(need, self.staff, self.team_of)
            self._positions[key] = None if isinstance(st, str) else (st.positions, st.team)
        return self._positions[key]

    # what blocks what ------------------------------------------------------------------------------

    def venue_blocks(self, vi: int, venue, d: int) -> list[tuple]:
        if venue is None:
            return []
        day = self.calendar.days[d].date
        return [("closed", vi, j) for j, span in enumerate(venue.closed) if day in span]

    def failing(self, w: WindowSpec, d: int, venue, vi: int) -> frozenset | None:
        """The plan entries that keep window w shut on day d (None: shut by the catalogue)."""
        day = self.calendar.days[d]
        out: set[tuple] = set()
        if not day.in_class(w.days) or (w.months is not None and day.date.month not in w.months):
            if not w.where:
                return None
            out.add(("window", w.where))
        if w.in_term and not day.in_term:
            if self.plan.campaign.school_terms is None:
                return None
            out.add(("terms",))
        if w.market_days and venue is not None and venue.market_days and day.lunar_day not in venue.market_days:
            out.add(("market", vi))
        return frozenset(out)

    def person_blocks(self, p: int, d: int) -> list[tuple]:
        s = self.staff[p]
        day = self.calendar.days[d].date
        out: list[tuple] = [("leave", p, j) for j, span in enumerate(s.unavailable) if day in span]
        if s.duty is not None:
            cycle = s.duty.cycle
            if cycle[(day - s.duty.start).days % len(cycle)] == "on":
                out.append(("duty", p))
        return out

    # entries in words ---------------------------------------------------------------------------------

    def rule(self, key: tuple) -> Rule:
        path, text = self._rule(key)
        return Rule(path, self.loaded.where(*path), text, key[0])

    def _rule(self, key: tuple) -> tuple[tuple, str]:
        w, plan = self.words, self.plan
        kind = key[0]
        for mod in self.modules.values():  # a tactic's own rules, in its words
            own = getattr(mod, "explain_rule", None)
            found = own(self, key) if own else None
            if found is not None:
                return found
        if kind == "window":
            path = key[1]
            spec = next(s for specs in self.specs.values() for s in specs if s.where == path)
            f = path[1]
            return path, w._("{format} only on {days}, {times}").format(
                format=w.fmt(f), days=w.days(spec.days), times=w.times(spec.times))
        if kind == "closed":
            v = plan.venues[key[1]]
            span = v.closed[key[2]]
            return ("venues", key[1], "closed", key[2]), w._("{venue} is closed {span}").format(venue=v.name,
                                                                                               span=span)
        if kind == "market":
            v = plan.venues[key[1]]
            days = w._(", ").join(map(str, v.market_days or []))
            return ("venues", key[1], "market_days"), w._(
                "{venue} holds its market on lunar days {days} only").format(venue=v.name, days=days)
        if kind == "terms":
            terms = ", ".join(map(str, plan.campaign.school_terms or []))
            return ("campaign", "school_terms"), w._("school terms {terms}: no school days outside them").format(
                terms=terms)
        if kind == "leave":
            p, j = key[1], key[2]
            span = self.staff[p].unavailable[j]
            return ("staff", p, "unavailable", j), w._("{person} is away {span}").format(person=w.person(p),
                                                                                               span=span)
        if kind == "duty":
            s = self.staff[key[1]]
            cycle = "/".join(s.duty.cycle)
            return ("staff", key[1], "duty"), w._(
                "{person} works the duty rota {cycle} from {start}; duty days are off limits").format(
                person=w.person(key[1]), cycle=cycle, start=s.duty.start)
        if kind == "cap":
            s = self.staff[key[1]]
            path = ("staff", key[1], "max_activities_per_week")
            return path, w._("{person} does at most {n} activities a week").format(
                person=w.person(key[1]), n=s.max_activities_per_week)
        if kind == "busy":
            return ("staff", key[1]), w._("{person} is booked for other activities then in this plan").format(
                person=w.person(key[1]))
        if kind == "visits":
            return ("venues", self.venue_index[key[1]]), w._("this plan visits {venue} on nearby days").format(
                venue=w.venue(key[1]))
        if kind == "format":
            f = key[1]
            return ("activities", f), w._("{format}: {needs}").format(format=w.fmt(f), needs=w.needs(self.formats[f]))
        if kind == "goal":
            return self._goal_path or (), self._goal_text
        raise KeyError(key)

    # targets ------------------------------------------------------------------------------------------

    def period(self, per: str, label: str) -> Period | None:
        splits = [1]
        if per == "campaign":  # a tactic's campaign-long rhythm may cut the campaign in parts
            for mod in self.modules.values():
                cut = getattr(mod, "explain_splits", None)
                splits += cut(self.plan) if cut else []
        for split in splits:
            for p in campaign_periods(self.calendar, per, split=split):
                if p.label == label:
                    return p
        return None

    def period_any(self, label: str | None) -> Period | None:
        if label is None:
            return None
        for per in ("month", "week", "campaign"):
            p = self.period(per, label)
            if p is not None:
                return p
        if ".." in label:  # a key date's window or a part of the campaign
            first, _, last = label.partition("..")
            try:
                a, b = date.fromisoformat(first), date.fromisoformat(last)
            except ValueError:
                return None
            days = [i for i, d in enumerate(self.calendar.days) if a <= d.date <= b]
            if days:
                return Period(label, days[0], days[-1], 1.0)
        return None

    def nothing_target(self) -> Target:
        n = len(self.calendar.days)
        w = self.words
        return Target(None, "any", 1, 0, n - 1, period=w.span(0, n - 1), online=True,
                      goal_text=w._("at least one activity can be scheduled"))

    def goal_target(self, tactic: str, rule: str, venue: str | None, person: str | None, period: str | None,
                    required: int, where: str = "") -> Target | None:
        """The goal the scheduler reports unmet, as a target (None: not one this explains):
        the tactic's module says what it asks (its explain_goal)."""
        explain_goal = getattr(self.modules.get(tactic), "explain_goal", None)
        if explain_goal is None:
            return None
        return explain_goal(self, rule, venue, person, self.period_any(period), required, where)

    def target(self, *args: Any, **kw: Any) -> Target:
        """A Target, for the tactic modules (they cannot import this module)."""
        return Target(*args, **kw)

    def per_word(self, per: str) -> str:
        """week, month, campaign after "a"/"每": 周, 月, 期."""
        return self.words.m.msg(PER_WORDS[per]) if per in PER_WORDS else per

    def venue_gap(self, venue: str) -> int:
        """min_gap_days at this venue (0: none)."""
        return min_gap_days(self.plan, self.plan.venues[self.venue_index[venue]].kind) \
            if venue in self.venue_index else 0

    def goal_words(self, t: Target) -> str:
        w = self.words
        who = w.venue(t.venue) if t.venue else None
        period = w._("the campaign") if t.period == "campaign" else t.period  # a label, but a word too
        if t.count == "visits":
            return w.m._n("{venue} needs {n} visit in {period}", "{venue} needs {n} visits in {period}",
                          t.required).format(venue=who, n=t.required, period=period)
        if t.count == "person" and t.person is not None:
            who = w.person(self.staff_index[t.person])
            return w._("{person} needs {n} activities in {period}").format(person=who, n=t.required, period=period)
        if t.tactic is None:
            return w._("nothing can be scheduled in {period}").format(period=period)
        return w._("{goal} ({period})").format(goal=t.goal_text, period=period)

    # one target, explained ------------------------------------------------------------------------------

    def explain_target(self, t: Target, deadline: float, busy: Busy | None = None) -> Finding:
        self._goal_path, self._goal_text = t.goal_path, t.goal_text
        w = self.words
        finding = Finding(self.goal_words(t), "room", [], t.tactic, t.venue, t.person, t.period)
        model = Relaxed(self, t, None)
        rule_keys = sorted(model.lits, key=str)
        core, minimal, decided = model.minimal_core(rule_keys, deadline)
        if core is None and busy is not None and decided:
            model = Relaxed(self, t, busy)
            keys = sorted(model.lits, key=str)
            core, minimal, decided = model.minimal_core(keys, deadline)
        if core is None:
            finding.note = w._(
                "the plan's rules allow it: the solver gave the staff time to weightier goals or ran out of "
                "time (raise solver.time_limit or change weights)") if decided else w._(
                "ran out of time before deciding")
            return finding
        finding.verdict = "capacity" if any(k[0] in ("busy", "visits") for k in core) else "conflict"
        finding.minimal = minimal
        order = {"goal": 0, "window": 1, "closed": 2, "market": 2, "terms": 2, "format": 3, "pairing": 3, "gap": 4}
        core = sorted(core, key=lambda k: (order.get(k[0], 5), str(k)))
        finding.rules = [model.rules[k] for k in core]
        if t.tactic is None and len(core) == 0:
            finding.note = w._("the built-in windows and needs alone leave nothing possible")
        return finding


# --- the entry point ------------------------------------------------------------------------------------


def busy_from(ex: Explainer, activities: list[tuple[str | None, int, int, list[str]]], t: Target) -> Busy:
    """(venue, day, start minute, staff ids) of the plan → what the target competes with."""
    parts: dict[int, set[tuple[int, int]]] = defaultdict(set)
    weeks: dict[tuple[int, str], int] = defaultdict(int)
    venue_days: dict[str, set[int]] = defaultdict(set)
    scope = set(t.venues) if t.venues is not None else None
    for venue, d, start, staff in activities:
        inside = t.first <= d <= t.last
        ours = inside and ((venue is None and t.online) or (venue is not None and (scope is None or venue in scope)))
        if t.count == "person":
            ours = False  # the officer's own activities are what must grow
        if venue is not None and not inside:
            venue_days[venue].add(d)
        if ours:
            continue
        for sid in staff:
            p = ex.staff_index.get(sid)
            if p is None:
                continue
            if t.count == "person" and sid == t.person and inside:
                continue
            parts[p].add((d, part_of(start)))
            weeks[(p, ex.week(d))] += 1
    return Busy(dict(parts), dict(weeks), dict(venue_days))


def explain(loaded: LoadedPlan, *, plan_json: PlanFile | None = None, time_limit: float = 10.0,
            venue: str | None = None, calendar: CampaignCalendar | None = None) -> Explanation:
    """Why no plan exists, or why the plan's unmet goals are unmet, within about `time_limit` seconds.

    Without `plan_json` the plan is solved first (with part of the time); `venue` keeps the
    goals of one venue only."""
    from planner.search import NoPlanError, solve

    started = time.monotonic()
    deadline = started + time_limit
    ex = Explainer(loaded, calendar)
    notes: list[str] = []
    if plan_json is None:
        try:
            solution = solve(loaded, time_limit=max(2.0, time_limit * 0.4), calendar=ex.calendar)
        except NoPlanError:
            finding = ex.explain_target(ex.nothing_target(), deadline)
            return Explanation(loaded.file, True, [finding], time.monotonic() - started)
        goals = [(u.tactic, u.rule, u.venue, u.person, u.period, u.required, u.where) for u in solution.unmet]
        activities = [(a.cand.venue, a.cand.day, a.cand.start_min, list(a.staff)) for a in solution.activities]
        seconds = max(2.0, time_limit * 0.4)
        notes.append(ex.words._("unmet goals from a {seconds} s solve; for a plan of your own pass "
                                "--plan-json OUT/plan.json").format(seconds=f"{seconds:.0f}"))
    else:
        goals, activities = goals_from_json(ex, plan_json)
    if venue is not None:
        goals = [g for g in goals if g[2] == venue]
    findings: list[Finding] = []
    skipped = 0
    seen: set[tuple] = set()
    for n, (tactic, rule, v, person, period, required, where) in enumerate(goals):
        key = (tactic, rule, v, person, period)
        if key in seen:
            continue
        seen.add(key)
        left = deadline - time.monotonic()
        if left <= 0.2:
            skipped += len(goals) - n
            break
        t = ex.goal_target(tactic, rule, v, person, period, required, where)
        if t is None:
            continue
        share = max(0.3, left / max(1, min(len(goals) - n, 8)))
        findings.append(ex.explain_target(t, time.monotonic() + share, busy_from(ex, activities, t)))
    return Explanation(loaded.file, False, findings, time.monotonic() - started, skipped, notes)


def goals_from_json(ex: Explainer, plan_json: PlanFile) -> tuple[list[tuple], list[tuple]]:
    """Unmet goals and activities from a plan.json (its unmet entries name tactic, venue, period)."""
    activities = []
    for a in plan_json.activities:
        d = ex.date_index.get(a.start.date())
        if d is not None:
            activities.append((a.venue, d, a.start.hour * 60 + a.start.minute, list(a.staff)))
    goals = []
    for u in plan_json.unmet:
        tactic, venue, period, why = u.tactic, u.venue, u.period, u.why
        counted = done_of_required(why)
        required = counted[1] if counted else 1
        person = next((s.id for s in ex.staff  # "p1: …" or "p1：…", first or after the count
                       if any(why.startswith(f"{s.id}{colon}") or f" {s.id}{colon}" in why or f"：{s.id}{colon}" in why
                              for colon in (":", "："))), None)
        unmet_rule = getattr(ex.modules.get(tactic), "explain_unmet_rule", None)
        rule = unmet_rule(ex, venue, period, why) if unmet_rule else ""
        if rule is None:
            continue
        goals.append((tactic, rule, venue, person, period, required, ""))
    return goals, activities


# --- the terminal ---------------------------------------------------------------------------------------


def render(console, explanation: Explanation, language: str) -> None:
    """What `planner explain` prints: per finding, the goal and the entries in conflict, each with FILE:LINE."""
    from rich.markup import escape

    m = messages.for_language(language)
    if explanation.no_plan:
        console.print(m._("[bold red]No plan exists:[/] "), highlight=False, end="", soft_wrap=True)
    room = [f for f in explanation.findings if f.verdict == "room"]
    for f in explanation.findings:
        if f.verdict == "room":
            continue
        n = len(f.rules)
        but = (m._(": these {n} entries of the plan conflict:") if f.tactic is None
               else m._(", but these {n} entries of the plan conflict:") if f.verdict == "conflict"
               else m._(", but these {n} entries and what the plan already holds leave no staff time:")).format(n=n)
        console.print(f"[bold]{escape(f.goal)}[/]{escape(but)}", highlight=False, soft_wrap=True)
        busy = [r for r in f.rules if r.kind == "busy"]
        for r in f.rules:
            if r.kind != "busy":
                console.print(f"  {escape(r.where)}: {escape(r.text)}", highlight=False, soft_wrap=True)
            elif r is busy[0]:  # one line for everyone the plan keeps busy
                lines = ",".join(b.where.rsplit(":", 1)[1] for b in busy)
                # "{person} is booked…" per person: the people's names, then the words once
                booked = m._("{person} is booked for other activities then in this plan")
                head, tail = booked.split("{person}", 1)
                names = m._(", ").join(b.text[len(head):len(b.text) - len(tail)] for b in busy)
                what = m._(" are booked for other activities then in this plan") if len(busy) > 1 \
                    else r.text[len(head) + len(names):]
                names = head + names
                console.print(f"  {escape(r.where.rsplit(':', 1)[0])}:{lines}: {escape(names + what)}",
                              highlight=False, soft_wrap=True)
        if not f.minimal:
            console.print(m._("  (out of time: this set may not be the smallest)"),
                          highlight=False, soft_wrap=True)
        if f.note:
            console.print(f"  {escape(f.note)}", highlight=False, soft_wrap=True)
    if room:
        console.print(m._("[bold]Goals the rules allow but this plan did not meet:[/]"), highlight=False,
                      soft_wrap=True)
        for f in room:
            console.print(f"  {escape(f.goal)}: {escape(f.note)}", highlight=False, soft_wrap=True)
    if not explanation.findings:
        console.print(m._("Every goal is met: nothing to explain."), highlight=False,
                      soft_wrap=True)
    if explanation.skipped:
        console.print(m._("{n} more unmet goals were not explained in time "
                          "(raise --time-limit or pick one with --venue)").format(n=explanation.skipped),
                      highlight=False, soft_wrap=True)
    for note in explanation.notes:
        console.print(f"[dim]{escape(note)}[/]", highlight=False, soft_wrap=True)


__all__ = ["Explainer", "Explanation", "Finding", "Relaxed", "Rule", "Target", "explain", "render"]
