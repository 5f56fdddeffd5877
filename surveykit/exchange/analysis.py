"""Analysis helpers for canonical frames: frequencies, crosstabs with chi-square, weighted means and shares
with confidence intervals, Likert summaries; DataFrames and plotly figures labelled in the chosen language.

Conventions (the same as the exports and the codebook, through :mod:`.metadata`):

* Answers are read through the questionnaire: choice labels in ``language``; choices flagged
  ``missing: true`` (don't know, refused) are *user-missing*: counted in frequency tables, never in valid
  percentages, means, shares or tests.
* Weights (optional, a column of the frame): frequencies and percentages are weighted sums.
* Confidence intervals use the normal approximation with Kish's effective sample size
  ``n_eff = (sum w)^2 / sum w^2`` (equal to n without weights):

  - a mean: ``se = sqrt(s_w^2 / n_eff)`` with ``s_w^2 = sum w (x - mean)^2 / sum w * n_eff / (n_eff - 1)``;
    without weights this is the textbook ``s / sqrt(n)``;
  - a share: Wilson's score interval with ``n_eff`` in place of n (default; better than the normal
    interval near 0 and 1 and for small n), or the normal interval ``p ± z sqrt(p (1 - p) / n_eff)``.

  Both ignore clustering by institution or interviewer: treat them as lower bounds of the uncertainty.
* The chi-square test of a crosstab is Pearson's, without continuity correction, on the *unweighted*
  counts (a chi-square on weighted counts has no valid null distribution); percentages are weighted.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from surveykit.errors import ErrorCode, Location, SurveykitError, did_you_mean
from surveykit.exchange.metadata import choice_label, variable_label
from surveykit.exchange.prepare import multi_matrix
from surveykit.expressions import Kind
from surveykit.i18n import t
from surveykit.questionnaire.compiled import Form, Variable, compile_form
from surveykit.questionnaire.model import Questionnaire

__all__ = [
    "Crosstab",
    "LikertSummary",
    "MeanEstimate",
    "crosstab",
    "frequencies",
    "frequency_figure",
    "labelled",
    "likert_summary",
    "means",
    "one_period",
    "output_folder",
    "shares",
    "shares_figure",
    "table_view",
    "weighted_mean",
]


def _form(questionnaire: Questionnaire | Form) -> Form:
    return questionnaire if isinstance(questionnaire, Form) else compile_form(questionnaire)


def _variable(form: Form, frame: pd.DataFrame, code: str) -> Variable:
    var = form.variables.get(code)
    if var is None or code not in frame.columns:
        candidates = [c for c in form.variables if c in frame.columns]
        raise SurveykitError(
            ErrorCode.ANSWER_UNKNOWN_QUESTION,
            Location(field=code),
            code=code,
            suggestion=did_you_mean(code, candidates),
        )
    return var


def _language(form: Form, language: str | None) -> str:
    return language or form.questionnaire.default_language


# --- one wave, where exports go, tables and charts a reader can read ------------------------------------------------
def one_period(frame: pd.DataFrame, period: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """The interviews of one wave: ``period``, or the latest in the frame when ``None`` (pooling waves mixes
    two populations and two fieldworks: compare them side by side instead). Returns the rows and the period;
    ``None`` for a frame without interviews. An unknown period is refused, naming the periods there are."""
    periods = sorted({str(p) for p in frame["period"].dropna()}) if "period" in frame else []
    if not periods:
        return frame.iloc[0:0], None
    chosen = periods[-1] if period is None else str(period)
    if chosen not in periods:
        raise SurveykitError(
            ErrorCode.NOT_FOUND,
            Location(field="period"),
            entity="period",
            key=chosen,
            suggestion=f"; periods with interviews: {', '.join(periods)}",
        )
    return frame[frame["period"].astype(str) == chosen].reset_index(drop=True), chosen


def output_folder(path: str | Path | None = None) -> Path:
    """Where a notebook writes its exports: ``path``, else ``exports/`` in the data folder (the
    ``data_dir`` setting; git-ignored, never beside the notebooks). Created when missing."""
    from surveykit.config import settings

    folder = Path(path) if path else Path(settings().data_dir) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


#: columns that hold codes (a label column says the same for people) or flags the layout already shows
_CODE_COLUMNS = ("value", "missing", "item")
#: headers of the analysis tables in the reader's language (exchange.analysis.<column>)
_HEADERS = ("label", "group", "n", "n_eff", "n_missing", "percent", "valid_percent", "share", "lo", "hi",
            "mean", "sd", "top_box", "top2_box")  # fmt: skip
#: decimals of columns that are not counts (percentages and shares: 1; means and deviations: 2)
_DECIMALS = {"mean": 2, "sd": 2, "se": 2}


def table_view(table: pd.DataFrame, language: str | None = None):
    """A table of this module as a reader should see it (a pandas ``Styler``): counts as whole numbers
    (2504, not 2504.0), percentages with one decimal (32.3), means with two, empty cells blank (never
    "NaN"), codes hidden behind their labels, the empty "no answer" row of a frequency table left out, and
    headers in ``language`` (default: the table's)."""
    language = language or table.attrs.get("language") or "ru"
    shown = table
    if {"value", "missing", "n"} <= set(shown.columns):  # a frequency table: no row for "nobody"
        shown = shown[~(shown["value"].isna() & (shown["n"] == 0))]
    if "label" in shown.columns or "group" in shown.columns:
        shown = shown.drop(columns=[c for c in _CODE_COLUMNS if c in shown.columns])
    formats = {}
    for column in shown.columns:
        present = shown[column].dropna()
        if pd.api.types.is_bool_dtype(shown[column]) or not all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in present
        ):
            continue  # text, labels, flags: shown as they are
        values = pd.to_numeric(shown[column], errors="coerce").astype(float)
        finite = values[np.isfinite(values)]
        whole = len(finite) > 0 and bool((finite == finite.round()).all()) and column not in _DECIMALS
        decimals = 0 if whole else _DECIMALS.get(str(column), 1)
        formats[column] = f"{{:.{decimals}f}}"
    headers = {c: t(f"exchange.analysis.{c}", language) for c in shown.columns if c in _HEADERS}
    if "item" in table.columns and "label" in shown.columns:  # item statistics: the label is the question
        headers["label"] = t("exchange.analysis.question", language)
    styler = shown.style.format(formats, na_rep="")
    styler = styler.format_index(lambda c: headers.get(c, c), axis=1)
    if isinstance(shown.index, pd.RangeIndex) or list(shown.index) == list(range(len(shown))):
        styler = styler.hide(axis="index")
    return styler


