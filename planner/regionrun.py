"""A region planned on Ray: stations surveyed, shared teams allocated, stations solved in
parallel, every result checked, the region rolled up.

1. survey (Ray tasks): each station plan is read; its need for shared-team days is estimated
   from its staff time against what its tactics require, role by role (planner.capacity);
2. allocation (here, one small CP-SAT model): team x station x (week within a month) days,
   at most `days_per_month` per station and one station a day, then days picked in each week;
3. solve (Ray tasks, retried when their worker dies): each station plan with the members of
   the teams it was given added as staff who are unavailable on every other day, solved,
   checked by planner.verify and rendered by the station's own output writer;
4. the cross-station rule (no shared member in two stations on one day) checked, and the
   region report, the teams' calendars and every station's outputs swapped into OUT at once.

A region's time limit (`total_time_limit`) covers the whole command: it is split beforehand
into Ray's start, the reading, the allocation's share, each station's limit (the stations
dealt in order to the worker free first, each within its own limit) and the outputs; when a
station is handed out behind that schedule, it gets what is left of it, down to the floor
that still gives it its greedy plan, so that no station is left without a plan.
"""

from __future__ import annotations

import hashlib
import heapq
import io
import json
import math
import os
import resource
import shutil
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import atomic, messages
from planner.errors import PlanError
from planner.export.output import KEPT, output_dir
from planner.messages import _
from planner.region import LoadedRegion, SharedTeam, StationRef

#: the outputs of a station in a region: the station's own (plan.pdf with `pdf=True`)
STATION_TARGETS = ("json", "ics", "html", "xlsx")

# How a region's time limit is spent, as measured on 2 busy cores (bench/RESULTS.md, 2026-12-06)
RAY_START_SECONDS = 8.0  # a local Ray started (its workers and their imports): 7 to 10 s on 2 busy cores
RAY_STOP_SECONDS = 1.5  # ... and shut down at the end
SURVEY_SECONDS = 1.0  # a station plan read and its need estimated, per station on each worker
ALLOCATION_SHARE = 0.1  # of the region's limit, at most, for the shared teams' allocation
# a station's task beyond its solve's limit: loading, checking, its outputs (beyond what the
# solve keeps for them), by its size: about 3 s at 100 activities, 4.5 s at 250
TASK_SECONDS = 2.0
TASK_SECONDS_PER_1000 = 10.0  # ... for each 1,000 activities it is likely to have
OUTPUT_SECONDS = 1.0  # the teams' calendars and the region report ...
OUTPUT_SECONDS_PER_STATION = 0.05  # ... and each station's share of them
FLOOR_SECONDS = 1.0  # the least limit a station is given: its greedy plan (planner.search's floor)

if TYPE_CHECKING:
    from planner.capacity import CapacityEstimate


@dataclass
class Survey:
    stem: str
    file: str
    name: str = ""
    district: str | None = None
    start: str | None = None
    end: str | None = None
    need_days: int = 0
    own_limit: float | None = None  # the plan's solver.time_limit, seconds
    activities: int = 0  # about how many it will have (for its task's time beyond its limit)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class StationResult:
    stem: str
    name: str
    district: str | None
    ok: bool
    error: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the task
    solve_seconds: float = 0.0  # wall time of its solve
    time_limit: float | None = None  # the limit its solve was given
    cut: bool = False  # given less than its share: the region's time was running out
    activities: int = 0
    reach: int = 0
    met: int = 0
    required: int = 0
    unmet: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    shared_days: dict[str, list[str]] = field(default_factory=dict)  # team -> days given
    busy: dict[str, list[str]] = field(default_factory=dict)  # shared member -> days with an activity
    by_format: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    pid: int = 0


# --- 1. survey ---------------------------------------------------------------------------------------------


