"""A questionnaire made from a data file (SPSS, Stata, CSV, Excel), to start from when no questionnaire exists.

:func:`infer_questionnaire` reads the file with :func:`~surveykit.exchange.readers.read_source` and guesses
one question per variable. The rules (one home; ``docs/exchange.md`` explains them for users):

* **names**: a variable name valid in SPSS and Stata is the question code; another one (``str``, a 64-byte
  SPSS name, ``Q 1``, a Cyrillic header) is cleaned the way questionnaire codes are, and the original name is
  kept in ``metadata.source_names`` so :func:`~surveykit.exchange.importing.import_file` finds the column.
  Columns named like a field of the interview's own record (``interview_id``, ``institution_id``, ``period``
  ...) are not questions: the import reads them as those fields.
* **texts**: the variable label is the question's text (the name when there is none); the language is
  Russian when the texts have Cyrillic letters, else English (``language=`` to choose).
* **types**: value labels make a choice list (``select_one``; ``likert`` when SPSS says the variable is
  ordinal); observed values without a label join the list labelled by their number, unless there are many
  (a number with labelled special codes stays a number). SPSS DATE/ADATE/... and Stata ``%td`` are ``date``;
  SPSS TIME/DTIME and DATETIME, Stata ``%tc``, become ``time`` and ``datetime`` when the questionnaire model
  has those types, else ``text`` holding ``HH:MM:SS`` / ``YYYY-MM-DDTHH:MM:SS``. Other numbers are
  ``integer`` or ``decimal``; texts with few distinct repeated values a ``select_one`` of those values
  (``yes_no`` for yes/no, да/нет); other texts ``text``.
* **missing values**: SPSS user-missing values and Stata's ``.a``-``.z`` that have value labels are choices
  flagged ``missing: true``; those of a number are listed in ``metadata.missing_values`` (the import reads
  them as no answer and reports them).
* **multiple choices**: 0/1 variables ``<stem>_<suffix>`` (at least two) whose labels share a stem
  ("Services used: meals", "Services used: cleaning"), or an SPSS multiple-dichotomy set, become one
  ``select_multiple`` ``<stem>`` with a choice per suffix, so the export writes the same dummy names again.

The result is valid at once (checked here) and meant to be edited: :meth:`InferredQuestionnaire.to_yaml`
writes a comment above every question saying what was guessed from what.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from surveykit.errors import (
    DataImportError,
    ErrorCode,
    Location,
    QuestionnaireError,
    Report,
    Severity,
    Translated,
)
from surveykit.exchange.readers import DeclaredMissing, SourceTable, read_source
from surveykit.questionnaire.model import Choice, Question, Questionnaire, QuestionType
from surveykit.questionnaire.names import META_COLUMNS, RESERVED, code_problem, suggest_name

__all__ = ["InferredQuestionnaire", "InferredVariable", "infer_questionnaire"]

#: ``Questionnaire.metadata`` keys written by inference (the import reads ``source_names``)
SOURCE_NAMES = "source_names"
MISSING_VALUES = "missing_values"
#: most distinct values a text column or a partly labelled number may have to become a choice list
MAX_CHOICES = 12
#: columns the import reads as fields of the interview's own record, never as questions
_META = frozenset(c for c in META_COLUMNS if c != "weight") | {"weight"}
_SPSS_DATE = re.compile(r"^(A|E|S|J)?DATE|^(QYR|MOYR|WKYR)", re.IGNORECASE)
_SPSS_TIME = re.compile(r"^(D?TIME|MTIME)", re.IGNORECASE)
_SPSS_DATETIME = re.compile(r"^(DATETIME|YMDHMS)", re.IGNORECASE)
_STATA_DATE = re.compile(r"^%-?t?d", re.IGNORECASE)
_STATA_DATETIME = re.compile(r"^%-?tc", re.IGNORECASE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_SEPARATORS = (":", " — ", " – ", " - ", "?", "/", "(", "|", ";", ",")
_KNOWN_CHOICES = {
    "yes": {"yes", "да", "так", "tak", "ja", "oui", "sí", "si", "есть"},
    "no": {"no", "нет", "ні", "nie", "nein", "non", "не"},
    "dk": {"don't know", "dont know", "do not know", "dk", "не знаю", "затрудняюсь ответить", "затрудняюсь"},
    "refused": {"refused", "refusal", "отказ", "отказ от ответа", "нет ответа"},
    "na": {"not applicable", "n/a", "неприменимо", "не применимо"},
}
_YES_NO_TEXT = {"yes", "no", "да", "нет"}
_SELECTED = {"yes", "selected", "checked", "да", "отмечено", "выбрано", "1", "true"}


def _tr(en: str, ru: str) -> Translated:
    return Translated(en=en, ru=ru)


@dataclass
class InferredVariable:
    """What inference made of one column of the file."""

    column: str  # the name in the file
    code: str | None  # the question code (None: not a question)
    role: str  # "question", "multiple" (a dummy of a select_multiple), "meta" (a field of the interview)
    type: str  # the question type, or the meta field's name
    label: str = ""
    notes: list[Translated] = field(default_factory=list)


@dataclass
class InferredQuestionnaire:
    """The questionnaire made from a file, with what was guessed for each variable.

    In a notebook the object shows a table of variables and guesses; ``questionnaire`` is the model,
    :meth:`to_yaml` the file text with comments, :meth:`write` writes it, :meth:`summary` is a DataFrame.
    """

    questionnaire: Questionnaire
    variables: list[InferredVariable]
    report: Report
    source: str
    language: str

    # --- output ---------------------------------------------------------------------------------------
    def to_yaml(self, language: str = "en") -> str:
        """The questionnaire as YAML with a comment block on top and a comment above every question naming
        the file's variable and what was guessed (in ``language``: en or ru)."""
        from surveykit.questionnaire.io import dumps

        body = dumps(self.questionnaire, "yaml")
        notes: dict[str, list[str]] = {}
        for var in self.variables:
            if var.code is None or var.role == "multiple" and var.code in notes:
                continue
            notes.setdefault(var.code, []).extend(_text(n, language) for n in var.notes)
        lines = [f"# {line}" if line else "#" for line in self._header(language)]
        for line in body.splitlines():
            match = re.match(r"^- code: ['\"]?([^'\"]+)['\"]?$", line)
            if match and notes.get(match.group(1)):
                for note in notes[match.group(1)]:
                    lines.extend(f"# {part}" for part in textwrap.wrap(note, 108, break_on_hyphens=False))

            lines.append(line)
        return "\n".join(lines) + "\n"

    def _header(self, language: str) -> list[str]:
        ru = language == "ru"
        meta = [v for v in self.variables if v.role == "meta"]
        counts: dict[str, int] = {}
        for var in self.variables:
            if var.role == "question":
                counts[var.type] = counts.get(var.type, 0) + 1
        multiple = {v.code for v in self.variables if v.role == "multiple"}
        if multiple:
            counts["select_multiple"] = counts.get("select_multiple", 0) + len(multiple)
        made = ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
        lines = (
            [
                f"Анкета, построенная surveykit infer по файлу {Path(self.source).name}.",
                f"Вопросы: {made}.",
                "Это догадки: проверьте тексты, типы, списки вариантов и коды пропусков и исправьте их.",
                "Комментарий над вопросом говорит, из чего он сделан. Проверка: surveykit validate ФАЙЛ.",
                "Импорт данных: surveykit import ФАЙЛ_ДАННЫХ --questionnaire ID (после surveykit db publish).",
            ]
            if ru
            else [
                f"Questionnaire made by surveykit infer from {Path(self.source).name}.",
                f"Questions: {made}.",
                "These are guesses: check the texts, types, choice lists and missing codes, and correct them.",
                "The comment above each question says what it was made from. Check: surveykit validate FILE.",
                "Import the data: surveykit import DATA_FILE --questionnaire ID (after surveykit db publish).",
            ]
        )
        if meta:
            fields = ", ".join(f"{v.column} → {v.type}" for v in meta)
            lines.append(
                f"Не вопросы, а поля интервью (импорт читает их так): {fields}."
                if ru
                else f"Not questions but fields of the interview (the import reads them as such): {fields}."
            )
        return lines

    def write(self, path: str | Path, language: str = "en") -> Path:
        """Write :meth:`to_yaml` to ``path`` (UTF-8)."""
        from surveykit.errors import ExportError

        path = Path(path)
        try:
            path.write_text(self.to_yaml(language), encoding="utf-8")
        except OSError as err:
            raise ExportError(
                ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(path)), path=str(path), detail=str(err)
            ) from err
        return path

    def summary(self, language: str = "en"):  # -> pandas.DataFrame
        """One row per column of the file: column, code, role, type, label, what was guessed."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "column": v.column,
                    "code": v.code or "",
                    "role": v.role,
                    "type": v.type,
                    "label": v.label,
                    "notes": "; ".join(_text(n, language) for n in v.notes),
                }
                for v in self.variables
            ],
            columns=["column", "code", "role", "type", "label", "notes"],
        )

    def _repr_html_(self) -> str:
        import html

        head = html.escape(
            f"{self.questionnaire.id}: {len(self.questionnaire.questions())} questions from "
            f"{Path(self.source).name} (write it with .write('questionnaire.yaml'))"
        )
        return f"<p>{head}</p>" + self.summary().to_html(index=False, escape=True)


def _text(note: Translated | str, language: str) -> str:
    return note.get(language) or str(note) if isinstance(note, Translated) else str(note)


# --- inference ---------------------------------------------------------------------------------------------------
def infer_questionnaire(
    path: str | Path,
    *,
    id: str | None = None,
    title: str | None = None,
    language: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    max_choices: int = MAX_CHOICES,
) -> InferredQuestionnaire:
    """A questionnaire made from the data file at ``path`` (.sav, .zsav, .dta, .csv, .xlsx).

    ``id`` (default: from the file name), ``title`` (default: the file's label or name), ``language`` of the
    file's texts (default: ``ru`` when they have Cyrillic letters, else ``en``), ``sheet`` of a workbook
    (default: "interviews", "data" or the first), ``encoding`` of a CSV file (default: detected),
    ``max_choices``: most distinct values a text column may have to become a choice list.
    Raises DataImportError when the file cannot be read or has no column.
    """
    path = Path(path)
    tables = read_source(path, encoding=encoding)
    table = _pick_sheet(tables, sheet, path)
    report = Report(subject=str(path))
    report.extend(table.problems)
    if report.errors:
        report.raise_if_errors(DataImportError)
    columns = [str(c) for c in table.frame.columns]
    if not columns:
        raise DataImportError(ErrorCode.INFER_EMPTY, Location(file=str(path), sheet=table.sheet))
    builder = _Builder(table, max_choices, report)
    builder.run()
    if not builder.items:
        raise DataImportError(ErrorCode.INFER_EMPTY, Location(file=str(path), sheet=table.sheet))
    texts = [v.label for v in builder.inferred] + [
        c.label.get("_", "") for cs in builder.lists.values() for c in cs
    ]
    lang = language or ("ru" if any(_CYRILLIC.search(t or "") for t in texts) else "en")
    if language is None:
        report.add(
            ErrorCode.INFER_GUESS,
            Location(file=str(path)),
            Severity.INFO,
            detail=_tr(
                f"the texts are taken to be in '{lang}'"
                + (" (they have Cyrillic letters)" if lang == "ru" else ""),
                f"тексты считаются написанными на языке «{lang}»"
                + (" (в них есть кириллица)" if lang == "ru" else ""),
            ),
        )
    questionnaire = builder.questionnaire(
        id or suggest_name(path.stem), title or table.file_label or path.stem, lang, path.name
    )
    _check(questionnaire, path)
    return InferredQuestionnaire(questionnaire, builder.inferred, report, str(path), lang)


def _pick_sheet(tables: Sequence[SourceTable], sheet: str | None, path: Path) -> SourceTable:
    if sheet is None:
        return next((t for t in tables if (t.sheet or "").lower() in ("interviews", "data")), tables[0])
    for table in tables:
        if table.sheet == sheet:
            return table
    raise DataImportError(ErrorCode.XLSFORM_SHEET_MISSING, Location(file=str(path)), sheet=sheet)


def _check(questionnaire: Questionnaire, path: Path) -> None:
    """What inference makes must load without errors: checked like a file (a failure is a bug here)."""
    from surveykit.questionnaire.io import questionnaire_from_data

    result = questionnaire_from_data(questionnaire.to_data())
    if result.report.errors:
        first = result.report.errors[0]
        raise QuestionnaireError(first.code, Location(file=str(path)), report=result.report, **first.params)


@dataclass
class _Column:
    name: str
    values: np.ndarray  # present values only (None, NaN and "" removed)
    label: str
    value_labels: dict[Any, str]
    missing: DeclaredMissing
    format: str
    measure: str
    label_set: str | None


class _Builder:
    def __init__(self, table: SourceTable, max_choices: int, report: Report) -> None:
        self.table = table
        self.max_choices = max_choices
        self.report = report
        self.items: list[Question] = []
        self.lists: dict[str, list[Choice]] = {}  # list name -> choices (labels under "_" until the end)
        self.list_keys: dict[tuple[Any, ...], str] = {}
        self.inferred: list[InferredVariable] = []
        self.taken: set[str] = set()
        self.source_names: dict[str, str] = {}
        self.missing_values: dict[str, list[dict[str, Any]]] = {}
        self.stata = table.format == "dta"

    # --- columns ------------------------------------------------------------------------------------------
    def column(self, name: str) -> _Column:
        raw = self.table.frame[name].to_numpy(dtype=object)
        present = np.array([not _empty(v) for v in raw], dtype=bool)
        return _Column(
            name=name,
            values=raw[present],
            label=str(self.table.variable_labels.get(name) or "").strip(),
            value_labels=dict(self.table.value_labels.get(name) or {}),
            missing=self.table.missing.get(name) or DeclaredMissing(),
            format=str(self.table.formats.get(name) or ""),
            measure=str(self.table.measures.get(name) or ""),
            label_set=self.table.label_sets.get(name),
        )

    def code_for(self, name: str) -> str:
        code = name if code_problem(name) is None and name.lower() not in self.taken else None
        if code is None:
            code = suggest_name(name, frozenset(self.taken))
            self.source_names[code] = name
        self.taken.add(code.lower())
        return code

    def note(self, var: InferredVariable, en: str, ru: str, severity: Severity = Severity.INFO) -> None:
        note = _tr(en, ru)
        var.notes.append(note)
        self.report.add(
            ErrorCode.INFER_GUESS,
            Location(file=self.table.file, sheet=self.table.sheet, field=var.column),
            severity,
            detail=note,
        )

    # --- the run ------------------------------------------------------------------------------------------
    def run(self) -> None:
        names = [str(c) for c in self.table.frame.columns]
        meta = [n for n in names if n.lower() in _META]
        for name in meta:
            field_name = name.lower()
            self.taken.add(field_name)
            var = InferredVariable(name, None, "meta", field_name)
            self.inferred.append(var)
            if field_name == "weight":
                self.note(
                    var, "case weights are not stored with interviews", "веса не хранятся вместе с интервью"
                )
        groups = self.multiple_groups([n for n in names if n not in meta])
        grouped = {c for columns in groups.values() for c in columns}
        # no cleaned name may take the code of a multiple choice
        self.taken.update(stem.lower() for stem in groups)
        for name in names:
            if name in meta:
                continue
            if name in grouped:
                stem = next(s for s, cols in groups.items() if name in cols)
                if groups[stem][0] == name:
                    self.select_multiple(stem, groups[stem])
                continue
            self.question(self.column(name))

    # --- multiple choices ---------------------------------------------------------------------------------
    def multiple_groups(self, names: list[str]) -> dict[str, list[str]]:
        """``stem -> dummy columns``: SPSS multiple-dichotomy sets, then ``<stem>_<suffix>`` 0/1 columns."""
        groups: dict[str, list[str]] = {}
        used: set[str] = set()
        for set_name, spec in (self.table.mr_sets or {}).items():
            members = [str(v) for v in (spec.get("variable_list") or []) if str(v) in names]
            dichotomy = str(spec.get("type", "D")).upper() == "D" or spec.get("is_dichotomy")
            stem = str(set_name).lstrip("$")
            if (
                dichotomy
                and len(members) >= 2
                and code_problem(stem) is None
                and stem not in names
                and all(_is_dummy(self.column(m).values) for m in members)
            ):
                groups[stem] = members
                used.update(members)
        candidates: dict[str, list[str]] = {}
        for name in names:
            stem, sep, suffix = name.rpartition("_")
            if sep and stem and suffix and name not in used and re.fullmatch(r"[A-Za-z0-9]+", suffix):
                candidates.setdefault(stem, []).append(name)
        lowered = {n.lower() for n in names}
        for stem, members in candidates.items():
            if len(members) < 2 or code_problem(stem) is not None or stem.lower() in lowered:
                continue
            if not all(_is_dummy(self.column(m).values) for m in members):
                continue
            labels = [str(self.table.variable_labels.get(m) or "").strip() for m in members]
            if any(labels) and _label_stem(labels) is None:
                continue  # labelled dummies without a common stem: separate yes/no questions
            groups[stem] = members
        return groups

    def select_multiple(self, stem: str, members: list[str]) -> None:
        labels = [str(self.table.variable_labels.get(m) or "").strip() for m in members]
        spec = (self.table.mr_sets or {}).get(f"${stem}") or (self.table.mr_sets or {}).get(stem) or {}
        question_label = (
            str(spec.get("label") or "").strip() or (_label_stem(labels) or "").strip(" :—–-/|;,(") or stem
        )

        prefix = _label_stem(labels)
        suffixes = [m[len(stem) + 1 :] if m.startswith(f"{stem}_") else m for m in members]
        numeric = all(re.fullmatch(r"\d+", s) for s in suffixes) and len({int(s) for s in suffixes}) == len(
            suffixes
        )
        code = stem
        self.taken.add(code.lower())
        for m in members:
            self.taken.add(m.lower())
        choices = []
        for member, suffix, label in zip(members, suffixes, labels, strict=True):
            text = label[len(prefix) :].strip(" :—–-?/|;,()") if prefix and label.startswith(prefix) else ""
            one = self.table.value_labels.get(member, {}).get(
                1, self.table.value_labels.get(member, {}).get(1.0)
            )
            if not text and one and str(one).strip().casefold() not in _SELECTED:
                text = str(one).strip()
            choices.append(
                Choice(
                    name=suffix, label={"_": text or label or suffix}, value=int(suffix) if numeric else None
                )
            )
        list_name = self.add_list(code, choices)
        self.items.append(
            Question(
                code=code, type=QuestionType.SELECT_MULTIPLE, label={"_": question_label}, choices=list_name
            )
        )
        for member in members:
            var = InferredVariable(member, code, "multiple", "select_multiple", question_label)
            self.inferred.append(var)
        first = self.inferred[-len(members)]
        how = "an SPSS multiple-response set" if spec else "0/1 values and names with a common stem"
        how_ru = "набор множественных ответов SPSS" if spec else "значения 0/1 и имена с общей основой"
        self.note(
            first,
            f"{', '.join(members)}: one multiple choice '{code}' ({how}); the export writes the same 0/1 "
            "variables again",
            f"{', '.join(members)}: один вопрос с несколькими ответами «{code}» ({how_ru}); выгрузка снова "
            "запишет те же переменные 0/1",
        )

    # --- one question -------------------------------------------------------------------------------------
    def question(self, col: _Column) -> None:
        code = self.code_for(col.name)
        label = col.label or col.name
        var = InferredVariable(col.name, code, "question", "", label)
        self.inferred.append(var)
        if code != col.name:
            why = _name_reason(col.name)
            self.note(
                var,
                f"the name '{col.name}' cannot be a question code ({why['en']}): the code is '{code}'; the "
                f"import still finds the column '{col.name}'",
                f"имя «{col.name}» не может быть кодом вопроса ({why['ru']}): код — «{code}»; импорт "
                f"по-прежнему найдёт столбец «{col.name}»",
            )
        if not col.label and self.table.format in ("sav", "dta"):
            self.note(
                var, "no variable label in the file: the text is the name", "в файле нет метки: текст — имя"
            )
        extra: dict[str, Any] = {}
        qtype = self.type_of(col, var, code, extra)
        var.type = qtype.value
        self.items.append(Question(code=code, type=qtype, label={"_": label}, **extra))

    def type_of(self, col: _Column, var: InferredVariable, code: str, extra: dict[str, Any]) -> QuestionType:
        values = col.values
        temporal = self.temporal(col, var)
        if temporal is not None:
            return temporal
        if not len(values) and not col.value_labels:
            self.note(var, "no values in the file: typed as text", "в файле нет значений: тип text")
            return QuestionType.TEXT
        if all(isinstance(v, (bool, np.bool_)) for v in values):
            self.note(var, "true/false values: a yes/no question", "значения истина/ложь: вопрос да/нет")
            return QuestionType.YES_NO
        texts = [v for v in values if isinstance(v, str)]
        numbers = [v for v in values if _is_number(v)]
        stata_missing = [v for v in texts if self.stata and col.missing.covers(v)]
        if texts and len(stata_missing) == len(texts):
            texts = []  # a numeric Stata variable whose extended missing values came back as letters
        if texts and not col.value_labels and all(_NUMBER.match(str(v).strip()) for v in texts):
            numbers = numbers + [float(str(v).strip().replace(",", ".")) for v in texts]
            texts = []  # numbers written as text (CSV)
        if texts and not col.value_labels:
            return self.text_type(col, var, code, extra)

        if col.value_labels:
            made = self.labelled(col, var, code, extra, numbers, texts)
            if made is not None:
                return made
        return self.number_type(col, var, code, extra, numbers)

    def temporal(self, col: _Column, var: InferredVariable) -> QuestionType | None:
        fmt = col.format
        values = col.values
        kind = None
        if _SPSS_DATETIME.match(fmt) or _STATA_DATETIME.match(fmt):
            kind = "datetime"
        elif _SPSS_TIME.match(fmt):
            kind = "time"
        elif _SPSS_DATE.match(fmt) or (self.stata and _STATA_DATE.match(fmt)):
            kind = "date"
        elif len(values) and all(isinstance(v, dt.datetime) for v in values):
            # Excel stores dates as date-times at midnight
            kind = "date" if all(v.time() == dt.time(0) for v in values) else "datetime"

        elif len(values) and all(isinstance(v, dt.date) for v in values):
            kind = "date"
        elif len(values) and all(isinstance(v, dt.time) for v in values):
            kind = "time"
        elif len(values) and all(isinstance(v, str) and _ISO_DATE.match(v) for v in values):
            kind = "date"
        if kind is None:
            return None
        where = f"the format {fmt}" if fmt else "the values"
        where_ru = f"формат {fmt}" if fmt else "значения"
        if kind == "date":
            self.note(var, f"{where}: a date", f"{where_ru}: дата")
            return QuestionType.DATE
        what = {
            "time": ("a time of day", "время суток", QuestionType.TIME),
            "datetime": ("a date and time", "дата и время", QuestionType.DATETIME),
        }[kind]
        self.note(var, f"{where}: {what[0]}", f"{where_ru}: {what[1]}")
        return what[2]

    def text_type(
        self, col: _Column, var: InferredVariable, code: str, extra: dict[str, Any]
    ) -> QuestionType:
        values = [str(v).strip() for v in col.values]
        distinct = sorted(set(values), key=values.index)
        folded = {v.casefold() for v in distinct}
        if folded and folded <= _YES_NO_TEXT:
            self.note(
                var,
                f"values {', '.join(distinct)}: a yes/no question",
                f"значения {', '.join(distinct)}: вопрос да/нет",
            )
            return QuestionType.YES_NO
        numbers_like = all(_NUMBER.match(v) for v in distinct)
        if (
            not numbers_like
            and len(distinct) <= self.max_choices
            and len(values) >= 2 * len(distinct)
            and max(len(v) for v in distinct) <= 60
        ):
            choices = []
            taken: set[str] = set()
            for i, value in enumerate(sorted(distinct, key=str.casefold), start=1):
                choices.append(Choice(name=_choice_name(value, i, taken), label={"_": value}, value=i))
            extra["choices"] = self.add_list(code, choices)
            self.note(
                var,
                f"{len(distinct)} distinct repeated texts: a choice list of them (if it is free text, make it "
                "type: text and remove the list)",
                f"{len(distinct)} повторяющихся текстов: список вариантов из них (если это свободный текст, "
                "сделайте type: text и удалите список)",
            )
            return QuestionType.SELECT_ONE
        if any(len(v) > 100 or "\n" in v for v in values):
            extra["appearance"] = "multiline"
        return QuestionType.TEXT

    def labelled(
        self,
        col: _Column,
        var: InferredVariable,
        code: str,
        extra: dict[str, Any],
        numbers: list[Any],
        texts: list[Any],
    ) -> QuestionType | None:
        labels = col.value_labels
        missing = col.missing
        string_codes = bool(texts) and not self.stata
        substantive = [k for k in labels if not missing.covers(k)]
        observed = {_key(v) for v in (texts if string_codes else numbers) if not missing.covers(v)}
        points = [float(k) for k in substantive if _is_number(k) and float(k).is_integer()]
        if len(points) == len(substantive) >= 2 and max(points) - min(points) < self.max_choices:
            # a scale labelled at some points only (1 "very bad" ... 5 "very good"): every point between
            observed |= {float(p) for p in range(int(min(points)), int(max(points)) + 1)}
        unlabelled = sorted(observed - {_key(k) for k in labels}, key=_sort_key)
        if not substantive:
            self.missing_codes(col, var, code)
            return None  # labels only on missing codes: a number (or a text) with special codes
        if unlabelled and (
            len(unlabelled) + len(labels) > 2 * self.max_choices
            or any(not float(u).is_integer() for u in unlabelled if isinstance(u, float))
        ):
            self.missing_codes(col, var, code)
            self.note(
                var,
                f"value labels on {len(labels)} codes but {len(unlabelled)} other values: kept as a number; the "
                "labels are not used",
                f"метки у {len(labels)} кодов, но есть ещё {len(unlabelled)} значений: оставлено числом; метки не "
                "используются",
            )
            return None
        choices: list[Choice] = []
        taken: set[str] = set()
        values: set[int] = set()
        entries = [(k, str(v)) for k, v in labels.items()] + [(u, None) for u in unlabelled]
        entries.sort(key=lambda e: (missing.covers(e[0]) or _is_letter(e[0], self.stata), _sort_key(e[0])))
        for position, (key, text) in enumerate(entries, start=1):
            value, hint = self.choice_value(key, position)
            while value in values:  # a Stata letter's 900 + n taken by a real code
                value += 100
            values.add(value)
            is_missing = missing.covers(key) or _is_letter(key, self.stata)
            if string_codes and _PLAIN_CODE.match(str(key)) and str(key) not in taken:
                name = str(key)  # text codes ("M", "F"): the code is the name, so the file's values match
                taken.add(name)
            else:
                name = _choice_name(text or hint, value, taken, default=hint)
            label = text if text is not None else str(_num(key))
            choices.append(Choice(name=name, label={"_": label}, value=value, missing=is_missing))
        own = col.label_set if self.stata and col.label_set else None
        if own and re.fullmatch(rf"{re.escape(col.name)}\d*|labels\d+", own):
            own = None  # pyreadstat's own names (<variable><n>, labels<n>) say nothing: use the code
        extra["choices"] = self.add_list(own or code, choices)

        how = f"{len(labels)} value labels"
        how_ru = f"метки значений ({len(labels)})"
        if col.measure == "ordinal" and len([c for c in choices if not c.missing]) >= 3:
            qtype = QuestionType.LIKERT
            self.note(
                var, f"{how}, ordinal in SPSS: a Likert scale", f"{how_ru}, порядковая в SPSS: шкала Лайкерта"
            )
        else:
            qtype = QuestionType.SELECT_ONE
            self.note(var, f"{how}: a single choice", f"{how_ru}: один вариант ответа")
        if unlabelled:
            shown = ", ".join(str(_num(u)) for u in unlabelled)
            self.note(
                var,
                f"values {shown} have no label in the file: choices labelled by their number",
                f"у значений {shown} в файле нет меток: варианты подписаны своим числом",
            )
        flagged = [c for c in choices if c.missing]
        if flagged:
            shown = ", ".join(
                f"{(c.name if string_codes else _code_text(c.value, self.stata, choices))} ({c.label['_']})"
                for c in flagged
            )
            self.note(
                var,
                f"declared missing in the file: {shown} → choices with missing: true",
                f"объявлены пропуском в файле: {shown} → варианты с missing: true",
            )
        return qtype

    def choice_value(self, key: Any, position: int) -> tuple[int, str]:
        """``(numeric value, name hint)`` of a labelled code: the code itself when it is a whole number; a
        Stata extended missing letter gets 900 + its place in the alphabet (.a = 901) unless taken."""
        if isinstance(key, str):
            if self.stata and len(key) == 1:
                return 900 + ord(key) - ord("a") + 1, f"miss_{key}"
            return position, key
        number = float(key)
        if number.is_integer():
            return int(number), f"c{int(number)}" if number >= 0 else f"c_m{-int(number)}"
        return position, f"c{position}"

    def missing_codes(self, col: _Column, var: InferredVariable, code: str) -> None:
        """A number's declared missing values (SPSS user-missing): listed in ``metadata.missing_values``
        (``{value: -9, label: refused}``, a range as ``{from: .., to: ..}``) and noted. Stata's ``.a``-``.z``
        are missing in every numeric variable: the import reports those it finds."""
        missing = col.missing
        if not missing or (self.stata and not missing.values and not missing.ranges):
            return
        labels = {_key(k): str(v) for k, v in col.value_labels.items()}
        entries: list[dict[str, Any]] = []
        for value in sorted(missing.values, key=_sort_key):
            entry: dict[str, Any] = {"value": _num(value)}
            if _key(value) in labels:
                entry["label"] = labels[_key(value)]
            entries.append(entry)
        entries += [{"from": _num(lo), "to": _num(hi)} for lo, hi in missing.ranges]
        described = ", ".join(
            f"{e['value']}" + (f" ({e['label']})" if "label" in e else "")
            if "value" in e
            else f"{e['from']}..{e['to']}"
            for e in entries
        )
        self.missing_values[code] = entries
        self.note(
            var,
            f"declared missing in the file: {described}; a number has no coded missing values here: the "
            "import reads them as no answer and reports them (kept in metadata.missing_values)",
            f"объявлены пропуском в файле: {described}; у числа здесь нет кодов пропуска: импорт читает их "
            "как отсутствие ответа и сообщает о них (записаны в metadata.missing_values)",
        )

    def number_type(
        self, col: _Column, var: InferredVariable, code: str, extra: dict[str, Any], numbers: list[Any]
    ) -> QuestionType:
        valid = [float(v) for v in numbers if not col.missing.covers(v)]
        if col.missing and code not in self.missing_values:
            self.missing_codes(col, var, code)
        if valid and all(v.is_integer() for v in valid):
            if col.measure == "nominal":
                self.note(
                    var,
                    "nominal in SPSS but without value labels: kept as a whole number",
                    "номинальная в SPSS, но без меток значений: оставлено целым числом",
                )
            return QuestionType.INTEGER
        if valid:
            return QuestionType.DECIMAL
        self.note(var, "no valid values: typed as a number", "нет допустимых значений: тип — число")
        return QuestionType.DECIMAL

    # --- choice lists -------------------------------------------------------------------------------------
    def add_list(self, wanted: str, choices: list[Choice]) -> str:
        """The name of a list with these choices: an identical list is shared (a Stata label set or SPSS
        labels repeated over a battery of questions)."""
        key = tuple((c.name, c.value, c.missing, c.label.get("_")) for c in choices)
        if key in self.list_keys:
            return self.list_keys[key]
        name = suggest_name(wanted, frozenset(self.lists))
        self.lists[name] = choices
        self.list_keys[key] = name
        return name

    def questionnaire(self, qid: str, title: str, language: str, source: str) -> Questionnaire:
        def text(texts: Mapping[str, str]) -> dict[str, str]:
            return {language: texts["_"]} if texts.get("_") else {}

        lists = {
            name: [c.model_copy(update={"label": text(c.label)}) for c in choices]
            for name, choices in self.lists.items()
        }
        items = [q.model_copy(update={"label": text(q.label)}) for q in self.items]
        metadata: dict[str, Any] = {"inferred_from": source}
        if self.source_names:
            metadata[SOURCE_NAMES] = dict(self.source_names)
        if self.missing_values:
            metadata[MISSING_VALUES] = dict(self.missing_values)
        return Questionnaire(
            id=qid,
            version="1",
            title={language: title},
            languages=[language],
            default_language=language,
            choice_lists=lists,
            items=items,
            metadata=metadata,
        )


# --- small helpers ---------------------------------------------------------------------------------------------
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN_CODE = re.compile(r"^[A-Za-z0-9_.-]+$")


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _is_dummy(values: np.ndarray) -> bool:
    """Every present value is 0 or 1 (numbers, "0"/"1" texts, true/false) and at least one is present."""
    if not len(values):
        return False
    for v in values:
        if isinstance(v, (bool, np.bool_)):
            continue
        if _is_number(v):
            if float(v) not in (0.0, 1.0):
                return False
        elif not (isinstance(v, str) and v.strip() in ("0", "1", "0.0", "1.0")):
            return False
    return True


def _label_stem(labels: list[str]) -> str | None:
    """The common beginning of the labels, cut at a separator ("Services used: meals" / "...: cleaning" ->
    "Services used:"); all labels equal: that label; None when there is no stem of at least 3 characters."""
    labels = [label for label in labels if label]
    if not labels:
        return None
    if len(set(labels)) == 1:
        return labels[0]
    prefix = labels[0]
    for label in labels[1:]:
        while not label.startswith(prefix):
            prefix = prefix[:-1]
    cut = max((prefix.rfind(sep) + len(sep) for sep in _SEPARATORS if sep in prefix), default=-1)
    stem = prefix[:cut] if cut > 0 else ""
    return stem if len(stem.strip(" :—–-?/|;,(")) >= 3 else None


def _name_reason(name: str) -> Translated:
    """Why a file's variable name cannot be a question code, in both languages."""
    if len(name) > 32:
        return _tr(f"it has {len(name)} characters, at most 32", f"в нём {len(name)} символов, допустимо 32")
    if name.lower() in RESERVED or re.fullmatch(r"str\d+", name, re.IGNORECASE):
        return _tr("a reserved word of SPSS or Stata", "зарезервированное слово SPSS или Stata")
    if not name[:1].isascii() or not name[:1].isalpha():
        return _tr("it must start with a Latin letter", "оно должно начинаться с латинской буквы")
    if name.lower() in _META:
        return _tr("a field of the interview's own record", "поле самой записи интервью")
    return _tr("only Latin letters, digits and _ are allowed", "допустимы только латинские буквы, цифры и _")


def _key(value: Any) -> Any:
    if _is_number(value):
        return float(value)
    return value


def _num(value: Any) -> Any:
    if _is_number(value) and float(value).is_integer():
        return int(value)
    return value


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, float(value)) if _is_number(value) else (1, str(value))


def _is_letter(value: Any, stata: bool) -> bool:
    return stata and isinstance(value, str) and len(value) == 1 and value.isalpha()


def _code_text(value: int | None, stata: bool, choices: list[Choice]) -> str:
    if stata and value is not None and value > 900:
        return f".{chr(ord('a') + value - 901)}"
    return str(value)


def _choice_name(text: str, value: Any, taken: set[str], default: str | None = None) -> str:
    """A readable choice name: yes / no / dk / refused / na for the usual labels, else the label
    transliterated and cleaned (at most 20 characters), else ``default``; unique within the list."""
    folded = " ".join(str(text).casefold().replace("’", "'").split()).strip(" .!?")
    name = next((known for known, words in _KNOWN_CHOICES.items() if folded in words), None)
    if name is None:
        cleaned = suggest_name(str(text))[:20].rstrip("_").lower() if str(text).strip() else ""
        name = cleaned if cleaned and cleaned != "v" else (default or f"c{value}")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate
