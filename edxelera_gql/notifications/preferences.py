"""Reading and changing a learner's email preferences (``notificationPreferences``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.db.outbox import NotificationKind
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.notifications.models import NotificationPreference
from edxelera_gql.notifications.rules import may_opt_out


@dataclass(frozen=True)
class Preference:
    kind: NotificationKind
    enabled: bool
    can_opt_out: bool


async def disabled_kinds(session: AsyncSession, user_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(user, kind) pairs turned off, among ``user_ids``."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    rows = await session.execute(
        select(NotificationPreference.user_id, NotificationPreference.kind).where(
            NotificationPreference.user_id.in_(ids), NotificationPreference.enabled.is_(False)
        )
    )
    return {(user_id, kind) for user_id, kind in rows}


async def _preferences_of(session: AsyncSession, user_id: int) -> list[Preference]:
    off = {kind for _, kind in await disabled_kinds(session, [user_id])}
    return [
        Preference(kind, enabled=kind.value not in off, can_opt_out=may_opt_out(kind))
        for kind in NotificationKind
    ]


async def preferences(
    sessionmaker: async_sessionmaker[AsyncSession], *, viewer: Viewer | None
) -> list[Preference]:
    viewer = require_viewer(viewer)
    async with sessionmaker() as session:
        return await _preferences_of(session, viewer.user_id)


async def update_preferences(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    viewer: Viewer | None,
    changes: list[tuple[NotificationKind, bool]],
    now: datetime,
) -> list[Preference]:
    """Sets each kind on or off (the last word per kind wins). Turning a receipt off is refused
    as a whole (INVALID_INPUT on ``preferences``): nothing is changed."""
    viewer = require_viewer(viewer)
    wanted = dict(changes)
    refused = sorted(k.value for k, on in wanted.items() if not on and not may_opt_out(k))
    if refused:
        raise DomainError(
            Code.INVALID_INPUT,
            "Enrollment confirmations (your receipts) cannot be turned off.",
            field="preferences",
        )
    async with UnitOfWork(sessionmaker) as uow:
        for kind, enabled in sorted(wanted.items()):
            await _upsert(uow.session, viewer.user_id, kind, enabled, now)
        return await _preferences_of(uow.session, viewer.user_id)


async def _upsert(
    session: AsyncSession, user_id: int, kind: NotificationKind, enabled: bool, now: datetime
) -> None:
    values = {
        "user_id": user_id, "kind": kind.value, "enabled": enabled,
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    if session.get_bind().dialect.name in ("mysql", "mariadb"):
        upsert = mysql.insert(NotificationPreference).values(**values)
        await session.execute(upsert.on_duplicate_key_update(enabled=enabled, updated_at=now))
    else:
        await session.execute(
            sqlite.insert(NotificationPreference)
            .values(**values)
            .on_conflict_do_update(
                index_elements=["user_id", "kind"], set_={"enabled": enabled, "updated_at": now}
            )
        )
