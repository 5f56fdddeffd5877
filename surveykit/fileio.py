"""Safe reading of every file a user hands to surveykit: the one home of the limits on any input.

A questionnaire, a methodology profile, a course file or a data file may be broken, or made to do harm.
Whatever it holds, reading it ends in data or in a located message (``file:line:column``, or sheet, row and
column), never in a crash, a hang or an exhausted memory. The limits are settings (``surveykit.config``,
table in README's "Configuration", explained in docs/files.md) read through :func:`read_limits`.

One function per kind of file; every loader opens its file through one of them and gets the problems in a
:class:`~surveykit.errors.Report` (nothing here raises for a bad file):

=========================================  ============================================================
``read_document(path)``                    a YAML or JSON file (by extension) → :class:`Document`
``read_yaml_file(path)`` / ``parse_yaml``  YAML: no alias bombs, depth and size bounds, positions kept
``read_json_file(path)`` / ``parse_json``  JSON: depth bound, duplicate keys and NaN/Infinity refused
``read_text_file(path, report)``           a UTF-8 text file: size cap, folders and devices refused
``check_file(path, report)``               any file: exists, a regular file, within ``max_file_mb``
``read_bytes(path, report)``               the bytes of any file, after the same checks
``read_csv_text(path, report)``            a CSV file's text, its encoding recognised or refused
``check_workbook(path, report)``           an .xlsx before opening: size, zip structure, zip bomb
``check_table(rows, columns, report)``     a table's size, known from a header, against the limits
``read_workbook(path, report)``            every sheet of an .xlsx as rows, bounded in rows and columns
=========================================  ============================================================

What each refuses, with its code: a file over ``max_file_mb`` (SK140); a folder, device or pipe (SK141);
control characters such as NUL in text (SK142); nesting deeper than ``max_nesting_depth``, aliases
included (SK143); documents over ``max_document_nodes`` values once YAML aliases are expanded (the
"billion laughs", SK144) or using more than ``max_yaml_aliases`` aliases (SK158); an alias inside the value
it names (SK145); whole numbers over Python's 4,300-digit limit (SK146); NaN and infinity (SK147);
duplicate keys (SK148); values that cannot be read, such as the date 2024-13-45 (SK149); text that is not
UTF-8 and whose encoding cannot be told (SK150; a recognised one is a warning SK151); workbooks that would
unpack to more than ``max_unpacked_mb`` or at a ratio over ``max_zip_ratio`` (SK152); sheets and tables
over ``max_rows`` / ``max_columns`` (SK153); reading longer than ``read_timeout_s`` (SK154); memory
exhausted all the same (SK155).

YAML is read with YAML 1.2 booleans (only ``true``/``false``): in YAML 1.1 an unquoted ``no`` (a choice
name, or the Norwegian language code) silently becomes ``False``.
"""

from __future__ import annotations

import json
import math
import re
import stat
import sys
import time
import zipfile
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from surveykit.errors import ErrorCode, Location, Report, Severity, Translated
from surveykit.sourcemap import SourceMap

__all__ = [
    "Document",
    "ReadLimits",
    "Sheet",
    "check_file",
    "check_table",
    "check_workbook",
    "parse_json",
    "parse_yaml",
    "read_bytes",
    "read_csv_text",
    "read_text_data",
    "read_document",
    "read_json_file",
    "read_limits",
    "read_text_file",
    "read_workbook",
    "read_yaml_file",
]

MB = 1024 * 1024

#: the file suffixes :func:`read_document` reads
DOCUMENT_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


# --------------------------------------------------------------------------------------------------------
# the limits
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadLimits:
    """The bounds on reading one file; :func:`read_limits` takes them from the settings."""

    max_file_bytes: int = 50 * MB
    max_depth: int = 100
    max_aliases: int = 1000
    max_nodes: int = 1_000_000
    max_rows: int = 1_000_000
    max_columns: int = 10_000
    max_unpacked_bytes: int = 1000 * MB
    max_zip_ratio: int = 200
    timeout_s: float = 120.0
    #: Python's own limit on converting digits to a whole number (``sys.get_int_max_str_digits``)
    max_int_digits: int = field(default_factory=lambda: sys.get_int_max_str_digits() or 4300)

    @classmethod
    def from_settings(cls, settings: Any) -> ReadLimits:
        return cls(
            max_file_bytes=settings.max_file_mb * MB,
            max_depth=settings.max_nesting_depth,
            max_aliases=settings.max_yaml_aliases,
            max_nodes=settings.max_document_nodes,
            max_rows=settings.max_rows,
            max_columns=settings.max_columns,
            max_unpacked_bytes=settings.max_unpacked_mb * MB,
            max_zip_ratio=settings.max_zip_ratio,
            timeout_s=float(settings.read_timeout_s),
        )


def read_limits() -> ReadLimits:
    """The limits of this process, from :func:`surveykit.config.settings`."""
    from surveykit.config import settings

    return ReadLimits.from_settings(settings())


class _Stop(Exception):
    """Reading stops here; the reason is already in the report."""


