"""Rating inputs checked before any rating: every answer of a survey and every state of a checklist must be a
code the questionnaire's choice list (or, without a questionnaire, the profile) accepts.

An unknown code (``Да``/``Нет``, ``1``/``0`` or ``Yes``/``No`` where the list says ``yes``/``no``; ``present``
on a yes/no checklist; anything undeclared) would otherwise be scored as "no" or "absent": every share drops
to 0, filtered indicators lose their denominators, and the institutions are still ranked. Here it is an
error (SK606) naming the file, the column, the rows, the value and the accepted codes, with a hint when the
value is a choice's label or numeric value.

Which codes a column accepts (:func:`accepted_codes`), for every column an enabled indicator reads:

* the choice names of the question in the source's questionnaire (``rate(..., questionnaires=)``, else the
  file ``<questionnaires_dir>/<source id>.yaml``, the source ids being questionnaire ids); a question
  without choices takes numbers;
* without a questionnaire, the codes the profile declares: ``yes`` + ``no`` + ``missing`` (share_yes),
  ``present`` + ``absent`` (+ ``outdated`` + ``excluded``) for checklists, the ``levels`` + ``excluded`` of a
  compliance sheet, the ``values`` (or numbers) + ``missing`` of a mean_scale; numbers for admin columns.
  Filter questions are then not checked, and a warning says so (SK609).

The profile's own codes are checked against the questionnaires too (SK608): a ``present: [functioning]``
that the question's list does not have would count nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveykit.errors import DataImportError, ErrorCode, Location, Report, Severity, Translated
from surveykit.questionnaire.model import Questionnaire
from surveykit.scoring.profile import (
    ChecklistCount,
    ChecklistRatio,
    IndicatorBase,
    MeanScale,
    MinMax,
    OrdinalCompliance,
    OutcomeRatio,
    Profile,
    ShareYes,
)

__all__ = ["Accepted", "InputOrigin", "accepted_codes", "check_rating_inputs", "source_questionnaires"]

#: how many rows a message lists before "and N more"
_ROWS_SHOWN = 5


def _tr(en: str, ru: str) -> Translated:
    return Translated(en=en, ru=ru)


@dataclass(frozen=True)
class InputOrigin:
    """Where a source frame came from, so a problem names the file's own row: ``first_row`` is the file row
    of the frame's first row (CSV and Excel with a header: 2; Parquet: 1)."""

    file: str
    first_row: int = 2
    sheet: str | None = None


@dataclass
class Accepted:
    """The codes one column accepts (``None``: any number), where they come from, and their labels."""

    codes: tuple[str, ...] | None
    source: str  # "questionnaire 'x'" or "profile"
    indicators: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # casefolded label or numeric value -> code
    choices: tuple[Any, ...] = ()  # the questionnaire's choices (for templates), in list order
    question: Any = None  # the questionnaire's question, when there is one

    def describe(self) -> str:
        return "a number" if self.codes is None else ", ".join(self.codes) or "(none)"


# --- which questionnaire, which codes ------------------------------------------------------------------------
def source_questionnaires(
    profile: Profile, given: Mapping[str, Questionnaire] | None = None
) -> dict[str, Questionnaire]:
    """The questionnaire of each survey or checklist source: the one given, else
    ``<questionnaires_dir>/<source id>.yaml`` when that file exists and loads."""
    from surveykit.config import settings

    out: dict[str, Questionnaire] = {}
    folder = Path(settings().questionnaires_dir)
    for name, spec in profile.sources.items():
        if spec.kind == "admin":
            continue
        if given and name in given:
            out[name] = given[name]
            continue
        path = folder / f"{name}.yaml"
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            continue
        found = _load(str(path), stamp)
        if found is not None and found.id == name:
            out[name] = found
    return out


@functools.lru_cache(maxsize=16)
def _load(path: str, stamp: int) -> Questionnaire | None:
    del stamp  # part of the cache key: a changed file is read again
    from surveykit.questionnaire.io import read_questionnaire

    return read_questionnaire(path).questionnaire


