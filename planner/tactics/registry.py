"""The tactic modules, found in this package rather than listed: a new tactic is a new
module with `NAME` and `ORDER` (see planner.tactics)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path
from types import ModuleType

from planner.tactics.base import Tactic

NOT_TACTICS = {"base", "registry"}


@cache
def _found() -> tuple[ModuleType, ...]:
    mods = []
    # this package's folder, not planner.tactics.__path__: importing the package from here
    # would be an import cycle (its __init__ re-exports all_modules)
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name in NOT_TACTICS or info.ispkg:
            continue
        module = importlib.import_module(f"planner.tactics.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "ORDER"):
            if not isinstance(module, Tactic):
                raise TypeError(f"{module.__name__} names itself a tactic but lacks enabled(plan) or add(ctx)")
            mods.append(module)
    return tuple(sorted(mods, key=lambda m: (m.ORDER, m.NAME)))


def all_modules() -> list[ModuleType]:
    """Every tactic module, in the order they build the model (staffing first: the others use it)."""
    return list(_found())


def core_modules() -> list[ModuleType]:
    """The modules every model has, whichever tactics a caller picks."""
    return [m for m in _found() if getattr(m, "CORE", False)]


def by_name(name: str) -> ModuleType:
    return next(m for m in _found() if m.NAME == name)


__all__ = ["all_modules", "core_modules", "by_name"]
