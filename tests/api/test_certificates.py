"""Certificates issued by completions, exactly once each, and the viewer's `certificates`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from edxelera_gql.catalog.models import Course
from edxelera_gql.certificates import numbers
from edxelera_gql.certificates.models import Certificate
from tests.support.learning import (
    CERTIFICATES,
    COMPLETE_LESSON,
    COURSE_PROGRESS,
    PROGRAM_HOME,
    build_program,
    course_lessons,
    fresh,
)
from tests.support.users import create_account, enroll


@pytest.fixture(autouse=True)
def _near_the_start(clock) -> None:
    clock.set(datetime(2027, 2, 26, 12, tzinfo=UTC))


async def _complete(gql, app, account, course: str, lesson: str) -> dict:
    result = await gql(COMPLETE_LESSON, {"course": course, "lesson": lesson}, **fresh(app, account))
    payload = result["data"]["completeLesson"]
    assert payload["errors"] == [], payload
    return payload


async def test_finishing_courses_issues_course_then_program_certificates_once(
    app, gql, sessionmaker, clock, settings
) -> None:
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="cert", courses=2, weeks=2, lessons_per_week=2)
        lessons = {c: await course_lessons(session, p.course(c)) for c in (0, 1)}
    student = await create_account(app, sessionmaker, full_name="Ada Obi")
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(2) + timedelta(hours=1))

    first = await _complete(gql, app, student, p.course(0), lessons[0][0])
    last_of_course = await _complete(gql, app, student, p.course(0), lessons[0][1])
    again = await _complete(gql, app, student, p.course(0), lessons[0][1])
    await _complete(gql, app, student, p.course(1), lessons[1][0])
    last_of_program = await _complete(gql, app, student, p.course(1), lessons[1][1])

    assert first["issuedCertificates"] == []
    (course_cert,) = last_of_course["issuedCertificates"]
    assert course_cert["type"] == "COURSE"
    assert course_cert["status"] == "ISSUED"
    assert course_cert["course"] == {"slug": "cert-c0"}
    assert course_cert["program"] == {"slug": "cert"}
    assert numbers.is_well_formed(course_cert["certificateNumber"])
    assert course_cert["verificationUrl"] == (
        f"{settings.public_base_url}/certificates/verify/{course_cert['certificateNumber']}"
    )
    assert course_cert["issuedAt"] == "2027-03-08T09:00:00.000000Z"
    progress = last_of_course["courseProgress"]
    assert (progress["percentComplete"], progress["completedAt"]) == (
        100.0,
        "2027-03-08T09:00:00.000000Z",
    )
    assert progress["certificate"] == {"certificateNumber": course_cert["certificateNumber"]}
    # Completing again issues nothing new but still shows the certificate.
    assert again["issuedCertificates"] == []
    assert again["courseProgress"]["certificate"] == progress["certificate"]

    issued = last_of_program["issuedCertificates"]
    assert [(c["type"], c["course"]) for c in issued] == [
        ("COURSE", {"slug": "cert-c1"}),
        ("PROGRAM", None),
    ]
    assert issued[1]["program"] == {"slug": "cert"}

    async with sessionmaker() as session:
        rows = (
            await session.scalars(select(Certificate).where(Certificate.user_id == student.user_id))
        ).all()
        course_ids = [
            await session.scalar(select(Course.id).where(Course.slug == p.course(c)))
            for c in (0, 1)
        ]
    uid = student.user_id
    assert sorted(r.scope_key for r in rows) == sorted(
        [f"course:{uid}:{course_ids[0]}", f"course:{uid}:{course_ids[1]}", f"program:{uid}:{p.id}"]
    )
    assert all(r.cohort_id == p.id for r in rows)
    assert len({r.certificate_number for r in rows}) == 3

    home = (await gql(PROGRAM_HOME, {"slug": "cert"}, **fresh(app, student)))["data"]
    assert [c["type"] for c in home["programHome"]["certificates"]] == [
        "COURSE",
        "COURSE",
        "PROGRAM",
    ]
    assert [c["certificate"] is not None for c in home["programHome"]["courses"]] == [True, True]
    course_progress = await gql(COURSE_PROGRESS, {"course": p.course(1)}, **fresh(app, student))
    assert course_progress["data"]["courseProgress"]["certificate"]["type"] == "COURSE"


async def test_certificates_lists_the_viewers_own_newest_first(
    app, gql, sessionmaker, clock
) -> None:
    async with sessionmaker() as session, session.begin():
        a = await build_program(session, slug="a", courses=1, weeks=1, lessons_per_week=1)
        b = await build_program(session, slug="b", courses=1, weeks=1, lessons_per_week=1)
    student = await create_account(app, sessionmaker)
    someone = await create_account(app, sessionmaker)
    for account in (student, someone):
        for p in (a, b):
            await enroll(sessionmaker, user_id=account.user_id, cohort_id=p.id)
    clock.set(a.release(1))
    await _complete(gql, app, student, a.course(0), "w1-l0")
    clock.advance(minutes=1)
    await _complete(gql, app, student, b.course(0), "w1-l0")
    await _complete(gql, app, someone, a.course(0), "w1-l0")

    result = await gql(CERTIFICATES, **fresh(app, student))

    listed = result["data"]["certificates"]
    # A one-course program: its course and program certificates come together.
    assert [(c["type"], c["program"]["slug"]) for c in listed] == [
        ("PROGRAM", "b"),
        ("COURSE", "b"),
        ("PROGRAM", "a"),
        ("COURSE", "a"),
    ]
    assert error_code_of(await gql(CERTIFICATES)) == "UNAUTHENTICATED"
    nobody = await create_account(app, sessionmaker)
    assert (await gql(CERTIFICATES, **fresh(app, nobody)))["data"]["certificates"] == []


def error_code_of(result: dict) -> str:
    return result["errors"][0]["extensions"]["code"]
