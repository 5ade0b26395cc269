"""Content import against the database: idempotence, edits, refusals, the demo seed, accounts."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from edxelera_gql.auth.accounts import create_account, upsert_demo_user
from edxelera_gql.auth.models import Role, User, UserRole
from edxelera_gql.auth.passwords import verify_password
from edxelera_gql.catalog.content import ContentRejected, validate_program
from edxelera_gql.catalog.importer import ImportReport, import_program, import_program_text
from edxelera_gql.catalog.models import (
    Cohort,
    CohortCourse,
    Course,
    Lesson,
    LessonPrerequisite,
    VideoAsset,
    Week,
)
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.demo.seed import DEMO_USERS, demo_documents, seed_demo
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.errors import Code, DomainError
from tests.support.clock import MovableClock
from tests.support.sql import count_statements

DATA = Path(__file__).parent / "data"
CATALOG_TABLES = (
    "cohorts",
    "courses",
    "cohort_courses",
    "weeks",
    "assignments",
    "video_assets",
    "lessons",
    "lesson_prerequisites",
)
Sessionmaker = async_sessionmaker[AsyncSession]


async def dump(sessionmaker: Sessionmaker) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every catalog table, raw (updated_at included)."""
    async with sessionmaker() as session:
        return {
            table: [
                tuple(row)
                for row in (await session.execute(text(f"SELECT * FROM {table} ORDER BY id")))
            ]
            for table in CATALOG_TABLES
        }


async def counts(sessionmaker: Sessionmaker, tables: tuple[str, ...]) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            table: (await session.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
            for table in tables
        }


async def import_doc(sessionmaker: Sessionmaker, doc: dict[str, Any]) -> ImportReport:
    plan = validate_program(doc)
    async with sessionmaker() as session, session.begin():
        return await import_program(session, plan)


async def outline(sessionmaker: Sessionmaker, slug: str) -> dict[str, Any]:
    """The program as stored: course order, each week's lessons in order, prerequisites."""
    async with sessionmaker() as session:
        cohort = (await session.execute(select(Cohort).where(Cohort.slug == slug))).scalar_one()
        courses = (
            await session.execute(
                select(Course.slug)
                .join(CohortCourse, CohortCourse.course_id == Course.id)
                .where(CohortCourse.cohort_id == cohort.id)
                .order_by(CohortCourse.sort_order)
            )
        ).scalars()
        rows = await session.execute(
            select(Week.week_number, Course.slug, Lesson.slug, Lesson.id, Lesson.title)
            .join(Lesson, Lesson.week_id == Week.id)
            .join(Course, Course.id == Lesson.course_id)
            .where(Week.cohort_id == cohort.id)
            .order_by(Week.week_number, Lesson.sort_order)
        )
        weeks: dict[int, list[str]] = {}
        names: dict[int, str] = {}
        titles: dict[str, str] = {}
        for number, course_slug, lesson_slug, lesson_id, title in rows:
            name = f"{course_slug}/{lesson_slug}"
            weeks.setdefault(number, []).append(name)
            names[lesson_id] = name
            titles[name] = title
        prerequisites = {
            (names[a], names[b])
            for a, b in (
                await session.execute(
                    select(LessonPrerequisite.lesson_id, LessonPrerequisite.prerequisite_lesson_id)
                )
            )
            if a in names
        }
        return {
            "courses": list(courses),
            "weeks": weeks,
            "prerequisites": prerequisites,
            "titles": titles,
        }


