"""The quality-control rules as configuration: ``questionnaires/quality/rules.yaml``.

Every threshold of :mod:`surveykit.quality` is a [P] default of methodology D.2 (or cites its source in the
file), so it lives in this file and nowhere in code. :func:`read_rules` returns the rules and a report of
*every* problem with its file and line (unknown keys with "did you mean", values of the wrong type or out of
range, an unknown time zone, field hours that end before they start); :func:`load_rules` raises
:class:`~surveykit.errors.ConfigError` with that report attached.

The models are frozen pydantic models with ``extra="forbid"``: a misspelt key is an error, never silently a
default. ``rules.with_changes({"near_duplicate": {"floor": 0.9}})`` gives a modified copy, checked the same way.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from surveykit.errors import ConfigError, ErrorCode, Location, Problem, Report, did_you_mean
from surveykit.filekinds import take_kind
from surveykit.sourcemap import SourceMap, read_text, read_yaml

__all__ = [
    "RULE_IDS",
    "SCHEMA_VERSION",
    "QualityRules",
    "RulesLoad",
    "default_rules_path",
    "load_rules",
    "read_rules",
    "rules_from_data",
]

#: the rules file format this surveykit reads
SCHEMA_VERSION = 1

#: the checks, in the order they run and are documented (also the ``rule`` column of the flags)
RULE_IDS = (
    "too_short",
    "throughput",
    "overlap",
    "outside_hours",
    "straight_lining",
    "filter_avoidance",
    "item_nonresponse",
    "dont_know",
    "near_duplicate",
    "identical_open_answers",
    "interviewer_effect",
    "institution_anomaly",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Rule(_Model):
    enabled: bool = True


class Peers(_Model):
    """How an interviewer's rate is compared with the other interviewers' (see docs/quality.md)."""

    z: float = Field(2.0, gt=0)
    alpha: float = Field(0.05, gt=0, lt=1)
    within_institution: bool = True
    min_peer_answers: int = Field(20, ge=1)
    min_interviews: int = Field(5, ge=1)


class TooShort(_Rule):
    share_of_median: float = Field(0.5, gt=0, le=1)
    z_report: float = Field(-2.0, lt=0)
    min_interviews: int = Field(5, ge=2)


class Throughput(_Rule):
    max_per_hour: float = Field(3.0, gt=0)
    window_minutes: int = Field(60, ge=1, le=24 * 60)
    modes: tuple[str, ...] = ("face_to_face",)


class Overlap(_Rule):
    min_minutes: float = Field(0.0, ge=0)
    modes: tuple[str, ...] = ("face_to_face", "telephone")


_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::00)?$")


class OutsideHours(_Rule):
    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(21, 0)
    modes: tuple[str, ...] = ("face_to_face", "telephone")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("write a time of day in quotes, e.g. '21:00'")
        if isinstance(value, int):  # YAML 1.1 reads 21:00 without quotes as 1260 (base 60)
            raise ValueError(
                f"{value} is a number: YAML reads an unquoted time like 21:00 as minutes; write it in quotes"
            )
        if isinstance(value, str):
            found = _TIME.match(value.strip())
            if not found:
                raise ValueError(f"'{value}' is not a time of day HH:MM")
            return dt.time(int(found.group(1)), int(found.group(2)))
        return value


class StraightLining(_Rule):
    min_items: int = Field(3, ge=2)


class FilterAvoidance(_Rule):
    pass


class ItemNonresponse(_Rule):
    refusal_names: tuple[str, ...] = ("refused", "refusal", "no_answer", "prefer_not_to_answer")


class DontKnow(_Rule):
    pass


class NearDuplicate(_Rule):
    floor: float = Field(0.85, gt=0, le=1)
    quantile: float = Field(0.99, gt=0, lt=1)
    seed: int = 20260
    block_by: Literal["institution", "interviewer"] = "institution"
    min_items: int = Field(5, ge=2)
    min_stratum: int = Field(20, ge=2)


class IdenticalOpenAnswers(_Rule):
    min_repeats: int = Field(3, ge=2)
    min_length: int = Field(10, ge=0)
    max_other_interviewers: int = Field(2, ge=0)


class InterviewerEffect(_Rule):
    max_deff: float = Field(1.5, ge=1)
    z: float = Field(2.0, gt=0)
    adjust_for_institution: bool = True
    min_interviewers: int = Field(5, ge=2)


class InstitutionAnomaly(_Rule):
    min_share: float = Field(0.99, gt=0, le=1)
    concentration: float = Field(0.9, gt=0, le=1)
    min_interviews: int = Field(20, ge=1)


class DispositionPattern(_Rule):
    """Refusals and non-contacts per interviewer against the peers' (surveykit.quality.dispositions)."""

    outcomes: tuple[Literal["R", "NC"], ...] = ("R", "NC")
    min_cases: int = Field(10, ge=1)


