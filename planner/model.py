"""The station plan: pydantic models for every key of the YAML format.

These models are the single source of truth for the format: the loader validates with them
and `planner schema` prints their JSON Schema. Defaults come from the catalogue's
defaults.yaml, never from literals here.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from planner import vocab
from planner.aliases import name_schema, names
from planner.catalogue import MAX_MATERIAL_FIXED, MaterialUse, Needs, catalogue, defaults
from planner.errors import did_you_mean
from planner.messages import N_, _
from planner.types import Clock, Duration, Email, Id, KeyId, Span, Word
from planner.vocab import Language

# The ids a plan takes, which it may also write by their Chinese names (planner.aliases, applied
# before validation): the JSON Schema lists both, so an editor accepts and completes either.
_WORD_SCHEMA = TypeAdapter(Word).json_schema()
Role = Annotated[vocab.Role, WithJsonSchema(name_schema("role", list(vocab.ROLES)))]
Skill = Annotated[vocab.Skill, WithJsonSchema(name_schema("skill", list(vocab.SKILLS)))]
VenueKind = Annotated[vocab.VenueKind, WithJsonSchema(name_schema("kind", list(vocab.VENUE_KINDS)))]
DayClass = Annotated[vocab.DayClass, WithJsonSchema(name_schema("day_class", list(vocab.DAY_CLASSES)))]
Risk = Annotated[vocab.Risk, WithJsonSchema(name_schema("risk", list(vocab.RISKS)))]
Per = Annotated[vocab.Per, WithJsonSchema(name_schema("per", ["week", "month", "campaign"]))]


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(_("{value} is not a known time zone; China is Asia/Shanghai").format(
            value=repr(value))) from None
    return value


TimeZone = Annotated[str, AfterValidator(_known_zone)]  # an IANA zone name (a station's, a region's)
AudienceName = Annotated[Word, WithJsonSchema(name_schema("audience", base=_WORD_SCHEMA))]
FraudTypeName = Annotated[Word, WithJsonSchema(name_schema("fraud_type", base=_WORD_SCHEMA))]
FormatName = Annotated[Word, WithJsonSchema(name_schema("format", base=_WORD_SCHEMA))]
KeyDateName = Annotated[KeyId, WithJsonSchema(name_schema("key_date", base=TypeAdapter(KeyId).json_schema()))]
# a 十个一 checklist item: an activity format id or a material id (planner.checks knows both)
ChecklistItem = Annotated[Word, Field(description="活动形式 id 或物料 id / a format id or a material id")]


def _name_keys(schema: dict[str, Any], vocab_name: str) -> None:
    """Keys that are ids (a format's needs by role, precision by risk) also by their names."""
    properties = schema.get("properties", {})
    for name, id_ in names(vocab_name).items():
        if id_ in properties:
            properties.setdefault(name, properties[id_])

D = defaults()
_T = D["tactics"]

# Limits of what a plan may say, so that whatever `planner check` accepts `planner plan` can use.
# Weights become whole-number coefficients of the CP-SAT objective (× planner.tactics.SCALE,
# then × counts such as installs short or people reached): with weights up to MAX_WEIGHT and
# counts up to MAX_COUNT every coefficient and the objective stay far inside the solver's int64
# (and exact as its double-valued objective); infinity, 1e15 or a count of 10^26 do not.
# Free text is printed on calendars, the plan and the spreadsheet: names of NAME_LENGTH
# characters, addresses and regions of TEXT_LENGTH, talking points of POINT_LENGTH.
MAX_WEIGHT = 10_000
MAX_COUNT = 10_000_000
NAME_LENGTH = 100
TEXT_LENGTH = 200
POINT_LENGTH = 500
MAX_POINTS = 20


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _off_when_false(value: Any) -> Any:
    """`tactic: false` (or null) switches a tactic off."""
    return None if value is False else value


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _one_or_many_schema(item: Any) -> WithJsonSchema:
    one = TypeAdapter(item).json_schema()
    return WithJsonSchema({"anyOf": [one, {"type": "array", "items": one, "minItems": 1}]})


Places = Annotated[list[VenueKind], BeforeValidator(_one_or_many), _one_or_many_schema(VenueKind)]
Times = Annotated[list[Clock], BeforeValidator(_one_or_many), _one_or_many_schema(Clock)]


# --- station and campaign --------------------------------------------------------------------------


class Station(_Model):
    name: str = Field(min_length=1, max_length=NAME_LENGTH, description="派出所全称，如 …派出所 / "
                                                                        "the station's full name, e.g. …派出所")
    id: Id | None = Field(None, description="可选的简短标识，如 guangwumen：日历事件的 UID 以 @<id> 结尾，"
                          "两个派出所的日历不会冲突；不填则用名称和地区的短哈希。请在首次发布前设好，"
                          "之后再改会替换全部日历事件 / "
                          "optional short id, e.g. guangwumen: calendar event UIDs end in "
                          "@<id>, so two stations' calendars never collide; without it a short hash of the "
                          "name and region is used. Set it before the first publication: changing it "
                          "later replaces every calendar event")
    region: str | None = Field(None, max_length=TEXT_LENGTH, description="所在地区，自由填写 / free text")
    timezone: TimeZone = Field(D["station"]["timezone"], description="IANA 时区，如 Asia/Shanghai / IANA time zone")


class NationalMonth(_Model):
    start: date
    days: int = Field(D["campaign"]["national_month_days"], ge=1, le=92)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)


