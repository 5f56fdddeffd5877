"""Who may be named as the one deciding: a person of the store, or the operator at the command line.

Status changes of interviews (approve, reject, resubmit), open-answer reviews and certificate status changes
(suspend, revoke, reinstate) are decisions someone answers for: the audit log names them. So the store
refuses (SK540) an actor that is not a person in ``people``, a deactivated person, and no actor at all.
The one exception is :data:`SYSTEM_ACTOR` (``"operator"``, :data:`surveykit.access.OPERATOR`): whoever runs
``surveykit`` at the command line against the database, who holds the data already (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from surveykit.access import OPERATOR
from surveykit.errors import ErrorCode, Location, StoreError, Translated
from surveykit.store.schema import people

__all__ = ["SYSTEM_ACTOR", "require_actor"]

#: the command line's actor (not a row of ``people``)
SYSTEM_ACTOR = OPERATOR.id


def require_actor(conn: Connection, actor: Any, what: str) -> str:
    """``actor`` when it may decide ``what`` (e.g. "approving an interview"); else StoreError SK540."""
    if actor == SYSTEM_ACTOR:
        return actor
    if not isinstance(actor, str) or not actor.strip():
        detail = Translated(en="no actor was given", ru="не указано, кто действует")
        shown = repr(actor)
    else:
        row = conn.execute(select(people.c.id, people.c.active).where(people.c.id == actor)).first()
        if row is not None and row.active:
            return actor
        shown = f"'{actor}'"
        detail = (
            Translated(en="no such person", ru="такого человека нет")
            if row is None
            else Translated(en="the person is deactivated", ru="учётная запись отключена")
        )
    raise StoreError(ErrorCode.ACTOR_UNKNOWN, Location(field="by"), what=what, actor=shown, detail=detail)
