"""Shared fixtures: one migrated database per run, cleaned after every test that uses it.

Runs on MariaDB + Redis when ``TEST_DATABASE_URL`` / ``REDIS_URL`` are set (CI sets both),
otherwise on a SQLite file and the in-process cache.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pymysql
import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from edxelera_gql.db import migrations
from edxelera_gql.db.engine import create_engine, create_sessionmaker
from edxelera_gql.infra.cache import Cache, create_cache
from edxelera_gql.settings import Settings
from edxelera_gql.tables import metadata
from tests.support.clock import MovableClock

# Fixtures shared by several directories: the loopback Paystack sandbox, the local S3 server and
# the loopback SMTP server.
pytest_plugins = (
    "tests.support.http_client",
    "tests.support.paystack",
    "tests.support.s3",
    "tests.support.smtp",
)

# Reference rows the migrations create; everything else is emptied between tests.
KEEP_TABLES = {"roles"}


def _recreate_mysql_database(url: str) -> None:
    parsed = make_url(url)
    conn = pymysql.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 3306,
        user=parsed.username or "root",
        password=parsed.password or "",
    )
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{parsed.database}`")
            cur.execute(f"CREATE DATABASE `{parsed.database}` CHARACTER SET utf8mb4")
    finally:
        conn.close()


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def database_url(var_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _recreate_mysql_database(url)
    else:
        url = f"sqlite+aiosqlite:///{var_dir / 'test.sqlite3'}"
    migrations.upgrade(url)
    return url


@pytest.fixture(scope="session")
def base_settings(database_url: str, var_dir: Path) -> Settings:
    return Settings(
        app_env="test",
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        var_dir=str(var_dir),
        jwt_secret="test-secret-" + "x" * 40,
    )


@pytest.fixture(scope="session")
def is_mysql(database_url: str) -> bool:
    return database_url.startswith("mysql")


@pytest.fixture(scope="session")
async def engine(base_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(base_settings.database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def clean_db(engine: AsyncEngine) -> AsyncIterator[None]:
    """Empties every table and the Redis test database after the test."""
    yield
    async with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                await conn.execute(delete(table))
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        cache = create_cache(redis_url)
        await cache._client.flushdb()  # type: ignore[attr-defined]
        await cache.close()


@pytest.fixture
def settings(base_settings: Settings, clean_db: None) -> Settings:
    """Test settings; asking for them means the test's data is cleaned up afterwards."""
    return base_settings


@pytest.fixture
def sessionmaker(engine: AsyncEngine, clean_db: None) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def cache(settings: Settings) -> AsyncIterator[Cache]:
    cache = create_cache(settings.redis_url)
    yield cache
    await cache.close()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture(scope="session", autouse=True)
def _no_stray_env() -> Iterator[None]:
    # Tests build Settings explicitly; an operator's APP_ENV must not leak into them.
    saved = os.environ.pop("APP_ENV", None)
    yield
    if saved is not None:
        os.environ["APP_ENV"] = saved


async def table_count(session: AsyncSession, table: str) -> int:
    return (await session.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