def survey_station(ref: StationRef, raw: bytes, roles: dict[str, float]) -> Survey:
    """Read one station plan (its bytes, so a cluster's workers need not see the file) and
    estimate the days of shared teams it could use (`roles`: members of each role in an
    average shared team)."""
    from planner.calendar import build_calendar
    from planner.capacity import estimate
    from planner.search.run import ACTIVITIES_PER_PERSON_WEEK

    started = time.monotonic()
    found = Survey(ref.stem, str(ref.path))
    try:
        loaded = _load_bytes(raw, ref.path.name)
    except PlanError as e:
        found.problems = [p.format().replace(_tmp_prefix(p.file), "") for p in e.problems]
        found.problems = [_restore_name(line, ref) for line in found.problems]
        found.seconds = time.monotonic() - started
        return found
    plan = loaded.plan
    found.name = plan.station.name
    found.district = ref.district or plan.station.region
    found.start, found.end = plan.campaign.start.isoformat(), plan.campaign.end.isoformat()
    found.own_limit = plan.solver.time_limit.total_seconds()
    weeks = ((plan.campaign.end - plan.campaign.start).days + 1) / 7
    found.activities = round(len(plan.staff) * weeks * ACTIVITIES_PER_PERSON_WEEK)
    if ref.team_days is not None:
        found.need_days = ref.team_days
    else:
        found.need_days = shared_need(estimate(plan, build_calendar(plan)), roles)
    found.seconds = time.monotonic() - started
    return found


def shared_need(capacity: CapacityEstimate, team_roles: dict[str, float]) -> int:
    """Days of shared teams a station could use: for each role the teams bring, what its
    tactics require of that role beyond its own staff's time, over that role's members in a
    team; or all the shortfall the teams can fill (with the positions any role may take
    beyond the others' spare time) over a team's size, if more. A team-day gives each member
    about one activity. The total alone (required against available) hides a station short
    of officers but rich in auxiliaries, which is most of them."""
    size = sum(team_roles.values())
    if size <= 0:
        return 0
    days, fillable, spare = 0.0, 0.0, 0.0
    for supply in capacity.supply:
        short = capacity.required(supply.role) - supply.person_activities
        spare += max(0.0, -short)
        if short > 0 and team_roles.get(supply.role, 0.0) > 0:
            days = max(days, short / team_roles[supply.role])
            fillable += short
    anyone = max(0.0, capacity.required("any") - spare)
    days = max(days, (fillable + anyone) / size)
    return max(0, math.ceil(days - 1e-9))


def team_roles(teams: list[SharedTeam]) -> dict[str, float]:
    """Members of each role in an average shared team."""
    counts: dict[str, float] = defaultdict(float)
    for team in teams:
        for member in team.members:
            counts[member.role] += 1.0 / len(teams)
    return dict(counts)


def _tmp_prefix(file: str) -> str:
    return str(Path(file).parent) + os.sep if file else ""


def _restore_name(line: str, ref: StationRef) -> str:
    return line.replace(ref.path.name + ":", str(ref.path) + ":", 1) if not line.startswith(str(ref.path)) else line


def _load_bytes(raw: bytes, name: str, folder: Path | None = None):
    """load_plan of a station plan's bytes, written under its own name to a private folder."""
    from planner.loader import load_plan

    own = folder is None
    where = Path(tempfile.mkdtemp(prefix="planner-region-")) if folder is None else folder
    try:
        path = where / name
        path.write_bytes(raw)
        return load_plan(path)
    finally:
        if own:
            shutil.rmtree(where, ignore_errors=True)


# --- 2. allocation -------------------------------------------------------------------------------------------


def _parts(start: date, end: date) -> list[list[date]]:
    """The days start..end cut into weeks, and weeks at month ends: each part in one week and one month."""
    parts: list[list[date]] = []
    day = start
    while day <= end:
        if not parts or day.weekday() == 0 or day.day == 1:
            parts.append([])
        parts[-1].append(day)
        day += timedelta(days=1)
    return parts


def team_available(team: SharedTeam, day: date) -> bool:
    """A team goes out as a unit on a day at least one of its members is free."""
    return any(m.is_available(day) for m in team.members)