def program_doc(slug: str = "bootcamp") -> dict[str, Any]:
    """Three courses over three weeks, prerequisites across weeks and courses."""

    def item(course: str, lesson_slug: str, *prerequisites: str, **extra: Any) -> dict[str, Any]:
        title = lesson_slug.replace("-", " ").title()
        return {
            "course": course,
            "slug": lesson_slug,
            "title": f"{course} {title}",
            "prerequisites": list(prerequisites),
            **extra,
        }

    def video(name: str) -> dict[str, Any]:
        return {
            "bucket": "videos",
            "key": f"{name}.mp4",
            "cloudFrontPath": f"/{name}.mp4",
            "mimeType": "video/mp4",
        }

    return {
        "program": {
            "slug": slug,
            "title": "Bootcamp",
            "timezone": "America/New_York",
            "startAt": "2027-03-01T09:00:00",
            "endAt": "2027-03-19T17:00:00",
            "priceMinor": 5000,
            "published": True,
        },
        "courses": [
            {"slug": "sql", "title": "SQL"},
            {"slug": "charts", "title": "Charts"},
            {"slug": "maps", "title": "Maps"},
        ],
        "weeks": [
            {
                "number": 1,
                "title": "One",
                "assignment": {"title": "A1"},
                "liveSession": {
                    "title": "Kick-off",
                    "startAt": "2027-03-03T18:00:00",
                    "endAt": "2027-03-03T19:00:00",
                },
                "lessons": [
                    item("sql", "intro", isPreview=True, video=video("sql-intro")),
                    item("charts", "intro", isPreview=True),
                    item("maps", "intro", isPreview=True),
                ],
            },
            {
                "number": 2,
                "title": "Two",
                "assignment": {"title": "A2", "submissionType": "url"},
                "lessons": [
                    item("sql", "select", "intro", video=video("sql-select")),
                    item("charts", "bars", "intro", "sql/select"),
                ],
            },
            {
                "number": 3,
                "title": "Three",
                "lessons": [
                    item("sql", "joins", "select"),
                    item("maps", "layers", "intro", "charts/bars"),
                ],
            },
        ],
    }


# --- idempotence ----------------------------------------------------------------------------


async def test_example_imported_twice_leaves_every_row_identical(
    sessionmaker: Sessionmaker,
) -> None:
    text_ = (DATA / "example.yaml").read_text()
    first = await import_program_text(sessionmaker, text_, filename="example.yaml")
    assert first.created == {
        "program": 1,
        "course": 1,
        "program_course": 1,
        "week": 1,
        "assignment": 1,
        "video": 1,
        "lesson": 1,
        "prerequisite": 0,
        "staff": 0,
    }
    before = await dump(sessionmaker)
    assert all(before[table] for table in CATALOG_TABLES if table != "lesson_prerequisites")

    second = await import_program_text(sessionmaker, text_, filename="example.yaml")
    assert not second.changed
    assert second.missing == []
    assert "no changes" in second.summary()
    assert await dump(sessionmaker) == before

    async with sessionmaker() as session:
        cohort = (await session.execute(select(Cohort))).scalar_one()
        week = (await session.execute(select(Week))).scalar_one()
        video = (await session.execute(select(VideoAsset))).scalar_one()
    assert cohort.start_at_utc == datetime(2027, 3, 1, 8, tzinfo=UTC)
    assert cohort.price_minor == 15_000_000
    assert week.assignment_deadline_utc == datetime(2027, 3, 8, 8, tzinfo=UTC)
    assert week.live_session_start_utc == datetime(2027, 3, 3, 17, tzinfo=UTC)
    assert week.live_session_url == "https://meet.example.com/abc"
    assert (video.status, video.cloud_front_path) == (
        "ready",
        "/sql-foundations/what-is-sql/master.m3u8",
    )


async def test_reimport_uses_the_same_few_statements_whatever_the_size(
    sessionmaker: Sessionmaker, engine: AsyncEngine, clock: MovableClock
) -> None:
    small = (DATA / "example.yaml").read_text()
    # Content only: the staff section needs accounts (tests/catalog/test_import_staff.py).
    large = json.dumps({**demo_documents(clock.now())[0], "staff": []})
    await import_program_text(sessionmaker, small, filename="example.yaml")
    await import_program_text(sessionmaker, large, filename="demo.json")
    before = await dump(sessionmaker)
    with count_statements(engine) as small_log:
        await import_program_text(sessionmaker, small, filename="example.yaml")
    with count_statements(engine) as large_log:
        report = await import_program_text(sessionmaker, large, filename="demo.json")
    assert not report.changed
    assert await dump(sessionmaker) == before
    assert small_log.count == large_log.count, f"{small_log}\n---\n{large_log}"
    assert large_log.count <= 10, str(large_log)
    assert all(s.startswith("SELECT") for s in large_log.statements), str(large_log)


