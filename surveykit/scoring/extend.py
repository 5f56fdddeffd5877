"""Profiles that extend another: ``extends: ru_nok_344n_2018`` and only what differs.

A region's council keeps the federal method and changes, say, its own stand and website item lists. Its
profile names the base (a profile id, looked up beside the file and then in ``questionnaires/methodology``,
or a path relative to the file) and writes only the changes. The rules of the merge (one home; documented
in ``docs/methodology.md``, "Profiles that extend another"):

* mappings merge key by key, the extending profile's value wins (``sample: {cap: 300}`` changes the cap only;
  ``labels`` add or replace item names);
* ``criteria`` are matched by ``id``, their ``indicators`` by ``id``, an indicator's ``channels`` by
  ``name``: a matched entry merges like a mapping, a new one is appended, and ``remove: true`` removes one;
* every other list (``items``, ``required``, ``legal_refs``, ``bands.table``, ``ranking.ties`` ...) is
  replaced whole;
* the extending profile has its own ``id``; a base may itself extend another (a cycle is an error).

The merged profile is checked like any other; each problem is located in the file its text comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from surveykit.errors import ErrorCode, Location, Report
from surveykit.sourcemap import SourceMap, read_text, read_yaml

__all__ = ["MergedSourceMap", "extend_profile"]

#: lists merged entry by entry, and the key that matches their entries
KEYED_LISTS = {"criteria": "id", "indicators": "id", "channels": "name"}
_REMOVE = "remove"
_MISSING = object()


class MergedSourceMap(SourceMap):
    """Positions of a merged profile, each in the file its value comes from."""

    def __init__(self, file: str | None, origins: dict[tuple[Any, ...], tuple[str | None, int, int]]) -> None:
        super().__init__(file=file)
        self.origins = origins
        self.positions = {path: (line, col) for path, (_, line, col) in origins.items()}

    def locate(self, data_path, /, **extra: Any) -> Location:  # type: ignore[override]
        key = tuple(data_path)
        while key and key not in self.origins:
            key = key[:-1]
        file, line, column = self.origins.get(key, (self.file, None, None))
        return Location(file=file, line=line, column=column, **extra)


def _key(value: Any) -> str:
    """Ids as text: YAML reads 1.1 as a float."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _locate_base(name: str, child_file: str | None) -> Path | None:
    from surveykit.scoring.profile import profiles_dir

    folder = Path(child_file).parent if child_file else profiles_dir()
    candidate = Path(name)
    if candidate.suffix.lower() in (".yaml", ".yml") or len(candidate.parts) > 1:
        path = candidate if candidate.is_absolute() else folder / candidate
        return path if path.is_file() else None
    for path in (folder / f"{name}.yaml", profiles_dir() / f"{name}.yaml"):
        if path.is_file():
            return path
    return None


def extend_profile(
    data: Mapping[str, Any], smap: SourceMap, report: Report, *, _chain: tuple[str, ...] = ()
) -> tuple[dict[str, Any] | None, SourceMap, list[str]]:
    """The profile ``data`` merged onto the profile it extends (recursively), its source map, and the files
    of the bases (nearest first). ``None`` data when a base cannot be used (the problems are in ``report``)."""
    if "extends" not in data:
        return dict(data), smap, []
    from surveykit.scoring.profile import list_profiles

    name = data.get("extends")
    where = smap.locate(("extends",))
    available = ", ".join(p.id for p in list_profiles()) or "none"
    if not isinstance(name, str) or not name.strip():
        report.add(
            ErrorCode.PROFILE_BASE_UNKNOWN,
            where,
            base=str(name),
            reason="is not a profile id",
            available=available,
        )
        return None, smap, []
    path = _locate_base(name.strip(), smap.file)
    if path is None:
        report.add(
            ErrorCode.PROFILE_BASE_UNKNOWN,
            where,
            base=name,
            reason="cannot be found beside this file or in questionnaires/methodology",
            available=available,
        )
        return None, smap, []
    here = str(Path(smap.file).resolve()) if smap.file else ""
    resolved = str(path.resolve())
    if resolved in (*_chain, here):
        report.add(
            ErrorCode.PROFILE_BASE_UNKNOWN,
            where,
            base=name,
            reason="extends this profile again (a cycle: " + " → ".join([*_chain, here, resolved]) + ")",
            available=available,
        )
        return None, smap, []
    text = read_text(path, report)
    if text is None:
        return None, smap, []
    base, base_map, syntax = read_yaml(text, file=str(path))
    report.extend(syntax)
    if not isinstance(base, Mapping):
        report.add(
            ErrorCode.PROFILE_BASE_UNKNOWN,
            where,
            base=name,
            reason="is not a profile (a mapping of fields)",
            available=available,
        )
        return None, smap, []
    base, base_map, chain = extend_profile(base, base_map, report, _chain=(*_chain, here))
    if base is None:
        return None, smap, []
    own_id = data.get("id")
    if own_id is not None and _key(own_id) == _key(base.get("id")):
        report.add(
            ErrorCode.PROFILE_INVALID,
            smap.locate(("id",)),
            detail=f"a profile that extends '{name}' needs its own id (not '{own_id}')",
        )
        return None, smap, []
    child = {k: v for k, v in data.items() if k != "extends"}
    merge = _Merge(base_map, smap, report)
    merged = merge.value(base, (), child, (), ())
    if own_id is None:
        merged.pop("id", None)  # the extending profile must name itself: reported as a missing id
    return merged, MergedSourceMap(smap.file, merge.origins), [str(path), *chain]