def allocate(teams: list[SharedTeam], stations: list[Survey], time_limit: float, seed: int = 1,
             wall_limit: float | None = None) -> dict[str, dict[str, list[date]]]:
    """team id -> station stem -> the days that team works for that station. One CP-SAT model
    over team x station x part (a week within a month): the days given fill each station's need,
    the team's own district first, at most `days_per_month` per station and month, and never
    more days in a part than the team is free; then each part's days are dealt out in order.
    `time_limit` is in CP-SAT's deterministic seconds; `wall_limit` (under a region's limit)
    bounds the clock too (default: four times the time limit)."""
    from ortools.sat.python import cp_model

    ok = [s for s in stations if not s.problems and s.start and s.end and s.need_days > 0]
    allocation: dict[str, dict[str, list[date]]] = {t.id: {} for t in teams}
    if not ok or not teams:
        return allocation
    spans = {s.stem: (date.fromisoformat(s.start or ""), date.fromisoformat(s.end or "")) for s in ok}
    first, last = min(a for a, _b in spans.values()), max(b for _a, b in spans.values())
    parts = _parts(first, last)
    model = cp_model.CpModel()
    x: dict[tuple[int, int, int], Any] = {}
    for t, team in enumerate(teams):
        for s, st in enumerate(ok):
            if team.serves is not None and st.district not in team.serves:
                continue
            a, b = spans[st.stem]
            for p, days in enumerate(parts):
                free = sum(1 for d in days if a <= d <= b and team_available(team, d))
                cap = min(free, team.days_per_month)
                if cap > 0:
                    x[t, s, p] = model.new_int_var(0, cap, f"x{t}_{s}_{p}")
    by_team_part: dict[tuple[int, int], list] = defaultdict(list)
    by_team_station_month: dict[tuple[int, int, tuple[int, int]], list] = defaultdict(list)
    by_station: dict[int, list] = defaultdict(list)
    for (t, s, p), var in x.items():
        by_team_part[t, p].append(var)
        month = (parts[p][0].year, parts[p][0].month)
        by_team_station_month[t, s, month].append(var)
        by_station[s].append(var)
    for (t, p), vars_ in by_team_part.items():
        team = teams[t]
        model.add(sum(vars_) <= sum(1 for d in parts[p] if team_available(team, d)))
    for (t, _s, _m), vars_ in by_team_station_month.items():
        model.add(sum(vars_) <= teams[t].days_per_month)
    met = []
    for s, st in enumerate(ok):
        if not by_station[s]:
            continue
        got = model.new_int_var(0, st.need_days, f"met{s}")
        model.add(got <= sum(by_station[s]))
        met.append(got)
    away = [var for (t, s, _p), var in x.items()
            if teams[t].home_area is not None and ok[s].district != teams[t].home_area]
    given = list(x.values())
    # a day that meets a need first, the team's own district next, no day given for nothing
    model.maximize(1000 * sum(met) - 10 * sum(away) - sum(given))
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = time_limit
    solver.parameters.max_time_in_seconds = wall_limit if wall_limit is not None else time_limit * 4
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return allocation
    for t, team in enumerate(teams):
        for p, part in enumerate(parts):
            open_days = [d for d in part if team_available(team, d)]
            taken: set[date] = set()
            for s, st in enumerate(ok):
                n = solver.value(x[t, s, p]) if (t, s, p) in x else 0
                if not n:
                    continue
                a, b = spans[st.stem]
                mine = [d for d in open_days if d not in taken and a <= d <= b][:n]
                taken.update(mine)
                allocation[team.id].setdefault(st.stem, []).extend(mine)
    return allocation


# --- the region's time limit ---------------------------------------------------------------------------------


def task_seconds(activities: int) -> float:
    """A station's task beyond its solve's limit, estimated from its size."""
    return TASK_SECONDS + TASK_SECONDS_PER_1000 * activities / 1000


def makespan(limits: Sequence[float], free: Sequence[float], overheads: Sequence[float]) -> float:
    """When the last of these tasks ends (0 if none), each of its limit and its overhead's
    seconds, handed out in order to the worker free first (`free`: when each worker is)."""
    slots = list(free)
    heapq.heapify(slots)
    end = 0.0
    for limit, overhead in zip(limits, overheads, strict=True):
        finish = heapq.heappop(slots) + limit + overhead
        end = max(end, finish)
        heapq.heappush(slots, finish)
    return end


def level(caps: Sequence[float], free: Sequence[float], end: float, overheads: Sequence[float]
          ) -> tuple[float, bool]:
    """The largest limit L such that the stations, each given min(its cap, L), all end by
    `end`; and whether even the floor does not fit (then L is the floor)."""
    if not caps:
        return 0.0, False
    if makespan(caps, free, overheads) <= end:
        return max(caps), False
    if makespan([min(c, FLOOR_SECONDS) for c in caps], free, overheads) > end:
        return FLOOR_SECONDS, True
    low, high = FLOOR_SECONDS, max(caps)
    while high - low > 0.01:
        mid = (low + high) / 2
        if makespan([min(c, mid) for c in caps], free, overheads) <= end:
            low = mid
        else:
            high = mid
    return math.floor(low * 100) / 100, False


