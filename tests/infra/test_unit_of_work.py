"""The unit of work: one transaction, effects only after a commit, and write transactions that
cannot fail on SQLite's lock upgrade."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text, update

from edxelera_gql.auth.models import User
from edxelera_gql.db.unit_of_work import UnitOfWork


async def _user(sessionmaker) -> int:
    async with UnitOfWork(sessionmaker) as uow:
        user = User(email="uow@example.com", full_name="Before", password_hash="!")
        uow.session.add(user)
        await uow.session.flush()
        return user.id


async def test_effects_run_after_the_commit_and_never_after_a_rollback(sessionmaker) -> None:
    ran: list[str] = []

    async def effect() -> None:
        ran.append("bumped")

    async with UnitOfWork(sessionmaker) as uow:
        uow.after_commit(effect)
        assert ran == []  # not while the transaction is open
    assert ran == ["bumped"]

    async def refused_unit() -> None:
        async with UnitOfWork(sessionmaker) as uow:
            uow.session.add(User(email="gone@example.com", full_name="Gone", password_hash="!"))
            uow.after_commit(effect)
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        await refused_unit()
    assert ran == ["bumped"]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count(User.id))) == 0


async def test_read_committed_is_asked_for_on_mariadb_only_when_wanted(sessionmaker, is_mysql):
    if not is_mysql:
        pytest.skip("isolation levels are MariaDB's")
    async with UnitOfWork(sessionmaker, read_committed=True) as uow:
        level = await uow.session.scalar(text("SELECT @@tx_isolation"))
    async with UnitOfWork(sessionmaker) as uow:
        default = await uow.session.scalar(text("SELECT @@tx_isolation"))
    assert (level, default) == ("READ-COMMITTED", "REPEATABLE-READ")


async def test_concurrent_read_then_write_units_both_commit_on_sqlite(sessionmaker, is_mysql):
    """A deferred SQLite transaction that read before another writer committed cannot upgrade
    ("database is locked", whatever the busy timeout); write units begin IMMEDIATE instead."""
    if is_mysql:
        pytest.skip("SQLite's locking")
    user_id = await _user(sessionmaker)

    async def read_then_write(name: str) -> None:
        async with UnitOfWork(sessionmaker) as uow:
            await uow.session.scalar(select(User.full_name).where(User.id == user_id))
            await asyncio.sleep(0.05)  # the other unit reads too, then one writes first
            await uow.session.execute(update(User).where(User.id == user_id).values(full_name=name))

    await asyncio.gather(read_then_write("A"), read_then_write("B"))
    async with sessionmaker() as session:
        assert await session.scalar(select(User.full_name)) in ("A", "B")