#: a chart's title in lines short enough for a notebook's width (about 800 px)
_TITLE_WIDTH = 70
#: the legend in one row above the plot, in the order of the answers, never over the axis labels
_LEGEND_ABOVE = {
    "orientation": "h",
    "x": 0,
    "y": 1.0,
    "yanchor": "bottom",
    "xanchor": "left",
    "traceorder": "normal",
}


def _wrap(text: object, width: int) -> str:
    """A chart label broken into lines of at most ``width`` characters (plotly's ``<br>``)."""
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _title(text: str, *, legend: bool = False) -> tuple[dict, dict]:
    """A chart's title at the top left in short lines, and the top margin that leaves room for it (and for a
    legend row under it): the title never runs into the legend or the bars."""
    wrapped = _wrap(text, _TITLE_WIDTH) if text else ""
    lines = wrapped.count("<br>") + 1 if wrapped else 0
    title = {"text": wrapped, "x": 0.01, "xanchor": "left", "yref": "container", "y": 1, "yanchor": "top",
             "pad": {"t": 12}}  # fmt: skip
    return title, {"l": 10, "r": 10, "b": 40, "t": 30 + 24 * lines + (50 if legend else 0)}


def _bar_height(bars: int, per_bar: int, lines: int = 1) -> int:
    """A horizontal bar chart tall enough for every bar's label (plotly hides labels that do not fit)."""
    return max(320, 140 + bars * max(per_bar, 16 * lines + 8))


def _weights(frame: pd.DataFrame, weight: str | None) -> np.ndarray:
    if weight is None:
        return np.ones(len(frame))
    if weight not in frame.columns:
        raise SurveykitError(
            ErrorCode.ANSWER_UNKNOWN_QUESTION,
            Location(field=weight),
            code=weight,
            suggestion=did_you_mean(weight, [str(c) for c in frame.columns]),
        )
    w = pd.to_numeric(frame[weight], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(w) | (w < 0), 0.0, w)