@dataclass(frozen=True)
class Budget:
    """How a region's time limit is spent, in seconds, decided before it starts (from the
    number of stations and workers and their own limits alone, so the same region on the same
    workers gives each station the same limit)."""

    total: float
    setup: float  # Ray's start and reading the plans
    allocation: float  # the shared teams' allocation, at most
    stations: float  # the stations' tasks, from the first handed out to the last done
    outputs: float  # the teams' calendars, the region report, Ray's stop
    limits: list[float]  # each station's limit, in the region file's order
    short: bool  # the stations do not fit even at the floor: the region takes longer
    needed: float  # the command's seconds at these limits (more than `total` when short)


def split_limit(total: float, caps: Sequence[float], workers: int, *, allocation_limit: float,
                overheads: Sequence[float] | None = None, local_ray: bool = True, teams: bool = True) -> Budget:
    """Divide a region's time limit: Ray's start and the reading (a station a worker at a
    time), the allocation's share (at most ALLOCATION_SHARE of the limit, and at most its
    own limit), the outputs, and what is left to the stations, each station's limit the
    same except where its own limit (`caps`) is lower, its time then going to the others
    (`overheads`: each task's seconds beyond its limit; default TASK_SECONDS)."""
    n, workers = len(caps), max(1, workers)
    setup = (RAY_START_SECONDS if local_ray else 0.0) + SURVEY_SECONDS * math.ceil(n / workers)
    allocation = min(allocation_limit, ALLOCATION_SHARE * total) if teams else 0.0
    outputs = OUTPUT_SECONDS + OUTPUT_SECONDS_PER_STATION * n + (RAY_STOP_SECONDS if local_ray else 0.0)
    stations = max(0.0, total - setup - allocation - outputs)
    overheads = list(overheads) if overheads is not None else [TASK_SECONDS] * n
    at, short = level(caps, [0.0] * workers, stations, overheads)
    limits = [min(c, at) for c in caps]
    needed = setup + allocation + outputs + makespan(limits, [0.0] * workers, overheads)
    return Budget(total, setup, allocation, stations, outputs, limits, short, round(needed, 1))


# --- 3. a station with its shared teams -------------------------------------------------------------------------


def _ranges(days: list[date]) -> list[str]:
    """Sorted days as "a..b" spans (one day as itself)."""
    out: list[str] = []
    run: list[date] = []
    for d in sorted(days):
        if run and d == run[-1] + timedelta(days=1):
            run.append(d)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else f"{run[0]}..{run[-1]}")
        run = [d]
    if run:
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}..{run[-1]}")
    return out


