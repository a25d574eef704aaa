"""A region file (region.yaml): many station plans planned together, with shared teams.

The model is the region file's contract (`planner schema --of region` prints its JSON Schema);
`load_region` reads one with every problem at FILE:LINE:COL, in the region's language. Each
station plan stays a station plan of its own (planner.loader reads it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner import messages
from planner.errors import PlanError, Problem
from planner.loader import pydantic_problems
from planner.messages import _
from planner.model import NAME_LENGTH, CustomKeyDate, PeriodTargets, Staff, TimeZone
from planner.types import Duration, Id
from planner.vocab import Language
from planner.yamlio import Document, load_yaml, told_encoding


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RegionHead(_Model):
    name: str = Field(min_length=1, max_length=NAME_LENGTH, description="地区或单位名称，如 吴忠市公安局 / "
                                                                        "the region's name, e.g. 吴忠市公安局")
    timezone: TimeZone = Field("Asia/Shanghai", description="IANA 时区，如 Asia/Shanghai / IANA time zone")
    language: Language = Field("zh", description="地区报告和提示的语言：zh 或 en / "
                                                 "language of the region report and messages: zh or en")


class StationEntry(_Model):
    """一个派出所计划及其所属区县 / one station plan and the district it belongs to."""

    plan: str = Field(min_length=1, description="派出所计划文件，相对于本文件；或一个文件夹 / "
                                                "the station plan file, relative to this file; or a folder")
    district: str | None = Field(None, max_length=NAME_LENGTH,
                                 description="所属区县，用于排名和共享队伍的就近安排；默认取计划的 station.region / "
                                             "its district, for rankings and for sending shared teams near "
                                             "home; default: the plan's station.region")
    team_days: int | None = Field(None, ge=0, le=366,
                                  description="需要共享队伍的天数；默认按人手缺口估算 / "
                                              "days of shared teams it asks for; default: estimated from its "
                                              "staff shortfall")


class SharedTeam(_Model):
    id: Id
    name: str = Field(min_length=1, max_length=NAME_LENGTH, description="队伍名称，如 市反诈宣讲一团 / "
                                                                        "the team's name, e.g. 市反诈宣讲一团")
    home_area: str | None = Field(None, max_length=NAME_LENGTH,
                                  description="队伍所在区县；优先派往本区县的派出所 / "
                                              "the district the team is based in; it goes to its own "
                                              "district's stations first")
    days_per_month: int = Field(8, ge=0, le=31, description="每月最多给每个派出所的天数 / "
                                                            "at most this many days a month for each station")
    serves: list[str] | None = Field(None, description="只服务这些区县；默认全部 / "
                                                       "only these districts; default: all")
    members: list[Staff] = Field(min_length=1, description="队员，写法同计划的 staff；整队同去一个派出所 / "
                                                           "members, written as a plan's staff; the team goes "
                                                           "to one station a day, as a unit")


class RegionSolver(_Model):
    total_time_limit: Duration | None = Field(
        None, description="整个地区命令的时限（读计划、分配共享队伍、各派出所求解和输出），如 10m；"
                          "按工作进程数分给各派出所 / the whole region command's time limit (reading, shared "
                          "teams, every station, the outputs), e.g. 10m; divided among the stations by the "
                          "number of workers")
    time_limit: Duration | None = Field(None, description="每个派出所的求解时限，如 30s；默认取各计划的 solver；"
                                                          "有 total_time_limit 时为上限 / "
                                                          "each station's time limit, e.g. 30s; default: each "
                                                          "plan's solver; an upper bound under total_time_limit")
    allocation_time_limit: Duration = Field("10s", validate_default=True, description="共享队伍分配模型的时限 / "
                                                               "time limit of the shared teams' allocation model")
    retries: int = Field(3, ge=0, le=20, description="工作进程意外退出时重试次数 / "
                                                     "retries of a station whose worker died")


class Region(_Model):
    """地区计划（region.yaml）：多个派出所计划和共享队伍一起排期。 /
    A region file (region.yaml): station plans planned together with shared teams."""

    model_config = ConfigDict(extra="forbid", title="Region plan",
                              json_schema_extra={"$id": "https://fanzha-planner/region.schema.json"})

    version: Literal[1] = 1
    region: RegionHead
    stations: list[str | StationEntry] = Field(
        min_length=1, description="派出所计划文件或文件夹，相对于本文件 / station plan files or folders, "
                                  "relative to this file")
    shared_teams: list[SharedTeam] = Field(default_factory=list,
                                           description="市、县宣讲团和文艺队等共享队伍 / city or county lecture "
                                                       "teams and troupes shared by the stations")
    key_dates: list[CustomKeyDate] = Field(default_factory=list,
                                           description="全地区的关键节点和集中宣传，加入每个派出所计划 / "
                                                       "region-wide key dates and surges, added to every "
                                                       "station plan")
    targets: PeriodTargets | None = Field(None, description="地区的考核指标，与各派出所合计相比 / "
                                                            "the region's targets, against the stations' sum")
    solver: RegionSolver = Field(default_factory=RegionSolver)


@dataclass(frozen=True)
class StationRef:
    """A station plan of the region: its file, its output folder's name, its district."""

    path: Path
    stem: str
    district: str | None
    team_days: int | None
    where: str  # FILE:LINE of its entry in the region file


