"""`completeLesson`: a thin resolver over ``learning.service.complete_lesson``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.catalog.types import Program
from edxelera_gql.certificates.service import CertificateRow
from edxelera_gql.certificates.types import Certificate
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import sign_in_required, user_error
from edxelera_gql.learning import caching, service, types
from edxelera_gql.learning.types import (
    CompleteLessonInput,
    CompleteLessonPayload,
    CourseProgress,
    LessonItem,
)


@strawberry.type
class LearningMutation:
    @strawberry.mutation(
        description="Marks an available lesson complete (idempotent); may issue certificates."
    )
    async def complete_lesson(
        self, info: Info[Context, None], input: CompleteLessonInput
    ) -> CompleteLessonPayload:
        ctx = info.context
        if ctx.viewer is None:
            return CompleteLessonPayload(errors=[sign_in_required()])
        async with ctx.sessionmaker() as session, session.begin():
            outcome = await service.complete_lesson(
                session,
                viewer=ctx.viewer,
                course_slug=input.course_slug,
                lesson_slug=input.lesson_slug,
                now=ctx.now(),
            )
        if isinstance(outcome, service.CompletionRefused):
            course = types.course_type(outcome.course) if outcome.course else None
            return CompleteLessonPayload(
                lesson=LessonItem.from_view(outcome.lesson, course)
                if outcome.lesson and course
                else None,
                errors=[user_error(outcome)],
            )
        if outcome.changed:
            await caching.forget_viewer(
                ctx.cache, user_id=ctx.viewer.user_id, cohort_id=outcome.program.id
            )
        course = types.course_type(outcome.course)
        program = Program.from_model(outcome.program.to_model())
        base_url = ctx.settings.public_base_url

        def certificate(row: CertificateRow) -> Certificate:
            return Certificate.build(
                row,
                course=course if row.course_id == outcome.course.id else None,
                program=program,
                public_base_url=base_url,
            )

        return CompleteLessonPayload(
            lesson=LessonItem.from_view(outcome.lesson, course),
            course_progress=CourseProgress.build(
                outcome.progress,
                course,
                certificate(outcome.course_certificate) if outcome.course_certificate else None,
            ),
            issued_certificates=[certificate(c) for c in outcome.issued],
        )
