"""One import, phase by phase: load, refuse, write in dependency order, then drop cached answers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.catalog.content import ContentRejected, ProgramPlan, load_program
from edxelera_gql.catalog.importer import apply, staff
from edxelera_gql.catalog.importer.diff import foreign_lesson_problems, hls_neighbour_problems
from edxelera_gql.catalog.importer.load import hls_neighbours, load_existing
from edxelera_gql.catalog.importer.report import ImportReport
from edxelera_gql.db import versions as db_versions
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache


async def import_program(session: AsyncSession, plan: ProgramPlan) -> ImportReport:
    """Upserts ``plan`` in the caller's transaction (the caller commits or rolls back).

    Raises ContentRejected when a lesson of the file already belongs to another program.
    The flushes between phases give the next phase the ids it needs; tests count the
    statements, so their number and order are part of the contract.
    """
    report = ImportReport(program_slug=plan.slug)
    rows = await load_existing(session, plan)
    problems = foreign_lesson_problems(plan, rows.lessons.foreign)
    problems += hls_neighbour_problems(plan, await hls_neighbours(session, plan))
    accounts, staff_problems = await staff.staff_accounts(session, plan)
    problems += staff_problems
    if problems:
        raise ContentRejected(problems)

    apply.apply_program(session, plan, rows, report)
    apply.apply_courses(session, plan, rows, report)
    await session.flush()  # ids for the cohort and new courses
    await apply.apply_links(session, plan, rows, report)
    apply.apply_weeks(session, plan, rows, report)
    await session.flush()  # week ids (and the new course links)
    await apply.apply_assignments(session, plan, rows, report)
    await apply.apply_videos(session, plan, rows, report)  # its SELECT autoflushes assignments
    await session.flush()  # video ids
    await apply.apply_lessons(session, plan, rows, report)
    await apply.apply_prerequisites(session, plan, rows, report)
    report.staff_changed = await staff.apply_staff(session, plan, rows.program.id, accounts, report)
    report.cohort_id = rows.program.id
    return report


async def import_program_text(
    sessionmaker: async_sessionmaker[AsyncSession],
    text: str,
    *,
    filename: str = "",
    cache: Cache | None = None,
) -> ImportReport:
    """Parses, validates and imports in one transaction: on any error nothing is written."""
    plan = load_program(text, filename=filename)
    return (await import_plans(sessionmaker, [plan], cache=cache))[0]


async def import_plans(
    sessionmaker: async_sessionmaker[AsyncSession],
    plans: Sequence[ProgramPlan],
    *,
    cache: Cache | None = None,
) -> list[ImportReport]:
    """One transaction per plan, in order; cached answers about a changed program are dropped."""
    reports = []
    for plan in plans:
        async with sessionmaker() as session, session.begin():
            report = await import_program(session, plan)
            if report.changed:  # the database's copy of the version moves with the rows
                await db_versions.bump_rows(session, versions.program_scope(report.cohort_id))
        await _bump_versions(cache, report)
        reports.append(report)
    return reports


async def _bump_versions(cache: Cache | None, report: ImportReport) -> None:
    """After the commit, so a reader that misses the cache recomputes from the new rows."""
    if cache is not None and report.changed:
        await versions.bump(cache, versions.program_scope(report.cohort_id))
