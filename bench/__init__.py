"""The benchmark of issue 3: synthetic plans at three sizes, solved against a hand-made baseline.

`python -m bench --help`; see bench/README.md.
"""