def _codes(var: Variable, column: pd.Series) -> np.ndarray:
    """Position of each answer in the choice list (-1: no answer or not a choice)."""
    names = list(var.choice_names)
    if isinstance(column.dtype, pd.CategoricalDtype) and [str(c) for c in column.cat.categories] == names:
        return column.cat.codes.to_numpy()
    return pd.Categorical(column.astype(object), categories=names).codes


def _points(var: Variable, column: pd.Series) -> np.ndarray:
    """Numbers for means: a number as it is; a choice as its numeric code, user-missing codes as NaN."""
    if var.choices and var.kind is Kind.STRING:
        missing = var.missing_names
        table = np.array(
            [np.nan if c.name in missing else float(var.choice_values[c.name]) for c in var.choices]
            + [np.nan]
        )
        codes = _codes(var, column)
        return table[np.where(codes < 0, len(var.choices), codes)]
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def labelled(
    frame: pd.DataFrame, questionnaire: Questionnaire | Form, *, language: str | None = None
) -> pd.DataFrame:
    """A copy of ``frame`` with single choices shown by their labels in ``language`` (categoricals in list order)."""
    form = _form(questionnaire)
    language = _language(form, language)
    out = frame.copy()
    for code, var in form.variables.items():
        if code in out.columns and var.choices and var.kind is Kind.STRING:
            labels = [choice_label(form, c, language) for c in var.choices]
            codes = _codes(var, out[code])
            if len(set(labels)) == len(labels):
                out[code] = pd.Categorical.from_codes(codes, categories=labels)
            else:
                out[code] = np.array([*labels, None], dtype=object)[np.where(codes < 0, len(labels), codes)]
    return out


# --- frequencies -----------------------------------------------------------------------------------------------
def frequencies(
    frame: pd.DataFrame,
    code: str,
    questionnaire: Questionnaire | Form,
    *,
    language: str | None = None,
    weight: str | None = None,
) -> pd.DataFrame:
    """A frequency table: ``value`` (the choice name, or the value), ``label``, ``missing`` (user-missing),
    ``n`` (weighted when ``weight``), ``percent`` (of all rows), ``valid_percent`` (of valid answers).

    A multiple choice gives one row per choice with the % of those who answered the question (the
    percentages add up to more than 100). The last row counts rows with no answer.
    ``table.attrs``: ``title`` (the question), ``n_valid``, ``n_total``.
    """
    form = _form(questionnaire)
    language = _language(form, language)
    var = _variable(form, frame, code)
    w = _weights(frame, weight)
    column = frame[code]
    total = float(w.sum())
    rows = []
    if var.choices and var.kind is Kind.MULTI:
        matrix, answer, _ = multi_matrix(column, list(var.choice_names))
        answered = answer >= 0
        base = float(w[answered].sum())
        for j, choice in enumerate(var.choices):
            chosen = answered & matrix[np.maximum(answer, 0), j]
            n = float(w[chosen].sum())
            rows.append((choice.name, choice_label(form, choice, language), choice.missing, n, base))
        n_valid = base
        no_answer = total - base
    elif var.choices:
        codes = _codes(var, column)
        counts = np.bincount(codes[codes >= 0], weights=w[codes >= 0], minlength=len(var.choices))
        n_valid = float(sum(n for c, n in zip(var.choices, counts, strict=True) if not c.missing))
        for choice, n in zip(var.choices, counts, strict=True):
            rows.append(
                (choice.name, choice_label(form, choice, language), choice.missing, float(n), n_valid)
            )
        no_answer = float(w[codes < 0].sum())
    else:
        present = column.notna() & (column.astype(object).astype(str) != "")
        grouped = pd.Series(w[present.to_numpy()]).groupby(column[present].to_numpy()).sum().sort_index()
        n_valid = float(grouped.sum())
        for value, n in grouped.items():
            rows.append((value, str(value), False, float(n), n_valid))
        no_answer = total - n_valid
    table = pd.DataFrame(
        [
            {
                "value": value,
                "label": label,
                "missing": bool(missing),
                "n": n,
                "percent": n / total * 100 if total else np.nan,
                "valid_percent": np.nan if missing or not base else n / base * 100,
            }
            for value, label, missing, n, base in rows
        ],
        columns=["value", "label", "missing", "n", "percent", "valid_percent"],
    )
    table.loc[len(table)] = {
        "value": None,
        "label": t("exchange.analysis.no_answer", language),
        "missing": True,
        "n": no_answer,
        "percent": no_answer / total * 100 if total else np.nan,
        "valid_percent": np.nan,
    }
    table.attrs.update(
        {
            "title": variable_label(form, var, language),
            "n_valid": n_valid,
            "n_total": total,
            "language": language,
        }
    )
    return table


