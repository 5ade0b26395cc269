"""`programHome`, `weekHub`, `courseProgress` and `lessonPlayback`: adapters over the cached
reads and the learning services."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import (
    COURSE_SLUG,
    DEFAULTS,
    LESSON_SLUG,
    PROGRAM_SLUG,
    RATES,
    STAFF,
    WEEK_NUMBER,
    minutes,
)
from edxelera_gql.graphql.learning import build
from edxelera_gql.graphql.learning.types import CourseProgress, LessonPlayback, ProgramHome, WeekHub
from edxelera_gql.learning import caching, calendar_feed, playback, views

_PROGRAM = Annotated[str, strawberry.argument(description=PROGRAM_SLUG)]
_ACCESS = (
    f"Needs an ACTIVE enrollment in the program, or {STAFF}. Errors: UNAUTHENTICATED, "
    "NOT_ENROLLED, NOT_FOUND (an unknown program, or an unpublished one for a student not "
    "enrolled in it)."
)


async def program_home_of(ctx: Context, program_slug: str) -> ProgramHome:
    data = await caching.program_home(
        sessionmaker=ctx.sessionmaker,
        cache=ctx.cache,
        max_ttl=ctx.settings.cache_ttl_seconds,
        viewer=ctx.viewer,
        slug=program_slug,
        now=ctx.now(),
        deps=ctx.deps,
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
        deps=ctx.deps,
    )
    return build.week_hub(data, ctx)


async def course_progress_of(ctx: Context, course_slug: str) -> CourseProgress:
    viewer = require_viewer(ctx.viewer)
    async with ctx.sessionmaker() as session:
        data = await views.load_course_progress(session, course_slug=course_slug, viewer=viewer)
    return build.course_progress(data, ctx)


@strawberry.type
class LearningQuery:
    @strawberry.field(
        description="The viewer's home in a program: progress, schedule, next lesson, "
        f"deadline and live session, certificates. {_ACCESS}"
    )
    async def program_home(
        self, info: Info[Context, None], program_slug: _PROGRAM
    ) -> ProgramHome | None:
        return await program_home_of(info.context, program_slug)

    @strawberry.field(
        description="One week of a program: its lessons with their status for the viewer, "
        "assignment, live session and discussion summary. A week not released yet still "
        "answers; for students its lessons are LOCKED with WEEK_NOT_RELEASED (preview "
        f"lessons stay open). {_ACCESS} A week number the program does not have is "
        "NOT_FOUND too."
    )
    async def week_hub(
        self,
        info: Info[Context, None],
        program_slug: _PROGRAM,
        week_number: Annotated[int, strawberry.argument(description=WEEK_NUMBER)],
    ) -> WeekHub | None:
        return await week_hub_of(info.context, program_slug, week_number)

    @strawberry.field(
        description="The viewer's private calendar feed (iCalendar): every week release, "
        "assignment deadline and live session of their programs that have not ended: for "
        "students the programs they are actively enrolled in, for staff every program. Made "
        "on first ask and stable after that; treat it as a secret, since anyone with it can "
        "read the schedule, and replace it with rotateCalendarFeed. Signed in "
        "(UNAUTHENTICATED otherwise)."
    )
    async def calendar_feed_url(self, info: Info[Context, None]) -> str | None:
        ctx = info.context
        token = await calendar_feed.feed_token(
            ctx.sessionmaker, viewer=ctx.viewer, rotate=False, now=ctx.now()
        )
        return calendar_feed.feed_url(ctx.settings.public_base_url, token)

    @strawberry.field(
        description="The viewer's progress in a course, in the program they study it in. "
        f"Needs an ACTIVE enrollment in that program, or {STAFF}. Errors: UNAUTHENTICATED, "
        "NOT_ENROLLED, NOT_FOUND (unknown course)."
    )
    async def course_progress(
        self,
        info: Info[Context, None],
        course_slug: Annotated[str, strawberry.argument(description=COURSE_SLUG)],
    ) -> CourseProgress | None:
        return await course_progress_of(info.context, course_slug)

    @strawberry.field(
        description="A signed URL to a lesson's video, valid "
        f"{minutes(DEFAULTS.playback_url_ttl_seconds)} by default, when the viewer may open "
        "the lesson and its video is ready. Preview lessons: anyone, signed in or not. Other "
        f"lessons: students with an ACTIVE enrollment once the week is released and the "
        f"prerequisites are completed, and {STAFF}. Errors carry the lock reason: "
        "NOT_ENROLLED, WEEK_NOT_RELEASED (`extensions.unlocksAt`), PREREQUISITES_INCOMPLETE "
        "(`extensions.missingPrerequisites`: lesson slugs), VIDEO_NOT_READY; NOT_FOUND for an "
        f"unknown lesson; RATE_LIMITED ({RATES['playback']} per viewer, per IP address when "
        "anonymous)."
    )
    async def lesson_playback(
        self,
        info: Info[Context, None],
        program_slug: _PROGRAM,
        course_slug: Annotated[str, strawberry.argument(description=COURSE_SLUG)],
        lesson_slug: Annotated[str, strawberry.argument(description=LESSON_SLUG)],
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