class Campaign(_Model):
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    start: date
    end: date = Field(description="结束日期（含当天） / inclusive")
    language: Language = Field(D["campaign"]["language"],
                               description="日历和打印版计划的语言 / language of calendars and printable plans")
    holidays: Literal["CN", "none"] = Field(
        D["campaign"]["holidays"],
        description="CN：按法定节假日和调休上班日；none：只按周末 / "
                    "CN: official days off and 调休 make-up workdays; none: weekends only")
    extra_workdays: list[Span] = Field(default_factory=list,
                                       description="不论官方日历如何，都算工作日的日期 / "
                                                   "dates that are workdays whatever the official calendar says")
    extra_holidays: list[Span] = Field(default_factory=list,
                                       description="不论官方日历如何，都算休息日的日期 / "
                                                   "dates that are days off whatever the official calendar says")
    national_month: NationalMonth | None = Field(None, description="本年度全国集中宣传月 / "
                                                                   "this year's national publicity month")
    school_terms: list[Span] | None = Field(
        None, description="学期，如 \"2026-09-01..2027-01-16\"；默认按常规学期 / "
                          "school terms, e.g. \"2026-09-01..2027-01-16\"; default: typical terms")

    @field_validator("end")
    @classmethod
    def _ordered(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is None:
            return end
        if end < start:
            raise ValueError(_("the campaign ends ({end}) before it starts ({start})").format(end=end, start=start))
        if (end - start).days > 366 * 2:
            raise ValueError(_("a campaign is at most two years long; split it into several plans"))
        return end

    def days(self) -> list[date]:
        return [self.start + timedelta(n) for n in range((self.end - self.start).days + 1)]


# --- staff and venues -------------------------------------------------------------------------------


class Duty(_Model):
    """值班轮转：从 `start` 起循环；'on' 为值班日，不安排活动。 /
    A rota: the cycle repeats from `start`; 'on' days are duty days, not available."""

    cycle: list[Literal["on", "off"]] = Field(min_length=1, max_length=60)
    start: date
    rest_after: str = Field(D["staff"]["duty"]["rest_after"],
                            description="24 小时值班（'on'）的次日，此时刻前不安排活动，如 \"12:00\" / "
                                        "after a 24-hour ('on') duty day, no activity starts before this "
                                        "time the next day, e.g. \"12:00\"")

    @field_validator("rest_after")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
            raise ValueError(_("rest_after {value} is not a time of day like 12:00").format(value=repr(value)))
        return value

    def rest_minutes(self) -> int:
        """rest_after in minutes after midnight."""
        hours, minutes = self.rest_after.split(":")
        return int(hours) * 60 + int(minutes)

    def on(self, day: date) -> bool:
        """A duty ('on') day of the rota."""
        return self.cycle[(day - self.start).days % len(self.cycle)] == "on"


class Staff(_Model):
    id: Id
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    role: Role
    skills: list[Skill] = Field(default_factory=list)
    team: str | None = Field(None, min_length=1, max_length=NAME_LENGTH,
                             description="所属小组，如 宣讲一组、文艺小分队 / "
                                         "the team this person works in, e.g. 宣讲一组, 文艺小分队")
    max_activities_per_week: int = Field(D["staff"]["max_activities_per_week"], ge=0, le=50)
    unavailable: list[Span] = Field(default_factory=list, description="不能参加活动的日期：休假、培训、办案 / "
                                                                      "leave, courses, cases")
    duty: Duty | None = None
    claims: list[Id] = Field(default_factory=list, description="全警反诈：该民警认领的场所 / "
                                                               "全警反诈: venues this officer claimed")
    area: str | None = Field(None, max_length=NAME_LENGTH, description="此人所在的片区 / "
                                                                       "the zone this person works from")
    phone: str | None = Field(None, max_length=40)
    email: Email | None = Field(None, max_length=254, description="用于发送日历邀请（ATTENDEE） / "
                                                                  "for calendar invitations (ATTENDEE)")

    def is_available(self, day: date) -> bool:
        """Not on leave and not on a duty ('on') day of the rota."""
        if any(day in span for span in self.unavailable):
            return False
        if self.duty is not None:
            cycle = self.duty.cycle
            return cycle[(day - self.duty.start).days % len(cycle)] != "on"
        return True


class Geo(_Model):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Venue(_Model):
    id: Id
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    kind: VenueKind
    audiences: list[AudienceName] | None = Field(None, description="宣传对象；默认取该类场所的常见对象 / "
                                                                   "default: the kind's usual audiences")
    size: int | None = Field(None, ge=0, le=MAX_COUNT, description="服务人数 / people it serves")
    risk: Risk = Field(D["venue"]["risk"], description="风险等级，依据预警数据 / from warning data")
    area: str | None = Field(None, max_length=NAME_LENGTH, description="所在片区；跨片区要算路程时间 / "
                                                                       "zone; moving between zones costs travel time")
    address: str | None = Field(None, max_length=TEXT_LENGTH)
    geo: Geo | None = None
    closed: list[Span] = Field(default_factory=list, description="不开放的日期，如学校放假 / e.g. a school's vacation")
    market_days: list[Annotated[int, Field(ge=1, le=30)]] | None = Field(
        None, description="仅限集市：农历每月的赶集日 / markets only: days of the lunar month (赶集)")
    checklist: list[ChecklistItem] | None = Field(
        None, description="本场所的十个一清单：活动期内各有一次的活动形式或物料（替换 tactics.checklist 中"
                          "该类型的清单；[] 表示不要求） / this venue's checklist: formats or materials it gets "
                          "once in the campaign (replaces tactics.checklist for its kind; [] asks nothing)")
    coverage: bool = Field(D["venue"]["coverage"],
                           description="活动期内至少开展一次活动（tactics.coverage）；false 则不要求 / "
                                       "visited at least once in the campaign (tactics.coverage); false: not asked")

    def audience_ids(self) -> list[str]:
        """The venue's audiences, or its kind's usual ones when it lists none."""
        if self.audiences:
            return list(self.audiences)
        return list(catalogue().venue_kinds[self.kind].default_audiences)

    def people(self) -> int:
        """People it serves, or the kind's typical size when not given."""
        return self.size if self.size is not None else catalogue().venue_kinds[self.kind].default_size

    def is_closed(self, day: date) -> bool:
        return any(day in span for span in self.closed)


# --- targets: ids they name, checked while a plan is validated -----------------------------------------


@dataclass(frozen=True)
class _Scope:
    """What the plan being validated defines, for validators of keys that name it."""

    formats: frozenset[str]
    start: date | None
    end: date | None


_SCOPE: ContextVar[_Scope | None] = ContextVar("plan_scope", default=None)


def _scope_of(data: Any) -> _Scope:
    """The formats and campaign span of raw plan data, as far as they are readable."""
    formats = set(catalogue().formats)
    if isinstance(data, dict) and isinstance(data.get("activities"), dict):
        formats |= {k for k in data["activities"] if isinstance(k, str)}
    campaign = data.get("campaign") if isinstance(data, dict) else None
    span: list[date | None] = []
    for key in ("start", "end"):
        value = campaign.get(key) if isinstance(campaign, dict) else None
        try:  # a datetime is no campaign day (and does not compare with dates): the campaign says so
            span.append(value if type(value) is date else date.fromisoformat(value) if isinstance(value, str)
                        else None)
        except ValueError:
            span.append(None)
    start, end = span
    if start and end and end < start:
        start = end = None
    return _Scope(frozenset(formats), start, end)


def _known_format(value: str) -> str:
    scope = _SCOPE.get()
    known = scope.formats if scope else frozenset(catalogue().formats)
    if value not in known:
        raise ValueError(_("unknown activity format '{value}'{hint}; the formats are {known}").format(
            value=value, hint=did_you_mean(value, known), known=_(", ").join(sorted(known))))
    return value


def _known_material(value: str) -> str:
    known = catalogue().materials
    if value not in known:
        raise ValueError(_("unknown material '{value}'{hint}; the materials are {known}").format(
            value=value, hint=did_you_mean(value, known), known=_(", ").join(known)))
    return value


_MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_WEEK = r"^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$"


def month_span(key: str) -> tuple[date, date]:
    """'2026-07' → its first and last day."""
    year, month = int(key[:4]), int(key[5:7])
    first = date(year, month, 1)
    return first, (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))


