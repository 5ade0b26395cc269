"""Reading the audit log of one program: newest first, paged by id (the row's own order)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.models import User
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.db.audit import AuditEvent
from edxelera_gql.staff.programs import staff_program


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # JSON of the value; None when the field was absent
    after: str | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    actor_id: int
    actor_name: str | None
    action: str
    target_type: str
    target_id: int | None
    at: datetime
    reason: str | None
    changes: tuple[Change, ...]


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Change, ...]:
    """The fields either side names, in the order they were recorded, each as JSON."""
    before, after = before or {}, after or {}
    fields = list(dict.fromkeys([*before, *after]))

    def encoded(side: dict[str, Any], name: str) -> str | None:
        return json.dumps(side[name], sort_keys=True, default=str) if name in side else None

    return tuple(Change(f, encoded(before, f), encoded(after, f)) for f in fields)


async def audit_entries(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    viewer: Viewer | None,
    program_slug: str,
    limit: int,
    before_id: int | None,
) -> list[AuditEntry]:
    """For admins and the program's instructors; two statements (the program, the page)."""
    async with sessionmaker() as session:
        _, program = await staff_program(session, viewer, program_slug, right="author")
        return await _page(session, program.id, limit, before_id)


async def _page(
    session: AsyncSession, cohort_id: int, limit: int, before_id: int | None
) -> list[AuditEntry]:
    query = (
        select(AuditEvent, User.full_name)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(AuditEvent.cohort_id == cohort_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return [
        AuditEntry(
            id=event.id,
            actor_id=event.actor_user_id,
            actor_name=name,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            at=event.at_utc,
            reason=event.reason,
            changes=changes(event.before, event.after),
        )
        for event, name in await session.execute(query)
    ]
