"""A searched plan put together: themes, the tactics each activity serves, unmet goals with
their reasons, the score per tactic; and why nothing at all could be planned."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from types import ModuleType
from typing import Any, Callable, Protocol

from planner import messages
from planner.calendar import CampaignCalendar
from planner.candidates import Blocker
from planner.errors import dotted
from planner.loader import LoadedPlan
from planner.search.result import PlannedActivity, Solution, TacticScore, Unmet
from planner.search.strategy import Strategy
from planner.tactics import staffing
from planner.tactics import themes as themes_mod
from planner.tactics.registry import all_modules


class Run(Protocol):
    """What putting a plan together reads of a finished search (planner.search.run.Run)."""

    loaded: LoadedPlan
    calendar: CampaignCalendar
    strategy: Strategy
    modules: list | None
    goals: list[tuple[Any, int, int, str]]
    costs: dict[tuple[str, str], float]
    statuses: list[str]
    clock_ran_out: bool
    objective: float
    bound: float
    started: float
    stats: defaultdict[str, Any]
    active: int
    dropped: Counter
    work: float | None


def shown_modules() -> list[ModuleType]:
    """The tactic modules the outputs show, in their order (each module's RANK)."""
    return sorted((m for m in all_modules() if hasattr(m, "RANK")), key=lambda m: m.RANK)


def tactic_order() -> list[str]:
    """The tactics' names in the order the outputs show them."""
    return [m.NAME for m in shown_modules()]


def assemble(run: Run, planned: list[PlannedActivity],
             keep_theme: Callable[[PlannedActivity], tuple[str, list[str]] | None] | None = None) -> Solution:
    """The parts' results as one Solution: themes, tactic labels, unmet goals and the score.

    keep_theme: the theme and audiences an activity keeps (re-planning keeps what was published)."""
    loaded, calendar, strategy, modules = run.loaded, run.calendar, run.strategy, run.modules
    plan = loaded.plan
    activities = sorted(planned, key=lambda a: (a.cand.day, a.cand.start_min, a.cand.venue or "", a.cand.format))
    types, venue_themes = themes_mod.theme_data(loaded)
    themes_mod.assign(plan, calendar, activities, types, venue_themes)
    if keep_theme is not None:
        for a in activities:
            kept = keep_theme(a)
            if kept is None:
                continue
            theme, audiences = kept
            key = calendar.key_dates[a.key_date] if a.key_date is not None else None
            if key is not None and key.themes is not None and theme not in key.themes:
                continue  # now the themed activity of a key date: one of its themes, not the old one
            allowed = venue_themes.get(a.cand.venue, ()) if a.cand.venue else tuple(types)
            if theme in allowed and theme != a.theme:
                a.theme = theme
                a.audiences = [x for x in audiences if x in types[theme]] or a.audiences
    label_tactics(loaded, calendar, activities)
    unmet = collect_unmet(loaded, run.goals)
    score = collect_score(loaded, calendar, activities, run.goals, run.costs, modules)
    status = "optimal" if run.statuses == ["optimal"] else "feasible"
    notes = list(calendar.notes)
    m = messages.for_language(messages.chosen(loaded.plan.campaign.language))  # the terminal's language
    if run.clock_ran_out:
        notes.append(m._("the time limit ran out before the search's planned work was done, so another run "
                         "may give a different plan (give solver.time_limit more time)"))
    if "greedy" in run.statuses:
        notes.append(m._("the solver improved nothing in time for some periods; their plan is the greedy "
                         "one (give solver.time_limit more time)"))
    if len(strategy.chunks) > 1:
        notes.append(m._("planned in {n} periods one after the other (month by month)").format(n=len(strategy.chunks)))
    return Solution(loaded, calendar, status, round(run.objective, 2), round(min(run.bound, run.objective), 2),
                    round(time.monotonic() - run.started, 2), activities, unmet, score,
                    sum(a.cand.reach for a in activities), round(sum(a.cand.installs for a in activities), 1),
                    dict(run.stats, chunks=len(strategy.chunks), active_candidates=run.active,
                         dropped=dict(run.dropped)), notes,
                    None if run.work is None else round(run.work, 2))


def label_tactics(loaded: LoadedPlan, calendar: CampaignCalendar, activities: list[PlannedActivity]) -> None:
    """The tactics each planned activity serves, for plan.json and the calendars: each tactic
    module's `served` says which (by default, the candidates it was generated for)."""
    plan = loaded.plan
    served: dict[str, set[int]] = {}
    for m in shown_modules():
        if hasattr(m, "served"):
            served[m.NAME] = m.served(plan, activities)
        else:
            served[m.NAME] = {n for n, a in enumerate(activities) if m.NAME in a.cand.tactics}
    for n, a in enumerate(activities):
        a.tactics = [name for name, which in served.items() if n in which]


def collect_unmet(loaded: LoadedPlan, goals: list[tuple[Any, int, int, str]]) -> list[Unmet]:
    out = []
    for g, short, required, why in goals:
        if short <= 0:
            continue
        where = loaded.where(*g.where) if g.where else ""
        out.append(Unmet(g.tactic, g.rule, g.venue, g.person, g.period, why, short, required, g.unit, where))
    order = {t: i for i, t in enumerate(tactic_order())}
    out.sort(key=lambda u: (order.get(u.tactic, 99), u.rule, u.period or "", u.venue or "", u.person or ""))
    return out


def collect_score(loaded: LoadedPlan, calendar: CampaignCalendar, activities: list[PlannedActivity],
                  goals: list[tuple[Any, int, int, str]], costs: dict[tuple[str, str], float],
                  modules: list | None) -> dict[str, TacticScore]:
    plan = loaded.plan
    mods = [m for m in (modules if modules is not None else all_modules()) if m.enabled(plan)]
    names = {m.NAME for m in mods} | {"staffing"}
    score: dict[str, TacticScore] = {}
    for name in tactic_order():
        if name not in names:
            continue
        score[name] = TacticScore(0.0, 0, 0)
    for g, short, _, _ in goals:
        s = score.setdefault(g.tactic, TacticScore(0.0, 0, 0))
        s.penalty += g.weight * short
        s.required += 1
        s.met += 1 if short == 0 else 0
    for (tactic, _), v in costs.items():
        if tactic in score:
            score[tactic].penalty += v
    for m in shown_modules():  # what each tactic counts beyond its goals
        if m.NAME in score and hasattr(m, "score"):
            m.score(plan, calendar, activities, score[m.NAME])
    for s in score.values():
        s.penalty = round(s.penalty, 2)
    return score


# planner.candidates' reasons for a venue without candidates (English there), for the catalogue
BLOCKER_WORDS = (messages.N_("closed on every campaign day"),
                 messages.N_("no activity format has a time window at this kind of venue on an open day"))


def explain_nothing(loaded: LoadedPlan, calendar: CampaignCalendar, blockers: list[Blocker],
                    dropped: Counter, generated: int) -> list[str]:
    """FILE:LINE: where: why, one line per YAML entry and cause, naming the formats it rules out."""
    from planner.formats import resolve_formats

    plan = loaded.plan
    formats = resolve_formats(plan)
    m = messages.for_language(messages.chosen(plan.campaign.language))  # the terminal's language
    found: dict[tuple[tuple, str], list[str]] = {}

    def blame(path: tuple, what: str, fmt: str = "") -> None:
        found.setdefault((path, what), [])
        if fmt and fmt not in found[(path, what)]:
            found[(path, what)].append(fmt)

    if not generated:
        for b in blockers:
            for path in b.where or [("venues",)]:
                blame(path, f"{b.subject}: {m._(b.why)}")
        if not blockers:
            blame(("campaign",), m._("no activity format has a time window on any day {start}..{end} at any venue")
                  .format(start=plan.campaign.start, end=plan.campaign.end))
    for reason in sorted(dropped):
        fmt, _, what = reason.partition(": ")
        own = ("activities", fmt, "needs") if fmt in plan.activities else ("staff",)
        role = next((r for r in ("police", "auxiliary", "grid_worker", "volunteer") if f" {r}" in what), None)
        said = staffing.dropped_words(plan, fmt, formats, what, m)
        if what.startswith("needs") and role and fmt in formats and not getattr(formats[fmt].needs, role):
            blame(("tactics", "six_plus", "grid_and_police"),
                  m._("pairs an officer (police or auxiliary) with a grid worker at communities, villages and "
                      "households: {what}").format(what=said), fmt)
        elif "free" in what or "available" in what:
            blame(("staff",), m._("{what}: leave (unavailable) and duty rotas leave nobody who fits").format(what=said),
                  fmt)
        else:
            blame(own, said, fmt)
    lines = []
    for (path, what), fmts in found.items():
        ruled_out = m._(" (rules out {formats})").format(formats=m._(", ").join(fmts)) if fmts else ""
        lines.append(f"{loaded.where(*path)}: {dotted(path)}: {what}{ruled_out}")
    return lines


# --- the entry point -----------------------------------------------------------------------------------------



__all__ = ["assemble", "label_tactics", "collect_unmet", "collect_score", "explain_nothing", "shown_modules",
           "tactic_order"]
