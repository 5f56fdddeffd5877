"""Methodology profiles: the rating method as data (``questionnaires/methodology/<id>.yaml``).

A profile names its data sources (questionnaire ids), its criteria and their indicators (each of a registered
*type* with its parameters and weight), how criteria add up to the organisation's total, rounding, bands,
thresholds, the minimum-sample rule, the tie rule and the edge-case policies. No number of a method lives in
code: the code implements the indicator *types* (:mod:`surveykit.scoring.indicators`), the profile supplies
every weight, cap, item list and threshold, each with its source tag in a comment. The format is documented
for councils in ``docs/methodology.md``.

:func:`read_profile` never raises for a bad file: it returns the profile (or ``None``) and a report listing
*every* problem with its file and line. :func:`load_profile` raises :class:`~surveykit.errors.MethodologyError`
with that report attached.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

from surveykit.errors import ErrorCode, Location, MethodologyError, Problem, Report, did_you_mean
from surveykit.filekinds import take_kind
from surveykit.questionnaire.model import Questionnaire, Text
from surveykit.sourcemap import SourceMap, data_path, read_text, read_yaml

__all__ = [
    "DEFAULT_PROFILE",
    "INDICATOR_TYPES",
    "SCHEMA_VERSION",
    "ChecklistCount",
    "ChecklistRatio",
    "Criterion",
    "IndicatorSpec",
    "MeanScale",
    "MinMax",
    "OrdinalCompliance",
    "OutcomeRatio",
    "Profile",
    "ProfileInfo",
    "ProfileLoad",
    "ShareYes",
    "list_profiles",
    "load_profile",
    "profile_from_data",
    "profiles_dir",
    "read_profile",
]

#: the profile format this surveykit reads and writes
SCHEMA_VERSION = 1
#: the profile used when none is named (a file name in the profiles folder, not a method rule)
DEFAULT_PROFILE = "ru_nok_344n_2018"
#: names a tie rule, a flag or a column may use besides criterion and indicator ids
TOTAL_ID = "S"
RESPONDENTS_ID = "n_respondents"

EmptyPolicy = Literal["renormalise", "missing", "zero", "full"]


def _to_str(value: Any) -> Any:
    """YAML reads ``1.1`` as a float and ``2018`` as an int; ids, editions and choice names are text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _to_str_list(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_to_str(v) for v in value]
    return value


