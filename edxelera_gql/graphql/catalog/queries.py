"""Catalog queries: the published programs and one program by slug."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.catalog import service
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.graphql.catalog.nodes import sees_program
from edxelera_gql.graphql.catalog.types import Program
from edxelera_gql.graphql.connections import (
    AFTER,
    FIRST,
    Connection,
    build_connection,
    decode_cursor,
    page_size,
)
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import PUBLIC, STAFF


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
        description="The catalog: published programs that have not ended, soonest start "
        "first. `includeEnded` adds past programs. Unpublished programs are never listed, not "
        f"even for staff (`program(slug:)` answers them). {PUBLIC}"
    )
    async def programs(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        include_ended: Annotated[
            bool,
            strawberry.argument(description="Also list programs whose `endAt` has passed."),
        ] = False,
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
        description="A program by slug. Published programs are public; unpublished ones only "
        f"{STAFF} see. Null, without an error, when the slug is unknown or the program is "
        "unpublished and the viewer is not staff."
    )
    async def program(
        self,
        info: Info[Context, None],
        slug: Annotated[str, strawberry.argument(description="The program's `slug`.")],
    ) -> Program | None:
        ctx = info.context
        async with ctx.sessionmaker() as session:
            program = await service.get_program(session, slug, include_unpublished=True)
        return Program.from_facts(program) if program and sees_program(ctx, program) else None
