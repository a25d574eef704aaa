""""6+" (Harbin): 网格+警网, 基础+精准, 宣传+宣讲, 推广+创新, 线上+线下, 关键节点+主题活动.

Hard: grid_and_police: an activity at a community, village or household has an officer
(police, or an auxiliary in their place) and a grid worker on it (added to the format's needs before staffing).
Soft:
- precision: a venue of medium or high risk wants its visits multiplied (weights.precision,
  per visit short of at_least × multiplier per period);
- lectures: lectures are at least min_share of offline activities (weights.coverage, per
  lecture short);
- app_promotion: expected 国家反诈中心 App installs reach target_installs (weights.reach / 5
  per install short: an install counts as twenty people reached);
- online: posts_per_week online posts each week, by staff with the online skill (their
  needs) (weights.coverage per post short); themes follow the week's offline work and the
  coming key dates (planner.tactics.themes);
- key_dates: the themed activities themselves are the key_dates module's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from planner.capacity import Quota, at_venue
from planner.model import Plan, SixPlus
from planner.tactics import five_into
from planner.tactics.base import PAIRED_KINDS, Ctx, Goal, Need, Period, day_words, explain_venue, prorated
from planner.vocab import paired_roles

NAME = "six_plus"
ORDER = 50  # builds the model after lower ORDERs
RANK = 30  # where it shows in the score and unmet goals
WHERE = ("tactics", "six_plus")
INSTALL_WEIGHT = 0.2  # × weights.reach per install short
TENTHS = 10  # installs are counted in tenths in the model
GREEDY_STEPS = {"online": 30, "precision": 50, "lectures": 70, "app_promotion": 80}


# --- planner explain: `ex` is its Explainer (duck-typed: explain sits above the tactics) ---------------


def explain_goal(ex: Any, rule: str, venue: str | None, person: str | None, period: Period | None,
                 required: int, where: str) -> Any:
    """The target `planner explain` relaxes for an unmet goal of this tactic (None: not one it explains)."""
    plan, w = ex.plan, ex.words
    six = plan.tactics.six_plus
    if period is None or six is None:
        return None
    if rule == "precision" and venue:
        risk = plan.venues[ex.venue_index[venue]].risk
        mult = getattr(six.precision, risk)
        text = w._("precision: {risk}-risk venues get ×{k} visits").format(risk=w._(risk), k=f"{mult:g}")
        return ex.target(NAME, rule, required, period.first, period.last, period=period.label, venues=[venue],
                         count="visits", venue=venue, gap=ex.venue_gap(venue),
                         goal_path=(*WHERE, "precision", risk), goal_text=text)
    if rule == "online":
        n = six.online.posts_per_week
        return ex.target(NAME, rule, required, period.first, period.last, period=period.label, venues=[],
                         online=True, goal_path=(*WHERE, "online", "posts_per_week"),
                         goal_text=w._("online: {n} posts a week").format(n=n))
    return None


def explain_rule(ex: Any, key: tuple) -> tuple[tuple, str] | None:
    """An assumption of explain's relaxed model that is this tactic's rule, in words."""
    if key[0] != "pairing":
        return None
    return (*WHERE, "grid_and_police"), ex.words._(
        "grid_and_police: activities at communities, villages and households need an officer (police or "
        "auxiliary) and a grid worker")


def explain_unmet_rule(ex: Any, venue: str | None, period: str | None, why: str) -> str | None:
    """The rule of an unmet entry of plan.json: a venue's is precision, a week's the online posts."""
    return "precision" if venue else ("online" if period and "-W" in period else "")


def explain_needs(plan: Any, need: Need, kind: str | None) -> list[tuple[Need, tuple]]:
    """A format's need at a venue of this kind as grid_and_police makes it, with the need the
    rule lifted leaves (guarded by the assumption ("pairing",))."""
    six = plan.tactics.six_plus
    if kind is None or not (six and six.grid_and_police) or kind not in PAIRED_KINDS:
        return [(need, ())]
    return [(replace(need, roles=paired_roles(need.roles)), ()), (need, (("pairing",),))]


def greedy_quotas(ctx: Ctx) -> list[Quota]:
    """Online posts per week; high-risk venues' extra visits (by hand only at 五进 venues);
    the lecture share; App installs up to the horizon's share of the target."""
    six = ctx.plan.tactics.six_plus
    assert six is not None
    out: list[Quota] = []
    if six.online and six.online.posts_per_week:
        for period in ctx.periods("week"):
            # a week ending in the next part: its share here (see Ctx.share_ahead)
            share = 1.0 if ctx.in_chunk(period) else ctx.share_ahead(period)
            if share:
                out.append(Quota(NAME, "online", GREEDY_STEPS["online"], "count",
                                 prorated(prorated(six.online.posts_per_week, period.fraction), share),
                                 period, at_venue(None), counts_chosen=False))
    if six.precision:
        fi = ctx.plan.tactics.five_into
        if fi:
            plist, each = five_into.periods(ctx)
            per = fi.every_venue.per
            fi_venues = set(five_into.venues(ctx))
        else:
            plist, each, per, fi_venues = ctx.periods("month"), 1, "month", set()
        for venue in ctx.plan.venues:
            mult = multiplier(ctx, venue.risk)
            if mult <= 1:
                continue
            base = each if venue.id in fi_venues else 1
            for period in plist:
                if ctx.in_chunk(period):
                    required = round(base * mult) if per == "campaign" else prorated(base * mult, period.fraction)
                    out.append(Quota(NAME, "precision", GREEDY_STEPS["precision"], "count", required, period,
                                     at_venue(venue.id), venue=venue.id, weight="precision",
                                     order=("worth", "id"), by_hand=venue.id in fi_venues))
    if six.lectures and six.lectures.min_share > 0:
        out.append(Quota(NAME, "lectures", GREEDY_STEPS["lectures"], "share", six.lectures.min_share,
                         counts=lambda c: c.format == "lecture", order=("reach", "day", "id"), by_hand=False))
    if six.app_promotion and six.app_promotion.target_installs:
        target = six.app_promotion.target_installs * ctx.upto / len(ctx.calendar.days)
        out.append(Quota(NAME, "app_promotion", GREEDY_STEPS["app_promotion"], "sum", target,
                         counts=lambda c: bool(c.venue), amount=lambda c: c.installs, order=("installs", "id"),
                         by_hand=False))
    return out