# --- refusals -------------------------------------------------------------------------------


async def test_five_mistakes_write_nothing(sessionmaker: Sessionmaker) -> None:
    with pytest.raises(ContentRejected) as caught:
        await import_program_text(
            sessionmaker, (DATA / "five_mistakes.yaml").read_text(), filename="five.yaml"
        )
    assert len(caught.value.problems) == 5
    assert set((await counts(sessionmaker, CATALOG_TABLES)).values()) == {0}


async def test_lesson_of_another_program_is_refused_and_nothing_written(
    sessionmaker: Sessionmaker,
) -> None:
    await import_doc(sessionmaker, program_doc("first-run"))
    before = await dump(sessionmaker)
    second = program_doc("second-run")
    second["program"]["title"] = "Another run"
    second["weeks"][1]["lessons"] = []
    second["weeks"][2]["lessons"] = [{"course": "sql", "slug": "joins", "title": "Joins"}]
    second["weeks"].reverse()  # paths still point into the document as written
    with pytest.raises(ContentRejected) as caught:
        await import_program_text(sessionmaker, json.dumps(second), filename="second.json")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("weeks[2].lessons[0].slug", "lesson sql/intro already belongs to program 'first-run'"),
        ("weeks[2].lessons[1].slug", "lesson charts/intro already belongs to program 'first-run'"),
        ("weeks[2].lessons[2].slug", "lesson maps/intro already belongs to program 'first-run'"),
        ("weeks[0].lessons[0].slug", "lesson sql/joins already belongs to program 'first-run'"),
    ]
    assert await dump(sessionmaker) == before


# --- edits ----------------------------------------------------------------------------------


async def test_edited_file_updates_titles_and_reorders_without_key_errors(
    sessionmaker: Sessionmaker,
) -> None:
    doc = program_doc()
    await import_doc(sessionmaker, doc)
    before = await dump(sessionmaker)
    assert (await outline(sessionmaker, "bootcamp"))["weeks"] == {
        1: ["sql/intro", "charts/intro", "maps/intro"],
        2: ["sql/select", "charts/bars"],
        3: ["sql/joins", "maps/layers"],
    }

    edited = copy.deepcopy(doc)
    edited["courses"].reverse()  # every course changes position
    edited["courses"][0]["title"] = "Maps and places"
    week1, week2, week3 = (w["lessons"] for w in edited["weeks"])
    # Swap across weeks at the same position: only week_id changes, yet each lesson moves into
    # the other's (week_id, sort_order) slot.
    week1[1], week2[1] = week2[1], week1[1]
    week3.reverse()  # swap within a week
    week3[0]["title"] = "Layers, revised"
    week3[1]["prerequisites"] = ["intro"]  # sql/joins: select replaced by intro
    report = await import_doc(sessionmaker, edited)

    assert report.missing == []
    assert report.created == {**dict.fromkeys(report.created, 0), "prerequisite": 1}
    assert report.prerequisites_removed == 1
    assert report.updated["program"] == 0
    assert report.updated["course"] == 1
    assert report.updated["program_course"] == 2  # charts stays in the middle
    assert report.updated["lesson"] == 4
    stored = await outline(sessionmaker, "bootcamp")
    assert stored["courses"] == ["maps", "charts", "sql"]
    assert stored["weeks"] == {
        1: ["sql/intro", "charts/bars", "maps/intro"],
        2: ["sql/select", "charts/intro"],
        3: ["maps/layers", "sql/joins"],
    }
    assert stored["titles"]["maps/layers"] == "Layers, revised"
    assert ("sql/joins", "sql/intro") in stored["prerequisites"]
    assert ("sql/joins", "sql/select") not in stored["prerequisites"]

    after = await dump(sessionmaker)
    # Only the renamed course got a new updated_at; the unchanged program kept its row.
    assert after["cohorts"] == before["cohorts"]
    changed_courses = [row for row in after["courses"] if row not in before["courses"]]
    assert len(changed_courses) == 1
    assert "Maps and places" in changed_courses[0]

    # The edited file is now the state: importing it again changes nothing.
    again = await import_doc(sessionmaker, edited)
    assert not again.changed
    assert await dump(sessionmaker) == after