class QualityRules(_Model):
    """Every threshold of the quality checks; the defaults equal the shipped ``rules.yaml``."""

    schema_version: int = SCHEMA_VERSION
    timezone: str = "Europe/Moscow"
    peers: Peers = Peers()
    too_short: TooShort = TooShort()
    throughput: Throughput = Throughput()
    overlap: Overlap = Overlap()
    outside_hours: OutsideHours = OutsideHours()
    straight_lining: StraightLining = StraightLining()
    filter_avoidance: FilterAvoidance = FilterAvoidance()
    item_nonresponse: ItemNonresponse = ItemNonresponse()
    dont_know: DontKnow = DontKnow()
    near_duplicate: NearDuplicate = NearDuplicate()
    identical_open_answers: IdenticalOpenAnswers = IdenticalOpenAnswers()
    interviewer_effect: InterviewerEffect = InterviewerEffect()
    institution_anomaly: InstitutionAnomaly = InstitutionAnomaly()
    disposition_pattern: DispositionPattern = DispositionPattern()
    _source: str | None = PrivateAttr(None)  # the file the rules came from (for messages)

    @property
    def source(self) -> str | None:
        return self._source

    def enabled(self, rule: str) -> bool:
        return bool(getattr(self, rule).enabled)

    def only(self, *rules: str) -> QualityRules:
        """A copy with only ``rules`` enabled (e.g. the cheap ones for a quick view)."""
        unknown = [r for r in rules if r not in RULE_IDS]
        if unknown:
            raise ConfigError(
                ErrorCode.QUALITY_RULES_INVALID,
                Location(file=self.source),
                rule=unknown[0],
                detail=f"there is no quality rule '{unknown[0]}'{did_you_mean(unknown[0], RULE_IDS)}",
                fix=f"Use one of: {', '.join(RULE_IDS)}.",
            )
        return self.model_copy(
            update={r: getattr(self, r).model_copy(update={"enabled": r in rules}) for r in RULE_IDS}
        )

    def with_changes(self, changes: Mapping[str, Any]) -> QualityRules:
        """A copy with ``changes`` (``{"rule": {"key": value}}`` or ``{"timezone": ...}``), checked like the file."""
        data = self.model_dump(mode="json")
        for key, value in changes.items():
            if isinstance(value, Mapping) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return rules_from_data(data, source=self.source).unwrap()


class RulesLoad:
    """The outcome of reading rules: the rules (``None`` when there are errors) and the report."""

    def __init__(self, rules: QualityRules | None, report: Report) -> None:
        self.rules = rules
        self.report = report

    def unwrap(self) -> QualityRules:
        if self.rules is None or not self.report.ok:
            self.report.raise_if_errors(ConfigError)
            raise ConfigError(  # pragma: no cover - a None result always carries an error
                ErrorCode.QUALITY_RULES_INVALID, rule="(file)", detail="the rules could not be read", fix=""
            )
        return self.rules


def default_rules_path() -> Path:
    """``questionnaires/quality/rules.yaml`` of the configured questionnaires folder."""
    from surveykit.config import settings

    return settings().questionnaires_dir / "quality" / "rules.yaml"


def read_rules(path: str | Path | None = None) -> RulesLoad:
    """Read and check a rules file (default: the shipped one); never raises for a bad file."""
    path = Path(path) if path is not None else default_rules_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    if stamp is None:
        report = Report(subject=str(path))
        read_text(path, report)  # reports the missing file with where relative paths start
        return RulesLoad(None, report)
    return _read_cached(str(path), stamp)


@functools.lru_cache(maxsize=8)
def _read_cached(path: str, stamp: int) -> RulesLoad:
    """A rules file read once per modification time."""
    del stamp  # part of the cache key only
    report = Report(subject=path)
    text = read_text(Path(path), report)
    if text is None:
        return RulesLoad(None, report)
    data, smap, syntax = read_yaml(text, file=path)
    report.extend(syntax)
    if data is None:
        if not report.errors:
            report.add(ErrorCode.FIELD_MISSING, Location(file=path, line=1), field="schema_version")
        return RulesLoad(None, report)
    result = rules_from_data(data, source_map=smap, source=path)
    report.extend(result.report)
    return RulesLoad(result.rules if report.ok else None, report)


def load_rules(path: str | Path | None = None) -> QualityRules:
    """Read and check a rules file; raise :class:`~surveykit.errors.ConfigError` listing every error."""
    return read_rules(path).unwrap()


