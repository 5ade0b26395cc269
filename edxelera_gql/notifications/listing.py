"""``python -m edxelera_gql outbox``: the latest outbox rows, as an operator reads them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.models import User
from edxelera_gql.db.outbox import OutboxEmail


async def outbox_lines(
    sessionmaker: async_sessionmaker[AsyncSession], *, limit: int, status: str | None = None
) -> list[str]:
    """Newest first: when, status, kind, to whom, the subject (once sent) or the last error."""
    query = (
        select(OutboxEmail, User.email)
        .join(User, User.id == OutboxEmail.user_id)
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(OutboxEmail.status == status)
    async with sessionmaker() as session:
        rows = (await session.execute(query)).all()
    lines = []
    for row, email in rows:
        when = (row.sent_at_utc or row.created_at).strftime("%Y-%m-%d %H:%M:%S")
        detail = row.email_subject or (f"error: {row.last_error}" if row.last_error else "")
        lines.append(
            f"{row.id:>6}  {when}Z  {row.status:<8} {row.kind:<21} {email:<32} "
            f"tries={row.attempts}  {detail}".rstrip()
        )
    return lines
