"""`completeLesson`: an adapter over ``learning.completion``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import mutation
from edxelera_gql.graphql.learning import build
from edxelera_gql.graphql.learning.types import CompleteLessonInput, CompleteLessonPayload
from edxelera_gql.learning import completion


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
