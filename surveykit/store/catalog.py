"""Published questionnaire versions: frozen JSON plus content hash; an interview points at exactly one.

Publishing the same id and version again with the same content does nothing (idempotent); with different
content it is refused (SK504): a published version never changes, a new version number is needed.
"""

from __future__ import annotations

import functools
import json
import threading
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import Connection

from surveykit.errors import ConflictError, ErrorCode, NotFoundError, did_you_mean
from surveykit.store import audit
from surveykit.store.engine import Database
from surveykit.store.records import PublishedVersion
from surveykit.store.schema import questionnaire_versions as qv
from surveykit.store.schema import utcnow

if TYPE_CHECKING:
    from surveykit.questionnaire.compiled import Form
    from surveykit.questionnaire.model import Questionnaire

__all__ = ["Catalog", "parse_key"]

_COLUMNS = [
    qv.c.id,
    qv.c.questionnaire_id,
    qv.c.version,
    qv.c.content_hash,
    qv.c.published_at,
    qv.c.published_by,
]


def parse_key(key: str) -> tuple[str, str | None]:
    """``"recipient_survey@2026.1"`` -> ``("recipient_survey", "2026.1")``; without ``@`` the version is None."""
    questionnaire_id, _, version = key.partition("@")
    return questionnaire_id.strip(), (version.strip() or None)


_LATEST = select(*_COLUMNS).where(qv.c.questionnaire_id == bindparam("qid")).order_by(qv.c.id.desc()).limit(1)
_EXACT = select(*_COLUMNS).where(
    qv.c.questionnaire_id == bindparam("qid"), qv.c.version == bindparam("version")
)


@functools.lru_cache(maxsize=64)
def _cached(content_hash: str, definition_json: str) -> Questionnaire:
    from surveykit.questionnaire.model import Questionnaire  # pydantic models: on first use

    definition = json.loads(definition_json)
    return Questionnaire.model_validate(
        definition, context={"default_language": definition.get("default_language")}
    )


def _by_hash(content_hash: str, definition: Any) -> Questionnaire:
    """The questionnaire of a published definition, shared by every store of the process: a published version
    never changes, so its content hash names it (and its compiled form) for good."""
    return _cached(content_hash, json.dumps(definition, sort_keys=True, ensure_ascii=False))


class Catalog:
    """Publishing and finding questionnaire versions; compiled forms are cached per version."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._questionnaires: dict[int, Questionnaire] = {}
        self._lock = threading.Lock()

    def publish(self, questionnaire: Questionnaire, *, by: str | None = None) -> PublishedVersion:
        from surveykit.questionnaire.compiled import compile_form

        compile_form(questionnaire)  # a questionnaire that cannot be compiled is never published
        definition = questionnaire.to_data()
        digest = questionnaire.content_hash

        def work(conn: Connection) -> PublishedVersion:
            existing = conn.execute(
                select(*_COLUMNS).where(
                    qv.c.questionnaire_id == questionnaire.id, qv.c.version == questionnaire.version
                )
            ).first()
            if existing is not None:
                if existing.content_hash != digest:
                    raise ConflictError(
                        ErrorCode.VERSION_FROZEN,
                        questionnaire=questionnaire.id,
                        version=questionnaire.version,
                    )
                return PublishedVersion.from_row(existing)
            now = utcnow()
            new_id = conn.execute(
                insert(qv)
                .values(
                    questionnaire_id=questionnaire.id,
                    version=questionnaire.version,
                    content_hash=digest,
                    definition=definition,
                    published_at=now,
                    published_by=by,
                )
                .returning(qv.c.id)
            ).scalar_one()
            audit.record(
                conn,
                actor=by,
                action="publish",
                entity="questionnaire_version",
                entity_id=questionnaire.key,
                details={"content_hash": digest, "id": new_id},
                at=now,
            )
            return PublishedVersion(new_id, questionnaire.id, questionnaire.version, digest, now, by)

        return self.db.write(work, retry_integrity=True)

    def version(
        self, questionnaire_id: str, version: str | None = None, *, conn: Connection | None = None
    ) -> PublishedVersion:
        """A published version; the latest published one when ``version`` is None. SK503 if unknown."""
        query, params = (
            (_LATEST, {"qid": questionnaire_id})
            if version is None
            else (_EXACT, {"qid": questionnaire_id, "version": version})
        )
        if conn is None:
            with self.db.read() as c:
                row = c.execute(query, params).first()
        else:
            row = conn.execute(query, params).first()
        if row is None:
            key = questionnaire_id if version is None else f"{questionnaire_id}@{version}"
            known = [v.key for v in self.versions()] + [v.questionnaire_id for v in self.versions()]
            raise NotFoundError(
                ErrorCode.NOT_FOUND,
                entity="questionnaire version",
                key=key,
                suggestion=did_you_mean(key, known) or (" (nothing is published yet)" if not known else ""),
            )
        return PublishedVersion.from_row(row)

    def by_id(self, version_id: int) -> PublishedVersion:
        with self.db.read() as conn:
            row = conn.execute(select(*_COLUMNS).where(qv.c.id == version_id)).first()
        if row is None:
            raise NotFoundError(
                ErrorCode.NOT_FOUND, entity="questionnaire version", key=str(version_id), suggestion=""
            )
        return PublishedVersion.from_row(row)

    def versions(self, questionnaire_id: str | None = None) -> list[PublishedVersion]:
        """Published versions, oldest first."""
        query = select(*_COLUMNS).order_by(qv.c.id)
        if questionnaire_id is not None:
            query = query.where(qv.c.questionnaire_id == questionnaire_id)
        with self.db.read() as conn:
            return [PublishedVersion.from_row(r) for r in conn.execute(query)]

    def questionnaire(self, version_id: int) -> Questionnaire:
        """The questionnaire exactly as published (cached)."""
        with self._lock:
            cached = self._questionnaires.get(version_id)
        if cached is not None:
            return cached
        with self.db.read() as conn:
            row = conn.execute(
                select(qv.c.definition, qv.c.content_hash).where(qv.c.id == version_id)
            ).first()
        if row is None:
            raise NotFoundError(
                ErrorCode.NOT_FOUND, entity="questionnaire version", key=str(version_id), suggestion=""
            )
        questionnaire = _by_hash(row.content_hash, row.definition)
        with self._lock:
            self._questionnaires[version_id] = questionnaire
        return questionnaire

    def form(self, version_id: int) -> Form:
        """The compiled form of a published version (cached with its questionnaire)."""
        from surveykit.questionnaire.compiled import compile_form  # the expression engine: on first use

        return compile_form(self.questionnaire(version_id))