def enabled(plan) -> bool:
    return plan.tactics.six_plus is not None


def section(plan: Plan) -> SixPlus:
    """The plan's 六加 section (the module runs only where the plan has one)."""
    found = plan.tactics.six_plus
    assert found is not None
    return found


def prepare(ctx: Ctx) -> None:
    if section(ctx.plan).grid_and_police:
        grid_and_police(ctx)


def grid_and_police(ctx: Ctx) -> None:
    """网格+警网: an officer (police, or auxiliary) paired with a grid worker at communities,
    villages and households."""
    for c, need in zip(ctx.cands, ctx.needs):
        if c.kind in PAIRED_KINDS:
            need.roles = paired_roles(need.roles)


def add(ctx: Ctx) -> None:
    six = section(ctx.plan)
    if six.grid_and_police:
        ctx.hard("grid_and_police", sum(1 for c in ctx.cands if c.kind in PAIRED_KINDS))
    if six.precision:
        precision(ctx)
    if six.lectures and six.lectures.min_share > 0:
        lecture_share(ctx)
    if six.app_promotion and six.app_promotion.target_installs:
        app_promotion(ctx)
    if six.online and six.online.posts_per_week:
        online_posts(ctx)


def multiplier(ctx: Ctx, risk: str) -> float:
    return float(getattr(section(ctx.plan).precision, risk))


