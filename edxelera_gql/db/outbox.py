"""The email outbox: one row per (kind, learner, subject), written in the transaction of the
change it reports, sent later by a job (``notifications.sender``).

It lives beside the session machinery, not in a domain: the payment and certificate domains
write rows where their change commits, and the notifications package (above them) scans, renders
and sends. The unique key on (kind, user, subject) is what makes "once per learner and event"
hold; ``add`` never fails on it, so a duplicate cannot spoil the caller's transaction.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    bindparam,
    text,
)
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from edxelera_gql.db.base import Base, IdMixin, TimestampMixin, UTCDateTime

CHUNK = 500  # rows per INSERT
_INSERT_ONE = (
    "INSERT INTO email_outbox (kind, user_id, subject_id, cohort_id, payload, status, attempts, "
    "next_attempt_at_utc, created_at, updated_at) VALUES (:kind, :user_id, :subject_id, "
    ":cohort_id, :payload, :status, :attempts, :next_attempt_at_utc, :created_at, :updated_at) "
)
_TIMES = [bindparam(name, type_=UTCDateTime()) for name in ("next_attempt_at_utc", "created_at")]
_TIMES.append(bindparam("updated_at", type_=UTCDateTime()))
# One row (the common case) as a statement parsed once, not a construct built per call.
_ONE_MYSQL = text(_INSERT_ONE + "ON DUPLICATE KEY UPDATE kind = kind").bindparams(*_TIMES)
_ONE_SQLITE = text(_INSERT_ONE + "ON CONFLICT (kind, user_id, subject_id) DO NOTHING").bindparams(
    *_TIMES
)


class NotificationKind(StrEnum):
    ENROLLMENT_CONFIRMED = "enrollment_confirmed"  # subject: the enrollment id
    WEEK_RELEASED = "week_released"  # subject: the week id
    ASSIGNMENT_DUE = "assignment_due"  # subject: the assignment id
    CERTIFICATE_ISSUED = "certificate_issued"  # subject: the certificate id


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its first try, or for the next after a failure
    SENDING = "sending"  # claimed by a sender until ``claimed_until_utc``
    SENT = "sent"
    SKIPPED = "skipped"  # the learner opted out (or has no address) before it went
    FAILED = "failed"  # refused for good, or out of tries: kept, never silently dropped


class OutboxEmail(IdMixin, TimestampMixin, Base):
    __tablename__ = "email_outbox"
    __table_args__ = (
        UniqueConstraint("kind", "user_id", "subject_id"),
        Index(None, "status", "next_attempt_at_utc"),
        Index(None, "user_id"),
    )

    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    cohort_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # What the template needs beyond the user and the program, fixed when the event happened.
    payload: Mapped[Any] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimed_until_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    recipient: Mapped[str | None] = mapped_column(String(254), nullable=True)
    email_subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)


def outbox_row(
    kind: NotificationKind,
    *,
    user_id: int,
    subject_id: int,
    cohort_id: int | None,
    payload: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "user_id": user_id,
        "subject_id": subject_id,
        "cohort_id": cohort_id,
        "payload": payload,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at_utc": now,
        "created_at": now,
        "updated_at": now,
    }


async def add_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Inserts the rows the unique key has not seen, in the caller's transaction; the others
    are left as they are (a no-op update on MySQL, DO NOTHING on SQLite)."""
    if not rows:
        return
    rows = sorted(rows, key=lambda r: (r["kind"], r["user_id"], r["subject_id"]))  # lock order
    table: Any = OutboxEmail.__table__
    mysql_like = session.get_bind().dialect.name in ("mysql", "mariadb")
    if len(rows) == 1:  # a receipt or a certificate, on a payment's or a completion's path
        params = {**rows[0], "payload": json.dumps(rows[0]["payload"])}
        await session.execute(_ONE_MYSQL if mysql_like else _ONE_SQLITE, params)
        return
    for start in range(0, len(rows), CHUNK):  # a program of thousands: bounded statements
        chunk = rows[start : start + CHUNK]
        if mysql_like:
            upsert = mysql.insert(table).values(chunk)
            await session.execute(upsert.on_duplicate_key_update(kind=table.c.kind))
        else:
            await session.execute(
                sqlite.insert(table)
                .values(chunk)
                .on_conflict_do_nothing(index_elements=["kind", "user_id", "subject_id"])
            )


async def add(
    session: AsyncSession,
    kind: NotificationKind,
    *,
    user_id: int,
    subject_id: int,
    cohort_id: int | None,
    payload: dict[str, Any],
    now: datetime,
) -> None:
    row = outbox_row(
        kind, user_id=user_id, subject_id=subject_id, cohort_id=cohort_id, payload=payload, now=now
    )
    await add_rows(session, [row])
