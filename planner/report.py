"""What `planner plan` prints after solving: the score per tactic, what is unmet and why,
activities per week and each person's load (rich tables; the CLI stays thin)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner import messages
from planner.catalogue import catalogue
from planner.changes import KINDS, Changes
from planner.messages import NP_, Msg
from planner.search import Solution, Summary, summarize
from planner.vocab import ROLE_NAMES, TACTIC_NAMES


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[0] if language == "zh" else pair[1]


def render_solution(console: Console, solution: Solution, *, weeks: bool = True, people: bool = True) -> None:
    """The whole after-solve report."""
    summary = summarize(solution)
    lang = solution.loaded.plan.campaign.language
    render_header(console, summary)
    render_score(console, summary, lang)
    render_unmet(console, summary)
    if weeks:
        render_weeks(console, summary, lang)
    if people:
        render_load(console, summary, lang)
    render_idle(console, summary)
    for note in summary.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)


def render_header(console: Console, s: Summary) -> None:
    status = "[bold green]optimal[/]" if s.status == "optimal" else "[bold]feasible[/]"
    console.print(f"{status} plan: {s.activities} activities, expected reach {s.reach:,} people, "
                  f"about {s.installs:,.0f} App installs", highlight=False)
    console.print(f"objective {s.objective:,.1f} · bound {s.bound:,.1f} · gap {s.gap:.1%} · "
                  f"{s.solve_seconds:.1f} s", highlight=False)


def render_score(console: Console, s: Summary, lang: str) -> None:
    table = Table(title="Score by tactic 各项战法", title_justify="left")
    table.add_column("tactic")
    for col in ("met", "required", "penalty"):
        table.add_column(col, justify="right")
    for name, score in s.score.items():
        ok = score.met >= score.required
        met = f"[green]{score.met}[/]" if ok else f"[red]{score.met}[/]"
        table.add_row(_pick(TACTIC_NAMES.get(name, (name, name)), lang) + f" ({name})", met,
                      str(score.required), f"{score.penalty:,.1f}")
    console.print(table)


def render_unmet(console: Console, s: Summary, limit: int = 40) -> None:
    if not s.unmet:
        console.print("[green]Every quota is met.[/]")
        return
    table = Table(title=f"Unmet goals 未完成 ({len(s.unmet)})", title_justify="left")
    for col in ("tactic", "venue / person", "period", "short", "why"):
        table.add_column(col, overflow="fold")
    for u in s.unmet[:limit]:
        table.add_row(u.tactic, u.venue or u.person or "–", u.period or "–",
                      f"{u.short} of {u.required} {u.unit}s" if u.required > 1 else f"{u.short} {u.unit}",
                      u.why)
    console.print(table)
    if len(s.unmet) > limit:
        console.print(f"… and {len(s.unmet) - limit} more in plan.json (unmet)")


def render_weeks(console: Console, s: Summary, lang: str) -> None:
    cat = catalogue()
    formats = sorted({f for _, counts in s.per_week for f in counts})
    table = Table(title="Activities per week 每周活动", title_justify="left")
    table.add_column("week")
    for f in formats:
        table.add_column(cat.formats[f].name(lang) if f in cat.formats else f, justify="right")
    table.add_column("total", justify="right")
    for week, counts in s.per_week:
        table.add_row(week, *(str(counts.get(f, 0) or "") for f in formats), str(sum(counts.values())))
    console.print(table)


def render_load(console: Console, s: Summary, lang: str) -> None:
    table = Table(title="Load per person 人员工作量", title_justify="left")
    for col in ("staff", "name", "role", "activities", "capacity", "use"):
        table.add_column(col, justify="right" if col in ("activities", "capacity", "use") else "left")
    for sid, name, role, n, cap in s.load:
        use = f"{n / cap:.0%}" if cap else "–"
        table.add_row(sid, name, _pick(ROLE_NAMES[role], lang), str(n), str(cap), use)
    console.print(table)


def render_idle(console: Console, s: Summary) -> None:
    """Who has no activity at all: their calendar is written, valid, and holds no event."""
    idle = [(sid, name) for sid, name, _role, n, _cap in s.load if n == 0]
    if idle:
        console.print(f"[yellow]no activities ({len(idle)}):[/] "
                      + escape(", ".join(f"{name} ({sid})" for sid, name in idle))
                      + " — their calendars hold no events", highlight=False)


CHANGE_NAMES: dict[str, Msg] = {"added": NP_("change", "added"), "moved": NP_("change", "moved"),
                                "restaffed": NP_("change", "re-staffed"), "cancelled": NP_("change", "cancelled")}


def render_changes(console: Console, changes: Changes, solution: Solution, *, limit: int = 40) -> None:
    """What re-planning changed, per person and per venue (the details are in changes.json)."""
    plan = solution.loaded.plan
    lang = plan.campaign.language
    counts = changes.summary()
    said = messages.table(CHANGE_NAMES, lang)
    console.print("changes: " + ", ".join(f"{counts[k]} {said[k]}" for k in KINDS)
                  + f"; {counts['unchanged']} unchanged", highlight=False)
    if not changes.changes:
        return
    names = {s.id: s.name for s in plan.staff}
    venues = {v.id: v.name for v in plan.venues}
    what = {}  # id → "06-03 17:30 幸福里社区" (→ the new time, for a move)
    for c in changes.changes:
        place = venues.get(c.venue, c.venue) if c.venue else "online"
        when = c.slot()["start"][5:16].replace("T", " ")
        if c.kind == "moved" and c.after:
            when += " → " + c.after["start"][5:16].replace("T", " ")
        what[c.id] = f"{when} {place}"
    for title, rows, label in (("Changes per person 人员变动", changes.by_staff(), names),
                               ("Changes per venue 场所变动", changes.by_venue(), venues)):
        table = Table(title=title, title_justify="left")
        table.add_column("id")
        table.add_column("name")
        for k in KINDS:
            table.add_column(said[k], overflow="fold")
        for n, (key, kinds) in enumerate(rows.items()):
            if n == limit:
                table.add_row("…", f"{len(rows) - limit} more in changes.json", *[""] * len(KINDS))
                break
            table.add_row(key, label.get(key, key), *("\n".join(what[i] for i in kinds[k]) for k in KINDS))
        console.print(table)


__all__ = ["render_changes", "render_solution", "render_header", "render_score", "render_unmet", "render_weeks",
           "render_load", "render_idle"]
