"""What `planner plan` prints after solving: the score per tactic, what is unmet and why,
activities per week and each person's load (rich tables; the CLI stays thin)."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner import messages
from planner.catalogue import catalogue
from planner.changes import KINDS, Changes
from planner.export.view import tactic_name
from planner.messages import NP_, Msg, _, _p
from planner.planjson import UNIT_WORDS
from planner.search import Solution, Summary, Unmet, summarize
from planner.search.result import closeness, stop_words
from planner.tactics.base import PARTS
from planner.vocab import ROLE_WORDS


def render_solution(console: Console, solution: Solution, *, weeks: bool = True, people: bool = True) -> None:
    """The whole after-solve report, in the plan's language (or the one the command was told)."""
    summary = summarize(solution)
    lang = messages.chosen(solution.loaded.plan.campaign.language)
    with messages.using(lang):
        render_header(console, summary, parts=int(solution.stats.get("chunks", 1)))
        render_score(console, summary, lang)
        render_unmet(console, summary, lang)
        if weeks:
            render_weeks(console, summary, lang)
        if people:
            render_load(console, summary, lang, limits=weekly_limits(solution))
        render_idle(console, summary)
        for note in summary.notes:
            console.print("[yellow]" + escape(_("note:")) + "[/] " + escape(note), highlight=False)


def render_header(console: Console, s: Summary, parts: int = 1) -> None:
    console.print("[bold]" + escape(_("Plan ready: {n} activities, expected reach {reach:,} people, about "
                                      "{installs:,.0f} App installs").format(
        n=s.activities, reach=s.reach, installs=s.installs)) + "[/]", highlight=False)
    close = closeness(s.status, s.gap, parts)
    searched = _("searched for {seconds:.1f} s").format(seconds=s.solve_seconds)
    console.print(escape(_("; ").join([close, searched] if close else [searched])), highlight=False)
    stopped = stop_words(s.stopped, s.gap_limit)
    if s.found_seconds is not None:
        stopped = _("; ").join([stopped, _("the final plan was found {seconds:.1f} s after the start").format(
            seconds=s.found_seconds)])
    console.print(escape(stopped), highlight=False)


def render_score(console: Console, s: Summary, lang: str) -> None:
    table = Table(title=_("Score by tactic"), title_justify="left")
    table.add_column(_("tactic"))
    for col in (_("met"), _("required"), _("penalty")):
        table.add_column(col, justify="right")
    for name, score in s.score.items():
        ok = score.met >= score.required
        met = f"[green]{score.met}[/]" if ok else f"[red]{score.met}[/]"
        table.add_row(tactic_name(name, lang) + f" ({name})", met, str(score.required), f"{score.penalty:,.1f}")
    console.print(table)


def _short(u: Unmet) -> str:
    """How far a goal is from met: "2 of 4 visits" / "差 2 次（需 4 次）"."""
    unit = _(UNIT_WORDS.get(u.unit, UNIT_WORDS["activity"]))
    return (_("{short} of {required} {unit}").format(short=u.short, required=u.required, unit=unit)
            if u.required > 1 else _("{short} {unit}").format(short=u.short, unit=unit))


def render_unmet(console: Console, s: Summary, lang: str = "zh", limit: int = 40) -> None:
    short = [name for name, score in s.score.items() if score.met < score.required]
    if not s.unmet and not short:
        console.print("[green]" + escape(_("Every goal is met.")) + "[/]")
        return
    if not s.unmet:  # no goal listed unmet, yet a tactic's count is short: say so, never "all met"
        tactics = _(", ").join(tactic_name(n, lang) for n in short)
        said = _("No goal is listed as unmet, but {tactics} fell short (in red above).").format(tactics=tactics)
        console.print("[yellow]" + escape(said) + "[/]", highlight=False)
        return
    table = Table(title=_("Unmet goals ({n})").format(n=len(s.unmet)), title_justify="left")
    for col in (_("tactic"), _("venue / person"), _("period"), _p("terminal", "short"), _("why")):
        table.add_column(col, overflow="fold")
    for u in s.unmet[:limit]:
        table.add_row(tactic_name(u.tactic, lang), u.venue or u.person or "–",
                      _("whole campaign") if u.period == "campaign" else u.period or "–", _short(u),
                      escape(u.why))
    console.print(table)
    if len(s.unmet) > limit:
        console.print(_("… and {n} more in plan.json (unmet)").format(n=len(s.unmet) - limit), highlight=False)


def render_weeks(console: Console, s: Summary, lang: str) -> None:
    cat = catalogue()
    formats = sorted({f for _, counts in s.per_week for f in counts})
    table = Table(title=_("Activities per week"), title_justify="left")
    table.add_column(_("week"))
    for f in formats:
        table.add_column(cat.formats[f].name(lang) if f in cat.formats else f, justify="right")
    table.add_column(_("total"), justify="right")
    for week, counts in s.per_week:
        table.add_row(week, *(str(counts.get(f, 0) or "") for f in formats), str(sum(counts.values())))
    console.print(table)


