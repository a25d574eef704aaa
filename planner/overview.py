"""Terminal summaries for `planner check` and `planner dates` (rich tables)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner import messages
from planner.calendar import DAY_KIND_NAMES, CampaignCalendar, YearOverview
from planner.capacity import CapacityEstimate
from planner.catalogue import catalogue
from planner.loader import LoadedPlan
from planner.messages import WEEKDAYS, _, _p, for_language
from planner.vocab import DAY_CLASS_NAMES, ROLE_NAMES, TACTIC_NAMES, VENUE_KINDS


def _weekday(day: date, language: str) -> str:
    return for_language(language)._(WEEKDAYS[day.weekday()])


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[0] if language == "zh" else pair[1]


def render_check(console: Console, loaded: LoadedPlan, calendar: CampaignCalendar,
                 capacity: CapacityEstimate) -> None:
    """What `planner check` prints, in the plan's language (or the one the command was told)."""
    lang = messages.chosen(loaded.plan.campaign.language)
    with messages.using(lang):
        _render_check(console, loaded, calendar, capacity, lang)


def _demand_name(key: str, lang: str) -> str:
    """A demand's key (five_into:community, three_times:square/market) in words."""
    cat = catalogue()
    tactic, _sep, what = key.partition(":")
    tactic = {"three_times": "three_times_three_places"}.get(tactic, tactic)
    name = _pick(TACTIC_NAMES.get(tactic, (tactic, tactic)), lang)
    if what == "online":
        return name + " · " + _("online")
    if what:
        kinds = [cat.venue_kinds[k].name(lang) if k in cat.venue_kinds else k for k in what.split("/")]
        return f"{name} · {'/'.join(kinds)}"
    return name


def _render_check(console: Console, loaded: LoadedPlan, calendar: CampaignCalendar,
                  capacity: CapacityEstimate, lang: str) -> None:
    plan = loaded.plan
    cat = catalogue()
    c = plan.campaign
    console.print("[bold green]✓[/] " + escape(_("{file}: valid station plan").format(file=loaded.file)))
    console.print(f"[bold]{escape(plan.station.name)}[/] · {escape(c.name)} · "
                  + escape(_("{start} – {end} ({days} days, {weeks:.1f} weeks)").format(
                      start=c.start, end=c.end, days=len(calendar.days), weeks=capacity.weeks)))

    staff = Table(title=_("Staff"), title_justify="left")
    for col in (_("role"), _("people"), _("skills"), _("teams"), _("claims")):
        staff.add_column(col)
    for role in ROLE_NAMES:
        people = [s for s in plan.staff if s.role == role]
        if not people:
            continue
        skills = Counter(k for s in people for k in s.skills)
        teams = sorted({s.team for s in people if s.team})
        staff.add_row(_pick(ROLE_NAMES[role], lang), str(len(people)),
                      _(", ").join(f"{k} {n}" for k, n in sorted(skills.items())) or "–",
                      _(", ").join(teams) or "–", str(sum(len(s.claims) for s in people)))
    console.print(staff)

    venues = Table(title=_("Venues by 五进 kind"), title_justify="left")
    right = (_p("terminal", "venues"), _("people served"), _("high risk"))
    for col in (_("kind"), "五进", *right, _("audiences")):
        venues.add_column(col, justify="right" if col in right else "left")
    five = set(plan.tactics.five_into.kinds) if plan.tactics.five_into else set()
    for kind in VENUE_KINDS:
        here = [v for v in plan.venues if v.kind == kind]
        if not here:
            continue
        audiences = Counter(a for v in here for a in v.audience_ids())
        names = [cat.audiences[a].name(lang) if a in cat.audiences else a for a, _n in audiences.most_common(4)]
        venues.add_row(cat.venue_kinds[kind].name(lang), "✓" if kind in five else "",
                       str(len(here)), f"{sum(v.people() for v in here):,}",
                       str(sum(v.risk == "high" for v in here)), _(", ").join(names))
    console.print(venues)

    days = Table(title=_("Days"), title_justify="left")
    days.add_column(_("class"))
    days.add_column(_p("terminal", "days"), justify="right")
    days.add_column(_("dates"))
    counts = calendar.counts()
    for kind, pair in DAY_KIND_NAMES.items():
        listed = [d.date for d in calendar.days if d.kind == kind]
        shown = ", ".join(f"{d:%m-%d}" for d in listed) if kind in ("makeup_workday", "holiday") else ""
        days.add_row(_pick(pair, lang), str(counts.get(kind, 0)), shown)
    terms = [t for t in calendar.school_terms if t.start <= c.end and t.end >= c.start]
    days.add_row(_("school term"), str(sum(d.in_term for d in calendar.days)), "; ".join(str(t) for t in terms))
    console.print(days)

    keys = Table(title=_("Key dates in the campaign"), title_justify="left")
    for col in (_("key date"), _("date"), _("window"), _("audiences"), _("themes")):
        keys.add_column(col, no_wrap=col in (_("date"), _("window")))
    for k in calendar.key_dates:
        key_audiences = _("all") if k.audiences is None else _(", ").join(
            cat.audiences[a].name(lang) if a in cat.audiences else a for a in k.audiences)
        themes = _("any") if k.themes is None else _(", ").join(
            cat.fraud_types[t].name(lang) if t in cat.fraud_types else t for t in k.themes)
        keys.add_row(k.name(lang), f"{k.date} {_weekday(k.date, lang)}", str(k.window), key_audiences, themes)
    if not calendar.key_dates:
        keys.add_row("–", "", "", "", "")
    console.print(keys)
    for note in calendar.notes:
        console.print("[yellow]" + escape(_("note:")) + "[/] " + escape(note))

    cap = Table(title=_("Capacity estimate (before solving)"), title_justify="left")
    for col, justify in ((_("demand"), "left"), (_p("terminal", "activities"), "right"),
                         (_("person-activities"), "right"), (_("staff-hours"), "right"), (_("basis"), "left")):
        cap.add_column(col, justify=justify)  # type: ignore[arg-type]
    for d in capacity.demands:
        cap.add_row(_demand_name(d.tactic, lang), f"{d.activities:.0f}", f"{d.person_activities:.0f}",
                    f"{d.hours:.0f}", escape(d.note))
    cap.add_row("[bold]" + escape(_p("terminal", "required")) + "[/]", "", f"[bold]{capacity.required_total():.0f}[/]",
                f"[bold]{sum(d.hours for d in capacity.demands):.0f}[/]", "")
    console.print(cap)

    roles = Table(title=_("Staff time available against required"), title_justify="left")
    for col in (_("role"), _("people"), _("available"), _("staff-hours"), _p("terminal", "required"), _("load")):
        roles.add_column(col, justify="left" if col == _("role") else "right")
    no_one = "[red]" + escape(_("no one")) + "[/]"
    for s in capacity.supply:
        need = capacity.required(s.role)
        load = need / s.person_activities if s.person_activities else (float("inf") if need else 0.0)
        style = "red" if load > 1 else "yellow" if load > 0.8 else "green"
        roles.add_row(_pick(ROLE_NAMES[s.role], lang), str(s.people), f"{s.person_activities:.0f}",
                      f"{s.hours:.0f}", f"{need:.0f}",
                      f"[{style}]{load:.0%}[/]" if load != float("inf") else no_one)
    anyone = capacity.required("any")
    if anyone:
        total = capacity.available_total()
        roles.add_row(_("any role"), str(len(plan.staff)), f"{total:.0f}",
                      f"{sum(s.hours for s in capacity.supply):.0f}", f"{capacity.required_total():.0f}",
                      f"{capacity.required_total() / total:.0%}" if total else no_one)
    console.print(roles)
    console.print("[dim]" + escape(_("available: person-activities that leave, duty rotas and max_activities_per_week "
                                     "allow; required: the tactics' quotas with the smallest staffing that meets "
                                     "them.")) + "[/]")