def _specs(profile: Profile) -> Iterable[tuple[IndicatorBase, str]]:
    """Every enabled indicator (and the one a minmax normalises) with its source."""
    for _, spec in profile.indicators():
        source = spec.source
        if isinstance(spec, MinMax) and spec.of is not None:
            yield spec.of, str(spec.of.source or source)
            if spec.column is None:
                continue
        yield spec, str(source if source is not None else "")


def _roles(
    spec: IndicatorBase, questionnaire: Questionnaire | None
) -> list[tuple[str, str, tuple[str, ...] | None]]:
    """``(column, role, codes the profile declares for it)`` of every column the indicator reads; ``None``
    codes: any number; a role of "filter" has no complete set of its own."""
    out: list[tuple[str, str, tuple[str, ...] | None]] = []
    if isinstance(spec, ShareYes):
        own = _unique([*spec.yes, *spec.no, *spec.missing])
        for channel in spec.all_channels:
            out.append((channel.question, "answer", own))
            if channel.filter is not None:
                out.append((channel.filter.question, "filter", None))
    elif isinstance(spec, ChecklistCount):
        own = _unique([*spec.present, *spec.absent])
        out += [(code, "item", own) for code in spec.items]
    elif isinstance(spec, ChecklistRatio):
        own = _unique([*spec.present, *spec.absent, *spec.outdated, *spec.excluded])
        out += [(code, "item", own) for ch in spec.channels for code in ch.items]
    elif isinstance(spec, OrdinalCompliance):
        own = _unique([*spec.levels, *spec.excluded])
        out += [(code, "item", own) for code in spec.items]
    elif isinstance(spec, MeanScale):
        items = list(spec.items)
        if spec.scale is not None and questionnaire is not None and spec.scale in questionnaire.scales:
            items = list(questionnaire.scales[spec.scale].items)
        own = _unique([*spec.values, *spec.missing]) if spec.values else None
        out += [(code, "scale item", own) for code in dict.fromkeys([*items, *spec.reverse])]
    elif isinstance(spec, OutcomeRatio):
        out += [(spec.numerator, "number", None), (spec.denominator, "number", None)]
    elif isinstance(spec, MinMax) and spec.column is not None:
        out.append((spec.column, "number", None))
    return out


def _unique(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(c) for c in codes))


def accepted_codes(
    profile: Profile, questionnaires: Mapping[str, Questionnaire]
) -> dict[str, dict[str, Accepted]]:
    """``source -> column -> Accepted`` for every column an enabled indicator reads (see the module text)."""
    out: dict[str, dict[str, Accepted]] = {}
    for spec, source in _specs(profile):
        questionnaire = questionnaires.get(source)
        kind = profile.sources[source].kind if source in profile.sources else "admin"
        for column, role, own in _roles(spec, questionnaire):
            entry = out.setdefault(source, {}).get(column)
            if entry is None:
                entry = _accepted(column, role, own, questionnaire, kind)
                if entry is None:
                    continue
                out[source][column] = entry
            if spec.id and spec.id not in entry.indicators:
                entry.indicators.append(spec.id)
    return out


def _accepted(
    column: str, role: str, own: tuple[str, ...] | None, questionnaire: Questionnaire | None, kind: str
) -> Accepted | None:
    if questionnaire is not None:
        question = next((q for q in questionnaire.questions() if column in q.variables()), None)
        if question is None:
            return None  # reported by the profile check (SK602) or the missing-column check
        list_name = question.choice_list_name
        if list_name is None:
            return Accepted(None, f"questionnaire '{questionnaire.id}'", question=question)
        choices = questionnaire.choice_list(list_name)
        labels: dict[str, str] = {}
        for position, choice in enumerate(choices, start=1):
            for text in choice.label.values():
                labels.setdefault(str(text).strip().casefold(), choice.name)
            labels.setdefault(str(choice.value if choice.value is not None else position), choice.name)
        return Accepted(
            tuple(c.name for c in choices),
            f"questionnaire '{questionnaire.id}'",
            labels=labels,
            choices=tuple(choices),
            question=question,
        )
    if role == "number" or (role == "scale item" and own is None):
        return Accepted(None, "profile")
    if role == "filter" or kind == "admin":
        return None
    return Accepted(own, "profile")


