"""A unit of work: one session, one transaction, and the effects that must follow its commit.

Every service that writes opens one of these itself, so the boundary of a change is visible in
the service and never in a resolver. Effects registered with ``after_commit`` (cache version
bumps, say) run only once the commit succeeded, so a reader can never cache what was rolled
back; they are skipped when the block fails.

Nothing slow may happen inside the block: no password hashing and no outbound HTTP call, since
the transaction holds a pooled connection and possibly row locks for as long as it is open.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction, async_sessionmaker

from edxelera_gql.db.engine import SQLITE_IMMEDIATE

Effect = Callable[[], Awaitable[None]]


class UnitOfWork:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, read_committed: bool = False
    ) -> None:
        self._sessionmaker = sessionmaker
        self._read_committed = read_committed
        self._effects: list[Effect] = []
        self._session: AsyncSession | None = None
        self._transaction: AsyncSessionTransaction | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def after_commit(self, effect: Effect) -> None:
        self._effects.append(effect)

    async def __aenter__(self) -> UnitOfWork:
        session = self._sessionmaker()
        try:
            self._transaction = await session.begin()
            dialect = session.get_bind().dialect.name
            if self._read_committed and dialect in ("mysql", "mariadb"):
                # Before the first statement (the connection is procured here): reads after
                # waiting for a row lock then see what the previous holder committed
                # (REPEATABLE READ would keep the older snapshot).
                await session.connection(execution_options={"isolation_level": "READ COMMITTED"})
            elif dialect == "sqlite":
                await session.connection(execution_options={SQLITE_IMMEDIATE: True})
        except BaseException:
            await session.close()
            raise
        self._session = session
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._session is not None
        assert self._transaction is not None
        committed = False
        try:
            if exc_type is None:
                await self._transaction.commit()
                committed = True
            else:
                await self._transaction.rollback()
        finally:
            await self._session.close()
        if committed:
            for effect in self._effects:
                await effect()