async def test_prerequisites_become_exactly_the_files_set(sessionmaker: Sessionmaker) -> None:
    doc = program_doc()
    await import_doc(sessionmaker, doc)
    doc["weeks"][1]["lessons"][1]["prerequisites"] = ["intro"]  # charts/bars drops sql/select
    doc["weeks"][2]["lessons"][0]["prerequisites"] = ["select", "charts/intro"]
    report = await import_doc(sessionmaker, doc)
    assert report.prerequisites_removed == 1
    assert report.created["prerequisite"] == 1
    assert (await outline(sessionmaker, "bootcamp"))["prerequisites"] == {
        ("sql/select", "sql/intro"),
        ("charts/bars", "charts/intro"),
        ("sql/joins", "sql/select"),
        ("sql/joins", "charts/intro"),
        ("maps/layers", "maps/intro"),
        ("maps/layers", "charts/bars"),
    }


async def test_missing_content_is_reported_and_kept(sessionmaker: Sessionmaker) -> None:
    doc = program_doc()
    await import_doc(sessionmaker, doc)
    before = await counts(sessionmaker, CATALOG_TABLES)

    smaller = copy.deepcopy(doc)
    smaller["courses"] = [c for c in smaller["courses"] if c["slug"] != "maps"]
    for week in smaller["weeks"]:
        week["lessons"] = [item for item in week["lessons"] if item["course"] != "maps"]
    del smaller["weeks"][2]  # week 3 (sql/joins stays in the database too)
    del smaller["weeks"][0]["liveSession"]
    del smaller["weeks"][1]["assignment"]
    del smaller["weeks"][0]["lessons"][0]["video"]
    smaller["weeks"][0]["lessons"].reverse()  # charts/intro first, then sql/intro
    report = await import_doc(sessionmaker, smaller)

    assert report.missing == [
        "course maps",
        "week 3",
        "live session of week 1",
        "assignment of week 2",
        "video of lesson sql/intro",
        "lesson maps/intro",
        "lesson sql/joins",
        "lesson maps/layers",
    ]
    assert await counts(sessionmaker, CATALOG_TABLES) == before
    stored = await outline(sessionmaker, "bootcamp")
    assert stored["courses"] == ["sql", "charts", "maps"]
    # Kept lessons stay in their week, after the file's lessons.
    assert stored["weeks"] == {
        1: ["charts/intro", "sql/intro", "maps/intro"],
        2: ["sql/select", "charts/bars"],
        3: ["sql/joins", "maps/layers"],
    }
    async with sessionmaker() as session:
        week1 = (await session.execute(select(Week).where(Week.week_number == 1))).scalar_one()
        intro = (
            await session.execute(
                select(Lesson).where(Lesson.slug == "intro", Lesson.video_asset_id.is_not(None))
            )
        ).scalar_one()
    assert week1.live_session_title == "Kick-off"
    assert intro.video_asset_id is not None

    # Bringing a course back to the front reorders around the kept one.
    smaller["courses"].insert(0, {"slug": "maps", "title": "Maps"})
    report = await import_doc(sessionmaker, smaller)
    assert (await outline(sessionmaker, "bootcamp"))["courses"] == ["maps", "sql", "charts"]
    assert "course maps" not in report.missing


