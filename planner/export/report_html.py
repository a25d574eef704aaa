"""A period's report and a week's roster as HTML, in the campaign's language.

Two looks for each, from Jinja2 templates in planner/templates/report/ (package data),
rendered with autoescape on (every name from a plan is text):

- the printable page (A4, the printable plan's look: it includes planner/templates/plan/plan.css),
  which `planner.export.pdf.pdf_bytes` turns into a PDF;
- the phone card: 375 CSS px wide (750 pixels at 2×, as shared in WeChat work groups),
  which `planner.export.images` renders to one PNG.

Charts are the printable plan's (`planner.export.charts`): inline SVG, so they print.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from planner.export import charts, templating
from planner.export.html import Words
from planner.messages import N_, NP_, Msg, for_language, table
from planner.reports import Figure, Report, Roster, Tally
from planner.vocab import FILL_WORDS

__all__ = ["render_report", "render_report_card", "render_roster", "render_roster_card", "LABELS",
           "CARD_WIDTH", "report_templates_dir"]

#: The phone card's width in CSS px (a phone's screen; the PNG is twice as wide).
CARD_WIDTH = 375

LABELS: dict[str, Msg] = {
    "week_doc": N_("Weekly anti-fraud publicity report"), "month_doc": N_("Monthly anti-fraud publicity report"),
    "span_doc": N_("Anti-fraud publicity report"), "campaign_doc": N_("Anti-fraud publicity: campaign report"),
    "period": NP_("report: period", "Period"), "campaign": NP_("report: campaign", "Campaign"),
    "as_of": N_("Records as of"), "plan_version": N_("Plan version"), "records": N_("ledger records"),
    "no_records": N_("no ledger imported yet"), "planned": N_("planned"), "held": N_("held"),
    "not_held": N_("not held"), "rescheduled": N_("rescheduled"), "unreported": N_("not reported"),
    "upcoming": N_("still to come"), "not_done": N_("not held or not reported"), "extra": N_("unplanned"),
    "rate": N_("done"), "held_of_planned": N_("held / planned"), "reach": N_("people reached"),
    "installs": NP_("report: installs", "App installs"), "households": N_("households visited"),
    "photos": N_("photos"), "partners": N_("partners"), "targets": N_("Targets"), "indicator": N_("Indicator"),
    "target": N_("Target"), "actual": N_("Done"), "gap": N_("Short by"),
    "progress": NP_("report: progress", "Progress"), "expected": N_("Plan expects"),
    "met": NP_("report: met", "met"), "by_format": N_("By format"), "format": N_("Format"),
    "materials": N_("Materials handed out"), "material": N_("Material"),
    "not_held_title": N_("Activities not held or rescheduled"), "date": N_("Date"), "time": N_("Time"),
    "venue": N_("Venue"), "staff": N_("Staff"), "reason": N_("Why"), "state": N_("Outcome"),
    "none_not_held": N_("Every activity due in the period was held."), "five_into": N_("五进 coverage"),
    "kind": N_("Venue kind"), "venues": N_("Venues"), "venues_reached": N_("Venues reached"),
    "share": N_("Coverage"), "per_venue": N_("Per venue"), "area": N_("Area"), "last_held": N_("Last held"),
    "key_dates": N_("Key dates"), "key_date": NP_("report: key_date", "Key date"), "window": N_("Window"),
    "none_key_dates": N_("No key date falls in the period."), "rankings": N_("Rankings"),
    "places": N_("Communities and villages"), "people": NP_("report: people", "Staff"), "areas": N_("Areas"),
    "rank": N_("#"), "name": N_("Name"), "person": NP_("report: person", "Name"), "role": N_("Role"),
    "venue_count": NP_("report: venue_count", "Venues"), "trend": N_("Week by week"),
    "trend_chart": N_("Activities per week"), "reach_chart": N_("People reached per week"),
    "this_period": N_("this period"), "fraud_free": N_("Fraud-free communities, campuses and units"),
    "install_rate": N_("App install rate"),
    "households_share": NP_("report: households_share", "Households visited"), "people_served": N_("Serves"),
    "rule": N_("Rule"), "unreported_list": N_("Activities with no ledger entry"), "summary": N_("Summary"),
    "top": N_("top 5 of {n}"), "generated": N_("Generated"), "yes": NP_("report: yes", "met"), "no": N_("not met"),
    "roster_doc": N_("Weekly roster"), "roster_title": N_("This week's anti-fraud publicity"),
    "who": N_("Who goes"), "nothing": NP_("report: nothing", "nothing planned"),
    "activities": NP_("report: activities", "activities"), "address": N_("Address"),
    "theme": NP_("plan: theme", "Theme"), "bring": NP_("report: bring", "Bring"), "week": N_("Week {n}"),
    "load": N_("Who is out this week"), "count": N_("Activities"), "n_venues": N_("{n} venues"),
}


def report_templates_dir() -> Path:
    return templating.folder("report")


def _environment(language: str) -> jinja2.Environment:
    return templating.environment(language, "report", "plan")  # the report includes the plan's CSS


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _period_title(kind: str, first: date, last: date, start: date, w: Words) -> str:
    if kind == "week":  # the year is in the campaign's name, the dates say the rest
        year, week, _ = start.isocalendar()
        span = w.span(first, last)
        return w.m._("Week {week} ({span})").format(week=week, span=span)
    if kind == "month":
        return w.month(start.year, start.month)
    return w.span(first, last) if first.year == last.year else f"{w.full_day(first)} – {w.full_day(last)}"


def _figure_row(f: Figure, w: Words) -> dict[str, Any]:
    return {"name": f.name, "actual": w.number(f.actual), "target": "—" if f.target is None else w.number(f.target),
            "gap": "—" if f.gap is None else w.number(f.gap), "met": f.met, "progress": _pct(f.progress),
            "planned": "" if f.planned is None else w.number(f.planned),
            "meter": charts.meter(f.actual, f.target or 0) if f.target else Markup(""),
            "share": min(f.progress or 0, 1.0) if f.target else None}


def _tally_row(t: Tally, w: Words) -> dict[str, Any]:
    return {"planned": t.planned, "held": t.held, "extra": t.extra, "not_held": t.not_held + t.rescheduled,
            "unreported": t.unreported, "upcoming": t.upcoming, "reached": w.number(t.reached),
            "installs": w.number(t.installs), "households": w.number(t.households), "rate": _pct(t.rate),
            "rate_value": t.rate}


def _trend_charts(report: Report, t: dict[str, str], width: float) -> list[Markup]:
    lang = report.lang
    columns = []
    reach = []
    for week in report.weeks:
        number = week.key.split("W")[-1].lstrip("0")
        label = for_language(lang)._("W{number}").format(number=number)
        tally = week.tally
        columns.append(charts.WeekColumn(label, [tally.held, tally.not_held + tally.rescheduled + tally.unreported],
                                         marked=week.in_period))
        reach.append(charts.WeekColumn(label, [week.totals["reached"]], marked=week.in_period))
    if not columns:
        return []
    return [
        charts.weekly_chart(columns, [t["held"], t["not_done"]],
                            title=t["trend_chart"], marked_label=t["this_period"], width=width),
        charts.weekly_chart(reach, [t["reach"]], title=t["reach_chart"], marked_label=t["this_period"], width=width),
    ]


def report_context(report: Report, *, width: float = 680) -> dict[str, Any]:
    """Everything the report's templates show."""
    lang = report.lang
    t = table(LABELS, lang)
    w = Words(lang)
    p = report.period
    doc = t[f"{p.kind}_doc"]
    title = _period_title(p.kind, p.first, p.last, p.start, w)
    tally = report.tally
    figures = {f.key: f for f in report.figures}

    def item_row(i) -> dict[str, Any]:
        return {"day": w.short_day(i.day), "weekday": w.weekday(i.day),
                "time": f"{i.start}–{i.end}" if i.start and i.end else (i.start or ""),
                "venue": i.venue_name, "format": i.format_name,
                "staff": w.m._(", ").join(i.staff_names),
                "outcome": t[i.outcome], "outcome_key": i.outcome, "reason": i.reason}

    return {
        "t": t, "lang": lang, "w": w, "doc": doc, "title": title,
        "station": report.station, "region": report.region, "campaign": report.campaign,
        "span": w.span(p.first, p.last) + w.m._(" ({n} days)").format(n=p.days),
        "as_of": _moment(report.last_import, report.timezone) if report.last_import else t["no_records"],
        "records": report.recorded, "version": report.plan_version[:12],
        "fill": table(FILL_WORDS, lang)[report.fill],
        "tally": _tally_row(tally, w),
        "tiles": [
            {"big": f"{tally.held}", "small": f"/ {tally.planned}", "what": t["held_of_planned"],
             "sub": f"{t['rate']} {_pct(tally.rate)}" + (f" · {t['extra']} {tally.extra}" if tally.extra else ""),
             "ok": tally.rate is not None and tally.rate >= 1},
            *({"big": w.number(figures[k].actual), "small": "", "what": t[label],
               "sub": (f"{t['target']} {w.number(target)} · {_pct(figures[k].progress)}"
                       if (target := figures[k].target) else ""),
               "ok": bool(figures[k].met)} for k, label in (("reach", "reach"), ("app_installs", "installs"),
                                                           ("households", "households"))),
        ],
        "figures": [_figure_row(f, w) for f in report.figures],
        "formats": [_figure_row(f, w) for f in report.formats],
        "materials": [_figure_row(f, w) for f in report.materials],
        "photos": report.totals.get("photos", 0), "partners": report.partners,
        "replan": report.replan and {"title": w.m._("Re-planned from {day}").format(
            day=w.short_day(date.fromisoformat(report.replan["from"]))), "lines": report.replan["lines"]},
        "not_held": [item_row(i) for i in report.items if i.outcome in ("not_held", "rescheduled")],
        "unreported": [item_row(i) for i in report.items if i.outcome == "unreported"],
        "kinds": [{"name": k.name, "five": k.five_into, "venues": k.venues, "venues_reached": k.venues_reached,
                   "share": _pct(k.share), "share_value": k.share or 0, **_tally_row(k.tally, w)}
                  for k in report.kinds],
        "venues": [{"name": v.name, "kind": v.kind_name, "area": v.area, "five": v.five_into,
                    "last": w.short_day(v.last_held) if v.last_held else "—", **_tally_row(v.tally, w)}
                   for v in report.venues if v.tally.planned or v.tally.held or v.five_into],
        "key_dates": [{"name": k.name, "day": w.day(k.day), "window": w.span(*k.window), "planned": k.planned,
                       "held": k.held, "met": k.met} for k in report.key_dates],
        "places": [{"rank": r.rank, "name": r.name, "note": r.note, **_tally_row(r.tally, w)} for r in report.places],
        "people": [{"rank": r.rank, "name": r.name, "note": r.note, **_tally_row(r.tally, w)} for r in report.people],
        "areas": [{"rank": r.rank, "name": r.name, "note": t["n_venues"].format(n=r.note), **_tally_row(r.tally, w)}
                  for r in report.areas],
        "trend": _trend_charts(report, t, width),
        "fraud_free": [{"name": r.name, "kind": r.kind_name, "people": w.number(r.people),
                        "installs": w.number(r.installs), "install_rate": _pct(r.install_rate),
                        "households": w.number(r.households), "households_share": _pct(r.households_share),
                        "met": r.met} for r in report.fraud_free],
        "fraud_free_rule": report.fraud_free_rule and {
            "install_rate": _pct(report.fraud_free_rule["install_rate"]),
            "households_share": _pct(report.fraud_free_rule["households_share"])},
        "today": w.full_day(report.today),
    }


