"""Problems found in a user's file, each pointing at FILE:LINE:COL."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from planner.messages import _

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    line: int  # 1-based
    col: int  # 1-based
    where: str  # dotted YAML path, e.g. staff[2].unavailable[0]
    what: str
    file: str = field(default="", compare=False)

    def format(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {one_line(self.where)}: {one_line(self.what)}"


class PlanError(Exception):
    """A user's plan (or other input file) has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(p.format() for p in self.problems))


def one_line(text: str) -> str:
    """Control characters from a user's file shown as escapes: one problem, one line."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or _("(top level)")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the closest of `choices`, else "": shared by the loader, the
    checks and the model's validators."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return _(" (did you mean '{word}'?)").format(word=close[0]) if close else ""


def file_where() -> str:
    """The `where` of a problem of the whole file (missing, unreadable, empty)."""
    return _("(file)")


def syntax_where() -> str:
    """The `where` of a syntax error: no key can be named."""
    return _("(syntax)")
