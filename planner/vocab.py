"""Controlled vocabularies shared by the plan format and the catalogue."""

from typing import Literal, get_args

from planner.messages import N_, NP_

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

# The words for these ids are msgids of the one catalogue (planner.po has the Chinese):
# `messages.for_language(lang)._(ROLE_WORDS[role])`.
#: one person's role, as shown beside a name: 王力（民警）, Zhao Min (volunteer)
ROLE_WORDS = {"police": N_("police officer"), "auxiliary": N_("auxiliary officer"),
              "grid_worker": N_("grid worker"), "volunteer": N_("volunteer")}
#: the tactics, and the "6+" measures and weights that plan.json's score and unmet lists may name
TACTIC_WORDS = {
    "five_into": N_("five-into"),
    "three_times_three_places": N_("three times and three places"),  # no comma: an ICS category
    "six_plus": N_("6+ measures"),
    "key_dates": N_("key dates"),
    "all_police": N_("every officer"),
    "themes": N_("theme rotation"),
    "staffing": N_("staffing"),
    "fairness": N_("fair load"),
    "precision": N_("precision (high-risk venues)"),
    "lectures": N_("lecture share"),
    "app_promotion": N_("App promotion"),
    "online": N_("online posts"),
    "grid_and_police": N_("grid workers with police"),
    "reach": N_("reach"),
    "claims": N_("claimed venues"),
    "travel": N_("travel"),
    "coverage": N_("coverage"),
    "targets": N_("targets"),

    "spread": N_("spread across days"),
    "work_hours": N_("claimed visits in working hours"),
    "teams": N_("teams as units"),
    "team_area": N_("teams outside their home area"),
    "tour": N_("troupe repeats at one venue"),

    "surges": N_("publicity months"),
    "quotas": N_("format quotas"),
    "checklist": N_("checklist"),
}
SKILL_WORDS = {"lecture": NP_("skill", "lecture"), "performance": NP_("skill", "performance"),
               "online": NP_("skill", "online"), "door_to_door": NP_("skill", "door to door"),
               "stall": NP_("skill", "stall")}
DAY_CLASS_WORDS = {
    "workdays": N_("workdays (make-up workdays included)"),
    "restdays": N_("rest days (weekends and official days off)"),
    "weekends": N_("Saturdays and Sundays"),
    "holidays": N_("official days off"),
    "all": N_("every day"),
}