def station_text(raw: bytes, name: str, given: dict[str, tuple[SharedTeam, list[date]]],
                 key_dates: list[dict[str, Any]]) -> str:
    """The station plan with the shared teams' members it was given added to its staff,
    unavailable on every campaign day not given to it, and the region's key dates added (a
    station's own key date of the same id wins). The plan's comments and order are kept."""
    from ruamel.yaml import YAML

    from planner.yamlio import decode

    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.preserve_quotes = True
    data = yaml.load(decode(raw, name))
    campaign = data["campaign"]
    start, end = _as_date(campaign["start"]), _as_date(campaign["end"])
    every = [start + timedelta(n) for n in range((end - start).days + 1)]
    for _team_id, (team, days) in sorted(given.items()):
        if not days:
            continue
        off = _ranges([d for d in every if d not in set(days)])
        for member in team.members:
            entry = member.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            entry["id"], entry["name"], entry["role"] = member.id, member.name, member.role
            entry["team"] = team.name
            if team.home_area and "area" not in entry:
                entry["area"] = team.home_area
            entry["unavailable"] = [str(s) for s in member.unavailable] + off
            data["staff"].append(entry)
    if key_dates:
        tactics = data.setdefault("tactics", {})
        rule = tactics.get("key_dates", {}) if "key_dates" in tactics else {}
        if rule is not None and rule is not False:
            rule = rule if isinstance(rule, dict) else {}
            custom = rule.setdefault("custom", [])
            own = {c.get("id") for c in custom if isinstance(c, dict)}
            custom.extend(k for k in key_dates if k["id"] not in own)
            tactics["key_dates"] = rule
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def solve_station(ref: StationRef, text: str, final_plan: str, *, time_limit: float | None, pdf: bool,
                  shared: dict[str, list[str]], members: dict[str, str], district: str | None,
                  hook: Callable[[str], None] | None = None) -> tuple[StationResult, dict[str, bytes]]:
    """One station solved with its shared teams (a Ray task): its result and its output files
    (relative path -> bytes) for the driver to put into OUT. Runs in a worker process."""
    from planner.export.writer import write_outputs
    from planner.planjson import plan_json
    from planner.publish import publish
    from planner.search import NoPlanError, solve
    from planner.verify import verify

    started = time.monotonic()
    if hook is not None:
        hook(ref.stem)  # tests kill the worker here (a node lost mid-task)
    result = StationResult(ref.stem, "", district, ok=False, pid=os.getpid(), shared_days=shared)
    work = Path(tempfile.mkdtemp(prefix="planner-region-"))
    files: dict[str, bytes] = {}
    try:
        try:
            loaded = _load_bytes(text.encode("utf-8"), "station.yaml", work)
        except PlanError as e:
            result.error = [p.format().replace(str(work / "station.yaml"), f"{ref.path} (+ shared teams)")
                            for p in e.problems]
            return result, files
        plan = loaded.plan
        result.name = plan.station.name
        if time_limit is not None:
            plan.solver.time_limit = timedelta(seconds=time_limit)
        result.time_limit = plan.solver.time_limit.total_seconds()
        plan.solver.workers = 1  # one task, one core: the region's parallelism is Ray's
        try:
            solution = solve(loaded)
        except NoPlanError as e:
            result.error = [_("no plan exists: the plan's hard rules leave no activity possible")] + list(e.lines)
            return result, files
        data = plan_json(solution)
        data["source"] = {"plan": final_plan, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
        data = publish(data, None, plan=plan).data
        result.violations = [str(v) for v in verify(data, loaded, solution.calendar)]
        out = work / "out"
        out.mkdir()
        targets = STATION_TARGETS + (("pdf",) if pdf else ())
        with messages.using(messages.chosen(plan.campaign.language)):
            write_outputs(loaded, data, out, targets)
        for path in sorted(out.rglob("*")):
            if path.is_file():
                files[path.relative_to(out).as_posix()] = path.read_bytes()
        files["station.yaml"] = text.encode("utf-8")
        result.ok = not result.violations
        result.solve_seconds = round(solution.solve_seconds, 2)
        result.activities = len(data["activities"])
        result.reach = int(data["reach"])
        result.met = sum(int(s["met"]) for s in data["score"].values())
        result.required = sum(int(s["required"]) for s in data["score"].values())
        result.unmet = [u["why"] for u in data["unmet"]]
        counts: dict[str, int] = defaultdict(int)
        busy: dict[str, set[str]] = defaultdict(set)
        for a in data["activities"]:
            counts[a["activity"]] += 1
            for person in a["staff"]:
                if person in members:
                    busy[person].add(a["start"][:10])
        result.by_format = dict(counts)
        result.busy = {p: sorted(days) for p, days in busy.items()}
        return result, files
    finally:
        shutil.rmtree(work, ignore_errors=True)
        result.seconds = time.monotonic() - started
        result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- 4. the cross-station rule and the roll-up ---------------------------------------------------------------


def cross_station_problems(results: list[StationResult], allocation: dict[str, dict[str, list[date]]],
                           teams: list[SharedTeam]) -> list[str]:
    """No shared member works in two stations on one day, nor for a station on a day it was not given."""
    problems: list[str] = []
    team_of = {m.id: t for t in teams for m in t.members}
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in results:
        for person, days in r.busy.items():
            given = {d.isoformat() for d in allocation.get(team_of[person].id, {}).get(r.stem, [])}
            for day in days:
                where[person, day].add(r.stem)
                if day not in given:
                    problems.append(_("{person} works for {station} on {day}, a day not given to it").format(
                        person=person, station=r.stem, day=day))
    for (person, day), stations in sorted(where.items()):
        if len(stations) > 1:
            problems.append(_("{person} is in {n} stations on {day}: {stations}").format(
                person=person, n=len(stations), day=day, stations=", ".join(sorted(stations))))
    given_on: dict[tuple[str, date], list[str]] = defaultdict(list)
    for team_id, by_station in allocation.items():
        for stem, dates in by_station.items():
            for d in dates:
                given_on[team_id, d].append(stem)
    for (team_id, d), stems in sorted(given_on.items()):
        if len(stems) > 1:
            problems.append(_("team {team} is given to {n} stations on {day}: {stations}").format(
                team=team_id, n=len(stems), day=d, stations=", ".join(stems)))
    return problems


@dataclass
class RegionRun:
    """What `plan_region` did: the report's figures."""

    report: dict[str, Any]
    failed: list[StationResult]
    cross: list[str]


def _ray(address: str | None, workers: int | None):
    import logging

    import ray

    if ray.is_initialized():
        return ray, False
    options: dict[str, Any] = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING,
                                   configure_logging=False)
    if address:
        ray.init(address=address, **options)
    else:
        ray.init(num_cpus=workers or os.cpu_count() or 1, object_store_memory=256 * 1024 * 1024,
                 _temp_dir=tempfile.mkdtemp(prefix="ray-"), **options)
    return ray, True


