"""Rating institutions: indicators -> criteria -> total, ranks, bands, flags, uncertainty, warnings.

:func:`rate` takes a methodology profile and one canonical frame per source (keyed by questionnaire id; the
caller reads them from files or the database) and returns a :class:`Rating`: a wide table with one row per
institution x period, a tidy view for dashboards, checklist findings, regional means and the warnings.

Method (docs/methodology.md has the full text, each rule with its source):

* indicator values come from the registered type functions (:mod:`surveykit.scoring.indicators`);
* an indicator without data is handled by the profile's policies (empty denominator, source not done,
  no interviews); a criterion is ``K = T * sum(w_i x_i) / sum(w_i)`` over its available indicators (``T`` = 1
  for a weighted mean, the full weight sum for a weighted sum), so a left-out indicator renormalises the rest;
* the total is the mean, weighted mean or sum of the criteria, renormalised the same way;
* rounding (profile ``rounding``): half up to ``decimals``, at each level (published indicators feed the
  criteria, published criteria feed the total) or only on the published figures;
* uncertainty: Wilson intervals for single shares; for everything else the linearisation of S as a weighted
  sum of ratio estimators: each respondent's influence ``z_r = sum_i W_i (y_ri - p_i a_ri) / N_i`` and
  ``Var(S) = n / (n - 1) * sum_r z_r^2`` per institution (respondents are the units, so the correlation of
  one respondent's answers is accounted for); checklists and admin data have no sampling variance;
* rank within period (and ``ranking.group_by``) by the published S, ties broken by the profile's tie rule,
  then a shared place; adjacent ranks are tested with ``z = (S_a - S_b) / sqrt(se_a^2 + se_b^2)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from surveykit.errors import ErrorCode, Location, MethodologyError, Report, Severity
from surveykit.questionnaire.model import Questionnaire
from surveykit.scoring import indicators as ind
from surveykit.scoring.inputs import InputOrigin, check_rating_inputs, raise_if_unknown_codes
from surveykit.scoring.profile import (
    RESPONDENTS_ID,
    TOTAL_ID,
    IndicatorBase,
    MeanScale,
    MinMax,
    Profile,
    ShareYes,
    _by_id,
    load_profile,
)

__all__ = ["KEY_COLUMNS", "Rating", "rate", "round_half_up"]

#: columns every source frame has: the institution and the period it belongs to
KEY_COLUMNS = ("institution_id", "period")

# what happens to an indicator value in a group (from its status and the profile's policies)
_USE, _DROP, _BLOCK, _ZERO, _FULL = 0, 1, 2, 3, 4
_EMPTY_ACTION = {"renormalise": _DROP, "missing": _BLOCK, "zero": _ZERO, "full": _FULL}
# why an indicator has no value
_R_OK, _R_EMPTY, _R_NO_SOURCE, _R_NO_INTERVIEWS = 0, 1, 2, 3
_REASON_TEXT = {
    _R_OK: "ok",
    _R_EMPTY: "empty_denominator",
    _R_NO_SOURCE: "source_missing",
    _R_NO_INTERVIEWS: "no_interviews",
}
_STATE_TEXT = {
    ind.ABSENT: "absent",
    ind.OUTDATED: "outdated",
    ind.BLANK: "not_recorded",
    ind.EXCLUDED: "not_applicable",
}


def round_half_up(values: Any, decimals: int) -> Any:
    """Round half away from zero (87.445 -> 87.45), the arithmetic rounding of published tables.

    A tiny epsilon makes decimal halves that binary floats store as ...4999 round up as on paper.
    """
    array = np.asarray(values, dtype=float)
    factor = 10.0**decimals
    out = np.sign(array) * np.floor(np.abs(array) * factor + 0.5 + 1e-9) / factor
    return out if out.ndim else float(out)


@dataclass(frozen=True)
class Rating:
    """The result of :func:`rate`. Every frame has ``institution_id`` and ``period`` columns.

    * ``table``: one row per institution x period: ``n_respondents``, ``n_required``, status, rank, band,
      ``S`` with ``S_se``/``S_lo``/``S_hi``, each criterion (``K1``, ``K1_se`` ...), each indicator (``1.1``,
      ``1.1_num``, ``1.1_den``, ``1.1_se``, ``1.1_lo``, ``1.1_hi``), flags, change since the previous period;
    * ``indicators``: the tidy view, one row per institution x period x measure (total, criterion, indicator,
      channel) with value, counts, interval, weight, status and flag;
    * ``findings``: checklist items not present (absent, outdated, not recorded, not applicable);
    * ``regional``: per period (and region, when the institutions table has one) the mean of each criterion
      and of S over organisations;
    * ``warnings`` / ``report``: every warning (sample below minimum, no interviews, source not done, empty
      denominators, small cells, superseded checklist rows) with what, where and how to fix.
    """

    profile: Profile
    table: pd.DataFrame
    indicators: pd.DataFrame
    findings: pd.DataFrame
    regional: pd.DataFrame
    warnings: pd.DataFrame
    report: Report

    def tidy(self) -> pd.DataFrame:
        """The long view for dashboards (same as ``indicators``)."""
        return self.indicators

    def summary(self, language: str = "en") -> pd.DataFrame:
        """The publishable columns: place, institution, respondents, S with its interval, band, criteria."""
        criteria = [c.id for c in self.profile.criteria]
        columns = [
            "period",
            "rank",
            "institution_id",
            "name",
            "n_respondents",
            "S",
            "S_lo",
            "S_hi",
            *criteria,
            "change_S",
            "status",
            "rank_note",
            "distinct_from_next",
            "good_practice",
            "needs_improvement",
        ]
        band = f"band_{language}"
        if band in self.table.columns:
            columns.insert(8, band)
        return self.table[[c for c in columns if c in self.table.columns]].copy()

    def row(self, institution_id: str, period: str | None = None) -> pd.Series:
        """The table row of one institution (the latest period unless ``period`` is given)."""
        rows = self.table[self.table["institution_id"] == str(institution_id)]
        if period is not None:
            rows = rows[rows["period"] == str(period)]
        if rows.empty:
            raise KeyError(f"{institution_id} {period or ''}".strip())
        return rows.sort_values("period").iloc[-1]

    def conclusions(
        self,
        languages: Sequence[str] = ("ru", "en"),
        *,
        questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
    ) -> pd.DataFrame:
        """A qualified conclusion per institution and period in each language (see :mod:`.conclusion`)."""
        from surveykit.scoring.conclusion import conclusions

        return conclusions(self, languages=languages, questionnaires=questionnaires)


# --- inputs ----------------------------------------------------------------------------------------------------------
def _text_keys(values: Sequence[Any]) -> list[str]:
    """Institution ids and periods as text: 2025 and 2025.0 (a CSV with blanks) both become "2025"."""
    out = []
    for value in values:
        if isinstance(value, (bool, np.bool_)):
            out.append(str(value))
        elif (
            isinstance(value, (int, np.integer))
            or isinstance(value, (float, np.floating))
            and float(value).is_integer()
        ):
            out.append(str(int(value)))
        else:
            out.append(str(value).strip())
    return out


def _factorize(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), _text_keys(list(uniques))


def _needed_columns(
    profile: Profile, questionnaires: Mapping[str, Questionnaire]
) -> dict[str, dict[str, str]]:
    """source -> column -> the indicator that needs it."""
    needed: dict[str, dict[str, str]] = {name: {} for name in profile.sources}
    for _, spec in profile.indicators():
        source = _source_of(spec)
        for column in ind.required_columns(spec, questionnaires.get(source)):
            needed.setdefault(source, {}).setdefault(column, spec.id)
    return needed


def _source_of(spec: IndicatorBase) -> str:
    if spec.source is None and isinstance(spec, MinMax) and spec.of is not None:
        return str(spec.of.source)
    return str(spec.source)


def _check_inputs(
    profile: Profile,
    sources: Mapping[str, pd.DataFrame],
    questionnaires: Mapping[str, Questionnaire],
    institutions: pd.DataFrame | None,
) -> None:
    """Every problem that stops the rating, all at once (a missing column, an unresolvable scale ...)."""
    report = Report(subject=f"rating with profile {profile.id}")
    respondents = profile.respondents_source
    if sources.get(respondents) is None:
        report.add(
            ErrorCode.INDICATOR_NO_DATA,
            Location(path=f"sources['{respondents}']"),
            institution="all institutions",
            indicator="every survey indicator",
            reason=f"no frame was given for the source '{respondents}', which holds the respondents",
            fix=f"Pass the canonical frame of questionnaire '{respondents}' as sources['{respondents}'].",
        )
    needed = _needed_columns(profile, questionnaires)
    for name, frame in sources.items():
        if name not in profile.sources or frame is None:
            continue
        where = Location(path=f"sources['{name}']")
        columns = set(frame.columns)
        for key in KEY_COLUMNS:
            if key not in columns:
                report.add(
                    ErrorCode.IMPORT_COLUMN_MISSING,
                    where.with_(field=key),
                    column=key,
                    reason="telling institutions and periods apart",
                )
        for column, indicator_id in needed.get(name, {}).items():
            if column not in columns:
                report.add(
                    ErrorCode.IMPORT_COLUMN_MISSING,
                    where.with_(field=column),
                    column=column,
                    reason=f"indicator {indicator_id} of profile {profile.id}",
                )
    for _, spec in profile.indicators():
        for nested in [spec, spec.of] if isinstance(spec, MinMax) and spec.of is not None else [spec]:
            if isinstance(nested, MeanScale) and nested.scale is not None:
                questionnaire = questionnaires.get(_source_of(spec))
                if questionnaire is None or nested.scale not in questionnaire.scales:
                    report.add(
                        ErrorCode.PROFILE_QUESTION_UNKNOWN,
                        Location(file=profile.path, path=f"indicator {spec.id}"),
                        indicator=spec.id,
                        code=f"scale {nested.scale}",
                        questionnaire=_source_of(spec),
                        suggestion=""
                        if questionnaire is None
                        else "; pass the questionnaire that declares it",
                    )
    if institutions is not None and "institution_id" not in institutions.columns:
        report.add(
            ErrorCode.IMPORT_COLUMN_MISSING,
            Location(path="institutions", field="institution_id"),
            column="institution_id",
            reason="matching institutions to the data",
        )
    report.raise_if_errors(MethodologyError)


@dataclass
class _Keys:
    institutions: list[str]
    periods: list[str]
    group_inst: np.ndarray  # (G,) index into institutions
    group_period: np.ndarray  # (G,) index into periods
    g: dict[str, np.ndarray]  # source -> (rows,) group of each row, G for rows that do not count
    rows: dict[str, np.ndarray]  # source -> (G,) rows per group
    superseded: dict[str, np.ndarray]  # checklist source -> (G,) rows dropped because a later row exists
    row_of: dict[str, np.ndarray]  # checklist source -> (G,) the row that counts (-1: none)
    unkeyed: dict[str, int]  # source -> rows without an institution_id or a period (ignored)

    @property
    def n(self) -> int:
        return len(self.group_inst)


def _build_keys(
    profile: Profile,
    frames: Mapping[str, pd.DataFrame],
    institutions: pd.DataFrame | None,
    periods: Sequence[str] | None,
) -> _Keys:
    coded: dict[str, tuple[np.ndarray, list[str], np.ndarray, list[str]]] = {}
    inst_names: set[str] = set()
    period_names: set[str] = set()
    for name, frame in frames.items():
        ci, ui = _factorize(frame["institution_id"])
        cp, up = _factorize(frame["period"])
        coded[name] = (ci, ui, cp, up)
        inst_names.update(ui)
        period_names.update(up)
    listed: list[tuple[str, str | None]] = []
    if institutions is not None:
        ids = _text_keys(institutions["institution_id"].tolist())
        pers = (
            _text_keys(institutions["period"].tolist())
            if "period" in institutions.columns
            else [None] * len(ids)
        )
        listed = list(zip(ids, pers, strict=True))
        inst_names.update(ids)
        period_names.update(p for p in pers if p is not None)
    if periods is not None:
        period_names.update(str(p) for p in periods)
    inst_list = sorted(inst_names)
    period_list = sorted(period_names)
    inst_index = {s: i for i, s in enumerate(inst_list)}
    period_index = {s: i for i, s in enumerate(period_list)}
    n_periods = max(len(period_list), 1)
    present = np.zeros(len(inst_list) * n_periods + 1, dtype=bool)
    pairs: dict[str, np.ndarray] = {}
    for name, (ci, ui, cp, up) in coded.items():
        map_i = np.append(np.array([inst_index[s] for s in ui], dtype=np.int64), -1)
        map_p = np.append(np.array([period_index[s] for s in up], dtype=np.int64), -1)
        gi, gp = map_i[ci], map_p[cp]  # code -1 picks the appended -1
        pair = np.where((gi >= 0) & (gp >= 0), gi * n_periods + gp, len(present) - 1)
        pairs[name] = pair
        present |= np.bincount(pair, minlength=len(present)) > 0
    default_periods = [str(p) for p in periods] if periods is not None else period_list
    for inst, per in listed:
        for p in [per] if per is not None else default_periods:
            present[inst_index[inst] * n_periods + period_index[p]] = True
    present[-1] = False
    group_of_pair = np.cumsum(present) - 1
    n_groups = int(present.sum())
    group_of_pair[~present] = n_groups  # the spare bin
    occupied = np.flatnonzero(present)
    keys = _Keys(
        institutions=inst_list,
        periods=period_list,
        group_inst=occupied // n_periods,
        group_period=occupied % n_periods,
        g={},
        rows={},
        superseded={},
        row_of={},
        unkeyed={name: int((pair == len(present) - 1).sum()) for name, pair in pairs.items()},
    )
    for name, pair in pairs.items():
        g = group_of_pair[pair]
        if profile.sources[name].kind == "checklist":
            g, superseded = _latest_rows(frames[name], g, n_groups)
            keys.superseded[name] = superseded
            row_of = np.full(n_groups + 1, -1, dtype=np.int64)
            row_of[g] = np.arange(len(g))
            keys.row_of[name] = row_of[:n_groups]
        keys.g[name] = g
        keys.rows[name] = ind._count(g, None, n_groups)
    return keys


def _latest_rows(frame: pd.DataFrame, g: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """One checklist row per institution and period: the latest ``submitted_at`` counts (a row without a
    time stamp loses to any dated row; without the column, the last row of the frame counts)."""
    n = len(frame)
    if "submitted_at" in frame.columns:
        stamps = pd.to_datetime(frame["submitted_at"], errors="coerce", utc=True, format="mixed")
        ts = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64)
        ts = np.where(stamps.isna().to_numpy(), np.iinfo(np.int64).min, ts)
    else:
        ts = np.zeros(n, dtype=np.int64)
    order = np.lexsort((np.arange(n), ts, g))
    sorted_g = g[order]
    last = np.ones(n, dtype=bool)
    last[:-1] = sorted_g[1:] != sorted_g[:-1]
    keep = np.zeros(n, dtype=bool)
    keep[order[last]] = True
    total = ind._count(g, None, n_groups)
    g = np.where(keep, g, n_groups)
    return g, total - ind._count(g, None, n_groups)


def _empty_frame(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in dict.fromkeys([*KEY_COLUMNS, *columns])})


# --- the rating --------------------------------------------------------------------------------------------------------
def rate(
    profile: Profile | str | Path,
    sources: Mapping[str, pd.DataFrame],
    *,
    institutions: pd.DataFrame | None = None,
    periods: Sequence[str] | str | None = None,
    previous: Rating | pd.DataFrame | None = None,
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
    min_cell_size: int | None = None,
    origins: Mapping[str, InputOrigin] | None = None,
    targets: pd.DataFrame | None = None,
) -> Rating:
    """Rate every institution x period found in ``sources`` (or listed in ``institutions``).

    ``profile``: a :class:`Profile`, a profile id (e.g. ``DEFAULT_PROFILE``) or a YAML path.

    ``sources`` maps the profile's source ids (questionnaire ids: ``recipient_survey``, ``website_audit``,
    ``premises_checklist`` ...) to canonical frames (one row per interview or checklist, with
    ``institution_id`` and ``period``). A missing non-respondent source counts as "not done" for everyone.
    ``institutions`` (optional): ``institution_id`` and any of ``period``, ``name``, ``name_ru``, ``name_en``,
    ``region``, ``recipients`` (service recipients in the period, for the minimum-sample rule) and the
    ``ranking.group_by`` columns; listed institutions without interviews are listed, not rated.
    ``periods``: rate only these (all periods are still used for the change since the previous period).
    ``previous``: an earlier Rating (or its table) for the change when ``sources`` hold one period.
    ``questionnaires``: for scale references of mean_scale and checks of the profile's question codes.
    ``min_cell_size``: below it a share's counts are flagged as a small cell (default: settings).
    ``origins``: the file each source frame was read from (:class:`~surveykit.scoring.inputs.InputOrigin`),
    so that input problems name its rows.

    Before anything is rated, every answer and checklist state the profile reads is checked against the
    questionnaires' choice lists (:mod:`surveykit.scoring.inputs`): an unknown code raises DataImportError
    listing every such cell (SK606); the checks' warnings are in ``Rating.report``.
    ``targets``: the campaign's sample targets (``institution_id``, ``period``, ``target``; surveykit.fieldwork):
    an institution whose respondents fall below its target gets the warning SK553.
    """
    qmap = _by_id(questionnaires)
    profile = load_profile(profile, questionnaires=qmap or None)
    sources = {k: v for k, v in (sources or {}).items() if v is not None}
    if isinstance(periods, str):
        periods = [periods]
    if min_cell_size is None:
        from surveykit.config import settings

        min_cell_size = settings().min_cell_size
    _check_inputs(profile, sources, qmap, institutions)
    checked = check_rating_inputs(profile, sources, qmap, origins)
    raise_if_unknown_codes(checked)
    report = Report(subject=f"rating with profile {profile.id}")
    report.extend(checked.warnings)
    frames = {k: v for k, v in sources.items() if k in profile.sources}
    keys = _build_keys(profile, frames, institutions, periods)
    engine = _Engine(profile, frames, keys, qmap, institutions, report, int(min_cell_size))
    engine.targets = targets
    for name in sources:
        if name not in profile.sources:
            engine.warn_general(
                ErrorCode.INDICATOR_NO_DATA,
                Location(path=f"sources['{name}']"),
                Severity.INFO,
                institution="all institutions",
                indicator="(none)",
                reason=f"the profile {profile.id} does not use the source '{name}'",
                fix=f"Sources of this profile: {', '.join(profile.sources)}.",
            )
    return engine.run(periods=[str(p) for p in periods] if periods is not None else None, previous=previous)


class _Engine:
    """One rating run: holds the per-group arrays while the steps fill them."""

    def __init__(
        self,
        profile: Profile,
        frames: Mapping[str, pd.DataFrame],
        keys: _Keys,
        questionnaires: Mapping[str, Questionnaire],
        institutions: pd.DataFrame | None,
        report: Report,
        min_cell_size: int,
    ) -> None:
        self.p = profile
        self.frames = frames
        self.keys = keys
        self.q = questionnaires
        self.report = report
        self.min_cell = min_cell_size
        self.G = keys.n
        self.decimals = profile.rounding.decimals
        self.z = NormalDist().inv_cdf(0.5 + profile.uncertainty.confidence / 2)
        self.inst_id = (
            np.array(keys.institutions, dtype=object)[keys.group_inst]
            if self.G
            else np.array([], dtype=object)
        )
        self.period = (
            np.array(keys.periods, dtype=object)[keys.group_period] if self.G else np.array([], dtype=object)
        )
        self.attrs = self._institution_attributes(institutions)
        self.warn_rows: list[dict[str, Any]] = []
        self.targets: pd.DataFrame | None = None  # the campaign's sample targets (rate(targets=...))

    # -- helpers ----------------------------------------------------------------------------------------
    def r(self, values: Any) -> Any:
        return round_half_up(values, self.decimals)

    def who(self, gi: int) -> str:
        name = self.attrs["name"][gi] if "name" in self.attrs else None
        ident = self.inst_id[gi]
        label = f"{name} ({ident})" if isinstance(name, str) and name and name != ident else str(ident)
        return f"{label}, {self.period[gi]}"

    def warn(self, gi: int, code: ErrorCode, severity: Severity, measure: str = "", **params: Any) -> None:
        where = f"institution {self.inst_id[gi]}, period {self.period[gi]}" + (
            f", indicator {measure}" if measure else ""
        )
        problem = self.report.add(code, Location(path=where), severity, **params)
        self.warn_rows.append(
            {
                "institution_id": self.inst_id[gi],
                "period": self.period[gi],
                "indicator": measure,
                "severity": severity.value,
                "code": code.code,
                "message": problem.message,
                "hint": problem.hint,
            }
        )

    def warn_general(self, code: ErrorCode, location: Location, severity: Severity, **params: Any) -> None:
        """A problem of the whole run (not of one institution): in the report and the warnings table."""
        problem = self.report.add(code, location, severity, **params)
        self.warn_rows.append(
            {
                "institution_id": None,
                "period": None,
                "indicator": "",
                "severity": severity.value,
                "code": code.code,
                "message": f"{location}: {problem.message}",
                "hint": problem.hint,
            }
        )

    def _institution_attributes(self, institutions: pd.DataFrame | None) -> dict[str, np.ndarray]:
        if institutions is None or self.G == 0:
            return {}
        frame = institutions.copy()
        frame["institution_id"] = _text_keys(frame["institution_id"].tolist())
        groups = pd.DataFrame({"institution_id": self.inst_id, "period": self.period})
        if "period" in frame.columns:
            frame["period"] = _text_keys(frame["period"].tolist())
            merged = groups.merge(
                frame.drop_duplicates(["institution_id", "period"]),
                how="left",
                on=["institution_id", "period"],
            )
        else:
            merged = groups.merge(frame.drop_duplicates("institution_id"), how="left", on="institution_id")
        if "name" not in merged.columns:
            for alt in (f"name_{self.p.default_language}", "name_ru", "name_en"):
                if alt in merged.columns:
                    merged["name"] = merged[alt]
                    break
        return {c: merged[c].to_numpy() for c in merged.columns if c not in KEY_COLUMNS}

    # -- steps ---------------------------------------------------------------------------------------------
    def run(self, *, periods: list[str] | None, previous: Rating | pd.DataFrame | None) -> Rating:
        for source, count in self.keys.unkeyed.items():
            if count:
                self.warn_general(
                    ErrorCode.IMPORT_VALUE_INVALID,
                    Location(path=f"sources['{source}']"),
                    Severity.WARNING,
                    detail=f"{count} row(s) of {source} have no institution_id or no period and were ignored",
                    fix="Fill in institution_id and period for every row.",
                )
        for period in periods or []:
            if period not in set(self.period):
                self.warn_general(
                    ErrorCode.INDICATOR_NO_DATA,
                    Location(path=f"period {period}"),
                    Severity.WARNING,
                    institution="all institutions",
                    indicator="all indicators",
                    reason=f"no source has rows for period {period}",
                    fix=f"Check the period; the sources hold: {', '.join(self.keys.periods) or 'none'}.",
                )
        self.compute_indicators()
        self.apply_policies()
        self.aggregate()
        self.uncertainty()
        self.sample_and_status()
        self.rank()
        table = self.build_table()
        table = self.add_change(table, previous)
        tidy = self.build_tidy()
        findings = self.build_findings()
        warnings = pd.DataFrame(
            self.warn_rows,
            columns=["institution_id", "period", "indicator", "severity", "code", "message", "hint"],
        )
        keep = np.ones(self.G, dtype=bool)
        if self.p.policies.no_interviews == "omit":
            keep &= self.n_resp > 0
        if periods is not None:
            keep &= np.isin(self.period.astype(str), periods)
        kept = pd.DataFrame({"institution_id": self.inst_id[keep], "period": self.period[keep]})

        def restrict(frame: pd.DataFrame) -> pd.DataFrame:
            if keep.all():
                return frame.reset_index(drop=True)
            return frame.merge(kept, on=["institution_id", "period"], how="inner").reset_index(drop=True)

        table = restrict(table)
        regional = self.build_regional(table)
        return Rating(
            profile=self.p,
            table=table,
            indicators=restrict(tidy),
            findings=restrict(findings),
            regional=regional,
            warnings=pd.concat(
                [
                    warnings[warnings["institution_id"].isna()],
                    restrict(warnings[warnings["institution_id"].notna()]),
                ],
                ignore_index=True,
            )
            if len(warnings)
            else warnings,
            report=self.report,
        )

    def compute_indicators(self) -> None:
        self.specs: list[IndicatorBase] = []
        self.crit_of: list[int] = []
        self.results: list[ind.IndicatorResult] = []
        self.source_of: list[str] = []
        G = self.G
        for ci, criterion in enumerate(self.p.criteria):
            for spec in criterion.active:
                source = _source_of(spec)
                kind = self.p.sources[source].kind
                frame = self.frames.get(source)
                if frame is None:
                    frame = _empty_frame(ind.required_columns(spec, self.q.get(source)))
                    g = np.zeros(0, dtype=np.int64)
                    rows = np.zeros(G)
                else:
                    g, rows = self.keys.g[source], self.keys.rows[source]
                ctx = ind.Context(
                    n_groups=G,
                    rows=rows,
                    group_period=self.keys.group_period,
                    z=self.z,
                    empty_channel=self.p.policies.empty_channel,
                    sampled=kind == "survey",
                    questionnaire=self.q.get(source),
                )
                self.specs.append(spec)
                self.crit_of.append(ci)
                self.results.append(ind.compute(spec, frame, g, ctx))
                self.source_of.append(source)
        resp = self.p.respondents_source
        self.n_resp = self.keys.rows.get(resp, np.zeros(G))
        self.rated = self.n_resp > 0

    def apply_policies(self) -> None:
        """Per indicator and group: why there is no value (reason) and what to do about it (action)."""
        G, m = self.G, len(self.specs)
        resp = self.p.respondents_source
        self.reason = np.zeros((G, m), dtype=np.int8)
        self.action = np.zeros((G, m), dtype=np.int8)
        self.x = np.full((G, m), np.nan)  # the value that enters the criterion (after zero/full policies)
        missing_source = self.p.policies.missing_source
        for i, (spec, res) in enumerate(zip(self.specs, self.results, strict=True)):
            reason = np.full(G, _R_OK, dtype=np.int8)
            reason[res.status == ind.EMPTY] = _R_EMPTY
            no_source = res.status == ind.NO_SOURCE
            reason[no_source] = _R_NO_INTERVIEWS if self.source_of[i] == resp else _R_NO_SOURCE
            action = np.full(G, _USE, dtype=np.int8)
            action[reason == _R_EMPTY] = _EMPTY_ACTION[spec.on_empty or self.p.policies.empty_denominator]
            action[reason == _R_NO_SOURCE] = _BLOCK if missing_source == "no_total" else _DROP
            action[reason == _R_NO_INTERVIEWS] = _DROP
            x = res.value.copy()
            x[action == _ZERO] = 0.0
            x[action == _FULL] = spec.maximum
            x[(action == _DROP) | (action == _BLOCK)] = np.nan
            self.reason[:, i], self.action[:, i], self.x[:, i] = reason, action, x

    def aggregate(self) -> None:
        G, p = self.G, self.p
        each_level = p.rounding.mode == "each_level"
        self.x_pub = self.r(self.x)
        x_in = self.x_pub if each_level else self.x
        n_crit = len(p.criteria)
        self.v = np.zeros((G, len(self.specs)))  # weight of indicator i in its criterion, per group
        self.K = np.full((G, n_crit), np.nan)
        self.blocked = np.zeros((G, n_crit), dtype=bool)
        crit_of = np.array(self.crit_of)
        for k, criterion in enumerate(p.criteria):
            cols = np.flatnonzero(crit_of == k)
            w = np.array([self.specs[i].weight or 0.0 for i in cols])
            usable = np.isin(self.action[:, cols], (_USE, _ZERO, _FULL)) & ~np.isnan(x_in[:, cols])
            self.blocked[:, k] = (self.action[:, cols] == _BLOCK).any(axis=1)
            sw = (usable * w).sum(axis=1)
            ok = (sw > 0) & ~self.blocked[:, k]
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(ok[:, None], usable * w / np.where(sw > 0, sw, 1.0)[:, None], 0.0)
            self.v[:, cols] = criterion.total_weight * share
            self.K[:, k] = np.where(ok, (self.v[:, cols] * np.nan_to_num(x_in[:, cols])).sum(axis=1), np.nan)
        self.K[~self.rated] = np.nan
        self.K_pub = self.r(self.K)
        k_in = self.K_pub if each_level else self.K
        c = np.array([p.criterion_weights()[cr.id] for cr in p.criteria])
        t_org = c.sum() if p.organisation.aggregation == "sum" else 1.0
        available = ~np.isnan(k_in)
        sc = (available * c).sum(axis=1)
        ok = (sc > 0) & ~self.blocked.any(axis=1) & self.rated
        with np.errstate(invalid="ignore", divide="ignore"):
            self.cw = np.where(ok[:, None], t_org * available * c / np.where(sc > 0, sc, 1.0)[:, None], 0.0)
        self.S = np.where(ok, (self.cw * np.nan_to_num(k_in)).sum(axis=1), np.nan)
        self.S_pub = self.r(self.S)
        self.W = self.cw[:, crit_of] * self.v  # weight of each indicator in S, per group

    def uncertainty(self) -> None:
        """Standard errors by linearisation (see the module docstring); intervals at the profile's level."""
        G, m, n_crit = self.G, len(self.specs), len(self.p.criteria)
        self.var_i = np.zeros((G, m))
        self.var_k = np.zeros((G, n_crit))
        self.var_s = np.zeros(G)
        crit_of = np.array(self.crit_of)
        for source, spec in self.p.sources.items():
            if spec.kind != "survey" or source not in self.frames:
                continue
            g = self.keys.g[source]
            n = self.keys.rows[source]
            with np.errstate(invalid="ignore", divide="ignore"):
                factor = np.where(n > 1, n / (n - 1), np.nan)
            z_k: dict[int, np.ndarray] = {}
            for i in range(m):
                terms = self.results[i].terms
                if self.source_of[i] != source or not terms:
                    continue
                squares = terms[0].sum_of_squares(G) if len(terms) == 1 else None
                if squares is None:
                    u = terms[0].values()
                    for term in terms[1:]:
                        u += term.values()
                    squares = ind._count(g, u * u, G)
                self.var_i[:, i] += factor * squares
                k = crit_of[i]
                weight = ind._pad(self.v[:, i])
                for term in terms:
                    if k in z_k:
                        z_k[k] += term.scaled(weight).values()
                    else:
                        z_k[k] = term.scaled(weight).values()
            z_s = np.zeros(len(g))
            for k, z in z_k.items():
                self.var_k[:, k] += factor * ind._count(g, z * z, G)
                z_s += ind._pad(self.cw[:, k])[g] * z
            self.var_s += factor * ind._count(g, z_s * z_s, G)
        self.se_i = np.sqrt(self.var_i)
        self.se_i[np.isnan(self.x)] = np.nan
        fixed = np.isin(self.action, (_ZERO, _FULL))
        self.se_i[fixed] = 0.0
        self.se_k = np.where(np.isnan(self.K), np.nan, np.sqrt(self.var_k))
        self.se_s = np.where(np.isnan(self.S), np.nan, np.sqrt(self.var_s))
        # intervals of indicators: Wilson where the type gives one, else value -/+ z se within 0..max
        self.lo_i = np.full((G, m), np.nan)
        self.hi_i = np.full((G, m), np.nan)
        for i, res in enumerate(self.results):
            top = self.specs[i].maximum
            if res.lo is not None and res.hi is not None:
                lo, hi = res.lo.copy(), res.hi.copy()
            else:
                lo = np.clip(self.x[:, i] - self.z * self.se_i[:, i], 0, top)
                hi = np.clip(self.x[:, i] + self.z * self.se_i[:, i], 0, top)
            lo[fixed[:, i]] = hi[fixed[:, i]] = self.x[fixed[:, i], i]
            lo[np.isnan(self.x[:, i])] = hi[np.isnan(self.x[:, i])] = np.nan
            self.lo_i[:, i], self.hi_i[:, i] = lo, hi
        k_max = np.array([c.maximum for c in self.p.criteria])
        self.lo_k = np.clip(self.K - self.z * self.se_k, 0, k_max)
        self.hi_k = np.clip(self.K + self.z * self.se_k, 0, k_max)
        self.lo_s = np.clip(self.S - self.z * self.se_s, 0, self.p.max_total)
        self.hi_s = np.clip(self.S + self.z * self.se_s, 0, self.p.max_total)

    def sample_and_status(self) -> None:
        p, G = self.p, self.G
        recipients = self.attrs.get("recipients")
        recipients = (
            pd.to_numeric(pd.Series(recipients), errors="coerce").to_numpy(dtype=float)
            if recipients is not None
            else np.full(G, np.nan)
        )
        self.n_required = p.sample.required_many(recipients)
        self.below = self.rated & (self.n_resp < self.n_required)
        self.incomplete = (self.reason == _R_NO_SOURCE).any(axis=1) | (
            self.rated & np.isnan(self.K).any(axis=1)
        )
        self.complete = self.rated & ~self.incomplete & ~np.isnan(self.S)
        rankable = self.rated & ~np.isnan(self.S)
        if p.policies.missing_source == "not_ranked":
            rankable &= ~(self.reason == _R_NO_SOURCE).any(axis=1)
        if p.sample.below_minimum == "not_ranked":
            rankable &= ~self.below
        self.rankable = rankable
        self._warnings()

    def _below_targets(self) -> None:
        """SK553 for every institution x period whose respondents fall below the campaign's sample target."""
        if self.targets is None or not len(self.targets) or self.G == 0:
            return
        wanted = self.targets.assign(
            institution_id=self.targets["institution_id"].astype(str),
            period=self.targets["period"].astype(str),
        ).drop_duplicates(["institution_id", "period"], keep="last")
        groups = pd.DataFrame({"institution_id": self.inst_id.astype(str), "period": self.period.astype(str)})
        target = groups.merge(wanted, how="left", on=["institution_id", "period"])["target"].to_numpy(
            dtype=float
        )
        for gi in np.flatnonzero(~np.isnan(target) & (self.n_resp < target)):
            self.warn(gi, ErrorCode.SAMPLE_BELOW_TARGET, Severity.WARNING, institution=self.who(gi),
                      n=int(self.n_resp[gi]), period=self.period[gi], target=int(target[gi]))  # fmt: skip

    def _warnings(self) -> None:
        self._below_targets()
        p = self.p
        resp_label = p.text(p.sources[p.respondents_source].label, "en") or p.respondents_source
        for gi in np.flatnonzero(~self.rated):
            self.warn(
                gi,
                ErrorCode.INDICATOR_NO_DATA,
                Severity.WARNING,
                institution=self.who(gi),
                indicator="all survey indicators",
                reason=f"no interviews of the {resp_label}",
                fix="The institution is listed but not rated; conduct the survey in this period.",
            )
        for gi in np.flatnonzero(self.below):
            self.warn(
                gi,
                ErrorCode.SAMPLE_TOO_SMALL,
                Severity.WARNING,
                institution=self.who(gi),
                n=int(self.n_resp[gi]),
                minimum=int(self.n_required[gi]),
            )
        # a source not done: one warning per institution and source
        by_source: dict[str, list[int]] = {}
        for i, source in enumerate(self.source_of):
            by_source.setdefault(source, []).append(i)
        policy = p.policies.missing_source
        fix = {
            "not_ranked": "Until it is done the total is computed on the other indicators, marked incomplete "
            "and not ranked (policies.missing_source: not_ranked).",
            "compute_available": "The total is computed on the other indicators and marked incomplete "
            "(policies.missing_source: compute_available).",
            "no_total": "No total is computed until it is done (policies.missing_source: no_total).",
        }[policy]
        for source, cols in by_source.items():
            if source == p.respondents_source:
                continue
            missing = (self.reason[:, cols] == _R_NO_SOURCE).all(axis=1) & self.rated
            label = p.text(p.sources[source].label, "en") or source
            for gi in np.flatnonzero(missing):
                self.warn(
                    gi,
                    ErrorCode.INDICATOR_NO_DATA,
                    Severity.WARNING,
                    ", ".join(self.specs[i].id for i in cols),
                    institution=self.who(gi),
                    indicator=", ".join(self.specs[i].id for i in cols),
                    reason=f"the {label} ({source}) has no row for this period",
                    fix=f"Carry out the {label}. {fix}",
                )
            superseded = self.keys.superseded.get(source)
            if superseded is not None:
                for gi in np.flatnonzero(superseded > 0):
                    self.warn(
                        gi,
                        ErrorCode.FIELD_INVALID,
                        Severity.INFO,
                        field="submitted_at",
                        detail=f"{self.who(gi)}: {int(superseded[gi]) + 1} rows in {source}; the latest "
                        "submitted_at counts, the others are ignored",
                        fix="Delete the superseded rows if they were entered by mistake.",
                    )
        for i, spec in enumerate(self.specs):
            res = self.results[i]
            empty = (self.reason[:, i] == _R_EMPTY) & self.rated
            policy_e = spec.on_empty or p.policies.empty_denominator
            criterion = p.criteria[self.crit_of[i]].id
            fix_e = {
                "renormalise": f"{criterion} is computed over its other indicators, their weights renormalised.",
                "missing": f"{criterion} and the total are left empty (policy empty_denominator: missing).",
                "zero": "The indicator counts 0 points (policy empty_denominator: zero).",
                "full": "The indicator counts full points (policy empty_denominator: full).",
            }[policy_e]
            for gi in np.flatnonzero(empty):
                self.warn(
                    gi,
                    ErrorCode.INDICATOR_NO_DATA,
                    Severity.WARNING,
                    spec.id,
                    institution=self.who(gi),
                    indicator=spec.id,
                    reason=_empty_reason(spec) + self._found(spec, self.source_of[i], gi),
                    fix=fix_e,
                )
            for gi in np.flatnonzero(res.partial & self.rated):
                gone = [ch.name for ch in res.channels if not (ch.den[gi] > 0)]
                self.warn(
                    gi,
                    ErrorCode.INDICATOR_NO_DATA,
                    Severity.INFO,
                    spec.id,
                    institution=self.who(gi),
                    indicator=f"{spec.id} ({', '.join(gone)})",
                    reason="nobody in the denominator of this channel",
                    fix="The indicator is the mean of the other channel(s) (policies.empty_channel: "
                    f"{p.policies.empty_channel}).",
                )
            if spec.unit == "respondents" and self.source_of[i] in self.frames:
                small = self.rated & (res.den > 0) & (res.den < self.min_cell)
                for gi in np.flatnonzero(small):
                    self.warn(
                        gi,
                        ErrorCode.SAMPLE_TOO_SMALL,
                        Severity.INFO,
                        spec.id,
                        institution=f"{self.who(gi)}, indicator {spec.id}",
                        n=int(res.den[gi]),
                        minimum=self.min_cell,
                    )

    def _found(self, spec: IndicatorBase, source: str, gi: int) -> str:
        """What the columns of an empty share hold in this group, naming every code it did not count
        (e.g. a filter answered 'Да' where the profile counts 'yes'): '' when the columns are empty."""
        if isinstance(spec, MinMax) and spec.of is not None:
            spec = spec.of
        frame = self.frames.get(source)
        if not isinstance(spec, ShareYes) or frame is None or source not in self.keys.g:
            return ""
        rows = np.flatnonzero(self.keys.g[source] == gi)
        parts = []
        for channel in spec.all_channels:
            columns = [(channel.question, {*spec.yes, *spec.no, *spec.missing})]

            if channel.filter is not None:
                columns.append((channel.filter.question, set(channel.filter.in_)))
            for column, counted in columns:
                if column not in frame.columns or not len(rows):
                    continue
                values = pd.Series(frame[column].to_numpy(dtype=object)[rows], dtype=object).dropna()
                values = values.map(
                    lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                )
                other = values[~values.isin(counted)].value_counts()
                if len(other):
                    shown = ", ".join(f"'{v}' ×{n}" for v, n in other.head(5).items())
                    parts.append(f"{column} holds {shown}")
        return f"; {'; '.join(parts)}, which the profile does not count" if parts else ""

    def rank(self) -> None:

        p, G = self.p, self.G
        self.rank_ = np.full(G, np.nan)
        self.rank_of = np.full(G, np.nan)
        self.rank_note = np.full(G, "", dtype=object)
        self.z_next = np.full(G, np.nan)
        self.distinct = pd.array([pd.NA] * G, dtype="boolean")
        if G == 0:
            return
        frame = pd.DataFrame({"gi": np.arange(G), "period": self.period, "S": self.S_pub})
        for col in p.ranking.group_by:
            frame[f"_grp_{col}"] = self.attrs.get(col, np.full(G, None))
        frame = frame[self.rankable]
        tie_cols, ascending = [], []
        for n_key, key in enumerate(p.ranking.ties):
            frame[f"_tie{n_key}"] = self.measure(key.by)[frame["gi"].to_numpy()]
            tie_cols.append(f"_tie{n_key}")
            ascending.append(key.order == "asc")
        part_cols = ["period", *[f"_grp_{c}" for c in p.ranking.group_by]]
        frame["_inst"] = self.inst_id[frame["gi"].to_numpy()]
        frame = frame.sort_values(
            [*part_cols, "S", *tie_cols, "_inst"],
            ascending=[True] * len(part_cols) + [False] + ascending + [True],
            na_position="last",
            kind="stable",
        )
        parts = frame.groupby(part_cols, sort=False, dropna=False)
        position = parts.cumcount().to_numpy() + 1
        new_part = np.ones(len(frame), dtype=bool)
        new_part[1:] = position[1:] == 1
        cmp_cols = ["S", *tie_cols]
        values = frame[cmp_cols].to_numpy(dtype=float)
        same_prev = np.zeros(len(frame), dtype=bool)
        if len(frame) > 1:
            eq = (values[1:] == values[:-1]) | (np.isnan(values[1:]) & np.isnan(values[:-1]))
            same_prev[1:] = eq.all(axis=1) & ~new_part[1:]
        rank = np.where(same_prev, 0, position).astype(float)
        frame["_rank"] = rank
        rank = frame.groupby(part_cols, sort=False, dropna=False)["_rank"].cummax().to_numpy()
        gi = frame["gi"].to_numpy()
        self.rank_[gi] = rank
        self.rank_of[gi] = parts["S"].transform("size").to_numpy()
        # how ties on S were decided: the first tie key that differs from the tied neighbour
        s = values[:, 0]
        key_names = [k.by for k in p.ranking.ties]
        notes = np.full(len(frame), "", dtype=object)
        for j in range(len(frame)):  # one pass over ranked institutions (not interviews)
            neighbours = [j - 1] if j > 0 and not new_part[j] and s[j - 1] == s[j] else []
            if j + 1 < len(frame) and not new_part[j + 1] and s[j + 1] == s[j]:
                neighbours.append(j + 1)
            if not neighbours:
                continue
            other = neighbours[0]
            decided = next(
                (key_names[t] for t in range(len(key_names)) if values[j, 1 + t] != values[other, 1 + t]),
                None,
            )
            notes[j] = f"tie on S broken by {decided}" if decided else "shared place (equal S and tie keys)"
        self.rank_note[gi] = notes
        # are neighbouring places statistically distinguishable?
        se = self.se_s[gi]
        s_full = self.S[gi]
        if len(frame) > 1:
            with np.errstate(invalid="ignore", divide="ignore"):
                z = (s_full[:-1] - s_full[1:]) / np.sqrt(se[:-1] ** 2 + se[1:] ** 2)
            z = np.where(new_part[1:], np.nan, z)
            self.z_next[gi[:-1]] = z
            distinct = np.full(G, np.nan)
            distinct[gi[:-1]] = np.where(np.isnan(z), np.nan, np.abs(z) >= self.z)
            self.distinct = pd.array(distinct, dtype="boolean")

    def measure(self, measure_id: str) -> np.ndarray:
        """Published values of a criterion, indicator, the total or the respondent count, per group."""
        if measure_id == TOTAL_ID:
            return self.S_pub
        if measure_id == RESPONDENTS_ID:
            return self.n_resp.astype(float)
        for k, criterion in enumerate(self.p.criteria):
            if criterion.id == measure_id:
                return self.K_pub[:, k]
        for i, spec in enumerate(self.specs):
            if spec.id == measure_id:
                return self.x_pub[:, i]
        raise KeyError(measure_id)

    # -- outputs ---------------------------------------------------------------------------------------------
    def status_text(self) -> np.ndarray:
        out = np.full(self.G, "ranked", dtype=object)
        out[~self.rankable] = "not ranked"
        out[self.rated & ~self.rankable & self.incomplete] = "not ranked: incomplete"
        out[self.rated & ~self.rankable & self.below & (self.p.sample.below_minimum == "not_ranked")] = (
            "not ranked: sample below minimum"
        )
        out[self.rated & np.isnan(self.S)] = "not rated: total not computable"
        out[~self.rated] = "not rated: no interviews"
        return out

    def flags(self) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        good = [[] for _ in range(self.G)]
        weak = [[] for _ in range(self.G)]
        per: dict[str, np.ndarray] = {}
        measures = [(c.id, self.K_pub[:, k], c.maximum) for k, c in enumerate(self.p.criteria)]
        measures += [(s.id, self.x_pub[:, i], s.maximum) for i, s in enumerate(self.specs)]
        for mid, values, top in measures:
            # thresholds are percentages of the measure's maximum (plain points on a 0-100 scale)
            th = self.p.thresholds_for(mid)
            flag = np.full(self.G, "", dtype=object)
            if th.good_practice is not None:
                flag[values >= th.good_practice * top / 100.0 - 1e-9] = "good_practice"
            if th.needs_improvement is not None:
                flag[values < th.needs_improvement * top / 100.0 - 1e-9] = "needs_improvement"
            per[mid] = flag
            for gi in np.flatnonzero(flag == "good_practice"):
                good[gi].append(mid)
            for gi in np.flatnonzero(flag == "needs_improvement"):
                weak[gi].append(mid)
        return (
            np.array([", ".join(x) for x in good], dtype=object),
            np.array([", ".join(x) for x in weak], dtype=object),
            per,
        )

    def bands(self) -> dict[str, np.ndarray]:
        table = sorted(self.p.bands.table, key=lambda b: -b.min)
        if not self.p.bands.enabled or not table:
            return {}
        languages = sorted({lang for b in table for lang in b.name})
        out = {f"band_{lang}": np.full(self.G, None, dtype=object) for lang in languages}
        assigned = np.zeros(self.G, dtype=bool)
        for band in table:
            hit = ~assigned & (self.S_pub >= band.min)
            for lang in languages:
                out[f"band_{lang}"][hit] = self.p.text(band.name, lang)
            assigned |= hit
        return out

    def build_table(self) -> pd.DataFrame:
        G = self.G
        good, weak, self.flag_of = self.flags()
        data: dict[str, Any] = {
            "institution_id": self.inst_id,
            "period": self.period,
        }
        for col in ("name", "name_ru", "name_en", "region", *self.p.ranking.group_by):
            if col in self.attrs and col not in data:
                data[col] = self.attrs[col]
        data.update(
            {
                "n_respondents": self.n_resp.astype(int),
                "n_required": self.n_required.astype(int),
                "sample_ok": ~self.below & self.rated,
                "status": self.status_text(),
                "complete": self.complete,
                "rank": pd.array(np.where(np.isnan(self.rank_), np.nan, self.rank_), dtype="Int64")
                if G
                else pd.array([], dtype="Int64"),
                "rank_of": pd.array(self.rank_of, dtype="Int64") if G else pd.array([], dtype="Int64"),
                "rank_note": self.rank_note,
                "S": self.S_pub,
                "S_se": self.r(self.se_s),
                "S_lo": self.r(self.lo_s),
                "S_hi": self.r(self.hi_s),
                "z_next": np.round(self.z_next, 2),
                "distinct_from_next": self.distinct,
            }
        )
        data.update(self.bands())
        for k, criterion in enumerate(self.p.criteria):
            data[criterion.id] = self.K_pub[:, k]
            data[f"{criterion.id}_se"] = self.r(self.se_k[:, k])
            data[f"{criterion.id}_lo"] = self.r(self.lo_k[:, k])
            data[f"{criterion.id}_hi"] = self.r(self.hi_k[:, k])
        for i, spec in enumerate(self.specs):
            res = self.results[i]
            data[spec.id] = self.x_pub[:, i]
            data[f"{spec.id}_num"] = res.num
            data[f"{spec.id}_den"] = res.den
            data[f"{spec.id}_se"] = self.r(self.se_i[:, i])
            data[f"{spec.id}_lo"] = self.r(self.lo_i[:, i])
            data[f"{spec.id}_hi"] = self.r(self.hi_i[:, i])
        data["good_practice"] = good
        data["needs_improvement"] = weak
        table = pd.DataFrame(data)
        order = np.lexsort(
            (self.inst_id.astype(str), np.nan_to_num(self.rank_, nan=np.inf), self.period.astype(str))
        )
        return table.iloc[order].reset_index(drop=True)

    def add_change(self, table: pd.DataFrame, previous: Rating | pd.DataFrame | None) -> pd.DataFrame:
        """Change of S and each criterion since the institution's previous rated period."""
        measures = [TOTAL_ID, *[c.id for c in self.p.criteria]]
        if previous is None and len(self.keys.periods) < 2:  # one period, nothing to compare with
            out = table.copy()
            out["previous_period"] = None
            for mid in measures:
                out[f"change_{mid}"] = np.nan
            return out
        current = table[["institution_id", "period", *measures]].copy()
        current["_current"] = True
        frames = [current]
        if previous is not None:
            old = previous.table if isinstance(previous, Rating) else previous
            old = old[[c for c in ["institution_id", "period", *measures] if c in old.columns]].copy()
            old["institution_id"] = _text_keys(old["institution_id"].tolist())
            old["period"] = _text_keys(old["period"].tolist())
            old["_current"] = False
            frames.insert(0, old)
        both = pd.concat(frames, ignore_index=True)
        both = both.drop_duplicates(["institution_id", "period"], keep="last")
        both = both[both[TOTAL_ID].notna()].sort_values(["institution_id", "period"])
        grouped = both.groupby("institution_id", sort=False)
        prev = grouped[["period", *measures]].shift(1)
        changes = pd.DataFrame({"institution_id": both["institution_id"], "period": both["period"]})
        changes["previous_period"] = prev["period"]
        for mid in measures:
            changes[f"change_{mid}"] = self.r(
                both[mid].to_numpy(dtype=float) - prev[mid].to_numpy(dtype=float)
            )
        out = table.merge(changes, on=["institution_id", "period"], how="left")
        return out

    def build_tidy(self) -> pd.DataFrame:
        """One row per institution x period x measure. Built column-wise from numpy blocks; text columns that
        repeat (ids, names, units, statuses) are categoricals."""
        G, p = self.G, self.p
        numeric = ("value", "num", "den", "se", "lo", "hi", "weight", "weight_in_total")
        text = ("level", "id", "criterion", "name_ru", "name_en", "unit")
        columns: dict[str, list[Any]] = {
            name: [] for name in (*numeric, *text, "status", "flag", "small_cell")
        }

        def add(**cols: Any) -> None:
            for name in numeric:
                columns[name].append(np.broadcast_to(np.asarray(cols[name], dtype=float), (G,)))
            for name in text:
                columns[name].append(cols[name])  # one text per block
            columns["status"].append(np.broadcast_to(np.asarray(cols["status"], dtype=object), (G,)))
            columns["flag"].append(np.broadcast_to(np.asarray(cols["flag"], dtype=object), (G,)))
            columns["small_cell"].append(np.broadcast_to(np.asarray(cols["small_cell"], dtype=bool), (G,)))

        missing_or_ok = np.array(["ok", "missing"], dtype=object)
        add(
            level="total",
            id=TOTAL_ID,
            criterion="",
            name_ru="Итоговый показатель",
            name_en="Total score",
            unit="points",
            value=self.S_pub,
            num=np.nan,
            den=np.nan,
            se=self.r(self.se_s),
            lo=self.r(self.lo_s),
            hi=self.r(self.hi_s),
            weight=np.nan,
            weight_in_total=1.0,
            status=missing_or_ok[np.isnan(self.S).astype(int)],
            flag="",
            small_cell=False,
        )
        for k, criterion in enumerate(p.criteria):
            add(
                level="criterion",
                id=criterion.id,
                criterion=criterion.id,
                name_ru=p.text(criterion.name, "ru"),
                name_en=p.text(criterion.name, "en"),
                unit="points",
                value=self.K_pub[:, k],
                num=np.nan,
                den=np.nan,
                se=self.r(self.se_k[:, k]),
                lo=self.r(self.lo_k[:, k]),
                hi=self.r(self.hi_k[:, k]),
                weight=p.criterion_weights()[criterion.id],
                weight_in_total=np.round(self.cw[:, k], 6),
                status=missing_or_ok[np.isnan(self.K[:, k]).astype(int)],
                flag=self.flag_of[criterion.id],
                small_cell=False,
            )
        reason_text = np.array([_REASON_TEXT[r] for r in sorted(_REASON_TEXT)], dtype=object)
        for i, spec in enumerate(self.specs):
            res = self.results[i]
            status = np.where(res.partial, "partial", reason_text[self.reason[:, i]])
            small = (res.den > 0) & (res.den < self.min_cell) if spec.unit == "respondents" else False
            criterion_id = p.criteria[self.crit_of[i]].id
            add(
                level="indicator",
                id=spec.id,
                criterion=criterion_id,
                name_ru=p.text(spec.name, "ru"),
                name_en=p.text(spec.name, "en"),
                unit=spec.unit,
                value=self.x_pub[:, i],
                num=res.num,
                den=res.den,
                se=self.r(self.se_i[:, i]),
                lo=self.r(self.lo_i[:, i]),
                hi=self.r(self.hi_i[:, i]),
                weight=spec.weight,
                weight_in_total=np.round(self.W[:, i], 6),
                status=status,
                flag=self.flag_of[spec.id],
                small_cell=small,
            )
            for ch in res.channels:
                small_ch = (ch.den > 0) & (ch.den < self.min_cell) if spec.unit == "respondents" else False
                add(
                    level="channel",
                    id=f"{spec.id}/{ch.name}",
                    criterion=criterion_id,
                    name_ru=p.text(ch.label, "ru") or ch.name,
                    name_en=p.text(ch.label, "en") or ch.name,
                    unit=spec.unit,
                    value=self.r(ch.value),
                    num=ch.num,
                    den=ch.den,
                    se=np.nan,
                    lo=self.r(ch.lo) if ch.lo is not None else np.nan,
                    hi=self.r(ch.hi) if ch.hi is not None else np.nan,
                    weight=np.nan,
                    weight_in_total=np.nan,
                    status=np.where(ch.den > 0, "ok", "empty_denominator"),
                    flag="",
                    small_cell=small_ch,
                )
        blocks = len(columns["level"])
        block_codes = np.repeat(np.arange(blocks), G)
        data: dict[str, Any] = {
            "institution_id": _categorical(np.tile(self.keys.group_inst, blocks), self.keys.institutions),
            "period": _categorical(np.tile(self.keys.group_period, blocks), self.keys.periods),
        }
        for name in text:
            uniques = list(dict.fromkeys(columns[name]))
            codes = np.array([uniques.index(v) for v in columns[name]], dtype=np.int64)
            data[name] = _categorical(codes[block_codes], uniques)
        for name in numeric:
            data[name] = np.concatenate(columns[name]) if blocks else np.zeros(0)
        for name in ("status", "flag"):
            values = np.concatenate(columns[name]) if blocks else np.zeros(0, dtype=object)
            data[name] = pd.Categorical(values)
        data["small_cell"] = np.concatenate(columns["small_cell"]) if blocks else np.zeros(0, dtype=bool)
        order = [
            "institution_id",
            "period",
            "level",
            "id",
            "criterion",
            "name_ru",
            "name_en",
            "value",
            "num",
            "den",
            "unit",
            "se",
            "lo",
            "hi",
            "weight",
            "weight_in_total",
            "status",
            "flag",
            "small_cell",
        ]
        return pd.DataFrame({name: data[name] for name in order})

    def build_findings(self) -> pd.DataFrame:
        """Checklist items not present, per institution: absent, outdated, not recorded, not applicable."""
        frames = []
        state_text = np.array(
            [_STATE_TEXT.get(code, "") for code in range(-1, 5)], dtype=object
        )  # by state + 1
        for i, (spec, res) in enumerate(zip(self.specs, self.results, strict=True)):
            if res.state is None or not res.items:
                continue
            required = _required_items(spec)
            notable = np.isin(res.state, list(_STATE_TEXT))
            gi, j = np.nonzero(notable)
            if not len(gi):
                continue
            items = np.array(res.items, dtype=object)[j]
            answers = np.full(len(gi), None, dtype=object)
            source = self.source_of[i]
            if source in self.frames:
                rows = self.keys.row_of[source][gi]
                frame = self.frames[source]
                for code in np.unique(items):
                    at = items == code
                    codes, categories = ind.category_codes(frame[code])
                    names = np.array([*categories, None], dtype=object)  # code -1 -> None
                    answers[at] = names[codes[rows[at]]]
            frames.append(
                {
                    "institution_id": self.inst_id[gi],
                    "period": self.period[gi],
                    "indicator": np.full(len(gi), spec.id, dtype=object),
                    "criterion": np.full(len(gi), self.p.criteria[self.crit_of[i]].id, dtype=object),
                    "channel": np.array(res.item_channel, dtype=object)[j],
                    "item": items,
                    "status": state_text[res.state[gi, j] + 1],
                    "answer": answers,
                    "required": np.isin(items, list(required)),
                    "label_ru": np.array([self.p.label(c, "ru") for c in res.items], dtype=object)[j],
                    "label_en": np.array([self.p.label(c, "en") for c in res.items], dtype=object)[j],
                }
            )
        columns = [
            "institution_id",
            "period",
            "indicator",
            "criterion",
            "channel",
            "item",
            "status",
            "answer",
            "required",
            "label_ru",
            "label_en",
        ]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.DataFrame({name: np.concatenate([f[name] for f in frames]) for name in columns})

    def build_regional(self, table: pd.DataFrame) -> pd.DataFrame:
        """[R] The region's figure is the plain mean over organisations (of S and of each criterion)."""
        measures = [TOTAL_ID, *[c.id for c in self.p.criteria]]
        use = (
            table[table["complete"]]
            if self.p.policies.regional_mean == "complete"
            else table[table[TOTAL_ID].notna()]
        )
        keys = ["period"] + (["region"] if "region" in table.columns else [])
        if use.empty:
            return pd.DataFrame(columns=[*keys, "n_organisations", *measures])
        grouped = use.groupby(keys, sort=True, dropna=False)
        out = grouped[measures].mean()
        out = out.apply(lambda col: self.r(col.to_numpy(dtype=float)))
        out.insert(0, "n_organisations", grouped.size())
        return out.reset_index()


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=pd.Index(list(categories), dtype=object))


def _required_items(spec: IndicatorBase) -> set[str]:
    from surveykit.scoring.profile import ChecklistRatio

    if isinstance(spec, MinMax) and spec.of is not None:
        return _required_items(spec.of)
    if isinstance(spec, ChecklistRatio):
        return {code for ch in spec.channels for code in ch.required_items}
    return {code for code, _ in spec.columns()}


def _empty_reason(spec: IndicatorBase) -> str:
    if isinstance(spec, MinMax) and spec.of is not None:
        return _empty_reason(spec.of)
    if isinstance(spec, ShareYes):
        parts = []
        for ch in spec.all_channels:
            text = f"question {ch.question}"
            if ch.filter is not None:
                text += f" among respondents with {ch.filter.question} = {' or '.join(ch.filter.in_)}"
            parts.append(text)
        return "nobody answered " + "; ".join(parts)
    return "the denominator is empty"