def _moment(text: str, timezone: str) -> str:
    """A stored UTC time as the station's local time."""
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M}"


def render_report(report: Report) -> str:
    """The printable report (A4), one self-contained HTML document."""
    return _environment(report.lang).get_template("report.html.j2").render(**report_context(report))


def render_report_card(report: Report) -> str:
    """The report's summary as a phone-width card (for the PNG)."""
    context = report_context(report, width=CARD_WIDTH - 24)
    return _environment(report.lang).get_template("card.html.j2").render(**context, card_width=CARD_WIDTH)


def roster_context(roster: Roster) -> dict[str, Any]:
    lang = roster.lang
    t = table(LABELS, lang)
    w = Words(lang)
    p = roster.period
    year, week, _ = p.start.isocalendar()
    sep = w.m._(", ")
    return {
        "t": t, "lang": lang, "w": w, "station": roster.station, "campaign": roster.campaign,
        "title": _period_title("week", p.first, p.last, p.start, w), "week": t["week"].format(n=week),
        "count": roster.count, "version": roster.plan_version[:12],
        "days": [{"day": w.day(d.day), "weekday": w.weekday(d.day), "weekend": d.day.weekday() >= 5, "note": d.off,
                  "duties": [{"time": f"{x.start}–{x.end}", "venue": x.venue_name, "address": x.address,
                              "area": x.area, "format": x.format_name, "staff": sep.join(x.staff_names),
                              "theme": x.theme_name, "key_date": x.key_date_name,
                              "materials": sep.join(x.materials)} for x in d.duties]}
                 for d in roster.days],
        "people": [{"name": n, "count": c} for n, c in roster.people],
    }


def render_roster(roster: Roster) -> str:
    """The week's roster as a printable page (A4)."""
    return _environment(roster.lang).get_template("roster.html.j2").render(**roster_context(roster))


def render_roster_card(roster: Roster) -> str:
    """The week's roster as a phone-width card (for the PNG)."""
    return _environment(roster.lang).get_template("roster_card.html.j2").render(**roster_context(roster),
                                                                      card_width=CARD_WIDTH)
