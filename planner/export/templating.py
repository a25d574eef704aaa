"""The Jinja2 templates shipped inside the package (planner/templates/plan and /report), and the
one place their Environment is made."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2

from planner.messages import translations

__all__ = ["environment", "folder", "oneline"]


def folder(name: str) -> Path:
    """planner/templates/<name> on disk: WeasyPrint resolves the templates' relative URLs there."""
    return Path(str(files("planner") / "templates" / name))


def oneline(text: Any) -> str:
    """Names as one line: a newline in a plan's name must not break a table cell or a label."""
    return re.sub(r"\s*[\r\n]+\s*", " ", str(text)).strip() if text is not None else ""


@cache
def environment(language: str, *names: str) -> jinja2.Environment:
    """Templates from planner/templates/<name> for each name (the first holding a name wins),
    speaking `language` through `_()`, `pgettext()` and `{% trans %}` (planner.messages)."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("planner", f"templates/{n}") for n in names]),
        autoescape=True,  # every template, whatever its name: plan names are text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # old-style gettext: a translated word is text that autoescape escapes, as any other
    env.install_gettext_translations(translations(language), newstyle=False)  # type: ignore[attr-defined]
    env.filters["oneline"] = oneline
    return env