def plan_region(loaded: LoadedRegion, out: Path, *, address: str | None = None, workers: int | None = None,
                total_time_limit: float | None = None, station_time_limit: float | None = None, pdf: bool = False,
                started: float | None = None, say: Callable[[str], None] = lambda line: None,
                hook: Callable[[str], None] | None = None) -> RegionRun:
    """Plan every station of the region on Ray (local with `workers` processes, or the cluster
    at `address`) and write OUT: each station's outputs in OUT/<station>/, the shared teams'
    calendars in OUT/teams/, and the region report (region.html, region.json), all at once.

    `total_time_limit` (default: the region's solver.total_time_limit) bounds the whole call,
    from `started` (time.monotonic(); default: now); `station_time_limit` (default: the
    region's solver.time_limit, else each plan's own) is each station's, and its upper bound
    under a total limit."""
    region = loaded.region
    language = region.region.language
    started = time.monotonic() if started is None else started
    total = total_time_limit if total_time_limit is not None else (
        region.solver.total_time_limit.total_seconds() if region.solver.total_time_limit is not None else None)
    cap = station_time_limit if station_time_limit is not None else (
        region.solver.time_limit.total_seconds() if region.solver.time_limit is not None else None)
    ray, mine = _ray(address, workers)
    ray_started = time.monotonic()
    try:
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        teams = region.shared_teams
        raws = {ref.stem: ref.path.read_bytes() for ref in loaded.stations}
        survey_task = ray.remote(num_cpus=1, max_retries=region.solver.retries)(survey_station)
        surveys: list[Survey] = ray.get([survey_task.remote(ref, raws[ref.stem], team_roles(teams))
                                         for ref in loaded.stations])
        surveyed = time.monotonic()
        say(_("read {n} station plans in {s:.1f} s").format(n=len(surveys), s=surveyed - started))
        by_stem = {s.stem: s for s in surveys}
        todo = [ref for ref in loaded.stations if not by_stem[ref.stem].problems]
        # each station's own limit: the region's for every station, else its plan's
        caps = [cap if cap is not None else (by_stem[ref.stem].own_limit or 0.0) for ref in todo]
        allocation_limit = region.solver.allocation_time_limit.total_seconds()
        budget: Budget | None = None
        if total is not None:
            budget = split_limit(total, caps, cpus, allocation_limit=allocation_limit, local_ray=mine,
                                 overheads=[task_seconds(by_stem[ref.stem].activities) for ref in todo],
                                 teams=bool(teams))
            allocation_limit = budget.allocation
            if budget.short:
                say(_("the time limit of {total:.0f} s is short for {n} stations on {workers} workers: each gets "
                      "its quickest plan, and the region takes about {needed:.0f} s").format(
                    total=total, n=len(todo), workers=cpus, needed=budget.needed))
            elif budget.limits:
                say(_("time limit {total:.0f} s: shared teams at most {allocation:.1f} s, each station at most "
                      "{station:.1f} s on {workers} workers").format(total=total, allocation=budget.allocation,
                                                                    station=max(budget.limits), workers=cpus))
        allocation = allocate(teams, surveys, allocation_limit,
                              wall_limit=allocation_limit if budget is not None else None)
        allocated = time.monotonic()
        key_dates = [k.model_dump(mode="json", exclude_none=True, exclude_defaults=True) | {
            "id": k.id, "name": k.name, "date": str(k.date)} for k in region.key_dates]
        members = {m.id: t.id for t in teams for m in t.members}
        solve_task = ray.remote(num_cpus=1, max_retries=region.solver.retries,
                                retry_exceptions=False)(solve_station)
        final_out = out.resolve()
        results: list[StationResult] = []
        failed: list[StationResult] = [
            StationResult(s.stem, s.name, s.district, ok=False, error=s.problems) for s in surveys if s.problems]
        limits = budget.limits if budget is not None else caps
        queue = deque(zip(todo, limits))
        # the stations' tasks must be done by then, leaving the outputs their time
        stations_end = started + budget.total - budget.outputs if budget is not None else None
        # each done task's seconds beyond its limit, and as estimated: the estimates scaled by them
        overheads: list[float] = []
        estimated: list[float] = []
        running: dict[Any, tuple[StationRef, Survey, float, float]] = {}  # task -> station, its start, its limit

        def hand_out() -> None:
            """The next station to a free worker: its limit, or less when behind the schedule."""
            ref, share = queue.popleft()
            s = by_stem[ref.stem]
            limit, cut = share, False
            if stations_end is not None:
                now = time.monotonic()
                scale = sum(overheads) / sum(estimated) if overheads and sum(estimated) > 0 else 1.0

                def overhead(station: Survey) -> float:
                    return scale * task_seconds(station.activities)

                free = [now] * (cpus - len(running)) + [max(now, t + lim + overhead(r_s)) for _r, r_s, t, lim in
                                                        running.values()]
                at, _short = level([share] + [lim for _r, lim in queue], free, stations_end,
                                   [overhead(s)] + [overhead(by_stem[r.stem]) for r, _lim in queue])
                limit = min(share, at)
                cut = limit < share - 0.005
            given = {t.id: (t, allocation[t.id].get(ref.stem, [])) for t in teams}
            shared = {tid: [d.isoformat() for d in sorted(days)] for tid, (_t, days) in given.items() if days}
            text = station_text(raws[ref.stem], ref.path.name, given, key_dates)
            task = solve_task.remote(ref, text, str(final_out / ref.stem / "station.yaml"),
                                     time_limit=limit if stations_end is not None or cap is not None else None,
                                     pdf=pdf, shared=shared, members=members, district=s.district, hook=hook)
            running[task] = (ref, s, time.monotonic(), limit)
            cuts[ref.stem] = cut

        cuts: dict[str, bool] = {}
        keep = list(KEPT) + [f"{ref.stem}/{k}" for ref in loaded.stations for k in KEPT]
        with output_dir(out, keep=keep) as staging:
            while queue or running:
                while queue and len(running) < cpus:
                    hand_out()
                done, _rest = ray.wait(list(running), num_returns=1)
                ref, s, handed, limit = running.pop(done[0])
                try:
                    result, files = ray.get(done[0])
                except Exception as e:  # the worker died more often than retried, or the task failed
                    # Ray's error's first line is its own header ("ray::solve_station() (pid=…)"): say the cause
                    cause = getattr(e, "cause", None) or e
                    why = (f"{type(cause).__name__}: {cause}".strip().splitlines() or [type(cause).__name__])[0]
                    result, files = StationResult(ref.stem, s.name, s.district, ok=False, error=[
                        _("{station}: the task failed: {why}").format(station=ref.stem, why=why)]), {}
                result.cut = cuts[ref.stem]
                if result.time_limit is not None:  # as the schedule sees it: handed out to done, Ray's time too
                    overheads.append(max(0.0, time.monotonic() - handed - result.time_limit))
                    estimated.append(task_seconds(s.activities))
                for rel, data in files.items():
                    _write(staging / ref.stem / rel, data)
                (results if result.ok else failed).append(result)
                if result.ok:
                    say(_("{station}: {n} activities in {s:.1f} s").format(
                        station=result.name or ref.stem, n=result.activities, s=result.seconds))
                else:
                    say(_("{station}: failed").format(station=result.name or ref.stem))
            cross = cross_station_problems(results + [f for f in failed if f.busy], allocation, teams)
            solved = time.monotonic()
            _write_teams(staging, teams, allocation, results, language)
            done_at = time.monotonic()
            report = _report(loaded, surveys, results, failed, allocation, cross, {
                "ray": round(ray_started - started, 2), "survey": round(surveyed - started, 2),
                "allocation": round(allocated - surveyed, 2),
                "stations": round(solved - allocated, 2), "outputs": round(done_at - solved, 2),
                "total": round(done_at - started, 2), "workers": cpus,
                "limit": total, "allocation_limit": round(allocation_limit, 2),
                "station_limit": round(max(limits), 2) if limits and (budget is not None or cap is not None) else None,
                "task_overhead": round(sum(overheads) / len(overheads), 2) if overheads else None,
                "short": bool(budget and budget.short), "needed": budget.needed if budget is not None else None})
            atomic.write_text(staging / "region.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n")
            atomic.write_text(staging / "region.html", render_region(report, language))
        return RegionRun(report, failed, cross)
    finally:
        if mine:
            ray.shutdown()


