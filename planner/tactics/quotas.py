"""Per-format quotas: "two 文艺汇演 a week", "one 扫楼 evening a week" [003]: a station's own
rhythm for a format, beyond what the tactics ask.

Soft (weights.quotas, per activity short): at least `activities.<format>.per_week` activities
of the format in each week of the campaign, and `per_month` in each month; a period the
campaign only partly covers wants its share (rounded half up).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner.candidates import Candidate
from planner.capacity import Quota
from planner.model import Plan
from planner.tactics.base import Ctx, Period, format_words, period_words, prorated

NAME = "quotas"
ORDER = 42  # builds the model after lower ORDERs
RANK = 22  # after the 三时三地 lines in the score and unmet goals
GREEDY_STEP = 22  # after the 三时三地 lines: a fixed weekly rhythm as they are
PERS = ("week", "month")


def enabled(plan: Plan) -> bool:
    return plan.weights.quotas > 0 and bool(wanted(plan))


def wanted(plan: Plan) -> list[tuple[str, str, int]]:
    """(format, week or month, count) of every quota the plan sets."""
    out = []
    for fmt, spec in sorted(plan.activities.items()):
        for per in PERS:
            n = getattr(spec, f"per_{per}")
            if n:
                out.append((fmt, per, n))
    return out


def of_format(fmt: str) -> Callable[[Candidate], bool]:
    return lambda c: c.format == fmt


def add(ctx: Ctx) -> None:
    per_period(ctx)


def per_period(ctx: Ctx) -> None:
    by_format: dict[str, list[int]] = {}
    for i, c in enumerate(ctx.cands):
        by_format.setdefault(c.format, []).append(i)
    for fmt, per, n in wanted(ctx.plan):
        mine = by_format.get(fmt, [])
        for period in ctx.periods(per):
            share = 1.0 if ctx.in_chunk(period) else ctx.share_ahead(period)  # see Ctx.share_ahead
            if not share:
                continue
            required = prorated(prorated(n, period.fraction), share)
            if not required:
                continue
            xs = [ctx.x[i] for i in mine if period.first <= ctx.cands[i].day <= period.last]
            before = ctx.carried(period, of_format(fmt))

            def why(short: int, result: Any, fmt: str = fmt, period: Period = period) -> str:
                m = ctx.words
                name, when = format_words(m, fmt), period_words(m, period.label)
                if not any(c.format == fmt and period.first <= c.day <= period.last for c in ctx.cset.candidates):
                    return m._("{format}: no venue has a time window for it in {period}").format(
                        format=name, period=when)
                if not any(c.format == fmt and period.first <= c.day <= period.last for c in ctx.pool):
                    return m._("{format}: nobody who can staff it is free in {period}").format(
                        format=name, period=when)
                return m._("{format}: not enough staff time in {period} "
                           "(booked, or at max_activities_per_week)").format(format=name, period=when)

            ctx.goal(NAME, f"per_{per}.{fmt}", sum(xs) + before if xs else before, required, "quotas", fmt,
                     period=period.label, why=why, where=("activities", fmt, f"per_{per}"), ahead=share < 1)


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    """Each format's activities per week and month, most reach first."""
    out = []
    for fmt, per, n in wanted(ctx.plan):
        for period in ctx.periods(per):
            share = 1.0 if ctx.in_chunk(period) else ctx.share_ahead(period)
            if share:
                out.append(Quota(NAME, f"per_{per}.{fmt}", GREEDY_STEP, "count",
                                 prorated(prorated(n, period.fraction), share), period, of_format(fmt),
                                 weight="quotas", order=("reach", "day", "id")))
    return out


def served(plan: Plan, activities: list) -> set[int]:
    """Activities of a format with a quota."""
    formats = {fmt for fmt, _per, _n in wanted(plan)}
    return {n for n, a in enumerate(activities) if a.cand.format in formats}


# --- planner explain: `ex` is its Explainer (duck-typed: explain sits above the tactics) ---------------


def explain_goal(ex: Any, rule: str, venue: str | None, person: str | None, period: Period | None,
                 required: int, where: str) -> Any:
    """The target `planner explain` relaxes for a format short of its weekly or monthly quota."""
    if period is None or "." not in rule:
        return None
    per, fmt = rule.split(".", 1)
    spec = ex.plan.activities.get(fmt)
    if spec is None or per not in ("per_week", "per_month"):
        return None
    w = ex.words
    text = (w._("{format}: {n} a week") if per == "per_week" else w._("{format}: {n} a month")).format(
        format=w.fmt(fmt), n=getattr(spec, per))
    return ex.target(NAME, rule, required, period.first, period.last, period=period.label,
                     venues=[v.id for v in ex.plan.venues], formats={fmt}, goal_path=("activities", fmt, per),
                     goal_text=text)


def explain_unmet_rule(ex: Any, venue: str | None, period: str | None, why: str) -> str | None:
    """The rule of an unmet entry of plan.json: the format its reason names."""
    for fmt, per, _n in wanted(ex.plan):
        if ex.words.fmt(fmt) in why or fmt in why:
            if period and ("-W" in period) == (per == "week"):
                return f"per_{per}.{fmt}"
    return None


__all__ = ["add", "enabled", "wanted", "per_period", "greedy_quotas", "served"]
