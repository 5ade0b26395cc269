"""`/metrics` counts certificates when completions issue them and when their PDF is made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.learning import (
    CERTIFICATES,
    COMPLETE_LESSON,
    build_program,
    course_lessons,
    fresh,
)
from tests.support.metrics import scrape
from tests.support.users import create_account, enroll

DOWNLOAD = "query($id: ID!) { certificateDownload(certificateId: $id) { url } }"


async def test_issued_and_rendered_certificates_are_counted(
    app, gql, client, sessionmaker, clock
) -> None:
    clock.set(datetime(2027, 2, 26, 12, tzinfo=UTC))
    async with sessionmaker() as session, session.begin():
        p = await build_program(session, slug="cert", courses=1, weeks=1, lessons_per_week=2)
        lessons = await course_lessons(session, p.course(0))
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=p.id)
    clock.set(p.release(1) + timedelta(hours=1))
    before = await scrape(client)

    for slug in lessons:
        done = await gql(
            COMPLETE_LESSON, {"course": p.course(0), "lesson": slug}, **fresh(app, student)
        )
        assert done["data"]["completeLesson"]["errors"] == []
    [certificate, *_] = (await gql(CERTIFICATES, **fresh(app, student)))["data"]["certificates"]
    url = (await gql(DOWNLOAD, {"id": certificate["id"]}, **fresh(app, student)))["data"]
    assert url["certificateDownload"]["url"]
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    assert moved("edxelera_certificates_issued_total", type="course") == 1
    assert moved("edxelera_certificates_issued_total", type="program") == 1
    assert moved("edxelera_certificates_rendered_total") == 1
