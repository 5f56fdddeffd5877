"""The interview frame prepared once for every check: identifiers as codes, times as numbers, answer codes.

Times: ``started_at`` and ``submitted_at`` are read as UTC (naive times are taken to be UTC, as the store
writes them) and converted to the rules' time zone for "per day" and field hours. Everything is a numpy
array aligned with the rows of the frame; nothing here loops over interviews.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surveykit.quality.items import FormItems, choice_codes, form_items, relevance
from surveykit.quality.messages import plain_params, render_all
from surveykit.quality.rules import QualityRules
from surveykit.questionnaire.compiled import Form

__all__ = ["FLAG_COLUMNS", "Context", "flags_frame", "object_frame"]

#: the columns of ``QualityResult.flags``, in order (a fixed interface: other modules code against it)
FLAG_COLUMNS = (
    "rule",
    "level",
    "interview_id",
    "interviewer_id",
    "institution_id",
    "value",
    "threshold",
    "detail",
    "message",
    "params",
)

_NS_PER_S = 1_000_000_000


def _labels(column: pd.Series | None, n: int, missing: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes ``0..k-1`` and the labels (as ``str``); an empty value becomes the label ``missing``."""
    if column is None:
        return np.zeros(n, dtype=np.int64), np.array([missing], dtype=object)
    codes, labels = pd.factorize(column, sort=True, use_na_sentinel=True)
    labels = np.asarray([str(v) for v in labels], dtype=object)
    if (codes < 0).any():
        labels = np.append(labels, missing)
        codes = np.where(codes < 0, len(labels) - 1, codes)
    if len(labels) == 0:
        return np.zeros(n, dtype=np.int64), np.array([missing], dtype=object)
    return codes.astype(np.int64), labels


def _seconds(column: pd.Series | None, n: int) -> np.ndarray:
    """Seconds since the epoch (float, NaN when missing), reading naive times as UTC."""
    if column is None:
        return np.full(n, np.nan)
    times = pd.to_datetime(column, utc=True, errors="coerce")
    ns = times.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
    ns[times.isna().to_numpy()] = np.nan
    return ns / _NS_PER_S


