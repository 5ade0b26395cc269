"""The program a staff operation is about, and whether the viewer may act on it.

One order for every staff tool: sign in first, then the program must exist for the viewer (an
unpublished program they are not staff of does not: NOT_FOUND, so its slug leaks nothing), then
the staff right (FORBIDDEN). Admins pass every check.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth import permissions
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog import service as catalog
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.enrollment.eligibility import program_not_found


async def staff_program(
    session: AsyncSession,
    viewer: Viewer | None,
    slug: str,
    *,
    right: str = "staff",
    field: str = "programSlug",
) -> tuple[Viewer, ProgramFacts]:
    """``right`` is "staff" (instructors, TAs, admins), "author" (instructors, admins) or
    "admin"."""
    viewer = permissions.require_viewer(viewer)
    program = await catalog.get_program(session, slug.strip(), include_unpublished=True)
    if program is None or not (program.published or viewer.is_staff_in(program.id)):
        raise program_not_found(slug, field=field)
    if right == "admin":
        permissions.require_admin(viewer)
    elif right == "author":
        permissions.require_program_author(viewer, program.id)
    else:
        permissions.require_program_staff(viewer, program.id)
    return viewer, program
