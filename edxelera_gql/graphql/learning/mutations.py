"""`completeLesson`: an adapter over ``learning.completion``."""

from __future__ import annotations

from typing import Annotated

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
        description="Marks an AVAILABLE lesson complete for the viewer and updates the course's "
        "progress; completing a course issues its certificate, completing every course the "
        "program's. Idempotent: completing twice changes nothing and answers the same "
        "progress. Needs an ACTIVE enrollment in the lesson's program (staff included). A "
        "LOCKED lesson fails with its lock reason as the code and the lesson in `lesson`. "
        "Errors: UNAUTHENTICATED, NOT_ENROLLED, WEEK_NOT_RELEASED, PREREQUISITES_INCOMPLETE, "
        "NOT_FOUND, INVALID_INPUT (not a slug).",
    )
    async def complete_lesson(
        self,
        info: Info[Context, None],
        input: Annotated[
            CompleteLessonInput, strawberry.argument(description="The lesson to complete.")
        ],
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
        description="Replaces the viewer's calendar feed URL; the old one stops working at "
        "once. Use it when the URL leaked. Signed in (UNAUTHENTICATED otherwise).",
    )
    async def rotate_calendar_feed(self, info: Info[Context, None]) -> CalendarFeedPayload:
        ctx = info.context
        token = await calendar_feed.feed_token(
            ctx.sessionmaker, viewer=ctx.viewer, rotate=True, now=ctx.now()
        )
        return CalendarFeedPayload(url=calendar_feed.feed_url(ctx.settings.public_base_url, token))