def week_span(key: str) -> tuple[date, date]:
    """'2026-W27' (ISO week) → its Monday and Sunday."""
    monday = date.fromisocalendar(int(key[:4]), int(key[6:8]), 1)
    return monday, monday + timedelta(days=6)


def _in_campaign(key: str, span: tuple[date, date], message: str) -> str:
    """`message`: "month {key} ({first}..{last}) is outside the campaign ({start}..{end})" or the week's."""
    scope = _SCOPE.get()
    if scope and scope.start and scope.end and (span[1] < scope.start or span[0] > scope.end):
        raise ValueError(_(message).format(key=key, first=span[0], last=span[1], start=scope.start, end=scope.end))
    return key


def _check_month(value: str) -> str:
    if not re.fullmatch(_MONTH, value) or not 1 <= int(value[:4]) <= 9998:
        raise ValueError(_("{value} is not a month like 2026-07").format(value=repr(value)))
    return _in_campaign(value, month_span(value),
                        N_("month {key} ({first}..{last}) is outside the campaign ({start}..{end})"))


def _check_week(value: str) -> str:
    if not re.fullmatch(_WEEK, value) or not 1 <= int(value[:4]) <= 9998:
        raise ValueError(_("{value} is not an ISO week like 2026-W27").format(value=repr(value)))
    try:
        span = week_span(value)
    except ValueError:
        raise ValueError(_("{year} has no ISO week {week}: it has 52").format(year=value[:4], week=value[5:])) \
            from None
    return _in_campaign(value, span, N_("week {key} ({first}..{last}) is outside the campaign ({start}..{end})"))


FormatKey = Annotated[Word, AfterValidator(_known_format), WithJsonSchema(name_schema("format", base=_WORD_SCHEMA))]
MaterialKey = Annotated[Word, AfterValidator(_known_material),
                        WithJsonSchema(name_schema("material", base=_WORD_SCHEMA))]
