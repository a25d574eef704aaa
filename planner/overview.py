"""Terminal summaries for `planner check` and `planner dates` (rich tables)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner import messages
from planner.calendar import DAY_KINDS, CampaignCalendar, YearOverview
from planner.capacity import CapacityEstimate
from planner.catalogue import catalogue
from planner.loader import LoadedPlan
from planner.messages import WEEKDAYS, _, _p, for_language
from planner.vocab import DAY_CLASS_WORDS, ROLE_WORDS, TACTIC_WORDS, VENUE_KINDS


def _weekday(day: date, language: str) -> str:
    return for_language(language)._(WEEKDAYS[day.weekday()])


def _word(words: dict, key: str, language: str) -> str:
    """An id in words (ROLE_WORDS, TACTIC_WORDS…: msgids of the catalogue); an unknown one as it is."""
    return for_language(language).msg(words[key]) if key in words else key


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
    name = _word(TACTIC_WORDS, tactic, lang)
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
    for role in ROLE_WORDS:
        people = [s for s in plan.staff if s.role == role]
        if not people:
            continue
        skills = Counter(k for s in people for k in s.skills)
        teams = sorted({s.team for s in people if s.team})
        staff.add_row(_word(ROLE_WORDS, role, lang), str(len(people)),
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
    for kind in DAY_KINDS:
        listed = [d.date for d in calendar.days if d.kind == kind]
        shown = ", ".join(f"{d:%m-%d}" for d in listed) if kind in ("makeup_workday", "holiday") else ""
        days.add_row(_word(DAY_KINDS, kind, lang), str(counts.get(kind, 0)), shown)
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
        roles.add_row(_word(ROLE_WORDS, s.role, lang), str(s.people), f"{s.person_activities:.0f}",
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


def _day(day: date, language: str) -> str:
    """6月3日（周三） in Chinese, Wed 2027-06-03 in English."""
    weekday = _weekday(day, language)
    return f"{day.month}月{day.day}日（{weekday}）" if language == "zh" else f"{weekday} {day.isoformat()}"


def _span(start: date, end: date, language: str) -> str:
    if language == "zh":
        return f"{start.month}月{start.day}日" + ("" if start == end else f"–{end.month}月{end.day}日")
    return start.isoformat() + ("" if start == end else f" – {end.isoformat()}")


def render_dates(console: Console, overview: YearOverview, language: str) -> None:
    from planner.calendar import festival_label

    m = for_language(language)
    lang = m.language
    console.print("[bold]" + m._("Year {year}").format(year=overview.year) + "[/]")
    off = Table(title=m._("Official days off"), title_justify="left")
    off.add_column(m._p("dates table", "holiday"))
    off.add_column(m._p("dates table", "days off"))
    off.add_column(m._p("dates table", "days"), justify="right")
    periods = overview.days_off if overview.official else overview.proposed
    if not overview.official:
        off.add_column(m._p("dates table", "status"))
    for period in periods:
        row = [period.label(lang), _span(period.span.start, period.span.end, lang), str(len(period.span.days()))]
        if not overview.official:
            row.append("[yellow]" + m._("to be confirmed by the State Council notice") + "[/]")
        off.add_row(*row)
    console.print(off)
    makeup = Table(title=m._("Make-up workdays"), title_justify="left")
    makeup.add_column(m._p("dates table", "date"))
    if not overview.official:
        makeup.add_row("[yellow]" + m._("published with the State Council notice; not guessed") + "[/]")
    for day in overview.makeup_workdays:
        makeup.add_row(_day(day, lang))
    console.print(makeup)
    lunar = Table(title=m._("Lunar festivals"), title_justify="left")
    lunar.add_column(m._p("dates table", "festival"))
    lunar.add_column(m._p("dates table", "date"))
    for day, name in overview.lunar_festivals:
        lunar.add_row(festival_label(name, lang), _day(day, lang))
    console.print(lunar)
    keys = Table(title=m._("Key dates"), title_justify="left")
    keys.add_column(m._p("dates table", "id"), no_wrap=True)
    for col in (m._p("dates table", "key date"), m._p("dates table", "date"), m._p("dates table", "window")):
        keys.add_column(col)
    for k in overview.key_dates:
        keys.add_row(k.id, k.name(lang), _day(k.date, lang), _span(k.window.start, k.window.end, lang))
    console.print(keys)
    if not any(k.id == "national_month" for k in overview.key_dates):
        console.print("[dim]" + escape(m._("The national publicity month (national_month) moves every year: "
                                           "add --national-month START to show it.")) + "[/]")


__all__ = ["render_check", "render_dates", "DAY_CLASS_WORDS"]
