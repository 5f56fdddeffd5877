"""Reports for every institution (and the region) in one run: keeps going past a failure, ends with a summary.

The data are read once: :func:`write_snapshot` saves the frames the reports need (from the store) into a
private temporary file, and every report notebook reads that snapshot instead of the database (the snapshot
time and content hash printed in each report are those of the one read). A report that fails is listed in
the summary with its SK902 message (naming the notebook cell); its partial files are removed; the others
are made. ``progress(done, total, label)`` is called after each report (the CLI shows a bar with it).
"""

from __future__ import annotations

import pickle
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveykit.dashboard import dashboard_data
from surveykit.dashboard.sources import FramesSource, as_source
from surveykit.errors import SurveykitError
from surveykit.i18n import t
from surveykit.reports.render import FORMATS, ReportOutput, render_report
from surveykit.scoring import DEFAULT_PROFILE, load_profile

__all__ = ["BatchSummary", "ReportFailure", "generate_reports", "read_snapshot", "write_snapshot"]

SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class ReportFailure:
    """A report that could not be made: which, and the message (what, where, how to fix)."""

    kind: str
    institution_id: str | None
    name: str
    code: str
    message: str


@dataclass
class BatchSummary:
    """What a batch did: the reports made, the failures, and how long it took."""

    made: list[ReportOutput] = field(default_factory=list)
    failed: list[ReportFailure] = field(default_factory=list)
    seconds: float = 0.0
    out_dir: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failed

    def text(self, language: str = "en") -> str:
        lines = [
            t(
                "report.batch.summary",
                language,
                made=len(self.made),
                failed=len(self.failed),
                seconds=f"{self.seconds:.0f}",
                folder=str(self.out_dir or ""),
            )
        ]
        for failure in self.failed:
            lines.append(
                f"  ✗ {failure.name} ({failure.institution_id or failure.kind}): {failure.code} {failure.message}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 1),
            "made": [
                {
                    "kind": r.kind,
                    "institution_id": r.institution_id,
                    "name": r.name,
                    "files": {k: str(v) for k, v in r.files.items()},
                    "seconds": round(r.total_seconds, 2),
                }
                for r in self.made
            ],
            "failed": [f.__dict__ for f in self.failed],
        }


# --- the data snapshot -----------------------------------------------------------------------------------------------
def write_snapshot(source: Any, path: str | Path, profile: Any = DEFAULT_PROFILE) -> Path:
    """Read everything the reports need from ``source`` (a Store or frames) once and save it to ``path``.

    The file is a pickle meant for this run only (written and read by the same surveykit, in a private
    temporary folder); never load a snapshot from elsewhere."""
    src = as_source(source)
    prof = load_profile(profile) if not hasattr(profile, "criteria") else profile
    # copies: a frame straight from the store can hold pandas internals that do not pickle
    frames: dict[str, Any] = {k: v.copy() for k, v in src.frames(prof.sources).items()}
    frames["institutions"] = src.institutions()
    # reports never say who interviewed: the snapshot carries no interviewer names, and no ids in the plan
    frames["assignments"] = src.assignments().drop(columns=["interviewer_id"], errors="ignore")
    frames["open_answer_reviews"] = src.open_answer_reviews()
    if hasattr(src, "contact_cases"):  # the final outcomes of fieldwork cases: the response rate
        frames["contact_cases"] = src.contact_cases().drop(columns=["interviewer_id"], errors="ignore")
    # questionnaires as plain data (what their YAML holds), rebuilt on reading
    questionnaires = {qid: q.to_data() for qid in prof.sources if (q := src.questionnaire(qid)) is not None}
    snapshot = src.snapshot()
    payload = {
        "version": SNAPSHOT_VERSION,
        "frames": frames,
        "questionnaires": questionnaires,
        "taken_at": snapshot.taken_at,
        "origin": snapshot.origin,
    }
    target = Path(path)
    with target.open("wb") as fh:
        pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return target


def read_snapshot(path: str | Path) -> FramesSource:
    """A source over a snapshot written by :func:`write_snapshot` in this run."""
    with Path(path).open("rb") as fh:
        payload = pickle.load(fh)  # our own file of this run (see write_snapshot), never one from elsewhere
    if payload.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"{path}: snapshot version {payload.get('version')} is not {SNAPSHOT_VERSION}")
    from surveykit.questionnaire.io import questionnaire_from_data

    questionnaires = [questionnaire_from_data(data).unwrap() for data in payload["questionnaires"].values()]
    return FramesSource(
        payload["frames"],
        questionnaires=questionnaires,
        origin=payload["origin"],
        taken_at=payload["taken_at"],
    )


# --- the batch ---------------------------------------------------------------------------------------------------------
def generate_reports(
    institutions: Sequence[str] | str = "all",
    *,
    period: str | None = None,
    language: str = "ru",
    out_dir: str | Path = "data/reports",
    formats: tuple[str, ...] = FORMATS,
    region: bool = True,
    database_url: str = "",
    source: Any = None,
    profile: str = DEFAULT_PROFILE,
    k: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    jobs: int = 1,
) -> BatchSummary:
    """Make the report of each institution (``"all"``: every institution in the data) and, with ``region``,
    the regional report. ``source``: a Store or frames (default: the database at ``database_url`` or the
    settings). ``jobs``: reports made at the same time (each runs its own kernel and browser)."""
    started = time.perf_counter()
    out = Path(out_dir)
    summary = BatchSummary(out_dir=out)
    own_store = None
    if source is None:
        from surveykit.store import Store

        own_store = source = Store.open(database_url or None)
    try:
        with tempfile.TemporaryDirectory(prefix="sk-batch-") as tmp:
            snapshot = write_snapshot(source, Path(tmp) / "snapshot.pickle", profile)
            data = dashboard_data(read_snapshot(snapshot), profile, {"period": period or None}, language, k=k)
            if institutions == "all":
                ids = data.ranking()["institution_id"].tolist()
            else:
                ids = [str(i) for i in ([institutions] if isinstance(institutions, str) else institutions)]
            todo: list[tuple[str, str | None, str]] = [("institution", i, data.name_of(i)) for i in ids]
            if region:
                todo.append(("region", None, t("report.batch.region", language)))

            def make(job: tuple[str, str | None, str]) -> ReportOutput | ReportFailure:
                kind, ident, name = job
                try:
                    return render_report(
                        kind,
                        institution_id=ident,
                        period=data.period,
                        language=language,
                        out_dir=out,
                        formats=formats,
                        snapshot_path=str(snapshot),
                        profile=profile,
                        k=k,
                    )
                except SurveykitError as err:
                    return ReportFailure(kind, ident, name, err.code.code, err.localized(language))

            with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
                futures = {pool.submit(make, job): job for job in todo}
                for done, future in enumerate(as_completed(futures), start=1):
                    outcome = future.result()
                    if isinstance(outcome, ReportFailure):
                        summary.failed.append(outcome)
                    else:
                        summary.made.append(outcome)
                    if progress is not None:
                        progress(done, len(todo), futures[future][2])
    finally:
        if own_store is not None:
            own_store.close()
    summary.seconds = time.perf_counter() - started
    return summary
