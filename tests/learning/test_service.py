"""The learning service on the real database: one transaction, content that changes later,
certificate numbers that collide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from edxelera_gql.auth.models import User
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.models import CohortCourse, Course, Lesson, Week
from edxelera_gql.certificates import issuance
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.learning import completion, views
from edxelera_gql.learning.models import CourseProgress, LessonProgress
from edxelera_gql.learning.read_models import Completion
from tests.support.learning import build_program, course_lessons, lesson
from tests.support.users import enroll

NOW = datetime(2027, 3, 20, 12, tzinfo=UTC)


async def _student(sessionmaker, cohort_id: int) -> Viewer:
    async with sessionmaker() as session, session.begin():
        user = User(email=f"s{cohort_id}@example.com", full_name="S", password_hash="!")
        session.add(user)
    await enroll(sessionmaker, user_id=user.id, cohort_id=cohort_id)
    return Viewer(user_id=user.id, roles=frozenset({"student"}))


async def _complete(
    sessionmaker, cache, viewer: Viewer, course: str, lesson_slug: str, now=NOW
) -> Completion:
    # complete_lesson opens its own unit of work, as a request does.
    return await completion.complete_lesson(
        sessionmaker,
        cache=cache,
        viewer=viewer,
        course_slug=course,
        lesson_slug=lesson_slug,
        now=now,
    )


async def _count(sessionmaker, model) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_progress_is_written_in_the_completions_transaction(
    sessionmaker, cache, monkeypatch
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="atomic", courses=1, weeks=1, lessons_per_week=1)
    viewer = await _student(sessionmaker, p.id)

    class Abort(Exception):
        pass

    issued: list[str] = []
    real_issue_once = issuance.issue_once

    async def issue_and_note(session, **kwargs):
        certificate = await real_issue_once(session, **kwargs)
        if certificate is not None:
            issued.append(certificate.type)
        return certificate

    def fail(*_args, **_kwargs):
        raise Abort  # a failure after the work (building the answer): everything must go

    monkeypatch.setattr(issuance, "issue_once", issue_and_note)
    monkeypatch.setattr(issuance, "certificate_facts", fail)

    with pytest.raises(Abort):
        await _complete(sessionmaker, cache, viewer, p.course(0), "w1-l0")
    assert issued == ["course", "program"]  # both certificates, in that same transaction

    for model in (LessonProgress, CourseProgress, Certificate):
        assert await _count(sessionmaker, model) == 0


async def test_lessons_added_later_reopen_the_course_but_keep_its_certificate(
    sessionmaker, cache
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="grow", courses=1, weeks=1, lessons_per_week=2)
    viewer = await _student(sessionmaker, p.id)
    for slug in ("w1-l0", "w1-l1"):
        done = await _complete(sessionmaker, cache, viewer, p.course(0), slug)
    assert isinstance(done, Completion)
    assert done.progress.completed_at == NOW

    async with sessionmaker() as session, session.begin():
        existing = await lesson(session, p.course(0), "w1-l0")
        session.add(
            Lesson(
                course_id=existing.course_id,
                week_id=existing.week_id,
                slug="w1-extra",
                title="Extra",
                description="",
                sort_order=9,
                duration_seconds=60,
            )
        )
    async with sessionmaker() as session:
        progress = await views.load_course_progress(session, course_slug=p.course(0), viewer=viewer)
    assert (progress.progress.completed_lessons, progress.progress.total_lessons) == (2, 3)
    assert progress.progress.percent_complete == Decimal("66.67")
    assert progress.progress.completed_at is None
    assert progress.certificate is not None  # issued once, not taken back

    later = NOW + timedelta(hours=1)
    finished = await _complete(sessionmaker, cache, viewer, p.course(0), "w1-extra", now=later)
    assert isinstance(finished, Completion)
    assert finished.issued == ()  # the course certificate exists already
    assert finished.progress.completed_at == later
    async with sessionmaker() as session:
        stored = await session.scalar(select(CourseProgress))
    assert stored is not None
    assert (stored.completed_lessons, stored.total_lessons, stored.percent_complete) == (
        3,
        3,
        Decimal("100.00"),
    )


async def test_a_course_without_lessons_does_not_block_the_program_certificate(
    sessionmaker, cache
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="hollow", courses=1, weeks=1, lessons_per_week=1)
        empty = Course(slug="hollow-empty", title="Empty", description="")
        session.add(empty)
        await session.flush()
        session.add(CohortCourse(cohort_id=p.id, course_id=empty.id, sort_order=5))
    viewer = await _student(sessionmaker, p.id)
    done = await _complete(sessionmaker, cache, viewer, p.course(0), "w1-l0")
    assert isinstance(done, Completion)
    assert sorted(c.type for c in done.issued) == ["course", "program"]


async def test_the_program_certificate_waits_for_every_course(sessionmaker, cache) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="wait", courses=2, weeks=1, lessons_per_week=2)
        # A lesson of course 1 in a later week, so the program is not done after week 1.
        week = Week(cohort_id=p.id, week_number=2, title="W2", release_at_utc=p.release(2))
        session.add(week)
        await session.flush()
        c1 = await lesson(session, p.course(1), "w1-l1")
        session.add(
            Lesson(
                course_id=c1.course_id,
                week_id=week.id,
                slug="late",
                title="Late",
                description="",
                sort_order=0,
                duration_seconds=1,
            )
        )
    viewer = await _student(sessionmaker, p.id)
    first = await _complete(sessionmaker, cache, viewer, p.course(0), "w1-l0")
    second = await _complete(sessionmaker, cache, viewer, p.course(1), "w1-l1")
    assert isinstance(first, Completion)
    assert isinstance(second, Completion)
    assert [c.type for c in first.issued] == ["course"]
    assert second.issued == ()
    last = await _complete(sessionmaker, cache, viewer, p.course(1), "late")
    assert isinstance(last, Completion)
    assert [c.type for c in last.issued] == ["course", "program"]


async def test_a_colliding_certificate_number_is_drawn_again(
    sessionmaker, cache, monkeypatch
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="clash", courses=2, weeks=1, lessons_per_week=2)
        slugs = [await course_lessons(session, p.course(c)) for c in (0, 1)]
    viewer = await _student(sessionmaker, p.id)
    first = await _complete(sessionmaker, cache, viewer, p.course(0), slugs[0][0])
    assert isinstance(first, Completion)
    (taken,) = [c.number for c in first.issued]

    # The course certificate's first draw is taken; the program certificate's first draw is the
    # number the course certificate just got, in the same transaction.
    draws = iter([taken, "EDX-0000-0000-0001", "EDX-0000-0000-0001", "EDX-0000-0000-0002"])
    monkeypatch.setattr(issuance, "new_certificate_number", lambda: next(draws))
    second = await _complete(sessionmaker, cache, viewer, p.course(1), slugs[1][0])

    assert isinstance(second, Completion)
    assert [(c.type, c.number) for c in second.issued] == [
        ("course", "EDX-0000-0000-0001"),
        ("program", "EDX-0000-0000-0002"),
    ]
    async with sessionmaker() as session:
        numbers = list(await session.scalars(select(Certificate.certificate_number)))
    assert len(numbers) == len(set(numbers))


async def test_issue_once_answers_none_for_an_existing_scope(sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="dup", courses=1, weeks=1, lessons_per_week=1)
        course_id = (await lesson(session, p.course(0), "w1-l0")).course_id
    viewer = await _student(sessionmaker, p.id)
    async with sessionmaker() as session, session.begin():
        issued = await issuance.issue_once(
            session, user_id=viewer.user_id, cohort_id=p.id, course_id=course_id, now=NOW
        )
        again = await issuance.issue_once(
            session, user_id=viewer.user_id, cohort_id=p.id, course_id=course_id, now=NOW
        )
    assert issued is not None
    assert issued.scope_key == f"course:{viewer.user_id}:{course_id}"
    assert again is None
    assert await _count(sessionmaker, Certificate) == 1
