"""Checks a plan needs beyond types: unique ids, references, and the official calendar.

They read the raw YAML data, so they still run (and report) when other parts of the file
have type errors: the user gets every problem in one go.
"""

from __future__ import annotations

from collections.abc import Collection
from fnmatch import fnmatchcase
from typing import Any, Iterator

from pydantic import ValidationError

from planner.catalogue import catalogue
from planner.errors import Problem, did_you_mean
from planner.messages import N_, _
from planner.model import Campaign
from planner.yamlio import Document


def _items(data: Any, key: str) -> Iterator[tuple[int, dict]]:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _strings(value: Any) -> Iterator[tuple[int | None, str]]:
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield i, item


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


_UNKNOWN_AUDIENCE = N_("unknown audience '{ref}'{hint}")
_UNKNOWN_FORMAT = N_("unknown activity format '{ref}'{hint}")
_UNKNOWN_ITEM = N_("unknown checklist item '{ref}'{hint}: an item is an activity format or a material")


class _Checker:
    def __init__(self, document: Document):
        self.doc = document
        self.data = document.data
        self.problems: list[Problem] = []

    def add(self, path: tuple, what: str) -> None:
        self.problems.append(self.doc.problem(path, what))

    def refs(self, path: tuple, value: Any, known: set[str], unknown: str, *, allow: tuple = ()) -> None:
        """`unknown`: the msgid saying "unknown venue '{ref}'{hint}" (or audience, …)."""
        for i, ref in _strings(value):
            if ref in allow or ref in known:
                continue
            at = path if i is None else (*path, i)
            self.add(at, _(unknown).format(ref=ref, hint=did_you_mean(ref, known)))

    def unique(self, section: str, duplicate: str, reserved: Collection[str] = (), built_in: str = "") -> set[str]:
        """`duplicate`: the msgid "duplicate staff id '{id}' (first used on line {line})" (or venue, …);
        `built_in`: the msgid saying an id of `reserved` is taken."""
        first: dict[str, int] = {}
        for i, item in _items(self.data, section):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in reserved:
                self.add((section, i, "id"), _(built_in).format(id=ident))
            elif ident in first:
                line, _col = self.doc.positions.locate((section, first[ident], "id"))
                self.add((section, i, "id"), _(duplicate).format(id=ident, line=line))
            else:
                first[ident] = i
        return set(first)

    def run(self) -> list[Problem]:
        cat = catalogue()
        self.unique("staff", N_("duplicate staff id '{id}' (first used on line {line})"))
        venue_ids = self.unique("venues", N_("duplicate venue id '{id}' (first used on line {line})"))
        audiences = set(cat.audiences) | self.unique(
            "audiences", N_("duplicate audience id '{id}' (first used on line {line})"), set(cat.audiences),
            N_("'{id}' is already a built-in audience; choose another id"))
        fraud_types = set(cat.fraud_types) | self.unique(
            "fraud_types", N_("duplicate fraud type id '{id}' (first used on line {line})"), set(cat.fraud_types),
            N_("'{id}' is already a built-in fraud type; choose another id"))
        formats = set(cat.formats)
        activities = self.data.get("activities")
        if isinstance(activities, dict):
            for name, fmt in activities.items():
                formats.add(name)
                if name not in cat.formats and isinstance(fmt, dict):
                    missing = [k for k in ("duration", "needs", "windows") if k not in fmt]
                    if "kinds" not in fmt and not fmt.get("online"):
                        missing.append(_("kinds (or online: true)"))
                    if missing:
                        self.add(("activities", name), _("'{name}' is a new format{hint}: it needs {missing}").format(
                            name=name, hint=did_you_mean(name, cat.formats), missing=_(", ").join(missing)))
        teams = {item["team"] for _i, item in _items(self.data, "staff") if isinstance(item.get("team"), str)}
        areas = {item["area"] for section in ("staff", "venues")
                 for _i, item in _items(self.data, section) if isinstance(item.get("area"), str)}

        for i, person in _items(self.data, "staff"):
            self.refs(("staff", i, "claims"), person.get("claims"), venue_ids, N_("unknown venue '{ref}'{hint}"))
        for i, venue in _items(self.data, "venues"):
            self.refs(("venues", i, "audiences"), venue.get("audiences"), audiences, _UNKNOWN_AUDIENCE)
            if venue.get("market_days") is not None and venue.get("kind") != "market":
                self.add(("venues", i, "market_days"), _("market_days are for venues of kind market (赶集 days)"))
        for i, fraud in _items(self.data, "fraud_types"):
            self.refs(("fraud_types", i, "audiences"), fraud.get("audiences"), audiences, _UNKNOWN_AUDIENCE)
        if isinstance(activities, dict):
            for name, fmt in activities.items():
                team = _get(fmt, "needs", "team")
                named: list[tuple[str, tuple]] = [(team, ("activities", name, "needs", "team"))] \
                    if isinstance(team, str) else [(t, ("activities", name, "needs", "team", k))
                                                    for k, t in enumerate(team) if isinstance(t, str)] \
                    if isinstance(team, list) else []
                for one, path in named:  # a name, or a kind such as *宣讲团 that names at least one team
                    if not any(fnmatchcase(t, one) for t in teams):
                        known = _(", ").join(sorted(teams)) or _("none: give staff a team")
                        self.add(path, _("no staff member is in team '{team}' (teams: {known})").format(
                            team=one, known=known))

        tactics = self.data.get("tactics")
        for i, line in _items(tactics, "three_times_three_places"):
            self.refs(("tactics", "three_times_three_places", i, "activity"), line.get("activity"),
                      formats, _UNKNOWN_FORMAT)
        key_dates = _get(tactics, "key_dates")
        if isinstance(key_dates, dict):
            custom_ids = set()
            for i, custom in _items(key_dates, "custom"):
                path = ("tactics", "key_dates", "custom", i)
                ident = custom.get("id")
                if isinstance(ident, str):
                    if ident in cat.key_dates:
                        self.add((*path, "id"), _("'{id}' is already a built-in key date; choose another id "
                                                  "(or tune the built-in one with lead_days)").format(id=ident))
                    elif ident in custom_ids:
                        self.add((*path, "id"), _("duplicate key date id '{id}'").format(id=ident))
                    custom_ids.add(ident)
                self.refs((*path, "audiences"), custom.get("audiences"), audiences, _UNKNOWN_AUDIENCE,
                          allow=("all",))
                self.refs((*path, "themes"), custom.get("themes"), fraud_types,
                          N_("unknown fraud type '{ref}'{hint}"), allow=("any",))
                self.refs((*path, "activity"), custom.get("activity"), formats, _UNKNOWN_FORMAT)
            overrides = key_dates.get("overrides")
            if isinstance(overrides, dict):
                for ident in overrides:
                    if isinstance(ident, str) and ident not in cat.key_dates:
                        self.add(("tactics", "key_dates", "overrides", ident), _(
                            "unknown key date '{ref}'{hint}: overrides are for the catalogue's key dates "
                            "(a plan's own set min_activities in custom)").format(
                                ref=ident, hint=did_you_mean(ident, cat.key_dates)))
            use = key_dates.get("use")
            self.refs(("tactics", "key_dates", "use"), use, set(cat.key_dates) | custom_ids,
                      N_("unknown key date '{ref}'{hint}"),
                      allow=("all",) if isinstance(use, str) else ())
            if isinstance(use, list) and "national_month" in use and not _get(self.data, "campaign",
                                                                               "national_month"):
                self.add(("tactics", "key_dates", "use"),
                         _("national_month needs campaign.national_month: {start: …, days: 30}; "
                           "the month moves every year (2024: Jun 24, 2025: Jun 16)"))

        # the ids that are text (a mapping or a list written as an id is the model's error to name)
        custom_keys: set[str] = ({k for _i, c in _items(key_dates, "custom") if isinstance(k := c.get("id"), str)}
                                 if isinstance(key_dates, dict) else set())
        used = _get(key_dates, "use") if isinstance(key_dates, dict) else None
        for i, surge in _items(tactics, "surges"):
            ident = surge.get("key_date")
            key_ids = set(cat.key_dates) | custom_keys
            self.refs(("tactics", "surges", i, "key_date"), ident, key_ids, N_("unknown key date '{ref}'{hint}"))
            if isinstance(ident, str) and ident in key_ids and ident not in custom_keys and (
                    not isinstance(key_dates, dict) or (isinstance(used, list) and ident not in used)):
                # a surge keyed to a key date the plan does not use would silently ask nothing
                self.add(("tactics", "surges", i, "key_date"), _(
                    "the surge follows key date '{id}', which tactics.key_dates does not use: add it to "
                    "key_dates.use (or give the surge a span)").format(id=ident))
        items = formats | set(cat.materials)
        checklist = _get(tactics, "checklist")
        if isinstance(checklist, dict):
            for kind, listed in checklist.items():
                self.refs(("tactics", "checklist", kind), listed, items, _UNKNOWN_ITEM)
        for i, venue in _items(self.data, "venues"):
            self.refs(("venues", i, "checklist"), venue.get("checklist"), items, _UNKNOWN_ITEM)

        travel_pairs = _get(self.data, "travel", "pairs")
        if isinstance(travel_pairs, list):
            for i, pair in enumerate(travel_pairs):
                self.refs(("travel", "pairs", i, "between"), _get(pair, "between"), areas,
                          N_("unknown area '{ref}'{hint}"))
        return self.problems


