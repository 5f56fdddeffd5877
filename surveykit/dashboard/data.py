"""The dashboard's data: everything council members see, prepared without widgets and already suppressed.

:func:`dashboard_data` reads a source (a :class:`~surveykit.store.Store` or a mapping of canonical frames),
rates every institution and period once with the methodology profile, and passes the rating through
:mod:`surveykit.dashboard.privacy`. The :class:`DashboardData` it returns holds only the *published*
rating; its views are plain frames for the chart functions (:mod:`surveykit.dashboard.charts`), the app,
the reports and the council exports:

* :meth:`~DashboardData.ranking`: one row per institution of the filtered selection, in the order shown;
* :meth:`~DashboardData.institution`: one institution: criteria and indicators against the regional mean and
  the thresholds, the trend, checklist findings, the qualified conclusion and the approved suggestions;
* :meth:`~DashboardData.progress`: fieldwork, interviews done against targets, per institution or interviewer;
* :meth:`~DashboardData.distribution` / :meth:`~DashboardData.compare_periods`: any choice question.

Changing the filters or the language is cheap (:meth:`DashboardData.with_`): the rating is not recomputed.
Ranks are the official places in the whole rating (filters select what is shown, they do not re-rank).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveykit.dashboard.labels import measure_name, mode_label, type_label
from surveykit.dashboard.privacy import (
    Disclosure,
    approved_open_answers,
    publish_conclusions,
    publish_rating,
    reference_means,
)
from surveykit.dashboard.sources import DataSource, Snapshot, as_source
from surveykit.errors import (
    AccessDenied,
    ErrorCode,
    Location,
    NotFoundError,
    SurveykitError,
    Translated,
    did_you_mean,
)
from surveykit.i18n import UI_LANGUAGES, t
from surveykit.questionnaire.compiled import compile_form
from surveykit.questionnaire.model import Questionnaire, QuestionType
from surveykit.scoring import DEFAULT_PROFILE, Profile, Rating, load_profile, rate
from surveykit.scoring.conclusion import FINDING_PHRASES

__all__ = [
    "CATEGORIES",
    "ChoiceQuestion",
    "DashboardData",
    "Filters",
    "InstitutionView",
    "dashboard_data",
    "total_flag",
]

#: colour categories of an institution in the rating chart, in legend order
CATEGORIES = ("good_practice", "neutral", "needs_improvement", "withheld", "not_rated")
_DISTRIBUTABLE = {
    QuestionType.SELECT_ONE,
    QuestionType.YES_NO,
    QuestionType.LIKERT,
    QuestionType.MATRIX,
    QuestionType.SELECT_MULTIPLE,
}


@dataclass(frozen=True)
class Filters:
    """What the council member selected. ``None`` means all; ``period`` ``None`` means the latest.

    ``region``, ``municipality`` and ``type`` select institutions (the rating, fieldwork and answers);
    ``mode`` selects interviews by how they were done, in answer distributions only."""

    period: str | None = None
    region: str | None = None
    municipality: str | None = None
    type: str | None = None
    #: the interview mode: selects answers in distributions (the rating is always over every mode)
    mode: str | None = None

    def mask(self, institutions: pd.DataFrame) -> np.ndarray:
        keep = np.ones(len(institutions), dtype=bool)
        for column in ("region", "municipality", "type"):
            wanted = getattr(self, column)
            if wanted is not None and column in institutions.columns:
                keep &= institutions[column].astype(str).to_numpy() == str(wanted)
        return keep


def total_flag(profile: Profile, values: Any) -> np.ndarray:
    """ "good_practice" / "needs_improvement" / "" for totals, with the profile's thresholds for ``S``.

    The rating flags criteria and indicators but not the total; this applies the same rule to S: thresholds
    are percentages of the maximum, at or above ``good_practice``, below ``needs_improvement``."""
    th = profile.thresholds_for("S")
    top = profile.max_total
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, "", dtype=object)
    if th.good_practice is not None:
        out[v >= th.good_practice * top / 100.0 - 1e-9] = "good_practice"
    if th.needs_improvement is not None:
        out[v < th.needs_improvement * top / 100.0 - 1e-9] = "needs_improvement"
    return out


@dataclass(frozen=True)
class ChoiceQuestion:
    """A question (or matrix row) whose answers are choices: what a distribution can be drawn for."""

    code: str
    label: str
    choices: tuple[tuple[str, str, bool], ...]  # (name, label, is a missing code such as "don't know")
    multiple: bool = False


@dataclass
class InstitutionView:
    """One institution in one period, as council members may see it."""

    institution_id: str
    period: str
    name: str
    type_label: str
    municipality: str
    region: str
    row: pd.Series  # the published table row
    measures: pd.DataFrame  # criteria and indicators: value, interval, n, flag, regional mean, thresholds
    channels: pd.DataFrame  # channels of multi-channel shares
    trend: pd.DataFrame  # per period: S and each criterion, with the regional mean of S
    findings: pd.DataFrame  # checklist items not present: source, indicator, channel, item, what was found
    conclusion: str
    suggestions: list[str]
    regional_S: float
    disclosure: Disclosure

    @property
    def S(self) -> float:
        value = self.row.get("S")
        return float(value) if value is not None and value == value else float("nan")

    @property
    def shown(self) -> bool:
        return bool(self.row.get("S_shown", False))


@dataclass
class _Core:
    """What is computed once per source and profile (shared by every filter and language)."""

    source: DataSource
    profile: Profile
    published: Rating
    institutions: pd.DataFrame
    questionnaires: dict[str, Questionnaire]
    open_answers: pd.DataFrame
    disclosure: Disclosure
    #: whether the viewer may see who interviewed (fieldwork per interviewer); never a council member
    identities: bool = False
    conclusions: dict[tuple[str, str, str], str] = field(default_factory=dict)
    views: dict[tuple[str, str, str, str | None], InstitutionView] = field(default_factory=dict)
    cells: dict[tuple[str, str, str], pd.DataFrame] = field(default_factory=dict)
    period_rows: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    selections: dict[tuple[str | None, ...], list[str]] = field(default_factory=dict)
    rankings: dict[tuple[str, str, str], pd.DataFrame] = field(default_factory=dict)

    @cached_property
    def shown_n(self) -> set[tuple[str, str]]:
        """(institution, period) whose respondent count is shown (at least k respondents)."""
        table = self.published.table
        return {
            (str(i), str(p))
            for i, p, shown in zip(table["institution_id"], table["period"], table["n_shown"], strict=True)
            if shown
        }

    @cached_property
    def names(self) -> dict[str, str]:
        inst = self.institutions
        return {
            str(i): n
            for i, n in zip(inst["institution_id"], inst["name"], strict=True)
            if isinstance(n, str) and n
        }


def dashboard_data(
    source: Any,
    profile: Profile | str | Path = DEFAULT_PROFILE,
    filters: Filters | Mapping[str, Any] | None = None,
    language: str | None = None,
    *,
    k: int | None = None,
    identities: bool = False,
) -> DashboardData:
    """Prepare the dashboard's data from a ``Store`` or a mapping of canonical frames (see
    :mod:`surveykit.dashboard.sources`); ``k`` overrides ``settings().min_cell_size``. ``identities``:
    the viewer may see fieldwork per interviewer, with names (supervisors, sociologists; never a council
    member or the public dashboard: :meth:`surveykit.store.guarded.GuardedStore.dashboard_data` decides).

    Institutions of types that are not rated (:mod:`surveykit.institution_types`, e.g. the trainees'
    practice institution) are left out of everything, with their interviews."""
    src = as_source(source)
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    respondents = prof.respondents_source
    frames, institutions, _ = src.rating_inputs(prof)
    if respondents not in frames or not len(frames[respondents]):
        raise SurveykitError(
            ErrorCode.INDICATOR_NO_DATA,
            Location(path=src.origin),
            institution="all institutions",
            indicator="every indicator",
            reason=f"there are no submitted interviews of '{respondents}' yet",
            fix="Collect or import recipient interviews first (for a demonstration: surveykit demo build).",
        )
    institutions = institutions.copy()
    institutions["type_code"] = institutions["type"]
    questionnaires = {qid: q for qid in prof.sources if (q := src.questionnaire(qid)) is not None}
    attributes = institutions[["institution_id", "name", "region"]].copy()
    attributes = attributes[attributes["institution_id"].notna()]
    rating = rate(prof, frames, institutions=attributes, questionnaires=list(questionnaires.values()))
    disclosure = Disclosure.from_settings(k)
    published = publish_rating(rating, disclosure)
    del rating  # nothing below may see the unsuppressed figures
    open_answers = approved_open_answers(src.open_answer_reviews(), frames[respondents])
    known = set(institutions["institution_id"].astype(str))
    extra = sorted(set(published.table["institution_id"].astype(str)) - known)
    if extra:  # institutions in the data but not in the directory: listed under their ids
        institutions = pd.concat(
            [institutions, pd.DataFrame({"institution_id": extra, "name": extra})], ignore_index=True
        )
    core = _Core(
        src, prof, published, institutions, questionnaires, open_answers, disclosure, identities=identities
    )
    chosen = filters if isinstance(filters, Filters) else Filters(**dict(filters or {}))
    return DashboardData(core, chosen, _language(language))


def _codes_of(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column (-1 where missing) and the text of each code: categories are used as they
    are, anything else is factorized once (no per-row string conversion of a large frame)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        labels = np.array([str(c) for c in values.cat.categories], dtype=object)
        return values.cat.codes.to_numpy(dtype=np.int64), labels
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), np.array([str(u) for u in uniques], dtype=object)


def _text(value: Any) -> str:
    """A directory field as text: "" when missing (never "nan" or "None")."""
    return value.strip() if isinstance(value, str) else ""


def _language(language: str | None) -> str:
    if language in UI_LANGUAGES:
        return str(language)
    from surveykit.config import settings

    default = settings().default_language
    return default if default in UI_LANGUAGES else "ru"


class DashboardData:
    """The published data with a selection (filters) and a language; see the module docstring."""

    def __init__(self, core: _Core, filters: Filters, language: str) -> None:
        self._core = core
        self.filters = filters
        self.language = language

    # --- basics ----------------------------------------------------------------------------------------------
    def with_(
        self, *, filters: Filters | None = None, language: str | None = None, **changes: Any
    ) -> DashboardData:
        """A copy with other filters (or single filter fields, e.g. ``municipality="..."``) or language."""
        chosen = filters or self.filters
        if changes:
            chosen = dataclasses.replace(chosen, **changes)
        return DashboardData(self._core, chosen, _language(language or self.language))

    @property
    def profile(self) -> Profile:
        return self._core.profile

    @property
    def rating(self) -> Rating:
        """The published rating (withheld numbers are missing)."""
        return self._core.published

    @property
    def disclosure(self) -> Disclosure:
        return self._core.disclosure

    @property
    def identities(self) -> bool:
        """Whether this viewer may see fieldwork per interviewer (never a council member)."""
        return self._core.identities

    @property
    def source(self) -> DataSource:
        return self._core.source

    def snapshot(self) -> Snapshot:
        return self._core.source.snapshot()

    @cached_property
    def periods(self) -> list[str]:
        return sorted({str(p) for p in self.rating.table["period"]})

    @property
    def period(self) -> str:
        """The selected period (the latest when none is selected)."""
        if self.filters.period is not None:
            if str(self.filters.period) not in self.periods:
                raise NotFoundError(
                    ErrorCode.NOT_FOUND,
                    Location(field="period"),
                    entity="period",
                    key=str(self.filters.period),
                    suggestion=did_you_mean(str(self.filters.period), self.periods)
                    or f"; periods with data: {', '.join(self.periods)}",
                )
            return str(self.filters.period)
        return self.periods[-1]

    @property
    def institutions(self) -> pd.DataFrame:
        """Every institution with ``type_label`` in the current language."""
        out = self._core.institutions.copy()
        out["type_label"] = [type_label(c, self.language) for c in out["type_code"]]
        out["name"] = out["name"].where(out["name"].notna(), out["institution_id"])
        return out

    @property
    def selected(self) -> list[str]:
        """Ids of the institutions that pass the filters."""
        key = (self.filters.region, self.filters.municipality, self.filters.type)
        cache = self._core.selections
        if key not in cache:
            inst = self._core.institutions
            cache[key] = inst.loc[self.filters.mask(inst), "institution_id"].astype(str).tolist()
        return list(cache[key])

    def options(self) -> dict[str, list[tuple[str, str | None]]]:
        """Choices for the filter controls: ``(label, value)`` with "all" first (value None). ``mode``
        applies to answer distributions only."""
        inst = self.institutions
        everything = t("dash.all", self.language)

        def values(column: str, label: Any = None) -> list[tuple[str, str | None]]:
            found = sorted({str(v) for v in inst[column].dropna()} if column in inst else set())
            labelled = sorted(((label(v) if label else v), v) for v in found)
            return [(everything, None), *labelled]

        return {
            "period": [(p, p) for p in reversed(self.periods)],
            "region": values("region"),
            "municipality": values("municipality"),
            "type": values("type_code", lambda v: type_label(v, self.language)),
            "mode": [(everything, None), *sorted((mode_label(m, self.language), m) for m in self._modes())],
        }

    def _modes(self) -> list[str]:
        """The interview modes found in the rated questionnaires' data."""
        found: set[str] = set()
        for frame in self.source.frames(self.profile.sources).values():
            if frame is not None and "mode" in frame.columns and len(frame):
                found |= {str(m) for m in frame["mode"].dropna().unique()}
        return sorted(found)

    def name_of(self, institution_id: str) -> str:
        """The institution's name (its id when the directory has none)."""
        return self._core.names.get(str(institution_id)) or str(institution_id)

    # --- the rating ----------------------------------------------------------------------------------------------
    def ranking(self, color_by: str = "flag") -> pd.DataFrame:
        """The filtered institutions in the selected period, best first: place, name, S with its interval,
        respondents, the colour ``category`` (by flag or by band) and what is withheld."""
        key = (self.period, color_by, self.language)
        cache = self._core.rankings
        if key not in cache:
            cache[key] = self._ranking(color_by)
        everyone = cache[key]
        keep = everyone["institution_id"].isin(set(self.selected)).to_numpy()
        return everyone[keep].reset_index(drop=True)

    def _ranking(self, color_by: str) -> pd.DataFrame:
        """Every institution of the period, in the order shown (filtered by :meth:`ranking`)."""
        table = self.rating.table
        period = self.period
        rows = table[table["period"].astype(str) == period]
        rows = rows.merge(
            self.institutions[["institution_id", "type_label", "municipality"]],
            on="institution_id",
            how="left",
        )
        out = pd.DataFrame(
            {
                "institution_id": rows["institution_id"].astype(str),
                "name": [self.name_of(i) for i in rows["institution_id"]],  # a dict lookup per row
                "type_label": rows["type_label"],
                "municipality": rows["municipality"],
                "rank": rows["rank"].astype("Int64"),
                "rank_of": rows["rank_of"].astype("Int64"),
                "S": rows["S"].astype(float),
                "S_lo": rows["S_lo"].astype(float),
                "S_hi": rows["S_hi"].astype(float),
                "n": rows["n_respondents"].astype("Int64"),
                "n_shown": rows["n_shown"].astype(bool),
                "withheld": rows["S_withheld"].astype(bool),
                "withheld_reason": rows["S_withheld_reason"].astype(object),
                "status": rows["status"].astype(str),
                "change_S": rows["change_S"].astype(float) if "change_S" in rows else np.nan,
                "previous_period": rows.get("previous_period"),
            }
        )
        band_column = f"band_{self.language}"
        out["band"] = rows[band_column].to_numpy() if band_column in rows.columns else None
        flag = total_flag(self.profile, out["S"].to_numpy())
        if color_by == "band" and self.bands:
            category = out["band"].astype(object).where(out["band"].notna(), "")
        else:
            category = pd.Series(np.where(flag == "", "neutral", flag), index=out.index, dtype=object)
        category = category.where(~out["withheld"], "withheld")
        category = category.where(out["S"].notna() | out["withheld"], "not_rated")
        out["flag"] = flag
        out["category"] = category.to_numpy()
        group = np.select(
            [out["rank"].notna().to_numpy(), out["S"].notna().to_numpy(), out["withheld"].to_numpy()],
            [0, 1, 2],
            default=3,
        )
        out["_g"] = group
        out["_s"] = -out["S"].fillna(-1.0)
        out = out.sort_values(["_g", "rank", "_s", "name"], na_position="last", kind="stable")
        return out.drop(columns=["_g", "_s"]).reset_index(drop=True)

    @property
    def bands(self) -> list[tuple[str, float]]:
        """The profile's bands (name in the current language, minimum), best first; empty when off."""
        bands = self.profile.bands
        if not bands.enabled:
            return []
        return [
            (self.profile.text(b.name, self.language), b.min)
            for b in sorted(bands.table, key=lambda b: -b.min)
        ]

    def regional_mean(
        self, measure: str = "S", period: str | None = None, region: str | None = None
    ) -> float:
        """The regional mean of a measure over the shown values (see privacy rule 3)."""
        means = reference_means(
            self.rating, period or self.period, region if region is not None else self.filters.region
        )
        value = means.get(measure, np.nan)
        return float(value) if value == value else float("nan")

    def thresholds(self, measure: str = "S") -> tuple[float | None, float | None]:
        """(good practice, needs improvement) of a measure, in its own points."""
        th = self.profile.thresholds_for(measure)
        top = self.profile.max_total if measure == "S" else self._maximum(measure)
        good = th.good_practice * top / 100.0 if th.good_practice is not None else None
        weak = th.needs_improvement * top / 100.0 if th.needs_improvement is not None else None
        return good, weak

    def _maximum(self, measure: str) -> float:
        for criterion in self.profile.criteria:
            if criterion.id == measure:
                return criterion.maximum
            for indicator in criterion.indicators:
                if indicator.id == measure:
                    return indicator.maximum
        return 100.0

    # --- one institution --------------------------------------------------------------------------------------------
    def institution(self, institution_id: str, period: str | None = None) -> InstitutionView:
        """One institution in ``period`` (default: the selected one; its latest when it has no data then)."""
        key = (str(institution_id), str(period or self.period), self.language, self.filters.region)
        if key not in self._core.views:
            self._core.views[key] = self._institution(str(institution_id), period)
        return self._core.views[key]

    def _institution(self, institution_id: str, period: str | None) -> InstitutionView:
        ident = str(institution_id)
        table = self.rating.table
        rows = table[table["institution_id"].astype(str) == ident]
        if rows.empty:
            names = self.institutions
            raise NotFoundError(
                ErrorCode.NOT_FOUND,
                Location(path="institution"),
                entity="institution",
                key=ident,
                suggestion=did_you_mean(ident, names["institution_id"].astype(str).tolist()),
            )
        period = str(period or self.period)
        if period not in set(rows["period"].astype(str)):
            period = str(rows["period"].astype(str).max())
        row = rows[rows["period"].astype(str) == period].iloc[0]
        info = (
            self.institutions.set_index("institution_id").loc[ident]
            if ident in set(self.institutions["institution_id"])
            else {}
        )
        region = info.get("region") if hasattr(info, "get") else None
        region = region if isinstance(region, str) else None
        means = reference_means(self.rating, period, region)
        measures, channels = self._measures(ident, period, means)
        trend = self._trend(ident, region)
        return InstitutionView(
            institution_id=ident,
            period=period,
            name=self.name_of(ident),
            type_label=type_label(info.get("type_code") if hasattr(info, "get") else None, self.language),
            municipality=_text(info.get("municipality")) if hasattr(info, "get") else "",
            region=region or "",
            row=row,
            measures=measures,
            channels=channels,
            trend=trend,
            findings=self._findings(ident, period),
            conclusion=self.conclusion(ident, period),
            suggestions=self.suggestions(ident, period),
            regional_S=float(means.get("S", np.nan)),
            disclosure=self.disclosure,
        )

    def _measures(self, ident: str, period: str, means: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
        tidy = self.rating.indicators
        part = tidy[(tidy["institution_id"].astype(str) == ident) & (tidy["period"].astype(str) == period)]
        part = part.assign(
            level=part["level"].astype(str),
            id=part["id"].astype(str),
            criterion=part["criterion"].astype(str),
            flag=part["flag"].astype(str),
            unit=part["unit"].astype(str),
            status=part["status"].astype(str),
        )
        lang = self.language
        rows = part[part["level"].isin(["criterion", "indicator"])].copy()
        rows["name"] = [measure_name(self.profile, m, lang) for m in rows["id"]]
        rows["regional"] = [float(means.get(m, np.nan)) for m in rows["id"]]
        good, weak = zip(*(self.thresholds(m) for m in rows["id"]), strict=True) if len(rows) else ((), ())
        rows["good_practice_at"] = list(good)
        rows["needs_improvement_below"] = list(weak)
        rows["source"] = [self._source_of(m) for m in rows["id"]]
        columns = [
            "id",
            "level",
            "criterion",
            "name",
            "value",
            "lo",
            "hi",
            "num",
            "den",
            "n",
            "unit",
            "status",
            "flag",
            "withheld",
            "withheld_reason",
            "regional",
            "good_practice_at",
            "needs_improvement_below",
            "source",
        ]
        channels = part[part["level"] == "channel"].copy()
        channels["name"] = [measure_name(self.profile, m, lang) for m in channels["id"]]
        return rows[columns].reset_index(drop=True), channels[
            ["id", "criterion", "name", "value", "lo", "hi", "num", "den", "n", "withheld", "withheld_reason"]
        ].reset_index(drop=True)

    def _source_of(self, measure: str) -> str:
        try:
            return str(self.profile.indicator(measure).source or "")
        except KeyError:
            return ""

    def _trend(self, ident: str, region: str | None) -> pd.DataFrame:
        table = self.rating.table
        rows = table[table["institution_id"].astype(str) == ident].sort_values("period")
        criteria = [c.id for c in self.profile.criteria]
        out = rows[["period", "S", "S_lo", "S_hi", *criteria]].copy()
        out["period"] = out["period"].astype(str)
        out["regional_S"] = [self.regional_mean("S", p, region) for p in out["period"]]
        out["withheld"] = rows["S_withheld"].to_numpy(dtype=bool)
        return out.reset_index(drop=True)

    def _findings(self, ident: str, period: str) -> pd.DataFrame:
        """Required checklist items not present (what the conclusions call findings), named in words."""
        columns = [
            "source",
            "source_label",
            "indicator",
            "indicator_name",
            "channel",
            "channel_label",
            "item",
            "item_label",
            "found",
        ]
        findings = self.rating.findings
        if findings is None or not len(findings):
            return pd.DataFrame(columns=columns)
        part = findings[
            (findings["institution_id"].astype(str) == ident) & (findings["period"].astype(str) == period)
        ]
        part = part[part["required"].astype(bool) & (part["status"] != "not_applicable")]
        lang = self.language
        phrases = FINDING_PHRASES.get(lang, FINDING_PHRASES["en"])
        item_label = self._item_labels()
        rows = []
        for _, f in part.iterrows():  # a few dozen rows for one institution
            source = self._source_of(str(f["indicator"]))
            answer = f["answer"] if isinstance(f["answer"], str) else None
            kind = "not_recorded" if f["status"] == "not_recorded" else (answer or f["status"])
            channel = f["channel"] if isinstance(f["channel"], str) else ""
            rows.append(
                {
                    "source": source,
                    "source_label": self.profile.text(self.profile.sources[source].label, lang)
                    if source in self.profile.sources
                    else source,
                    "indicator": f["indicator"],
                    "indicator_name": measure_name(self.profile, str(f["indicator"]), lang),
                    "channel": channel,
                    "channel_label": measure_name(self.profile, f"{f['indicator']}/{channel}", lang)
                    if channel
                    else "",
                    "item": f["item"],
                    "item_label": item_label(str(f["item"])),
                    "found": phrases.get(kind, phrases["other"]),
                }
            )
        return pd.DataFrame(rows, columns=columns)

    def _item_labels(self) -> Any:
        lang = self.language
        texts: dict[str, str] = {}
        for q in self._core.questionnaires.values():
            for question in q.questions():
                texts[question.code] = q.text(question.label, lang)

        def label(code: str) -> str:
            own = self.profile.label(code, lang)
            return own if own != code else texts.get(code, code)

        return label

    def conclusion(self, institution_id: str, period: str | None = None) -> str:
        """The qualified conclusion without withheld numbers (computed for one institution when asked)."""
        period = str(period or self.period)
        key = (str(institution_id), period, self.language)
        cache = self._core.conclusions
        if key not in cache:
            r = self.rating

            def only(frame: pd.DataFrame) -> pd.DataFrame:
                if frame is None or not len(frame):
                    return frame
                return frame[
                    (frame["institution_id"].astype(str) == key[0]) & (frame["period"].astype(str) == period)
                ]

            one = dataclasses.replace(
                r, table=only(r.table), indicators=only(r.indicators), findings=only(r.findings)
            )
            texts = publish_conclusions(
                one,
                self.disclosure,
                languages=[self.language],
                questionnaires=list(self._core.questionnaires.values()),
            )
            cache[key] = str(texts[f"text_{self.language}"].iloc[0]) if len(texts) else ""
        return cache[key]

    def suggestions(self, institution_id: str, period: str | None = None) -> list[str]:
        """Open answers (q16) approved for publication, for one institution and period (none when fewer
        than k respondents were interviewed there)."""
        answers = self._core.open_answers
        period = str(period or self.period)
        if (str(institution_id), period) not in self._core.shown_n:
            return []  # fewer than k respondents: their words are withheld with their numbers
        hit = answers[(answers["institution_id"] == str(institution_id)) & (answers["period"] == period)]
        return hit["text"].tolist()

    # --- fieldwork ---------------------------------------------------------------------------------------------------
    def progress(self, by: str = "institution", questionnaire_id: str | None = None) -> pd.DataFrame:
        """Interviews done against targets in the selected period, per ``institution`` (or ``interviewer``,
        for viewers with :attr:`identities` only: SK620 otherwise): ``key``, ``label``, ``target``, ``done``,
        ``remaining``, ``share`` (per cent of the target), ``withheld`` (worst first, withheld last).

        Per institution the counts pass :meth:`surveykit.disclosure.Disclosure.table`: 1..k-1 interviews
        done are withheld ("n < k") with the share and what remains; the target (a plan) is shown."""
        columns = ["key", "label", "target", "done", "remaining", "share", "withheld"]
        if by != "institution" and not self.identities:
            what = Translated({lang: t("disclosure.by_interviewer", lang) for lang in UI_LANGUAGES})
            raise AccessDenied(ErrorCode.IDENTITIES_WITHHELD, what=what)
        plan = self.source.assignments()
        if plan is None or not len(plan):
            return pd.DataFrame(columns=columns)
        qid = questionnaire_id or self.profile.respondents_source
        plan = plan[
            (plan["period"].astype(str) == self.period)
            & (plan["questionnaire_id"].astype(str) == qid)
            & plan["institution_id"]
            .astype(str)
            .isin(set(self._core.institutions["institution_id"].astype(str)))
        ].copy()
        if plan.empty:
            return pd.DataFrame(columns=columns)
        plan["institution_id"] = plan["institution_id"].astype(str)
        plan["target"] = pd.to_numeric(plan["target"], errors="coerce").fillna(0)
        plan["done"] = pd.to_numeric(plan["done"], errors="coerce").fillna(0)
        selected = plan["institution_id"].isin(set(self.selected)).to_numpy()
        if not selected.any():
            return pd.DataFrame(columns=columns)
        if by == "institution":
            out = self.disclosure.table(
                plan,
                unit="institution_id",
                count="done",
                sums=["target", "done"],
                keep=["target"],
                rates={"share": ("done", "target")},
                scale=100.0,
                where=selected,
            ).rename(columns={"institution_id": "key"})
            out["label"] = [self.name_of(i) for i in out["key"]]
        else:  # supervisors and sociologists: who did how many (they may read every interview anyway)
            part = plan[selected]
            out = part.groupby(part["interviewer_id"].astype(str))[["target", "done"]].sum().reset_index()
            out = out.rename(columns={"interviewer_id": "key"})
            names = self.source.interviewers()
            out["label"] = [names.get(i, i) for i in out["key"]]
            out["share"] = np.where(
                out["target"] > 0, 100.0 * out["done"] / out["target"].where(out["target"] > 0, 1), np.nan
            )
            out["withheld"] = False
        out["target"] = out["target"].astype(float)
        out["done"] = out["done"].astype(float)
        out["remaining"] = (out["target"] - out["done"]).clip(lower=0)
        out = out.sort_values(["withheld", "share", "label"], kind="stable", na_position="last")
        return out[columns].reset_index(drop=True)

    # --- questions ---------------------------------------------------------------------------------------------------
    def questionnaire_ids(self) -> list[str]:
        ids = getattr(self.source, "questionnaire_ids", None)
        return list(ids()) if callable(ids) else list(self._core.questionnaires)

    def questionnaire_title(self, questionnaire_id: str) -> str:
        q = self.source.questionnaire(questionnaire_id)
        return q.text(q.title, self.language) if q is not None else questionnaire_id

    def questions(self, questionnaire_id: str) -> list[ChoiceQuestion]:
        """Choice questions (and matrix rows) of a questionnaire, in questionnaire order, labelled."""
        q = self.source.questionnaire(questionnaire_id)
        if q is None:
            return []
        lang = self.language if self.language in q.languages else q.default_language
        out = []
        for var in compile_form(q).variables_of(None):
            if var.type not in _DISTRIBUTABLE or not var.choices:
                continue
            label = q.text(var.question.label, lang)
            if var.row is not None:
                label = f"{label} — {q.text(var.row.label, lang)}"
            choices = tuple((c.name, q.text(c.label, lang) or c.name, bool(c.missing)) for c in var.choices)
            out.append(ChoiceQuestion(var.code, label, choices, var.type is QuestionType.SELECT_MULTIPLE))
        return out

    def question(self, questionnaire_id: str, code: str) -> ChoiceQuestion:
        for question in self.questions(questionnaire_id):
            if question.code == code:
                return question
        raise NotFoundError(
            ErrorCode.NOT_FOUND,
            Location(path=questionnaire_id, field=code),
            entity="choice question",
            key=code,
            suggestion=did_you_mean(code, [q.code for q in self.questions(questionnaire_id)]),
        )

    def distribution(
        self,
        questionnaire_id: str,
        code: str,
        *,
        period: str | None = None,
        institution_id: str | None = None,
        mode: str | None = None,
    ) -> pd.DataFrame:
        """Answers to one choice question in a period, for one institution or every selected one (and one
        interview ``mode``, default the filter's): one row per choice with ``label``, ``count``, ``percent``
        of those who answered, ``base`` and ``n_excluded``, ``withheld`` when nothing can be shown.

        The figure passes :meth:`surveykit.disclosure.Disclosure.table`: an institution where fewer than k
        answered never counts, in any selection (``n_excluded`` says how many were left out), and one mode of
        an institution counts only when each of its modes has at least k answers. ``attrs["cells"]`` lists
        the (institution, mode) cells added up."""
        question = self.question(questionnaire_id, code)
        period = str(period or self.period)
        mode = self.filters.mode if mode is None else mode
        names = [c[0] for c in question.choices]
        cells = self._answer_cells(questionnaire_id, question, period)
        ids = {str(institution_id)} if institution_id is not None else set(self.selected)
        where = cells["institution_id"].isin(ids).to_numpy().copy()
        if mode is not None:
            where &= (cells["mode"] == str(mode)).to_numpy()
        counts = [f"c{i}" for i in range(len(names))]
        table = self.disclosure.table(
            cells, unit="institution_id", count="base", by=[], sums=counts, where=where
        )
        row = {column: table[column].to_numpy()[0] for column in table.columns}
        base = float(row["base"])
        count = np.array([float(row[c]) for c in counts])
        out = pd.DataFrame(
            {
                "choice": names,
                "label": [c[1] for c in question.choices],
                "missing_code": [c[2] for c in question.choices],
                "count": count,
                "base": base,
                "percent": 100.0 * count / base if base > 0 else np.full(len(names), np.nan),
                "period": period,
                "withheld": bool(row["withheld"]),
                "n_excluded": int(row["n_excluded"]),
            }
        )
        used = cells.index.get_indexer(table.attrs["rows"])
        inst, modes = cells["institution_id"].to_numpy(dtype=object), cells["mode"].to_numpy(dtype=object)
        out.attrs["cells"] = [(str(inst[i]), str(modes[i])) for i in used]
        return out

    def _answer_cells(self, questionnaire_id: str, question: ChoiceQuestion, period: str) -> pd.DataFrame:
        """One row per institution and interview mode in ``period``: ``base`` (who answered) and ``c0``,
        ``c1`` ... (how many chose each choice); computed once per question and period, on codes."""
        key = (questionnaire_id, question.code, period)
        cache = self._core.cells
        if key in cache:
            return cache[key]
        names = [c[0] for c in question.choices]
        counts = [f"c{i}" for i in range(len(names))]
        frame = self.source.frames([questionnaire_id]).get(questionnaire_id)
        if frame is None or question.code not in frame.columns or not len(frame):
            cache[key] = pd.DataFrame(columns=["institution_id", "mode", "base", *counts])
            return cache[key]
        rows = self._rows_of_period(questionnaire_id, frame, period)
        inst, inst_labels = _codes_of(frame["institution_id"].iloc[rows])
        if "mode" in frame.columns:
            mode, mode_labels = _codes_of(frame["mode"].iloc[rows])
        else:
            mode, mode_labels = np.zeros(len(rows), dtype=np.int64), np.array([""], dtype=object)
        answer, answer_labels = _codes_of(frame[question.code].iloc[rows])
        given = np.array([label.strip() != "" for label in answer_labels], dtype=bool)
        answered = (answer >= 0) & given[np.maximum(answer, 0)] & (inst >= 0)
        cell = inst.astype(np.int64) * (len(mode_labels) + 1) + (mode.astype(np.int64) + 1)
        cell_code, cell_keys = pd.factorize(cell[inst >= 0])
        codes = np.full(len(rows), -1, dtype=np.int64)
        codes[inst >= 0] = cell_code
        n_cells = len(cell_keys)
        base = np.bincount(codes[answered], minlength=n_cells).astype(float)
        # how many times each (cell, answer label) occurs, then which choices each label holds
        per_label = np.zeros((n_cells, len(answer_labels)))
        np.add.at(per_label, (codes[answered], answer[answered]), 1.0)
        position = {name: i for i, name in enumerate(names)}
        holds = np.zeros((len(answer_labels), len(names)))
        for j, label in enumerate(answer_labels):
            tokens = label.split() if question.multiple else [label]
            for token in tokens:
                if token in position:
                    holds[j, position[token]] += 1.0
        matrix = per_label @ holds
        inst_of = (cell_keys // (len(mode_labels) + 1)).astype(np.int64)
        mode_of = (cell_keys % (len(mode_labels) + 1)).astype(np.int64) - 1
        out = pd.DataFrame(
            {
                "institution_id": inst_labels[inst_of] if n_cells else np.array([], dtype=object),
                "mode": np.where(mode_of >= 0, mode_labels[np.maximum(mode_of, 0)], "") if n_cells else [],
                "base": base,
            }
        )
        for i, column in enumerate(counts):
            out[column] = matrix[:, i] if n_cells else np.array([], dtype=float)
        cache[key] = out
        return out

    def _rows_of_period(self, questionnaire_id: str, frame: pd.DataFrame, period: str) -> np.ndarray:
        key = (questionnaire_id, period)
        cache = self._core.period_rows
        if key not in cache:
            codes, labels = _codes_of(frame["period"])
            wanted = np.flatnonzero(labels == str(period))
            cache[key] = np.flatnonzero(np.isin(codes, wanted))
        return cache[key]

    def compare_periods(
        self,
        questionnaire_id: str,
        code: str,
        periods: Sequence[str] | None = None,
        *,
        institution_id: str | None = None,
        mode: str | None = None,
    ) -> pd.DataFrame:
        """:meth:`distribution` for two (or more) periods, stacked (default: the two latest)."""
        chosen = list(periods or self.periods[-2:])
        parts = [
            self.distribution(questionnaire_id, code, period=p, institution_id=institution_id, mode=mode)
            for p in chosen
        ]
        return pd.concat(parts, ignore_index=True)
