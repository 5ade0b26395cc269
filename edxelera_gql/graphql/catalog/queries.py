"""Catalog queries: the published programs and one program by slug."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from edxelera_gql.catalog import service
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.graphql.catalog.types import Program
from edxelera_gql.graphql.connections import (
    Connection,
    build_connection,
    decode_cursor,
    page_size,
)
from edxelera_gql.graphql.context import Context


def _after(cursor: str | None) -> tuple[datetime, int] | None:
    if cursor is None:
        return None
    start, cohort_id = decode_cursor(cursor, 2)
    try:
        at = datetime.fromisoformat(start)
    except (TypeError, ValueError) as exc:
        raise DomainError(Code.INVALID_INPUT, "Malformed cursor.", field="after") from exc
    # Only what this server writes: an aware instant and a positive BIGINT id.
    if at.tzinfo is None or type(cohort_id) is not int or not 0 < cohort_id < 2**63:
        raise DomainError(Code.INVALID_INPUT, "Malformed cursor.", field="after")
    return at, cohort_id


@strawberry.type
class CatalogQuery:
    @strawberry.field(
        description="Published programs that have not ended, soonest start first. "
        "`includeEnded` adds past programs."
    )
    async def programs(
        self,
        info: Info[Context, None],
        first: int | None = 20,
        after: str | None = None,
        include_ended: bool = False,
    ) -> Connection[Program] | None:
        limit = page_size(first)
        ctx = info.context
        async with ctx.sessionmaker() as session:
            rows = await service.list_programs(
                session,
                now=ctx.now(),
                limit=limit + 1,
                after=_after(after),
                include_ended=include_ended,
            )
        return build_connection(
            rows,
            limit,
            cursor_of=lambda p: (p.start_at.isoformat(), p.id),
            node_of=Program.from_facts,
            after=after,
        )

    @strawberry.field(
        description="A program by slug; null if unknown (or unpublished, for non-staff)."
    )
    async def program(self, info: Info[Context, None], slug: str) -> Program | None:
        ctx = info.context
        staff = ctx.viewer is not None and ctx.viewer.is_staff
        async with ctx.sessionmaker() as session:
            program = await service.get_program(session, slug, include_unpublished=staff)
        return Program.from_facts(program) if program else None
