"""How a plan is searched: one model for a station, whole months one by one for bigger plans,
and for plans too big for the LP in time, greedy plans polished by windows of days."""

from __future__ import annotations

from dataclasses import dataclass

from planner.calendar import CampaignCalendar
from planner.candidates import generate_candidates
from planner.loader import LoadedPlan
from planner.tactics import MAX_TRAVEL_MINUTES, travel_minutes


@dataclass
class Strategy:
    chunks: list[range]  # day ranges solved one after the other
    area_bound: bool  # staff with an area work in their area (and at venues they claimed)
    exact: bool = True  # False: too big for the LP in time; greedy plans polished by windows
    per_day: float = 0.0  # estimated master variables per day

    def lp_fits(self, days: int, share: float) -> bool:
        """Whether a part's LP is likely to finish in its share of the time (measured with
        GLOP on a 2-core machine: 5,200 master variables a second at the bench station,
        6,200 on a Harbin month, 16,000 on a bench district month)."""
        size = self.per_day * days
        return self.exact and (size <= SMALL_MASTER or share >= size / LP_VARIABLES_PER_SECOND)


FAIRNESS_LP_FACTOR = 2.5  # how much slower the master's LP is with fairness (measured 1.3 to 3.3)
ONE_MODEL = 26_000  # estimated master variables up to which the whole campaign is one model
LP_VARIABLES_PER_SECOND = 5_000
SMALL_MASTER = 8000  # variables: CP-SAT then works on the master after the LP, for a better bound
LAST_PART_WEIGHT = 2.0  # of the last part's days, in sharing the time limit among the parts
MONTH_MODEL = 70_000  # ... up to which a month is solved with its LP; beyond, greedy and windows


def choose_strategy(loaded: LoadedPlan, calendar: CampaignCalendar) -> Strategy:
    """One model when it is small enough to close the gap; otherwise whole months one by one."""
    plan = loaded.plan
    n = len(calendar.days)
    areas = {v.area for v in plan.venues if v.area}
    area_bound = len(areas) >= 4 and len(plan.staff) >= 30
    sample = generate_candidates(loaded, calendar, days=range(min(7, n)))
    per_day = len(sample.candidates) / min(7, n)
    reach = {}
    for s in plan.staff:
        if s.area is None:
            reach[s.id] = max(1, len(areas))
        elif area_bound:
            reach[s.id] = 1
        else:
            reach[s.id] = sum(1 for a in areas | {s.area} if travel_minutes(plan, s.area, a) <= MAX_TRAVEL_MINUTES)
    per_day += 4 * sum(reach.values())  # a[person, day, part, area]: about four parts a day
    if per_day * n <= ONE_MODEL:
        return Strategy([range(n)], area_bound, per_day=per_day)
    return Strategy(month_chunks(calendar), area_bound, exact=per_day * 30 <= MONTH_MODEL, per_day=per_day)


def month_chunks(calendar: CampaignCalendar) -> list[range]:
    out: list[range] = []
    start = 0
    for i in range(1, len(calendar.days) + 1):
        if i == len(calendar.days) or calendar.days[i].date.month != calendar.days[start].date.month:
            out.append(range(start, i))
            start = i
    return out



__all__ = ["Strategy", "choose_strategy", "month_chunks", "ONE_MODEL", "MONTH_MODEL", "SMALL_MASTER",
           "LP_VARIABLES_PER_SECOND", "FAIRNESS_LP_FACTOR", "LAST_PART_WEIGHT"]
