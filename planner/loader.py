"""Plan file → validated model, with every problem pointing at FILE:LINE:COL."""

from __future__ import annotations

import os
import stat
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from planner import messages
from planner.aliases import canonical_ids
from planner.catalogue import defaults
from planner.errors import PlanError, Problem, did_you_mean, file_where
from planner.messages import _
from planner.model import Plan
from planner.yamlio import Document, load_yaml, told_encoding


@dataclass
class LoadedPlan:
    """A valid plan and the document it came from (for pointing back at YAML lines)."""

    plan: Plan
    document: Document

    @property
    def file(self) -> str:
        return self.document.file

    def where(self, *path: str | int) -> str:
        """FILE:LINE for a path in the plan, e.g. where('staff', 3, 'unavailable')."""
        line, _ = self.document.positions.locate(path)
        return f"{self.file}:{line}"


def load_plan(path: Path | str, *, encoding: str | None = None) -> LoadedPlan:
    """Read and validate a station plan, or raise PlanError listing every problem, in the
    plan's language (see `problem_language`). `encoding` names the file's text encoding (else
    `--encoding`'s, else detected: UTF-8, then GB18030)."""
    from planner.checks import check_calendar_coverage, check_references

    _readable(path)
    encoding = encoding or told_encoding()
    document = load_yaml(path, what=_("station plan"), strict=False, encoding=encoding)
    language, worded_in = problem_language(document.data), messages.current()
    with messages.using(language):
        if document.problems and language != worded_in:
            # duplicate keys and bad tags were worded before the plan's language was known
            document = load_yaml(path, what=_("station plan"), strict=False, encoding=encoding)
        # Chinese names (民警, 社区, 工作日 …) become ids first: the model, the checks and plan.json see ids
        document.problems += canonical_ids(document)
        problems: list[Problem] = []
        plan: Plan | None = None
        try:
            plan = Plan.model_validate(document.data)
        except ValidationError as e:
            problems += pydantic_problems(document, e, Plan)
        problems += check_references(document)
        problems += check_calendar_coverage(document)
        if document.problems:
            # a value the YAML layer already refused gets no second, vaguer line
            refused = {p.where for p in document.problems}
            problems = document.problems + [p for p in problems if p.where not in refused]
        if problems:
            raise PlanError(problems)
    assert plan is not None
    return LoadedPlan(plan, document)


def problem_language(data: Any) -> str:
    """The language a plan's problems are told in: `--lang` if given, else the plan's
    campaign.language as far as the raw data reads (its default when absent), else the
    current language (which `--lang` or the system's locale set)."""
    campaign = data.get("campaign") if isinstance(data, dict) else None
    if isinstance(campaign, dict):
        language = campaign.get("language", defaults()["campaign"]["language"])
        if language in messages.LANGUAGES:
            return messages.chosen(language)
    return messages.current()


def _readable(path: Path | str) -> None:
    """A device (/dev/zero, a terminal) would be read for ever: FILE:1:1 instead. Folders,
    missing files, unreadable or binary ones are load_yaml's to report."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise PlanError([Problem(1, 1, file_where(), _("is a device, not a YAML file"), str(path))])


# --- turning pydantic errors into FILE:LINE:COL lines --------------------------------------------------


def _data_path(data: Any, loc: tuple) -> tuple[tuple, bool]:
    """The part of a pydantic loc that exists in the data; union-branch tags are dropped."""
    path: list = []
    node = data
    skipped = False
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(part, int) and not isinstance(node, list) and node is not None:
            skipped = True  # a single value the model wraps in a list
        elif isinstance(part, str) and ("[" in part or part[:1].isupper()):
            skipped = True  # a union branch such as "literal['all']" or "FiveInto"
        else:
            path.append(part)  # a missing or extra key: keep it, positions fall back to the parent
            node = None
    return tuple(path), skipped


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes inside an annotation such as list[Staff] | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out = []
    for arg in typing.get_args(annotation):
        out += _unwrap(arg)
    return out


def _known_keys(root: type[BaseModel], path: tuple) -> list[str]:
    models = [root]
    for part in path:
        if isinstance(part, int):
            continue
        nxt = []
        for model in models:
            field = model.model_fields.get(part)
            if field is not None:
                nxt += _unwrap(field.annotation)
            elif part not in model.model_fields:
                # a dict key such as a format id in `activities`
                for f in model.model_fields.values():
                    origin = typing.get_origin(f.annotation)
                    if origin is dict:
                        nxt += _unwrap(f.annotation)
        models = nxt or models
    keys: list[str] = []
    for model in models:
        keys += [k for k in model.model_fields if k not in keys]
    return keys


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value: Any) -> str:
    """A bound or a number as a person writes it: 10,000 rather than 10000.0, 1e+15 rather
    than 1000000000000000.0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _show(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e12:
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) < 10**15 else f"{value:.3g}"
    return f"{value:g}"


