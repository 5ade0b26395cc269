"""`programHome`, `weekHub`, `courseProgress` and `lessonPlayback`: adapters over the cached
reads and the learning services."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.learning import build
from edxelera_gql.graphql.learning.types import CourseProgress, LessonPlayback, ProgramHome, WeekHub
from edxelera_gql.learning import caching, calendar_feed, playback, views


async def program_home_of(ctx: Context, program_slug: str) -> ProgramHome:
    data = await caching.program_home(
        sessionmaker=ctx.sessionmaker,
        cache=ctx.cache,
        max_ttl=ctx.settings.cache_ttl_seconds,
        viewer=ctx.viewer,
        slug=program_slug,
        now=ctx.now(),
    )
    return build.program_home(data, ctx)


async def week_hub_of(ctx: Context, program_slug: str, week_number: int) -> WeekHub:
    data = await caching.week_hub(
        sessionmaker=ctx.sessionmaker,
        cache=ctx.cache,
        max_ttl=ctx.settings.cache_ttl_seconds,
        viewer=ctx.viewer,
        slug=program_slug,
        week_number=week_number,
        now=ctx.now(),
    )
    return build.week_hub(data, ctx)


async def course_progress_of(ctx: Context, course_slug: str) -> CourseProgress:
    viewer = require_viewer(ctx.viewer)
    async with ctx.sessionmaker() as session:
        data = await views.load_course_progress(session, course_slug=course_slug, viewer=viewer)
    return build.course_progress(data, ctx)


@strawberry.type
class LearningQuery:
    @strawberry.field(description="The viewer's home in a program: active enrollment or staff.")
    async def program_home(
        self, info: Info[Context, None], program_slug: str
    ) -> ProgramHome | None:
        return await program_home_of(info.context, program_slug)

    @strawberry.field(description="One week of a program: active enrollment or staff.")
    async def week_hub(
        self, info: Info[Context, None], program_slug: str, week_number: int
    ) -> WeekHub | None:
        return await week_hub_of(info.context, program_slug, week_number)

    @strawberry.field(
        description="The viewer's private calendar feed (iCalendar): every week release, "
        "assignment deadline and live session of their programs. Made on first ask; "
        "rotateCalendarFeed replaces it."
    )
    async def calendar_feed_url(self, info: Info[Context, None]) -> str | None:
        ctx = info.context
        token = await calendar_feed.feed_token(
            ctx.sessionmaker, viewer=ctx.viewer, rotate=False, now=ctx.now()
        )
        return calendar_feed.feed_url(ctx.settings.public_base_url, token)

    @strawberry.field(description="The viewer's progress in a course of a program they study.")
    async def course_progress(
        self, info: Info[Context, None], course_slug: str
    ) -> CourseProgress | None:
        return await course_progress_of(info.context, course_slug)

    @strawberry.field(
        description="A short-lived signed URL to a lesson's video, when the viewer may open the "
        "lesson (preview lessons: anyone) and the video is ready."
    )
    async def lesson_playback(
        self, info: Info[Context, None], program_slug: str, course_slug: str, lesson_slug: str
    ) -> LessonPlayback | None:
        ctx = info.context
        result = await playback.lesson_playback(
            ctx.sessionmaker,
            cache=ctx.cache,
            viewer=ctx.viewer,
            client_ip=ctx.client_ip,
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
