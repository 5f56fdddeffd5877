"""Answers in and out of the ``answers`` table: working arrays <-> answer rows, and on to frames and values.

An answer row is ``(interview_id, path, variable, num, text, date, choices)``: one row per answered variable
and repeat instance. ``path`` is ``''`` for the main table, ``'relatives[2]'`` for the second instance of the
repeat group ``relatives`` and ``'a[1]/b[3]'`` for a nested one; a row with ``variable = ''`` marks that a
repeat instance exists, so an instance whose questions are all unanswered is kept. Exactly one typed column
holds the value: ``num`` (integer, decimal), ``text`` (text, single choice name), ``date``, ``choices`` (multiple
choice: the list of names in choice-list order). Unanswered variables have no row.

The hub is :class:`Levels`: the working arrays (see :mod:`surveykit.questionnaire.frame`) of the main table and
of every repeat group, for any number of interviews. Validation produces them (``Evaluation.levels``), drafts
are coerced into them, stored rows are read back into them; canonical frames and Python values are made from
them with ``to_canonical`` and ``python_value``. The same functions serve one interview (a submit) and 100,000
(an import), so the content hash of an interview is the same whichever way it arrived.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from surveykit.errors import ErrorCode, Location, Report, did_you_mean
from surveykit.expressions import Kind
from surveykit.questionnaire.answer_input import check_answers
from surveykit.questionnaire.compiled import Form, Variable
from surveykit.questionnaire.frame import (
    _SMALL,
    coerce,
    empty_mask,
    is_missing,
    python_value,
    to_canonical,
    values_to_columns,
)
from surveykit.store.schema import ROW_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EMPTY_HASH",
    "ROW_COLUMNS",
    "AnswerRows",
    "Level",
    "Levels",
    "answers_from_levels",
    "canonical_frame",
    "content_hashes",
    "empty_working",
    "levels_from_answers",
    "levels_from_evaluation",
    "levels_from_rows",
    "rows_from_levels",
    "rows_from_values",
    "value_column",
]

#: the content hash of an interview without any answer
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
_PATH_TAIL = re.compile(r"^(?:(?P<parent>.*)/)?(?P<repeat>[^/\[\]]+)\[(?P<index>\d+)\]$")


def value_column(var: Variable) -> str:
    """The typed column of ``answers`` that holds the variable's values."""
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        return "num"
    if var.kind is Kind.DATE:
        return "date"
    if var.kind is Kind.MULTI:
        return "choices"
    return "text"


def empty_working(var: Variable, n: int) -> np.ndarray:
    """A working array of ``n`` unanswered values (NaN, NaT or None, as ``frame.py`` defines them)."""
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        return np.full(n, np.nan)
    if var.kind is Kind.DATE:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    return np.full(n, None, dtype=object)


# --- levels ---------------------------------------------------------------------------------------------------
@dataclass
class Level:
    """The rows of one level: the main table (``parent`` None) or one repeat group."""

    n: int
    parent: np.ndarray | None  # row in the parent level of each row
    values: dict[str, np.ndarray]  # working array per variable
    index: np.ndarray | None = None  # 1-based instance number within the parent row (repeats)

    def __post_init__(self) -> None:
        if self.parent is not None and self.index is None:
            self.index = _instance_numbers(self.parent)


#: level code (None for the main table) -> Level, parents before children (the form's order)
Levels = dict[str | None, Level]


def _instance_numbers(parent: np.ndarray) -> np.ndarray:
    if not len(parent):
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(parent, kind="stable")
    sorted_parent = parent[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_parent)) + 1]
    counts = np.diff(np.r_[starts, len(parent)])
    numbers = np.arange(len(parent)) - np.repeat(starts, counts) + 1
    out = np.empty(len(parent), dtype=np.int64)
    out[order] = numbers
    return out