class _Clock:
    """The time budget of reading one file, checked every few thousand steps."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limit = limits.timeout_s
        self.deadline = time.monotonic() + limits.timeout_s
        self.steps = 0

    def due(self) -> bool:
        """Count a step; True (every few thousand steps) when the time is up."""
        self.steps += 1
        return self.steps & 0xFFF == 0 and time.monotonic() > self.deadline

    def stop(self, report: Report, location: Location) -> NoReturn:
        report.add(ErrorCode.READ_TIMEOUT, location, seconds=f"{self.limit:g}")
        raise _Stop


# --------------------------------------------------------------------------------------------------------
# bytes and text
# --------------------------------------------------------------------------------------------------------


def _mb(size: int) -> str:
    return f"{size / MB:.1f}" if size < 10 * MB else f"{size // MB:,}"


def check_file(
    path: str | Path, report: Report, *, limits: ReadLimits | None = None, file: str | None = None
) -> bool:
    """True when ``path`` is a regular file no larger than ``max_file_mb``; otherwise a problem is added
    (missing, a folder, a device or pipe, which could block for ever, unreadable, too large)."""
    lim = limits or read_limits()
    path = Path(path)
    where = Location(file=file or str(path))
    try:
        info = path.stat()
    except FileNotFoundError:
        report.add(ErrorCode.FILE_NOT_FOUND, where, path=str(path), cwd=str(Path.cwd()))
        return False
    except (OSError, ValueError) as err:  # ValueError: a NUL in the name
        report.add(ErrorCode.NOT_A_FILE, where, path=_shown(path), what=_os_reason(err))
        return False
    if stat.S_ISDIR(info.st_mode):
        report.add(ErrorCode.NOT_A_FILE, where, path=_shown(path), what="a folder")
        return False
    if not stat.S_ISREG(info.st_mode):
        report.add(ErrorCode.NOT_A_FILE, where, path=_shown(path), what="a device, pipe or socket")
        return False
    if info.st_size > lim.max_file_bytes:
        report.add(ErrorCode.FILE_TOO_LARGE, where, size=_mb(info.st_size), limit=_mb(lim.max_file_bytes))
        return False
    return True


def read_bytes(
    path: str | Path, report: Report, *, limits: ReadLimits | None = None, file: str | None = None
) -> bytes | None:
    """The bytes of a file that passes :func:`check_file`; ``None`` with a problem otherwise."""
    lim = limits or read_limits()
    path = Path(path)
    where = Location(file=file or str(path))
    if not check_file(path, report, limits=lim, file=file):
        return None
    try:
        with path.open("rb") as fh:
            data = fh.read(lim.max_file_bytes + 1)
    except OSError as err:
        report.add(ErrorCode.NOT_A_FILE, where, path=_shown(path), what=_os_reason(err))
        return None
    if len(data) > lim.max_file_bytes:  # it grew while being read
        report.add(ErrorCode.FILE_TOO_LARGE, where, size=_mb(len(data)), limit=_mb(lim.max_file_bytes))
        return None
    return data


def _shown(path: Path) -> str:
    return str(path).replace("\x00", "\\0")


def _os_reason(err: BaseException) -> str:
    if isinstance(err, PermissionError):
        return "not readable (permission denied)"
    if isinstance(err, ValueError):
        return "not a usable file name (it contains a NUL character)"
    reason = getattr(err, "strerror", None) or str(err)
    return f"not readable ({reason})"


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _bom(data: bytes) -> tuple[str, int] | None:
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return encoding, len(mark)
    return None


def _position(data: bytes | str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``data``."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, offset) + 1
    column = offset - (data.rfind(newline, 0, offset) + 1) + 1
    return line, column


def _decode_error(data: bytes, err: UnicodeDecodeError, offset: int = 0) -> tuple[str, int, int]:
    start = err.start + offset
    line, column = _position(data, start)
    return f"byte 0x{data[start]:02X} on line {line}", line, column


def read_text_file(
    path: str | Path, report: Report, *, limits: ReadLimits | None = None, file: str | None = None
) -> str | None:
    """A text file as UTF-8 (a UTF-8, UTF-16 or UTF-32 byte-order mark is honoured); ``None`` with a problem
    when it cannot be read or is not UTF-8 (the first bad byte located by line and column)."""
    shown = file or str(path)
    data = read_bytes(path, report, limits=limits, file=shown)
    if data is None:
        return None
    found = _bom(data)
    encoding, skip = found if found is not None else ("utf-8", 0)
    try:
        return data[skip:].decode(encoding.replace("-sig", ""))
    except UnicodeDecodeError as err:
        detail, line, column = _decode_error(data, err, skip)
        report.add(
            ErrorCode.ENCODING_UNKNOWN,
            Location(file=shown, line=line, column=column),
            detail=f"{detail} is not UTF-8; YAML and JSON files are UTF-8",
            option="",
        )
        return None


# characters YAML refuses in a file (its "printable" set, YAML 1.2 section 5.1), and characters no value
# may hold: C0 and C1 controls other than tab and line ends, and lone surrogates, which cannot be stored
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BAD_IN_VALUE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")
_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 0x1B: "ESC", 0x7F: "DEL"}


def _char(c: str) -> str:
    code = ord(c)
    if 0xD800 <= code <= 0xDFFF:
        return f"U+{code:04X} (half of a surrogate pair)"
    name = _NAMES.get(code)
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def _control_in_text(
    text: str, file: str | None, report: Report, pattern: re.Pattern[str] = _NOT_PRINTABLE
) -> bool:
    """Add SK142 at the first character of ``text`` that ``pattern`` finds; True when there is none."""
    found = pattern.search(text)
    if found is None:
        return True
    line, column = _position(text, found.start())
    report.add(
        ErrorCode.CONTROL_CHARACTER, Location(file=file, line=line, column=column), char=_char(found.group())
    )
    return False


def _last_resort(err: BaseException, file: str | None, report: Report, lim: ReadLimits) -> None:
    """What no check before parsing foresaw, as a message: a value that cannot be built, nesting that ran
    out of stack, memory that ran out."""
    where = Location(file=file)
    if isinstance(err, RecursionError):
        report.add(ErrorCode.NESTING_TOO_DEEP, where, limit=lim.max_depth, detail="")
    elif isinstance(err, MemoryError):
        report.add(ErrorCode.OUT_OF_MEMORY, where, detail="")
    else:
        report.add(
            ErrorCode.VALUE_UNREADABLE,
            where,
            value="(a value)",
            detail=str(err),
            fix="Correct the value, or put it in quotes.",
        )


# --------------------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans; composed by :func:`_compose`, never by PyYAML's recursive composer."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_NO_KEY = object()


class _Frame:
    """A collection being composed: its node, the height and expanded size of its children so far, and
    (for a mapping) the key waiting for its value."""

    __slots__ = ("height", "key", "node", "size")

    def __init__(self, node: yaml.CollectionNode) -> None:
        self.node = node
        self.height = 0
        self.size = 0
        self.key: Any = _NO_KEY


def _mark(file: str | None, mark: Any) -> Location:
    if mark is None:
        return Location(file=file)
    return Location(file=file, line=mark.line + 1, column=mark.column + 1)


def _shorten(text: str, limit: int = 60) -> str:
    text = _BAD_IN_VALUE.sub("?", text)
    return text if len(text) <= limit else text[:limit] + "…"


def _check_scalar(
    loader: _Loader, node: yaml.ScalarNode, file: str | None, report: Report, lim: ReadLimits
) -> None:
    """Numbers and dates that cannot be read, or are not finite, stop reading with a located problem."""
    where = _mark(file, node.start_mark)
    value = node.value
    if node.tag == _INT:
        digits = value.lstrip("+-").replace("_", "")
        if digits.isdigit() and len(digits) > lim.max_int_digits:
            report.add(
                ErrorCode.NUMBER_TOO_LONG, where, digits=f"{len(digits):,}", limit=f"{lim.max_int_digits:,}"
            )
            raise _Stop
    if node.tag not in (_INT, _FLOAT, _TIMESTAMP):
        return
    try:
        constructed = loader.construct_object(node)
    except (ValueError, OverflowError, TypeError, yaml.YAMLError) as err:
        fix = (
            "Write dates as YYYY-MM-DD (a real date), or put the text in quotes."
            if node.tag == _TIMESTAMP
            else "Correct the number, or put the text in quotes."
        )
        report.add(ErrorCode.VALUE_UNREADABLE, where, value=_shorten(value), detail=str(err), fix=fix)
        raise _Stop from None
    if isinstance(constructed, float) and not math.isfinite(constructed):
        report.add(ErrorCode.NUMBER_NOT_FINITE, where, value=_shorten(value))
        raise _Stop


def _compose(loader: _Loader, file: str | None, report: Report, lim: ReadLimits) -> yaml.Node | None:
    """The node tree of the single document, built without recursion from PyYAML's events.

    Bounded in depth (aliases count with the depth of what they name), in values (aliases count with the
    size of what they name: the "billion laughs" stops here, before anything is expanded), in aliases and
    in time; an alias inside the value it names (a loop) is refused."""
    clock = _Clock(lim)
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # document start
    anchors: dict[str, yaml.Node] = {}
    measured: dict[int, tuple[int, int]] = {}  # id of an anchored node -> (height, expanded size)
    open_nodes: set[int] = set()
    stack: list[_Frame] = []
    root: list[yaml.Node] = []
    total = aliases = 0

    def attach(node: yaml.Node, height: int, size: int) -> None:
        if not stack:
            root.append(node)
            return
        frame = stack[-1]
        frame.height = max(frame.height, height)
        frame.size += size
        if isinstance(frame.node, yaml.SequenceNode):
            frame.node.value.append(node)
        elif frame.key is _NO_KEY:
            frame.key = node
        else:
            frame.node.value.append((frame.key, node))
            frame.key = _NO_KEY

    def count(n: int, event: Any, aliased: str | None) -> None:
        nonlocal total
        total += n
        if total > lim.max_nodes:
            detail = f" once its aliases (*{aliased} ...) are expanded" if aliased or aliases else ""
            report.add(
                ErrorCode.TOO_MANY_VALUES,
                _mark(file, event.start_mark),
                limit=f"{lim.max_nodes:,}",
                detail=detail,
                setting="max_document_nodes",
            )
            raise _Stop

    while True:
        event = loader.get_event()
        if clock.due():
            clock.stop(report, _mark(file, event.start_mark))
        if isinstance(event, yaml.DocumentEndEvent):
            break
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            frame = stack.pop()
            frame.node.end_mark = event.end_mark
            open_nodes.discard(id(frame.node))
            height, size = frame.height + 1, frame.size + 1
            if id(frame.node) in measured:
                measured[id(frame.node)] = (height, size)
            attach(frame.node, height, size)
            continue
        if isinstance(event, yaml.AliasEvent):
            target = anchors.get(event.anchor)
            if target is None:
                raise yaml.composer.ComposerError(
                    None, None, f"found undefined alias *{event.anchor}", event.start_mark
                )
            if id(target) in open_nodes:
                report.add(ErrorCode.YAML_ALIAS_LOOP, _mark(file, event.start_mark), name=event.anchor)
                raise _Stop
            aliases += 1
            if aliases > lim.max_aliases:
                report.add(
                    ErrorCode.YAML_TOO_MANY_ALIASES,
                    _mark(file, event.start_mark),
                    limit=f"{lim.max_aliases:,}",
                )
                raise _Stop
            height, size = measured.get(id(target), (1, 1))
            if len(stack) + height > lim.max_depth:
                report.add(
                    ErrorCode.NESTING_TOO_DEEP,
                    _mark(file, event.start_mark),
                    limit=lim.max_depth,
                    detail=f" (counting what the alias *{event.anchor} stands for)",
                )
                raise _Stop
            count(size, event, event.anchor)
            attach(target, height, size)
            continue
        if isinstance(event, yaml.ScalarEvent):
            bad = _BAD_IN_VALUE.search(event.value)
            if bad is not None:
                report.add(
                    ErrorCode.CONTROL_CHARACTER, _mark(file, event.start_mark), char=_char(bad.group())
                )
                raise _Stop
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            node: yaml.Node = yaml.ScalarNode(
                tag, event.value, event.start_mark, event.end_mark, style=event.style
            )
            _check_scalar(loader, node, file, report, lim)
            if event.anchor is not None:
                anchors[event.anchor] = node
                measured[id(node)] = (1, 1)
            count(1, event, None)
            attach(node, 1, 1)
            continue
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(stack) + 1 > lim.max_depth:
                report.add(
                    ErrorCode.NESTING_TOO_DEEP, _mark(file, event.start_mark), limit=lim.max_depth, detail=""
                )
                raise _Stop
            kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
            if event.anchor is not None:
                anchors[event.anchor] = node
                measured[id(node)] = (1, 1)
            open_nodes.add(id(node))
            count(1, event, None)
            stack.append(_Frame(node))
            continue
    if not loader.check_event(yaml.StreamEndEvent):
        nxt = loader.peek_event()
        report.add(
            ErrorCode.YAML_SYNTAX,
            _mark(file, nxt.start_mark),
            detail="a second document ('---') follows the first; a file holds one document",
        )
        raise _Stop
    return root[0] if root else None


def _key_text(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return node.value
    return "(a list)" if isinstance(node, yaml.SequenceNode) else "(a mapping)"


def _walk(root: yaml.Node, smap: SourceMap, report: Report) -> None:
    """Positions of every key and value, and duplicate keys; a node reached again through an alias is not
    walked again."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(root, ())]
    while stack:
        node, where = stack.pop()
        smap.positions.setdefault(where, (node.start_mark.line + 1, node.start_mark.column + 1))
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key_node, value_node in node.value:
                key = _key_text(key_node)
                line = key_node.start_mark.line + 1
                identity = (key_node.tag, key)
                if identity in first and key != "<<":
                    report.add(
                        ErrorCode.DUPLICATE_KEY,
                        Location(file=smap.file, line=line, column=key_node.start_mark.column + 1),
                        key=_shorten(key),
                        first=first[identity],
                    )
                first.setdefault(identity, line)
                smap.positions[(*where, key)] = (line, key_node.start_mark.column + 1)
                stack.append((value_node, (*where, key)))
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                stack.append((child, (*where, index)))


