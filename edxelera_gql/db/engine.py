"""Async engine and session factory for ``mysql+aiomysql`` and ``sqlite+aiosqlite``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry

from edxelera_gql.infra import metrics


class MeteredPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's async queue pool, counting the checkouts that had to wait for a connection
    (every connection in use and the overflow spent): the sign the pool is too small."""

    def _do_get(self) -> ConnectionPoolEntry:
        # QueuePool's own bookkeeping (the same test its _do_get makes before it waits).
        exhausted = self._max_overflow > -1 and self._overflow >= self._max_overflow
        if not (exhausted and self._pool.empty()):
            return super()._do_get()
        started = time.perf_counter()
        try:
            return super()._do_get()
        finally:
            metrics.pool_waited(time.perf_counter() - started)


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    url = make_url(database_url)
    # A failing statement's trace must not carry its parameters (emails, tokens) into the logs.
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("poolclass", MeteredPool)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        metrics.instrument_pool(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_recycle", 1800)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        kwargs["poolclass"] = MeteredPool
    # UTC session time zone so NOW()-style defaults can never mix with local time.
    connect_args = {"init_command": "SET time_zone = '+00:00'", "charset": "utf8mb4"}
    engine = create_async_engine(url, connect_args=connect_args, **kwargs)
    metrics.instrument_pool(engine)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is disabled so the BEGIN below is ours (SQLAlchemy's
    # documented recipe); WAL lets readers proceed beside the one writer; foreign keys are off
    # by default in SQLite.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Set by ``UnitOfWork`` on SQLite: a write transaction takes the write lock when it begins. A
# deferred one that reads first and writes later cannot upgrade while another reader holds the
# database and fails with "database is locked" despite the busy timeout.
SQLITE_IMMEDIATE = "edx_sqlite_immediate"


def _sqlite_on_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(SQLITE_IMMEDIATE)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