@dataclass
class LoadedRegion:
    region: Region
    document: Document
    stations: list[StationRef]

    @property
    def file(self) -> str:
        return self.document.file


def load_region(path: Path | str, *, encoding: str | None = None) -> LoadedRegion:
    """Read and validate a region file, or raise PlanError listing every problem (the station
    plans themselves are read later, each on its own)."""
    path = Path(path)
    document = load_yaml(path, what=_("region file"), strict=False, encoding=encoding or told_encoding())
    data = document.data
    head = data.get("region") if isinstance(data, dict) else None
    language = head.get("language", "zh") if isinstance(head, dict) else "zh"
    with messages.using(messages.chosen(language if language in messages.LANGUAGES else None)):
        if document.problems:  # worded before the language was known
            document = load_yaml(path, what=_("region file"), strict=False, encoding=encoding or told_encoding())
        problems = list(document.problems)
        region: Region | None = None
        try:
            region = Region.model_validate(document.data)
        except ValidationError as e:
            problems += pydantic_problems(document, e, Region)
        stations, more = _stations(document, path.parent)  # every file named, even when a key is wrong
        problems += more
        if region is not None:
            problems += _team_problems(region, document)
        if problems:
            raise PlanError(problems)
    assert region is not None
    return LoadedRegion(region, document, stations)


def _stations(document: Document, base: Path) -> tuple[list[StationRef], list[Problem]]:
    found: list[StationRef] = []
    problems: list[Problem] = []
    stems: dict[str, str] = {}
    entries = document.data.get("stations") if isinstance(document.data, dict) else None
    for n, entry in enumerate(entries if isinstance(entries, list) else []):
        try:
            spec = StationEntry(plan=entry) if isinstance(entry, str) else StationEntry.model_validate(entry)
        except ValidationError:
            continue  # the model's problem, reported with the others
        at: tuple[str | int, ...] = ("stations", n) if isinstance(entry, str) else ("stations", n, "plan")
        line, _col = document.positions.locate(at)
        where = f"{document.file}:{line}"
        target = base / spec.plan
        if target.is_dir():
            files = sorted(p for p in target.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not files:
                problems.append(document.problem(at, _("{path} holds no .yaml station plan").format(path=target)))
        elif target.is_file():
            files = [target]
        else:
            problems.append(document.problem(at, _("{path}: no such file or folder").format(path=target)))
            continue
        for file in files:
            stem = file.stem
            if stem in stems:
                problems.append(document.problem(at, _(
                    "{path}: another station plan is also named {stem} ({other}); each station's outputs go to "
                    "OUT/<file name>/, so the names must differ").format(path=file, stem=stem, other=stems[stem])))
                continue
            stems[stem] = str(file)
            found.append(StationRef(file, stem, spec.district, spec.team_days, where))
    return found, problems


def _team_problems(region: Region, document: Document) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, tuple[str | int, ...]] = {}
    for t, team in enumerate(region.shared_teams):
        if team.id in seen:
            problems.append(document.problem(("shared_teams", t, "id"), _("team id {id} is used twice").format(
                id=team.id)))
        seen[team.id] = ("shared_teams", t)
        for m, member in enumerate(team.members):
            at = ("shared_teams", t, "members", m)
            if member.id in seen:
                problems.append(document.problem((*at, "id"), _(
                    "{id} is already a member of another shared team; a person is in one team").format(id=member.id)))
            seen[member.id] = at
            if member.claims:
                problems.append(document.problem((*at, "claims"), _(
                    "a shared team's member claims no venue: venues belong to the stations")))
    return problems


def region_json_schema() -> dict[str, Any]:
    return Region.model_json_schema(mode="validation")


__all__ = ["Region", "SharedTeam", "StationEntry", "StationRef", "LoadedRegion", "load_region", "region_json_schema"]
