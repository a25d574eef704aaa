"""YAML 1.2 loading that remembers where every value came from.

We compose the node graph with ruamel.yaml and build plain Python data ourselves, so that
every duplicate key is reported (not only the first) and every value keeps its line and
column for error messages.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from planner import messages
from planner.errors import Path_, PlanError, Problem, dotted, file_where, syntax_where
from planner.messages import NP_, Msg, _

MAX_BYTES = 5 * 1024 * 1024  # a city plan with 1,500 venues is well under 1 MB
MAX_NODES = 1_000_000  # stops alias bombs ("billion laughs") before they eat memory

_MERGE = "tag:yaml.org,2002:merge"


@dataclass
class Positions:
    """1-based (line, col) of each value and of each mapping key, by path."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


@dataclass
class Document:
    file: str
    data: Any
    positions: Positions
    problems: list[Problem] = field(default_factory=list)  # YAML-level ones that did not stop reading

    def problem(self, path: Path_, what: str, *, key: bool = False) -> Problem:
        line, col = self.positions.locate(path, key=key)
        return Problem(line, col, dotted(path), what, self.file)


def _tag(node: Node) -> str:
    """The node's tag; ruamel types it Optional, but the composer resolves every node's tag."""
    tag = node.tag
    assert tag is not None
    return tag


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, file: str, yaml: YAML):
        self.file = file
        self.constructor = yaml.constructor
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.count = 0
        self.stack: set[int] = set()

    def fail(self, node: Node, path: Path_, what: str) -> None:
        line, col = _mark(node)
        self.problems.append(Problem(line, col, dotted(path), what, self.file))

    def build(self, node: Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node)
        self.positions.values.setdefault(path, _mark(node))
        if id(node) in self.stack:
            self.fail(node, path, _("this YAML alias refers to itself"))
            return None
        if not _tag(node).startswith("tag:yaml.org,2002:"):
            self.fail(node, path, _("unknown YAML tag {tag}; remove it").format(tag=node.tag))
            return None
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        self.stack.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self.mapping(node, path)
        finally:
            self.stack.discard(id(node))
        self.fail(node, path, _("unsupported YAML node"))
        return None

    def scalar(self, node: ScalarNode, path: Path_) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except Exception as e:  # ruamel raises KeyError/IndexError for e.g. `!!bool 是`, `!!int ""`
            problem = getattr(e, "problem", None) or (str(e).splitlines() or [type(e).__name__])[0]
            # ruamel's reason is English: the Chinese leaves it out (the value and its type say enough)
            self.fail(node, path, _("{kind} value {value} is not valid ({problem})").format(
                kind=_tag(node).rsplit(":", 1)[-1], value=repr(node.value), problem=problem))
            return None

    def mapping(self, node: MappingNode, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    value = self.build(source, path)
                    if isinstance(value, dict):
                        for k, v in value.items():
                            merged.setdefault(k, v)
                    else:
                        self.fail(source, path, _("'<<' merges only mappings"))
                continue
            if not isinstance(key_node, ScalarNode):
                self.fail(key_node, path, _("a key must be a plain word, not a list or mapping"))
                continue
            key = self.build(key_node, (*path, "<key>"))
            key = "" if key is None else str(key)
            here = (*path, key)
            if key in seen:
                self.fail(key_node, here, _("duplicate key '{key}' (first given on line {line})").format(
                    key=key, line=seen[key]))
                continue
            seen[key] = key_node.start_mark.line + 1
            self.positions.keys[here] = _mark(key_node)
            out[key] = self.build(value_node, here)
        self.positions.values.pop((*path, "<key>"), None)
        for k, v in merged.items():
            out.setdefault(k, v)
        return out


class _TooBig(Exception):
    def __init__(self, node: Node):
        self.node = node


# --- text encodings: what Chinese Windows editors save ------------------------------------------------

#: the encoding `--encoding` asked for, for the plan files a command reads (None: detect)
_told_encoding: ContextVar[str | None] = ContextVar("plan_encoding", default=None)


def known_encoding(name: str) -> str:
    """Python's name of a text encoding (gbk, GB2312, utf8 …), or ValueError saying what is known."""
    try:
        codec = codecs.lookup(name)
        if not getattr(codec, "_is_text_encoding", True):  # base64, zlib: codecs of bytes, not of text
            raise LookupError(name)
        return codec.name
    except LookupError:
        raise ValueError(_("unknown text encoding '{name}'; a plan is utf-8, or gb18030 (GBK) as Chinese "
                           "Windows editors save it").format(name=name)) from None


@contextmanager
def reading_as(encoding: str | None) -> Iterator[None]:
    """Plan files read inside the block are in `encoding` (None: detected)."""
    token = _told_encoding.set(known_encoding(encoding) if encoding else None)
    try:
        yield
    finally:
        _told_encoding.reset(token)


def told_encoding() -> str | None:
    return _told_encoding.get()


def _where(raw: bytes, offset: int, encoding: str) -> tuple[int, int]:
    """Line and column (in characters) of a byte offset: line breaks are the same byte in UTF-8
    and GB18030, so the lines count as an editor counts them."""
    start = raw.rfind(b"\n", 0, offset) + 1
    try:
        col = len(raw[start:offset].decode(encoding, errors="replace")) + 1
    except (UnicodeError, ValueError):  # codecs that cannot replace (idna): count bytes
        col = offset - start + 1
    return raw[:offset].count(b"\n") + 1, col


def _mostly_utf8(raw: bytes) -> bool:
    """A UTF-8 file with a broken byte or two, rather than GBK text (which is nearly all
    invalid as UTF-8): read as GB18030 it would be nonsense, so it is an error instead."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return sum(1 for ch in text if ord(ch) > 0x7F) - bad > bad


def decode(raw: bytes, file: str, encoding: str | None = None) -> str:
    """A plan file's bytes as text: `encoding` if given; else UTF-8 (with or without a BOM),
    UTF-16 with a BOM (Notepad's "Unicode"), or GB18030, the superset of GBK that Notepad
    and WPS save on Chinese Windows."""

    def fail(what_is_wrong: str, offset: int, as_: str) -> PlanError:
        line, col = _where(raw, offset, as_)
        return PlanError([Problem(line, col, file_where(), what_is_wrong, file)])

    if encoding is not None:
        try:
            name = known_encoding(encoding)
        except ValueError as e:
            raise PlanError([Problem(1, 1, file_where(), str(e), file)]) from None
        try:
            text = raw.decode("utf-8-sig" if name == "utf-8" else name)
        except UnicodeDecodeError as e:
            raise fail(_("is not {encoding} text: byte 0x{byte:02X} (offset {offset}) does not belong in it; "
                         "check --encoding").format(encoding=name, byte=raw[e.start], offset=e.start),
                       e.start, name) from None
        except (UnicodeError, ValueError):  # a codec such as idna fails without saying where
            raise fail(_("is not {encoding} text; check --encoding").format(encoding=name), 0, "latin-1") from None
        return text.removeprefix("\ufeff")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as e:
            raise fail(_("is not UTF-16 text after its byte-order mark (offset {offset}); save it as UTF-8")
                       .format(offset=e.start), 0, "latin-1") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        utf8 = e
    if _mostly_utf8(raw):
        raise fail(_("is UTF-8 text with a broken character: byte 0x{byte:02X} (offset {offset}) is not UTF-8; "
                     "save the file again as UTF-8").format(byte=raw[utf8.start], offset=utf8.start),
                   utf8.start, "utf-8")
    try:
        return raw.decode("gb18030").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise fail(_("is neither UTF-8 nor GB18030 (GBK) text: byte 0x{byte:02X} (offset {offset}) is in "
                     "neither; save it as UTF-8, or name its encoding with --encoding")
                   .format(byte=raw[e.start], offset=e.start), e.start, "gb18030") from None


# ruamel's words for a syntax error (its context, then its problem), each with its Chinese; the
# English is shown as ruamel wrote it. A phrase not listed gets a general Chinese hint instead.
_SYNTAX: list[tuple[re.Pattern[str], Msg | None]] = [(re.compile(pattern), message) for pattern, message in (
    (r"while parsing a block mapping", NP_("YAML syntax", "while parsing a block mapping")),
    (r"while parsing a block collection", NP_("YAML syntax", "while parsing a block collection")),
    (r"while parsing a (block|flow)? ?node", NP_("YAML syntax", "while parsing a node")),
    (r"while parsing a flow sequence", NP_("YAML syntax", "while parsing a flow sequence")),
    (r"while parsing a flow mapping", NP_("YAML syntax", "while parsing a flow mapping")),
    (r"while scanning for the next token", None),  # says nothing the problem does not
    (r"while scanning a simple key", NP_("YAML syntax", "while scanning a simple key")),
    (r"while scanning a (quoted|plain|block) scalar", NP_("YAML syntax", "while scanning a scalar")),
    (r"while scanning an? (alias|anchor|tag)", NP_("YAML syntax", "while scanning an alias, anchor or tag")),
    (r"while scanning a directive", NP_("YAML syntax", "while scanning a directive")),
    (r"expected <block end>, but found .*", NP_("YAML syntax", "expected <block end>")),
    (r"expected ',' or '\]', but got (?P<got>.*)", NP_("YAML syntax", "expected ',' or ']', but got {got}")),
    (r"expected ',' or '\}', but got (?P<got>.*)", NP_("YAML syntax", "expected ',' or '}}', but got {got}")),
    (r"mapping values are not allowed here", NP_("YAML syntax", "mapping values are not allowed here")),
    (r"found character '\\t' that cannot start any token",
     NP_("YAML syntax", "found character '\\t' that cannot start any token")),
    (r"found character (?P<char>.*) that cannot start any token",
     NP_("YAML syntax", "found character {char} that cannot start any token")),
    (r"could not find expected ':'", NP_("YAML syntax", "could not find expected ':'")),
    (r"found unexpected end of stream", NP_("YAML syntax", "found unexpected end of stream")),
    (r"found unexpected ':'", NP_("YAML syntax", "found unexpected ':'")),
    (r"found undefined alias (?P<name>.*)", NP_("YAML syntax", "found undefined alias {name}")),
    (r"found unknown escape character (?P<char>.*)", NP_("YAML syntax", "found unknown escape character {char}")),
    (r"expected a comment or a line break, but found (?P<found>.*)",
     NP_("YAML syntax", "expected a comment or a line break, but found {found}")),
    (r"block sequence entries are not allowed here", NP_("YAML syntax", "block sequence entries are not allowed here")),
    (r"expected '<document start>', but found .*", NP_("YAML syntax", "expected '<document start>'")),
    (r"version minor part can only be 2 or 1, got (?P<got>.*)",
     NP_("YAML syntax", "version minor part can only be 2 or 1, got {got}")),
    (r"found incompatible YAML document.*", NP_("YAML syntax", "found incompatible YAML document")),
)]


def _syntax(*phrases: str | None) -> str:
    """A YAML syntax error in the current language: ruamel's own English, or each phrase in Chinese."""
    phrases_ = [p for p in phrases if p]
    if messages.current() == "en":
        return _("YAML syntax: {detail}").format(detail=" ".join(phrases_))
    words = []
    for phrase in phrases_:
        for pattern, message in _SYNTAX:
            m = pattern.fullmatch(phrase.strip())
            if m:
                if message is not None:
                    words.append(messages.for_language(messages.current()).msg(message).format(**m.groupdict()))
                break
        else:
            words = [_("check the indentation, colons, quotes and brackets here and on the line above")]
            break
    detail = words[-1] if len(words) == 1 else _("{context}, {problem}").format(context=words[0], problem=words[-1])
    return _("YAML syntax: {detail}").format(detail=detail)


def load_yaml(path: Path | str, *, what: str = "", strict: bool = True, encoding: str | None = None) -> Document:
    """Read a YAML 1.2 file into plain data with positions, or raise PlanError.

    `what` names the file in the current language ("station plan"). With strict=False,
    problems that do not stop reading (duplicate keys, unknown tags) are returned in
    Document.problems, so the caller can report them with everything else.
    `encoding` names the file's text encoding; without it, it is detected (see `decode`).
    """
    path = Path(path)
    file = str(path)
    what = what or _("file")

    def fail(what_is_wrong: str, line: int = 1, col: int = 1, where: str = "") -> PlanError:
        return PlanError([Problem(line, col, where or file_where(), what_is_wrong, file)])

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise fail(_("is {size} MB; a {what} is at most {limit} MB, so this is probably not the right file")
                       .format(size=f"{size / 1024 / 1024:.1f}", what=what, limit=MAX_BYTES // 1024 // 1024))
        raw = path.read_bytes()
    except IsADirectoryError:
        raise fail(_("is a folder, not a YAML file")) from None
    except FileNotFoundError:
        raise fail(_("no such file")) from None
    except PermissionError:
        raise fail(_("cannot be read (permission denied)")) from None
    except OSError as e:
        raise fail(_("cannot be read: {reason}").format(reason=e.strerror or e)) from None
    text = decode(raw, file, encoding)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise fail(_("contains a NUL byte; is this a binary file?"), line)
    return load_yaml_text(text, file, what=what, strict=strict)


def load_yaml_text(text: str, file: str, *, what: str = "", strict: bool = True) -> Document:
    """`load_yaml` of text already read (plan.json, when its problems need positions)."""
    what = what or _("file")

    def fail(what_is_wrong: str, line: int = 1, col: int = 1, where: str = "") -> PlanError:
        return PlanError([Problem(line, col, where or file_where(), what_is_wrong, file)])

    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise fail(_syntax(e.context, e.problem), line, col, syntax_where()) from None
    except YAMLError as e:
        raise fail(_syntax(str(e).splitlines()[0]), where=syntax_where()) from None
    except RecursionError:
        raise fail(_("YAML is nested too deeply"), where=syntax_where()) from None
    except Exception as e:  # ruamel asserts on some malformed input, e.g. `%YAML 1.20`
        lines = text.splitlines()
        line = next((i for i, t in enumerate(lines, 1) if t.startswith("%")), 1)  # such errors are directives'
        raise fail(_syntax((str(e).splitlines() or [type(e).__name__])[0]), line, where=syntax_where()) from None

    if root is None or (isinstance(root, ScalarNode) and _tag(root).endswith(":null") and not root.value.strip("~")
                        and root.value.lower() != "null"):
        raise fail(_("the file is empty; a {what} is a YAML mapping (see `planner init`)").format(what=what))
    builder = _Builder(file, yaml)
    try:
        data = builder.build(root, ())
    except _TooBig as e:
        line, col = _mark(e.node)
        raise fail(_("expands to more than {n} values (YAML aliases?)").format(n=f"{MAX_NODES:,}"), line, col) \
            from None
    except RecursionError:
        raise fail(_("YAML is nested too deeply"), where=syntax_where()) from None
    if builder.problems and strict:
        raise PlanError(builder.problems)
    if not isinstance(data, dict):
        line, col = _mark(root)
        if isinstance(data, list):
            holds = _("the file holds a list; a {what} is a YAML mapping of keys such as version, station, "
                      "campaign, staff, venues")
        else:
            holds = _("the file holds a single value ({value}); a {what} is a YAML mapping of keys such as "
                      "version, station, campaign, staff, venues")
        raise fail(holds.format(what=what, value=repr(data)), line, col, _("(top level)"))
    return Document(file, data, builder.positions, builder.problems)
