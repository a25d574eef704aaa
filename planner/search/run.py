"""One solve, part by part: a greedy plan, the master's LP for a bound and a choice, the
person-level model over the LP's support, and windows of days to polish (see planner.search).

`solve(loaded)` is the entry point; `Run` is public for re-planning (planner.replan), which
runs the same pipeline with the published plan fixed outside the days it may change."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any, Callable

from planner import clock as clock_mod
from planner import interrupt, messages
from planner.calendar import CampaignCalendar, build_calendar
from planner.candidates import Blocker, CandidateSet, generate_candidates
from planner.greedy import from_lp, greedy, staff_choice
from planner.loader import LoadedPlan
from planner.lprelax import lp_values, rens
from planner.messages import _
from planner.search import bound as bound_mod
from planner.search.build import (
    HINT_SECONDS,
    REACH_PER,
    Incumbent,
    build_master,
    build_person,
    complete_hint,
    hint_full,
    hint_master,
    incumbent_from_greedy,
    incumbent_of,
    people_to_keep,
)
from planner.search.result import NoPlanError, PlannedActivity, Progress, Solution
from planner.search.score import assemble, explain_nothing
from planner.search.solver import ChunkResult, run_chunk, run_master
from planner.search.strategy import FAIRNESS_LP_FACTOR, LAST_PART_WEIGHT, SMALL_MASTER, Strategy, choose_strategy
from planner.search.windows import (
    DETERMINISTIC_RATE,
    LONG_WINDOW_DAYS,
    WINDOW_DAYS,
    WINDOW_SECONDS,
    WindowSearch,
    window_starts,
)
from planner.tactics.base import SCALE, Carry, Ctx, MasterCtx, PersonCtx, availability
from planner.tactics.registry import all_modules

FINISH_SHARE = 0.04  # of the time limit, kept for putting the plan together at the end
LP_SHARE = 0.7  # most of a part's time the LP may take (the greedy plan is polished meanwhile)
RENS_SHARE = 0.4  # of what is left: rounding the LP; then staffing and polishing
WINDOWS_SHARE = 0.15  # deterministically: the windows' time, of a part's share
INEXACT_WINDOWS_SHARE = 0.6  # ... where they are the part's only search (no LP in time)
SUPPORT_MIN_SECONDS = 1.0  # of time left after the LP, for solving over its support
SUPPORT_SHARE = 0.9  # of that time (the bench station at 10 s: 0.2 to 0.9% where 0.6 left it at 1.2%)
RENS_MIN_SECONDS = 2.5  # rounding with CP-SAT needs at least this long to beat the greedy rounding
EVALUATION_SECONDS = 60.0  # deterministic seconds an evaluation may take (they take well under one)
# The stop rule: a search slice of this share of the part's support-solve budget that improves
# nothing ends it ("stalled"); see bench/RESULTS.md (2026-12-05) for how it was chosen
STALL_SHARE = 0.25
# The time limit covers the whole command: the search hands over early enough to write the
# outputs, estimated from the plan's size (planner.export's writers: 0.82 CPU s per 1,000
# activities for the calendars and the workbook, 2026-12-06, plus plan.json, the view and the
# html; the PDF renders beside them, below)
OUTPUT_SECONDS_PER_1000 = 1.2
OUTPUT_BASE_SECONDS = 0.5  # outputs of a plan of a few activities (the PDF's fonts, mostly)
ACTIVITIES_PER_PERSON_WEEK = 1.25  # planned activities, as measured (district 1.24, city 0.96)
STARTUP_SECONDS = 1.0  # a command's imports and reading the plan, before the search starts
# the printable PDF of every activity (up to export.html.SUMMARY_ABOVE; above it a summary, as
# fast as the base): measured 20.9 s for Litong Sep-Dec's 969 activities on a quiet 2-core machine,
# 11.5 s of CPU once its chips were inline boxes and its pick list a line per activity
# (bench/RESULTS.md, 2026-12-06)
PDF_SECONDS_PER_1000 = 12.5
PDF_START_SECONDS = 0.6  # the PDF's child process: Python and WeasyPrint's imports
PDF_ROWS_MAX = 1500  # = planner.export.html.SUMMARY_ABOVE (tests/test_stop.py checks it)

# why a search stopped, as plan.json records it (worst first: a plan's reason is its parts' worst)
STOP_REASONS = ("interrupted", "time_limit", "stalled", "within_gap", "optimal")


def output_reserve(plan: Any, days: int) -> float:
    """Seconds kept from the time limit for writing the outputs of a plan this size."""
    activities = len(plan.staff) * days / 7 * ACTIVITIES_PER_PERSON_WEEK
    pdf = PDF_START_SECONDS + (PDF_SECONDS_PER_1000 * activities / 1000 if activities <= PDF_ROWS_MAX else 0.0)
    rest = OUTPUT_SECONDS_PER_1000 * activities / 1000
    # the PDF renders in a child process beside the other outputs (planner.export.pdf.PdfJob)
    both = max(pdf, rest) if (os.cpu_count() or 1) >= 2 else pdf + rest
    return OUTPUT_BASE_SECONDS + both


def searchable_seconds(plan: Any, days: int, limit: float) -> float:
    """Of a command's time limit, what its search may have: less the outputs' and the start's time."""
    return max(0.5, limit - output_reserve(plan, days) - STARTUP_SECONDS)