MonthKey = Annotated[str, AfterValidator(_check_month), WithJsonSchema({"type": "string", "pattern": _MONTH})]
WeekKey = Annotated[str, AfterValidator(_check_week), WithJsonSchema({"type": "string", "pattern": _WEEK})]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


def _amount_kind(value: Any) -> str:
    return "Mapping" if isinstance(value, dict) else "Number"


# A bare number (what it means is the material's `per`), or {per_person, per_household,
# per_activity}; the shape decides which, so a mistake gets one message, not one per shape.
MaterialAmount = Annotated[Union[Annotated[Annotated[float, Field(ge=0, le=MAX_MATERIAL_FIXED)], Tag("Number")],
                                 Annotated[MaterialUse, Tag("Mapping")]], Discriminator(_amount_kind)]


# --- formats ------------------------------------------------------------------------------------------


TeamName = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH)]


class NeedsOverride(_Model):
    model_config = ConfigDict(json_schema_extra=lambda schema, _: _name_keys(schema, "role"))

    police: int | None = Field(None, ge=0, le=50)
    auxiliary: int | None = Field(None, ge=0, le=50)
    grid_worker: int | None = Field(None, ge=0, le=50)
    volunteer: int | None = Field(None, ge=0, le=50)
    people: int | None = Field(None, ge=1, le=100)
    skills: list[Skill] | None = None
    team: TeamName | Annotated[list[TeamName], Field(min_length=1, max_length=100)] | None = Field(
        None,
        description="一个队名：整队同去；队名列表或带 * 的类别（如 \"*宣讲团\"）：由其中一个队出人，"
                    "同一场活动不混编 / one team's name: the whole team goes as a unit; a list of names, or "
                    "a kind with * (e.g. \"*宣讲团\"): the people come from one of these teams, never mixed")
    team_area: Literal["stay", "prefer"] | None = Field(
        None, description="由队出人时：stay 只在本队片区（队员最多的片区）活动；prefer 到片区外每场按 "
                          "weights.team_area 计价（默认） / with teams: stay, a team works only in its home "
                          "area (its members' area); prefer (default), each activity outside it costs "
                          "weights.team_area")


class FormatWindow(_Model):
    """活动形式的可开展时间：在这类日子、这些时段之一内。 /
    When a format can be held: on these days, inside one of these time ranges."""

    days: DayClass
    time: Times = Field(min_length=1)
    kinds: list[VenueKind] | None = Field(None, description="仅限这些场所类型 / only at these venue kinds")


class ActivityFormat(_Model):
    """覆盖内置活动形式的设置，或新增一种形式（新增时写明 duration、needs、kinds 和 windows）。 /
    Overrides of a built-in format, or a new format (then duration, needs, kinds and windows)."""

    name: str | None = Field(None, min_length=1, max_length=NAME_LENGTH)
    duration: Duration | None = None
    needs: NeedsOverride | None = None
    kinds: list[VenueKind] | None = None
    online: bool | None = Field(None, description="新增的线上形式，不需要场所 / "
                                                  "a new format held online, with no venue")
    windows: list[FormatWindow] | None = Field(
        None, description="替换目录中该形式的可开展时段 / replace the catalogue's time windows for this format")
    per_week: int | None = Field(None, ge=0, le=100,
                                 description="每周至少开展的场次，如文艺汇演每周 2 场（未达到按 weights.quotas "
                                             "计价） / at least this many a week, e.g. two performances a week "
                                             "(each short costs weights.quotas)")
    per_month: int | None = Field(None, ge=0, le=400,
                                  description="每月至少开展的场次（未达到按 weights.quotas 计价） / at least "
                                              "this many a month (each short costs weights.quotas)")
    materials: dict[MaterialKey, MaterialAmount] | None = Field(
        None, description="一场活动所需的物料，按物料 id：填数字时，leaflet、booklet、gift 按覆盖人数计，"
        "letter 按户计，poster 及其余物料按固定数量计；写成 {per_person, per_household, per_activity} "
        "可指定计法；填 0 表示不用该物料。未列出的物料沿用目录中的用量 / "
        "what one activity needs, by material id: a number is per person reached for "
        "leaflet, booklet and gift, per household for letter, a fixed count for poster and the rest; "
        "{per_person, per_household, per_activity} says which; 0 drops a material. Materials not named "
        "keep the catalogue's amounts")


# --- tactics -------------------------------------------------------------------------------------------


class EveryVenue(_Model):
    at_least: int = Field(_T["five_into"]["every_venue"]["at_least"], ge=0, le=100)
    per: Per = _T["five_into"]["every_venue"]["per"]


class FiveInto(_Model):
    """五进：这些类型的每个场所都按一定频次开展宣传。 / 五进: every venue of these kinds is reached at a rhythm."""

    kinds: list[VenueKind] = Field(default_factory=lambda: list(_T["five_into"]["kinds"]), min_length=1)
    every_venue: EveryVenue = Field(default_factory=EveryVenue)
    min_gap_days: int = Field(_T["five_into"]["min_gap_days"], ge=0, le=365)


class PlaceWindow(_Model):
    """三时三地：只在此时段到这些地点摆摊宣传。 / 三时三地: stalls at these places only in this window."""

    place: Places = Field(min_length=1)
    days: DayClass
    time: Times = Field(min_length=1)
    per_week: int | None = Field(None, ge=0, le=100,
                                 description="本行各地点每周合计的摆摊次数 / "
                                             "stalls wanted each week across this line's places")
    activity: FormatName = Field("stall", description="这些时段所用的活动形式 / the format these windows are for")


