"""Demo data: three programs in the content format and four accounts, for development and demos.

The programs go through the same validation and import as an admin's file, and the demo
student's history goes through ``completeLesson``'s service, so the demo exercises the real
paths; dates are relative to ``now`` so the demo always shows a program that is about to start
(paid, enrollment open), one that has just started (free, late join open) and one that ended.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.accounts import upsert_demo_user
from edxelera_gql.auth.enums import Role
from edxelera_gql.auth.read_models import UserFacts
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.content import ProgramPlan, validate_program
from edxelera_gql.catalog.importer import import_plans
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.demo.documents import FINISHED_SLUG, FREE_SLUG, demo_documents
from edxelera_gql.demo.reset import reset_accounts
from edxelera_gql.enrollment.enums import EnrollmentSource, EnrollmentStatus
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.infra.cache import Cache, MemoryCache
from edxelera_gql.infra.storage import LocalStorage, Storage
from edxelera_gql.learning.completion import complete_lesson

__all__ = ["DEMO_STUDENT", "DEMO_USERS", "DemoAccount", "demo_documents", "seed_demo"]

DEMO_STUDENT = "ada@demo.edxelera.test"

# (email, full name, role)
DEMO_USERS = (
    ("admin@demo.edxelera.test", "Demo Admin", "admin"),
    ("instructor@demo.edxelera.test", "Ngozi Okafor", "instructor"),
    ("bisi@demo.edxelera.test", "Bisi Adeyemi", "instructor"),  # a teaching assistant
    ("ada@demo.edxelera.test", "Ada Eze", "student"),
    ("tunde@demo.edxelera.test", "Tunde Bakare", "student"),
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    password: str


async def _store_sample_videos(storage: Storage | None, plans: list[ProgramPlan]) -> None:
    if not isinstance(storage, LocalStorage):
        return
    # A short sample clip behind every demo video, so playback works with no AWS account.
    clip = (Path(__file__).parent / "media" / "lesson.mp4").read_bytes()
    for plan in plans:
        for week in plan.weeks:
            for lesson in week.lessons:
                if lesson.video is not None:
                    await storage.put(lesson.video.bucket, lesson.video.key, clip, "video/mp4")


async def seed_demo(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    storage: Storage | None = None,
    cache: Cache | None = None,
) -> list[DemoAccount]:
    """Imports the demo programs and (re)sets the demo accounts with fresh passwords.

    Safe to run again: programs are updated in place, the accounts' activity (enrollments,
    payments, progress, certificates, posts) is removed and the demo history laid down again.
    Returns the accounts with their passwords, which exist nowhere else, for the caller to
    show once.
    """
    plans = [validate_program(doc) for doc in demo_documents(now)]
    accounts = [
        DemoAccount(email=email, role=role, password=secrets.token_urlsafe(12))
        for email, _name, role in DEMO_USERS
    ]
    names = {email: name for email, name, _role in DEMO_USERS}
    users: dict[str, UserFacts] = {}
    for account in accounts:
        users[account.email] = await upsert_demo_user(
            sessionmaker,
            email=account.email,
            full_name=names[account.email],
            roles=[account.role],
            password=account.password,
        )
    # After the accounts: the documents name their staff by email.
    await import_plans(sessionmaker, plans)
    # A re-run restores the whole demo state, not just the passwords.
    await reset_accounts(sessionmaker, [email for email, _name, _role in DEMO_USERS], cache)
    await _store_sample_videos(storage, plans)
    history_cache: Cache = cache or MemoryCache()
    await _demo_student_history(sessionmaker, history_cache, users[DEMO_STUDENT], plans, now=now)
    return accounts


async def _demo_student_history(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    student: UserFacts,
    plans: list[ProgramPlan],
    *,
    now: datetime,
) -> None:
    """Ada is enrolled in the free program and has finished the past one.

    Her completions go through ``complete_lesson``, the same path as the API, so her course
    and program certificates are issued by the real rules (and only once on a re-run).
    """
    viewer = Viewer(user_id=student.id, roles=frozenset({Role.STUDENT}))
    async with UnitOfWork(sessionmaker) as uow:
        session = uow.session
        for slug in (FREE_SLUG, FINISHED_SLUG):
            cohort_id = await session.scalar(select(Cohort.id).where(Cohort.slug == slug))
            enrollment = await session.scalar(
                select(Enrollment).where(
                    Enrollment.user_id == student.id, Enrollment.cohort_id == cohort_id
                )
            )
            if enrollment is None:
                session.add(
                    Enrollment(
                        user_id=student.id,
                        cohort_id=cohort_id,
                        status=EnrollmentStatus.ACTIVE,
                        enrolled_at_utc=now,
                        source=EnrollmentSource.FREE,
                    )
                )
    finished = next(plan for plan in plans if plan.slug == FINISHED_SLUG)
    for week in finished.weeks:
        for index, lesson in enumerate(week.lessons):
            # While the program ran: a day after its week opened, so her certificates carry
            # a completion date inside the program, as a real learner's would.
            done_at = min(week.release_at + timedelta(days=1, hours=index), finished.end_at)
            # Raises DomainError if the demo data ever stops allowing a completion.
            await complete_lesson(
                sessionmaker,
                cache=cache,
                viewer=viewer,
                course_slug=lesson.course,
                lesson_slug=lesson.slug,
                now=done_at,
            )