def solve(loaded: LoadedPlan, *, progress: Callable[[Progress], None] | None = None,
          time_limit: float | None = None, workers: int | None = None, seed: int | None = None,
          calendar: CampaignCalendar | None = None, strategy: Strategy | None = None,
          modules: list | None = None) -> Solution:
    """Plan the campaign; raises NoPlanError when nothing at all can be scheduled."""
    plan = loaded.plan
    # the limit runs from the command's start (a library call: from here)
    started = clock_mod.command_start()
    if started is None:
        started = clock_mod.now()
    calendar = calendar or build_calendar(plan)
    limit = time_limit if time_limit is not None else plan.solver.time_limit.total_seconds()
    workers = workers if workers is not None else plan.solver.workers
    workers = workers or os.cpu_count() or 1
    seed = seed if seed is not None else plan.solver.seed
    # the search hands over by then, leaving the rest of the limit for the outputs
    search_end = started + max(0.5, limit - output_reserve(plan, len(calendar.days)))
    limit_token = clock_mod.limit_to(search_end)
    reached_token = clock_mod.reached.set(False)
    try:
        if strategy is None:
            floor = clock_mod.limit_to(None)  # a sample of a week: not cut (it sizes the whole search)
            try:
                strategy = choose_strategy(loaded, calendar)
            finally:
                clock_mod.unlimit(floor)
        run = Run(loaded, calendar, strategy, modules, workers, seed, started, progress)
        # from the plan alone (deterministic): the limit less the outputs' and the start's time,
        # less the rest: themes, labels, score and explanations (more for a city's activities)
        searchable = searchable_seconds(plan, len(calendar.days), limit)
        budget = searchable * (1 - (FINISH_SHARE if strategy.exact else 2 * FINISH_SHARE))
        # deterministic: budgets in CP-SAT's deterministic time; the clock only ends what overruns
        # (no step was cut short unless its end was reached)
        clock = clock_mod.Clock(search_end - searchable * FINISH_SHARE) if run.deterministic else None
        token = clock_mod.start(clock)
        # a plan in months: the whole campaign's bound, beside the search
        pending = bound_mod.start(run, budget)
        bound_end = started + budget
        try:
            run_parts(run, budget)
        finally:
            clock_mod.stop(token)
        if clock is not None:  # its end, or the hand-over, cut deterministic steps short
            run.clock_ran_out = clock.left() <= 0 or clock_mod.over()
            run.work = clock.work
        run.limit_reached = clock_mod.reached.get()
    finally:
        clock_mod.unlimit(limit_token)
        clock_mod.reached.reset(reached_token)
    if not run.active:
        raise NoPlanError(explain_nothing(loaded, calendar, run.blockers, run.dropped, run.generated))
    solution = bound_mod.apply(assemble(run, run.activities), pending, bound_end)
    solution.stopped = run.stop_reason()
    solution.found_seconds = None if run.found is None else round(run.found, 2)
    solution.found_work = None if run.found_work is None else round(run.found_work, 2)
    if run.limit_reached:
        m = messages.for_language(messages.chosen(plan.campaign.language))  # the terminal's language
        solution.notes.append(m._("the time limit was reached before every candidate activity was looked at; "
                                  "the plan is the best found by then (give solver.time_limit more time)"))
    return solution