def weekly_limits(solution: Solution) -> dict[str, int]:
    """Staff id → the most activities the hard rules let them do in the campaign: in each ISO
    week, max_activities_per_week, and no more than one per part of each day they are free
    (not on leave, not on duty). A load shown against this never passes 100%."""
    out = {}
    for person in solution.loaded.plan.staff:
        free = Counter(d.date.isocalendar()[:2] for d in solution.calendar.days if person.is_available(d.date))
        out[person.id] = sum(min(person.max_activities_per_week, n * len(PARTS)) for n in free.values())
    return out


def render_load(console: Console, s: Summary, lang: str, limits: dict[str, int] | None = None) -> None:
    table = Table(title=_("Load per person"), title_justify="left")
    for col in (_("staff"), _("name"), _("role")):
        table.add_column(col)
    for col in (_p("terminal", "activities"), _("capacity"), _("use")):
        table.add_column(col, justify="right")
    for sid, name, role, n, cap in s.load:
        cap = limits.get(sid, cap) if limits is not None else cap
        use = f"{n / cap:.0%}" if cap else "–"
        table.add_row(sid, name, _(ROLE_WORDS[role]) if role in ROLE_WORDS else role, str(n), str(cap), use)
    console.print(table)


def render_idle(console: Console, s: Summary) -> None:
    """Who has no activity at all: their calendar is written, valid, and holds no event."""
    idle = [(sid, name) for sid, name, _role, n, _cap in s.load if n == 0]
    if idle:
        console.print(escape(_("no activities ({n}): {people} — their calendars hold no events").format(
            n=len(idle), people=_(", ").join(f"{name} ({sid})" for sid, name in idle))), highlight=False)


CHANGE_NAMES: dict[str, Msg] = {"added": NP_("change", "added"), "moved": NP_("change", "moved"),
                                "restaffed": NP_("change", "re-staffed"), "cancelled": NP_("change", "cancelled")}


def render_changes(console: Console, changes: Changes, solution: Solution, *, limit: int = 40) -> None:
    """What re-planning changed, per person and per venue (the details are in changes.json)."""
    plan = solution.loaded.plan
    lang = messages.chosen(plan.campaign.language)
    with messages.using(lang):
        _render_changes(console, changes, plan, lang, limit)


def _render_changes(console: Console, changes: Changes, plan, lang: str, limit: int) -> None:
    counts = changes.summary()
    said = messages.table(CHANGE_NAMES, lang)
    console.print(_("changes: {kinds}; {n} unchanged").format(
        kinds=_(", ").join(_("{n} {change}").format(n=counts[k], change=said[k]) for k in KINDS),
        n=counts["unchanged"]), highlight=False)
    if not changes.changes:
        return
    names = {s.id: s.name for s in plan.staff}
    venues = {"online": _("online"), **{v.id: v.name for v in plan.venues}}  # by_venue's key for online posts
    what = {}  # id → "06-03 17:30 幸福里社区" (→ the new time, for a move)
    for c in changes.changes:
        place = venues.get(c.venue, c.venue) if c.venue else _("online")
        when = c.slot()["start"][5:16].replace("T", " ")
        if c.kind == "moved" and c.after:
            when += " → " + c.after["start"][5:16].replace("T", " ")
        what[c.id] = f"{when} {place}"
    for title, rows, label in ((_("Changes per person"), changes.by_staff(), names),
                               (_("Changes per venue"), changes.by_venue(), venues)):
        table = Table(title=title, title_justify="left")
        table.add_column(_("id"))
        table.add_column(_p("changes", "name"))
        for k in KINDS:
            table.add_column(said[k], overflow="fold")
        for n, (key, kinds) in enumerate(rows.items()):
            if n == limit:
                table.add_row("…", _("{n} more in changes.json").format(n=len(rows) - limit), *[""] * len(KINDS))
                break
            table.add_row(key, label.get(key, key), *("\n".join(what[i] for i in kinds[k]) for k in KINDS))
        console.print(table)


def render_publication(publication) -> str:
    """What publishing did to the calendar events (a `planner.publish.Publication`), in the
    language the command speaks."""
    p = publication
    if not p.previous:
        return _("calendar events: first version, {n} events, SEQUENCE 0").format(n=p.added)
    parts = [_("{n} unchanged").format(n=p.unchanged), _("{n} changed (SEQUENCE + 1)").format(n=p.changed),
             _("{n} new").format(n=p.added), _("{n} cancelled").format(n=p.cancelled)]
    if p.revived:
        parts.append(_("{n} revived").format(n=p.revived))
    if p.renamed:
        parts.append(_("{n} moved to station UIDs").format(n=p.renamed))
    return _("calendar events: {parts}").format(parts=_(", ").join(parts))


__all__ = ["render_changes", "render_publication", "render_solution", "render_header", "render_score", "render_unmet",
           "render_weeks", "render_load", "render_idle"]