def _report(loaded: LoadedRegion, surveys: list[Survey], results: list[StationResult], failed: list[StationResult],
            allocation: dict[str, dict[str, list[date]]], cross: list[str], timing: dict[str, Any]) -> dict[str, Any]:
    region = loaded.region

    def share(r: StationResult) -> float:
        return r.met / r.required if r.required else 1.0

    ranked = sorted(results, key=lambda r: (-share(r), -r.reach, r.stem))
    districts: dict[str, dict[str, Any]] = {}
    for r in results:
        d = districts.setdefault(r.district or "-", {"district": r.district or "-", "stations": 0, "activities": 0,
                                                     "reach": 0, "met": 0, "required": 0})
        d["stations"] += 1
        d["activities"] += r.activities
        d["reach"] += r.reach
        d["met"] += r.met
        d["required"] += r.required
    district_rows = sorted(districts.values(), key=lambda d: (-(d["met"] / d["required"] if d["required"] else 1),
                                                              -d["reach"], d["district"]))
    totals: dict[str, int] = defaultdict(int)
    for r in results:
        for k, n in r.by_format.items():
            totals[k] += n
    targets: list[dict[str, Any]] = []
    if region.targets is not None:
        for fmt, want in sorted((region.targets.activities or {}).items()):
            targets.append({"target": fmt, "planned": totals.get(fmt, 0), "required": want,
                            "met": totals.get(fmt, 0) >= want})
        if region.targets.reach is not None:
            reach = sum(r.reach for r in results)
            targets.append({"target": "reach", "planned": reach, "required": region.targets.reach,
                            "met": reach >= region.targets.reach})
    need = {s.stem: s.need_days for s in surveys}
    return {
        "version": 1,
        "region": region.region.name,
        "file": loaded.file,
        "stations": [dict(asdict(r), rank=n + 1, share=round(share(r), 3), need_days=need.get(r.stem, 0))
                     for n, r in enumerate(ranked)],
        "failed": [asdict(r) for r in failed],
        "districts": [dict(d, rank=n + 1) for n, d in enumerate(district_rows)],
        "teams": [{"id": t.id, "name": t.name, "home_area": t.home_area, "members": [m.id for m in t.members],
                   "days": {stem: [d.isoformat() for d in sorted(days)]
                            for stem, days in sorted(allocation.get(t.id, {}).items())}}
                  for t in region.shared_teams],
        "cross_station": cross,
        "targets": targets,
        "activities": dict(sorted(totals.items())),
        "seconds": timing,
    }