def run_parts(run: "Run", budget: float) -> None:
    """Each part in turn, with its share of the time."""
    strategy, started = run.strategy, run.started
    # the last part of a decomposed solve gets more time: its LP is the one with fairness in it
    weights = [float(len(c)) for c in strategy.chunks]
    if len(weights) > 1 and strategy.exact:
        weights[-1] *= LAST_PART_WEIGHT
    for n, days in enumerate(strategy.chunks):
        if n and interrupt.requested():  # Ctrl-C: the rest of the campaign would have no plan
            raise interrupt.Interrupted(_("{start}..{end} was not planned yet").format(
                start=run.calendar.days[days[0]].date, end=run.calendar.days[strategy.chunks[-1][-1]].date))
        if run.deterministic:  # from the plan alone, not the clock
            share = budget * weights[n] / sum(weights)
        else:
            left = max(1.0, budget - (time.monotonic() - started))
            share = left * weights[n] / sum(weights[n:])
        run.part(n, days, share)
        run.stopped.append(run.part_stopped)



class Run(WindowSearch):
    """One solve, part by part (one part for a station)."""

    # re-planning a published plan keeps its key-date credits where they still count, rather
    # than choosing afresh among equally good activities (which would change published themes)
    keep_credits = False

    def __init__(self, loaded: LoadedPlan, calendar: CampaignCalendar, strategy: Strategy, modules: list | None,
                 workers: int, seed: int, started: float, progress: Callable[[Progress], None] | None):
        self.loaded, self.calendar, self.strategy, self.modules = loaded, calendar, strategy, modules
        self.workers, self.seed, self.started, self.progress = workers, seed, started, progress
        # budgets from the plan, never the clock: the same plan and seed give the same plan
        self.deterministic = workers == 1 or loaded.plan.solver.deterministic
        self.clock_ran_out = False
        self.limit_reached = False  # the greedy's rounding of the LP (from_lp, staff_choice) stopped for the limit
        self.gap = loaded.plan.solver.gap  # proven this close to the bound: done
        self.stopped: list[str] = []  # why the search stopped (one of STOP_REASONS; the worst part's)
        self.part_stopped = "time_limit"
        self.found: float | None = None  # seconds from the start when the final plan was found
        self.found_work: float | None = None  # ... in deterministic seconds (a deterministic solve)
        self.part_best: float | None = None
        self.work: float | None = None  # deterministic seconds searched, in a deterministic solve
        self.last_evaluation = 0.0
        self.lp_rate: float | None = None  # master variables a second, as the last LP went
        # A plan in one part (a station) races GLOP and HiGHS for its only LP: HiGHS took 3.0 s
        # on the bench station's LP where GLOP took 5.2 s (and lost on Lanzhou, 2.0 s to 1.8 s).
        # Not on plans in months: GLOP won on the bench district's months (3.3 s to 5.5 s), and
        # HiGHS, which cannot be interrupted, then took a core from the support solve (the
        # district at 60 s: 2.2 to 3.1% raced, 1.4 to 1.8% not, as measured). One worker: GLOP alone, for
        # the same plan from the same seed.
        race = len(strategy.chunks) == 1 and not self.deterministic
        self.lp_engines = ("GLOP", "HIGHS") if race else ("GLOP",)
        self.window_days = WINDOW_DAYS  # grows when windows of this size are stuck
        self.window_next = 0
        self.window_overhead: dict[int, float] = {}  # window size → seconds the last one took besides solving
        self.available = availability(loaded.plan, calendar)
        self.carry = Carry()
        self.activities: list[PlannedActivity] = []
        self.goals: list[tuple[Any, int, int, str]] = []
        self.costs: dict[tuple[str, str], float] = defaultdict(float)
        self.objective = self.bound = 0.0
        self.statuses: list[str] = []
        self.stats: defaultdict[str, Any] = defaultdict(int)  # figures of the search, for bench and debugging
        self.blockers: list[Blocker] = []
        self.dropped: Counter = Counter()
        self.generated = self.active = 0

    def stop_reason(self) -> str:
        """Why the search stopped: its parts' worst reason (the limit, where a step ran out of time)."""
        if interrupt.requested():
            return "interrupted"
        if self.limit_reached or self.clock_ran_out:
            return "time_limit"
        return min(self.stopped or ["time_limit"], key=STOP_REASONS.index)

    def track(self, result: ChunkResult) -> ChunkResult:
        """Note when the part's plan got better (the last time is when the final plan was found)."""
        if self.part_best is None or result.objective < self.part_best - 1e-9:
            self.part_best = result.objective
            self.found = clock_mod.now() - self.started
            clock = clock_mod.current()
            self.found_work = clock.work if clock is not None else None
        return result

    def close_enough(self, objective: float, bound: float | None) -> bool:
        """Whether a part's plan is proven within `solver.gap` of its bound (the gap as reported)."""
        return bound is not None and abs(objective - bound) <= self.gap * max(1.0, abs(objective))

    def target(self, bound: float | None) -> float | None:
        """The objective at which a search over the part can stop (within `solver.gap` of `bound`)."""
        if bound is None:
            return None
        # objective o with o - bound <= gap * |o| (objectives are negative: rewards)
        return bound + self.gap * max(1.0, abs(bound)) / (1 + self.gap) if bound < 0 else bound + self.gap * 1.0

    def report(self, objective: float | None, bound: float | None, stage: str, phase: str) -> None:
        if self.progress is None:
            return
        o = None if objective is None else self.objective + objective
        b = None if bound is None else self.bound + bound
        gap = None if o is None or b is None else abs(o - b) / max(1.0, abs(o))
        self.progress(Progress(o, b, gap, time.monotonic() - self.started, f"{phase} {stage}".strip()))

    def build(self, cset: CandidateSet, days: range, horizon: range, carry: Carry, mode: str, **kw: Any) -> Ctx:
        """`build_master` for mode "master" or "prepare", else `build_person`."""
        if mode in ("master", "prepare"):
            if "master_fairness" in kw:
                kw["fairness"] = kw.pop("master_fairness")
            return self.build_master(cset, days, horizon, carry, prepare_only=mode == "prepare", **kw)
        return self.build_person(cset, days, horizon, carry, **kw)

    def build_master(self, cset: CandidateSet, days: range, horizon: range, carry: Carry, **kw: Any) -> MasterCtx:
        return build_master(self.loaded, self.calendar, cset, days=days, horizon=horizon, carry=carry,
                            area_bound=self.strategy.area_bound, modules=self.modules, available=self.available,
                            **kw)

    def build_person(self, cset: CandidateSet, days: range, horizon: range, carry: Carry, **kw: Any) -> PersonCtx:
        return build_person(self.loaded, self.calendar, cset, days=days, horizon=horizon, carry=carry,
                            area_bound=self.strategy.area_bound, modules=self.modules, available=self.available,
                            **kw)

    def part(self, n: int, days: range, share: float) -> None:
        t0 = time.monotonic()
        deadline = t0 + share
        end = clock_mod.hand_over()
        if end is not None:
            deadline = min(deadline, end - clock_mod.now() + t0)  # the command's limit, in this clock's terms
        self.part_stopped, self.part_best = "time_limit", None
        # deterministic budgets: CP-SAT's deterministic seconds, which the steps around the
        # searches (models built, hints completed) take about as long again as
        work = share * DETERMINISTIC_RATE
        calendar, stats = self.calendar, self.stats
        last = n == len(self.strategy.chunks) - 1
        # long windows find better plans where most of a pass of them fits in the part's time
        # (measured: the bench station at 30 s, gap 0.8% against 1.7% on week-long windows;
        # a district month, 3.3% against 3.5 to 4.6%); otherwise, and on plans too big for the
        # LP, whose windows are big models already, weeks first
        long_windows = len(window_starts(days, LONG_WINDOW_DAYS))
        fits = self.strategy.exact and share >= 0.75 * long_windows * WINDOW_SECONDS
        self.window_days = LONG_WINDOW_DAYS if fits else WINDOW_DAYS
        self.window_next = 0  # the window the next call of self.windows starts with
        phase = ""
        if len(self.strategy.chunks) > 1:
            phase = (f"{calendar.days[days[0]].date}..{calendar.days[days[-1]].date} "
                     f"({n + 1}/{len(self.strategy.chunks)})")
        # the floor: every part's candidates and greedy plan, even past the limit (issue 18: a
        # worse plan is fine, a missing one is not; cut, later months were left empty)
        floor = clock_mod.limit_to(None)
        try:
            cset = generate_candidates(self.loaded, calendar, days=days)
        finally:
            clock_mod.unlimit(floor)
        if n == 0:
            self.blockers = cset.blockers
        # the share is the plan's, not the clock's, with one worker; past the limit a part keeps
        # only its greedy plan: no LP model to build
        exact = not clock_mod.over() and self.strategy.lp_fits(len(days), share)
        # fairness makes the LP up to three times slower (a Harbin month: 5.5 s -> 18 s); the
        # earlier parts' LPs tell how fast this plan's LPs go
        if self.lp_rate is None or self.deterministic:
            fair = self.strategy.lp_fits(len(days), share / FAIRNESS_LP_FACTOR)
        else:
            fair = self.strategy.per_day * len(days) * FAIRNESS_LP_FACTOR / self.lp_rate <= share * LP_SHARE
        master = self.build_master(cset, days, days, self.carry, prepare_only=not exact, fairness=fair)
        self.generated += len(cset.candidates)
        self.active += len(master.cands)
        self.dropped.update(master.dropped)
        stats["candidates"] += len(cset.candidates)
        stats["master_variables"] += len(master.model.proto.variables) if exact else 0
        stats["seconds_build"] += time.monotonic() - t0
        if not master.cands:
            self.part_stopped = "time_limit" if clock_mod.over() else "optimal"
            self.finish(self.track(self.evaluate(cset, days, {}, master.cands, deadline)), "optimal", None, last=last)
            return
        # 1. a complete plan at once
        mark = time.monotonic()
        floor = clock_mod.limit_to(None)
        try:
            incumbent = incumbent_from_greedy(master, greedy(master))
        finally:
            clock_mod.unlimit(floor)
        stats["seconds_greedy"] += time.monotonic() - mark
        pool = master.cands
        if clock_mod.over():  # the command's time is up: the greedy plan is the floor
            del master
            result = self.track(self.evaluate(cset, days, incumbent, pool, deadline))
            self.finish(result, "greedy", self.no_bound(cset, days, pool, result), last=last)  # said in the notes
            return
        if not exact:  # too big for the LP in its time: the greedy plan, polished if time allows
            del master
            evaluation = self.last_evaluation or 0.1 * share  # keep time to evaluate the plan
            if self.deterministic:
                # the windows are this plan's only search: most of the part's time, less the
                # evaluations around them
                incumbent = self.windows(cset, days, incumbent, None, phase, budget=share * INEXACT_WINDOWS_SHARE)
            elif deadline - time.monotonic() > 1.0 + evaluation:
                incumbent = self.windows(cset, days, incumbent, deadline - evaluation, phase)
            result = self.track(self.evaluate(cset, days, incumbent, pool, deadline))
            self.report(result.objective, None, "plan", phase)
            self.finish(result, "feasible", self.no_bound(cset, days, pool, result), last=last)
            return
        # 2. the master's LP (a bound, and rounded, a choice of activities near it) in the
        #    background, while the greedy plan is polished a window of days at a time
        mark = time.monotonic()
        lp: dict[str, Any] = {}
        improved_before = stats["windows_improved"]
        lp_deadline = mark + (deadline - mark) * LP_SHARE
        # one worker: budgets come from the plan, never from the clock, so that the same plan
        # and seed give the same result (the LP gets room enough not to be cut short)
        lp_limit = 4 * share if self.deterministic else max(1.0, lp_deadline - time.monotonic())
        model = master.model
        def relax() -> None:
            began = time.monotonic()
            lp["result"] = lp_values(model, time_limit=lp_limit, engines=self.lp_engines)
            if lp["result"] is not None:
                self.lp_rate = len(model.proto.variables) / max(0.05, time.monotonic() - began)

        thread = threading.Thread(target=relax)
        if self.deterministic:
            thread.run()  # one worker: one thing after the other
        else:
            thread.start()
        result = self.track(self.evaluate(cset, days, incumbent, pool, deadline))
        self.report(result.objective, None, "first plan", phase)
        if not self.deterministic:
            if len(self.lp_engines) == 1 or self.workers > 2:  # two LPs racing take two cores
                incumbent = self.windows(cset, days, incumbent, lp_deadline, phase, until=thread)
            thread.join()
            result = self.track(self.better(cset, days, incumbent, pool, deadline, result))
        stats["seconds_lp"] += time.monotonic() - mark
        bound: float | None = None
        support_used = False
        chosen: set[str] = set()
        works: set[tuple] = set()
        if lp.get("result") is not None:
            values, lp_objective, engine = lp["result"]
            stats[f"lp_{engine.lower()}"] += 1
            bound = lp_objective / SCALE
            self.report(result.objective, bound, "bound", phase)
            # the LP rounded by the greedy (a fraction of a second), then by CP-SAT (RENS)
            mark = time.monotonic()
            x = [values[v.index] for v in master.x]
            sure = {key for key, v in master.a.items() if values[v.index] > 0.5}
            for rounded_plan in from_lp(master, x, sure):
                if clock_mod.over():
                    break
                other = self.evaluate(cset, days, incumbent_from_greedy(master, rounded_plan), pool, deadline)
                if other.objective < result.objective - 1e-9:
                    result = self.track(other)
                    stats["lp_greedy_used"] += 1
            stats["seconds_lp_greedy"] += time.monotonic() - mark
            if self.close_enough(result.objective, bound) or clock_mod.over():
                # proven close enough to the bound already (or the time is up): done
                self.part_stopped = "time_limit" if clock_mod.over() else "within_gap"
                del master
                self.finish(result, "optimal" if result.objective <= bound + 1e-6 * max(1.0, abs(bound))
                            else "feasible", bound, last=last)
                return
            # the person-level model over what the LP takes and the plan so far: a few hundred
            # of the part's thousands of candidates, small enough for CP-SAT to search well
            mark = time.monotonic()
            left = work * (1 - LP_SHARE) if self.deterministic else deadline - mark - self.last_evaluation
            if left > SUPPORT_MIN_SECONDS:
                support = {c.id for c, v in zip(master.cands, master.x) if values[v.index] > 1e-6}
                supported, why = self.support(cset, days, result, support, pool, left * SUPPORT_SHARE, bound)
                if supported is not None and supported.objective < result.objective - 1e-9:
                    # evaluated as any plan is, so that its key-date credits are the ones
                    # re-planning finds for it (the support model may credit more than needed)
                    result = self.track(self.evaluate(cset, days, incumbent_of(supported.activities), pool,
                                                      deadline))
                    stats["support_used"] += 1
                    support_used = True
                if why == "within_gap" or (why == "stalled" and support_used) or clock_mod.over() \
                        or interrupt.requested():
                    # close enough, proven best, or no better plan coming: the rest of the
                    # part's steps would spend the time for little
                    self.part_stopped = ("interrupted" if interrupt.requested() else
                                         "time_limit" if clock_mod.over() else why)
                    stats["seconds_support"] += time.monotonic() - mark
                    del master
                    optimal = result.objective <= bound + 1e-6 * max(1.0, abs(bound))
                    self.finish(result, "optimal" if optimal else "feasible", bound, last=last)
                    return
            stats["seconds_support"] += time.monotonic() - mark
            mark = time.monotonic()
            rounded = None
            # measured on the bench and the examples: where polishing by windows improves the
            # plan while the LP runs, the rest of the time is better spent on it than on RENS
            windows_work = stats["windows_improved"] > improved_before
            # deterministically: RENS where the support solve found nothing better (as the
            # clock would leave it no time after a support solve that did)
            if (self.deterministic and not support_used) or \
                    (not self.deterministic and deadline - mark > RENS_MIN_SECONDS and not windows_work):
                rounded = rens(master.model, values, master.x, seed=self.seed, workers=self.workers,
                               time_limit=self.budget(deadline, work, RENS_SHARE, RENS_SHARE * (1 - LP_SHARE)),
                               deterministic=self.deterministic)
            stats["seconds_rens"] += time.monotonic() - mark
            if rounded is not None:
                chosen = {c.id for c, v in zip(master.cands, master.x) if rounded[v.index]}
                works = {key for key, v in master.a.items() if rounded[v.index]}
            left = work * (1 - LP_SHARE) * (1 - RENS_SHARE) if self.deterministic else deadline - time.monotonic()
            if len(master.model.proto.variables) <= SMALL_MASTER and left > 1.0:
                # small enough for CP-SAT to improve the bound (cuts, search) in the time left
                mark = time.monotonic()
                if rounded is not None:
                    master.model.clear_hints()
                    for k, v in rounded.items():
                        master.model.add_hint(master.model.get_int_var_from_proto_index(k), v)
                m_status, m_chosen, m_objective, m_bound = run_master(
                    master, time_limit=max(0.5, left * RENS_SHARE), workers=self.workers, seed=self.seed,
                    deterministic=self.deterministic)
                if m_bound is not None and m_status != "empty":
                    bound = max(bound, m_bound)
                    chosen, works = m_chosen, master.works
                stats["seconds_master"] += time.monotonic() - mark
        else:  # no LP in time: CP-SAT on the master for a bound and a choice
            mark = time.monotonic()
            hint_master(master, incumbent)
            complete_hint(master.model, self.seed)
            m_status, chosen, _, bound = run_master(
                master, time_limit=self.budget(deadline, work, RENS_SHARE, RENS_SHARE), workers=self.workers,
                seed=self.seed,
                deterministic=self.deterministic)
            works = master.works
            stats["seconds_master"] += time.monotonic() - mark
        stats["master_bound"] = bound
        # 3. that choice, staffed: a matching per part of a day and area; kept if better
        mark = time.monotonic()
        if chosen and chosen != set(incumbent):
            index = {c.id: i for i, c in enumerate(master.cands)}
            staffed = staff_choice(master, [index[k] for k in sorted(chosen)], works)
            stats["master_choice_dropped"] += len(chosen) - len(staffed.chosen)
            other = self.evaluate(cset, days, incumbent_from_greedy(master, staffed), pool, deadline)
            if other.objective < result.objective - 1e-9:
                result = self.track(other)
                stats["master_choice_used"] += 1
        del master
        incumbent = incumbent_of(result.activities)
        stats["seconds_staffing"] += time.monotonic() - mark
        # 4. polished a window of days at a time, person by person (fairness included)
        mark = time.monotonic()
        # deterministically, where the support solve found a better plan, as the clock would
        # leave no time after it
        if (self.deterministic and not support_used) or \
                (not self.deterministic and deadline - time.monotonic() > 0.3 + self.last_evaluation):
            incumbent = self.windows(cset, days, incumbent,
                                     None if self.deterministic else deadline - 0.1 - self.last_evaluation,
                                     phase, budget=share * WINDOWS_SHARE)
            result = self.track(self.better(cset, days, incumbent, pool, deadline, result))
        stats["seconds_windows"] += time.monotonic() - mark
        optimal = bound is not None and result.objective <= bound + 1e-6 * max(1.0, abs(bound))
        self.part_stopped = ("interrupted" if interrupt.requested() else "optimal" if optimal else
                             "within_gap" if self.close_enough(result.objective, bound) else "time_limit")
        self.finish(result, "optimal" if optimal else "feasible", bound, last=last)

    def support(self, cset: CandidateSet, days: range, result: ChunkResult, support: set[str], pool: list,
                time_limit: float, bound: float | None = None) -> tuple[ChunkResult | None, str]:
        """The part's person-level model over the candidates in `support` and those of
        `result`'s plan, started from that plan; its best plan, or None, and why it stopped
        (STOP_REASONS).

        Measured on the bench station: its LP takes about 450 of 8,273 candidates, and this
        model (about 4,000 variables) reaches 1% of the LP bound in 3 to 5 s, where windows of
        days need about 25 s. Searched in slices of STALL_SHARE of `time_limit`, each from the
        best plan so far: it ends at the first plan within `solver.gap` of `bound`, or after a
        slice that found nothing better (deterministic time with one worker: the same stop
        every run)."""
        plan = incumbent_of(result.activities)
        ctx = self.build_person(cset, days, days, self.carry, only=support | set(plan), pool=pool)
        hint_full(ctx, plan)
        if complete_hint(ctx.model, self.seed, time_limit=max(0.5, min(HINT_SECONDS, time_limit))) is None:
            return None, "time_limit"
        best: ChunkResult | None = None
        best_objective = result.objective
        target = self.target(bound)
        spent = 0.0
        piece = max(0.5, time_limit * STALL_SHARE)
        while spent < time_limit - 0.05:
            began = time.monotonic()
            other = run_chunk(ctx, time_limit=min(piece, time_limit - spent), workers=self.workers, seed=self.seed,
                              cuts=len(self.strategy.chunks) > 1, deterministic=self.deterministic,
                              target=target, values=True)
            spent += other.work if self.deterministic else time.monotonic() - began
            self.stats["support_slices"] += 1
            self.stats.setdefault("support_slice_objectives", []).append(round(other.objective, 2))
            if other.status == "empty":
                break
            improved = other.objective < best_objective - 1e-9
            if improved or best is None:
                best, best_objective = other, min(best_objective, other.objective)
            if self.close_enough(best_objective, bound):
                return best, "within_gap"
            if other.status == "optimal":  # the best over the LP's support: the other steps may do better
                return best, "time_limit"
            if not improved:  # a slice that found nothing better: stalled
                return best, "stalled"
            if clock_mod.over() or interrupt.requested() or other.values is None:
                break
            # the next slice starts from this one's plan (CP-SAT keeps no state between solves)
            ctx.model.clear_hints()
            for k, v in enumerate(other.values):
                ctx.model.add_hint(ctx.model.get_int_var_from_proto_index(k), v)
        return best, "time_limit"

    def no_bound(self, cset: CandidateSet, days: range, pool: list, result: ChunkResult) -> float:
        """A bound that needs no solving: every reach reward taken, no penalty paid."""
        w = self.loaded.plan.weights.reach
        return -sum(round(w * c.reach / REACH_PER * SCALE) for c in pool if c.venue) / SCALE

    def budget(self, deadline: float, share: float, of_left: float, of_share: float) -> float:
        """Seconds for a step: a fraction of what is left, or with one worker (deterministic
        time, never the clock), a fraction of the part's whole share."""
        if self.deterministic:
            return max(0.5, share * of_share)
        return max(0.5, (deadline - time.monotonic()) * of_left)

    def better(self, cset: CandidateSet, days: range, plan: Incumbent, pool: list, deadline: float,
               result: ChunkResult) -> ChunkResult:
        """The plan's exact evaluation if it beats `result` (the windows only ever improve)."""
        if set(plan) == {a.cand.id for a in result.activities} and all(
                tuple(a.staff) == plan[a.cand.id][1] for a in result.activities):
            return result
        other = self.evaluate(cset, days, plan, pool, deadline)
        return other if other.objective < result.objective - 1e-9 else result

    def evaluate(self, cset: CandidateSet, days: range, plan: Incumbent, pool: list, deadline: float
                 ) -> ChunkResult:
        """The part's model with exactly this plan: its goals, costs and objective; with
        `keep_credits`, its key-date credits where they still count."""
        mark = time.monotonic()
        ctx = self.build_person(cset, days, days, self.carry, only=set(plan), pool=pool)
        hint_full(ctx, plan, fix=True)
        if self.keep_credits:
            index = {c.id: i for i, c in enumerate(ctx.cands)}
            for m in ctx.modules:
                if hasattr(m, "keep_credits"):
                    m.keep_credits(ctx, {index[k]: key for k, (_, _, key) in plan.items()
                                         if key is not None and k in index},
                                   {index[k] for k, (_, _, key) in plan.items() if key is None and k in index})
        # people stay on the activity the plan gives them: where simultaneous activities share
        # a group, the model alone does not say which of them each person goes to
        keep = people_to_keep(ctx, {k: staff for k, (_, staff, _) in plan.items()})
        # with every activity and person fixed the rest is small: solved to the end on
        # deterministic time, so the same plan scores the same however busy the machine is
        result = run_chunk(ctx, time_limit=EVALUATION_SECONDS, workers=1, seed=self.seed, keep=keep,
                           deterministic=True, capped=False)
        self.last_evaluation = time.monotonic() - mark  # what keeping time for the last evaluation needs
        if result.status == "empty":
            raise RuntimeError("a plan that keeps every hard rule could not be evaluated; please report this")
        return result

    def finish(self, result: ChunkResult, status: str, bound: float | None, *, last: bool = True) -> None:
        """Add a part's result; `last`: the part that ends the campaign.

        Fairness is of the loads at the campaign's end: every part weighs the loads so far
        (that steers it), but only the last part's figure is the plan's, so earlier parts'
        fairness costs are not added up (they would count the same imbalance again)."""
        if not last:
            at_end = {m.NAME for m in all_modules() if getattr(m, "CAMPAIGN_END_COST", False)}
            costs = {k: v for k, v in result.costs.items() if k[0] not in at_end}
            result = replace(result, costs=costs,
                             objective=result.objective - sum(result.costs.values()) + sum(costs.values()))
        # a look-ahead goal (a week that ends in the next part) steered this part only: the
        # next part owns, scores and reports it (the bound less its most: still a bound)
        ahead = sum(round(g.weight * SCALE) * short for g, short, _ in result.goals if g.ahead) / SCALE
        most = sum(round(g.weight * SCALE) * required for g, _, required in result.goals if g.ahead) / SCALE
        if most:
            result = replace(result, objective=result.objective - ahead,
                             goals=[t for t in result.goals if not t[0].ahead])
            bound = bound - most if bound is not None else None
        self.statuses.append(status)
        self.objective += result.objective
        self.bound += min(result.objective, bound) if bound is not None else result.objective
        self.activities += result.activities
        for g, short, required in result.goals:
            why = ""
            if short:
                why = g.why(short, result) if callable(g.why) else (g.why or "")
            # a plain copy: the goal's closures would keep this part's whole model alive
            self.goals.append((replace(g, short=short, required=required, why=None), short, required, why))
        for key, v in result.costs.items():
            self.costs[key] += v
        self.carry.activities += [(a.cand, tuple(a.staff)) for a in result.activities]
        for a in result.activities:
            if a.key_date is not None:
                self.carry.key_date_credit[a.key_date] = self.carry.key_date_credit.get(a.key_date, 0) + 1



__all__ = ["solve", "Run", "run_parts", "FINISH_SHARE", "EVALUATION_SECONDS", "STOP_REASONS", "STALL_SHARE",
           "OUTPUT_SECONDS_PER_1000", "output_reserve", "searchable_seconds"]
