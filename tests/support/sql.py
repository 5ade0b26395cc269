"""Counts the SQL statements an operation sends, so tests can lock query budgets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class StatementLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return "\n".join(f"{i + 1}. {s}" for i, s in enumerate(self.statements))


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[StatementLog]:
    """Records every statement sent through ``engine`` inside the block (BEGIN/COMMIT excluded)."""
    log = StatementLog()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
            log.statements.append(" ".join(statement.split())[:200])

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield log
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