def check_references(document: Document) -> list[Problem]:
    return _Checker(document).run()


def check_calendar_coverage(document: Document) -> list[Problem]:
    """A campaign year the official data does not cover must be supplied by the plan.

    Runs whenever the campaign section itself is valid, whatever else is wrong.
    """
    from planner.calendar import official_years

    try:
        campaign = Campaign.model_validate(document.data.get("campaign"))
    except ValidationError:
        return []
    if campaign.holidays != "CN":
        return []
    first, last = official_years()
    supplied = {d.year for span in campaign.extra_holidays + campaign.extra_workdays for d in (span.start, span.end)}
    problems = []
    for year in range(campaign.start.year, campaign.end.year + 1):
        if first <= year <= last or year in supplied:
            continue
        key = "end" if year == campaign.end.year else "start"
        from planner.messages import chosen, for_language

        problems.append(document.problem(("campaign", key), for_language(chosen(campaign.language))._(
            "the installed calendar library (chinesecalendar) has the official days off of {first}–{last}, "
            "not {year}'s: run `planner dates {year}` and paste the extra_holidays / extra_workdays block it "
            "prints under campaign: in place of those two lines (check it against the State Council notice "
            "once published), or set holidays: none for weekends only").format(first=first, last=last, year=year)))
    return problems


__all__ = ["check_references", "check_calendar_coverage"]
