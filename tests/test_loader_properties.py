"""Property tests: whatever a user's editor does to a plan, the loader answers with a plan or
with problems that point into the file, never with a traceback.

Mutations start from the 2026 starter (tests/data/starter-2026.yaml):
  * structure (parsed with ruamel, mutated, dumped again): delete a key or list item, replace a
    value with a random scalar / list / mapping / None / int / float / str / date, copy a value
    from elsewhere in the plan, duplicate a list item, insert an unknown or misspelt key, rename
    a key to a misspelling;
  * text: delete a character or a line, insert YAML punctuation (':' '[' '-' '{' '&' '*' '!' ...),
    tabs, line breaks, non-ASCII or any character, duplicate a line, shift indentation,
    truncate the file, insert a byte that is not UTF-8.
Values that hit the crashes already reported (a 20-digit duration, `timezone: Asia`, `!!bool x`)
are not drawn on purpose (random text reaches them only by rare chance), so these stay green;
tests/broken/ holds them as strict xfails.
Also: parse_duration, parse_clock_range and parse_date_span return a value or raise ValueError.
"""

from __future__ import annotations

import copy
import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from planner.errors import PlanError
from planner.loader import LoadedPlan, load_plan
from planner.types import ClockRange, DateSpan, parse_clock_range, parse_date_span, parse_duration

REPO = Path(__file__).resolve().parents[1]
STARTER_TEXT = (REPO / "tests" / "data" / "starter-2026.yaml").read_text(encoding="utf-8")


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    return yaml


STARTER_DATA = _yaml().load(STARTER_TEXT)
# The starter leaves targets and material overrides commented out; the structural mutations
# work on them too (tests/test_targets.py and tests/test_materials.py check their meaning).
STARTER_DATA["targets"] = {
    "activities": {"lecture": 40, "stall": 30, "door_to_door": 60, "performance": 8}, "reach": 50000,
    "materials": {"leaflet": 16000, "booklet": 3000, "poster": 2000, "letter": 5000, "gift": 500},
    "households": 1200, "app_installs": 2000,
    "fraud_free": {"kinds": ["community", "village", "school", "enterprise"], "install_rate": 0.6,
                   "households_share": 0.8},
    "months": {"2026-07": {"activities": {"lecture": 15}}}, "weeks": {"2026-W27": {"reach": 4000}},
}
STARTER_DATA["activities"]["stall"] = {"materials": {"leaflet": 1.5, "poster": 2, "letter": {"per_household": 1}}}

PROPERTY = settings(max_examples=200, deadline=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- the property every outcome must have --------------------------------------------------------


def line_count(raw: bytes) -> int:
    return len(raw.decode("utf-8", errors="replace").splitlines())


def check_outcome(path: Path, raw: bytes) -> list:
    """load_plan gives a LoadedPlan, or a PlanError whose problems all point into the file."""
    path.write_bytes(raw)
    try:
        result = load_plan(path)
    except PlanError as error:
        problems = error.problems
        assert problems, "PlanError without problems"
        last = line_count(raw) + 1
        for p in problems:
            assert 1 <= p.line <= last, f"line {p.line} outside 1..{last}: {p.format()}"
            assert p.col >= 1, p.format()
            assert p.file == str(path), p
            assert p.where and p.what, p
            assert p.format().startswith(f"{path}:{p.line}:{p.col}: "), p.format()
        return problems
    assert isinstance(result, LoadedPlan)
    return []


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("props") / "plan.yaml"


def dump(data: Any) -> bytes:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue().encode("utf-8")


def test_starter_round_trips(plan_file: Path) -> None:
    """The control for the structural mutations: dumping the unmutated starter loads fine."""
    assert check_outcome(plan_file, dump(STARTER_DATA)) == []
    assert check_outcome(plan_file, STARTER_TEXT.encode()) == []


# --- structural mutations ---------------------------------------------------------------------------


def _nodes(node: Any, prefix: tuple = ()) -> list[tuple[tuple, Any]]:
    out = [(prefix, node)]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _nodes(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _nodes(v, (*prefix, i))
    return out


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


KNOWN_KEYS = sorted({p[-1] for p, _ in _nodes(STARTER_DATA) if p and isinstance(p[-1], str)})
KNOWN_WORDS = sorted({str(v) for _, v in _nodes(STARTER_DATA) if isinstance(v, (str, int)) and not isinstance(v, bool)})

TRICKY = ["", " ", "~", "null", "yes", "on", "off", "no", "NO", "true", "CN", "none", "all", "any",
          "90", "90m", "2h", "1h30m", "0m", "25h", "99999h", "17:30-19:30", "25:00-26:00", "17:30-16:00",
          "7pm", "24:00-24:00", "2026-06-10..", "..", "2026-06-14..2026-06-10", "2026-02-30",
          "2026-06-01T08:00:00", "con", "../x", "a/b", "Wang Li", "x" * 70, "xingfu", "zhang-wei",
          "文艺小分队", "national_month", "police", "market", "community", "Asia/Shanghai", "Mars/Olympus",
          "<<", "*", "&a", "!tag", "%", "@", "`", "'", '"', "- a", "a: b", "[a", "{a", "\t", "\n", "中文",
          "\u3000", "\ufeff", "\u2028", "\x85", "-1", "1e400", ".nan", "0x1F", "0o17"]

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=16),
    st.sampled_from(TRICKY), st.sampled_from(KNOWN_WORDS),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)),
)
keys = st.one_of(st.text(max_size=12), st.sampled_from(KNOWN_KEYS))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(keys, inner, max_size=3)),
                      max_leaves=8)


