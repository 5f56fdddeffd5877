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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
    "shares",
    "shares_figure",
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
    """A bar chart of the valid percentages of a :func:`frequencies` table (user-missing rows left out)."""
    import plotly.graph_objects as go

    language = table.attrs.get("language", "en")
    shown = table[~table["missing"]]
    figure = go.Figure(
        go.Bar(
            x=shown["valid_percent"],
            y=shown["label"],
            orientation="h",
            text=[f"{p:.1f} %" for p in shown["valid_percent"]],
            textposition="auto",
        )
    )
    figure.update_layout(
        title=table.attrs.get("title", ""),
        xaxis_title=t("exchange.analysis.valid_percent", language),
        yaxis={"autorange": "reversed"},
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
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
        """Stacked bars: one per column category, split by the row variable (column percentages)."""
        import plotly.graph_objects as go

        figure = go.Figure()
        for label, values in self.column_percent.iterrows():
            figure.add_bar(name=str(label), x=[str(c) for c in values.index], y=values.to_numpy())
        figure.update_layout(
            barmode="stack",
            title=f"{self.row_title} × {self.column_title}",
            yaxis_title="%",
            legend_title=self.row_title,
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
    """Shares with their confidence intervals as horizontal bars with error bars."""
    import plotly.graph_objects as go

    figure = go.Figure(
        go.Bar(
            x=table["share"],
            y=table["group"],
            orientation="h",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (table["hi"] - table["share"]).to_numpy(),
                "arrayminus": (table["share"] - table["lo"]).to_numpy(),
            },
            text=[f"{s:.1f} %" for s in table["share"]],
            textposition="inside",
        )
    )
    title = table.attrs.get("title", "")
    if table.attrs.get("values"):
        title = f"{title}: {table.attrs['values']}"
    figure.update_layout(
        title=title, xaxis={"range": [0, 100], "title": "%"}, yaxis={"autorange": "reversed"}
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
        """Stacked horizontal bars: one per item, one segment per scale point (labels in the language)."""
        import plotly.graph_objects as go

        figure = go.Figure()
        for point in self.distribution.columns:
            figure.add_bar(
                name=str(point),
                y=list(self.distribution.index),
                x=self.distribution[point].to_numpy(),
                orientation="h",
            )
        figure.update_layout(
            barmode="stack", xaxis={"range": [0, 100], "title": "%"}, yaxis={"autorange": "reversed"}
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
