"""The export metadata: one object, built once from the questionnaire, that every writer and the codebook use.

:func:`build_metadata` turns a compiled form and a language into an :class:`ExportMetadata`: for every table
(the interviews, and one per repeat group) the variables as they will appear in a file, in order, with

* the name in the file (valid in SPSS and Stata; derived names shortened uniquely, see :mod:`.names`),
* the column of the canonical frame it comes from and how (a single choice as its numeric code, one choice
  of a multiple choice as a 0/1 dummy, a number, a text, a date),
* the variable label and the value labels in the chosen language (full texts),
* the user-missing codes (choices flagged ``missing: true``: don't know, refused),
* the measurement level, display width and display format,

plus the multiple-response sets and the map of renamed names. Nothing here depends on the data.

What a file format can hold differs: :meth:`ExportMetadata.view` gives the exact keyword arguments one
pyreadstat writer receives (labels cut to the format's limits, Stata's extended missing values ``.a``, ``.b``
for the missing codes) and notes every cut, so that the file, the view and the round-trip tests agree.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from surveykit.errors import ErrorCode, ExportError, Location, Translated
from surveykit.exchange.names import NameBook
from surveykit.expressions import Kind
from surveykit.i18n import pick, t
from surveykit.questionnaire.compiled import Form, Variable
from surveykit.questionnaire.model import Choice, QuestionType
from surveykit.store.frames import META_COLUMNS as FRAME_META

__all__ = [
    "EXPORT_META",
    "ExportMetadata",
    "ExportTable",
    "ExportVariable",
    "FormatView",
    "MultipleResponseSet",
    "Role",
    "Storage",
    "build_metadata",
    "choice_label",
    "fit_label",
    "label_language",
    "meta_columns_in",
    "variable_label",
]

#: meta columns of an interviews frame written to exports, in this order (when the frame has them)
EXPORT_META = (*FRAME_META, "weight")
_META_STORAGE = {"started_at": "datetime", "submitted_at": "datetime", "proxy": "flag", "practice": "flag"}

#: format limits measured with pyreadstat 1.3.7 (see docs/exchange.md): SPSS cuts silently, Stata refuses
LIMITS: dict[str, dict[str, tuple[str, int]]] = {
    "sav": {"variable": ("bytes", 256), "value": ("bytes", 120), "file": ("bytes", 64)},
    "dta": {"variable": ("chars", 80), "value": ("chars", 32000), "file": ("chars", 80)},
}
#: Stata's extended missing values available for user-missing codes, in order
STATA_MISSING = tuple("abcdefghijklmnopqrstuvwxyz")
#: pyreadstat (1.3.8, ``_readstat_writer.pyx``) names the value-label set of a Stata variable after the
#: variable and a counter of labelled variables (``<name><n>``, n = 0, 1, ... in column order), and Stata
#: refuses label-set names over 32 characters ("A provided name is too long for the file format"): so a
#: labelled variable's name has at most 32 - len(str(n)) characters (31 for the first ten, 30 up to the
#: hundredth). Every format gets the same names, so that the .sav, the .dta and the workbook agree.
STATA_LABEL_SET_NAME = 32
ELLIPSIS = "…"


class Storage(enum.StrEnum):
    NUMERIC = "numeric"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"  # a time of day: SPSS TIME8, Stata %tcHH:MM:SS (pyreadstat writes datetime.time so)


class Role(enum.StrEnum):
    KEY = "key"  # identifies a row: interview_id, <repeat>_index
    META = "meta"  # a meta column of the interview
    ANSWER = "answer"  # one variable of the questionnaire
    DUMMY = "dummy"  # one choice of a multiple choice, 0/1
    WEIGHT = "weight"  # the case weight


@dataclass(frozen=True)
class ExportVariable:
    """One variable of an exported file, as written (full texts; see :meth:`ExportMetadata.view`)."""

    name: str
    source: str  # the column of the canonical frame it is made from
    role: Role
    storage: Storage
    label: str
    value_labels: Mapping[int, str] = field(default_factory=dict)
    missing: tuple[int, ...] = ()  # user-missing codes
    measure: Literal["nominal", "ordinal", "scale"] = "nominal"
    display_width: int = 8
    spss_format: str | None = None
    stata_format: str | None = None
    codes: Mapping[str, int] = field(default_factory=dict)  # choice name -> code (single choices)
    choice: str | None = None  # the choice a dummy stands for
    question: str | None = None  # the question code (answers and dummies)
    question_type: str = ""
    relevance: str = ""
    calculation: str = ""
    derived_from: str | None = None  # the name it would have had, when it was changed

    @property
    def is_choice(self) -> bool:
        """A single choice written as its numeric code."""
        return bool(self.codes)


@dataclass(frozen=True)
class MultipleResponseSet:
    """The dummies of one multiple-choice question (an SPSS multiple dichotomy set, counted value 1)."""

    name: str  # "$services"
    question: str
    label: str
    variables: tuple[str, ...]
    counted_value: int = 1


@dataclass(frozen=True)
class ExportTable:
    """One file (or sheet): the interviews (``repeat=None``) or the instances of one repeat group."""

    repeat: str | None
    name: str  # "interviews" or the repeat code: names the sheet and the file suffix
    label: str
    variables: tuple[ExportVariable, ...]
    keys: tuple[str, ...]  # names of the key variables, outer first
    parent: str | None = None  # the enclosing repeat (nested repeats)
    weight: str | None = None  # name of the weight variable
    renamed: Mapping[str, str] = field(default_factory=dict)
    reasons: Mapping[str, Translated] = field(default_factory=dict)  # name in the file -> why it changed

    def variable(self, name: str) -> ExportVariable:
        for var in self.variables:
            if var.name == name:
                return var
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def sources(self) -> set[str]:
        return {v.source for v in self.variables}


@dataclass(frozen=True)
class FormatView:
    """Exactly what one pyreadstat writer receives for one table, and the labels that had to be cut."""

    format: Literal["sav", "dta"]
    file_label: str
    column_labels: dict[str, str]
    value_labels: dict[str, dict[Any, str]]
    missing: dict[str, list[Any]]  # sav: missing_ranges; dta: missing_user_values (letters)
    measure: dict[str, str]
    display_width: dict[str, int]
    formats: dict[str, str]
    stata_letters: dict[str, dict[int, str]]  # dta: code -> extended missing letter, per variable
    cut: list[tuple[str, str, str]]  # (variable, what, full text) of every label cut to the limit

    def write_kwargs(self) -> dict[str, Any]:
        common = {
            "file_label": self.file_label,
            "column_labels": self.column_labels,
            "variable_value_labels": self.value_labels,
            "variable_format": self.formats,
        }
        if self.format == "sav":
            return {
                **common,
                "missing_ranges": self.missing,
                "variable_measure": self.measure,
                "variable_display_width": self.display_width,
            }
        return {**common, "missing_user_values": self.missing, "version": 14}  # format 118: Stata 14+


@dataclass(frozen=True)
class ExportMetadata:
    """Everything written besides the data, for every table of one export; built by :func:`build_metadata`."""

    questionnaire: str  # "id@version"
    title: str
    language: str
    tables: dict[str | None, ExportTable]
    mr_sets: tuple[MultipleResponseSet, ...]

    def table(self, repeat: str | None = None) -> ExportTable:
        return self.tables[repeat]

    @property
    def renamed(self) -> dict[str, str]:
        """Every derived or original name that was changed, with the table it is in."""
        out: dict[str, str] = {}
        for table in self.tables.values():
            out.update(table.renamed)
        return out

    def view(self, format: Literal["sav", "dta"], repeat: str | None = None) -> FormatView:
        """The pyreadstat keyword arguments of ``format`` for one table (labels cut to the format's limits)."""
        table = self.tables[repeat]
        limits = LIMITS[format]
        cut: list[tuple[str, str, str]] = []

        def fitted(text: str, kind: str, variable: str) -> str:
            unit, size = limits[kind]
            short = fit_label(text, size, unit)
            if short != text:
                cut.append((variable, kind, text))
            return short

        file_label = fitted(self.title, "file", "(file)")
        column_labels = {v.name: fitted(v.label, "variable", v.name) for v in table.variables if v.label}
        value_labels: dict[str, dict[Any, str]] = {}
        missing: dict[str, list[Any]] = {}
        letters: dict[str, dict[int, str]] = {}
        for var in table.variables:
            if format == "dta" and var.missing:
                letters[var.name] = dict(zip(var.missing, STATA_MISSING, strict=False))
            if var.value_labels:
                labels: dict[Any, str] = {}
                for code, text in var.value_labels.items():
                    key: Any = letters.get(var.name, {}).get(code, code)
                    labels[key] = fitted(text, "value", var.name)
                value_labels[var.name] = labels
            if var.missing:
                missing[var.name] = (
                    _spss_missing(var) if format == "sav" else list(letters[var.name].values())
                )
        formats = {
            v.name: f
            for v in table.variables
            if (f := (v.spss_format if format == "sav" else v.stata_format)) is not None
        }
        return FormatView(
            format=format,
            file_label=file_label,
            column_labels=column_labels,
            value_labels=value_labels,
            missing=missing,
            measure={v.name: v.measure for v in table.variables} if format == "sav" else {},
            display_width={v.name: v.display_width for v in table.variables} if format == "sav" else {},
            formats=formats,
            stata_letters=letters,
            cut=cut,
        )


def _spss_missing(var: ExportVariable) -> list[Any]:
    """SPSS holds three discrete missing values, or one range and one discrete value: more than three codes
    become a range when no valid code lies inside it (else a range over all but the lowest, plus the lowest)."""
    codes = sorted(var.missing)
    if len(codes) <= 3:
        return list(codes)
    valid = [c for c in var.value_labels if c not in var.missing]

    def clear(low: int, high: int) -> bool:
        return not any(low <= c <= high for c in valid)

    if clear(codes[0], codes[-1]):
        return [{"lo": codes[0], "hi": codes[-1]}]
    if clear(codes[1], codes[-1]):
        return [{"lo": codes[1], "hi": codes[-1]}, codes[0]]
    return codes[:3]  # cannot be expressed; the codebook still lists every missing code


def fit_label(text: str, size: int, unit: str = "bytes") -> str:
    """``text`` cut (at a character boundary, ending with "…") to ``size`` bytes of UTF-8 or characters."""
    measure = (lambda s: len(s.encode("utf-8"))) if unit == "bytes" else len
    if measure(text) <= size:
        return text
    room = size - measure(ELLIPSIS)
    out = text
    while out and measure(out) > room:
        # cut roughly, then by characters: labels are short, this loop runs a few times at most
        over = measure(out) - room
        out = out[: max(len(out) - max(over // 4, 1), 0)]
    return out.rstrip() + ELLIPSIS


# --- labels in a language: the one home for how a variable and a choice are named in outputs ----------------
def _text(form: Form, texts: Mapping[str, str], language: str) -> str:
    return pick(texts, language, form.questionnaire.default_language)


def choice_label(form: Form, choice: Choice, language: str) -> str:
    """A choice's label in ``language`` (the default language's, or the name, when missing)."""
    return _text(form, choice.label, language) or choice.name


def variable_label(form: Form, var: Variable, language: str) -> str:
    """The question text (a matrix row: "question — row"; a calculation without a label: its formula)."""
    question = _text(form, var.question.label, language)
    if var.row is not None:
        row = _text(form, var.row.label, language) or var.row.code
        return f"{question} — {row}" if question else row
    if not question and var.calculation is not None:
        return t("exchange.label.calculated", language, expression=var.calculation.text)
    return question


# --- building ----------------------------------------------------------------------------------------------
_MEASURE = {
    QuestionType.LIKERT: "ordinal",
    QuestionType.MATRIX: "ordinal",
    QuestionType.INTEGER: "scale",
    QuestionType.DECIMAL: "scale",
    QuestionType.DATE: "scale",
    QuestionType.TIME: "scale",
    QuestionType.DATETIME: "scale",
}


def _choice_codes(var: Variable) -> dict[str, int]:
    return dict(var.choice_values)


def _answer(form: Form, var: Variable, language: str, name: str) -> ExportVariable:
    relevance = " and ".join(e.text for e in var.relevant)
    calculation = var.calculation.text if var.calculation is not None else ""
    common: dict[str, Any] = {
        "name": name,
        "source": var.code,
        "role": Role.ANSWER,
        "label": variable_label(form, var, language),
        "question": var.question.code,
        "question_type": var.type.value
        + (f" ({var.question.value_type})" if var.type is QuestionType.CALCULATE else ""),
        "relevance": relevance,
        "calculation": calculation,
    }
    kind = var.kind
    if kind is Kind.STRING and var.choices:
        codes = _choice_codes(var)
        width = max(len(str(c)) for c in codes.values()) if codes else 1
        return ExportVariable(
            storage=Storage.NUMERIC,
            value_labels={codes[c.name]: choice_label(form, c, language) for c in var.choices},
            missing=tuple(codes[c.name] for c in var.choices if c.missing),
            measure=_MEASURE.get(var.type, "nominal"),
            display_width=max(width, 8),
            spss_format=f"F{max(width, 1)}.0",
            codes=codes,
            **common,
        )
    if kind in (Kind.INTEGER, Kind.DECIMAL):
        return ExportVariable(
            storage=Storage.NUMERIC,
            measure="scale",
            display_width=10,
            spss_format="F8.0" if kind is Kind.INTEGER else "F10.2",
            **common,
        )
    if kind is Kind.DATE:
        return ExportVariable(
            storage=Storage.DATE,
            measure="scale",
            display_width=11,
            spss_format="DATE11",
            stata_format="%td",
            **common,
        )
    if kind is Kind.DATETIME:  # wall-clock time as recorded, no time zone
        return ExportVariable(
            storage=Storage.DATETIME,
            measure="scale",
            display_width=20,
            spss_format="DATETIME20",
            stata_format="%tc",
            **common,
        )
    if kind is Kind.TIME:
        return ExportVariable(
            storage=Storage.TIME,
            measure="scale",
            display_width=8,
            spss_format="TIME8",
            stata_format="%tcHH:MM:SS",
            **common,
        )
    wide = var.question.multiline
    return ExportVariable(storage=Storage.STRING, display_width=40 if wide else 20, **common)


def _dummies(
    form: Form, var: Variable, language: str, names: NameBook
) -> tuple[list[ExportVariable], MultipleResponseSet]:
    question = variable_label(form, var, language)
    selected = {0: t("exchange.value.not_selected", language), 1: t("exchange.value.selected", language)}
    out = []
    for choice in var.choices:
        wanted = f"{var.code}_{choice.name}"
        name = names.derive(var.code, choice.name)
        label = choice_label(form, choice, language)
        out.append(
            ExportVariable(
                name=name,
                source=var.code,
                role=Role.DUMMY,
                storage=Storage.NUMERIC,
                label=f"{question}: {label}" if question else label,
                value_labels=dict(selected),
                measure="nominal",
                display_width=8,
                spss_format="F1.0",
                choice=choice.name,
                question=var.question.code,
                question_type=var.type.value,
                relevance=" and ".join(e.text for e in var.relevant),
                derived_from=wanted if name != wanted else None,
            )
        )
    mr_name = f"${var.code}"[:64]
    mr = MultipleResponseSet(mr_name, var.question.code, question, tuple(v.name for v in out))
    return out, mr


def _meta(column: str, language: str, name: str) -> ExportVariable:
    label = t(f"exchange.meta.{column}", language)
    kind = _META_STORAGE.get(column)
    role = Role.KEY if column == "interview_id" else Role.WEIGHT if column == "weight" else Role.META
    if column == "weight":
        return ExportVariable(
            name, column, role, Storage.NUMERIC, label, measure="scale", display_width=10, spss_format="F10.4"
        )
    if kind == "datetime":
        return ExportVariable(
            name,
            column,
            role,
            Storage.DATETIME,
            label,
            measure="scale",
            display_width=20,
            spss_format="DATETIME20",
            stata_format="%tc",
        )
    if kind == "flag":
        labels = {0: t("exchange.value.no", language), 1: t("exchange.value.yes", language)}
        return ExportVariable(
            name, column, role, Storage.NUMERIC, label, labels, display_width=8, spss_format="F1.0"
        )
    return ExportVariable(
        name, column, role, Storage.STRING, label, display_width=20 if role is Role.META else 36
    )


def _key(name: str, source: str, label: str) -> ExportVariable:
    return ExportVariable(
        name, source, Role.KEY, Storage.NUMERIC, label, measure="scale", display_width=8, spss_format="F8.0"
    )


def build_metadata(
    forms: Form | Sequence[Form],
    language: str | None = None,
    *,
    meta_columns: Sequence[str] = EXPORT_META,
) -> ExportMetadata:
    """The export metadata of a questionnaire in ``language`` (default: the questionnaire's default).

    ``forms``: one form, or several versions of a questionnaire newest first (a variable only in an older
    version is added after the newest version's variables). ``meta_columns``: which of :data:`EXPORT_META`
    the interviews table carries (``weight`` makes it the case weight).
    Raises ExportError SK705 when two questions would share a name in the file (SPSS ignores case) and
    SK904 when the questionnaire has no text in ``language``.
    """
    forms = [forms] if isinstance(forms, Form) else list(forms)
    form = forms[0]
    q = form.questionnaire
    language = language or q.default_language
    if language not in q.languages:
        raise ExportError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="language"),
            detail=f"questionnaire {q.key} has no texts in '{language}' (it has {', '.join(q.languages)})",
            fix=f"Choose one of: {', '.join(q.languages)}.",
        )
    variables: dict[str, Variable] = {}
    owner: dict[str, Form] = {}
    for f in forms:
        for code, var in f.variables.items():
            if code not in variables:
                variables[code] = var
                owner[code] = f
    repeats = {code: group for f in reversed(forms) for code, group in f.repeats.items()}
    repeat_parent = {code: parent for f in reversed(forms) for code, parent in f.repeat_parent.items()}
    tables: dict[str | None, ExportTable] = {}
    mr_sets: list[MultipleResponseSet] = []
    for repeat in [None, *form.repeats, *(r for r in repeats if r not in form.repeats)]:
        names = NameBook()
        level_vars = [v for v in variables.values() if v.repeat == repeat]
        # question codes first: they keep their names; a clash between two of them is the questionnaire's fault
        for var in level_vars:
            if var.code in names:
                raise ExportError(
                    ErrorCode.EXPORT_NAME_CLASH,
                    Location(path=var.code),
                    name=var.code,
                )
            if var.kind is not Kind.MULTI:
                names.take(var.code)
        out: list[ExportVariable] = []
        keys: list[str] = []
        if repeat is None:
            for column in meta_columns:
                if column not in EXPORT_META:
                    continue
                if column in names:  # a question has the meta column's name: the meta column gives way
                    name = names.derive(column)
                else:
                    name = column
                    names.take(name)
                out.append(_meta(column, language, name))
            keys = [out[0].name] if out and out[0].source == "interview_id" else []
        else:
            names.take("interview_id")
            out.append(_meta("interview_id", language, "interview_id"))
            keys.append("interview_id")
            chain = list(reversed(_chain(repeat, repeat_parent)))  # outer first
            for code in chain:
                group = repeats[code]
                name = names.derive(code, "index")
                label_text = _text(owner_form(forms, code), group.label, language) or code
                out.append(
                    _key(name, f"{code}._index", t("exchange.label.instance", language, repeat=label_text))
                )
                keys.append(name)
        first_set = len(mr_sets)
        for var in level_vars:
            f = owner[var.code]
            if var.kind is Kind.MULTI:
                dummies, mr = _dummies(f, var, language, names)
                out.extend(dummies)
                mr_sets.append(mr)
            else:
                out.append(_answer(f, var, language, var.code))
        out, fitted = _fit_label_sets(out, names)
        if fitted:
            keys = [fitted.get(k, k) for k in keys]
            for i in range(first_set, len(mr_sets)):
                mr = mr_sets[i]
                mr_sets[i] = replace(mr, variables=tuple(fitted.get(v, v) for v in mr.variables))
        label = (
            _text(form, q.title, language)
            if repeat is None
            else (_text(owner_form(forms, repeat), repeats[repeat].label, language) or repeat)
        )
        tables[repeat] = ExportTable(
            repeat=repeat,
            name="interviews" if repeat is None else repeat,
            label=label,
            variables=tuple(out),
            keys=tuple(keys),
            parent=repeat_parent.get(repeat) if repeat is not None else None,
            weight=next((v.name for v in out if v.role is Role.WEIGHT), None),
            renamed=dict(names.renamed),
            reasons=dict(names.reasons),
        )
    return ExportMetadata(
        questionnaire=q.key,
        title=_text(form, q.title, language),
        language=language,
        tables=tables,
        mr_sets=tuple(mr_sets),
    )


def _fit_label_sets(
    variables: list[ExportVariable], names: NameBook
) -> tuple[list[ExportVariable], dict[str, str]]:
    """Names of labelled variables shortened to what Stata's label-set names allow (see
    :data:`STATA_LABEL_SET_NAME`); returns the variables and ``{old name: new name}``."""
    out: list[ExportVariable] = []
    fitted: dict[str, str] = {}
    counter = 0
    for var in variables:
        if var.value_labels:
            room = STATA_LABEL_SET_NAME - len(str(counter))
            if len(var.name) > room:
                reason = Translated(
                    en=f"Stata names the value labels after the variable: at most {room} characters here",
                    ru=f"Stata называет метки значений по имени переменной: здесь не больше {room} символов",
                )
                dummy = var.choice is not None and var.name.endswith(f"_{var.choice}")
                new = names.fit(
                    var.name,
                    room,
                    reason,
                    base=var.source if dummy else None,
                    suffix=var.choice if dummy else None,
                )

                fitted[var.name] = new
                var = replace(var, name=new, derived_from=var.derived_from or _original(names, new))
            counter += 1
        out.append(var)
    return out, fitted


def _original(names: NameBook, new: str) -> str | None:
    return next((old for old, name in names.renamed.items() if name == new), None)


def owner_form(forms: Sequence[Form], repeat: str) -> Form:
    return next(f for f in forms if repeat in f.repeats)


def _chain(repeat: str, parent: Mapping[str, str | None]) -> list[str]:
    chain = []
    current: str | None = repeat
    while current is not None:
        chain.append(current)
        current = parent.get(current)
    return chain


def label_language(languages: Sequence[str], default: str, *preferred: str | None) -> str:
    """The first of ``preferred`` the questionnaire has texts in, else its default language."""
    for language in preferred:
        if language and language in languages:
            return language
    return default


def meta_columns_in(columns: Sequence[str], forms: Form | Sequence[Form]) -> list[str]:
    """The meta columns of :data:`EXPORT_META` a frame has; a column that is also a question (a question
    named ``period``) is the question."""
    forms = [forms] if isinstance(forms, Form) else list(forms)
    questions = {code for f in forms for code in f.variables}
    present = set(columns)
    return [c for c in EXPORT_META if c in present and c not in questions]