def misspell(draw: Callable, word: str) -> str:
    i = draw(st.integers(0, len(word)))
    how = draw(st.sampled_from(["drop", "add", "swap", "upper"]))
    if how == "drop" and word:
        return word[: max(i - 1, 0)] + word[max(i, 1):]
    if how == "add":
        return word[:i] + draw(st.sampled_from(list("aesx_-1 "))) + word[i:]
    if how == "swap" and len(word) > 1:
        i = min(i, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word.upper() or "X"


STRUCTURAL = ["delete", "replace", "copy", "duplicate", "unknown_key", "rename_key"]


def mutate_structure(draw: Callable, data: Any) -> Any:
    ops = draw(st.lists(st.sampled_from(STRUCTURAL), min_size=1, max_size=4))
    for op in ops:
        nodes = _nodes(data)
        children = [p for p, _ in nodes if p]
        if op in ("delete", "replace", "copy") and children:
            path = draw(st.sampled_from(children))
            parent = _at(data, path[:-1])
            if op == "delete":
                del parent[path[-1]]
            elif op == "replace":
                parent[path[-1]] = draw(values)
            else:
                source = draw(st.sampled_from(nodes))[1]
                parent[path[-1]] = copy.deepcopy(source)
        elif op == "duplicate":
            lists = [p for p, v in nodes if isinstance(v, list) and v]
            if lists:
                seq = _at(data, draw(st.sampled_from(lists)))
                i = draw(st.integers(0, len(seq) - 1))
                seq.insert(draw(st.integers(0, len(seq))), copy.deepcopy(seq[i]))
        elif op == "unknown_key":
            maps = [p for p, v in nodes if isinstance(v, dict)]
            if maps:
                mapping = _at(data, draw(st.sampled_from(maps)))
                key = draw(keys)
                if draw(st.booleans()):
                    key = misspell(draw, key)
                mapping[key] = draw(values)
        elif op == "rename_key":
            maps = [p for p, v in nodes if isinstance(v, dict) and v]
            if maps:
                mapping = _at(data, draw(st.sampled_from(maps)))
                old = draw(st.sampled_from(sorted(mapping, key=str)))
                mapping[misspell(draw, str(old))] = mapping.pop(old)
    return data


@PROPERTY
@given(st.data())
def test_structural_mutations_never_crash(plan_file: Path, data: st.DataObject) -> None:
    mutated = mutate_structure(data.draw, copy.deepcopy(STARTER_DATA))
    check_outcome(plan_file, dump(mutated))


# --- text mutations ---------------------------------------------------------------------------------

PUNCTUATION = [":", "[", "]", "{", "}", "-", "- ", "\t", " ", "\n", "\r", "\r\n", '"', "'", "#", "&", "*", "!",
               "!!", "|", ">", "%", "@", "`", ",", "?", "<<: ", "..", "---\n", "...\n", "\\", "中", "é", "\u00a0",
               "\u3000", "\ufeff", "\u2028", "\x85", "\x00", "\x1b", "：", "，", "【"]
# truncation and non-UTF-8 bytes end the parse early, so they are drawn less often
TEXT_OPS = ["delete_char", "insert", "insert", "insert_text", "delete_line", "duplicate_line", "duplicate_line",
            "indent", "dedent", "truncate", "bad_byte"]


def mutate_text(draw: Callable, text: str) -> bytes:
    ops = draw(st.lists(st.sampled_from(TEXT_OPS), min_size=1, max_size=4))
    raw_inserts: list[tuple[int, bytes]] = []
    for op in ops:
        lines = text.split("\n")
        if op == "delete_char" and text:
            i = draw(st.integers(0, len(text) - 1))
            text = text[:i] + text[i + 1:]
        elif op == "insert":
            i = draw(st.integers(0, len(text)))
            text = text[:i] + draw(st.one_of(st.sampled_from(PUNCTUATION), st.characters())) + text[i:]
        elif op == "insert_text":
            i = draw(st.integers(0, len(text)))
            text = text[:i] + draw(st.text(min_size=1, max_size=10)) + text[i:]
        elif op == "delete_line":
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "\n".join(lines)
        elif op == "duplicate_line":
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[i])
            text = "\n".join(lines)
        elif op in ("indent", "dedent"):
            i = draw(st.integers(0, len(lines) - 1))
            if op == "indent":
                lines[i] = draw(st.sampled_from([" ", "  ", "\t"])) + lines[i]
            else:
                lines[i] = lines[i][1:]
            text = "\n".join(lines)
        elif op == "truncate":
            text = text[: len(text) - draw(st.integers(0, len(text)))]  # shrinks towards no cut
        elif op == "bad_byte":
            raw_inserts.append((draw(st.integers(0, 1 << 20)), bytes([draw(st.integers(0x80, 0xFF))])))
    raw = text.encode("utf-8")
    for at, byte in raw_inserts:
        at %= len(raw) + 1
        raw = raw[:at] + byte + raw[at:]
    return raw