def levels_from_evaluation(evaluation: Any) -> Levels:
    """The levels of a :class:`~surveykit.questionnaire.validate.Evaluation` (cleaned values: calculations
    filled in, answers to questions that do not apply dropped)."""
    return {
        code: Level(
            level.n,
            None if level.parent is None else np.asarray(level.parent, dtype=np.int64),
            dict(level.values),
        )
        for code, level in evaluation.levels.items()
    }


def levels_from_answers(form: Form, answers: Mapping[str, Any]) -> tuple[Levels, Report]:
    """One interview given as ``{code: value, repeat: [{...}, ...]}`` as levels, coerced to the variables'
    types without evaluating anything (a draft). Values of the wrong type are reported (SK404, SK403)."""
    report = Report(subject=form.questionnaire.key)
    answers = check_answers(form, answers, report)  # bytes, mappings, NaN, broken text: SK410-SK414
    known = set(form.variables) | set(form.repeats)
    for code in answers:
        if code not in known:
            report.add(
                ErrorCode.ANSWER_UNKNOWN_QUESTION,
                Location(field=code),
                code=code,
                suggestion=did_you_mean(code, known),
            )
    columns, n = values_to_columns(form, [answers], None)
    levels: Levels = {None: Level(n, None, _coerce_level(form, None, columns, n, ["interview"], report))}
    rows_of: dict[str | None, list[Mapping[str, Any]]] = {None: [answers]}
    labels_of: dict[str | None, list[str]] = {None: ["interview"]}
    for code in form.repeats:  # document order: a parent repeat before its children
        parent = form.repeat_parent[code]
        rows: list[Mapping[str, Any]] = []
        parents: list[int] = []
        labels: list[str] = []
        for p, parent_row in enumerate(rows_of[parent]):
            instances = parent_row.get(code) if isinstance(parent_row, Mapping) else None
            for k, instance in enumerate(instances or [], start=1):
                rows.append(instance if isinstance(instance, Mapping) else {})
                parents.append(p)
                labels.append(f"{labels_of[parent][p]}, {code}[{k}]")
        columns, n = values_to_columns(form, rows, code)
        values = _coerce_level(form, code, columns, n, labels, report)
        levels[code] = Level(n, np.asarray(parents, dtype=np.int64), values)
        rows_of[code] = rows
        labels_of[code] = labels
    return levels, report


def _coerce_level(
    form: Form, repeat: str | None, columns: Mapping[str, Any], n: int, labels: Sequence[str], report: Report
) -> dict[str, np.ndarray]:
    values: dict[str, np.ndarray] = {}
    for var in form.variables_of(repeat):
        column = columns.get(var.code)
        if column is None or all(v is None for v in column):
            values[var.code] = empty_working(var, n)
            continue
        result = coerce(var, column, n)
        for i in np.flatnonzero(result.bad_type):
            report.add(
                ErrorCode.ANSWER_WRONG_TYPE,
                Location(field=var.code, path=labels[i]),
                value=result.raw[i],
                type=var.kind.value,
                fix=f"Send a {var.kind.value} value for '{var.code}'.",
            )
        for i in np.flatnonzero(result.not_in_list):
            report.add(
                ErrorCode.ANSWER_NOT_IN_LIST,
                Location(field=var.code, path=labels[i]),
                value=result.raw[i],
                choices=", ".join(var.choice_names),
            )
        values[var.code] = result.values
    return values


# --- levels -> answer rows ---------------------------------------------------------------------------------------
@dataclass
class AnswerRows:
    """Answer rows as column arrays (object arrays: str, float, ``datetime.date``, None; ``choices`` as
    space-separated names), grouped by interview; ``owner`` is the interview's position in the ids given."""

    columns: dict[str, np.ndarray]
    owner: np.ndarray
    value_text: np.ndarray  # the typed value as text with a kind tag, for the content hash
    ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))

    def __len__(self) -> int:
        return len(self.owner)

    def subset(self, mask: np.ndarray) -> AnswerRows:
        return AnswerRows(
            {k: v[mask] for k, v in self.columns.items()}, self.owner[mask], self.value_text[mask], self.ids
        )