def parse_yaml(
    text: str, file: str | None = None, *, limits: ReadLimits | None = None
) -> tuple[Any, SourceMap, Report]:
    """Parse YAML text. Returns ``(data, source_map, report)``; data is ``None`` when the text cannot be
    used (the report says where and why) or holds no document."""
    lim = limits or read_limits()
    smap, report = SourceMap(file=file), Report(subject=file)
    if not _control_in_text(text, file, report):
        return None, smap, report
    loader = _Loader(text)
    try:
        node = _compose(loader, file, report, lim)
        if node is None:
            return None, smap, report
        _walk(node, smap, report)
        data = loader.construct_document(node)
    except _Stop:
        return None, smap, report
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        detail = " ".join(str(x) for x in (err.context, err.problem) if x)
        report.add(ErrorCode.YAML_SYNTAX, _mark(file, mark), detail=detail)
        return None, smap, report
    except yaml.YAMLError as err:
        report.add(ErrorCode.YAML_SYNTAX, Location(file=file), detail=str(err))
        return None, smap, report
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as err:
        _last_resort(err, file, report, lim)
        return None, smap, report
    finally:
        loader.dispose()
    return data, smap, report


# --------------------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(
    r"""(?P<str>"(?:[^"\\\x00-\x1f]|\\.)*")
    |(?P<open>[\[{])
    |(?P<close>[\]}])
    |(?P<colon>:)
    |(?P<comma>,)
    |(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    |(?P<const>NaN|-?Infinity)
    |(?P<word>[A-Za-z]+)
    |(?P<other>[^\s])""",
    re.VERBOSE | re.DOTALL,
)


