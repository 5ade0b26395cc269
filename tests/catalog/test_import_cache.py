"""A content import drops cached answers about the program, and only when something changed."""

from __future__ import annotations

from pathlib import Path

from edxelera_gql.catalog.importer import import_program_text
from edxelera_gql.infra import versions

EXAMPLE = (Path(__file__).parent / "data" / "example.yaml").read_text()


async def test_import_bumps_the_program_version_only_on_change(sessionmaker, cache) -> None:
    report = await import_program_text(sessionmaker, EXAMPLE, filename="x.yaml", cache=cache)
    scope = versions.program_scope(report.cohort_id)
    first = await versions.current(cache, scope)
    assert first != "0"

    await import_program_text(sessionmaker, EXAMPLE, filename="x.yaml", cache=cache)
    assert await versions.current(cache, scope) == first

    edited = EXAMPLE.replace("Getting started", "Getting started, revised")
    await import_program_text(sessionmaker, edited, filename="x.yaml", cache=cache)
    assert await versions.current(cache, scope) != first