class Precision(_Model):
    model_config = ConfigDict(json_schema_extra=lambda schema, _: _name_keys(schema, "risk"))

    high: float = Field(_T["six_plus"]["precision"]["high"], ge=0, le=20)
    medium: float = Field(_T["six_plus"]["precision"]["medium"], ge=0, le=20)
    low: float = Field(_T["six_plus"]["precision"]["low"], ge=0, le=20)


class Lectures(_Model):
    min_share: float = Field(_T["six_plus"]["lectures"]["min_share"], ge=0, le=1)


class AppPromotion(_Model):
    target_installs: int = Field(_T["six_plus"]["app_promotion"]["target_installs"], ge=0, le=MAX_COUNT)


class Online(_Model):
    posts_per_week: int = Field(_T["six_plus"]["online"]["posts_per_week"], ge=0, le=100)


class SixPlus(_Model):
    """“6+”措施（哈尔滨）。 / The "6+" measures (Harbin)."""

    grid_and_police: bool = _T["six_plus"]["grid_and_police"]
    precision: Annotated[Precision | None, BeforeValidator(_off_when_false)] = Field(default_factory=Precision)
    lectures: Annotated[Lectures | None, BeforeValidator(_off_when_false)] = Field(default_factory=Lectures)
    app_promotion: Annotated[AppPromotion | None, BeforeValidator(_off_when_false)] = Field(
        default_factory=AppPromotion)
    online: Annotated[Online | None, BeforeValidator(_off_when_false)] = Field(default_factory=Online)
    key_dates: bool = _T["six_plus"]["key_dates"]


class CustomKeyDate(_Model):
    id: KeyId
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    date: Span = Field(description="某一天，或一段日期（即其宣传窗口） / a day, or a span that is its own window")
    audiences: Literal["all"] | list[AudienceName] = "all"
    themes: Literal["any"] | list[FraudTypeName] = "any"
    activity: FormatName | None = Field(None, description="开展的活动形式，如 door_to_door / "
                                                          "the format to hold, e.g. door_to_door")
    lead_days: int | None = Field(None, ge=1, le=90)
    min_activities: int | None = Field(None, ge=0, le=1000,
                                       description="本节点窗口内的主题活动场次；默认取 key_dates.min_activities / "
                                                   "themed activities in its window; default: "
                                                   "key_dates.min_activities")


class KeyDateOverride(_Model):
    """目录中某个关键节点的单独设置。 / Settings of one catalogue key date."""

    min_activities: int | None = Field(None, ge=0, le=1000,
                                       description="本节点窗口内的主题活动场次，如集中宣传月 20 场 / themed "
                                                   "activities in its window, e.g. 20 in the national month")


class KeyDates(_Model):
    use: Literal["all"] | list[KeyDateName] = Field("all", description="目录中的关键节点 id，或 all（全部） / "
                                                                       "catalogue key-date ids, or all")
    lead_days: int = Field(_T["key_dates"]["lead_days"], ge=1, le=90,
                           description="默认宣传窗口：节点当天及之前的天数 / "
                                       "default window: the days up to and including the date")
    min_activities: int = Field(_T["key_dates"]["min_activities"], ge=0, le=100,
                                description="每个关键节点窗口内的主题活动场次（overrides 和 custom 可逐个另设） / "
                                            "themed activities in each key date's window (overrides and custom "
                                            "set it per key date)")
    overrides: dict[KeyDateName, KeyDateOverride] = Field(
        default_factory=dict, description="按目录节点 id 单独设置，如 {national_month: {min_activities: 20}} / "
                                          "per catalogue key date, e.g. {national_month: {min_activities: 20}}")
    custom: list[CustomKeyDate] = Field(default_factory=list)

    def required(self, key_id: str, custom: bool) -> int:
        """The themed activities one key date asks: its own setting, else the section's."""
        if custom:
            own = next((c.min_activities for c in self.custom if c.id == key_id), None)
        else:
            override = self.overrides.get(key_id)
            own = override.min_activities if override is not None else None
        return self.min_activities if own is None else own

    def any_required(self) -> bool:
        """Whether any key date asks for a themed activity."""
        return bool(self.min_activities or any(c.min_activities for c in self.custom)
                    or any(o.min_activities for o in self.overrides.values()))


class AllPolice(_Model):
    """全警反诈：每名民警按此频次参与宣传。 / 全警反诈: every police officer takes part at this rhythm."""

    at_least: int = Field(_T["all_police"]["at_least"], ge=0, le=100)
    per: Per = _T["all_police"]["per"]
    after_work: str = Field(_T["all_police"]["after_work"], pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                            description="认领场所的走访安排在下班后、周末和节假日：工作日此时刻前开始的走访"
                                        "按 weights.work_hours 计价 / claimed visits after work, at weekends "
                                        "and on holidays: a workday visit starting before this costs "
                                        "weights.work_hours")

    def after_work_minutes(self) -> int:
        hours, minutes = self.after_work.split(":")
        return int(hours) * 60 + int(minutes)