def frequency_figure(table: pd.DataFrame):
    """A bar chart of the valid percentages of a :func:`frequencies` table (user-missing rows left out): one
    labelled bar per answer, the question as the title, tall enough for every label."""
    import plotly.graph_objects as go

    language = table.attrs.get("language", "en")
    shown = table[~table["missing"]]
    labels = [_wrap(label, 40) for label in shown["label"]]
    figure = go.Figure(
        go.Bar(
            x=shown["valid_percent"].tolist(),
            y=labels,
            orientation="h",
            text=[f"{p:.1f} %" for p in shown["valid_percent"]],
            textposition="auto",
        )
    )
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    title, margin = _title(table.attrs.get("title", ""))
    figure.update_layout(
        title=title,
        xaxis={"title": t("exchange.analysis.valid_percent", language), "range": [0, 100]},
        yaxis={"autorange": "reversed", "dtick": 1, "automargin": True},
        height=_bar_height(len(labels), 44, lines) + margin["t"],
        margin=margin,
    )
    return figure


# --- crosstabs ---------------------------------------------------------------------------------------------------
@dataclass
class Crosstab:
    """Counts (rows: the row variable's answers, columns: the column variable's), column percentages, and
    Pearson's chi-square test of independence on the unweighted counts."""

    counts: pd.DataFrame
    column_percent: pd.DataFrame
    chi2: float
    dof: int
    p_value: float
    expected: pd.DataFrame
    n: float
    cramers_v: float
    row_title: str
    column_title: str
    language: str

    def figure(self):
        """Stacked bars: one per column category, split by the row variable (column percentages). The two
        questions are the title (once); the answers of the row variable are the legend, above the bars."""
        import plotly.graph_objects as go

        figure = go.Figure()
        columns = [_wrap(c, 22) for c in self.column_percent.columns]
        for label, values in self.column_percent.iterrows():
            shares = values.astype(float)
            figure.add_bar(
                name=str(label),
                x=columns,
                y=shares.round(1).fillna(0).tolist(),
                text=[f"{v:.1f} %" if v >= 4 else "" for v in shares.fillna(0)],
                textposition="inside",
            )
        lines = max((c.count("<br>") + 1 for c in columns), default=1)
        title, margin = _title(f"{self.row_title} × {self.column_title}", legend=True)
        figure.update_layout(
            barmode="stack",
            title=title,
            yaxis={"title": "%", "range": [0, 100]},
            xaxis={"automargin": True, "tickangle": 0},
            legend=_LEGEND_ABOVE,
            height=360 + 16 * lines + margin["t"],
            margin=margin,
        )
        return figure


def _categories(
    form: Form, var: Variable, frame: pd.DataFrame, code: str, language: str, exclude_missing: bool
) -> tuple[np.ndarray, list[str]]:
    """Category index of each row (-1: left out) and the category labels."""
    if var.choices and var.kind is Kind.STRING:
        codes = _codes(var, frame[code])
        keep = [i for i, c in enumerate(var.choices) if not (exclude_missing and c.missing)]
        remap = np.full(len(var.choices) + 1, -1)
        remap[keep] = np.arange(len(keep))
        labels = [choice_label(form, var.choices[i], language) for i in keep]
        return remap[np.where(codes < 0, len(var.choices), codes)], labels
    values = frame[code].astype(object)
    present = values.notna() & (values.astype(str) != "")
    codes, uniques = pd.factorize(values.where(present, None), sort=True, use_na_sentinel=True)
    return codes, [str(u) for u in uniques]


