"""The audit log: one row per staff change (actor, action, target, time, before and after).

It lives beside the session machinery, as the outbox does: every domain's staff mutation writes
its row in the transaction of the change it records, so a change and its record commit (or roll
back) together. Summaries are small JSON objects of the fields that changed, never secrets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from edxelera_gql.db.base import Base, IdMixin, UTCDateTime


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_events"
    # Read newest first per program, paged by id.
    __table_args__ = (Index(None, "cohort_id", "id"),)

    cohort_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    actor_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(64))  # e.g. "enrollment.suspend"
    target_type: Mapped[str] = mapped_column(String(32))  # e.g. "Enrollment"
    target_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    before: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    after: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    at_utc: Mapped[datetime] = mapped_column(UTCDateTime())


def record(
    session: AsyncSession,
    *,
    actor_id: int,
    action: str,
    target_type: str,
    target_id: int | None,
    cohort_id: int | None,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Adds the row to the caller's transaction (flushed with the change it records)."""
    event = AuditEvent(
        cohort_id=cohort_id,
        actor_user_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
        reason=reason,
        at_utc=at,
    )
    session.add(event)
    return event
