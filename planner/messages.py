"""Every user-facing word of the outputs, in one gettext catalogue.

The msgid is the English text and the msgstr the Chinese one, in
planner/locale/zh_CN/LC_MESSAGES/planner.po. The .po is compiled in memory with Babel the first
time a language is asked for, so there is no build step and no .mo file to keep in step.

A campaign's `language` (zh | en) chooses the words: `for_language(lang)` gives an object whose
`_`, `_p` (with a context, for one English word that is two Chinese ones) and `_n` (plural)
translate. The module-level `_`, `_p`, `_n` use the language set by `using(lang)` (Chinese
first). `N_` / `NP_` mark a msgid (and its context) for the catalogue where it is kept in a
table and translated later. Templates get the same through `jinja2.ext.i18n`.
"""

from __future__ import annotations

import gettext
import io
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib.resources import files
from typing import Union

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = ["LANGUAGES", "Messages", "Msg", "for_language", "every_language", "translations", "using", "_", "_p", "_n",
           "N_", "NP_", "DOMAIN", "PO_FILE", "WEEKDAYS", "table", "current", "system_language", "chosen", "told"]

LANGUAGES = ("zh", "en")
DOMAIN = "planner"
#: the catalogue of each language that has one; English is the msgids themselves
_LOCALES = {"zh": "zh_CN"}
PO_FILE = "locale/zh_CN/LC_MESSAGES/planner.po"

#: a msgid kept for later: the English text, or (context, English text)
Msg = Union[str, tuple[str, str]]

_language: ContextVar[str] = ContextVar("planner_language", default="zh")
#: the language the user asked for (`--lang`), which a plan's campaign.language does not override
_told: ContextVar[str | None] = ContextVar("planner_language_told", default=None)


def _language_of(language: str | None) -> str:
    return "en" if language == "en" else "zh"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of `language` (zh | en; anything else is Chinese, as the outputs were)."""
    locale = _LOCALES.get(_language_of(language))
    if locale is None:
        return gettext.NullTranslations()
    with (files("planner") / f"locale/{locale}/LC_MESSAGES/{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class Messages:
    """The words of one language."""

    def __init__(self, language: str):
        self.language = _language_of(language)
        self.translations = translations(self.language)

    def _(self, message: str) -> str:
        return self.translations.gettext(message)

    def _p(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)

    def _n(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def msg(self, message: Msg) -> str:
        """A msgid kept with N_ or NP_, translated."""
        return self._(message) if isinstance(message, str) else self._p(*message)


@cache
def for_language(language: str | None) -> Messages:
    return Messages(_language_of(language))


def table(entries: Mapping[str, Msg], language: str | None) -> dict[str, str]:
    """A table of msgids kept by key (column keys, label names), translated."""
    m = for_language(language)
    return {key: m.msg(message) for key, message in entries.items()}


def every_language(message: Msg) -> dict[str, str]:
    """{language: the message in it}: for reading back what either language wrote."""
    return {language: for_language(language).msg(message) for language in LANGUAGES}


@contextmanager
def using(language: str | None) -> Iterator[Messages]:
    """The module-level `_`, `_p`, `_n` speak `language` inside the block."""
    token = _language.set(_language_of(language))
    try:
        yield for_language(language)
    finally:
        _language.reset(token)


def current() -> str:
    """The language the module-level `_` speaks now."""
    return _language.get()


def system_language() -> str:
    """For commands without a plan: en when the system locale is English, else Chinese."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


@contextmanager
def told(language: str | None) -> Iterator[Messages]:
    """The block speaks what the user asked for (`--lang`), or the system's language when
    they asked for nothing; a plan read inside may then choose (see `chosen`)."""
    token = _told.set(_language_of(language) if language else None)
    try:
        with using(language or system_language()) as m:
            yield m
    finally:
        _told.reset(token)


def chosen(plan_language: str | None) -> str:
    """The language for a command on a plan: `--lang` if given, else the plan's campaign.language."""
    return _told.get() or _language_of(plan_language)


def _(message: str) -> str:
    return for_language(_language.get())._(message)


def _p(context: str, message: str) -> str:
    return for_language(_language.get())._p(context, message)


def _n(singular: str, plural: str, n: int) -> str:
    return for_language(_language.get())._n(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, don't translate"
    return message


def NP_(context: str, message: str) -> tuple[str, str]:  # noqa: N802
    return (context, message)


#: Monday to Sunday, short: 周一 … 周日 in Chinese
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