def precision(ctx: Ctx) -> None:
    """基础+精准: medium- and high-risk venues get their base rhythm times the multiplier."""
    fi = ctx.plan.tactics.five_into
    fi_venues = set(five_into.venues(ctx)) if fi else set()
    if fi:
        plist, each = five_into.periods(ctx)
        per = fi.every_venue.per
    else:
        plist, each, per = ctx.periods("month"), 1, "month"
    by_venue = five_into.venue_index(ctx)
    for venue in ctx.plan.venues:
        mult = multiplier(ctx, venue.risk)
        if mult <= 1:
            continue
        base = each if venue.id in fi_venues else 1
        for period in plist:
            if not ctx.in_chunk(period) or not five_into.open_in(ctx, venue.id, period):
                continue
            required = round(base * mult) if per == "campaign" else prorated(base * mult, period.fraction)
            if not required:
                continue
            xs, before = five_into.visits(ctx, venue.id, period, by_venue)
            ctx.goal(NAME, "precision", sum(xs) + before if xs else before, required, "precision", "visit",
                     venue=venue.id, period=period.label, where=(*WHERE, "precision", venue.risk),
                     why=lambda short, result, v=venue.id, p=period, risk=venue.risk, k=mult: (
                         ctx.words._("{risk}-risk venue wants ×{k} visits: {why}").format(
                             risk=ctx.words._(risk), k=f"{k:g}",
                             why=explain_venue(ctx, result, v, p, gap=fi.min_gap_days if fi else 0))))