async def test_video_status_is_only_overwritten_when_the_file_says_so(
    sessionmaker: Sessionmaker,
) -> None:
    doc = program_doc()
    first = await import_doc(sessionmaker, doc)
    assert first.created["video"] == 2
    async with sessionmaker() as session:
        statuses = set((await session.execute(select(VideoAsset.status))).scalars())
    assert statuses == {"pending"}  # new assets without a status

    # The upload pipeline marks one ready; a file that is silent about status keeps it.
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(VideoAsset).where(VideoAsset.s3_key == "sql-intro.mp4").values(status="ready")
        )
    assert not (await import_doc(sessionmaker, doc)).changed

    doc["weeks"][0]["lessons"][0]["video"]["status"] = "failed"
    doc["weeks"][0]["lessons"][0]["video"]["mimeType"] = "application/vnd.apple.mpegurl"
    # An HLS video must be alone in its folder (its signed URL opens the folder).
    doc["weeks"][0]["lessons"][0]["video"]["cloudFrontPath"] = "/hls/sql-intro/master.m3u8"
    report = await import_doc(sessionmaker, doc)
    assert report.updated["video"] == 1
    async with sessionmaker() as session:
        asset = (
            await session.execute(select(VideoAsset).where(VideoAsset.s3_key == "sql-intro.mp4"))
        ).scalar_one()
    assert (asset.status, asset.mime_type) == ("failed", "application/vnd.apple.mpegurl")


async def test_a_course_can_serve_two_programs_with_different_lessons(
    sessionmaker: Sessionmaker,
) -> None:
    await import_doc(sessionmaker, program_doc("spring-run"))
    other = program_doc("autumn-run")
    for week in other["weeks"]:
        for item in week["lessons"]:
            item["slug"] = f"autumn-{item['slug']}"
            item["prerequisites"] = [
                "/".join([*p.split("/")[:-1], f"autumn-{p.split('/')[-1]}"])
                for p in item["prerequisites"]
            ]
            item.pop("video", None)
    report = await import_doc(sessionmaker, other)
    assert report.created["course"] == 0
    assert report.created["program_course"] == 3
    assert report.created["lesson"] == 7
    totals = await counts(sessionmaker, ("cohorts", "courses", "cohort_courses", "lessons"))
    assert totals == {"cohorts": 2, "courses": 3, "cohort_courses": 6, "lessons": 14}


# --- demo seed ------------------------------------------------------------------------------


async def test_demo_seed_runs_twice_cleanly(
    sessionmaker: Sessionmaker, clock: MovableClock
) -> None:
    now = clock.now()
    first = await seed_demo(sessionmaker, now=now)
    catalog = await dump(sessionmaker)
    second = await seed_demo(sessionmaker, now=now)

    assert await dump(sessionmaker) == catalog  # same `now`: programs unchanged
    assert await counts(
        sessionmaker,
        (
            "cohorts", "courses", "cohort_courses", "weeks", "assignments", "users",
            "user_roles", "program_staff",
        ),
    ) == {
        "cohorts": 3,
        "courses": 7,
        "cohort_courses": 7,
        "weeks": 14,
        "assignments": 14,
        "users": 5,
        "user_roles": 5,
        "program_staff": 4,  # the instructor runs all three, the assistant the free one
    }  # fmt: skip
    assert [(a.email, a.role) for a in second] == [(e, r) for e, _n, r in DEMO_USERS]
    assert all(a.password != b.password for a, b in zip(first, second, strict=True))

    async with sessionmaker() as session:
        users = {
            email: (password_hash, role)
            for email, password_hash, role in (
                await session.execute(
                    select(User.email, User.password_hash, Role.name)
                    .join(UserRole, UserRole.user_id == User.id)
                    .join(Role, Role.id == UserRole.role_id)
                )
            )
        }
        cohorts = {c.slug: c for c in (await session.execute(select(Cohort))).scalars()}
    for account in second:
        password_hash, role = users[account.email]
        assert role == account.role
        assert verify_password(password_hash, account.password)
    for account in first:
        assert not verify_password(users[account.email][0], account.password)

    paid, free = cohorts["demo-data-analytics"], cohorts["demo-python-foundations"]
    assert (paid.price_minor, paid.currency, paid.timezone) == (15_000_000, "NGN", "Africa/Lagos")
    assert paid.start_at_utc.hour == 8  # 09:00 in Lagos
    assert timedelta(days=9) < paid.start_at_utc - now < timedelta(days=11)
    assert free.price_minor == 0
    assert free.timezone == "America/New_York"
    assert timedelta(days=2) < now - free.start_at_utc < timedelta(days=4)
    assert (free.late_join_enabled, free.late_join_days) == (True, 7)
    assert paid.published
    assert free.published

    # The demo student finished the past program through the real completion path: one course
    # and one program certificate, not re-issued by the second run.
    async with sessionmaker() as session:
        held = (
            await session.execute(
                select(Certificate.course_id.is_(None), Cohort.slug)
                .join(User, User.id == Certificate.user_id)
                .join(Cohort, Cohort.id == Certificate.cohort_id)
                .where(User.email == "ada@demo.edxelera.test")
                .order_by(Certificate.id)
            )
        ).all()
        ada_enrollments = await session.scalar(
            select(func.count())
            .select_from(Enrollment)
            .join(User, User.id == Enrollment.user_id)
            .where(User.email == "ada@demo.edxelera.test", Enrollment.status == "active")
        )
    assert [tuple(row) for row in held] == [
        (False, "demo-git-essentials"),
        (True, "demo-git-essentials"),
    ]
    assert ada_enrollments == 2
    finished = cohorts["demo-git-essentials"]
    assert finished.end_at_utc < now


