"""Targets (考核指标): what a station is judged on, with every key filled in.

`effective_targets(loaded)` is what reports compare against: the plan's `targets:` where it
gives them, and for everything it leaves out the catalogue's defaults (catalogue/targets.yaml)
scaled to the plan. It always has a campaign total for every key, and an entry for every month
and every ISO week the campaign touches (the part of it inside the campaign).

How a default scales to a plan:

- activities, per format, by its rule in targets.yaml: `per_venue_month` × the plan's venues
  where the format can be held × the campaign's months (days ÷ 30.44); `per_police_week` ×
  the plan's police officers × the campaign's weeks (days ÷ 7); `per_week` × the weeks. The
  plan's own figures win where it states them: stall per_week is the sum of the per_week of
  its 三时三地 lines (of places it has venues at), online_post per_week its
  six_plus.online.posts_per_week. A format no venue of the plan can host gets 0.
- reach, materials, households, app_installs follow from those activity targets: each
  format's target × one typical activity of it (its reach and materials averaged over the
  venues it can be held at, as the planner computes them for plan.json); households are
  door-to-door reach ÷ household_size; app_installs is the plan's
  six_plus.app_promotion.target_installs when above 0, else reach × each format's install rate.
- fraud_free: targets.yaml's thresholds.

Merging: a campaign key the plan gives replaces the default whole (`activities: {lecture:
40}` sets a lecture target only); a key it leaves out takes the default. Months: per key (and
per format or material id) the plan's figure for that month where it gives one; the rest of
the campaign's total is spread over the other months by their days in the campaign, in whole
numbers that add up to it. Weeks: the plan's figure for that ISO week where it gives one,
else the figures of the months it falls in, in proportion to its days in each (so weeks add
up to their months only roughly). Counts are whole numbers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Mapping

from planner.catalogue import Format, catalogue
from planner.formats import resolve_formats
from planner.loader import LoadedPlan
from planner.materials import activity_materials, household_size, used_up
from planner.model import FraudFree, PeriodTargets, Plan, Targets, month_span, week_span

KEYS = ("activities", "reach", "materials", "households", "app_installs")
DAYS_PER_MONTH = 365.25 / 12


def _round(x: float) -> int:
    return int(x + 0.5) if x > 0 else 0


# --- the periods of a campaign --------------------------------------------------------------------------


def campaign_months(plan: Plan) -> dict[str, tuple[date, date]]:
    """'2026-06' → the part of that month inside the campaign, for every month it touches."""
    start, end = plan.campaign.start, plan.campaign.end
    out = {}
    day = start.replace(day=1)
    while day <= end:
        key = f"{day.year}-{day.month:02d}"
        first, last = month_span(key)
        out[key] = (max(first, start), min(last, end))
        day = last + timedelta(days=1)
    return out


def campaign_weeks(plan: Plan) -> dict[str, tuple[date, date]]:
    """'2026-W23' → the part of that ISO week inside the campaign, for every week it touches."""
    start, end = plan.campaign.start, plan.campaign.end
    out = {}
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        year, week, _ = monday.isocalendar()
        out[f"{year}-W{week:02d}"] = (max(monday, start), min(monday + timedelta(days=6), end))
        monday += timedelta(days=7)
    return out


def _days(span: tuple[date, date]) -> int:
    return (span[1] - span[0]).days + 1


# --- defaults ----------------------------------------------------------------------------------------------


def _reach(fmt: Format, size: int) -> float:
    return min(fmt.reach.cap, fmt.reach.rate * size)


def _hosts(plan: Plan, fmt: Format) -> list[int]:
    """People served by each venue of the plan where the format can be held."""
    return [v.people() for v in plan.venues if v.kind in fmt.kinds]


def activity_rates(plan: Plan) -> dict[str, float]:
    """Format id → default activities per day of campaign for this plan (before rounding)."""
    formats = resolve_formats(plan)
    rules = catalogue().targets.activities
    police = sum(s.role == "police" for s in plan.staff)
    rates: dict[str, float] = {}
    for name, rule in rules.items():
        fmt = formats.get(name)
        if fmt is None:
            continue
        hosts = _hosts(plan, fmt)
        if not fmt.online and not hosts:
            rates[name] = 0.0
            continue
        per_week = rule.per_week
        if name == "stall":
            per_week = _stall_lines(plan, fmt) or per_week
        elif name == "online_post":
            six = plan.tactics.six_plus
            if six and six.online:
                per_week = six.online.posts_per_week
        if rule.per_venue_month is not None:
            rates[name] = rule.per_venue_month * len(hosts) / DAYS_PER_MONTH
        elif rule.per_police_week is not None:
            rates[name] = rule.per_police_week * police / 7
        else:
            rates[name] = (per_week or 0) / 7
    return rates


def _stall_lines(plan: Plan, fmt: Format) -> int:
    """Stalls a week the plan's 三时三地 lines ask for, at places it has venues of."""
    kinds = {v.kind for v in plan.venues}
    lines = plan.tactics.three_times_three_places or []
    return sum(line.per_week or 0 for line in lines
               if line.activity == "stall" and any(p in kinds for p in line.place))


