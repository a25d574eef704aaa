"""Synthetic station plans for tests: the benchmark's generator (bench/plangen.py), re-exported."""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from bench.plangen import KIND_MIX, SIZES, VILLAGE_MIX, plan_yaml, write  # noqa: E402

__all__ = ["plan_yaml", "write", "SIZES", "KIND_MIX", "VILLAGE_MIX"]
