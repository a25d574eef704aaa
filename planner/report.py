"""What `planner plan` prints after solving: the score per tactic, what is unmet and why,
activities per week and each person's load (rich tables; the CLI stays thin)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner import messages
from planner.catalogue import catalogue
from planner.changes import KINDS, Changes
from planner.export.view import tactic_name
from planner.messages import NP_, Messages, Msg
from planner.planjson import UNIT_WORDS
from planner.search import Solution, Summary, summarize
from planner.vocab import ROLE_WORDS


def render_solution(console: Console, solution: Solution, *, weeks: bool = True, people: bool = True) -> None:
    """The whole after-solve report, in the language asked for (else the campaign's)."""
    summary = summarize(solution)
    lang = messages.chosen(solution.loaded.plan.campaign.language)
    m = messages.for_language(lang)
    render_header(console, summary, m)
    render_score(console, summary, lang)
    render_unmet(console, summary, m=m)
    if weeks:
        render_weeks(console, summary, lang)
    if people:
        render_load(console, summary, lang)
    render_idle(console, summary, m)
    for note in summary.notes:
        console.print(m._("[yellow]note:[/] {note}").format(note=note), highlight=False)


def render_header(console: Console, s: Summary, m: Messages | None = None) -> None:
    m = m or messages.for_language(messages.current())
    status = m._("[bold green]optimal[/]") if s.status == "optimal" else m._("[bold]feasible[/]")
    console.print(m._("{status} plan: {activities} activities, expected reach {reach} people, "
                      "about {installs} App installs").format(
        status=status, activities=s.activities, reach=f"{s.reach:,}", installs=f"{s.installs:,.0f}"),
        highlight=False)
    console.print(m._("objective {objective} · bound {bound} · gap {gap} · {seconds} s").format(
        objective=f"{s.objective:,.1f}", bound=f"{s.bound:,.1f}", gap=f"{s.gap:.1%}", seconds=f"{s.solve_seconds:.1f}"),
        highlight=False)


def render_score(console: Console, s: Summary, lang: str) -> None:
    m = messages.for_language(lang)
    table = Table(title=m._("Score by tactic"), title_justify="left")
    table.add_column(m._p("summary column", "tactic"))
    for col in (m._p("summary column", "met"), m._p("summary column", "required"), m._p("summary column", "penalty")):
        table.add_column(col, justify="right")
    for name, score in s.score.items():
        ok = score.met >= score.required
        met = f"[green]{score.met}[/]" if ok else f"[red]{score.met}[/]"
        table.add_row(tactic_name(name, lang) + f" ({name})", met, str(score.required), f"{score.penalty:,.1f}")
    console.print(table)


def render_unmet(console: Console, s: Summary, limit: int = 40, m: Messages | None = None) -> None:
    m = m or messages.for_language(messages.current())
    if not s.unmet:
        console.print(m._("[green]Every quota is met.[/]"))
        return
    table = Table(title=m._("Unmet goals ({n})").format(n=len(s.unmet)), title_justify="left")
    for col in (m._p("summary column", "tactic"), m._p("summary column", "venue / person"),
                m._p("summary column", "period"), m._p("summary column", "short"), m._p("summary column", "why")):
        table.add_column(col, overflow="fold")
    for u in s.unmet[:limit]:
        unit = m._(UNIT_WORDS.get(u.unit, UNIT_WORDS["activity"]))
        short = (m._("{short} of {required} {unit}").format(short=u.short, required=u.required, unit=unit)
                 if u.required > 1 else m._("{short} {unit}").format(short=u.short, unit=unit))
        table.add_row(tactic_name(u.tactic, m.language), u.venue or u.person or "–", u.period or "–", short, u.why)
    console.print(table)
    if len(s.unmet) > limit:
        console.print(m._("… and {n} more in plan.json (unmet)").format(n=len(s.unmet) - limit))


def render_weeks(console: Console, s: Summary, lang: str) -> None:
    m = messages.for_language(lang)
    cat = catalogue()
    formats = sorted({f for _, counts in s.per_week for f in counts})
    table = Table(title=m._("Activities per week"), title_justify="left")
    table.add_column(m._p("summary column", "week"))
    for f in formats:
        table.add_column(cat.formats[f].name(lang) if f in cat.formats else f, justify="right")
    table.add_column(m._p("summary column", "total"), justify="right")
    for week, counts in s.per_week:
        table.add_row(week, *(str(counts.get(f, 0) or "") for f in formats), str(sum(counts.values())))
    console.print(table)


def render_load(console: Console, s: Summary, lang: str) -> None:
    m = messages.for_language(lang)
    table = Table(title=m._("Load per person"), title_justify="left")
    for key, col in (("staff", m._p("summary column", "staff")), ("name", m._p("summary column", "name")),
                     ("role", m._p("summary column", "role")), ("activities", m._p("summary column", "activities")),
                     ("capacity", m._p("summary column", "capacity")), ("use", m._p("summary column", "use"))):
        table.add_column(col, justify="right" if key in ("activities", "capacity", "use") else "left")
    for sid, name, role, n, cap in s.load:
        use = f"{n / cap:.0%}" if cap else "–"
        table.add_row(sid, name, m._(ROLE_WORDS[role]) if role in ROLE_WORDS else role, str(n), str(cap), use)
    console.print(table)


def render_idle(console: Console, s: Summary, m: Messages | None = None) -> None:
    """Who has no activity at all: their calendar is written, valid, and holds no event."""
    m = m or messages.for_language(messages.current())
    idle = [(sid, name) for sid, name, _role, n, _cap in s.load if n == 0]
    if idle:
        console.print(m._("[yellow]no activities ({n}):[/] {names} — their calendars hold no events").format(
            n=len(idle), names=escape(m._(", ").join(m._("{name} ({id})").format(name=name, id=sid)
                                                      for sid, name in idle))), highlight=False)


CHANGE_NAMES: dict[str, Msg] = {"added": NP_("change", "added"), "moved": NP_("change", "moved"),
                                "restaffed": NP_("change", "re-staffed"), "cancelled": NP_("change", "cancelled")}


def render_changes(console: Console, changes: Changes, solution: Solution, *, limit: int = 40) -> None:
    """What re-planning changed, per person and per venue (the details are in changes.json)."""
    plan = solution.loaded.plan
    lang = messages.chosen(plan.campaign.language)
    m = messages.for_language(lang)
    counts = changes.summary()
    said = messages.table(CHANGE_NAMES, lang)
    console.print(m._("changes: {counts}; {n} unchanged").format(
        counts=m._(", ").join(m._("{n} {what}").format(n=counts[k], what=said[k]) for k in KINDS),
        n=counts["unchanged"]), highlight=False)
    if not changes.changes:
        return
    names = {s.id: s.name for s in plan.staff}
    venues = {v.id: v.name for v in plan.venues}
    what = {}  # id → "06-03 17:30 幸福里社区" (→ the new time, for a move)
    for c in changes.changes:
        place = venues.get(c.venue, c.venue) if c.venue else m._("online")
        when = c.slot()["start"][5:16].replace("T", " ")
        if c.kind == "moved" and c.after:
            when += " → " + c.after["start"][5:16].replace("T", " ")
        what[c.id] = f"{when} {place}"
    for title, rows, label in ((m._("Changes per person"), changes.by_staff(), names),
                               (m._("Changes per venue"), changes.by_venue(), venues)):
        table = Table(title=title, title_justify="left")
        table.add_column("id")
        table.add_column(m._p("summary column", "name"))
        for k in KINDS:
            table.add_column(said[k], overflow="fold")
        for n, (key, kinds) in enumerate(rows.items()):
            if n == limit:
                table.add_row("…", m._("{n} more in changes.json").format(n=len(rows) - limit), *[""] * len(KINDS))
                break
            table.add_row(key, label.get(key, key), *("\n".join(what[i] for i in kinds[k]) for k in KINDS))
        console.print(table)


__all__ = ["render_changes", "render_solution", "render_header", "render_score", "render_unmet", "render_weeks",
           "render_load", "render_idle"]