class Spread(_Model):
    """不把活动挤在周期末：每天的活动数不超过日均的若干倍。 / No crammed days: a day's activities stay within a
    multiple of the daily mean."""

    busiest_day: float = Field(_T["spread"]["busiest_day"], ge=1, le=20,
                               description="关键节点窗口以外，每天的线下活动不超过活动期日均的此倍数 / outside "
                                           "key-date windows, a day's offline activities stay within this "
                                           "multiple of the campaign's daily mean")
    min_day: int = Field(_T["spread"]["min_day"], ge=0, le=100,
                         description="在日均倍数之外每天还可多开展的活动数 / activities a day may hold "
                                     "beyond the multiple of the mean")


class Coverage(_Model):
    """计划中的每个场所活动期内至少去一次（五进场所按五进频次）。 / Every venue of the plan visited in the
    campaign (五进 venues at the 五进 rhythm)."""

    at_least: int = Field(_T["coverage"]["at_least"], ge=0, le=100,
                          description="五进以外的每个场所活动期内至少开展的活动数 / activities at each venue "
                                      "outside 五进 in the campaign, at least")


class Surge(_Model):
    """集中宣传月（全国集中宣传月、省市县宣传月）：窗口内五进场所的宣传频次乘以 factor。 /
    A publicity month (the national month, a provincial 宣传月): the 五进 rhythm times factor in its window."""

    key_date: KeyDateName | None = Field(None, description="以该关键节点的窗口为集中期，如 national_month / "
                                                           "the surge is this key date's window, e.g. "
                                                           "national_month")
    span: Span | None = Field(None, description="或者一段日期，如 \"2026-09-01..2026-09-30\" / "
                                                "or a span of dates, e.g. \"2026-09-01..2026-09-30\"")
    name: str | None = Field(None, min_length=1, max_length=NAME_LENGTH,
                             description="名称，如 甘肃省反诈宣传月 / its name, e.g. 甘肃省反诈宣传月")
    factor: float = Field(_T["surges"]["factor"], ge=1, le=10,
                          description="窗口内每个场所的走访数为五进频次的此倍数 / each venue gets this multiple "
                                      "of its 五进 rhythm inside the window")
    kinds: list[VenueKind] | None = Field(None, description="这些类型的场所；默认五进的类型 / "
                                                            "venues of these kinds; default: the 五进 kinds")

    @model_validator(mode="after")
    def _one_window(self) -> "Surge":
        if (self.key_date is None) == (self.span is None):
            raise ValueError(_("a surge names either key_date or span, not both and not neither"))
        return self


def _tactic(model: type, zh: str, doc: str) -> Any:
    return Field(None, description=f"{zh}；填 false 或不写即关闭 / {doc}; false or absent switches it off")


def _on_tactic(model: type, zh: str, doc: str) -> Any:
    return Field(default_factory=model, description=f"{zh}；不写即按默认开启，填 false 关闭 / {doc}; on with "
                                                     "the defaults when absent, false switches it off")


class Tactics(_Model):
    five_into: Annotated[FiveInto | None, BeforeValidator(_off_when_false)] = _tactic(FiveInto, "五进", "五进")
    three_times_three_places: Annotated[list[PlaceWindow] | None, BeforeValidator(_off_when_false)] = _tactic(
        PlaceWindow, "三时三地时段", "三时三地 windows")
    six_plus: Annotated[SixPlus | None, BeforeValidator(_off_when_false)] = _tactic(
        SixPlus, "“6+”措施", '"6+" measures')
    key_dates: Annotated[KeyDates | None, BeforeValidator(_off_when_false)] = _tactic(
        KeyDates, "关键节点", "关键节点")
    all_police: Annotated[AllPolice | None, BeforeValidator(_off_when_false)] = _tactic(
        AllPolice, "全警反诈", "全警反诈")
    # on unless a plan says false: a plan a 所长 accepts spreads its goals and visits every venue
    spread: Annotated[Spread | None, BeforeValidator(_off_when_false)] = _on_tactic(
        Spread, "不挤在周期末：每天的活动不超过日均的倍数", "no crammed days")
    coverage: Annotated[Coverage | None, BeforeValidator(_off_when_false)] = _on_tactic(
        Coverage, "每个场所活动期内至少去一次", "every venue visited in the campaign")
    surges: Annotated[list[Surge] | None, BeforeValidator(_off_when_false)] = _tactic(
        Surge, "集中宣传月：窗口内五进频次加倍", "publicity months: the 五进 rhythm multiplied in their windows")
    checklist: Annotated[dict[VenueKind, list[ChecklistItem]] | None, BeforeValidator(_off_when_false)] = Field(
        None, description="十个一清单：按场所类型列出活动期内每个场所都要有一次的活动形式或物料，"
                          "如社区：讲座、入户走访、致居民的一封信；场所的 checklist 可单独设置；"
                          "填 false 或不写即关闭 / 十个一 checklist: per venue kind, the formats or materials "
                          "every venue gets once in the campaign, e.g. {community: [lecture, door_to_door, "
                          "letter]}; a venue's own checklist replaces it; false or absent switches it off")


# --- weights, solver, travel -------------------------------------------------------------------------

_W = D["weights"]


