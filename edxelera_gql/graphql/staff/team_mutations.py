"""addProgramStaff and removeProgramStaff: adapters over ``staff.team``."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.auth.enums import ProgramRole
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import mutation
from edxelera_gql.graphql.staff.team_types import (
    AddProgramStaffInput,
    ProgramStaffPayload,
    RemoveProgramStaffInput,
)
from edxelera_gql.staff import team

_ERRORS = (
    "Admins only. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (`programSlug`: unknown "
    "program; `email`: no such account). The person's rights change at once, on every device."
)


@strawberry.type
class TeamMutation:
    @mutation(
        ProgramStaffPayload,
        description="Makes an existing account staff of one program, as an instructor or a "
        f"teaching assistant (or changes their role there). {_ERRORS}",
    )
    async def add_program_staff(
        self,
        info: Info[Context, None],
        input: Annotated[AddProgramStaffInput, strawberry.argument(description="Who, where.")],
    ) -> ProgramStaffPayload:
        ctx = info.context
        change = await team.add_program_staff(
            ctx.sessionmaker,
            ctx.cache,
            viewer=ctx.viewer,
            program_slug=input.program_slug,
            email=input.email,
            role=ProgramRole(input.role),
            now=ctx.now(),
        )
        return ProgramStaffPayload.from_change(change)

    @mutation(
        ProgramStaffPayload,
        description="Takes an account off one program's staff (removing someone not "
        f"assigned changes nothing). {_ERRORS}",
    )
    async def remove_program_staff(
        self,
        info: Info[Context, None],
        input: Annotated[RemoveProgramStaffInput, strawberry.argument(description="Who, where.")],
    ) -> ProgramStaffPayload:
        ctx = info.context
        change = await team.remove_program_staff(
            ctx.sessionmaker,
            ctx.cache,
            viewer=ctx.viewer,
            program_slug=input.program_slug,
            email=input.email,
            now=ctx.now(),
        )
        return ProgramStaffPayload.from_change(change)
