"""Signed-in sessions of the apps: a random token per sign-in, kept by the app (never in the database).

The database keeps only the SHA-256 of the token (``sessions.id``), who signed in, to which app, when, when
the session was last used and its absolute end. A session is live until it is signed out, stays unused for
``session_idle_minutes``, reaches ``session_max_hours`` after sign-in, or its person is deactivated; then
:meth:`Sessions.session` refuses it with SK522 saying why and to sign in again. Using a session moves its
``last_seen_at`` forward, at most once every :data:`TOUCH_INTERVAL` (a write per click would be wasted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from surveykit.errors import AccessDenied, ErrorCode, Location, Translated
from surveykit.store import audit
from surveykit.store.directory import Directory
from surveykit.store.engine import Database
from surveykit.store.records import Person
from surveykit.store.schema import people, sessions, utcnow

__all__ = ["END_REASONS", "TOUCH_INTERVAL", "Session", "Sessions", "token_id"]

#: why a session ended (``sessions.end_reason``)
END_REASONS = ("signed_out", "idle", "expired", "deactivated", "ended_by_admin")
#: ``last_seen_at`` is written at most this often per session
TOUCH_INTERVAL = dt.timedelta(seconds=30)


def token_id(token: str) -> str:
    """The key a session is stored under: the SHA-256 of its token (hex)."""
    return hashlib.sha256(str(token).encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    """A live session: the token (the app keeps it; the database only its hash), who, which app, and when
    it ends: ``expires_at`` (absolute) or ``idle_expires_at`` (no activity), whichever comes first."""

    token: str
    person: Person
    app: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_seen_at: dt.datetime
    idle_timeout: dt.timedelta

    @property
    def idle_expires_at(self) -> dt.datetime:
        """When the session ends if it is not used before."""
        return min(self.last_seen_at + self.idle_timeout, self.expires_at)

    def remaining(self, now: dt.datetime | None = None) -> dt.timedelta:
        """Time left before the session ends (unused from now on)."""
        return max(self.idle_expires_at - (now or utcnow()), dt.timedelta(0))


def _reason(key: str, **params: Any) -> Translated:
    from surveykit.i18n import UI_LANGUAGES, t

    return Translated({language: t(f"session.{key}", language, **params) for language in UI_LANGUAGES})


def _ended(key: str, **params: Any) -> AccessDenied:
    return AccessDenied(ErrorCode.SESSION_ENDED, Location(path="session"), reason=_reason(key, **params))


class Sessions:
    """Start, check and end sessions. ``idle_timeout`` and ``lifetime`` default to the settings
    ``session_idle_minutes`` and ``session_max_hours``."""

    def __init__(
        self,
        db: Database,
        directory: Directory,
        *,
        idle_timeout: dt.timedelta | None = None,
        lifetime: dt.timedelta | None = None,
    ) -> None:
        from surveykit.config import settings

        self.db = db
        self.directory = directory
        self.idle_timeout = idle_timeout or dt.timedelta(minutes=settings().session_idle_minutes)
        self.lifetime = lifetime or dt.timedelta(hours=settings().session_max_hours)

    def start(
        self,
        login: str,
        code: str,
        roles: Sequence[str] = (),
        *,
        app: str = "",
        now: dt.datetime | None = None,
    ) -> Session:
        """Sign in (the rules of :meth:`Directory.authenticate`) and record a new session, in the same
        transaction as the sign-in's audit entry. Returns the session with its token."""
        token = secrets.token_urlsafe(32)
        app = str(app)[:40]
        recorded: dict[str, dt.datetime] = {}

        def record(conn: Connection, person: Person, at: dt.datetime) -> dict[str, Any]:
            expires = at + self.lifetime
            conn.execute(
                insert(sessions).values(
                    id=token_id(token),
                    person_id=person.id,
                    app=app,
                    created_at=at,
                    last_seen_at=at,
                    expires_at=expires,
                )
            )
            recorded.update(created_at=at, expires_at=expires)
            # the session's key is the hash of the token: knowing it does not let anyone in
            return {"session": token_id(token)[:12], "expires_at": expires.isoformat()}

        person = self.directory.authenticate(login, code, roles=roles, app=app, now=now, on_success=record)
        return Session(
            token=token,
            person=person,
            app=app,
            created_at=recorded["created_at"],
            expires_at=recorded["expires_at"],
            last_seen_at=recorded["created_at"],
            idle_timeout=self.idle_timeout,
        )

    def session(self, token: str, *, now: dt.datetime | None = None) -> Session:
        """The live session of ``token`` (its ``last_seen_at`` moved forward), or SK522 saying why not."""
        now = now or utcnow()
        key = token_id(token)
        with self.db.read() as conn:
            found = conn.execute(
                select(
                    people,
                    sessions.c.app,
                    sessions.c.created_at.label("session_created_at"),
                    sessions.c.last_seen_at,
                    sessions.c.expires_at,
                    sessions.c.ended_at,
                    sessions.c.end_reason,
                )
                .join(people, people.c.id == sessions.c.person_id)
                .where(sessions.c.id == key)
            ).first()
        if found is None:
            raise _ended("unknown")
        row = found._mapping
        if row["ended_at"] is not None:
            raise _ended(row["end_reason"] or "signed_out")
        ending = None
        if not row["active"]:
            ending = "deactivated"
        elif now >= row["expires_at"]:
            ending = "expired"
        elif now >= row["last_seen_at"] + self.idle_timeout:
            ending = "idle"
        if ending is not None:
            self._end(key, ending, now, actor=None)
            minutes = round(self.idle_timeout.total_seconds() / 60)
            hours = round(self.lifetime.total_seconds() / 3600)
            raise _ended(ending, minutes=minutes, hours=hours)
        last_seen = row["last_seen_at"]
        if now - last_seen >= TOUCH_INTERVAL:
            self._touch(key, now)
            last_seen = now
        return Session(
            token=token,
            person=Person.from_row(found),
            app=row["app"],
            created_at=row["session_created_at"],
            expires_at=row["expires_at"],
            last_seen_at=last_seen,
            idle_timeout=self.idle_timeout,
        )

    def end(self, token: str, reason: str = "signed_out", *, by: str | None = None) -> None:
        """End a session (sign out). Ending an unknown or already ended session changes nothing."""
        if reason not in END_REASONS:
            raise ValueError(f"unknown end reason {reason!r}; use one of {END_REASONS}")
        self._end(token_id(token), reason, utcnow(), actor=by, own=by is None)

    def _touch(self, key: str, now: dt.datetime) -> None:
        def work(conn: Connection) -> None:
            conn.execute(
                update(sessions)
                .where(sessions.c.id == key, sessions.c.ended_at.is_(None))
                .values(last_seen_at=now)
            )

        self.db.write(work)

    def _end(self, key: str, reason: str, now: dt.datetime, *, actor: str | None, own: bool = False) -> None:
        def work(conn: Connection) -> None:
            row = conn.execute(
                select(sessions.c.person_id, sessions.c.app).where(
                    sessions.c.id == key, sessions.c.ended_at.is_(None)
                )
            ).first()
            if row is None:
                return
            conn.execute(update(sessions).where(sessions.c.id == key).values(ended_at=now, end_reason=reason))
            audit.record(
                conn,
                actor=row.person_id if own else actor,
                action="sign_out" if reason == "signed_out" else "session_end",
                entity="person",
                entity_id=row.person_id,
                details={"reason": reason, "app": row.app, "session": key[:12]},
                at=now,
            )

        self.db.write(work)

    def active(self, person_id: str | None = None, *, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Open sessions (not ended, not past their limits) for the admin app: person, app, times."""
        now = now or utcnow()
        query = select(sessions).where(sessions.c.ended_at.is_(None), sessions.c.expires_at > now)
        if person_id is not None:
            query = query.where(sessions.c.person_id == person_id)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(sessions.c.created_at)).all()
        return [
            {
                "person_id": r.person_id,
                "app": r.app,
                "created_at": r.created_at,
                "last_seen_at": r.last_seen_at,
                "expires_at": r.expires_at,
            }
            for r in rows
            if r.last_seen_at + self.idle_timeout > now
        ]
