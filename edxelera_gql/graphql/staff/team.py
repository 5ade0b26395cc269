"""programStaff and auditLog."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.errors import Code, DomainError
from edxelera_gql.graphql.connections import (
    AFTER,
    FIRST,
    Connection,
    build_connection,
    decode_cursor,
    page_size,
)
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import PROGRAM_SLUG
from edxelera_gql.graphql.staff.team_types import AuditEntry, StaffMember
from edxelera_gql.staff import audit_log, team


def _before_id(after: str | None) -> int | None:
    if after is None:
        return None
    (entry_id,) = decode_cursor(after, 1)
    if type(entry_id) is not int or not 0 < entry_id < 2**63:
        raise DomainError(Code.INVALID_INPUT, "Malformed cursor.", field="after")
    return entry_id


@strawberry.type
class TeamQuery:
    @strawberry.field(
        description="The program's assigned staff (instructors first, then teaching "
        "assistants, by name). For the program's staff and admins: FORBIDDEN for others, "
        "UNAUTHENTICATED signed out, NOT_FOUND for an unknown program (or an unpublished one "
        "the viewer is not staff of)."
    )
    async def program_staff(
        self,
        info: Info[Context, None],
        program_slug: Annotated[str, strawberry.argument(description=PROGRAM_SLUG)],
    ) -> list[StaffMember] | None:
        ctx = info.context
        found = await team.list_staff(
            ctx.sessionmaker, viewer=ctx.viewer, program_slug=program_slug
        )
        return [StaffMember.from_member(m) for m in found]

    @strawberry.field(
        description="Every staff change to the program (staff assignments, enrollment "
        "management, authoring, uploads, pins), newest first. For admins and the program's "
        "instructors (teaching assistants and others: FORBIDDEN; NOT_FOUND as programStaff)."
    )
    async def audit_log(
        self,
        info: Info[Context, None],
        program_slug: Annotated[str, strawberry.argument(description=PROGRAM_SLUG)],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[AuditEntry] | None:
        ctx = info.context
        limit = page_size(first)
        entries = await audit_log.audit_entries(
            ctx.sessionmaker,
            viewer=ctx.viewer,
            program_slug=program_slug,
            limit=limit + 1,
            before_id=_before_id(after),
        )
        return build_connection(
            entries,
            limit,
            cursor_of=lambda e: (e.id,),
            node_of=AuditEntry.from_entry,
            after=after,
        )
