"""`programHome`, `weekHub` and `courseProgress` (and `certificates`, from the certificates
package): thin resolvers over the cached reads and the learning service."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.certificates.queries import CertificateQuery
from edxelera_gql.errors import DomainError
from edxelera_gql.graphql.context import Context
from edxelera_gql.infra.ratelimit import hit, limit_key
from edxelera_gql.learning import caching, playback, service, types
from edxelera_gql.learning.types import CourseProgress, LessonPlayback, ProgramHome, WeekHub


@strawberry.type
class LearningQuery(CertificateQuery):
    @strawberry.field(description="The viewer's home in a program: active enrollment or staff.")
    async def program_home(self, info: Info[Context, None], program_slug: str) -> ProgramHome:
        ctx = info.context
        data = await caching.program_home(
            sessionmaker=ctx.sessionmaker,
            cache=ctx.cache,
            max_ttl=ctx.settings.cache_ttl_seconds,
            viewer=ctx.viewer,
            slug=program_slug,
            now=ctx.now(),
        )
        return types.program_home(data, ctx)

    @strawberry.field(description="One week of a program: active enrollment or staff.")
    async def week_hub(
        self, info: Info[Context, None], program_slug: str, week_number: int
    ) -> WeekHub:
        ctx = info.context
        data = await caching.week_hub(
            sessionmaker=ctx.sessionmaker,
            cache=ctx.cache,
            max_ttl=ctx.settings.cache_ttl_seconds,
            viewer=ctx.viewer,
            slug=program_slug,
            week_number=week_number,
            now=ctx.now(),
        )
        return types.week_hub(data, ctx)

    @strawberry.field(description="The viewer's progress in a course of a program they study.")
    async def course_progress(self, info: Info[Context, None], course_slug: str) -> CourseProgress:
        ctx = info.context
        viewer = require_viewer(ctx.viewer)
        async with ctx.sessionmaker() as session:
            data = await service.load_course_progress(
                session, course_slug=course_slug, viewer=viewer
            )
        return types.course_progress(data, ctx)

    @strawberry.field(
        description="A short-lived signed URL to a lesson's video, when the viewer may open the "
        "lesson (preview lessons: anyone) and the video is ready."
    )
    async def lesson_playback(
        self, info: Info[Context, None], program_slug: str, course_slug: str, lesson_slug: str
    ) -> LessonPlayback:
        ctx = info.context
        who = f"user:{ctx.viewer.user_id}" if ctx.viewer else f"ip:{ctx.client_ip}"
        limited = await hit(
            ctx.cache,
            limit_key("playback", who),
            limit=playback.PLAYBACK_LIMIT,
            window_seconds=playback.PLAYBACK_WINDOW_SECONDS,
        )
        if not limited.allowed:
            raise DomainError(
                "RATE_LIMITED",
                "Too many playback requests. Try again shortly.",
                retry_after_seconds=limited.retry_after_seconds,
            )
        async with ctx.sessionmaker() as session:
            result = await playback.lesson_playback(
                session,
                viewer=ctx.viewer,
                program_slug=program_slug,
                course_slug=course_slug,
                lesson_slug=lesson_slug,
                now=ctx.now(),
                signer=ctx.signer,
                ttl_seconds=ctx.settings.playback_url_ttl_seconds,
            )
        return LessonPlayback(
            url=result.signed.url,
            expires_at=result.signed.expires_at,
            mime_type=result.mime_type,
            signed_query=result.signed.signed_query,
        )