def typical(plan: Plan) -> dict[str, dict[str, Any]]:
    """Format id → one typical activity of it: reach, materials, households, installs (the mean
    over the venues it can be held at)."""
    out = {}
    for name, fmt in resolve_formats(plan).items():
        reaches = [float(fmt.reach.online)] if fmt.online else [float(round(_reach(fmt, n))) for n in _hosts(plan, fmt)]
        if not reaches:
            continue
        materials: dict[str, float] = defaultdict(float)
        for r in reaches:
            for m, n in activity_materials(fmt, r).items():
                materials[m] += n / len(reaches)
        reach = sum(reaches) / len(reaches)
        out[name] = {"reach": reach, "materials": dict(materials), "installs": reach * fmt.app_install_rate,
                     "households": reach / household_size() if name == "door_to_door" else 0.0}
    return out


def _default_totals(plan: Plan) -> PeriodTargets:
    """The default campaign totals of every key (see the module's docstring)."""
    days = len(plan.campaign.days())
    typ = typical(plan)
    activities = {f: _round(rate * days) for f, rate in activity_rates(plan).items()}
    reach = sum(n * typ[f]["reach"] for f, n in activities.items() if f in typ)
    materials: dict[str, float] = defaultdict(float)
    for f, n in activities.items():
        for m, per in (typ[f]["materials"] if f in typ else {}).items():
            if used_up(m):  # handed out or posted; display boards and QR stands come back
                materials[m] += n * per
    order = list(catalogue().materials)
    households = sum(n * typ[f]["households"] for f, n in activities.items() if f in typ)
    six = plan.tactics.six_plus
    installs = six.app_promotion.target_installs if six and six.app_promotion else 0
    if not installs:
        installs = sum(n * typ[f]["installs"] for f, n in activities.items() if f in typ)
    return PeriodTargets(
        activities=activities, reach=_round(reach),
        materials={m: _round(materials[m]) for m in sorted(materials, key=order.index)},
        households=_round(households), app_installs=_round(installs))