def rules_from_data(
    data: Any, *, source_map: SourceMap | None = None, source: str | None = None
) -> RulesLoad:
    """Build and check the rules from parsed YAML (or a dict); every problem located when a map is given."""
    smap = source_map or SourceMap(file=source)
    report = Report(subject=source)
    if not isinstance(data, Mapping):
        report.add(
            ErrorCode.QUALITY_RULES_INVALID,
            smap.locate(()),
            rule="(file)",
            detail=f"the rules file must hold a mapping (key: value), found {type(data).__name__}",
            fix="Start from the shipped questionnaires/quality/rules.yaml.",
        )
        return RulesLoad(None, report)
    found = data.get("schema_version")
    where = smap.locate(("schema_version",))
    if found is None:
        report.add(ErrorCode.FIELD_MISSING, smap.locate(()), field="schema_version")
        return RulesLoad(None, report)
    if not isinstance(found, int) or isinstance(found, bool):
        report.add(
            ErrorCode.FIELD_INVALID,
            where,
            field="schema_version",
            detail=f"{found!r} is not a whole number",
            fix=f"Write schema_version: {SCHEMA_VERSION}.",
        )
        return RulesLoad(None, report)
    if found > SCHEMA_VERSION:
        report.add(ErrorCode.SCHEMA_VERSION_TOO_NEW, where, found=found, supported=SCHEMA_VERSION)
        return RulesLoad(None, report)
    if found < SCHEMA_VERSION:
        report.add(ErrorCode.SCHEMA_VERSION_TOO_OLD, where, found=found, supported=SCHEMA_VERSION)
        return RulesLoad(None, report)
    if "kind" in data:  # the file kind (surveykit.filekinds), not a rule
        data = dict(data)
        if not take_kind(data, "qc_rules", smap.locate(("kind",)), report):
            return RulesLoad(None, report)
    try:
        rules = QualityRules.model_validate(data)
        rules._source = source
    except pydantic.ValidationError as err:
        found = _pydantic_problems(err, data, smap)
        report.problems.extend(sorted(found, key=lambda p: p.location.line or 0))  # in file order
        return RulesLoad(None, report)
    _check(rules, smap, report)
    return RulesLoad(rules if report.ok else None, report)


def _check(rules: QualityRules, smap: SourceMap, report: Report) -> None:
    """Checks across fields: the time zone exists, field hours end after they start."""
    try:
        zoneinfo.ZoneInfo(rules.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        report.add(
            ErrorCode.QUALITY_RULES_INVALID,
            smap.locate(("timezone",)),
            rule="timezone",
            detail=f"'{rules.timezone}' is not a time zone"
            + did_you_mean(rules.timezone, sorted(zoneinfo.available_timezones())),
            fix="Write an IANA time zone name, e.g. Europe/Moscow, Asia/Yekaterinburg or Europe/Sofia.",
        )
    hours = rules.outside_hours
    if hours.start >= hours.end:
        report.add(
            ErrorCode.QUALITY_RULES_INVALID,
            smap.locate(("outside_hours", "end")),
            rule="outside_hours",
            detail=f"field hours end at {hours.end:%H:%M}, not after they start at {hours.start:%H:%M}",
            fix="Write start before end within one day, e.g. start: '08:00' and end: '21:00'.",
        )


_FIELD_HINTS = {
    "z": "Write a positive number of standard errors, e.g. z: 2.0.",
    "alpha": "Write a p-value threshold between 0 and 1, e.g. alpha: 0.05.",
    "share_of_median": "Write a share of the median between 0 and 1, e.g. share_of_median: 0.5.",
    "floor": "Write a share of matching items between 0 and 1, e.g. floor: 0.85.",
    "quantile": "Write a quantile between 0 and 1 (exclusive), e.g. quantile: 0.99.",
    "min_share": "Write a share between 0 and 1, e.g. min_share: 0.99.",
    "concentration": "Write a share between 0 and 1, e.g. concentration: 0.9.",
    "block_by": "Write institution or interviewer.",
    "modes": "Write a list of interview modes, e.g. modes: [face_to_face, telephone].",
    "start": "Write a time of day in quotes, e.g. start: '08:00'.",
    "end": "Write a time of day in quotes, e.g. end: '21:00'.",
    "enabled": "Write true or false.",
    "max_deff": "Write a design effect of at least 1, e.g. max_deff: 1.5.",
}


def _pydantic_problems(err: pydantic.ValidationError, data: Any, smap: SourceMap) -> list[Problem]:
    problems = []
    for error in err.errors(include_url=False):
        path = tuple(error["loc"])
        field = str(next((p for p in reversed(path) if isinstance(p, str)), "(document)"))
        if error["type"] == "missing":
            problems.append(Problem.of(ErrorCode.FIELD_MISSING, smap.locate(path[:-1]), field=field))
        elif error["type"] == "extra_forbidden":
            problems.append(
                Problem.of(
                    ErrorCode.FIELD_UNKNOWN,
                    smap.locate(path),
                    field=field,
                    suggestion=did_you_mean(field, _allowed(path[:-1])),
                )
            )
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(
                Problem.of(
                    ErrorCode.FIELD_INVALID,
                    smap.locate(path),
                    field=".".join(str(p) for p in path),
                    detail=f"{message} (found {error.get('input')!r})",
                    fix=_FIELD_HINTS.get(field, "Correct the value (see docs/quality.md, 'Checks')."),
                )
            )
    return problems


def _allowed(path: Sequence[Any]) -> list[str]:
    """Keys allowed at ``path`` (for "did you mean" on an unknown key)."""
    model: Any = QualityRules
    for part in path:
        info = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        model = info.annotation if info is not None else None
    if not hasattr(model, "model_fields"):
        return []
    return list(model.model_fields)
