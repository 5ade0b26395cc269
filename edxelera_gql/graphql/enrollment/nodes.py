"""Enrollment nodes: the viewer's own enrollments, payments and billing statuses."""

from __future__ import annotations

from strawberry.types import Info

from edxelera_gql.catalog import locate
from edxelera_gql.enrollment import lookup
from edxelera_gql.graphql.catalog.nodes import place_of
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.enrollment.queries import billing_status_of
from edxelera_gql.graphql.enrollment.types import BillingStatus, Enrollment, Payment
from edxelera_gql.graphql.ids import positive_int
from edxelera_gql.graphql.node import node_resolver


@node_resolver("Enrollment")
async def enrollment_node(info: Info[Context, None], keys: list[str]) -> Enrollment | None:
    ctx, number = info.context, positive_int(keys[0])
    if ctx.viewer is None or number is None:
        return None
    async with ctx.sessionmaker() as session:
        facts = await lookup.enrollment_of_user(session, number, ctx.viewer.user_id)
    return Enrollment.from_facts(facts) if facts else None


@node_resolver("Payment")
async def payment_node(info: Info[Context, None], keys: list[str]) -> Payment | None:
    ctx = info.context
    if ctx.viewer is None:
        return None
    async with ctx.sessionmaker() as session:
        facts = await lookup.payment_of_user(session, keys[0], ctx.viewer.user_id)
    return Payment.from_facts(facts) if facts else None


@node_resolver("BillingStatus")
async def billing_status_node(info: Info[Context, None], keys: list[str]) -> BillingStatus | None:
    place = await place_of(info.context, locate.program, keys[0])
    return await billing_status_of(info.context, place.program_slug) if place else None
