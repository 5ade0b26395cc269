"""Cache versions held by the database too, bumped in the same transaction as the change.

Redis holds the versions the caches read on every request (``infra.versions``). When Redis
cannot answer, nothing says whether a writer bumped one, so no copy in Redis or in a process
could be trusted and every request would rebuild everything. The same counters kept in a small
table, incremented inside the writing transaction, say it with certainty: a process may then
keep copies under the database's numbers (one indexed read per request checks them) and serve
them while Redis is down. Values read here carry a ``d`` prefix so they never meet Redis's.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from edxelera_gql.db.base import Base
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache

DB_PREFIX = "d"


class ScopeVersion(Base):
    __tablename__ = "scope_versions"

    scope: Mapped[str] = mapped_column(String(191), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


# One textual statement per dialect, parsed once: writers on hot paths (a payment webhook) pay
# for the round trip, not for building an INSERT construct on every call.
_BUMP = {
    "sqlite": text(
        "INSERT INTO scope_versions (scope, version) VALUES (:scope, 1) "
        "ON CONFLICT (scope) DO UPDATE SET version = version + 1"
    ),
    "mysql": text(
        "INSERT INTO scope_versions (scope, version) VALUES (:scope, 1) "
        "ON DUPLICATE KEY UPDATE version = version + 1"
    ),
}


async def bump_rows(session: AsyncSession, *scopes: str) -> None:
    """Increments each scope's row inside the caller's transaction (sorted: one lock order)."""
    dialect = session.get_bind().dialect.name
    statement = _BUMP["sqlite" if dialect == "sqlite" else "mysql"]
    for scope in sorted(set(scopes)):
        await session.execute(statement, {"scope": scope})


async def bump_in(uow: UnitOfWork, cache: Cache, *scopes: str) -> None:
    """The one way a writer bumps versions: the rows now, in its transaction; Redis after the
    commit (so a reader missing the cache recomputes from the new rows)."""
    await bump_rows(uow.session, *scopes)

    async def after() -> None:
        await versions.bump(cache, *scopes)

    uow.after_commit(after)


async def read(sessionmaker: async_sessionmaker[AsyncSession], *scopes: str) -> dict[str, str]:
    """scope -> its database version (``d0`` when never bumped), in one statement."""
    async with sessionmaker() as session:
        rows = await session.execute(
            select(ScopeVersion.scope, ScopeVersion.version).where(ScopeVersion.scope.in_(scopes))
        )
        found = {scope: version for scope, version in rows}
    return {scope: f"{DB_PREFIX}{found.get(scope, 0)}" for scope in scopes}


def from_database(value: str) -> bool:
    return value.startswith(DB_PREFIX)