@dataclass
class Context:
    """One questionnaire's interviews, ready for the checks."""

    form: Form
    data: pd.DataFrame
    rules: QualityRules
    n: int
    interview_id: np.ndarray  # str per row
    interviewer: np.ndarray  # codes into interviewer_labels
    interviewer_labels: np.ndarray
    institution: np.ndarray  # codes into institution_labels
    institution_labels: np.ndarray
    mode: np.ndarray  # str per row ("" when unknown)
    period: np.ndarray  # str per row ("" when unknown)
    started: np.ndarray  # seconds since the epoch, UTC (NaN unknown)
    submitted: np.ndarray
    utc_offset: np.ndarray  # seconds to add to a UTC time for the local time (per row, at its start)
    items: FormItems = field(init=False)
    skipped: dict[str, str] = field(default_factory=dict, init=False)  # rule -> why it did not run
    institutions: pd.DataFrame | None = field(default=None, init=False)  # written by institution_anomaly
    effects: pd.DataFrame | None = field(default=None, init=False)  # written by interviewer_effect
    _codes: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.items = form_items(self.form, self.data.columns)

    @classmethod
    def build(cls, form: Form, frame: pd.DataFrame, rules: QualityRules) -> Context:
        data = frame.reset_index(drop=True)
        data.attrs = {}  # pandas deep-copies attrs (a synthetic frame's form) on every operation
        n = len(data)
        ids = data["interview_id"] if "interview_id" in data else pd.Series(np.arange(n))
        interview_id = ids.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(interview_id, skipna=False) != "string":
            interview_id = ids.astype(str).to_numpy(dtype=object)
        interviewer, interviewer_labels = _labels(data.get("interviewer_id"), n, "(unknown)")
        institution, institution_labels = _labels(data.get("institution_id"), n, "(unknown)")
        mode_codes, mode_labels = _labels(data.get("mode"), n, "")
        period_codes, period_labels = _labels(data.get("period"), n, "")
        started = _seconds(data.get("started_at"), n)
        submitted = _seconds(data.get("submitted_at"), n)
        reference = np.where(np.isfinite(started), started, submitted)
        offset = np.zeros(n)
        ok = np.isfinite(reference)
        if ok.any():
            # the UTC offset changes on whole hours: convert each distinct hour once
            hours, where = np.unique(np.floor(reference[ok] / 3600), return_inverse=True)
            utc = pd.to_datetime(hours * 3600 * _NS_PER_S, utc=True)
            local = utc.tz_convert(rules.timezone)
            per_hour = (local.tz_localize(None) - utc.tz_localize(None)).total_seconds().to_numpy()
            offset[ok] = per_hour[where.reshape(-1)]
        return cls(
            form=form,
            data=data,
            rules=rules,
            n=n,
            interview_id=interview_id,
            interviewer=interviewer,
            interviewer_labels=interviewer_labels,
            institution=institution,
            institution_labels=institution_labels,
            mode=mode_labels[mode_codes],
            period=period_labels[period_codes],
            started=started,
            submitted=submitted,
            utc_offset=offset,
        )

    # --- answers ------------------------------------------------------------------------------------------
    def codes(self, code: str) -> np.ndarray:
        """The answers to ``code`` as integer codes (-1 unanswered), computed once."""
        if code not in self._codes:
            self._codes[code] = choice_codes(self.form.variables.get(code), self.data[code])
        return self._codes[code]

    def missing_mask(self, code: str, names: frozenset[str] | set[str]) -> np.ndarray:
        """Whether the answer to the choice question ``code`` is one of the choices ``names``."""
        var = self.form.variables[code]
        positions = [i for i, name in enumerate(var.choice_names) if name in names]
        return np.isin(self.codes(code), positions)

    @functools.cached_property
    def relevant(self) -> dict[str, np.ndarray]:
        """Relevance of every required question and follow-up (by the questionnaire's engine)."""
        wanted = set(self.items.required) | {f for follow in self.items.filters.values() for f in follow}
        wanted |= set(self.items.substantive)
        return relevance(self.form, self.data, [c for c in self.form.order if c in wanted])

    # --- local time ---------------------------------------------------------------------------------------
    def local(self, seconds: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Local seconds since the epoch (the rules' time zone, offset taken at the interview's start) of
        ``seconds`` given for every interview, or for the interviews ``rows``."""
        return seconds + (self.utc_offset if rows is None else self.utc_offset[rows])

    @property
    def n_interviewers(self) -> int:
        return len(self.interviewer_labels)

    @property
    def n_institutions(self) -> int:
        return len(self.institution_labels)


def flags_frame(
    rule: str,
    level: str,
    *,
    interview_id=None,
    interviewer_id=None,
    institution_id=None,
    value,
    threshold,
    message: str | Sequence[str],
    params: Sequence[Mapping[str, Any]],
) -> pd.DataFrame:
    """Flags of one rule in the fixed shape; scalar arguments are repeated, ``None`` stays ``None``.

    ``message`` is the key of the words of the flags (one for all, or one per flag) and ``params`` their
    parameters, one dict per flag (:mod:`surveykit.quality.messages`); ``detail`` is their English rendering."""
    value = np.atleast_1d(np.asarray(value, dtype=float))
    n = len(value)
    params = [plain_params(p) for p in params]
    messages = [message] * n if isinstance(message, str) else [str(m) for m in message]
    if len(params) != n or len(messages) != n:
        raise ValueError(f"{rule}: {n} flags but {len(messages)} messages and {len(params)} parameter sets")

    def column(v) -> np.ndarray:
        if v is None:
            return np.full(n, None, dtype=object)
        if isinstance(v, str):
            return np.full(n, v, dtype=object)
        out = np.asarray(v, dtype=object)
        return out if out.ndim else np.full(n, out.item(), dtype=object)

    return object_frame(
        {
            "rule": np.full(n, rule, dtype=object),
            "level": np.full(n, level, dtype=object),
            "interview_id": column(interview_id),
            "interviewer_id": column(interviewer_id),
            "institution_id": column(institution_id),
            "value": value,
            "threshold": np.broadcast_to(np.asarray(threshold, dtype=float), (n,)).copy(),
            "detail": np.array(render_all(messages, params, "en"), dtype=object),
            "message": np.array(messages, dtype=object),
            "params": _objects(params),
        }
    )


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def object_frame(columns: dict) -> pd.DataFrame:
    """A frame whose text columns stay ``object`` (as the store's frames): pandas 3 would convert every
    array of Python strings to its string dtype, a second copy of a million identifiers."""
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=object, copy=False)
            if isinstance(values, np.ndarray) and values.dtype == object
            else values
            for name, values in columns.items()
        }
    )