def render_dates(console: Console, overview: YearOverview, language: str) -> None:
    lang = language
    console.print(f"[bold]{overview.year}[/]")
    off = Table(title="Official days off 法定节假日", title_justify="left")
    off.add_column("holiday")
    off.add_column("days off")
    off.add_column("count", justify="right")
    if not overview.official:
        off.add_row("[yellow]not published in the installed chinesecalendar[/]",
                    "list them in a plan's campaign.extra_holidays / extra_workdays", "")
    for period in overview.days_off:
        off.add_row(period.name, f"{period.span.start:%m-%d} – {period.span.end:%m-%d}",
                    str(len(period.span.days())))
    console.print(off)
    makeup = Table(title="Make-up workdays 调休上班", title_justify="left")
    makeup.add_column("date")
    makeup.add_column("weekday")
    for day in overview.makeup_workdays:
        makeup.add_row(day.isoformat(), _weekday(day, lang))
    console.print(makeup)
    lunar = Table(title="Lunar festivals 农历节日", title_justify="left")
    lunar.add_column("festival")
    lunar.add_column("date")
    for day, name in overview.lunar_festivals:
        lunar.add_row(name, f"{day} {_weekday(day, lang)}")
    console.print(lunar)
    keys = Table(title="Key dates 关键节点", title_justify="left")
    for col in ("id", "key date", "date", "window"):
        keys.add_column(col, no_wrap=col in ("date", "window"))
    for k in overview.key_dates:
        keys.add_row(k.id, k.name(lang), f"{k.date} {_weekday(k.date, lang)}", str(k.window))
    console.print(keys)
    if not any(k.id == "national_month" for k in overview.key_dates):
        console.print("[dim]national_month moves every year: pass --national-month START to show it.[/]")


__all__ = ["render_check", "render_dates", "DAY_CLASS_NAMES"]