def rows_from_levels(form: Form, levels: Levels, interview_ids: Sequence[str] | np.ndarray) -> AnswerRows:
    """The answer rows of ``levels``; row ``i`` of the main table is interview ``interview_ids[i]``.
    Rows come grouped by interview (in the order of the ids), then level by level in form order."""
    ids = np.asarray(interview_ids, dtype=object)
    main = levels[None]
    owner_of: dict[str | None, np.ndarray] = {None: np.arange(main.n)}
    path_of: dict[str | None, np.ndarray] = {None: np.full(main.n, "", dtype=object)}
    parts: list[
        tuple[np.ndarray, np.ndarray, str, str, np.ndarray]
    ] = []  # owner, path, variable, column, values
    _collect(form, None, main, owner_of[None], path_of[None], parts)
    for code in form.repeats:
        level = levels.get(code)
        if level is None or level.n == 0:
            owner_of[code] = np.zeros(0, dtype=np.int64)
            path_of[code] = np.zeros(0, dtype=object)
            continue
        parent_code = form.repeat_parent[code]
        owner = owner_of[parent_code][level.parent]
        prefix = path_of[parent_code][level.parent]
        segments = np.array([f"{code}[{k}]" for k in level.index.tolist()], dtype=object)
        paths = np.array(
            [s if not p else f"{p}/{s}" for p, s in zip(prefix.tolist(), segments.tolist())], dtype=object
        )
        owner_of[code] = owner
        path_of[code] = paths
        parts.append((owner, paths, "", "", np.full(level.n, None, dtype=object)))  # instance markers
        _collect(form, code, level, owner, paths, parts)
    return _assemble(parts, ids)


def rows_from_values(form: Form, values: Mapping[str, Any], interview_id: str) -> AnswerRows:
    """The answer rows of one interview of a form without repeat groups, from its working values (one per
    variable, as :func:`~surveykit.questionnaire.validate_one.check_interview` gives them), in plain Python:
    the rows, driver values and content-hash text :func:`rows_from_levels` makes for the same values."""
    variables: list[str] = []
    columns: dict[str, list[Any]] = {"num": [], "text": [], "date": [], "choices": []}
    texts: list[str] = []
    for var in form.variables_of(None):
        value = values.get(var.code)
        column = value_column(var)
        if column == "num":
            if value is None or value != value:
                continue
            driver, text = float(value), "n" + repr(float(value))
        elif column == "date":
            if value is None or np.isnat(value):
                continue
            day = value.astype("datetime64[D]")
            driver, text = day.astype(object), "d" + str(day)
        else:
            if value is None or value == "":
                continue
            driver = str(value)
            text = ("c" if column == "choices" else "t") + driver
        variables.append(var.code)
        texts.append(text)
        for name, cells in columns.items():
            cells.append(driver if name == column else None)
    n = len(variables)

    def array(items: list[Any]) -> np.ndarray:
        out = np.empty(n, dtype=object)
        out[:] = items
        return out

    arrays = {
        "interview_id": array([interview_id] * n),
        "path": array([""] * n),
        "variable": array(variables),
        **{name: array(cells) for name, cells in columns.items()},
    }
    ids = np.empty(1, dtype=object)
    ids[0] = interview_id
    return AnswerRows(
        {name: arrays[name] for name in ROW_COLUMNS}, np.zeros(n, dtype=np.int64), array(texts), ids
    )


def _collect(
    form: Form, repeat: str | None, level: Level, owner: np.ndarray, paths: np.ndarray, parts: list[Any]
) -> None:
    for var in form.variables_of(repeat):
        values = level.values.get(var.code)
        if values is None:
            continue
        answered = ~empty_mask(values)
        if not answered.any():
            continue
        idx = np.flatnonzero(answered)
        parts.append((owner[idx], paths[idx], var.code, value_column(var), values[idx]))