def _copy(smap: SourceMap, source: tuple[Any, ...], target: tuple[Any, ...], origins: dict) -> None:
    """Positions of the subtree at ``source`` in ``smap``, moved to ``target`` in the merged document."""
    file = smap.file
    if isinstance(smap, MergedSourceMap):
        for path, origin in smap.origins.items():
            if path[: len(source)] == source:
                origins[(*target, *path[len(source) :])] = origin
        return
    for path, (line, column) in smap.positions.items():
        if path[: len(source)] == source:
            origins[(*target, *path[len(source) :])] = (file, line, column)


class _Merge:
    """One merge of an extending profile onto its base: the merged data and where each value comes from."""

    def __init__(self, base_map: SourceMap, child_map: SourceMap, report: Report) -> None:
        self.base_map = base_map
        self.child_map = child_map
        self.report = report
        self.origins: dict[tuple[Any, ...], tuple[str | None, int, int]] = {}

    def value(
        self,
        base: Any,
        base_path: tuple[Any, ...],
        child: Any,
        child_path: tuple[Any, ...],
        out_path: tuple[Any, ...],
    ) -> Any:
        if child is _MISSING:
            _copy(self.base_map, base_path, out_path, self.origins)
            return base
        if base is _MISSING:
            _copy(self.child_map, child_path, out_path, self.origins)
            return child
        if isinstance(base, Mapping) and isinstance(child, Mapping):
            self.mark(out_path, child_path, base_path)
            out: dict[str, Any] = {}
            for key in [*base, *(k for k in child if k not in base)]:
                out[key] = self.value(
                    base.get(key, _MISSING),
                    (*base_path, key),
                    child.get(key, _MISSING),
                    (*child_path, key),
                    (*out_path, key),
                )
            return out
        field = out_path[-1] if out_path and isinstance(out_path[-1], str) else None
        if field in KEYED_LISTS and isinstance(base, list) and isinstance(child, list):
            return self.keyed(base, base_path, child, child_path, out_path, KEYED_LISTS[field])
        _copy(self.child_map, child_path, out_path, self.origins)
        return child

    def mark(
        self, out_path: tuple[Any, ...], child_path: tuple[Any, ...], base_path: tuple[Any, ...]
    ) -> None:
        position = _position(self.child_map, child_path) or _position(self.base_map, base_path)
        if position is not None:
            self.origins[out_path] = position

    def keyed(
        self,
        base: list[Any],
        base_path: tuple[Any, ...],
        child: list[Any],
        child_path: tuple[Any, ...],
        out_path: tuple[Any, ...],
        key: str,
    ) -> list[Any]:
        """Entries matched by ``key``: merged where both have one, removed with ``remove: true``, new ones last."""
        self.mark(out_path, child_path, base_path)
        by_key = {_key(e[key]): j for j, e in enumerate(child) if isinstance(e, Mapping) and key in e}
        used: set[int] = set()
        out: list[Any] = []
        for i, entry in enumerate(base):
            j = by_key.get(_key(entry[key])) if isinstance(entry, Mapping) and key in entry else None
            if j is None:
                out.append(self.value(entry, (*base_path, i), _MISSING, (), (*out_path, len(out))))
                continue
            used.add(j)
            change = child[j]
            if change.get(_REMOVE) is True:
                continue
            change = {k: v for k, v in change.items() if k != _REMOVE}
            out.append(self.value(entry, (*base_path, i), change, (*child_path, j), (*out_path, len(out))))
        known = [_key(e[key]) for e in base if isinstance(e, Mapping) and key in e]
        for j, entry in enumerate(child):
            if j in used:
                continue
            if isinstance(entry, Mapping) and entry.get(_REMOVE) is True:
                from surveykit.errors import did_you_mean

                wanted = _key(entry.get(key))
                self.report.add(
                    ErrorCode.PROFILE_INVALID,
                    self.child_map.locate((*child_path, j, _REMOVE)),
                    detail=f"'{wanted}' is removed, but the base profile has no such entry{did_you_mean(wanted, known)}",
                )
                continue
            _copy(self.child_map, (*child_path, j), (*out_path, len(out)), self.origins)
            out.append(entry)
        return out


def _position(smap: SourceMap, path: tuple[Any, ...]) -> tuple[str | None, int, int] | None:
    if isinstance(smap, MergedSourceMap):
        return smap.origins.get(path)
    found = smap.positions.get(path)
    return (smap.file, found[0], found[1]) if found else None
