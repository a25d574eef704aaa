"""Controlled vocabularies shared by the plan format and the catalogue."""

from typing import Literal, get_args

Role = Literal["police", "auxiliary", "grid_worker", "volunteer"]
Skill = Literal["lecture", "performance", "online", "door_to_door", "stall"]
VenueKind = Literal["community", "village", "household", "school", "enterprise",
                    "business_district", "market", "square", "bank", "station"]
Risk = Literal["low", "medium", "high"]
Per = Literal["week", "month", "campaign"]
DayClass = Literal["workdays", "restdays", "weekends", "holidays", "all"]
Language = Literal["zh", "en"]

ROLES: tuple[str, ...] = get_args(Role)
SKILLS: tuple[str, ...] = get_args(Skill)
VENUE_KINDS: tuple[str, ...] = get_args(VenueKind)
RISKS: tuple[str, ...] = get_args(Risk)
DAY_CLASSES: tuple[str, ...] = get_args(DayClass)
FIVE_INTO_KINDS = ("community", "village", "household", "school", "enterprise")

# One person's role, as shown beside a name: 王力（民警）, Zhao Min (volunteer).
ROLE_NAMES = {
    "police": ("民警", "police officer"), "auxiliary": ("辅警", "auxiliary officer"),
    "grid_worker": ("网格员", "grid worker"), "volunteer": ("志愿者", "volunteer"),
}
TACTIC_NAMES = {
    "five_into": ("五进", "five-into"),
    "three_times_three_places": ("三时三地", "three times and three places"),  # no comma: an ICS category
    "six_plus": ("6+", "6+ measures"),
    "key_dates": ("关键节点", "key dates"),
    "all_police": ("全警反诈", "every officer"),
    "themes": ("主题轮换", "theme rotation"),
    "staffing": ("人员安排", "staffing"),
    "fairness": ("工作量均衡", "fair load"),
    # the "6+" measures and weights that plan.json's score and unmet lists may name
    "precision": ("基础+精准", "precision (high-risk venues)"),
    "lectures": ("宣传+宣讲", "lecture share"),
    "app_promotion": ("推广国家反诈中心App", "App promotion"),
    "online": ("线上+线下", "online posts"),
    "grid_and_police": ("网格+警网", "grid workers with police"),
    "reach": ("覆盖人数", "reach"),
    "claims": ("包联场所", "claimed venues"),
    "travel": ("路程", "travel"),
    "coverage": ("覆盖", "coverage"),
}
DAY_CLASS_NAMES = {
    "workdays": ("工作日（含调休上班）", "workdays (make-up workdays included)"),
    "restdays": ("休息日（周末及法定假日）", "rest days (weekends and official days off)"),
    "weekends": ("周六周日", "Saturdays and Sundays"),
    "holidays": ("法定节假日", "official days off"),
    "all": ("每天", "every day"),
}