def lecture_share(ctx: Ctx) -> None:
    """宣传+宣讲: lectures are at least min_share of the offline activities (over the campaign)."""
    lectures_rule = section(ctx.plan).lectures
    assert lectures_rule is not None
    share = round(lectures_rule.min_share * 100)
    offline = [i for i, c in enumerate(ctx.cands) if c.venue]
    lectures = [i for i in offline if ctx.cands[i].format == "lecture"]
    before_off = sum(1 for c, _ in ctx.carry.activities if c.venue)
    before_lec = sum(1 for c, _ in ctx.carry.activities if c.format == "lecture")
    if not offline:
        return
    # a shortfall of earlier periods of a decomposed solve (or before a replan's date) was
    # charged there, or cannot be changed: this period pays only for its own
    earlier_off = sum(1 for c, _ in ctx.carry.activities if c.venue and c.day < ctx.horizon[0])
    earlier_lec = sum(1 for c, _ in ctx.carry.activities if c.format == "lecture" and c.day < ctx.horizon[0])
    earlier_short = max(0, -(-share * earlier_off // 100) - earlier_lec)
    m = ctx.model
    short = m.new_int_var(0, len(offline) + before_off, "six_plus.lectures.short")
    n_off = sum(ctx.x[i] for i in offline) + before_off
    n_lec = sum(ctx.x[i] for i in lectures) + before_lec if lectures else before_lec
    m.add(100 * (n_lec + short + earlier_short) >= share * n_off)
    chunk = f"{ctx.date(ctx.horizon[0])}..{ctx.date(ctx.horizon[-1])}"

    def required(value) -> int:
        total = sum(value(ctx.x[i]) for i in offline) + before_off
        return max(0, -(-share * total // 100) - earlier_short)

    def why(short: int, result) -> str:
        if not any(c.format == "lecture" for c in ctx.pool):
            return ctx.words._("no lecture can be held: no lecture window at the venues, "
                               "or nobody with the lecture skill free")
        return ctx.words._("too few lecture slots with a lecturer free (lecture skill, time windows) for the share")

    ctx.goals.append(Goal(NAME, "lectures", short, required, ctx.weight("coverage"), "lecture", None, None,
                          chunk if ctx.horizon != range(len(ctx.calendar.days)) else "campaign", why,
                          (*WHERE, "lectures", "min_share")))


def app_promotion(ctx: Ctx) -> None:
    """推广+创新: expected App installs (people reached × the format's install rate) reach the target."""
    promotion = section(ctx.plan).app_promotion
    assert promotion is not None
    target = promotion.target_installs
    n = len(ctx.calendar.days)
    before = sum(c.installs for c, _ in ctx.carry.activities)
    # a decomposed solve aims at its share; earlier periods' shortfall was charged there
    earlier = sum(c.installs for c, _ in ctx.carry.activities if c.day < ctx.horizon[0])
    earlier_short = max(0.0, target * ctx.horizon[0] / n - earlier)
    wanted = max(0, round(target * ctx.upto / n - before - earlier_short))
    if not wanted:
        return
    terms = [(ctx.x[i], round(c.installs * TENTHS)) for i, c in enumerate(ctx.cands) if c.installs > 0]
    m = ctx.model
    short = m.new_int_var(0, wanted, "six_plus.app.short")
    m.add(sum(k * v for v, k in terms) + TENTHS * short >= TENTHS * wanted)
    best = sum(c.installs for c in ctx.cands)

    def why(short: int, result) -> str:
        if best < wanted:
            return ctx.words._("even every possible activity would bring about {n} installs").format(n=f"{best:.0f}")
        return ctx.words._("not enough staff time for the activities that bring installs (lectures, door to door)")

    ctx.goals.append(Goal(NAME, "app_promotion", short, wanted, ctx.weight("reach") * INSTALL_WEIGHT, "install",
                          None, None, "campaign", why, (*WHERE, "app_promotion", "target_installs")))


def online_posts(ctx: Ctx) -> None:
    """线上+线下: posts_per_week online posts every week."""
    online_rule = section(ctx.plan).online
    assert online_rule is not None
    wanted = online_rule.posts_per_week
    online = [i for i, c in enumerate(ctx.cands) if c.venue is None]
    generated: dict[str, int] = defaultdict(int)
    for c in ctx.cset.candidates:
        if c.venue is None:
            generated[ctx.week(c.day)] += 1
    for period in ctx.periods("week"):
        # a week ending in the next part (split across two months): this part aims at its
        # days' share, so that the next part is not left the whole week's posts on its few days
        share = 1.0 if ctx.in_chunk(period) else ctx.share_ahead(period)
        if not share:
            continue
        required = prorated(prorated(wanted, period.fraction), share)
        if not required:
            continue
        xs = [ctx.x[i] for i in online if period.first <= ctx.cands[i].day <= period.last]
        before = ctx.carried(period, lambda c: c.venue is None)

        def why(short: int, result, period=period) -> str:
            m = ctx.words
            if not generated[period.label]:
                return m._("no online format has a time window (activities.online_post, windows)")
            if not any(c.venue is None and period.first <= c.day <= period.last for c in ctx.pool):
                return m._("nobody with the online skill is free this week")
            return online_shortfall(ctx, period, result)

        ctx.goal(NAME, "online", sum(xs) + before if xs else before, required, "coverage", "post",
                 period=period.label, why=why, where=(*WHERE, "online", "posts_per_week"), ahead=share < 1)


def online_shortfall(ctx: Ctx, period: Period, result: Any) -> str:
    """Why a week has too few posts, checked against the plan: every post slot of the week's
    days in this model taken, the staff with the skill really booked or at their weekly limit,
    or else who was free (the search left the post out)."""
    m = ctx.words
    inside = [(c, tuple(staff)) for c, staff in ctx.carry.activities if period.first <= c.day <= period.last]
    inside += [(a.cand, tuple(a.staff)) for a in result.activities if period.first <= a.cand.day <= period.last]
    held = {c.id for c, _ in inside}
    slots = [c for c in ctx.pool if c.venue is None and period.first <= c.day <= period.last
             and c.day in ctx.days and c.id not in held]
    if not slots:
        if period.first < ctx.days[0]:
            return m._("every online post slot from {date} on is taken; the week's days before it were "
                       "planned with the previous month").format(date=day_words(m, ctx.date(ctx.days[0])))
        return m._("every online post slot this week is taken (activities.online_post, windows)")
    load: dict[str, int] = defaultdict(int)
    busy: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for c, staff in inside:
        for sid in staff:
            load[sid] += 1
            busy[sid].append((c.day, c.start_min, c.end_min))
    free = []
    for p, person in enumerate(ctx.staff):
        if "online" not in person.skills or load[person.id] >= person.max_activities_per_week:
            continue
        if any(ctx.free_at(p, c.day, c.start_min) and not any(
                d == c.day and s < c.end_min and c.start_min < e for d, s, e in busy[person.id]) for c in slots):
            free.append(f"{person.name} ({person.id})")
    if not free:
        return m._("the staff with the online skill are booked or at max_activities_per_week this week")
    shown = m._(", ").join(free[:5]) + ("…" if len(free) > 5 else "")
    return m._("{names} with the online skill had a post slot free this week; the search left it out "
               "(its time limit, or other goals weighed more)").format(names=shown)


__all__ = ["prepare", "add", "enabled", "grid_and_police", "online_shortfall"]
