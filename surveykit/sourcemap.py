"""Reading YAML and JSON with positions, so every problem can name its file and line.

:func:`read_yaml` returns the data and a :class:`SourceMap` from data paths (``("items", 2, "relevant")``)
to line and column. YAML is read with YAML 1.2 booleans (only ``true``/``false``): in YAML 1.1 an unquoted
``no`` (a choice name, or the Norwegian language code) silently becomes ``False``. Duplicate keys, which
PyYAML would silently collapse, are reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from surveykit.errors import ErrorCode, Location, Report, Severity

__all__ = ["SourceMap", "read_json", "read_yaml", "write_yaml"]

Path_ = tuple[Any, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class SourceMap:
    """Positions of the values (and keys) of a parsed document."""

    file: str | None = None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def locate(self, data_path: Sequence[Any], /, **extra: Any) -> Location:
        """Location of ``data_path``, or of its nearest ancestor that has a position."""
        key = tuple(data_path)
        while key and key not in self.positions:
            key = key[:-1]
        line, column = self.positions.get(key, (None, None))
        return Location(file=self.file, line=line, column=column, **extra)


def _walk(node: yaml.Node, path: Path_, smap: SourceMap, report: Report) -> None:
    stack = [(node, path)]
    while stack:
        current, where = stack.pop()
        smap.positions.setdefault(where, (current.start_mark.line + 1, current.start_mark.column + 1))
        if isinstance(current, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in current.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    report.add(
                        ErrorCode.FIELD_INVALID,
                        Location(file=smap.file, line=line, column=key_node.start_mark.column + 1),
                        field=key,
                        detail=f"the key '{key}' appears twice (first on line {seen[key]})",
                        fix="Keep one of them; YAML would silently use the last.",
                    )
                seen.setdefault(key, line)
                smap.positions[(*where, key)] = (line, key_node.start_mark.column + 1)
                stack.append((value_node, (*where, key)))
        elif isinstance(current, yaml.SequenceNode):
            for index, child in enumerate(current.value):
                stack.append((child, (*where, index)))


def read_yaml(text: str, file: str | None = None) -> tuple[Any, SourceMap, Report]:
    """Parse YAML text. Returns ``(data, source_map, report)``; on a syntax error data is ``None``."""
    smap, report = SourceMap(file=file), Report(subject=file)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, smap, report
        _walk(node, (), smap, report)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        location = Location(
            file=file, line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None
        )
        detail = " ".join(str(x) for x in (err.context, err.problem) if x)
        report.add(ErrorCode.YAML_SYNTAX, location, detail=detail)
        return None, smap, report
    except yaml.YAMLError as err:
        report.add(ErrorCode.YAML_SYNTAX, Location(file=file), detail=str(err))
        return None, smap, report
    finally:
        loader.dispose()
    return data, smap, report


def read_json(text: str, file: str | None = None) -> tuple[Any, SourceMap, Report]:
    """Parse JSON text (positions only for syntax errors: JSON files are machine-written)."""
    smap, report = SourceMap(file=file), Report(subject=file)
    try:
        return json.loads(text), smap, report
    except json.JSONDecodeError as err:
        report.add(
            ErrorCode.JSON_SYNTAX, Location(file=file, line=err.lineno, column=err.colno), detail=err.msg
        )
        return None, smap, report


class _Dumper(yaml.SafeDumper):
    """Block style, key order kept, multi-line strings as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def write_yaml(data: Any) -> str:
    """YAML text for ``data``: readable, Unicode kept, insertion order kept."""
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False
    )


def read_text(path: Path, report: Report | None = None) -> str | None:
    """File text as UTF-8 (BOM tolerated), or ``None`` with a problem added when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if report is not None:
            report.add(
                ErrorCode.FILE_NOT_FOUND, Location(file=str(path)), path=str(path), cwd=str(Path.cwd())
            )
        return None
    except UnicodeDecodeError as err:
        if report is not None:
            report.add(
                ErrorCode.FIELD_INVALID,
                Location(file=str(path)),
                Severity.ERROR,
                field="encoding",
                detail=f"the file is not UTF-8 ({err.reason} at byte {err.start})",
                fix="Save the file as UTF-8.",
            )
        return None
