"""The built-in catalogue: formats, audiences, fraud types, key dates, windows, defaults.

The data lives in YAML files in planner/catalogue/ (documented in its README.md); this module
validates them once and hands out typed objects.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from planner.messages import _
from planner.types import Clock, Duration, Word, parse_month_day
from planner.vocab import DayClass, Skill, VenueKind


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Named(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def name(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


class FraudType(Named):
    audiences: list[Word]
    talking_points: dict[Literal["zh", "en"], list[str]]


class VenueKindInfo(Named):
    five_into: bool
    default_audiences: list[Word]
    default_size: int = Field(ge=0)


class Needs(_Strict):
    """Who must go to an activity."""

    police: int = Field(0, ge=0, le=50)
    auxiliary: int = Field(0, ge=0, le=50)
    grid_worker: int = Field(0, ge=0, le=50)
    volunteer: int = Field(0, ge=0, le=50)
    people: int | None = Field(None, ge=1, le=100, description="total head count, any role")
    skills: list[Skill] = Field(default_factory=list, description="someone on it has each skill")
    team: str | None = Field(None, min_length=1, description="the whole named team goes as a unit")
    teams: list[str] = Field(default_factory=list,
                             description="one of these teams (names, or patterns such as *宣讲团): the people "
                                         "the need asks for all come from one team")
    team_area: Literal["stay", "prefer"] = Field(
        "prefer", description="with teams: stay, a team works only in its home area (hard); prefer, outside "
                              "it costs weights.team_area per activity")

    def head_count(self) -> int:
        by_role = self.police + self.auxiliary + self.grid_worker + self.volunteer
        return max(by_role, self.people or 0, 1)


class Reach(_Strict):
    rate: float = Field(ge=0, le=1, description="share of the venue's size met")
    cap: int = Field(ge=0, description="most people one activity can meet")
    online: int = Field(0, ge=0, description="views of an online post")


#: Most of a material one activity may need per person or household reached, and in all.
MAX_MATERIAL_RATE = 100
MAX_MATERIAL_FIXED = 10_000


class MaterialUse(_Strict):
    """一场活动所需的某种物料数量：三项相加，合计向上取整（见 planner.materials）。 /
    How much of one material an activity needs: the three parts are added up and the sum
    rounded up to a whole number (see planner.materials)."""

    per_person: float = Field(0, ge=0, le=MAX_MATERIAL_RATE, description="× 覆盖人数 / × the people it reaches")
    per_household: float = Field(0, ge=0, le=MAX_MATERIAL_RATE,
                                 description="× 这些人折合的户数（覆盖人数 ÷ 户均人数） / "
                                             "× the households those people are (reach ÷ household size)")
    per_activity: float = Field(0, ge=0, le=MAX_MATERIAL_FIXED, description="固定数量，与覆盖人数无关 / "
                                                                            "a fixed count, whatever the reach")


class Material(Named):
    """A material (物料): what a bare number in a plan's `materials:` means (`per`), whether it
    is used up (handed out or posted: printed anew, in the print list and the ledger) and the
    Chinese measure word of its counts."""

    unit: str = Field(min_length=1)
    per: Literal["person", "household", "activity"]
    used_up: bool

    def use(self, amount: float) -> MaterialUse:
        """A bare number in the plan, as the rate it means for this material."""
        return MaterialUse(**{f"per_{self.per}": amount})


class Format(Named):
    duration: Duration
    needs: Needs
    kinds: list[VenueKind]
    reach: Reach
    app_install_rate: float = Field(ge=0, le=1)
    materials: dict[Word, MaterialUse] = Field(default_factory=dict, description="material id → how much")

    @property
    def online(self) -> bool:
        return not self.kinds


class Window(Named):
    formats: list[Word]
    kinds: list[VenueKind]
    days: DayClass
    times: list[Clock] = Field(min_length=1)
    in_term: bool = False
    market_days: bool = False
    months: list[Annotated[int, Field(ge=1, le=12)]] | None = None
    busy: bool = False
    source: str


class FixedRule(_Strict):
    rule: Literal["fixed"]
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)


class LunarRule(_Strict):
    rule: Literal["lunar"]
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=30)


class NthWeekdayRule(_Strict):
    rule: Literal["nth_weekday"]
    month: int = Field(ge=1, le=12)
    weekday: int = Field(ge=1, le=7, description="1 = Monday … 7 = Sunday")
    n: int = Field(ge=-1, le=5)

    @field_validator("n")
    @classmethod
    def _not_zero(cls, n: int) -> int:
        if n == 0:
            raise ValueError(_("n counts from 1, or -1 for the last"))
        return n


class SpanRule(_Strict):
    rule: Literal["span"]
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _month_day(cls, value: str) -> str:
        parse_month_day(value)
        return value


class NationalMonthRule(_Strict):
    rule: Literal["national_month"]


class TermStartRule(_Strict):
    rule: Literal["term_start"]


DateRule = Annotated[
    Union[FixedRule, LunarRule, NthWeekdayRule, SpanRule, NationalMonthRule, TermStartRule],
    Field(discriminator="rule"),
]


class WindowAround(_Strict):
    before: int = Field(ge=0, le=90)
    after: int = Field(ge=0, le=90)


class KeyDateInfo(Named):
    rule: DateRule
    window: WindowAround | None = None
    audiences: Literal["all"] | list[Word]
    themes: Literal["any"] | list[Word]
    five_into: bool = False
    activity: Word | None = None


class TargetRule(_Strict):
    """How a default activity target scales to a plan (exactly one of the three)."""

    per_venue_month: float | None = Field(None, ge=0)
    per_police_week: float | None = Field(None, ge=0)
    per_week: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _one(self) -> "TargetRule":
        if sum(v is not None for v in (self.per_venue_month, self.per_police_week, self.per_week)) != 1:
            raise ValueError(_("give exactly one of per_venue_month, per_police_week, per_week"))
        return self


class FraudFreeDefaults(_Strict):
    kinds: list[VenueKind] = Field(min_length=1)
    install_rate: float = Field(ge=0, le=1)
    households_share: float = Field(ge=0, le=1)


class TargetDefaults(_Strict):
    """targets.yaml: default targets, the household size and the print lead time."""

    activities: dict[Word, TargetRule]
    fraud_free: FraudFreeDefaults
    household_size: float = Field(gt=0, le=20)
    print_lead_days: int = Field(ge=0, le=60)
    # the targets tactic: weights.targets is charged per this many units short of a key
    goal_units: dict[Literal["activities", "reach", "households", "app_installs", "materials"],
                     float] = Field(default_factory=dict)


class Catalogue(_Strict):
    audiences: dict[str, Named]
    fraud_types: dict[str, FraudType]
    venue_kinds: dict[str, VenueKindInfo]
    formats: dict[str, Format]
    materials: dict[str, Material]
    windows: dict[str, Window]
    key_dates: dict[str, KeyDateInfo]
    defaults: dict[str, Any]
    targets: TargetDefaults


def _read(name: str) -> Any:
    from planner.yamlio import load_yaml

    with resources.as_file(resources.files("planner") / "catalogue" / f"{name}.yaml") as path:
        return load_yaml(path, what=_("catalogue file")).data


@cache
def catalogue() -> Catalogue:
    formats = _read("formats")
    materials = formats.pop("materials")
    return Catalogue(
        audiences=_read("audiences"),
        fraud_types=_read("fraud_types"),
        venue_kinds=_read("venue_kinds"),
        formats=formats,
        materials=materials,
        windows=_read("windows"),
        key_dates=_read("key_dates"),
        defaults=_read("defaults"),
        targets=_read("targets"),
    )


def defaults() -> dict[str, Any]:
    return catalogue().defaults
