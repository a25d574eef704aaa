"""Controlled vocabularies shared by the plan format and the catalogue."""

from typing import Literal, get_args

from planner.messages import N_, NP_, Msg

Role = Literal["police", "auxiliary", "grid_worker", "volunteer"]
Skill = Literal["lecture", "performance", "online", "door_to_door", "stall"]
VenueKind = Literal["community", "village", "household", "school", "enterprise",
                    "business_district", "market", "square", "bank", "station",
                    "university", "office", "hospital", "hospitality"]
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

# Who may fill a position of a role: a 民警 may stand in for a 辅警 (an auxiliary works under
# officers and does nothing an officer may not), never the other way round.
FILLED_BY: dict[str, tuple[str, ...]] = {"auxiliary": ("auxiliary", "police")}


def fills(person_role: str, position_role: str) -> bool:
    """A person of `person_role` may take a position of `position_role` ("*": any role)."""
    return position_role == "*" or person_role in FILLED_BY.get(position_role, (position_role,))


def short_roles(needed: dict[str, int], have: list[str]) -> dict[str, int]:
    """Positions by role that people of the roles `have` leave unfilled: exact roles first,
    then officers standing in for auxiliaries."""
    spare = {r: have.count(r) for r in set(have)}
    out: dict[str, int] = {}
    for role in sorted(needed, key=lambda r: len(FILLED_BY.get(r, (r,)))):
        n = needed[role]
        for r in FILLED_BY.get(role, (role,)):
            took = min(n, spare.get(r, 0))
            spare[r] = spare.get(r, 0) - took
            n -= took
        if n > 0:
            out[role] = n
    return out


def paired_roles(roles: dict[str, int]) -> dict[str, int]:
    """网格+警网: a grid worker and an officer (a 民警, or a 辅警 with the grid worker [004]) on
    an activity at a community, village or household; a need that already has one keeps it."""
    out = dict(roles)
    if not out.get("police") and not out.get("auxiliary"):
        out["auxiliary"] = 1
    out["grid_worker"] = max(out.get("grid_worker", 0), 1)
    return out

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
    "fill": N_("just enough (activities planned)"),
}
#: solver.fill as the printable plan and the reports say it (issue 17: "the reports say which was used")
FILL_WORDS: dict[str, Msg] = {
    "goals": N_("just enough: the goals with the fewest activities (solver.fill: goals)"),
    "reach": N_("reach: spare staff time filled to reach more people (solver.fill: reach)"),
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