async def test_demo_programs_have_previews_videos_and_cross_week_prerequisites(
    sessionmaker: Sessionmaker, clock: MovableClock
) -> None:
    await seed_demo(sessionmaker, now=clock.now())
    async with sessionmaker() as session:
        rows = await session.execute(
            select(
                Cohort.slug,
                Course.slug,
                Week.week_number,
                Lesson.sort_order,
                Lesson.id,
                Lesson.is_preview,
                Lesson.video_asset_id,
            )
            .join(Week, Week.cohort_id == Cohort.id)
            .join(Lesson, Lesson.week_id == Week.id)
            .join(Course, Course.id == Lesson.course_id)
            .order_by(Cohort.slug, Week.week_number, Lesson.sort_order)
        )
        lessons = list(rows)
        week_of = {lesson_id: week for _p, _c, week, _s, lesson_id, _v, _a in lessons}
        edges = await session.execute(
            select(LessonPrerequisite.lesson_id, LessonPrerequisite.prerequisite_lesson_id)
        )
        cross_week = [(a, b) for a, b in edges if week_of[a] > week_of[b]]
        videos = (await session.execute(select(VideoAsset))).scalars().all()

    for program in ("demo-data-analytics", "demo-python-foundations"):
        mine = [row for row in lessons if row[0] == program]
        per_week: dict[int, int] = {}
        for row in mine:
            per_week[row[2]] = per_week.get(row[2], 0) + 1
        assert sorted(per_week) == [1, 2, 3, 4, 5, 6]
        assert all(2 <= n <= 3 for n in per_week.values())
        seen: set[str] = set()
        for _p, course, _w, _s, _id, is_preview, _v in mine:
            assert is_preview == (course not in seen), course
            seen.add(course)
        assert len(seen) == 3
        assert any(row[6] is not None for row in mine)
    assert len(cross_week) >= 10
    assert {(v.s3_bucket, v.mime_type, v.status) for v in videos} == {
        ("edxelera-demo", "video/mp4", "ready")
    }
    assert all(v.cloud_front_path == f"/{v.s3_bucket}/{v.s3_key}" for v in videos)


# --- accounts -------------------------------------------------------------------------------


