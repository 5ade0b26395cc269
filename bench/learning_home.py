"""programHome latency and SQL statements, cold and warm, through the whole app (not part of
the test suite).

Usage: DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/learning_home.py [N]
Uses the scratch database DATABASE_URL (migrated here). Imports a program of 6 courses x 12
weeks x 8 lessons (prerequisites, assignments, live sessions), enrolls a student who has
completed 20 lessons, then asks programHome N times warm and N times cold ("cold": the
viewer's cache version is bumped before each request, as a completion does; the viewer
itself stays cached, as it does between a student's requests).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event

from edxelera_gql.app import create_app
from edxelera_gql.catalog.importer import import_program_text
from edxelera_gql.db import migrations
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.infra import versions
from edxelera_gql.settings import Settings

COURSES, WEEKS, LESSONS = 6, 12, 8

SIGN_UP = (
    "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } errors { code } } }"
)
COMPLETE = """mutation($c: String!, $l: String!) {
  completeLesson(input: { courseSlug: $c, lessonSlug: $l }) { errors { code } } }"""
HOME = """query($s: String!) { programHome(programSlug: $s) {
  program { slug title courses { slug }
            weeks { number isReleased lessonCount completedLessonCount } }
  enrollment { status }
  courses { course { slug } completedLessons totalLessons percentComplete completedAt
            certificate { certificateNumber } }
  weeks { number title releaseAt isReleased assignmentDeadline lessonCount completedLessonCount }
  currentWeek { number }
  nextLesson { slug title status course { slug } missingPrerequisites { slug } }
  nextDeadline { title deadline isPastDeadline }
  nextLiveSession { title startAt url status }
  certificates { certificateNumber type verificationUrl }
} }"""


def program_document(slug: str, start: datetime) -> str:
    iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    courses = [f"{slug}-c{i}" for i in range(COURSES)]
    weeks = []
    for n in range(1, WEEKS + 1):
        release = start + timedelta(weeks=n - 1)
        lessons = []
        for j in range(LESSONS):
            lesson: dict[str, Any] = {
                "course": courses[j % COURSES],
                "slug": f"w{n}-l{j}",
                "title": f"Lesson {n}.{j}",
                "description": "A lesson.",
                "durationSeconds": 600,
            }
            if j >= COURSES:  # the second lesson of a course in a week needs the first
                lesson["prerequisites"] = [f"w{n}-l{j - COURSES}"]
            lessons.append(lesson)
        weeks.append(
            {
                "number": n,
                "title": f"Week {n}",
                "assignment": {
                    "title": f"Assignment {n}",
                    "instructions": "Do it.",
                    "submissionType": "url",
                },
                "liveSession": {
                    "title": f"Live {n}",
                    "startAt": iso(release + timedelta(days=2)),
                    "endAt": iso(release + timedelta(days=2, hours=1)),
                    "url": "https://meet.example.com/x",
                },
                "lessons": lessons,
            }
        )
    return json.dumps(
        {
            "program": {
                "slug": slug,
                "title": "Bench program",
                "description": "",
                "timezone": "Africa/Lagos",
                "startAt": iso(start),
                "endAt": iso(start + timedelta(weeks=WEEKS + 1)),
                "priceMinor": 0,
                "currency": "NGN",
                "published": True,
            },
            "courses": [{"slug": c, "title": c, "description": ""} for c in courses],
            "weeks": weeks,
        }
    )


def summary(label: str, samples: list[float], statements: list[int]) -> None:
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    counts = sorted(set(statements))
    print(
        f"{label:<22} p50 {statistics.median(samples):6.2f} ms  p95 {p95:6.2f} ms  "
        f"SQL statements per request {counts}"
    )


async def main(n: int) -> None:
    settings = Settings.from_env().with_overrides(app_env="test")
    app = create_app(settings, setup_logging=False)
    suffix = str(time.time_ns())
    slug = f"bench-{suffix}"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)  # weeks 1-3 are out
    async with app.router.lifespan_context(app):
        state = app.state
        report = await import_program_text(
            state.sessionmaker, program_document(slug, start), cache=state.cache
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def gql(query: str, variables: dict[str, Any], **headers: str) -> dict:
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                return response.json()

            signed_up = await gql(
                SIGN_UP,
                {
                    "i": {
                        "email": f"bench-{suffix}@example.com",
                        "password": "correct horse battery",
                        "fullName": "Bench Student",
                    }
                },
            )
            token = signed_up["data"]["signUp"]["accessToken"]
            user_id = int(signed_up["data"]["signUp"]["user"]["id"])
            headers = {"Authorization": f"Bearer {token}"}
            async with state.sessionmaker() as session, session.begin():
                session.add(
                    Enrollment(
                        user_id=user_id,
                        cohort_id=report.cohort_id,
                        status="active",
                        source="free",
                        enrolled_at_utc=datetime.now(UTC),
                    )
                )
            done = 0
            for week in range(1, 4):
                for j in range(LESSONS):
                    if done == 20:
                        break
                    course = f"{slug}-c{j % COURSES}"
                    result = await gql(COMPLETE, {"c": course, "l": f"w{week}-l{j}"}, **headers)
                    assert result["data"]["completeLesson"]["errors"] == [], result
                    done += 1

            statements: list[int] = []
            event.listen(
                state.engine.sync_engine,
                "before_cursor_execute",
                lambda *_: statements.append(1),
            )

            async def measure(cold: bool) -> tuple[list[float], list[int]]:
                samples, counts = [], []
                for _ in range(n):
                    if cold:
                        await versions.bump(
                            state.cache, versions.viewer_program_scope(user_id, report.cohort_id)
                        )
                    statements.clear()
                    started = time.perf_counter()
                    result = await gql(HOME, {"s": slug}, **headers)
                    samples.append((time.perf_counter() - started) * 1000)
                    counts.append(len(statements))
                    assert "errors" not in result, result
                return samples, counts

            await measure(cold=False)  # warm-up: parser/validation caches, pool connections
            print(f"programHome, {COURSES} courses x {WEEKS} weeks x {LESSONS} lessons, n={n}")
            summary("cold (cache miss)", *(await measure(cold=True)))
            summary("warm (cache hit)", *(await measure(cold=False)))


if __name__ == "__main__":
    if "DATABASE_URL" not in os.environ:
        sys.exit("set DATABASE_URL to a scratch database")
    migrations.upgrade(os.environ["DATABASE_URL"])
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
