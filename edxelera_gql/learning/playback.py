"""Protected video: a signed URL only for a lesson the viewer may open and whose video is ready.

The lock decision is ``rules.lesson_access``, the same function the week hub shows, so what
the page says and what playback allows cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth import permissions
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.models import (
    Cohort,
    CohortCourse,
    Course,
    Lesson,
    VideoAsset,
    Week,
)
from edxelera_gql.errors import DomainError
from edxelera_gql.infra.cloudfront import SignedUrl, UrlSigner
from edxelera_gql.learning import rules
from edxelera_gql.learning.service import prerequisites_of

# Per viewer (or per address when anonymous): enough for a student skipping around, not
# enough to scrape a catalogue of signed URLs.
PLAYBACK_LIMIT = 60
PLAYBACK_WINDOW_SECONDS = 60

MESSAGES = {
    rules.LockReason.NOT_ENROLLED: "Enroll in this program to watch this lesson.",
    rules.LockReason.WEEK_NOT_RELEASED: "This week has not been released yet.",
    rules.LockReason.PREREQUISITES_INCOMPLETE: "Complete the earlier lessons first.",
}


@dataclass(frozen=True)
class Playback:
    signed: SignedUrl
    mime_type: str


async def lesson_playback(
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
        raise DomainError("NOT_FOUND", "Lesson not found.")
    lesson, release_at, cohort, asset = row

    enrolled = False
    if viewer is not None:
        enrolled = (
            await permissions.active_enrollment(
                session, user_id=viewer.user_id, cohort_id=cohort.id
            )
            is not None
        )
    is_staff = viewer is not None and viewer.is_staff
    if not cohort.published and not (enrolled or is_staff):
        raise DomainError("NOT_FOUND", "Lesson not found.")
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
        reason = access.lock_reason
        assert reason is not None
        details: dict[str, object] = {}
        if access.unlocks_at is not None:
            details["unlocks_at"] = access.unlocks_at.isoformat().replace("+00:00", "Z")
        if access.missing_prerequisite_ids:
            missing = set(access.missing_prerequisite_ids)
            details["missing_prerequisites"] = sorted(p.slug for p in required if p.id in missing)
        raise DomainError(reason.value, MESSAGES[reason], **details)
    if asset is None or asset.status != "ready":
        raise DomainError("VIDEO_NOT_READY", "This lesson's video is not ready yet.")

    expires_at = now + timedelta(seconds=ttl_seconds)
    signed = signer.sign(asset.cloud_front_path, mime_type=asset.mime_type, expires_at=expires_at)
    return Playback(signed=signed, mime_type=asset.mime_type)
