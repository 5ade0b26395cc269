"""`completeLesson`: an adapter over ``learning.completion``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import mutation
from edxelera_gql.graphql.learning import build
from edxelera_gql.graphql.learning.types import (
    CalendarFeedPayload,
    CompleteLessonInput,
    CompleteLessonPayload,
)
from edxelera_gql.learning import calendar_feed, completion


@strawberry.type
class LearningMutation:
    @mutation(
        CompleteLessonPayload,
        description="Marks an available lesson complete (idempotent); may issue certificates.",
    )
    async def complete_lesson(
        self, info: Info[Context, None], input: CompleteLessonInput
    ) -> CompleteLessonPayload:
        ctx = info.context
        done = await completion.complete_lesson(
            ctx.sessionmaker,
            cache=ctx.cache,
            viewer=ctx.viewer,
            course_slug=input.course_slug,
            lesson_slug=input.lesson_slug,
            now=ctx.now(),
        )
        return build.completed(done, ctx)

    @mutation(
        CalendarFeedPayload,
        description="Replaces the viewer's calendar feed URL; the old one stops working.",
    )
    async def rotate_calendar_feed(self, info: Info[Context, None]) -> CalendarFeedPayload:
        ctx = info.context
        token = await calendar_feed.feed_token(
            ctx.sessionmaker, viewer=ctx.viewer, rotate=True, now=ctx.now()
        )
        return CalendarFeedPayload(url=calendar_feed.feed_url(ctx.settings.public_base_url, token))