def crosstab(
    frame: pd.DataFrame,
    row: str,
    column: str,
    questionnaire: Questionnaire | Form,
    *,
    language: str | None = None,
    weight: str | None = None,
    exclude_missing: bool = True,
) -> Crosstab:
    """Crosstab of two variables (choices in list order, user-missing answers left out unless
    ``exclude_missing=False``), column percentages and chi-square (rows or columns that are empty are
    left out of the test)."""
    from scipy.stats import chi2_contingency

    form = _form(questionnaire)
    language = _language(form, language)
    row_var = _variable(form, frame, row)
    column_var = _variable(form, frame, column)
    r, row_labels = _categories(form, row_var, frame, row, language, exclude_missing)
    c, column_labels = _categories(form, column_var, frame, column, language, exclude_missing)
    both = (r >= 0) & (c >= 0)
    w = _weights(frame, weight)
    shape = (len(row_labels), len(column_labels))
    flat = r[both] * shape[1] + c[both]
    unweighted = np.bincount(flat, minlength=shape[0] * shape[1]).reshape(shape).astype(float)
    weighted = np.bincount(flat, weights=w[both], minlength=shape[0] * shape[1]).reshape(shape)
    counts = pd.DataFrame(weighted, index=row_labels, columns=column_labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = counts / counts.sum(axis=0) * 100
    keep_rows = unweighted.sum(axis=1) > 0
    keep_cols = unweighted.sum(axis=0) > 0
    test = unweighted[np.ix_(keep_rows, keep_cols)]
    expected = pd.DataFrame(np.nan, index=row_labels, columns=column_labels)
    if test.shape[0] >= 2 and test.shape[1] >= 2:
        result = chi2_contingency(test, correction=False)
        chi2, p_value, dof = float(result.statistic), float(result.pvalue), int(result.dof)
        expected.iloc[np.flatnonzero(keep_rows), np.flatnonzero(keep_cols)] = result.expected_freq
        n = float(test.sum())
        cramers_v = float(np.sqrt(chi2 / (n * (min(test.shape) - 1))))
    else:
        chi2, p_value, dof, cramers_v = np.nan, np.nan, 0, np.nan
    return Crosstab(
        counts=counts,
        column_percent=percent,
        chi2=chi2,
        dof=dof,
        p_value=p_value,
        expected=expected,
        n=float(unweighted.sum()),
        cramers_v=cramers_v,
        row_title=variable_label(form, row_var, language),
        column_title=variable_label(form, column_var, language),
        language=language,
    )


# --- means and shares with confidence intervals -----------------------------------------------------------------
@dataclass(frozen=True)
class MeanEstimate:
    mean: float
    se: float
    lo: float
    hi: float
    n: int
    n_eff: float
    confidence: float


def _z(confidence: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - (1 - confidence) / 2))


def weighted_mean(
    values: Iterable[float] | np.ndarray | pd.Series,
    weights: Iterable[float] | np.ndarray | pd.Series | None = None,
    *,
    confidence: float = 0.95,
) -> MeanEstimate:
    """Weighted mean with a normal-approximation interval using Kish's effective n (see the module text).
    Values that are NaN, and weights that are NaN or zero, are left out."""
    x = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    w = (
        np.ones_like(x)
        if weights is None
        else np.asarray(pd.to_numeric(pd.Series(weights), errors="coerce"), dtype=float)
    )
    keep = ~np.isnan(x) & ~np.isnan(w) & (w > 0)
    x, w = x[keep], w[keep]
    n = len(x)
    if n == 0:
        return MeanEstimate(np.nan, np.nan, np.nan, np.nan, 0, 0.0, confidence)
    total = w.sum()
    mean = float((w * x).sum() / total)
    n_eff = float(total**2 / (w**2).sum())
    if n < 2 or n_eff <= 1:
        return MeanEstimate(mean, np.nan, np.nan, np.nan, n, n_eff, confidence)
    variance = float((w * (x - mean) ** 2).sum() / total * n_eff / (n_eff - 1))
    se = float(np.sqrt(variance / n_eff))
    z = _z(confidence)
    return MeanEstimate(mean, se, mean - z * se, mean + z * se, n, n_eff, confidence)