def _apportion(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` split in proportion to `weights`, in whole numbers that add up to it (largest
    remainders get the spare ones; ties to the earlier period)."""
    whole = sum(weights.values())
    if not weights or whole <= 0:
        return {k: 0 for k in weights}
    exact = {k: total * w / whole for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    spare = total - sum(out.values())
    for k in sorted(exact, key=lambda k: -(exact[k] - out[k]))[:spare]:
        out[k] += 1
    return out


def _months(plan: Plan, totals: dict[str, Any], given: Mapping[str, PeriodTargets]) -> dict[str, PeriodTargets]:
    """Every month of the campaign: the plan's figure where it gives one (per key, and per
    format or material id), the rest of the campaign's total spread over the other months by
    their days in the campaign."""
    spans = campaign_months(plan)
    days = {k: _days(span) for k, span in spans.items()}

    def split(total: int, fixed: dict[str, int | None]) -> dict[str, int]:
        free = {k: d for k, d in days.items() if fixed.get(k) is None}
        rest = _apportion(max(0, total - sum(v for v in fixed.values() if v is not None)), free)
        return {k: v if (v := fixed.get(k)) is not None else rest[k] for k in days}

    values: dict[str, dict[str, Any]] = {k: {} for k in days}
    for key in KEYS:
        own = {k: getattr(given[k], key) if k in given else None for k in days}
        if isinstance(totals[key], dict):
            ids = list(totals[key]) + [i for k in days for i in (own[k] or {}) if i not in totals[key]]
            ids = list(dict.fromkeys(ids))
            for k in days:
                values[k][key] = {}
            for i in ids:
                part = split(totals[key].get(i, 0), {k: (own[k] or {}).get(i) for k in days})
                for k in days:
                    values[k][key][i] = part[k]
        else:
            part = split(totals[key], own)
            for k in days:
                values[k][key] = part[k]
    return {k: PeriodTargets(**v) for k, v in values.items()}


def _weeks(plan: Plan, months: dict[str, PeriodTargets],
           given: Mapping[str, PeriodTargets]) -> dict[str, PeriodTargets]:
    """Every ISO week of the campaign: the plan's figure where it gives one (per key and id),
    else its months' figures in proportion to the days of the week in each month."""
    month_spans = campaign_months(plan)
    out = {}
    for week, (first, last) in campaign_weeks(plan).items():
        shares = []
        for m, (m_first, m_last) in month_spans.items():
            overlap = (min(last, m_last) - max(first, m_first)).days + 1
            if overlap > 0:
                shares.append((months[m], overlap / _days((m_first, m_last))))
        own = given.get(week)
        values: dict[str, Any] = {}
        for key in KEYS:
            mine = getattr(own, key) if own is not None else None
            value: Any
            if isinstance(getattr(months[next(iter(months))], key), dict):
                ids = list(dict.fromkeys(i for target, _ in shares for i in getattr(target, key)))
                value = {i: _round(sum(getattr(t, key).get(i, 0) * share for t, share in shares)) for i in ids}
                value.update(mine or {})
            else:
                value = mine if mine is not None else _round(sum(getattr(t, key) * share for t, share in shares))
            values[key] = value
        out[week] = PeriodTargets(**values)
    return out


def default_targets(loaded: LoadedPlan | Plan) -> Targets:
    """The catalogue's default targets scaled to this plan, whatever its `targets:` say."""
    plan = loaded.plan if isinstance(loaded, LoadedPlan) else loaded
    totals = _default_totals(plan).model_dump()
    months = _months(plan, totals, {})
    return Targets(**totals, fraud_free=FraudFree(), months=months, weeks=_weeks(plan, months, {}))


# --- the plan's targets over the defaults ------------------------------------------------------------------


def _prorate(value: Any, share: float) -> Any:
    if isinstance(value, dict):
        return {k: _round(v * share) for k, v in value.items()}
    return _round(value * share)


def effective_targets(loaded: LoadedPlan | Plan) -> Targets:
    """The targets reports compare against: the plan's `targets:`, with defaults scaled to the
    plan for every key it leaves out; every key set, for the campaign and for each of its
    months and ISO weeks (see the module's docstring for the rules)."""
    plan = loaded.plan if isinstance(loaded, LoadedPlan) else loaded
    given = plan.targets
    if given is None:
        return default_targets(plan)
    base = _default_totals(plan).model_dump()
    totals = {k: getattr(given, k) if getattr(given, k) is not None else base[k] for k in KEYS}
    months = _months(plan, totals, given.months)
    return Targets(**totals, fraud_free=given.fraud_free or FraudFree(), months=months,
                   weeks=_weeks(plan, months, given.weeks))


def targets_for(loaded: LoadedPlan | Plan, start: date, end: date) -> PeriodTargets:
    """The targets of any period: a whole calendar month or ISO week (clipped to the campaign)
    gets that month's or week's entry; any other span the campaign's targets pro-rated by the
    campaign days inside it."""
    plan = loaded.plan if isinstance(loaded, LoadedPlan) else loaded
    targets = effective_targets(plan)
    c_start, c_end = plan.campaign.start, plan.campaign.end
    clipped = (max(start, c_start), min(end, c_end))
    for table, spans, whole in ((targets.months, campaign_months(plan), month_span),
                                (targets.weeks, campaign_weeks(plan), week_span)):
        for key, inside in spans.items():
            if (start, end) in (whole(key), inside):  # the whole period, or its days in the campaign
                return table[key]
    if clipped[1] < clipped[0]:
        return PeriodTargets(activities={}, reach=0, materials={}, households=0, app_installs=0)
    share = _days(clipped) / len(plan.campaign.days())
    return PeriodTargets(**{k: _prorate(getattr(targets, k), share) for k in KEYS})


__all__ = ["effective_targets", "default_targets", "targets_for", "campaign_months", "campaign_weeks",
           "activity_rates", "typical", "KEYS"]
