"""Reading YAML and JSON with positions, so every problem can name its file and line.

:func:`read_yaml` returns the data and a :class:`SourceMap` from data paths (``("items", 2, "relevant")``)
to line and column. The reading itself is done by :mod:`surveykit.fileio`, the one home of safe reading
(YAML 1.2 booleans, duplicate keys reported, bounded depth, aliases and size); this module keeps the
source map and the YAML writer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from surveykit.errors import Location, Report

__all__ = ["SourceMap", "data_path", "read_json", "read_yaml", "write_yaml"]

Path_ = tuple[Any, ...]


def data_path(
    loc: Sequence[Any],
    data: Any,
    *,
    tags: Collection[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> tuple[Any, ...]:
    """The data path of a pydantic error location ``loc`` in ``data``: only real keys and indexes.

    pydantic puts union tags (``tags``: "group", "question", an indicator type...), validator names (with
    "[") and Python field names that differ from the file's (``aliases``: ``{"in_": "in"}``) in its
    locations; a missing or unknown key ends the path (so the error points at the mapping that lacks it).
    """
    aliases = aliases or {}
    path: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, Mapping):
            key = part if part in node else aliases.get(part) if isinstance(part, str) else None
            if key is not None and key in node:
                path.append(key)
                node = node[key]
            elif isinstance(part, str) and part not in tags and "[" not in part:
                path.append(part)
                break
        elif isinstance(node, list) and isinstance(part, int):
            path.append(part)
            node = node[part] if 0 <= part < len(node) else None
    return tuple(path)


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


def read_yaml(text: str, file: str | None = None) -> tuple[Any, SourceMap, Report]:
    """Parse YAML text safely (:func:`surveykit.fileio.parse_yaml`: bounded depth, aliases and size,
    control characters refused). Returns ``(data, source_map, report)``; on a problem data is ``None``."""
    from surveykit.fileio import parse_yaml

    return parse_yaml(text, file)


def read_json(text: str, file: str | None = None) -> tuple[Any, SourceMap, Report]:
    """Parse JSON text safely (:func:`surveykit.fileio.parse_json`: bounded depth, duplicate keys and
    NaN/Infinity refused), with the position of every value."""
    from surveykit.fileio import parse_json

    return parse_json(text, file)


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
    """File text as UTF-8 (BOM tolerated), or ``None`` with a problem added when it cannot be read: missing,
    a folder, too large, not UTF-8 (:func:`surveykit.fileio.read_text_file`)."""
    from surveykit.fileio import read_text_file

    return read_text_file(path, report if report is not None else Report())