def _groups(frame: pd.DataFrame, form: Form, by: str | None, language: str) -> list[tuple[str, np.ndarray]]:
    if by is None:
        return [(t("exchange.analysis.all", language), np.ones(len(frame), dtype=bool))]
    var = form.variables.get(by)
    if var is not None and var.choices and var.kind is Kind.STRING:
        codes = _codes(var, frame[by])
        return [
            (choice_label(form, choice, language), codes == i)
            for i, choice in enumerate(var.choices)
            if (codes == i).any()
        ]
    values = frame[by].astype(object)
    return [
        (str(key), (values == key).to_numpy(dtype=bool)) for key in sorted(values.dropna().unique(), key=str)
    ]


def means(
    frame: pd.DataFrame,
    code: str,
    questionnaire: Questionnaire | Form,
    *,
    by: str | None = None,
    weight: str | None = None,
    language: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean of a number or of a scale's points (user-missing answers left out) per group of ``by``."""
    form = _form(questionnaire)
    language = _language(form, language)
    var = _variable(form, frame, code)
    x = _points(var, frame[code])
    w = _weights(frame, weight)
    rows = []
    for label, mask in _groups(frame, form, by, language):
        est = weighted_mean(x[mask], w[mask], confidence=confidence)
        rows.append(
            {
                "group": label,
                "n": est.n,
                "n_eff": est.n_eff,
                "mean": est.mean,
                "se": est.se,
                "lo": est.lo,
                "hi": est.hi,
            }
        )
    out = pd.DataFrame(rows, columns=["group", "n", "n_eff", "mean", "se", "lo", "hi"])
    out.attrs.update({"title": variable_label(form, var, language), "language": language, "by": by})
    return out


def shares(
    frame: pd.DataFrame,
    code: str,
    questionnaire: Questionnaire | Form,
    values: str | Sequence[str] | None = None,
    *,
    by: str | None = None,
    weight: str | None = None,
    language: str | None = None,
    method: str = "wilson",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The share (in %) of valid answers that are one of ``values`` (choice names; default ``yes``), per group
    of ``by``, with a Wilson (default) or normal confidence interval on Kish's effective n."""
    from surveykit.scoring import wilson

    form = _form(questionnaire)
    language = _language(form, language)
    var = _variable(form, frame, code)
    wanted = ["yes"] if values is None else [values] if isinstance(values, str) else list(values)
    unknown = [v for v in wanted if v not in var.choice_names]
    if unknown:
        raise SurveykitError(
            ErrorCode.ANSWER_NOT_IN_LIST,
            Location(field=code),
            value=unknown[0],
            choices=", ".join(var.choice_names),
        )
    if method not in ("wilson", "normal"):
        raise SurveykitError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="method"),
            detail=f"method '{method}' is not known",
            fix="Use 'wilson' or 'normal'.",
        )
    codes = _codes(var, frame[code])
    valid_codes = [i for i, c in enumerate(var.choices) if not c.missing]
    hit_codes = [var.choice_names.index(v) for v in wanted]
    valid = np.isin(codes, valid_codes)
    hit = np.isin(codes, hit_codes) & valid
    w = _weights(frame, weight)
    z = _z(confidence)
    rows = []
    for label, mask in _groups(frame, form, by, language):
        m = mask & valid & (w > 0)
        total = float(w[m].sum())
        n_eff = float(total**2 / (w[m] ** 2).sum()) if total > 0 else 0.0
        p = float(w[m & hit].sum() / total) if total > 0 else np.nan
        if method == "wilson":
            lo, hi = wilson(np.array([p * n_eff if total else 0.0]), np.array([n_eff]), z)
            lo, hi = float(lo[0]), float(hi[0])
        else:
            half = z * np.sqrt(p * (1 - p) / n_eff) if n_eff > 0 else np.nan
            lo, hi = max(p - half, 0.0), min(p + half, 1.0)
        rows.append(
            {
                "group": label,
                "n": int(m.sum()),
                "n_eff": n_eff,
                "share": p * 100,
                "lo": lo * 100,
                "hi": hi * 100,
            }
        )
    out = pd.DataFrame(rows, columns=["group", "n", "n_eff", "share", "lo", "hi"])
    out.attrs.update(
        {
            "title": variable_label(form, var, language),
            "values": ", ".join(choice_label(form, var.choices[i], language) for i in hit_codes),
            "language": language,
            "method": method,
        }
    )
    return out