def _write_teams(staging: Path, teams: list[SharedTeam], allocation: dict[str, dict[str, list[date]]],
                 results: list[StationResult], language: str) -> None:
    """OUT/teams/<team>.ics: the days the team is given to each station (all-day) and every
    activity of its members, as each station's own calendars have them (same UIDs)."""
    from icalendar import Calendar, Event

    names = {r.stem: r.name or r.stem for r in results}
    words = messages.for_language(language)
    for team in teams:
        cal = Calendar()
        cal.add("prodid", "-//fanzha-planner//region//")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", team.name)
        seen: set[str] = set()
        for stem, days in sorted(allocation.get(team.id, {}).items()):
            for d in sorted(days):
                event = Event()
                event.add("uid", f"{team.id}-{d.isoformat()}@region")
                event.add("dtstamp", _stamp(d))
                event.add("dtstart", d)
                event.add("dtend", d + timedelta(days=1))
                event.add("summary", words._("{team} at {station}").format(team=team.name,
                                                                          station=names.get(stem, stem)))
                cal.add_component(event)
            for member in team.members:
                path = staging / stem / "calendars" / "staff" / f"{member.id}.ics"
                if not path.is_file():
                    continue
                for component in Calendar.from_ical(path.read_bytes()).walk("VEVENT"):
                    uid = str(component.get("uid"))
                    if uid not in seen:
                        seen.add(uid)
                        cal.add_component(component)
        _write(staging / "teams" / f"{team.id}.ics", cal.to_ical())


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(path, data)


def _stamp(d: date):
    from datetime import datetime, timezone

    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)


def render_region(report: dict[str, Any], language: str) -> str:
    from planner.export.templating import environment

    env = environment(language, "region", "report", "plan")
    return env.get_template("region.html.j2").render(r=report, lang=language)


__all__ = ["plan_region", "allocate", "station_text", "solve_station", "survey_station", "cross_station_problems",
           "render_region", "RegionRun", "StationResult", "Survey"]