class Weights(_Model):
    coverage: float = Field(_W["coverage"], ge=0, le=MAX_WEIGHT)
    key_dates: float = Field(_W["key_dates"], ge=0, le=MAX_WEIGHT)
    precision: float = Field(_W["precision"], ge=0, le=MAX_WEIGHT)
    reach: float = Field(_W["reach"], ge=0, le=MAX_WEIGHT)
    fairness: float = Field(_W["fairness"], ge=0, le=MAX_WEIGHT)
    claims: float = Field(_W["claims"], ge=0, le=MAX_WEIGHT)
    travel: float = Field(_W["travel"], ge=0, le=MAX_WEIGHT)
    targets: float = Field(_W["targets"], ge=0, le=MAX_WEIGHT,
                           description="考核指标：每差一场活动（其他指标按 catalogue 的 goal_units 折算） / "
                                       "targets: per activity short (other keys per the catalogue's goal_units)")
    spread: float = Field(_W["spread"], ge=0, le=MAX_WEIGHT,
                          description="某天超出日均倍数的每场活动 / per activity above a day's allowance")
    team_area: float = Field(_W["team_area"], ge=0, le=MAX_WEIGHT,
                             description="由队出人的活动在本队片区以外，每场 / "
                                         "per activity of a team held outside the team's home area")
    tour: float = Field(_W["tour"], ge=0, le=MAX_WEIGHT,
                        description="整队出动的活动（如文艺汇演）重复到同一场所，每次 / "
                                    "per repeat of a whole team's activity (a troupe's show) at one venue")
    surge: float = Field(_W["surge"], ge=0, le=MAX_WEIGHT,
                         description="集中宣传月：每个场所每少一次走访 / publicity months: per visit short at a venue")
    quotas: float = Field(_W["quotas"], ge=0, le=MAX_WEIGHT,
                          description="活动形式的每周/每月场次：每少一场 / per-format weekly or monthly "
                                      "quotas: per activity short")
    checklist: float = Field(_W["checklist"], ge=0, le=MAX_WEIGHT,
                             description="十个一清单：每个场所每缺一项 / checklist: per item a venue lacks")
    work_hours: float = Field(_W["work_hours"], ge=0, le=MAX_WEIGHT,
                              description="全警反诈：工作日上班时间的认领走访，每场 / "
                                          "全警反诈: per claimed visit in workday working hours")
    # what changing a published plan costs in `planner replan`, per activity (restaffed: per person)
    moved: float = Field(_W["moved"], ge=0, le=MAX_WEIGHT,
                         description="重排计划时：活动改到另一天或另一时间 / "
                                     "replan: an activity moved to another day or time")
    restaffed: float = Field(_W["restaffed"], ge=0, le=MAX_WEIGHT, description="重排计划时：人员被调离活动 / "
                                                                               "replan: a person taken off an activity")
    cancelled: float = Field(_W["cancelled"], ge=0, le=MAX_WEIGHT, description="重排计划时：活动被取消 / "
                                                                               "replan: an activity cancelled")
    fill: float = Field(_W["fill"], ge=0, le=MAX_WEIGHT,
                        description="solver.fill: goals 时每场线下活动的代价 / "
                                    "solver.fill: goals: the price of each offline activity")


class Solver(_Model):
    time_limit: Duration = Field(D["solver"]["time_limit"], validate_default=True)
    workers: int = Field(D["solver"]["workers"], ge=0, le=256, description="0 = 使用全部 CPU 核心 / 0 = all cores")
    seed: int = Field(D["solver"]["seed"], ge=0, le=2**31 - 1)
    gap: float = Field(D["solver"]["gap"], ge=0, le=1,
                       description="证明方案与最优的差距不超过此值（0.01 = 1%）即停止求解 / "
                                   "stop searching once the plan is proven this close to the best possible "
                                   "(0.01 = 1%)")
    deterministic: bool = Field(D["solver"]["deterministic"],
                                description="计划和 seed 相同，输出就相同：求解按 CP-SAT 的确定性时间而非"
                                "实际时钟计算（false：按实际时钟求解，限时内可能找到更好的计划，但每次结果不同） / "
                                "same plan and seed, same outputs: the search is budgeted in "
                                "CP-SAT's deterministic time instead of the clock (false: race the clock, "
                                "which can find a better plan in the time but a different one each run)")
    fill: Literal["goals", "reach"] = Field(
        D["solver"]["fill"],
        description="goals：以最少的活动达成各项目标，余下的时间不排活动；reach：余下的时间用于覆盖更多的人"
                    "（每周上限排满） / goals: meet the goals with the fewest activities and leave spare time "
                    "spare; reach: spend spare staff time on reach (every weekly limit filled)")


class AreaTravel(_Model):
    between: Annotated[list[Annotated[str, Field(max_length=NAME_LENGTH)]], Field(min_length=2, max_length=2)]
    time: Duration


class Travel(_Model):
    between_areas: Duration = Field(D["travel"]["between_areas"], validate_default=True,
                                    description="两个片区之间的默认路程时间 / "
                                                "default travel time between two areas")
    pairs: list[AreaTravel] = Field(default_factory=list, description="指定片区之间的路程时间 / "
                                                                      "travel times for particular pairs")
    speed_kmh: float = Field(D["travel"]["speed_kmh"], ge=0, le=200,
                             description="两个片区的场所都给了 geo 坐标时，按两片区中心的直线距离和此速度"
                                         "计算路程时间（未在 pairs 中指定的片区对）；0 表示不用坐标 / "
                                         "where both areas have venues with geo coordinates, travel between "
                                         "them (unless in pairs) is the straight-line distance between the "
                                         "areas' centres at this speed; 0: coordinates are not used")


