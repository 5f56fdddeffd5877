"""The campaign plan: sample targets per institution from the methodology profile's sample rule, allocated to
interviewers as assignments; assignments from and to files.

**Targets.** Each institution's target is the profile's sample rule applied to its number of service
recipients in the period (``sample:`` of ``questionnaires/methodology/<profile>.yaml``; for the 344н profile
the [R] rule of order 675н as recalled: 40 % of the recipients, at most 600, all of them when there are
fewer, and at least ``absolute_minimum``): :meth:`surveykit.scoring.profile.SampleRule.required`. A person
may override it per institution (``--override kcson_sev=45``; ``kcson_sev=rule`` goes back to the rule);
an override stays until it is changed. An override below the rule's target is allowed with a warning (the
rule is a recommendation [R], not a hard limit). Institutions without a recipient count are not planned
(the rule needs the population) unless they are given an override; they are listed with a warning.

**Allocation.** An institution that already has assignments in the period keeps its interviewers: its target
is split evenly among them (the remainder to the first ones). A new institution gets
``interviewers_per_institution`` interviewers (``questionnaires/fieldwork/rules.yaml``), the largest targets
first: among the interviewers who would not end up with more work than the least-loaded one would after
taking it (balance first), those already working in the same municipality, then in the same region, then
the least loaded (shorter journeys). Running the plan again after a change of the register updates the targets
and leaves the allocation as it is; interviewers are moved with ``surveykit assignments import``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from surveykit.errors import (
    DataImportError,
    ErrorCode,
    Location,
    NotFoundError,
    Problem,
    Severity,
    StoreError,
    Translated,
    did_you_mean,
)

__all__ = ["ASSIGNMENT_COLUMNS", "CampaignPlan", "PlanRow", "assignments_frame", "export_assignments",
           "import_assignments", "parse_overrides", "plan_campaign"]  # fmt: skip

ASSIGNMENT_COLUMNS = ("interviewer_id", "institution_id", "questionnaire_id", "period", "target")
#: columns an export adds for people to read; an import accepts and ignores them
INFORMATIONAL = ("interviewer_name", "institution_name", "done", "remaining")
RULE = "rule"


@dataclass(frozen=True)
class PlanRow:
    """One institution of the plan: its recipients, the rule's target, an override, the target that counts
    and how it is split among interviewers (``(interviewer_id, target)``)."""

    institution_id: str
    name: str
    recipients: int | None
    rule_target: int
    override: int | None
    target: int
    allocation: tuple[tuple[str, int], ...]


@dataclass
class CampaignPlan:
    """What :func:`plan_campaign` planned (and wrote, unless ``dry_run``)."""

    period: str
    questionnaire_id: str
    profile_id: str
    rows: list[PlanRow]
    skipped: list[str] = field(default_factory=list)  # institutions without recipients or override
    warnings: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def total(self) -> int:
        return sum(r.target for r in self.rows)

    def frame(self, names: Mapping[str, str] | None = None) -> pd.DataFrame:
        """One row per institution: recipients, rule target, override, target, interviewers with their share."""
        names = names or {}
        return pd.DataFrame(
            [
                {
                    "institution_id": r.institution_id, "name": r.name,
                    "recipients": r.recipients, "rule_target": r.rule_target, "override": r.override,
                    "target": r.target,
                    "interviewers": ", ".join(f"{names.get(i, i)} ({n})" for i, n in r.allocation),
                }
                for r in self.rows
            ],
            columns=["institution_id", "name", "recipients", "rule_target", "override", "target", "interviewers"],
        ).astype({"recipients": "Int64", "override": "Int64"})  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period, "questionnaire_id": self.questionnaire_id, "profile_id": self.profile_id,
            "written": self.written, "total": self.total, "skipped": list(self.skipped),
            "warnings": [p.to_dict() for p in self.warnings],
            "institutions": [
                {"institution_id": r.institution_id, "recipients": r.recipients, "rule_target": r.rule_target,
                 "override": r.override, "target": r.target,
                 "allocation": [{"interviewer_id": i, "target": n} for i, n in r.allocation]}
                for r in self.rows
            ],
        }  # fmt: skip


def parse_overrides(items: Sequence[str] | Mapping[str, Any] | None) -> dict[str, int | None]:
    """``["kcson_sev=45", "cso_2=rule"]`` → ``{"kcson_sev": 45, "cso_2": None}`` (None: back to the rule);
    SK559 for anything else."""
    if items is None:
        return {}
    pairs = items.items() if isinstance(items, Mapping) else [_split(item) for item in items]
    out: dict[str, int | None] = {}
    for key, value in pairs:
        text = str(value).strip()
        if text.lower() == RULE or text == "":
            out[key] = None
            continue
        try:
            number = int(text)
        except ValueError:
            number = -1
        if number < 0 or (isinstance(value, float) and not value.is_integer()):
            raise StoreError(
                ErrorCode.TARGET_OVERRIDE_INVALID, Location(field="override"), value=f"{key}={value}",
                institution=key, detail="not a whole number of 0 or more",
            )  # fmt: skip
        out[key] = number
    return out


def _split(item: str) -> tuple[str, str]:
    key, sep, value = str(item).partition("=")
    if not sep or not key.strip():
        raise StoreError(
            ErrorCode.TARGET_OVERRIDE_INVALID, Location(field="override"), value=item, institution=key or "?",
            detail="it is not INSTITUTION=NUMBER",
        )  # fmt: skip
    return key.strip(), value.strip()


def _split_target(target: int, n: int) -> list[int]:
    base, extra = divmod(int(target), n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def plan_campaign(
    store: Any,
    period: str,
    *,
    questionnaire_id: str | None = None,
    profile: Any = None,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    interviewers: Sequence[str] | None = None,
    institutions: Sequence[str] | None = None,
    per_institution: int | None = None,
    dry_run: bool = False,
    by: str | None = None,
) -> CampaignPlan:
    """Plan (and store, unless ``dry_run``) the targets and assignments of ``period`` (see the module
    docstring). ``questionnaire_id`` defaults to the profile's respondents source; ``interviewers`` to every
    active person with the role interviewer; ``institutions`` to the register's institutions whose type is rated
    (``institution_types.yaml``: the practice institution is never planned)."""
    from surveykit.fieldwork.config import load_rules
    from surveykit.institution_types import rated_type
    from surveykit.scoring import DEFAULT_PROFILE, load_profile
    from surveykit.store.fieldwork import SampleTarget

    period = str(period).strip()
    if not period:
        raise StoreError(
            ErrorCode.FIELD_INVALID, Location(field="period"), field="period", detail="the period is empty",
            fix="Give the period of the campaign, e.g. --period 2026.",
        )  # fmt: skip
    prof = load_profile(profile or DEFAULT_PROFILE)
    rule = prof.sample
    qid = questionnaire_id or prof.respondents_source
    store.version(qid)  # SK503 when the questionnaire is not published
    per = per_institution or load_rules().allocation.interviewers_per_institution
    register = {i.id: i for i in store.institutions()}
    chosen = list(institutions) if institutions else sorted(i for i in register if rated_type(register[i].type))
    for ident in chosen:
        if ident not in register:
            raise NotFoundError(ErrorCode.NOT_FOUND, entity="institution", key=ident,
                                suggestion=did_you_mean(ident, register))  # fmt: skip
    wanted = parse_overrides(overrides)
    for ident in wanted:
        if ident not in register:
            raise NotFoundError(ErrorCode.NOT_FOUND, Location(field="override"), entity="institution", key=ident,
                                suggestion=did_you_mean(ident, register))  # fmt: skip
    before = {t.institution_id: t for t in store.fieldwork.targets(period=period, questionnaire_id=qid)}
    people = {p.id: p for p in store.people("interviewer") if p.active}
    if interviewers:
        everyone = {p.id: p for p in store.people()}
        for ident in interviewers:
            if ident not in everyone:
                raise NotFoundError(ErrorCode.NOT_FOUND, entity="person", key=ident,
                                    suggestion=did_you_mean(ident, everyone))  # fmt: skip
        people = {ident: everyone[ident] for ident in interviewers}
    existing = [a for a in store.assignments(period=period, questionnaire_id=qid)]
    plan = CampaignPlan(period, qid, prof.id, [])
    targets: dict[str, tuple[int | None, int, int | None, int]] = {}
    for ident in chosen:
        inst = register[ident]
        override = wanted[ident] if ident in wanted else (before[ident].override if ident in before else None)
        if inst.recipients is None and override is None:
            plan.skipped.append(ident)
            continue
        rule_target = rule.required(inst.recipients)
        target = override if override is not None else rule_target
        if override is not None and inst.recipients is not None and override < rule_target:
            plan.warnings.append(Problem.of(
                ErrorCode.TARGET_BELOW_RULE, Location(path=f"override {ident}"), Severity.WARNING,
                institution=inst.name, target=override, rule=rule_target, recipients=inst.recipients,
            ))  # fmt: skip
        targets[ident] = (inst.recipients, rule_target, override, target)
    # allocation: keep the interviewers an institution has; new institutions to the least loaded
    load: dict[str, float] = dict.fromkeys(people, 0.0)
    where: dict[str, set[tuple[str | None, str | None]]] = {p: set() for p in people}
    staffed: dict[str, list[str]] = {}
    for a in sorted(existing, key=lambda a: a.id):
        staffed.setdefault(a.institution_id, []).append(a.interviewer_id)
        if a.institution_id not in targets:  # not re-planned now: its workload still counts
            load[a.interviewer_id] = load.get(a.interviewer_id, 0.0) + a.target
    for ident, (_, _, _, target) in targets.items():
        for person_id, share in zip(
            staffed.get(ident, []), _split_target(target, len(staffed.get(ident, [])) or 1), strict=False
        ):
            load[person_id] = load.get(person_id, 0.0) + share
            inst = register[ident]
            where.setdefault(person_id, set()).add((inst.region, inst.municipality))
    new = [i for i in targets if i not in staffed]
    if new and not people:
        raise StoreError(ErrorCode.CAMPAIGN_NO_INTERVIEWERS, Location(field="interviewers"), period=period)
    # largest targets first, each to the nearest least-loaded interviewers (longest-processing-time rule)
    allocation: dict[str, list[tuple[str, int]]] = {}
    for ident in sorted(new, key=lambda i: (-targets[i][3], i)):
        inst = register[ident]
        shares = _split_target(targets[ident][3], min(per, len(people)))

        picked: list[str] = []
        for share in shares:
            free = [p for p in people if p not in picked]
            lightest = min(load[p] for p in free)
            # balance first: only interviewers who would not end with more than the lightest would
            fair = [p for p in free if load[p] <= lightest + share]

            def rank(person_id: str, inst: Any = inst) -> tuple[int, float, str]:
                places = where.get(person_id, set())
                if (inst.region, inst.municipality) in places:
                    return (0, load[person_id], person_id)
                near = 1 if any(region == inst.region for region, _ in places) else 2
                return (near, load[person_id], person_id)

            picked.append(min(fair, key=rank))
        allocation[ident] = list(zip(picked, shares, strict=True))
        for person_id, share in allocation[ident]:
            load[person_id] += share
            where.setdefault(person_id, set()).add((inst.region, inst.municipality))
    for ident, members in staffed.items():
        if ident in targets:
            allocation[ident] = list(
                zip(members, _split_target(targets[ident][3], len(members)), strict=True)
            )
    for ident in chosen:
        if ident not in targets:
            continue
        recipients, rule_target, override, target = targets[ident]
        plan.rows.append(PlanRow(ident, register[ident].name, recipients, rule_target, override, target,
                                 tuple(allocation.get(ident, ()))))  # fmt: skip
    if dry_run:
        return plan
    store.fieldwork.set_targets(
        [SampleTarget(period, qid, r.institution_id, r.recipients, r.rule_target, r.override, r.target, prof.id)
         for r in plan.rows],
        by=by,
    )  # fmt: skip
    rows = [
        {"interviewer_id": person_id, "institution_id": r.institution_id, "questionnaire_id": qid,
         "period": period, "target": share}
        for r in plan.rows for person_id, share in r.allocation
    ]  # fmt: skip
    store.fieldwork.assign_many(store.directory, rows, by=by)
    plan.written = True
    return plan


# --- assignments from and to files ------------------------------------------------------------------------------
def assignments_frame(store: Any, *, period: str | None = None) -> pd.DataFrame:
    """Assignments in the import format, with names, done and remaining for people to read."""
    progress = store.progress(period=period)
    names = {p.id: p.display_name for p in store.people()}
    institutions = {i.id: i.name for i in store.institutions()}
    frame = pd.DataFrame({
        "interviewer_id": progress["interviewer_id"], "institution_id": progress["institution_id"],
        "questionnaire_id": progress["questionnaire_id"], "period": progress["period"],
        "target": progress["target"].astype("int64"),
        "interviewer_name": [names.get(i, "") for i in progress["interviewer_id"]],
        "institution_name": [institutions.get(i, "") for i in progress["institution_id"]],
        "done": progress["done"].astype("int64"), "remaining": progress["remaining"].astype("int64"),
    })  # fmt: skip
    return frame.reset_index(drop=True)


def export_assignments(store: Any, path: str | Path, *, period: str | None = None) -> tuple[Path, int]:
    """Write the assignments as CSV, XLSX or .sav (the import reads the file back)."""
    from surveykit.fieldwork.files import write_table

    frame = assignments_frame(store, period=period)
    return write_table(frame, path, sheet="assignments"), len(frame)


def import_assignments(store: Any, path: str | Path, *, by: str | None = None) -> int:
    """Create or change assignments from a file (``interviewer_id, institution_id, questionnaire_id, period,
    target``; the export's extra columns are ignored): all or nothing, every bad row reported with its row.
    Returns the number of assignments written."""
    from surveykit.fieldwork.files import read_table

    table = read_table(path, ASSIGNMENT_COLUMNS, INFORMATIONAL, subject="the assignments")
    report = table.report
    people = {p.id for p in store.people()}
    institutions = {i.id for i in store.institutions()}
    questionnaires = {v.questionnaire_id for v in store.versions()}
    rows, seen = [], {}
    for i in range(len(table)):
        values = {c: table.text(i, c) for c in ASSIGNMENT_COLUMNS if c != "target"}
        good = True
        for column, value in values.items():
            if value is None:
                table.problem(i, column, Translated(en=f"{column} is empty", ru=f"{column} не заполнен"),
                              Translated(en="Fill in every column.", ru="Заполните все столбцы."))  # fmt: skip
                good = False
        checks = (("interviewer_id", people, "person"), ("institution_id", institutions, "institution"),
                  ("questionnaire_id", questionnaires, "questionnaire"))  # fmt: skip
        for column, known, entity in checks:
            value = values[column]
            if value is not None and value not in known:
                report.add(ErrorCode.NOT_FOUND, table.where(i, column), entity=entity, key=value,
                           suggestion=did_you_mean(value, sorted(known)))  # fmt: skip
                good = False
        target = table.whole_number(i, "target", what="interviews")
        if target is None:
            if table.text(i, "target") is None:
                table.problem(i, "target", Translated(en="target is empty", ru="target не заполнен"),
                              Translated(en="Give the number of interviews.", ru="Укажите число интервью."))  # fmt: skip
            good = False
        key = tuple(values.values())
        if good and key in seen:
            report.add(ErrorCode.IMPORT_DUPLICATE_KEY, table.where(i, "interviewer_id"), key="assignment",
                       value=" / ".join(map(str, key)), rows=f"{table.rows[seen[key]]}, {table.rows[i]}")  # fmt: skip
            good = False
        if good:
            seen[key] = i
            rows.append({**values, "target": target})
    report.raise_if_errors(DataImportError)
    if not rows:
        raise DataImportError(
            ErrorCode.IMPORT_VALUE_INVALID, Location(file=str(path)),
            detail=Translated(en="the file has no assignments", ru="в файле нет заданий"),
            fix=Translated(en="Add one row per interviewer and institution.",
                           ru="Добавьте по строке на интервьюера и организацию."),
        )  # fmt: skip
    store.fieldwork.assign_many(store.directory, rows, by=by)
    return len(rows)
