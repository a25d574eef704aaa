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

ROLE_NAMES = {
    "police": ("民警", "police"), "auxiliary": ("辅警", "auxiliary police"),
    "grid_worker": ("网格员", "grid workers"), "volunteer": ("志愿者", "volunteers"),
}
DAY_CLASS_NAMES = {
    "workdays": ("工作日（含调休上班）", "workdays (make-up workdays included)"),
    "restdays": ("休息日（周末及法定假日）", "rest days (weekends and official days off)"),
    "weekends": ("周六周日", "Saturdays and Sundays"),
    "holidays": ("法定节假日", "official days off"),
    "all": ("每天", "every day"),
}
