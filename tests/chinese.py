"""English sentences in what a Chinese user reads: `english_sentences(text)`.

A zh plan's terminal output may hold ASCII where a user would type or read it as is: ids
(zhang-wei, five_into, 2026-W23), file names and paths (plan.json, /srv/out/calendars/),
commands and options (`planner plan --fresh`, --lang, pip install '…'), quoted values, acronyms
and metavars (UID, SEQUENCE, PLAN), numbers with units (3 s, 92%) and single words (App,
WeasyPrint). What it may not hold is two or more English words in a row: that is a sentence
(or a heading) left untranslated.
"""

from __future__ import annotations

import re

#: what may stay ASCII, replaced by a CJK character so that it ends any run of words around it
_ALLOWED = [
    r"`[^`\n]*`",  # a command in backticks
    r"'[^'\n]*'",  # a quoted value: 'polic', 'fanzha-planner[pdf]'
    r"\(command line\)",  # the FILE of a command-line problem (FILE:LINE:COL)
    r"\bpip install\b",
    r"\bplanner(?: [a-z]+)?\b",  # the command and its subcommand
    r"(?<![\w-])--?[A-Za-z][\w-]*",  # options
    r"[^\s，。：；、（）]*[/\\][^\s，。：；、（）]*",  # paths (no CJK punctuation: it ends them)
    r"\b[\w-]+\.(?:json|ics|yaml|yml|html|pdf|xlsx|csv|png|sqlite|po|txt)\b",  # file names
    r"\b[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)+\b",  # ids: zhang-wei, five_into, solver.time_limit
    r"\b\w*\d\w*\b",  # anything with a digit: 2026-W23, A4
    r"\b[A-Z]{2,}\b",  # acronyms and metavars
]
_ALLOWED_RE = re.compile("|".join(f"(?:{p})" for p in _ALLOWED))
#: two or more words of two or more letters, apart only by spaces and ASCII punctuation on one line
_RUN = re.compile(r"[A-Za-z]{2,}(?:[ \t,.;:!?&+'\"()\[\]-]*[ \t][ \t,.;:!?&+'\"()\[\]-]*[A-Za-z]{2,})+")


def english_sentences(text: str) -> list[str]:
    """The runs of two or more English words in `text` that are none of the allowed ASCII."""
    cleaned = _ALLOWED_RE.sub("〇", text)
    return [m.group(0) for m in _RUN.finditer(cleaned)]


__all__ = ["english_sentences"]