# --- the check -------------------------------------------------------------------------------------------------
def check_rating_inputs(
    profile: Profile,
    sources: Mapping[str, pd.DataFrame],
    questionnaires: Mapping[str, Questionnaire] | None = None,
    origins: Mapping[str, InputOrigin] | None = None,
) -> Report:
    """Every unknown code in the columns the profile reads (SK606, errors), the profile's codes missing from
    the questionnaires (SK608, errors), and sources checked against the profile only (SK609, warnings)."""
    report = Report(subject=f"inputs of the rating with profile {profile.id}")
    resolved = source_questionnaires(profile, questionnaires)
    _check_profile_codes(profile, resolved, report)
    table = accepted_codes(profile, resolved)
    for source, frame in sources.items():
        if frame is None or source not in profile.sources:
            continue
        kind = profile.sources[source].kind
        origin = (origins or {}).get(source)
        if kind != "admin" and source not in resolved:
            report.add(
                ErrorCode.RATING_INPUT_UNCHECKED,
                _where(source, origin),
                Severity.WARNING,
                source=source,
                reason=_tr(
                    f"no questionnaire '{source}' was given or found, so filter questions are not checked",
                    f"анкета «{source}» не передана и не найдена, поэтому вопросы-фильтры не проверяются",
                ),
            )
        for column, accepted in table.get(source, {}).items():
            if column in frame.columns:
                _check_column(source, frame[column], column, accepted, origin, report)
    return report


def raise_if_unknown_codes(report: Report) -> None:
    """Raise DataImportError with the whole report when it has errors (nothing is rated)."""
    if report.errors:
        report.subject = f"{report.subject}: nothing rated"
        report.raise_if_errors(DataImportError)


def _where(
    source: str, origin: InputOrigin | None, row: int | None = None, column: str | None = None
) -> Location:
    if origin is not None:
        return Location(file=origin.file, sheet=origin.sheet, row=row, field=column)
    return Location(path=f"sources['{source}']", row=row, field=column)