class _Lines:
    """Offsets to 1-based (line, column), by binary search over the line starts."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def _json_string(token: str) -> str:
    return token[1:-1] if "\\" not in token else json.loads(token)


def _scan_json(text: str, file: str | None, smap: SourceMap, report: Report, lim: ReadLimits) -> bool:
    """One pass over the tokens: depth, size, duplicate keys, NaN/Infinity, over-long numbers and control
    characters in strings, each located; positions of every value. False when reading must stop (a
    syntax error is left to the parser, which locates it)."""
    lines = _Lines(text)
    clock = _Clock(lim)
    stack: list[list[Any]] = []  # [kind, path, index or key, seen keys, expecting a key]
    values = 0
    root: tuple[Any, ...] = ()

    def where(offset: int) -> Location:
        line, column = lines(offset)
        return Location(file=file, line=line, column=column)

    for match in _JSON_TOKEN.finditer(text):
        kind, start = match.lastgroup, match.start()
        if clock.due():
            clock.stop(report, where(start))
        if kind in ("other", "word"):
            if kind == "word" and match.group() in ("true", "false", "null"):
                kind = "literal"
            else:
                return not report.errors  # not JSON: the parser reports it where it is
        top = stack[-1] if stack else None
        if kind == "colon":
            continue
        if kind == "comma":
            if top is not None:
                if top[0] == "object":
                    top[4] = True
                else:
                    top[2] += 1
            continue
        if kind == "close":
            if stack:
                stack.pop()
            continue
        if top is not None and top[0] == "object" and top[4]:
            if kind != "str":
                return not report.errors
            key = _json_string(match.group())
            line, column = lines(start)
            if key in top[3]:
                report.add(
                    ErrorCode.DUPLICATE_KEY,
                    Location(file=file, line=line, column=column),
                    key=_shorten(key),
                    first=top[3][key],
                )
            top[3].setdefault(key, line)
            top[2] = key
            top[4] = False
            smap.positions[(*top[1], key)] = (line, column)
            continue
        # a value starts here
        path = root if top is None else (*top[1], top[2])
        smap.positions.setdefault(path, lines(start))
        values += 1
        if values > lim.max_nodes:
            report.add(
                ErrorCode.TOO_MANY_VALUES,
                where(start),
                limit=f"{lim.max_nodes:,}",
                detail="",
                setting="max_document_nodes",
            )
            return False
        if kind == "open":
            if len(stack) + 1 > lim.max_depth:
                report.add(ErrorCode.NESTING_TOO_DEEP, where(start), limit=lim.max_depth, detail="")
                return False
            if match.group() == "{":
                stack.append(["object", path, None, {}, True])
            else:
                stack.append(["array", path, 0, None, False])
        elif kind == "const":
            report.add(ErrorCode.NUMBER_NOT_FINITE, where(start), value=match.group())
        elif kind == "num":
            digits = match.group().lstrip("-")
            if digits.isdigit() and len(digits) > lim.max_int_digits:
                report.add(
                    ErrorCode.NUMBER_TOO_LONG,
                    where(start),
                    digits=f"{len(digits):,}",
                    limit=f"{lim.max_int_digits:,}",
                )
            elif not digits.isdigit() and not math.isfinite(float(match.group())):
                report.add(ErrorCode.NUMBER_NOT_FINITE, where(start), value=_shorten(match.group()))
        elif kind == "str" and "\\" in match.group():
            try:
                value = json.loads(match.group())
            except ValueError:
                return not report.errors
            bad = _BAD_IN_VALUE.search(value)
            if bad is not None:
                report.add(ErrorCode.CONTROL_CHARACTER, where(start), char=_char(bad.group()))
    return not report.errors


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
#: escapes that may decode to a control character or half of a surrogate pair
_SUSPECT_ESCAPE = re.compile(r"\\u(?:00[01]|007f|00[89]|d[89a-f])", re.IGNORECASE)


def _json_suspect(text: str, lim: ReadLimits) -> bool:
    """A fast look, at nearly C speed, for anything the token scan would refuse; on a large file whose
    positions are not wanted the scan runs only then. It errs on the side of scanning."""
    if _SUSPECT_ESCAPE.search(text) or "NaN" in text or "Infinity" in text:
        return True
    if re.search(rf"[0-9]{{{lim.max_int_digits + 1}}}|[eE]\+?[0-9]{{3}}", text):
        return True
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if len(brackets) + text.count(",") + 1 > lim.max_nodes:
        return True
    depth = deepest = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        deepest = max(deepest, depth)
    return deepest > lim.max_depth


def parse_json(
    text: str, file: str | None = None, *, limits: ReadLimits | None = None, positions: bool = True
) -> tuple[Any, SourceMap, Report]:
    """Parse JSON text. Returns ``(data, source_map, report)``; data is ``None`` when it cannot be used.

    The token scan records the position of every value and locates every problem; ``positions=False`` (a
    large data file whose values are not located by line) runs it only when a fast look finds something it
    would refuse."""
    lim = limits or read_limits()
    smap, report = SourceMap(file=file), Report(subject=file)
    scanned = False
    duplicates: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        data = dict(items)
        if len(data) < len(items):
            duplicates.append(True)
        return data

    try:
        if positions or _json_suspect(text, lim):
            scanned = True
            if not _scan_json(text, file, smap, report, lim):
                return None, smap, report
        data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=pairs)
        if duplicates and not scanned:  # the scan locates them
            _scan_json(text, file, smap, report, lim)
            return None, smap, report
    except _Stop:
        return None, smap, report
    except json.JSONDecodeError as err:
        report.add(
            ErrorCode.JSON_SYNTAX, Location(file=file, line=err.lineno, column=err.colno), detail=err.msg
        )
        return None, smap, report
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as err:
        _last_resort(err, file, report, lim)
        return None, smap, report
    return data, smap, report


def _refuse_constant(name: str) -> Any:  # pragma: no cover - the scan refuses them first
    raise ValueError(f"{name} is not a finite number")


# --------------------------------------------------------------------------------------------------------
# documents
# --------------------------------------------------------------------------------------------------------


@dataclass
class Document:
    """A parsed YAML or JSON file: the data (``None`` when unusable), positions, and the problems."""

    path: Path
    data: Any
    source_map: SourceMap
    report: Report

    @property
    def file(self) -> str:
        return self.source_map.file or str(self.path)

    @property
    def ok(self) -> bool:
        return self.report.ok


def read_yaml_file(
    path: str | Path, *, file: str | None = None, limits: ReadLimits | None = None
) -> Document:
    """A YAML file, safely: see :func:`parse_yaml`."""
    return _read(Path(path), "yaml", file, limits)


def read_json_file(
    path: str | Path, *, file: str | None = None, limits: ReadLimits | None = None, positions: bool = True
) -> Document:
    """A JSON file, safely: see :func:`parse_json` (``positions=False`` for a large data file)."""
    return _read(Path(path), "json", file, limits, positions)


def read_document(
    path: str | Path, *, format: str | None = None, file: str | None = None, limits: ReadLimits | None = None
) -> Document:
    """A YAML or JSON file, chosen by ``format`` or the extension (YAML when neither says)."""
    path = Path(path)
    return _read(path, format or DOCUMENT_FORMATS.get(path.suffix.lower(), "yaml"), file, limits)


def _read(
    path: Path, fmt: str, file: str | None, limits: ReadLimits | None, positions: bool = True
) -> Document:
    shown = file or str(path)
    lim = limits or read_limits()
    report = Report(subject=shown)
    text = read_text_file(path, report, limits=lim, file=shown)
    if text is None:
        return Document(path, None, SourceMap(file=shown), report)
    if fmt == "yaml":
        data, smap, problems = parse_yaml(text, shown, limits=lim)
    else:
        data, smap, problems = parse_json(text, shown, limits=lim, positions=positions)
    report.extend(problems)
    return Document(path, data, smap, report)


# --------------------------------------------------------------------------------------------------------
# CSV: the encoding recognised or refused
# --------------------------------------------------------------------------------------------------------

_CYRILLIC = re.compile("[\u0400-\u04ff]")
_WORD = re.compile(r"[^\W\d_]+")
#: 8-bit encodings recognised from the content: those the people using surveykit save CSV files in
_CANDIDATES = (("cp1251", "Windows-1251"), ("koi8-r", "KOI8-R"), ("cp1252", "Windows-1252 (Latin-1)"))
#: fewer letters outside ASCII than this are too little evidence to recognise an encoding
_MIN_EVIDENCE = 8
#: how often each letter occurs in Russian text, per cent (the National Corpus of the Russian Language);
#: other Cyrillic letters (Ukrainian, Belarusian) count as 0.5
_RUSSIAN = dict(
    zip(
        "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
        (10.97, 8.45, 8.01, 7.35, 6.70, 6.26, 5.47, 4.73, 4.54, 4.40, 3.49, 3.21, 2.98, 2.81, 2.62, 2.01, 1.90,
         1.74, 1.70, 1.65, 1.59, 1.44, 1.21, 0.97, 0.94, 0.73, 0.64, 0.48, 0.36, 0.32, 0.26, 0.04, 0.04),
        strict=True,
    )
)  # fmt: skip


def _russian_score(letters: str) -> float:
    """Mean log-frequency of the letters in Russian: KOI8-R read as Windows-1251 (or the reverse) turns
    frequent letters into rare ones and scores far lower than the right reading."""
    return sum(math.log(_RUSSIAN.get(c, 0.5)) for c in letters.lower()) / max(len(letters), 1)


def _reading(text: str, codec: str) -> float | None:
    """How well ``text`` reads as real words in ``codec`` (higher is better), or ``None`` when it does not.
    Cyrillic: words are Cyrillic or Latin, never a mix (Latin-1 read as Windows-1251 gives "Zьrich"), scored
    by letter frequency; Latin-1: accented letters are a minority of the letters of the words holding them
    (Russian read as Windows-1252 gives words made only of accented letters)."""
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    if sum(not c.isascii() for w in words for c in w) < _MIN_EVIDENCE:
        return None
    if codec in ("cp1251", "koi8-r"):
        cyrillic = [w for w in words if _CYRILLIC.search(w)]
        mixed = [w for w in cyrillic if re.search("[A-Za-z]", w)]
        # KOI8-R and Windows-1251 read as each other swap the case: "Всё" becomes "бЯ╦"
        odd_case = [w for w in cyrillic if not (w.islower() or w.isupper() or w.istitle())]
        if (
            not cyrillic
            or len(mixed) > 0.05 * len(cyrillic)
            or len(cyrillic) < 0.95 * len(words)
            or len(odd_case) > 0.1 * len(cyrillic)
        ):
            return None
        return _russian_score("".join(cyrillic))
    letters = "".join(words)
    if _CYRILLIC.search(letters) or sum(not c.isascii() for c in letters) > 0.34 * len(letters):
        return None
    return 0.0


def _recognise(data: bytes) -> tuple[str, str] | None:
    """The one 8-bit encoding in which ``data`` reads plausibly, or ``None`` when none does, or more than one
    does without one reading clearly better (Windows-1251 against KOI8-R: by letter frequency)."""
    found: list[tuple[float, str, str]] = []
    for codec, name in _CANDIDATES:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _reading(text, codec) if _BAD_IN_VALUE.search(text) is None else None
        if score is not None:
            found.append((score, codec, name))
    if len(found) == 1:
        return found[0][1], found[0][2]
    cyrillic = sorted((f for f in found if f[1] != "cp1252"), reverse=True)
    if len(found) == 2 and len(cyrillic) == 2 and cyrillic[0][0] - cyrillic[1][0] > 0.3:
        return cyrillic[0][1], cyrillic[0][2]
    return None


#: how to fix an encoding that cannot be told, for a CSV file (callers that take --encoding say so too)
_CSV_OPTION = Translated(en=" (in Excel: 'CSV UTF-8')", ru=" (в Excel: «CSV UTF-8»)")


def read_csv_text(
    path: str | Path,
    report: Report,
    *,
    encoding: str | None = None,
    limits: ReadLimits | None = None,
    file: str | None = None,
    option: Any = _CSV_OPTION,
) -> str | None:
    """The text of :func:`read_text_data` (a CSV file's text, or ``None`` with the problems in ``report``)."""
    return read_text_data(path, report, encoding=encoding, limits=limits, file=file, option=option)[0]


def read_text_data(
    path: str | Path,
    report: Report,
    *,
    encoding: str | None = None,
    limits: ReadLimits | None = None,
    file: str | None = None,
    option: Any = _CSV_OPTION,
) -> tuple[str | None, str | None]:
    """A CSV (or other text data) file as text. UTF-8 (with or without a BOM) and UTF-16/32 with a BOM are
    read as such; an ``encoding`` named by the user is used strictly; otherwise Windows-1251, KOI8-R or
    Windows-1252 is used only when exactly one of them reads as real words, with a warning (SK151) naming
    it. Anything else is refused (SK150) with the first byte that is not UTF-8: never read as mojibake.
    ``option`` ends the hint of SK150 (a caller that takes ``--encoding`` names it there).

    The one home of the recognition of a text file's encoding: ``(text, codec)``, ``(None, None)`` when the
    file is refused (the problems are in ``report``)."""
    shown = file or str(path)
    data = read_bytes(path, report, limits=limits, file=shown)
    if data is None:
        return None, None
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            report.add(
                ErrorCode.ENCODING_UNKNOWN,
                Location(file=shown),
                detail=f"there is no encoding called '{encoding}'",
                option=Translated(
                    en=", or name a known encoding, e.g. utf-8, cp1251, koi8-r, cp1252",
                    ru=" или укажите известную кодировку, например utf-8, cp1251, koi8-r, cp1252",
                ),
            )
            return None, None
        except UnicodeDecodeError as err:
            detail, line, column = _decode_error(data, err)
            report.add(
                ErrorCode.ENCODING_UNKNOWN,
                Location(file=shown, line=line, column=column),
                detail=f"{detail} is not {encoding}",
                option=option,
            )
            return None, None
        return _no_controls(text, shown, report), encoding
    found = _bom(data)
    if found is not None:
        codec, skip = found
        try:
            plain = codec.replace("-sig", "")
            return _no_controls(data[skip:].decode(plain), shown, report), plain
        except UnicodeDecodeError as err:
            detail, line, column = _decode_error(data, err, skip)
            report.add(
                ErrorCode.ENCODING_UNKNOWN,
                Location(file=shown, line=line, column=column),
                detail=f"{detail} does not fit the byte-order mark of {codec}",
                option=option,
            )
            return None, None
    try:
        return _no_controls(data.decode("utf-8"), shown, report), "utf-8"
    except UnicodeDecodeError as err:
        detail, line, column = _decode_error(data, err)
    recognised = _recognise(data)
    if recognised is None:
        report.add(
            ErrorCode.ENCODING_UNKNOWN,
            Location(file=shown, line=line, column=column),
            detail=f"{detail} is not UTF-8",
            option=option,
        )
        return None, None
    codec, name = recognised
    report.add(ErrorCode.ENCODING_DETECTED, Location(file=shown), Severity.WARNING, encoding=name)
    return _no_controls(data.decode(codec), shown, report), codec


def _no_controls(text: str, file: str, report: Report) -> str | None:
    """NUL and other control characters mean a binary file or a wrong encoding: refused, located."""
    return text if _control_in_text(text, file, report, _BAD_IN_VALUE) else None


# --------------------------------------------------------------------------------------------------------
# workbooks (.xlsx)
# --------------------------------------------------------------------------------------------------------


def check_workbook(
    path: str | Path, report: Report, *, limits: ReadLimits | None = None, file: str | None = None
) -> bool:
    """Checks before a workbook is opened: a regular file within ``max_file_mb``, a zip archive (a
    damaged or renamed file is SK110, not a traceback), and no zip bomb (SK152). True when it may be opened."""
    lim = limits or read_limits()
    path = Path(path)
    shown = file or str(path)
    where = Location(file=shown)
    before = len(report.errors)
    if not check_file(path, report, limits=lim, file=shown):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as err:
        report.add(
            ErrorCode.XLSX_UNREADABLE,
            where,
            detail=f"it is not an Excel 2007+ workbook (not a zip archive: {err})",
        )
        return False
    except (OSError, ValueError, EOFError, NotImplementedError) as err:
        report.add(ErrorCode.XLSX_UNREADABLE, where, detail=f"{type(err).__name__}: {err}")
        return False
    unpacked = sum(m.file_size for m in members)
    if unpacked > lim.max_unpacked_bytes:
        report.add(
            ErrorCode.ARCHIVE_TOO_LARGE,
            where,
            detail=f"{_mb(unpacked)} MB, more than the limit of {_mb(lim.max_unpacked_bytes)} MB",
        )
    for member in members:
        # a part over 1 MB packed at a ratio no real spreadsheet reaches is a zip bomb
        if member.file_size > MB and member.file_size > lim.max_zip_ratio * max(member.compress_size, 1):
            ratio = member.file_size // max(member.compress_size, 1)
            report.add(
                ErrorCode.ARCHIVE_TOO_LARGE,
                where,
                detail=f"{_mb(member.file_size)} MB from {member.compress_size:,} bytes in '{member.filename}' "
                f"({ratio:,} times, more than the limit of {lim.max_zip_ratio})",
            )
            break
    return len(report.errors) == before


def check_table(
    rows: int | None,
    columns: int | None,
    report: Report,
    *,
    file: str,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
) -> bool:
    """True when a table of ``rows`` x ``columns`` (``None``: not known yet) is within ``max_rows`` and
    ``max_columns``; otherwise SK153 is added. For readers that learn a table's size first (an SPSS or
    Stata header, a CSV heading line, a calamine sheet's dimensions) before reading it into memory."""
    lim = limits or read_limits()
    ok = True
    for count, limit, unit, setting in (
        (rows, lim.max_rows, "rows", "max_rows"),
        (columns, lim.max_columns, "columns", "max_columns"),
    ):
        if count is not None and count > limit:
            report.add(
                ErrorCode.TABLE_TOO_LARGE,
                Location(file=file, sheet=sheet),
                what="the file" if sheet is None else f"sheet '{sheet}'",
                limit=f"{limit:,}",
                unit=unit,
                setting=setting,
            )
            ok = False
    return ok


@dataclass
class Sheet:
    """One sheet of a workbook: its non-empty rows as ``(row number, values)``, cut to the table's width."""

    title: str
    rows: list[tuple[int, tuple[Any, ...]]]

    def dense(self) -> list[tuple[Any, ...]]:
        """Rows from row 1 to the last non-empty one; an empty row in between is ``()``."""
        out: list[tuple[Any, ...]] = []
        for number, values in self.rows:
            out.extend([()] * (number - 1 - len(out)))
            out.append(values)
        return out


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    try:
        return get_column_letter(index)
    except ValueError:
        return str(index)


def read_workbook(
    path: str | Path, report: Report, *, limits: ReadLimits | None = None, file: str | None = None
) -> list[Sheet] | None:
    """Every sheet of an .xlsx as rows of values (formulas: their saved results), after :func:`check_workbook`.

    Rows are read sparsely, straight from the sheet's XML: a stray cell far below the data costs nothing,
    and one far to the right in many rows costs nothing either. The first non-empty row is the heading row;
    values right of its last heading are left out with one warning per sheet (SK153 names the first such
    cell), and a heading row wider than ``max_columns`` or more than ``max_rows`` non-empty rows is refused
    (SK153). Damaged workbooks are SK110, deep XML SK143, memory SK155; ``None`` then."""
    lim = limits or read_limits()
    path = Path(path)
    shown = file or str(path)
    if not check_workbook(path, report, limits=lim, file=shown):
        return None
    import warnings

    import openpyxl
    from openpyxl.worksheet._reader import WorkSheetParser

    clock = _Clock(lim)
    sheets: list[Sheet] = []
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (data validation, conditional formats)
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                for worksheet in workbook.worksheets:
                    if not hasattr(worksheet, "_get_source"):  # a chart sheet: no cells
                        continue
                    sheet = _read_sheet(workbook, worksheet, WorkSheetParser, shown, report, lim, clock)
                    if sheet is None:
                        return None
                    sheets.append(sheet)
            finally:
                workbook.close()
    except _Stop:
        return None
    except RecursionError:
        report.add(
            ErrorCode.NESTING_TOO_DEEP,
            Location(file=shown),
            limit=lim.max_depth,
            detail=" (in the workbook's XML)",
        )
        return None
    except MemoryError:
        report.add(ErrorCode.OUT_OF_MEMORY, Location(file=shown), detail=" (the workbook)")
        return None
    # a damaged workbook fails deep inside openpyxl, zipfile, zlib or the XML parser with errors of many kinds;
    # this is the one place a workbook is opened, so every one of them becomes SK110 here
    except Exception as err:
        report.add(ErrorCode.XLSX_UNREADABLE, Location(file=shown), detail=_root_cause(err))
        return None
    return sheets


def _root_cause(err: BaseException) -> str:
    """The innermost error behind ``err`` (openpyxl wraps the XML parser's in a long generic message)."""
    seen = {id(err)}
    while (inner := err.__cause__ or err.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        err = inner
    return f"{type(err).__name__}: {err}".rstrip(": ")


def _read_sheet(
    workbook: Any,
    worksheet: Any,
    parser_class: Any,
    file: str,
    report: Report,
    lim: ReadLimits,
    clock: _Clock,
) -> Sheet | None:
    rows: list[tuple[int, tuple[Any, ...]]] = []
    width: int | None = None
    outside = 0
    first_outside: tuple[int, int] | None = None
    with worksheet._get_source() as source:
        parser = parser_class(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            if clock.due():
                clock.stop(report, Location(file=file, sheet=worksheet.title, row=number))
            cells = [c for c in cells if c["value"] is not None and c["value"] != ""]
            if not cells:
                continue
            if width is None:  # the heading row
                width = max(c["column"] for c in cells)
                if width > lim.max_columns:
                    report.add(
                        ErrorCode.TABLE_TOO_LARGE,
                        Location(file=file, sheet=worksheet.title, row=number, field=_column_letter(width)),
                        what="the heading row",
                        limit=f"{lim.max_columns:,}",
                        unit="columns",
                        setting="max_columns",
                    )
                    return None
            kept = [c for c in cells if c["column"] <= width]
            if len(kept) < len(cells):
                outside += len(cells) - len(kept)
                if first_outside is None:
                    first_outside = (number, min(c["column"] for c in cells if c["column"] > width))
            if not kept:
                continue
            values: list[Any] = [None] * max(c["column"] for c in kept)
            for cell in kept:
                values[cell["column"] - 1] = cell["value"]
            if len(rows) >= lim.max_rows:
                report.add(
                    ErrorCode.TABLE_TOO_LARGE,
                    Location(file=file, sheet=worksheet.title, row=number),
                    what=f"sheet '{worksheet.title}'",
                    limit=f"{lim.max_rows:,}",
                    unit="rows",
                    setting="max_rows",
                )
                return None
            rows.append((number, tuple(values)))
    if first_outside is not None:
        row, column = first_outside
        report.add(
            ErrorCode.CELLS_OUTSIDE_TABLE,
            Location(file=file, sheet=worksheet.title, row=row, field=_column_letter(column)),
            Severity.WARNING,
            count=f"{outside:,}",
        )
    return Sheet(worksheet.title, rows)
