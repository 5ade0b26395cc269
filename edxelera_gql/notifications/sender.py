"""Sending the outbox: claim a batch, send it over one SMTP connection, mark each row.

Safe with several workers: a claim is one transaction that picks due rows (``FOR UPDATE SKIP
LOCKED`` on MariaDB/MySQL, so two claimers never wait on each other) and takes them with a
conditional UPDATE (status still claimable), so a row belongs to one claim token. A worker that
dies mid-batch leaves its rows ``sending`` until the lease ends; then they are claimed again.
SMTP is not transactional: a crash between the relay's "250" and the row's update sends that
one email again on the next claim (with the same Message-ID, so clients can drop it).
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiosmtplib
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.db.outbox import NotificationKind, OutboxEmail, OutboxStatus
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.infra import metrics
from edxelera_gql.notifications import rules
from edxelera_gql.notifications.facts import Recipient, recipients_of
from edxelera_gql.notifications.mailer import Mailer, build_message, message_id
from edxelera_gql.notifications.templates import render

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH = 100


@dataclass
class SendReport:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"sent {self.sent}, skipped {self.skipped}, retried {self.retried}, "
            f"failed {self.failed}"
        )


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxEmail.status == OutboxStatus.PENDING, OutboxEmail.next_attempt_at_utc <= now),
        and_(OutboxEmail.status == OutboxStatus.SENDING, OutboxEmail.claimed_until_utc < now),
    )


async def claim(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime, token: str, limit: int
) -> list[OutboxEmail]:
    """Takes up to ``limit`` due rows for ``token`` (oldest due first) and returns them."""
    async with UnitOfWork(sessionmaker, read_committed=True) as uow:
        session = uow.session
        pick = (
            select(OutboxEmail.id)
            .where(_claimable(now))
            .order_by(OutboxEmail.next_attempt_at_utc, OutboxEmail.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name in ("mysql", "mariadb"):
            pick = pick.with_for_update(skip_locked=True)
        ids = list(await session.scalars(pick))
        if not ids:
            return []
        await session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id.in_(ids), _claimable(now))
            .values(
                status=OutboxStatus.SENDING.value,
                claim_token=token,
                claimed_until_utc=now + LEASE,
                attempts=OutboxEmail.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        rows = await session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.claim_token == token)
            .order_by(OutboxEmail.id)
            .execution_options(populate_existing=True)
        )
        return list(rows)


async def _finish(
    sessionmaker: async_sessionmaker[AsyncSession], row: OutboxEmail, token: str, **values: object
) -> None:
    async with UnitOfWork(sessionmaker) as uow:
        await uow.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == row.id, OutboxEmail.claim_token == token)
            .values(claim_token=None, claimed_until_utc=None, **values)
            .execution_options(synchronize_session=False)
        )


async def _failed(
    sessionmaker: async_sessionmaker[AsyncSession], row: OutboxEmail, token: str,
    error: Exception, now: datetime, report: SendReport, *, permanent: bool = False,
) -> None:  # fmt: skip
    """A failed try: again later with backoff, or for good once refused or out of tries."""
    final = permanent or row.attempts >= rules.MAX_ATTEMPTS
    status = OutboxStatus.FAILED if final else OutboxStatus.PENDING
    metrics.EMAILS_FAILED.labels(row.kind, "failed" if final else "retry").inc()
    if final:
        report.failed += 1
        log.error("email failed for good", extra={"outbox_id": row.id, "error": str(error)})
    else:
        report.retried += 1
        log.warning("email not sent, retrying", extra={"outbox_id": row.id, "error": str(error)})
    report.errors.append(str(error))
    await _finish(
        sessionmaker, row, token, status=status.value, last_error=str(error)[:500],
        next_attempt_at_utc=now + rules.retry_delay(row.attempts), updated_at=now,
    )  # fmt: skip


async def send_pending(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    mailer: Mailer,
    public_base_url: str,
    verify_url_template: str | None,
    now: datetime,
    limit: int = BATCH,
) -> SendReport:
    """One batch: claims due rows, sends them, marks each. SMTP errors never propagate: every
    row ends sent, skipped, failed, or pending again with its next try set."""
    report = SendReport()
    token = secrets.token_hex(16)
    rows = await claim(sessionmaker, now=now, token=token, limit=limit)
    if not rows:
        return report
    async with sessionmaker() as session:
        recipients = await recipients_of(
            session, rows, public_base_url=public_base_url, verify_url_template=verify_url_template
        )
    to_send: list[tuple[OutboxEmail, Recipient]] = []
    for row in rows:
        recipient = recipients.get(row.id)
        if row.attempts > rules.MAX_ATTEMPTS:
            # Claimed again and again by senders that died on it: give up, keep it.
            error = RuntimeError(f"no outcome after {rules.MAX_ATTEMPTS} tries")
            await _failed(sessionmaker, row, token, error, now, report, permanent=True)
        elif recipient is None:  # opted out, no longer enrolled, or the account is gone
            report.skipped += 1
            await _finish(sessionmaker, row, token, status=OutboxStatus.SKIPPED.value,
                          updated_at=now)  # fmt: skip
        else:
            to_send.append((row, recipient))
    if to_send:
        await _deliver(sessionmaker, mailer, to_send, token, now, report)
    return report


def _message(mailer: Mailer, row: OutboxEmail, recipient: Recipient, now: datetime) -> Any:
    rendered = render(recipient.facts)
    message = build_message(
        rendered, sender=mailer.sender, to_name=recipient.facts.full_name,
        to_address=recipient.email, message_id=message_id(row.id, mailer.sender), now=now,
    )  # fmt: skip
    return rendered, message


async def _deliver(
    sessionmaker: async_sessionmaker[AsyncSession], mailer: Mailer,
    to_send: list[tuple[OutboxEmail, Recipient]], token: str, now: datetime, report: SendReport,
) -> None:  # fmt: skip
    # Half the lease: rows not tried by then go back, before another sender may claim them.
    stop_at = time.monotonic() + LEASE.total_seconds() / 2
    done = 0
    try:
        async with mailer.connection() as smtp:
            for row, recipient in to_send:
                if time.monotonic() > stop_at:
                    break
                done += 1
                try:
                    rendered, message = _message(mailer, row, recipient, now)
                    await smtp.send_message(message)
                except aiosmtplib.SMTPRecipientsRefused as exc:
                    await _failed(sessionmaker, row, token, exc, now, report, permanent=True)
                except aiosmtplib.SMTPResponseException as exc:
                    permanent = exc.code >= 500
                    await _failed(sessionmaker, row, token, exc, now, report, permanent=permanent)
                except (ValueError, TypeError) as exc:  # an address or header we cannot write
                    await _failed(sessionmaker, row, token, exc, now, report, permanent=True)
                else:
                    await _finish(
                        sessionmaker, row, token, status=OutboxStatus.SENT.value, sent_at_utc=now,
                        recipient=recipient.email, email_subject=rendered.subject,
                        last_error=None, updated_at=now,
                    )  # fmt: skip
                    metrics.EMAILS_SENT.labels(row.kind).inc()
                    report.sent += 1
    except (aiosmtplib.SMTPException, OSError) as exc:
        # The relay is unreachable or hung up: this row and the rest are tried again later.
        done = max(0, done - 1)
        for row, _ in to_send[done:]:
            await _failed(sessionmaker, row, token, exc, now, report)
        return
    for row, _ in to_send[done:]:  # out of time: back to pending, this try not counted
        await _finish(
            sessionmaker, row, token, status=OutboxStatus.PENDING.value,
            attempts=OutboxEmail.attempts - 1, updated_at=now,
        )  # fmt: skip


__all__ = ["NotificationKind", "SendReport", "claim", "send_pending"]