Id = Annotated[str, BeforeValidator(_to_str)]
Names = Annotated[list[str], BeforeValidator(_to_str_list)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


class Thresholds(_Model):
    """Flags per indicator or criterion: ``good_practice`` at or above, ``needs_improvement`` below.

    Both are percentages of the measure's maximum: plain points for a 0-100 measure, 9 of 10 points for
    ``good_practice: 90`` on a 391a-style 10-point indicator."""

    good_practice: float | None = None
    needs_improvement: float | None = None


class Filter(_Model):
    """Who is in a share's denominator: respondents whose ``question`` answer is one of ``in``."""

    question: str
    in_: Names = Field(default_factory=lambda: ["yes"], alias="in")


# --- indicator types ------------------------------------------------------------------------------------------
class IndicatorBase(_Model):
    """Fields every indicator has. ``weight`` is its weight inside the criterion."""

    id: Id = ""
    name: Text = Field(default_factory=dict)
    weight: float | None = Field(default=None, ge=0)
    source: str | None = Field(
        default=None, description="Source id; a nested indicator inherits its parent's."
    )
    enabled: bool = True
    thresholds: Thresholds | None = None
    on_empty: EmptyPolicy | None = Field(default=None, description="Overrides policies.empty_denominator.")
    note: str | None = None

    @property
    def unit(self) -> str:
        """What the numerator and denominator count: respondents, checklist items or cases (admin data)."""
        return "respondents"

    def columns(self) -> list[tuple[str, tuple[Any, ...]]]:
        """Every column the indicator reads, with the path of the field that names it."""
        return []

    @property
    def maximum(self) -> float:
        return 100.0


class ShareChannel(_Model):
    name: str = ""
    question: str
    filter: Filter | None = None
    label: Text = Field(default_factory=dict)


class ShareYes(IndicatorBase):
    """``yes / answered * 100``; several channels are averaged (344n indicator 1.3)."""

    type: Literal["share_yes"]
    question: str | None = None
    filter: Filter | None = None
    channels: list[ShareChannel] = Field(default_factory=list)
    yes: Names = Field(default_factory=lambda: ["yes"])
    no: Names = Field(
        default_factory=lambda: ["no"],
        description="Codes answered other than yes; with yes and missing, the codes accepted in input files "
        "when no questionnaire gives the question's choice list.",
    )
    missing: Names = Field(default_factory=lambda: ["dk"], description="Codes never in the denominator.")

    @property
    def all_channels(self) -> list[ShareChannel]:
        if self.question is not None:
            return [ShareChannel(name="", question=self.question, filter=self.filter), *self.channels]
        return list(self.channels)

    def columns(self) -> list[tuple[str, tuple[Any, ...]]]:
        out: list[tuple[str, tuple[Any, ...]]] = []
        if self.question is not None:
            out.append((self.question, ("question",)))
            if self.filter is not None:
                out.append((self.filter.question, ("filter", "question")))
        for i, ch in enumerate(self.channels):
            out.append((ch.question, ("channels", i, "question")))
            if ch.filter is not None:
                out.append((ch.filter.question, ("channels", i, "filter", "question")))
        return out


class ChecklistCount(IndicatorBase):
    """``min(cap, points_per_item * n_present)`` (344n indicators 1.2, 2.1, 3.1, 3.2)."""

    type: Literal["checklist_count"]
    items: list[str]
    present: Names = Field(default_factory=lambda: ["yes"])
    absent: Names = Field(
        default_factory=lambda: ["no"],
        description="Codes of an item not present; with present, the codes accepted in input files when no "
        "questionnaire gives the item's choice list.",
    )
    points_per_item: float = Field(gt=0)
    cap: float | None = Field(default=None, gt=0)

    def columns(self) -> list[tuple[str, tuple[Any, ...]]]:
        return [(code, ("items", i)) for i, code in enumerate(self.items)]

    @property
    def unit(self) -> str:
        return "items"

    @property
    def maximum(self) -> float:
        full = self.points_per_item * len(self.items)
        return min(self.cap, full) if self.cap is not None else full


class RatioChannel(_Model):
    name: str
    label: Text = Field(default_factory=dict)
    items: list[str]
    required: list[str] | Literal["all"] = "all"

    @property
    def required_items(self) -> list[str]:
        return list(self.items) if self.required == "all" else list(self.required)


class ChecklistRatio(IndicatorBase):
    """``present / required * 100`` per channel, channels averaged (344n indicator 1.1)."""

    type: Literal["checklist_ratio"]
    channels: list[RatioChannel]
    present: Names = Field(default_factory=lambda: ["present"])
    absent: Names = Field(
        default_factory=lambda: ["absent"],
        description="Codes of an item not present; with the other states, the codes accepted in input files "
        "when no questionnaire gives the item's choice list.",
    )
    outdated: Names = Field(
        default_factory=lambda: ["outdated"], description="Named in conclusions; not present."
    )

    excluded: Names = Field(default_factory=lambda: ["not_applicable"], description="Left out of the norm.")

    def columns(self) -> list[tuple[str, tuple[Any, ...]]]:
        return [
            (code, ("channels", i, "items", j))
            for i, ch in enumerate(self.channels)
            for j, code in enumerate(ch.items)
        ]

    @property
    def unit(self) -> str:
        return "items"


class OutcomeRatio(IndicatorBase):
    """``sum(numerator) / sum(denominator) * 100`` (e.g. 29 of 81 clients employed = 35.80)."""

    type: Literal["outcome_ratio"]
    numerator: str
    denominator: str

    def columns(self) -> list[tuple[str, tuple[Any, ...]]]:
        return [(self.numerator, ("numerator",)), (self.denominator, ("denominator",))]

    @property
    def unit(self) -> str:
        return "cases"


class MeanScale(IndicatorBase):
    """Mean of a Likert scale per respondent, rescaled to 0-100, averaged over respondents."""

    type: Literal["mean_scale"]
    items: list[str] = Field(default_factory=list)
    scale: str | None = Field(default=None, description="A scale declared in the source questionnaire.")
    reverse: list[str] = Field(default_factory=list)
    min_valid: int | None = Field(default=None, ge=1)
    values: dict[str, float] | None = Field(
        default=None, description="Choice name -> points (default: numeric names)."
    )
    missing: Names = Field(default_factory=lambda: ["dk", "refused"])
    scale_min: float | None = None
    scale_max: float | None = None

    def columns(self) -> list[tuple[str, tuple[Any, ...]]]:
        return [(code, ("items", i)) for i, code in enumerate(self.items)] + [
            (code, ("reverse", i)) for i, code in enumerate(self.reverse)
        ]


class MinMax(IndicatorBase):
    """391a normalisation: ``(k - k_min) / (k_max - k_min) * points``, mirrored when lower is better."""

    type: Literal["minmax"]
    of: IndicatorSpec | None = Field(default=None, description="The raw indicator k (any other type).")
    column: str | None = Field(default=None, description="Or: an admin column, averaged per institution.")
    k_min: float | Literal["observed"] = 0.0
    k_max: float | Literal["observed"] = 100.0
    direction: Literal["higher_better", "lower_better"] = "higher_better"
    points: float = Field(default=10.0, gt=0)

    def columns(self) -> list[tuple[str, tuple[Any, ...]]]:
        if self.column is not None:
            return [(self.column, ("column",))]
        if self.of is not None:
            return [(code, ("of", *path)) for code, path in self.of.columns()]
        return []

    @property
    def maximum(self) -> float:
        return self.points

    @property
    def unit(self) -> str:
        return self.of.unit if self.of is not None else "cases"


class OrdinalCompliance(IndicatorBase):
    """Compliance sheet: each item meets / partly / does not (2/1/0 by default); ``sum / max * 100``."""

    type: Literal["ordinal_compliance"]
    items: list[str]
    levels: dict[str, float] = Field(default_factory=lambda: {"meets": 2.0, "partly": 1.0, "not_met": 0.0})
    excluded: Names = Field(default_factory=lambda: ["not_applicable"])

    def columns(self) -> list[tuple[str, tuple[Any, ...]]]:
        return [(code, ("items", i)) for i, code in enumerate(self.items)]

    @property
    def unit(self) -> str:
        return "items"


#: type name -> spec model; :mod:`surveykit.scoring.indicators` registers one function per name
INDICATOR_TYPES: dict[str, type[IndicatorBase]] = {
    "share_yes": ShareYes,
    "checklist_count": ChecklistCount,
    "checklist_ratio": ChecklistRatio,
    "outcome_ratio": OutcomeRatio,
    "mean_scale": MeanScale,
    "minmax": MinMax,
    "ordinal_compliance": OrdinalCompliance,
}

IndicatorSpec = Annotated[
    ShareYes | ChecklistCount | ChecklistRatio | OutcomeRatio | MeanScale | MinMax | OrdinalCompliance,
    Field(discriminator="type"),
]
MinMax.model_rebuild()
_INDICATOR_ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(IndicatorSpec)


# --- the profile ------------------------------------------------------------------------------------------------
class SourceSpec(_Model):
    kind: Literal["survey", "checklist", "admin"]
    respondents: bool = Field(default=False, description="Its interviews are the respondents of the rating.")
    label: Text = Field(default_factory=dict)


class Criterion(_Model):
    id: Id
    name: Text = Field(default_factory=dict)
    weight: float | None = Field(default=None, ge=0, description="Weight in the total (weighted_mean only).")
    aggregation: Literal["weighted_mean", "weighted_sum"] = "weighted_mean"
    thresholds: Thresholds | None = None
    indicators: list[IndicatorSpec]

    @property
    def active(self) -> list[IndicatorBase]:
        return [i for i in self.indicators if i.enabled]

    @property
    def total_weight(self) -> float:
        """T in ``K = T * sum(w x) / sum(w)`` over available indicators: 1 for a weighted mean."""
        return 1.0 if self.aggregation == "weighted_mean" else sum(i.weight or 0.0 for i in self.active)

    @property
    def maximum(self) -> float:
        active = self.active
        if self.aggregation == "weighted_sum":
            return sum((i.weight or 0.0) * i.maximum for i in active)
        total = sum(i.weight or 0.0 for i in active) or 1.0
        return sum((i.weight or 0.0) * i.maximum for i in active) / total


class Organisation(_Model):
    aggregation: Literal["mean", "weighted_mean", "sum"] = "mean"


class Rounding(_Model):
    decimals: int = Field(default=2, ge=0, le=6)
    mode: Literal["each_level", "published_only"] = "each_level"


class Band(_Model):
    min: float
    name: Text


class Bands(_Model):
    enabled: bool = True
    table: list[Band] = Field(default_factory=list)


class SampleRule(_Model):
    share_of_recipients: float | None = Field(default=None, gt=0, le=1)
    cap: int | None = Field(default=None, ge=1)
    absolute_minimum: int = Field(default=0, ge=0)
    below_minimum: Literal["warn", "not_ranked"] = "warn"

    def required_many(self, recipients: Any) -> Any:
        """Interviews required per institution, from its number of service recipients (NaN: unknown).

        ``max(absolute_minimum, min(cap, ceil(share_of_recipients * recipients)))``, but never more than the
        recipients themselves (a small population: all of them); unknown recipients: the absolute minimum.
        """
        import numpy as np

        population = np.asarray(recipients, dtype=float)
        known = ~np.isnan(population)
        safe = np.where(known, population, 0.0)
        needed = (
            np.ceil(self.share_of_recipients * safe - 1e-9)
            if self.share_of_recipients
            else np.zeros_like(safe)
        )
        if self.cap is not None:
            needed = np.minimum(needed, self.cap)
        needed = np.minimum(np.maximum(needed, self.absolute_minimum), safe)
        return np.where(known, needed, float(self.absolute_minimum))

    def required(self, recipients: float | None) -> int:
        """:meth:`required_many` for one institution (``None``: recipients unknown)."""
        return int(self.required_many(float("nan") if recipients is None else recipients))


class TieKey(_Model):
    by: Id
    order: Literal["desc", "asc"] = "desc"


class Ranking(_Model):
    ties: list[TieKey] = Field(default_factory=list)
    group_by: list[str] = Field(default_factory=list)


class Uncertainty(_Model):
    confidence: float = Field(default=0.95, gt=0, lt=1)


class Policies(_Model):
    empty_denominator: EmptyPolicy = "renormalise"
    empty_channel: Literal["drop", "zero"] = "drop"
    no_interviews: Literal["list_unrated", "omit"] = "list_unrated"
    missing_source: Literal["not_ranked", "compute_available", "no_total"] = "not_ranked"
    regional_mean: Literal["complete", "all_rated"] = "complete"


class Variant(_Model):
    title: Text = Field(default_factory=dict)
    note: str | None = None
    set: dict[Id, dict[str, Any]] = Field(default_factory=dict)


class Profile(_Model):
    schema_version: int = SCHEMA_VERSION
    id: str
    default_language: str = "ru"
    title: Text
    description: Text = Field(default_factory=dict)
    jurisdiction: str | None = None
    edition: Id | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    legal_refs: list[str] = Field(default_factory=list)
    sources: dict[str, SourceSpec]
    criteria: list[Criterion]
    organisation: Organisation = Field(default_factory=Organisation)
    rounding: Rounding = Field(default_factory=Rounding)
    bands: Bands = Field(default_factory=lambda: Bands(enabled=False))
    thresholds: Thresholds = Field(default_factory=Thresholds)
    sample: SampleRule = Field(default_factory=SampleRule)
    ranking: Ranking = Field(default_factory=Ranking)
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    policies: Policies = Field(default_factory=Policies)
    variants: dict[str, Variant] = Field(default_factory=dict)
    variant: str | None = Field(default=None, description="The variant applied (set by load_profile).")
    labels: dict[str, Text] = Field(default_factory=dict)

    _path: str | None = PrivateAttr(default=None)
    _bases: tuple[str, ...] = PrivateAttr(default=())

    # --- navigation ---------------------------------------------------------------------------------------
    @property
    def path(self) -> str | None:
        """The file the profile was read from (None when built from data)."""
        return self._path

    @property
    def bases(self) -> tuple[str, ...]:
        """The files of the profiles this one extends (``extends:``), nearest first; empty when none."""
        return self._bases

    @property
    def respondents_source(self) -> str:
        for name, spec in self.sources.items():
            if spec.respondents:
                return name
        return next(name for name, spec in self.sources.items() if spec.kind == "survey")

    def indicators(self) -> Iterator[tuple[Criterion, IndicatorBase]]:
        """Every enabled indicator with its criterion, in profile order."""
        for criterion in self.criteria:
            for indicator in criterion.active:
                yield criterion, indicator

    def indicator(self, indicator_id: str) -> IndicatorBase:
        for criterion in self.criteria:
            for indicator in criterion.indicators:
                if indicator.id == indicator_id:
                    return indicator
        raise KeyError(indicator_id)

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def criterion_of(self, indicator_id: str) -> Criterion:
        for criterion in self.criteria:
            if any(i.id == indicator_id for i in criterion.indicators):
                return criterion
        raise KeyError(indicator_id)

    @property
    def measure_ids(self) -> list[str]:
        """Ids a tie rule or threshold may name: criteria, enabled indicators, the total, the respondent count."""
        return (
            [c.id for c in self.criteria] + [i.id for _, i in self.indicators()] + [TOTAL_ID, RESPONDENTS_ID]
        )

    def criterion_weights(self) -> dict[str, float]:
        """Weight of each criterion in the total: 1/m for a mean, the file's weights otherwise (1 for a sum)."""
        agg = self.organisation.aggregation
        if agg == "mean":
            return {c.id: 1.0 / len(self.criteria) for c in self.criteria}
        if agg == "sum":
            return {c.id: 1.0 for c in self.criteria}
        return {c.id: float(c.weight or 0.0) for c in self.criteria}

    @property
    def max_total(self) -> float:
        weights = self.criterion_weights()
        return sum(weights[c.id] * c.maximum for c in self.criteria)

    def thresholds_for(self, measure_id: str) -> Thresholds:
        """The flag thresholds of an indicator or criterion (its own, else the profile's)."""
        own: Thresholds | None = None
        for criterion in self.criteria:
            if criterion.id == measure_id:
                own = criterion.thresholds
            for indicator in criterion.indicators:
                if indicator.id == measure_id:
                    own = indicator.thresholds
        base = self.thresholds
        if own is None:
            return base
        return Thresholds(
            good_practice=own.good_practice if own.good_practice is not None else base.good_practice,
            needs_improvement=own.needs_improvement
            if own.needs_improvement is not None
            else base.needs_improvement,
        )

    def label(self, code: str, language: str) -> str:
        """A checklist item's name in ``language`` from the profile's ``labels`` (the code when there is none)."""
        from surveykit.i18n import pick

        return pick(self.labels.get(code), language, self.default_language) or code

    def text(self, texts: Mapping[str, str] | None, language: str) -> str:
        from surveykit.i18n import pick

        return pick(texts, language, self.default_language)

    # --- changes --------------------------------------------------------------------------------------------
    def with_overrides(self, changes: Mapping[str, Mapping[str, Any]]) -> Profile:
        """A copy with fields of indicators or criteria replaced: ``{"2.2": {"enabled": True, "weight": 0.4}}``.

        The result is checked like a file (weights, references); problems raise :class:`MethodologyError`.
        """
        report = Report(subject=self.path or self.id)
        data = self.model_dump(mode="python", by_alias=True, exclude={"variants"})
        data["variants"] = {k: v.model_dump(mode="python") for k, v in self.variants.items()}
        _apply_changes(data, changes, SourceMap(file=self.path), ("with_overrides",), report)
        report.raise_if_errors(MethodologyError)
        result = profile_from_data(data, source_map=SourceMap(file=self.path), apply_variant=False)
        result.report.raise_if_errors(MethodologyError)
        assert result.profile is not None
        object.__setattr__(result.profile, "_path", self.path)
        return result.profile


# --- loading ---------------------------------------------------------------------------------------------------
@dataclass
class ProfileLoad:
    profile: Profile | None
    report: Report

    def unwrap(self) -> Profile:
        if self.profile is None or not self.report.ok:
            first = self.report.errors[0]
            raise MethodologyError(first.code, first.location, report=self.report, **first.params)
        return self.profile


@dataclass(frozen=True)
class ProfileInfo:
    id: str
    title: dict[str, str]
    path: Path
    default: bool


def profiles_dir() -> Path:
    from surveykit.config import settings

    return Path(settings().questionnaires_dir) / "methodology"


def list_profiles(folder: str | Path | None = None) -> list[ProfileInfo]:
    """The profiles shipped in ``questionnaires/methodology`` (or ``folder``), default first."""
    base = Path(folder) if folder is not None else profiles_dir()
    out = []
    for path in sorted(base.glob("*.yaml")):
        text = read_text(path)
        data, _, _ = read_yaml(text or "", file=str(path))
        if isinstance(data, Mapping) and isinstance(data.get("id"), str):
            title = data.get("title")
            title = title if isinstance(title, dict) else {"en": str(title or data["id"])}
            out.append(ProfileInfo(data["id"], title, path, data["id"] == DEFAULT_PROFILE))
    return sorted(out, key=lambda p: (not p.default, p.id))


def _resolve_path(name_or_path: str | Path, report: Report) -> Path | None:
    candidate = Path(name_or_path)
    if candidate.suffix.lower() in (".yaml", ".yml") or candidate.exists() or len(candidate.parts) > 1:
        return candidate
    path = profiles_dir() / f"{name_or_path}.yaml"
    if path.exists():
        return path
    known = [p.id for p in list_profiles()]
    report.add(
        ErrorCode.PROFILE_INVALID,
        Location(file=str(profiles_dir())),
        detail=f"there is no methodology profile '{name_or_path}'{did_you_mean(str(name_or_path), known)} "
        f"(available: {', '.join(known) or 'none'})",
    )
    return None


def read_profile(
    name_or_path: str | Path = DEFAULT_PROFILE,
    *,
    variant: str | None = None,
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
) -> ProfileLoad:
    """Read and check a profile by id (from the profiles folder) or by path; never raises for a bad file."""
    report = Report(subject=str(name_or_path))
    path = _resolve_path(name_or_path, report)
    if path is None:
        return ProfileLoad(None, report)
    report.subject = str(path)
    if not questionnaires:
        stamp = _stamp(path)
        if stamp is not None:
            return _read_cached(str(path.resolve()), stamp, variant)
    return _read_file(path, report, variant, questionnaires)


def _stamp(path: Path) -> tuple[int, ...] | None:
    """The modification times a cached profile depends on: its file's, and for a profile that extends
    another, those of every profile beside it and in the profiles folder (where its bases are)."""
    try:
        own = path.stat().st_mtime_ns
        if b"extends" not in path.read_bytes():
            return (own,)
        folders = {path.parent, profiles_dir()}
        return (own, *sorted(p.stat().st_mtime_ns for f in folders for p in f.glob("*.y*ml")))
    except OSError:
        return None


@functools.lru_cache(maxsize=32)
def _read_cached(path: str, stamp: tuple[int, ...], variant: str | None) -> ProfileLoad:
    """Profiles are immutable: a file read once per modification time (and variant) is reused."""
    del stamp  # part of the cache key only
    return _read_file(Path(path), Report(subject=path), variant, None)


def _read_file(
    path: Path,
    report: Report,
    variant: str | None,
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None,
) -> ProfileLoad:
    text = read_text(path, report)
    if text is None:
        return ProfileLoad(None, report)
    data, smap, syntax = read_yaml(text, file=str(path))
    report.extend(syntax)
    if data is None:
        if not report.errors:
            report.add(ErrorCode.FIELD_MISSING, Location(file=str(path), line=1), field="id")
        return ProfileLoad(None, report)
    result = profile_from_data(data, source_map=smap, variant=variant, questionnaires=questionnaires)
    report.extend(result.report)
    if result.profile is not None:
        object.__setattr__(result.profile, "_path", str(path))
    return ProfileLoad(result.profile if report.ok else None, report)


def load_profile(
    name_or_path: str | Path | Profile = DEFAULT_PROFILE,
    *,
    variant: str | None = None,
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
) -> Profile:
    """Read and check a profile; raise :class:`MethodologyError` listing every error (file:line each)."""
    if isinstance(name_or_path, Profile):
        profile = name_or_path
        if variant is not None and variant != profile.variant:
            raise MethodologyError(
                ErrorCode.PROFILE_INVALID,
                Location(file=profile.path),
                detail=f"the profile is already loaded; load it again with variant '{variant}'",
            )
        if questionnaires:
            report = Report(subject=profile.path or profile.id)
            _check_questions(profile, _by_id(questionnaires), None, SourceMap(file=profile.path), report)
            report.raise_if_errors(MethodologyError)
        return profile
    return read_profile(name_or_path, variant=variant, questionnaires=questionnaires).unwrap()


def _by_id(
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None,
) -> dict[str, Questionnaire]:
    if not questionnaires:
        return {}
    if isinstance(questionnaires, Mapping):
        return dict(questionnaires)
    return {q.id: q for q in questionnaires}


def profile_from_data(
    data: Any,
    *,
    source_map: SourceMap | None = None,
    variant: str | None = None,
    apply_variant: bool = True,
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
) -> ProfileLoad:
    """Build and check a profile from parsed YAML. ``variant`` overrides the file's ``variant:``."""
    smap = source_map or SourceMap()
    report = Report(subject=smap.file)
    if not isinstance(data, Mapping):
        report.add(
            ErrorCode.PROFILE_INVALID,
            smap.locate(()),
            detail=f"a profile is a mapping of fields, found {type(data).__name__}",
        )
        return ProfileLoad(None, report)
    found = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(found, int) or isinstance(found, bool):
        report.add(
            ErrorCode.FIELD_INVALID,
            smap.locate(("schema_version",)),
            field="schema_version",
            detail=f"{found!r} is not a whole number",
            fix=f"Write schema_version: {SCHEMA_VERSION}.",
        )
        return ProfileLoad(None, report)
    if found > SCHEMA_VERSION:
        report.add(
            ErrorCode.SCHEMA_VERSION_TOO_NEW,
            smap.locate(("schema_version",)),
            found=found,
            supported=SCHEMA_VERSION,
        )
        return ProfileLoad(None, report)
    if found < SCHEMA_VERSION:
        report.add(
            ErrorCode.SCHEMA_VERSION_TOO_OLD,
            smap.locate(("schema_version",)),
            found=found,
            supported=SCHEMA_VERSION,
        )
        return ProfileLoad(None, report)

    bases: list[str] = []
    if "extends" in data:  # a region's profile that changes only what differs (surveykit.scoring.extend)
        from surveykit.scoring.extend import extend_profile

        merged, smap, bases = extend_profile(data, smap, report)
        if merged is None:
            return ProfileLoad(None, report)
        data = merged
    data = dict(data)
    if not take_kind(data, "methodology_profile", smap.locate(("kind",)), report):  # surveykit.filekinds
        return ProfileLoad(None, report)
    chosen = variant if variant is not None else data.get("variant")
    if apply_variant and chosen is not None:
        variants = data.get("variants") if isinstance(data.get("variants"), Mapping) else {}
        if chosen not in variants:
            report.add(
                ErrorCode.PROFILE_INVALID,
                smap.locate(("variant",)),
                detail=f"unknown variant '{chosen}'{did_you_mean(str(chosen), variants)} "
                f"(variants of this profile: {', '.join(variants) or 'none'})",
            )
            return ProfileLoad(None, report)
        changes = variants[chosen].get("set", {}) if isinstance(variants[chosen], Mapping) else {}
        data = _deep_copy(data)
        _apply_changes(data, changes, smap, ("variants", chosen, "set"), report)
        data["variant"] = chosen
        if report.errors:
            return ProfileLoad(None, report)

    language = data.get("default_language") if isinstance(data.get("default_language"), str) else "ru"
    try:
        profile = Profile.model_validate(data, context={"default_language": language})
    except pydantic.ValidationError as err:
        report.problems.extend(_pydantic_problems(err, data, smap))
        _raw_checks(data, smap, report)  # the weights and sources of the rest, so one pass lists everything
        return ProfileLoad(None, report)
    _check_profile(profile, data, smap, report)
    _check_questions(profile, _by_id(questionnaires), data, smap, report)
    object.__setattr__(profile, "_bases", tuple(bases))
    return ProfileLoad(profile if report.ok else None, report)


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _apply_changes(
    data: dict[str, Any],
    changes: Mapping[str, Any],
    smap: SourceMap,
    where: tuple[Any, ...],
    report: Report,
) -> None:
    """Replace fields of the criteria/indicators named in ``changes`` (a variant's ``set``) in raw data."""
    targets: dict[str, dict[str, Any]] = {}
    for criterion in data.get("criteria") or []:
        if isinstance(criterion, dict):
            targets[str(_to_str(criterion.get("id")))] = criterion
            for indicator in criterion.get("indicators") or []:
                if isinstance(indicator, dict):
                    targets[str(_to_str(indicator.get("id")))] = indicator
    for key, fields in (changes or {}).items():
        key = str(_to_str(key))
        if key not in targets:
            report.add(
                ErrorCode.PROFILE_INVALID,
                smap.locate((*where, key)),
                detail=f"the variant changes '{key}', which is not a criterion or indicator of this profile"
                f"{did_you_mean(key, targets)}",
            )
            continue
        if not isinstance(fields, Mapping):
            report.add(
                ErrorCode.PROFILE_INVALID,
                smap.locate((*where, key)),
                detail=f"the change of '{key}' must be a mapping of fields, e.g. {{weight: 0.3}}",
            )
            continue
        targets[key].update(fields)


# --- checks --------------------------------------------------------------------------------------------------------
def _indicator_paths(data: Mapping[str, Any] | None, profile: Profile) -> dict[str, tuple[Any, ...]]:
    paths: dict[str, tuple[Any, ...]] = {}
    for ci, criterion in enumerate(profile.criteria):
        paths[criterion.id] = ("criteria", ci)
        for ii, indicator in enumerate(criterion.indicators):
            paths[indicator.id] = ("criteria", ci, "indicators", ii)
    return paths


def _check_profile(profile: Profile, data: Mapping[str, Any], smap: SourceMap, report: Report) -> None:
    """Every semantic rule of a profile; each problem located at its line."""
    paths = _indicator_paths(data, profile)
    variant_note = f" (variant '{profile.variant}')" if profile.variant else ""
    sources = profile.sources
    if not sources:
        report.add(
            ErrorCode.PROFILE_INVALID, smap.locate(("sources",)), detail="the profile names no data sources"
        )
    survey_sources = [n for n, s in sources.items() if s.kind == "survey"]
    respondents = [n for n, s in sources.items() if s.respondents]
    if len(respondents) > 1:
        report.add(
            ErrorCode.PROFILE_INVALID,
            smap.locate(("sources", respondents[1], "respondents")),
            detail=f"only one source can hold the respondents; {', '.join(respondents)} all say respondents: true",
        )
    if sources and not survey_sources:
        report.add(
            ErrorCode.PROFILE_INVALID,
            smap.locate(("sources",)),
            detail="no source of kind 'survey': a rating needs interviews (add kind: survey, respondents: true)",
        )
    for name in respondents:
        if sources[name].kind != "survey":
            report.add(
                ErrorCode.PROFILE_INVALID,
                smap.locate(("sources", name, "kind")),
                detail=f"source '{name}' holds the respondents but is of kind '{sources[name].kind}', not 'survey'",
            )

    seen: dict[str, tuple[Any, ...]] = {}
    reserved = {TOTAL_ID, RESPONDENTS_ID}
    for criterion in profile.criteria:
        cpath = paths[criterion.id]
        for ident, ipath in [(criterion.id, cpath)] + [(i.id, paths[i.id]) for i in criterion.indicators]:
            if not ident:
                report.add(ErrorCode.FIELD_MISSING, smap.locate(ipath), field="id")
            elif ident in reserved:
                report.add(
                    ErrorCode.PROFILE_INVALID,
                    smap.locate((*ipath, "id")),
                    detail=f"'{ident}' is reserved (the total and the respondent count); choose another id",
                )
            elif ident in seen:
                first = smap.locate(seen[ident])
                report.add(
                    ErrorCode.PROFILE_INVALID,
                    smap.locate((*ipath, "id")),
                    detail=f"id '{ident}' is used twice (also at line {first.line})",
                )
            else:
                seen[ident] = ipath
        active = criterion.active
        if not active:
            report.add(
                ErrorCode.PROFILE_INVALID,
                smap.locate(cpath),
                detail=f"criterion {criterion.id} has no enabled indicator{variant_note}",
            )
        for indicator in criterion.indicators:
            ipath = paths[indicator.id]
            if indicator.enabled and indicator.weight is None:
                report.add(ErrorCode.FIELD_MISSING, smap.locate(ipath), field="weight")
            _check_indicator(indicator, ipath, sources, smap, report, nested=False)
        if criterion.aggregation == "weighted_mean" and active and all(i.weight is not None for i in active):
            total = sum(i.weight or 0.0 for i in active)
            if not math.isclose(total, 1.0, abs_tol=1e-9):
                weights = " + ".join(f"{i.id}: {i.weight:g}" for i in active)
                report.add(
                    ErrorCode.PROFILE_WEIGHTS,
                    smap.locate((*cpath, "indicators")),
                    what=f"the indicators of {criterion.id} ({weights}){variant_note}",
                    total=f"{total:g}",
                )
    if profile.organisation.aggregation == "weighted_mean":
        missing = [c for c in profile.criteria if c.weight is None]
        for c in missing:
            report.add(ErrorCode.FIELD_MISSING, smap.locate(paths[c.id]), field="weight")
        if not missing:
            total = sum(c.weight or 0.0 for c in profile.criteria)
            if not math.isclose(total, 1.0, abs_tol=1e-9):
                report.add(
                    ErrorCode.PROFILE_WEIGHTS,
                    smap.locate(("organisation",)),
                    what="the criteria ("
                    + " + ".join(f"{c.id}: {c.weight:g}" for c in profile.criteria)
                    + ")",
                    total=f"{total:g}",
                )

    measures = profile.measure_ids
    for i, key in enumerate(profile.ranking.ties):
        if key.by not in measures:
            report.add(
                ErrorCode.PROFILE_INVALID,
                smap.locate(("ranking", "ties", i, "by")),
                detail=f"the tie rule names '{key.by}', which is not a criterion, an indicator, "
                f"'{TOTAL_ID}' or '{RESPONDENTS_ID}'{did_you_mean(key.by, measures)}",
            )
    mins = [b.min for b in profile.bands.table]
    if len(set(mins)) != len(mins):
        report.add(
            ErrorCode.PROFILE_INVALID, smap.locate(("bands", "table")), detail="two bands have the same min"
        )
    for i, band in enumerate(profile.bands.table):
        if not band.name:
            report.add(ErrorCode.FIELD_MISSING, smap.locate(("bands", "table", i)), field="name")
    for where, th in (
        [(("thresholds",), profile.thresholds)]
        + [((*paths[c.id], "thresholds"), c.thresholds) for c in profile.criteria]
        + [((*paths[i.id], "thresholds"), i.thresholds) for c in profile.criteria for i in c.indicators]
    ):
        if (
            th
            and th.good_practice is not None
            and th.needs_improvement is not None
            and th.good_practice < th.needs_improvement
        ):
            report.add(
                ErrorCode.PROFILE_INVALID,
                smap.locate(where),
                detail=f"good_practice ({th.good_practice:g}) is below needs_improvement ({th.needs_improvement:g})",
            )
    if profile.sample.share_of_recipients is None and profile.sample.cap is not None:
        report.add(
            ErrorCode.PROFILE_INVALID,
            smap.locate(("sample", "cap")),
            detail="a cap without share_of_recipients has no effect; add share_of_recipients or remove the cap",
        )


def _raw_checks(data: Mapping[str, Any], smap: SourceMap, report: Report) -> None:
    """Weight sums and source names checked on the raw data, for a file that did not validate as a whole."""
    sources = data.get("sources") if isinstance(data.get("sources"), Mapping) else {}
    criteria = data.get("criteria") if isinstance(data.get("criteria"), list) else []
    for ci, criterion in enumerate(criteria):
        if (
            not isinstance(criterion, Mapping)
            or criterion.get("aggregation", "weighted_mean") != "weighted_mean"
        ):
            continue
        indicators = criterion.get("indicators") if isinstance(criterion.get("indicators"), list) else []
        weights = []
        for ii, indicator in enumerate(indicators):
            if not isinstance(indicator, Mapping) or indicator.get("enabled", True) is False:
                continue
            weight = indicator.get("weight")
            if isinstance(weight, (int, float)) and not isinstance(weight, bool):
                weights.append((_to_str(indicator.get("id")), float(weight)))
            source = indicator.get("source")
            if isinstance(source, str) and sources and source not in sources:
                report.add(
                    ErrorCode.PROFILE_INVALID,
                    smap.locate(("criteria", ci, "indicators", ii, "source")),
                    detail=f"indicator {_to_str(indicator.get('id'))} reads source '{source}', which is not under "
                    f"'sources'{did_you_mean(source, sources)}",
                )
        total = sum(w for _, w in weights)
        if weights and not math.isclose(total, 1.0, abs_tol=1e-9):
            report.add(
                ErrorCode.PROFILE_WEIGHTS,
                smap.locate(("criteria", ci, "indicators")),
                what=f"the indicators of {_to_str(criterion.get('id'))} ("
                + " + ".join(f"{i}: {w:g}" for i, w in weights)
                + ")",
                total=f"{total:g}",
            )


def _check_indicator(
    indicator: IndicatorBase,
    ipath: tuple[Any, ...],
    sources: Mapping[str, SourceSpec],
    smap: SourceMap,
    report: Report,
    *,
    nested: bool,
    parent_source: str | None = None,
) -> None:
    label = f"indicator {indicator.id or '(nested)'}"
    source = indicator.source or parent_source
    if source is None and not (
        isinstance(indicator, MinMax) and indicator.of is not None and indicator.of.source
    ):
        report.add(ErrorCode.FIELD_MISSING, smap.locate(ipath), field="source")
    elif source is not None and source not in sources:
        report.add(
            ErrorCode.PROFILE_INVALID,
            smap.locate((*ipath, "source")),
            detail=f"{label} reads source '{source}', which is not under 'sources'{did_you_mean(source, sources)}",
        )

    def bad(field: tuple[Any, ...], detail: str) -> None:
        report.add(ErrorCode.PROFILE_INVALID, smap.locate((*ipath, *field)), detail=f"{label}: {detail}")

    if isinstance(indicator, ShareYes):
        if indicator.question is None and not indicator.channels:
            bad((), "a share needs 'question' (one question) or 'channels' (several, averaged)")
        if indicator.question is not None and indicator.channels:
            bad(("channels",), "write either 'question' or 'channels', not both")
        names = [c.name for c in indicator.all_channels]
        if len(names) > 1 and (len(set(names)) != len(names) or "" in names):
            bad(("channels",), "every channel of a multi-channel share needs its own 'name'")
    elif isinstance(indicator, ChecklistCount):
        if not indicator.items:
            bad(("items",), "the checklist has no items")
    elif isinstance(indicator, ChecklistRatio):
        for ci, channel in enumerate(indicator.channels):
            if channel.required != "all":
                extra = [c for c in channel.required if c not in channel.items]
                for code in extra:
                    bad(
                        ("channels", ci, "required"),
                        f"required item '{code}' of channel '{channel.name}' is not among its items"
                        f"{did_you_mean(code, channel.items)}",
                    )
            if not channel.required_items:
                bad(("channels", ci), f"channel '{channel.name}' requires no item")
        if not indicator.channels:
            bad(("channels",), "a checklist ratio needs at least one channel")
    elif isinstance(indicator, MeanScale):
        if not indicator.items and indicator.scale is None:
            bad((), "a mean_scale needs 'items' or 'scale' (a scale declared in the questionnaire)")
        if indicator.items and indicator.scale is not None:
            bad(("scale",), "write either 'items' or 'scale', not both")
        for code in indicator.reverse:
            if indicator.items and code not in indicator.items:
                bad(
                    ("reverse",),
                    f"reverse item '{code}' is not among the items{did_you_mean(code, indicator.items)}",
                )
        if (indicator.scale_min is None) != (indicator.scale_max is None):
            bad(("scale_min",), "give both scale_min and scale_max, or neither")
        if (
            indicator.scale_min is not None
            and indicator.scale_max is not None
            and indicator.scale_min >= indicator.scale_max
        ):
            bad(("scale_max",), "scale_max must be above scale_min")
        if indicator.min_valid is not None and indicator.items and indicator.min_valid > len(indicator.items):
            bad(
                ("min_valid",),
                f"min_valid {indicator.min_valid} is more than the {len(indicator.items)} items",
            )
    elif isinstance(indicator, MinMax):
        if (indicator.of is None) == (indicator.column is None):
            bad(
                (), "a minmax needs exactly one of 'of' (an indicator giving k) or 'column' (an admin column)"
            )
        if indicator.of is not None:
            if isinstance(indicator.of, MinMax):
                bad(("of",), "a minmax cannot normalise another minmax")
            _check_indicator(
                indicator.of, (*ipath, "of"), sources, smap, report, nested=True, parent_source=source
            )
        if (
            isinstance(indicator.k_min, float)
            and isinstance(indicator.k_max, float)
            and indicator.k_min >= indicator.k_max
        ):
            bad(("k_max",), f"k_max ({indicator.k_max:g}) must be above k_min ({indicator.k_min:g})")
    elif isinstance(indicator, OrdinalCompliance):
        if not indicator.items:
            bad(("items",), "the compliance sheet has no items")
        if not indicator.levels or max(indicator.levels.values()) <= 0:
            bad(
                ("levels",),
                "levels need at least one level with positive points, e.g. {meets: 2, partly: 1, not_met: 0}",
            )
    if nested and indicator.weight is not None:
        bad(("weight",), "a nested indicator has no weight of its own; remove it")


def _check_questions(
    profile: Profile,
    questionnaires: Mapping[str, Questionnaire],
    data: Mapping[str, Any] | None,
    smap: SourceMap,
    report: Report,
) -> None:
    """PROFILE_QUESTION_UNKNOWN for every column an indicator reads that its questionnaire does not have."""
    if not questionnaires:
        return
    paths = _indicator_paths(data, profile)
    for criterion in profile.criteria:
        for indicator in criterion.indicators:
            for spec, prefix in _with_nested(indicator):
                source = spec.source or indicator.source
                questionnaire = questionnaires.get(source or "")
                if questionnaire is None:
                    continue
                codes = {v for q in questionnaire.questions() for v in q.variables()}
                for code, field in spec.columns():
                    if code not in codes:
                        report.add(
                            ErrorCode.PROFILE_QUESTION_UNKNOWN,
                            smap.locate((*paths[indicator.id], *prefix, *field)),
                            indicator=indicator.id,
                            code=code,
                            questionnaire=questionnaire.id,
                            suggestion=did_you_mean(code, sorted(codes)),
                        )
                if (
                    isinstance(spec, MeanScale)
                    and spec.scale is not None
                    and spec.scale not in questionnaire.scales
                ):
                    report.add(
                        ErrorCode.PROFILE_QUESTION_UNKNOWN,
                        smap.locate((*paths[indicator.id], *prefix, "scale")),
                        indicator=indicator.id,
                        code=f"scale {spec.scale}",
                        questionnaire=questionnaire.id,
                        suggestion=did_you_mean(spec.scale, questionnaire.scales),
                    )


def _with_nested(indicator: IndicatorBase) -> list[tuple[IndicatorBase, tuple[Any, ...]]]:
    out: list[tuple[IndicatorBase, tuple[Any, ...]]] = [(indicator, ())]
    if isinstance(indicator, MinMax) and indicator.of is not None:
        out = [(indicator, ())] if indicator.column else []
        out.append((indicator.of, ("of",)))
    return out


# --- pydantic errors with file:line ---------------------------------------------------------------------------------
def _pydantic_problems(err: pydantic.ValidationError, data: Any, smap: SourceMap) -> list[Problem]:
    problems = []
    for error in err.errors(include_url=False):
        path = _data_path(error["loc"], data)
        kind = error["type"]
        field = str(path[-1]) if path else "(document)"
        if kind == "union_tag_invalid":
            tag = str((error.get("ctx") or {}).get("tag", ""))
            problems.append(
                Problem.of(
                    ErrorCode.PROFILE_INVALID,
                    smap.locate((*path, "type")),
                    detail=f"unknown indicator type '{tag}'{did_you_mean(tag, INDICATOR_TYPES)} "
                    f"(known types: {', '.join(INDICATOR_TYPES)})",
                )
            )
        elif kind == "union_tag_not_found":
            problems.append(Problem.of(ErrorCode.FIELD_MISSING, smap.locate(path), field="type"))
        elif kind == "missing":
            problems.append(Problem.of(ErrorCode.FIELD_MISSING, smap.locate(path[:-1]), field=field))
        elif kind == "extra_forbidden":
            allowed = _allowed_fields(data, path[:-1])
            problems.append(
                Problem.of(
                    ErrorCode.FIELD_UNKNOWN,
                    smap.locate(path),
                    field=field,
                    suggestion=did_you_mean(field, allowed),
                )
            )
        else:
            problems.append(
                Problem.of(
                    ErrorCode.FIELD_INVALID,
                    smap.locate(path),
                    field=field,
                    detail=error["msg"],
                    fix=_FIELD_HINTS.get(
                        field, "Correct the value (see docs/methodology.md, 'Profile format')."
                    ),
                )
            )
    return problems


_FIELD_HINTS = {
    "weight": "Write a number from 0 to 1, e.g. weight: 0.3.",
    "aggregation": "Criteria: weighted_mean or weighted_sum; organisation: mean, weighted_mean or sum.",
    "mode": "Write each_level or published_only.",
    "empty_denominator": "Write renormalise, missing, zero or full.",
    "missing_source": "Write not_ranked, compute_available or no_total.",
    "direction": "Write higher_better or lower_better.",
}


def _data_path(loc: Sequence[Any], data: Any) -> tuple[Any, ...]:
    return data_path(loc, data, tags=INDICATOR_TYPES, aliases={"in_": "in"})


def _allowed_fields(data: Any, path: Sequence[Any]) -> list[str]:
    """Field names of the model at ``path`` (for "did you mean" on an unknown field)."""
    model: Any = Profile
    node = data
    for part in path:
        node = node[part] if isinstance(node, (Mapping, list)) else None
        if isinstance(part, int):
            continue
        if model is None or not hasattr(model, "model_fields"):
            return []
        info = model.model_fields.get(part)
        model = _model_in(info.annotation if info else None, node)
    if isinstance(node, Mapping) and isinstance(node.get("type"), str) and node["type"] in INDICATOR_TYPES:
        model = INDICATOR_TYPES[node["type"]]
    return sorted(model.model_fields) if model is not None and hasattr(model, "model_fields") else []


def _model_in(annotation: Any, node: Any) -> Any:
    import typing

    if annotation is None:
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg, node)
        if found is not None:
            return found
    return None