class AudienceDef(_Model):
    id: Word
    name: str = Field(min_length=1, max_length=NAME_LENGTH)


class FraudTypeDef(_Model):
    id: Word
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    audiences: list[AudienceName] = Field(min_length=1)
    talking_points: list[Annotated[str, Field(max_length=POINT_LENGTH)]] = Field(default_factory=list,
                                                                                max_length=MAX_POINTS)


# --- targets ---------------------------------------------------------------------------------------------

_FF = catalogue().targets.fraud_free


class FraudFree(_Model):
    """无诈社区、无诈校园、无诈单位：这些类型的场所达到“无诈”标准的条件。 /
    无诈社区/无诈校园/无诈单位: what a venue of these kinds needs to count as fraud-free."""

    kinds: list[VenueKind] = Field(default_factory=lambda: list(_FF.kinds), min_length=1)
    install_rate: float = Field(_FF.install_rate, ge=0, le=1,
                                description="服务人群中安装国家反诈中心 App 的比例 / "
                                            "share of the people it serves with the 国家反诈中心 App")
    households_share: float = Field(_FF.households_share, ge=0, le=1,
                                    description="入户走访的住户比例 / "
                                                "share of its households visited door to door")


class PeriodTargets(_Model):
    """某一时段的考核指标。未写的项取默认值（planner.targets）。 /
    What a station is judged on in a period. A key left out takes its default (planner.targets)."""

    activities: dict[FormatKey, Count] | None = Field(None, description="各活动形式的场次，按形式 id / "
                                                                        "activities per format id")
    reach: Count | None = Field(None, description="覆盖人数 / people reached")
    materials: dict[MaterialKey, Count] | None = Field(
        None, description="发放或张贴的物料数量，按物料 id（leaflet、booklet、poster、letter、gift…） / "
                          "materials handed out or posted, per material id (leaflet, booklet, poster, letter, gift…)")
    households: Count | None = Field(None, description="入户走访户数 / households visited door to door")
    app_installs: Count | None = Field(None, description="国家反诈中心 App 安装数 / 国家反诈中心 App installs")


class Targets(PeriodTargets):
    """考核指标：按整个活动期，也可按活动期内的月和 ISO 周。 /
    考核指标: per campaign, and optionally per month and per ISO week of the campaign."""

    fraud_free: FraudFree | None = Field(None, description="每个场所达到无诈社区/校园/单位的标准 / "
                                                           "无诈社区/校园/单位 thresholds per venue")
    months: dict[MonthKey, PeriodTargets] = Field(default_factory=dict,
                                                  description='按活动期内的月，如 "2026-07" / '
                                                              'per month of the campaign, e.g. "2026-07"')
    weeks: dict[WeekKey, PeriodTargets] = Field(default_factory=dict,
                                                description='按活动期内的 ISO 周，如 "2026-W27" / '
                                                            'per ISO week of the campaign, e.g. "2026-W27"')


# --- the plan --------------------------------------------------------------------------------------------


class Plan(_Model):
    """派出所宣传计划（YAML 1.2）。 / A station plan (YAML 1.2)."""

    model_config = ConfigDict(extra="forbid", title="Station plan",
                              json_schema_extra={"$id": "https://fanzha-planner/station-plan.schema.json"})

    version: Literal[1] = 1
    station: Station
    campaign: Campaign
    staff: list[Staff] = Field(min_length=1)
    venues: list[Venue] = Field(min_length=1)
    activities: dict[FormatName, ActivityFormat] = Field(default_factory=dict,
                                                   description="活动形式：覆盖内置形式或新增形式 / "
                                                               "formats: override built-in keys or add formats")
    tactics: Tactics = Field(default_factory=Tactics)
    weights: Weights = Field(default_factory=Weights)
    solver: Solver = Field(default_factory=Solver)
    travel: Travel = Field(default_factory=Travel)
    audiences: list[AudienceDef] = Field(default_factory=list, description="目录以外的宣传对象 / "
                                                                           "audiences beyond the catalogue")
    fraud_types: list[FraudTypeDef] = Field(default_factory=list, description="目录以外的诈骗类型 / "
                                                                              "fraud types beyond the catalogue")
    targets: Targets | None = Field(None, description="考核指标；未写的项取按本计划规模折算的默认值"
                                    "（planner.targets.effective_targets） / "
                                    "what the station is judged on; absent keys take "
                                    "defaults scaled to the plan (planner.targets.effective_targets)")

    @model_validator(mode="wrap")
    @classmethod
    def _scope(cls, data: Any, handler: Any) -> Any:
        """Targets name the plan's formats and periods of its campaign: their validators see
        both while the plan is validated."""
        token = _SCOPE.set(_scope_of(data))
        try:
            return handler(data)
        finally:
            _SCOPE.reset(token)


__all__ = ["Plan", "Staff", "Venue", "Campaign", "Station", "Tactics", "Needs", "Targets", "PeriodTargets",
           "FraudFree", "month_span", "week_span"]