def shares_figure(table: pd.DataFrame):
    """Shares with their confidence intervals as horizontal bars with error bars: one labelled bar per group
    (every label shown, however many groups: the chart grows with them)."""
    import plotly.graph_objects as go

    labels = [_wrap(g, 45) for g in table["group"]]
    figure = go.Figure(
        go.Bar(
            x=table["share"].tolist(),
            y=labels,
            orientation="h",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (table["hi"] - table["share"]).tolist(),
                "arrayminus": (table["share"] - table["lo"]).tolist(),
            },
            text=[f"{s:.1f} %" for s in table["share"]],
            textposition="inside",
            insidetextanchor="start",
        )
    )
    title = table.attrs.get("title", "")
    if table.attrs.get("values"):
        title = f"{title}: {table.attrs['values']}"
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    title, margin = _title(title)
    figure.update_layout(
        title=title,
        xaxis={"range": [0, 100], "title": "%"},
        yaxis={"autorange": "reversed", "dtick": 1, "automargin": True},
        height=_bar_height(len(labels), 26, lines) + margin["t"],
        margin=margin,
    )
    return figure


# --- Likert -------------------------------------------------------------------------------------------------------
@dataclass
class LikertSummary:
    """Item statistics (from :func:`surveykit.scoring.likert.item_statistics`: n, mean, sd, top boxes) with the
    question texts, and the distribution of answers (% of valid answers per point, labels as columns)."""

    statistics: pd.DataFrame
    distribution: pd.DataFrame
    language: str

    def figure(self):
        """Stacked horizontal bars: one per item, one segment per scale point (labels in the language), the
        scale's points as a legend above the bars, tall enough to read every item."""
        import plotly.graph_objects as go

        figure = go.Figure()
        items = [_wrap(item, 45) for item in self.distribution.index]
        for point in self.distribution.columns:
            values = self.distribution[point].astype(float).fillna(0)
            figure.add_bar(
                name=str(point),
                y=items,
                x=values.round(1).tolist(),
                orientation="h",
                text=[f"{v:.0f}" if v >= 6 else "" for v in values],
                textposition="inside",
            )
        lines = max((item.count("<br>") + 1 for item in items), default=1)
        figure.update_layout(
            barmode="stack",
            xaxis={"range": [0, 100], "title": "%"},
            yaxis={"autorange": "reversed", "dtick": 1, "automargin": True},
            legend=_LEGEND_ABOVE,
            height=_bar_height(len(items), 56, lines) + 120,
            margin={"l": 10, "r": 10, "t": 110, "b": 40},
        )
        return figure


def likert_summary(
    frame: pd.DataFrame,
    items: Sequence[str],
    questionnaire: Questionnaire | Form,
    *,
    language: str | None = None,
    by: str | None = None,
    reverse: Iterable[str] = (),
) -> LikertSummary:
    """Likert items: statistics by :mod:`surveykit.scoring.likert` (points from the questionnaire, missing codes
    excluded, ``reverse`` items mirrored) and the answer distribution, labelled in ``language``."""
    from surveykit.scoring.likert import item_statistics

    form = _form(questionnaire)
    language = _language(form, language)
    variables = [_variable(form, frame, code) for code in items]
    stats = item_statistics(frame, list(items), by=by, questionnaire=form.questionnaire, reverse=reverse)
    titles = {v.code: variable_label(form, v, language) for v in variables}
    stats.insert(stats.columns.get_loc("item") + 1, "label", stats["item"].map(titles))
    rows = {}
    for var in variables:
        codes = _codes(var, frame[var.code])
        valid = [i for i, c in enumerate(var.choices) if not c.missing]
        counts = np.bincount(codes[np.isin(codes, valid)], minlength=len(var.choices))
        total = counts[valid].sum()
        rows[titles[var.code]] = {
            choice_label(form, var.choices[i], language): (counts[i] / total * 100 if total else np.nan)
            for i in valid
        }
    distribution = pd.DataFrame.from_dict(rows, orient="index")
    return LikertSummary(stats, distribution, language)
