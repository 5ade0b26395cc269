"""Enrollment queries: `canEnroll` (signed-out viewers too) and `billingStatus`."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.enrollment import billing, eligibility
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import PROGRAM_SLUG
from edxelera_gql.graphql.enrollment.types import BillingStatus, EnrollmentEligibility


async def billing_status_of(ctx: Context, program_slug: str) -> BillingStatus:
    viewer = require_viewer(ctx.viewer)
    async with ctx.sessionmaker() as session:
        answer = await billing.billing_status(
            session,
            slug=program_slug,
            viewer=viewer,
            cache=ctx.cache,
            ttl_seconds=ctx.settings.cache_ttl_seconds,
        )
    return BillingStatus.from_billing(answer)


@strawberry.type
class EnrollmentQuery:
    @strawberry.field(
        description="May the viewer enroll in the program now, and until when? Public: "
        "signed-out viewers get the window facts too. An unknown program (or an unpublished "
        "one, for non-staff) is a NOT_FOUND error."
    )
    async def can_enroll(
        self,
        info: Info[Context, None],
        program_slug: Annotated[str, strawberry.argument(description=PROGRAM_SLUG)],
    ) -> EnrollmentEligibility | None:
        ctx = info.context
        async with ctx.sessionmaker() as session:
            verdict = await eligibility.can_enroll(
                session, slug=program_slug, viewer=ctx.viewer, now=ctx.now()
            )
        return EnrollmentEligibility.from_rules(verdict)

    @strawberry.field(
        description="The viewer's enrollment status, the price and the latest payment in a "
        "program. Signed in (UNAUTHENTICATED otherwise); an unknown program (or an "
        "unpublished one, for non-staff) is NOT_FOUND."
    )
    async def billing_status(
        self,
        info: Info[Context, None],
        program_slug: Annotated[str, strawberry.argument(description=PROGRAM_SLUG)],
    ) -> BillingStatus | None:
        return await billing_status_of(info.context, program_slug)