def _driver_values(column: str, values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Working values as driver values, and as tagged text for the content hash."""
    if column == "num":
        floats = values.astype(float).tolist()
        return np.array(floats, dtype=object), ["n" + repr(x) for x in floats]
    if column == "date":
        days = values.astype("datetime64[D]")
        return days.astype(object), ["d" + s for s in np.datetime_as_string(days).tolist()]
    if column == "choices":  # kept as space-separated names; the writer turns them into JSON lists
        texts = [str(v) for v in values.tolist()]
        return np.array(texts, dtype=object), ["c" + t for t in texts]
    texts = [str(v) for v in values.tolist()]
    return np.array(texts, dtype=object), ["t" + t for t in texts]


def _assemble(
    parts: list[tuple[np.ndarray, np.ndarray, str, str, np.ndarray]], ids: np.ndarray
) -> AnswerRows:
    total = sum(len(p[0]) for p in parts)
    columns = {name: np.full(total, None, dtype=object) for name in ROW_COLUMNS}
    owner = np.empty(total, dtype=np.int64)
    value_text = np.full(total, "", dtype=object)
    start = 0
    for part_owner, paths, variable, column, values in parts:
        stop = start + len(part_owner)
        owner[start:stop] = part_owner
        columns["path"][start:stop] = paths
        columns["variable"][start:stop] = variable
        if column:
            driver, texts = _driver_values(column, values)
            columns[column][start:stop] = driver
            value_text[start:stop] = texts
        start = stop
    order = np.argsort(owner, kind="stable")
    columns = {name: array[order] for name, array in columns.items()}
    owner = owner[order]
    columns["interview_id"] = ids[owner] if total else np.zeros(0, dtype=object)
    return AnswerRows(columns, owner, value_text[order], ids)


def content_hashes(rows: AnswerRows) -> np.ndarray:
    """SHA-256 of each interview's answer rows (what submissions are compared by), in the order of the ids
    the rows were made with; :data:`EMPTY_HASH` for an interview without answers."""
    n = len(rows.ids)
    hashes = np.full(n, EMPTY_HASH, dtype=object)
    if not len(rows):
        return hashes
    lines = [
        f"{p}\x1f{v}\x1f{t}\x1e"
        for p, v, t in zip(
            rows.columns["path"].tolist(), rows.columns["variable"].tolist(), rows.value_text.tolist()
        )
    ]
    owner = rows.owner
    bounds = np.r_[0, np.flatnonzero(np.diff(owner)) + 1, len(owner)]
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        hashes[owner[start]] = hashlib.sha256("".join(lines[start:stop]).encode("utf-8")).hexdigest()
    return hashes


# --- stored rows -> levels -----------------------------------------------------------------------------------------
def levels_from_rows(
    form: Form, rows: pd.DataFrame | Sequence[Sequence[Any]], interview_ids: Sequence[str] | np.ndarray
) -> tuple[Levels, dict]:
    """The levels of the interviews ``interview_ids`` from their stored answer rows (a frame with
    :data:`ROW_COLUMNS`, or the rows as the driver returns them, in that order), vectorised; also, per level,
    the interview id and instance path of each row. Rows of a form without repeat groups given as a sequence
    are read in plain Python (one interview: a draft resumed, a submission's outcome), without pandas."""
    ids = np.asarray(interview_ids, dtype=object)
    if not _is_frame(rows) and not form.repeats:
        return _main_levels(form, rows, ids)
    import pandas as pd

    if not _is_frame(rows):
        rows = pd.DataFrame(list(rows), columns=list(ROW_COLUMNS))
    if len(rows):
        paths = rows["path"].to_numpy(dtype=object)
        is_main = paths == ""
        row_of = pd.Index(ids).get_indexer(rows["interview_id"].to_numpy(dtype=object)[is_main])
        main_rows = rows[is_main]
    else:
        row_of, main_rows = np.zeros(0, dtype=np.int64), rows
    levels: Levels = {None: Level(len(ids), None, _fill(form, None, main_rows, row_of, len(ids)))}
    keys: dict[str | None, tuple[np.ndarray, np.ndarray]] = {None: (ids, np.full(len(ids), "", dtype=object))}
    if not form.repeats:
        return levels, keys
    tails = _parse_paths(rows["path"]) if len(rows) else None
    for code in form.repeats:
        parent_ids, parent_paths = keys[form.repeat_parent[code]]
        if tails is None:
            levels[code] = Level(
                0, np.zeros(0, dtype=np.int64), _fill(form, code, rows, np.zeros(0, np.int64), 0)
            )
            keys[code] = (np.zeros(0, dtype=object), np.zeros(0, dtype=object))
            continue
        mine = tails["repeat"].to_numpy() == code
        level_rows = rows[mine]
        level_tails = tails[mine]
        instances = pd.DataFrame(
            {
                "interview_id": level_rows["interview_id"].to_numpy(dtype=object),
                "path": level_rows["path"].to_numpy(dtype=object),
                "parent_path": level_tails["parent"].to_numpy(dtype=object),
                "index": level_tails["index"].to_numpy(dtype=np.int64),
            }
        ).drop_duplicates(["interview_id", "path"])
        parent_key = pd.MultiIndex.from_arrays([parent_ids, parent_paths])
        instances["parent"] = parent_key.get_indexer(
            pd.MultiIndex.from_arrays([instances["interview_id"], instances["parent_path"]])
        )
        instances = instances[instances["parent"] >= 0].sort_values(["parent", "index"], kind="stable")
        key = pd.MultiIndex.from_arrays([instances["interview_id"], instances["path"]])
        row_of = key.get_indexer(pd.MultiIndex.from_arrays([level_rows["interview_id"], level_rows["path"]]))
        levels[code] = Level(
            len(instances),
            instances["parent"].to_numpy(dtype=np.int64),
            _fill(form, code, level_rows, row_of, len(instances)),
            instances["index"].to_numpy(dtype=np.int64),
        )
        keys[code] = (
            instances["interview_id"].to_numpy(dtype=object),
            instances["path"].to_numpy(dtype=object),
        )
    return levels, keys


def _parse_paths(paths: pd.Series) -> pd.DataFrame:
    import pandas as pd

    unique = pd.unique(paths.to_numpy(dtype=object))
    parsed = pd.Series(unique, dtype=object).str.extract(_PATH_TAIL)
    parsed["parent"] = parsed["parent"].fillna("").astype(object)
    parsed["index"] = pd.to_numeric(parsed["index"], errors="coerce").fillna(0).astype(np.int64)
    parsed["repeat"] = parsed["repeat"].astype(object)
    parsed.index = pd.Index(unique, dtype=object)
    return parsed.reindex(pd.Index(paths.to_numpy(dtype=object), dtype=object)).reset_index(drop=True)


def _is_frame(rows: Any) -> bool:
    pd = sys.modules.get("pandas")  # not loaded: rows cannot be a frame
    return pd is not None and isinstance(rows, pd.DataFrame)


def _main_levels(form: Form, rows: Sequence[Sequence[Any]], ids: np.ndarray) -> tuple[Levels, dict]:
    """:func:`levels_from_rows` for a form without repeat groups, from driver rows, in plain Python (as
    :func:`_fill` places them: each variable's stored value in its interview's row)."""
    row_of = {interview_id: i for i, interview_id in enumerate(ids.tolist())}
    column = {name: i for i, name in enumerate(ROW_COLUMNS)}
    found: dict[str, tuple[list[int], list[Any]]] = {}
    for row in rows:
        target = row_of.get(row[column["interview_id"]], -1)
        var = form.variables.get(row[column["variable"]])
        if target < 0 or var is None or var.repeat is not None or row[column["path"]] != "":
            continue
        targets, stored = found.setdefault(var.code, ([], []))
        targets.append(target)
        stored.append(row[column[value_column(var)]])
    values: dict[str, np.ndarray] = {}
    for var in form.variables_of(None):
        array = empty_working(var, len(ids))
        if var.code in found:
            targets, stored = found[var.code]
            cells = np.empty(len(stored), dtype=object)
            cells[:] = stored
            array[np.asarray(targets, dtype=np.int64)] = _stored_to_working(var, cells)
        values[var.code] = array
    return {None: Level(len(ids), None, values)}, {None: (ids, np.full(len(ids), "", dtype=object))}


def _fill(
    form: Form, repeat: str | None, rows: pd.DataFrame, row_of: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    groups = rows.groupby("variable", sort=False).indices if len(rows) else {}
    values: dict[str, np.ndarray] = {}
    for var in form.variables_of(repeat):
        array = empty_working(var, n)
        positions = groups.get(var.code)
        if positions is not None:
            target = row_of[positions]
            keep = target >= 0
            stored = rows[value_column(var)].to_numpy(dtype=object)[positions][keep]
            array[target[keep]] = _stored_to_working(var, stored)
        values[var.code] = array
    return values


def _stored_to_working(var: Variable, values: np.ndarray) -> np.ndarray:
    """Stored values (one typed column, as the driver returns them) as working-array values (a few values,
    one interview's, in plain Python)."""
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        if len(values) <= _SMALL:
            return np.array([np.nan if is_missing(v) else float(v) for v in values], dtype=float)
        import pandas as pd

        return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    if var.kind is Kind.DATE:
        if len(values) <= _SMALL:
            return np.array([_stored_day(v) for v in values], dtype="datetime64[D]")
        import pandas as pd

        return pd.to_datetime(pd.Series(values, dtype=object)).to_numpy(dtype="datetime64[D]")
    if var.kind is Kind.MULTI:
        return np.array([v if isinstance(v, str) else " ".join(v) for v in values] + [None], dtype=object)[
            :-1
        ]
    return values


def _stored_day(value: Any) -> np.datetime64:
    """A stored date (a ``date``, or ISO text from a driver that keeps dates as text) as ``datetime64[D]``."""
    if is_missing(value):
        return np.datetime64("NaT", "D")
    if isinstance(value, str):
        return np.datetime64(value.strip()[:10], "D")
    return np.datetime64(value, "D")


# --- levels -> canonical frames, Python values ------------------------------------------------------------------------
def canonical_frame(form: Form, levels: Levels, level: str | None = None) -> pd.DataFrame:
    """The canonical frame of one level: the main table, or a repeat group (with ``_parent``, ``_index``)."""
    import pandas as pd

    rows = levels[level]
    data: dict[str, Any] = {} if level is None else {"_parent": rows.parent, "_index": rows.index}
    data.update({v.code: to_canonical(v, rows.values[v.code]) for v in form.variables_of(level)})
    return pd.DataFrame(data, index=pd.RangeIndex(rows.n))


def answers_from_levels(
    form: Form, levels: Levels, rows: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """Main-table rows (all by default) as Python values (the ``python_value`` conventions), repeat instances
    as lists of dicts, nested repeats inside their instance."""
    children: dict[str, dict[int, list[int]]] = {}
    for code in form.repeats:
        level = levels[code]
        grouped: dict[int, list[int]] = {}
        order = np.lexsort((level.index, level.parent)) if level.n else []
        for r in order:
            grouped.setdefault(int(level.parent[r]), []).append(int(r))
        children[code] = grouped
    nested = {
        level: [c for c, p in form.repeat_parent.items() if p == level] for level in [None, *form.repeats]
    }
    variables = {level: form.variables_of(level) for level in [None, *form.repeats]}

    def values(level: str | None, i: int) -> dict[str, Any]:
        arrays = levels[level].values
        out = {v.code: _python(v, arrays[v.code], i) for v in variables[level]}
        for child in nested[level]:
            out[child] = [values(child, r) for r in children[child].get(i, ())]
        return out

    chosen = range(levels[None].n) if rows is None else rows
    return [values(None, int(i)) for i in chosen]


def _python(var: Variable, values: np.ndarray, i: int) -> Any:
    if values.dtype == object and not isinstance(values[i], str) and is_missing(values[i]):
        return None
    return python_value(var, values, i)