@PROPERTY
@given(st.data())
def test_text_mutations_never_crash(plan_file: Path, data: st.DataObject) -> None:
    check_outcome(plan_file, mutate_text(data.draw, STARTER_TEXT))


@PROPERTY
@given(st.data())
def test_structural_then_text_mutations_never_crash(plan_file: Path, data: st.DataObject) -> None:
    mutated = mutate_structure(data.draw, copy.deepcopy(STARTER_DATA))
    text = dump(mutated).decode("utf-8")
    check_outcome(plan_file, mutate_text(data.draw, text))


# One problem, one line: `where` and `what` must not contain a line break.
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(key="adress\nline", ref="xing\nfu")
@given(key=st.text(min_size=1, max_size=8), ref=st.text(min_size=1, max_size=8))
def test_each_problem_is_one_line(plan_file: Path, key: str, ref: str) -> None:
    data = copy.deepcopy(STARTER_DATA)
    data["venues"][0][key] = 1
    data["staff"][0]["claims"] = [ref]
    for p in check_outcome(plan_file, dump(data)):
        assert "\n" not in p.format() and "\r" not in p.format(), repr(p.format())


# --- planner.types: value or ValueError, never anything else -------------------------------------------

short_numbers = st.from_regex(r"\A\s?\d{1,9}\s?(h|m|min|s)?\s?(\d{1,9}\s?(m|min|s))?\s?\Z")
any_input = st.one_of(st.text(max_size=30), st.none(), st.integers(), st.floats(), st.booleans(),
                      st.dates(), st.lists(st.text(max_size=3), max_size=2))


def total(parse: Callable[[Any], Any], value: Any) -> Any:
    try:
        return parse(value)
    except ValueError:
        return None


@settings(max_examples=200, deadline=None)
@given(st.one_of(any_input, short_numbers))
def test_parse_duration_is_total(value: Any) -> None:
    result = total(parse_duration, value)
    if result is not None:
        assert isinstance(result, timedelta) and timedelta(0) < result <= timedelta(days=1)


@settings(max_examples=50, deadline=None)
@example("99999999999999999999h")
@given(st.from_regex(r"\A\d{10,30}(h|m|s)\Z"))
def test_parse_duration_long_numbers(value: str) -> None:
    total(parse_duration, value)


clock_like = st.from_regex(r"\A\s?\d{1,3}:\d{1,3}\s?[-–~]\s?\d{1,3}:\d{1,3}\s?\Z")


@settings(max_examples=200, deadline=None)
@given(st.one_of(any_input, clock_like))
def test_parse_clock_range_is_total(value: Any) -> None:
    result = total(parse_clock_range, value)
    if result is not None:
        assert isinstance(result, ClockRange) and 0 <= result.start < result.end <= 24 * 60
        assert parse_clock_range(str(result)) == result


date_like = st.one_of(
    st.from_regex(r"\A\s?\d{4}-\d{2}-\d{2}\s?(\.\.\s?\d{4}-\d{2}-\d{2})?\s?\Z"),
    st.tuples(st.dates(), st.dates()).map(lambda t: f"{t[0]}..{t[1]}"),
    st.tuples(st.dates(), st.sampled_from(["..", "...", " .. ", ".."])).map(lambda t: f"{t[0]}{t[1]}"),
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(any_input, date_like, st.datetimes()))
def test_parse_date_span_is_total(value: Any) -> None:
    result = total(parse_date_span, value)
    if result is not None:
        assert isinstance(result, DateSpan) and result.start <= result.end
        assert parse_date_span(str(result)) == result