def _text(value: Any) -> str | None:
    """A cell as a code: None when empty; 1.0 -> "1"; texts stripped."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)):
        if value != value:
            return None
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    text = str(value).strip()
    return text or None


def _check_column(
    source: str,
    column: pd.Series,
    name: str,
    accepted: Accepted,
    origin: InputOrigin | None,
    report: Report,
) -> None:
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        texts = {int(i): _text(column.cat.categories[i]) or "" for i in np.unique(codes) if i >= 0}
        uniques = [
            (text, np.flatnonzero(codes == i)) for i, text in texts.items() if not _fits(text, accepted)
        ]
    else:  # distinct raw values first (1.0 and "1" are one code): a pass over the rows only for bad ones
        factor, values = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
        grouped: dict[str, list[int]] = {}
        for k, raw in enumerate(values):
            text = _text(raw)
            if text is not None and not _fits(text, accepted):
                grouped.setdefault(text, []).append(k)
        uniques = [(text, np.flatnonzero(np.isin(factor, ks))) for text, ks in grouped.items()]
    first = origin.first_row if origin is not None else 1
    for value, rows in uniques:
        if _fits(value, accepted):
            continue
        file_rows = [first + int(r) for r in rows]
        report.add(
            ErrorCode.RATING_CODE_UNKNOWN,
            _where(source, origin, file_rows[0], name),
            value=value,
            column=name,
            rows=_rows_text(file_rows),
            accepted=accepted.describe(),
            fix=_hint(value, accepted, source),
        )


def _fits(value: str, accepted: Accepted) -> bool:
    if accepted.codes is None:
        try:
            float(value.replace(",", "."))
        except ValueError:
            return False
        return True
    return value in accepted.codes


def _rows_text(rows: list[int]) -> Translated:
    shown = ", ".join(map(str, rows[:_ROWS_SHOWN]))
    if len(rows) == 1:
        return _tr(f"row {shown}", f"строка {shown}")
    more = len(rows) - _ROWS_SHOWN
    if more > 0:
        return _tr(f"rows {shown} and {more} more", f"строки {shown} и ещё {more}")
    return _tr(f"rows {shown}", f"строки {shown}")


def _hint(value: str, accepted: Accepted, source: str) -> Translated:
    template = _tr(
        "`surveykit template` writes an input workbook with the accepted codes as drop-downs.",
        "`surveykit template` создаёт книгу для ввода с допустимыми кодами в раскрывающихся списках.",
    )
    if accepted.codes is None:
        return _tr(
            f"Write a number (or leave the cell empty). {template['en']}",
            f"Запишите число (или оставьте ячейку пустой). {template['ru']}",
        )
    code = accepted.labels.get(value.casefold())
    if code is not None:
        return _tr(
            f"Write the code '{code}', not '{value}' (its text or number), in every such cell; nothing was "
            f"rated. {template['en']}",
            f"Запишите код «{code}», а не «{value}» (его текст или число), во всех таких ячейках; рейтинг не "
            f"рассчитан. {template['ru']}",
        )
    return _tr(
        f"Recode the column to the accepted codes (from {accepted.source}); nothing was rated. {template['en']}",
        f"Перекодируйте столбец в допустимые коды (из {accepted.source}); рейтинг не рассчитан. {template['ru']}",
    )


def _check_profile_codes(
    profile: Profile, questionnaires: Mapping[str, Questionnaire], report: Report
) -> None:
    """The codes the profile counts (yes, present, filter values, levels ...) exist in the question's list."""
    for spec, source in _specs(profile):
        questionnaire = questionnaires.get(source)
        if questionnaire is None:
            continue
        for column, role, codes in _profile_codes(spec):
            question = next((q for q in questionnaire.questions() if column in q.variables()), None)
            if question is None or question.choice_list_name is None:
                continue
            names = [c.name for c in questionnaire.choice_list(question.choice_list_name)]
            for code in codes:
                if code not in names:
                    report.add(
                        ErrorCode.PROFILE_STATE_UNKNOWN,
                        Location(file=profile.path, path=f"indicator {spec.id}"),
                        indicator=spec.id or "(nested)",
                        state=code,
                        role=role,
                        column=column,
                        questionnaire=questionnaire.id,
                        choices=", ".join(names),
                    )


def _profile_codes(spec: IndicatorBase) -> list[tuple[str, str, list[str]]]:
    """``(column, role, codes)`` the indicator counts; optional states only when the profile sets them."""
    explicit = spec.model_fields_set
    out: list[tuple[str, str, list[str]]] = []
    if isinstance(spec, ShareYes):
        for channel in spec.all_channels:
            out.append((channel.question, "yes", list(spec.yes)))
            if "missing" in explicit:
                out.append((channel.question, "missing", list(spec.missing)))
            if channel.filter is not None:
                out.append((channel.filter.question, "the filter", list(channel.filter.in_)))
    elif isinstance(spec, (ChecklistCount, ChecklistRatio)):
        items = (
            spec.items if isinstance(spec, ChecklistCount) else [c for ch in spec.channels for c in ch.items]
        )
        states = [("present", list(spec.present))]
        if isinstance(spec, ChecklistRatio):
            states += [(f, list(getattr(spec, f))) for f in ("outdated", "excluded") if f in explicit]
        out += [(code, role, codes) for code in items for role, codes in states]
    elif isinstance(spec, OrdinalCompliance):
        out += [(code, "a level", list(spec.levels)) for code in spec.items]
    return out
