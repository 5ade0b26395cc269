"""Protected video: a signed URL only for a lesson the viewer may open and whose video is ready.

The lock decision is ``rules.lesson_access``, the same function the week hub shows, so what
the page says and what playback allows cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.enums import VideoStatus
from edxelera_gql.catalog.models import (
    Cohort,
    CohortCourse,
    Course,
    Lesson,
    VideoAsset,
    Week,
)
from edxelera_gql.catalog.read_models import LessonRefFacts
from edxelera_gql.enrollment.access import active_enrollment
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.cloudfront import SignedUrl, UrlSigner
from edxelera_gql.infra.ratelimit import Rule, enforce, limit_key
from edxelera_gql.learning import rules
from edxelera_gql.learning.lessons import prerequisites_of

PLAYBACK_RATE = Rule(limit=60, window_seconds=60)

MESSAGES = {
    Code.NOT_ENROLLED: "Enroll in this program to watch this lesson.",
    Code.WEEK_NOT_RELEASED: "This week has not been released yet.",
    Code.PREREQUISITES_INCOMPLETE: "Complete the earlier lessons first.",
}


@dataclass(frozen=True)
class Playback:
    signed: SignedUrl
    mime_type: str


async def lesson_playback(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cache: Cache,
    viewer: Viewer | None,
    client_ip: str,
    program_slug: str,
    course_slug: str,
    lesson_slug: str,
    now: datetime,
    signer: UrlSigner,
    ttl_seconds: int,
) -> Playback:
    """Rate-limited per viewer (per address when anonymous): enough for a student skipping
    around, not enough to scrape a catalogue of signed URLs."""
    who = f"user:{viewer.user_id}" if viewer else f"ip:{client_ip}"
    await enforce(
        cache,
        limit_key("playback", who),
        PLAYBACK_RATE,
        now=now,
        message="Too many playback requests.",
    )
    async with sessionmaker() as session:
        return await _playback(
            session,
            viewer=viewer,
            program_slug=program_slug,
            course_slug=course_slug,
            lesson_slug=lesson_slug,
            now=now,
            signer=signer,
            ttl_seconds=ttl_seconds,
        )


async def _find_lesson(
    session: AsyncSession, program_slug: str, course_slug: str, lesson_slug: str
) -> tuple[Lesson, datetime, Cohort, VideoAsset | None]:
    row = (
        await session.execute(
            select(Lesson, Week.release_at_utc, Cohort, VideoAsset)
            .join(Week, Week.id == Lesson.week_id)
            .join(Cohort, Cohort.id == Week.cohort_id)
            .join(Course, Course.id == Lesson.course_id)
            .join(
                CohortCourse,
                (CohortCourse.cohort_id == Cohort.id) & (CohortCourse.course_id == Course.id),
            )
            .outerjoin(VideoAsset, VideoAsset.id == Lesson.video_asset_id)
            .where(
                Cohort.slug == program_slug,
                Course.slug == course_slug,
                Lesson.slug == lesson_slug,
            )
        )
    ).one_or_none()
    if row is None:
        raise DomainError(Code.NOT_FOUND, "Lesson not found.")
    return row[0], row[1], row[2], row[3]


def _locked(access: rules.LessonAccess, required: list[LessonRefFacts]) -> DomainError:
    """Why the lesson is locked, with when it opens or what to complete first."""
    reason = access.lock_reason
    assert reason is not None
    details: dict[str, Any] = {}
    if access.unlocks_at is not None:
        details["unlocks_at"] = access.unlocks_at.isoformat().replace("+00:00", "Z")
    if access.missing_prerequisite_ids:
        missing = set(access.missing_prerequisite_ids)
        details["missing_prerequisites"] = sorted(p.slug for p in required if p.id in missing)
    return DomainError(reason, MESSAGES[reason], **details)


async def _playback(
    session: AsyncSession,
    *,
    viewer: Viewer | None,
    program_slug: str,
    course_slug: str,
    lesson_slug: str,
    now: datetime,
    signer: UrlSigner,
    ttl_seconds: int,
) -> Playback:
    lesson, release_at, cohort, asset = await _find_lesson(
        session, program_slug, course_slug, lesson_slug
    )
    enrolled = False
    if viewer is not None:
        enrollment = await active_enrollment(session, user_id=viewer.user_id, cohort_id=cohort.id)
        enrolled = enrollment is not None
    is_staff = viewer is not None and viewer.is_staff_in(cohort.id)
    if not cohort.published and not (enrolled or is_staff):
        raise DomainError(Code.NOT_FOUND, "Lesson not found.")
    # The week hub's query: prerequisites with their names and the viewer's completions.
    prerequisites = await prerequisites_of(
        session,
        user_id=viewer.user_id if enrolled and viewer is not None else None,
        lesson_ids=[lesson.id],
    )
    required = prerequisites.by_lesson.get(lesson.id, [])
    access = rules.lesson_access(
        now=now,
        lesson_id=lesson.id,
        is_preview=lesson.is_preview,
        release_at=release_at,
        prerequisite_ids=[p.id for p in required],
        is_enrolled=enrolled,
        is_staff=is_staff,
        completed_lesson_ids=prerequisites.completed_ids,
    )
    if not access.is_open:
        raise _locked(access, required)
    if asset is None or asset.status != VideoStatus.READY:
        raise DomainError(Code.VIDEO_NOT_READY, "This lesson's video is not ready yet.")
    expires_at = now + timedelta(seconds=ttl_seconds)
    signed = signer.sign(asset.cloud_front_path, mime_type=asset.mime_type, expires_at=expires_at)
    return Playback(signed=signed, mime_type=asset.mime_type)