async def test_create_user_normalizes_and_assigns_roles(sessionmaker: Sessionmaker) -> None:
    created = await create_account(
        sessionmaker,
        email="  Ada@Example.TEST ",
        full_name=" Ada Eze ",
        roles=["student", "instructor", "student"],
        password="correct horse",
    )
    assert created.roles == ("instructor", "student")
    async with sessionmaker() as session:
        user = (await session.execute(select(User).where(User.id == created.id))).scalar_one()
        roles = set(
            (
                await session.execute(
                    select(Role.name)
                    .join(UserRole, UserRole.role_id == Role.id)
                    .where(UserRole.user_id == user.id)
                )
            ).scalars()
        )
    assert (user.email, user.full_name, user.status) == ("ada@example.test", "Ada Eze", "active")
    assert roles == {"student", "instructor"}
    assert verify_password(user.password_hash, "correct horse")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "ADA@example.test"}, "already exists"),
        ({"roles": ["teacher"]}, "unknown role teacher"),
        ({"password": "x" * 7}, "Password must be 8 to 128 characters"),
        ({"password": "x" * 129}, "Password must be 8 to 128 characters"),
        ({"full_name": "   "}, "Full name must be 1 to 200 characters"),
        ({"full_name": "n" * 201}, "Full name must be 1 to 200 characters"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
    ],
)
async def test_create_user_refusals(
    sessionmaker: Sessionmaker, changes: dict[str, Any], message: str
) -> None:
    await create_account(
        sessionmaker,
        email="ada@example.test",
        full_name="Ada",
        roles=["student"],
        password="password1",
    )
    fields: dict[str, Any] = {
        "email": "tunde@example.test",
        "full_name": "Tunde",
        "roles": ["student"],
        "password": "password1",
        **changes,
    }
    with pytest.raises(DomainError, match=message) as refused:
        await create_account(sessionmaker, **fields)
    assert refused.value.code in (Code.EMAIL_TAKEN, Code.INVALID_INPUT)
    assert (await counts(sessionmaker, ("users",)))["users"] == 1


async def test_password_bounds_are_inclusive(sessionmaker: Sessionmaker) -> None:
    await create_account(
        sessionmaker, email="a@x.test", full_name="A", roles=["admin"], password="x" * 8
    )
    await create_account(
        sessionmaker, email="b@x.test", full_name="B" * 200, roles=[], password="x" * 128
    )
    async with sessionmaker() as session:
        roles = (
            await session.execute(
                select(User.email, Role.name)
                .join(UserRole, UserRole.user_id == User.id)
                .join(Role, Role.id == UserRole.role_id)
                .order_by(User.email)
            )
        ).all()
    assert [tuple(r) for r in roles] == [("a@x.test", "admin"), ("b@x.test", "student")]


async def test_upsert_demo_user_resets_password_name_and_roles(
    sessionmaker: Sessionmaker,
) -> None:
    user = await create_account(
        sessionmaker,
        email="staff@x.test",
        full_name="Old Name",
        roles=["student", "admin"],
        password="old-password",
    )
    async with sessionmaker() as session, session.begin():
        await session.execute(update(User).values(status="suspended"))
    again = await upsert_demo_user(
        sessionmaker,
        email="STAFF@x.test",
        full_name="New Name",
        roles=["instructor"],
        password="new-password",
    )
    assert again.id == user.id
    async with sessionmaker() as session:
        stored = (await session.execute(select(User))).scalar_one()
        roles = (
            (await session.execute(select(Role.name).join(UserRole, UserRole.role_id == Role.id)))
            .scalars()
            .all()
        )
    assert (stored.full_name, stored.status) == ("New Name", "active")
    assert verify_password(stored.password_hash, "new-password")
    assert not verify_password(stored.password_hash, "old-password")
    assert roles == ["instructor"]


async def test_demo_seed_puts_a_playable_clip_behind_every_video_in_local_storage(
    sessionmaker, tmp_path
) -> None:
    from datetime import UTC, datetime

    from edxelera_gql.demo.seed import seed_demo
    from edxelera_gql.infra.storage import LocalStorage

    storage = LocalStorage(tmp_path)
    await seed_demo(sessionmaker, now=datetime(2027, 1, 10, tzinfo=UTC), storage=storage)
    async with sessionmaker() as session:
        videos = (await session.execute(select(VideoAsset))).scalars().all()
    assert videos
    for video in videos:
        info = await storage.head(video.s3_bucket, video.s3_key)
        assert info is not None
        assert info.size_bytes > 1000
        # Locally /cdn serves <bucket>/<key>, which is what cloudFrontPath names.
        assert (tmp_path / video.cloud_front_path.lstrip("/")).is_file()