def _choices(expected: str) -> list[str]:
    """pydantic's "'a', 'b' or 'c'" as ['a', 'b', 'c']."""
    return [c.strip(" '") for c in expected.replace(" or ", ", ").split(",") if c.strip(" '")]


def _one_of(expected: str) -> str:
    """The choices as the language lists them: pydantic's "'a', 'b' or 'c'" in English."""
    if messages.current() == "en":
        return expected
    return _(", ").join(f"'{c}'" for c in _choices(expected))


def _message(err: ErrorDetails, path: tuple, root: type[BaseModel]) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    got = _show(value)
    if kind == "missing":
        return _("required key '{key}' is missing").format(key=path[-1])
    if kind == "extra_forbidden":
        known = _known_keys(root, path[:-1])
        return _("unknown key '{key}'{hint}").format(key=path[-1], hint=did_you_mean(path[-1], known))
    if kind == "value_error":  # our validators' own words, raised in the current language
        return str(ctx.get("error", err["msg"]))
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        return _("{value} is not one of {expected}{hint}").format(
            value=got, expected=_one_of(expected), hint=did_you_mean(value, _choices(expected)))
    if kind in ("string_type",):
        return _("expected text, got {value}").format(value=got)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("expected a whole number, got {value}").format(value=got)
    if kind in ("float_type", "float_parsing"):
        return _("expected a number, got {value}").format(value=got)
    if kind == "finite_number":
        return _("expected a finite number, got {value}").format(value=got)
    if kind in ("bool_type", "bool_parsing"):
        return _("expected true or false, got {value}").format(value=got)
    if kind.startswith("date_"):
        return _("expected a date like 2026-06-01, got {value}").format(value=got)
    if kind.startswith("datetime_"):
        return _("expected a date and time like 2026-06-03T17:30:00+08:00, got {value}").format(value=got)
    if kind == "list_type":
        return _("expected a list such as [a, b], got {value}").format(value=got)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("expected a mapping of keys, got {value}").format(value=got)
    if kind in ("greater_than_equal", "greater_than"):
        return _("must be at least {bound}, got {value}").format(bound=_number(ctx.get("ge", ctx.get("gt"))),
                                                               value=_number(value))
    if kind in ("less_than_equal", "less_than"):
        return _("must be at most {bound}, got {value}").format(bound=_number(ctx.get("le", ctx.get("lt"))),
                                                              value=_number(value))
    if kind in ("too_short", "string_too_short"):
        n = ctx.get("min_length", 1)
        return _("must not be empty") if n == 1 else _("needs at least {n} items").format(n=n)
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        if isinstance(value, str):
            return _("is {n} characters long; at most {limit} fit on calendars and printed plans").format(
                n=len(value), limit=limit)
        return _("is too long; at most {limit} characters fit on calendars and printed plans").format(limit=limit)
    if kind == "too_long":
        limit = ctx.get("max_length")
        if isinstance(value, (list, tuple, dict)):
            return _("has {n} items; at most {limit}").format(n=len(value), limit=limit)
        return _("is too long; at most {limit}").format(limit=limit)
    if kind == "union_tag_invalid":
        return _("{value} is not one of {expected}{hint}").format(value=got, expected=ctx.get("expected_tags"),
                                                                hint="")
    if messages.current() == "en":
        return err["msg"]
    return _("{value} is not a valid value here").format(value=got)  # pydantic's own words are English


def pydantic_problems(document: Document, error: ValidationError, root: type[BaseModel]) -> list[Problem]:
    grouped: dict[tuple, list[tuple[ErrorDetails, bool]]] = {}
    for err in error.errors(include_url=False):
        path, in_union = _data_path(document.data, err["loc"])
        grouped.setdefault(path, []).append((err, in_union))
    problems = []
    for path, errs in grouped.items():
        union = [e for e, in_union in errs if in_union]
        if len(union) > 1:
            value = union[0].get("input")
            if isinstance(value, (list, dict)):
                errs = [(e, u) for e, u in errs if e["type"] != "literal_error"]
            else:
                expected = [_one_of(e["ctx"]["expected"]) for e in union if e["type"] == "literal_error"]
                shapes = {"list_type": _("a list"), "dict_type": _("a mapping"), "model_type": _("a mapping")}
                others = [shapes.get(e["type"], "") for e in union if e["type"] != "literal_error"]
                what = _(" or ").join(x for x in [*expected, *others] if x)
                problems.append(document.problem(path, _("expected {what}, got {value}").format(
                    what=what, value=_show(value))))
                continue
        for err, _in_union in errs:
            key = err["type"] == "extra_forbidden"
            problems.append(document.problem(path, _message(err, path, root), key=key))
    return problems


__all__ = ["LoadedPlan", "load_plan", "problem_language", "did_you_mean", "pydantic_problems"]
