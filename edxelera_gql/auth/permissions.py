"""The one place for role checks: signed in, staff of a program, author of a program, admin.

Services call these instead of inspecting roles themselves; whether a viewer may see a program
(an active enrollment) is the enrollment package's ``access`` module. A staff check names the
program: admins are staff everywhere, instructors and teaching assistants in their programs only.
"""

from __future__ import annotations

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.errors import Code, DomainError


def require_viewer(viewer: Viewer | None, message: str = "Sign in to continue.") -> Viewer:
    if viewer is None:
        raise DomainError(Code.UNAUTHENTICATED, message)
    return viewer


def require_program_staff(viewer: Viewer | None, cohort_id: int) -> Viewer:
    """Instructors and teaching assistants of the program, and admins."""
    viewer = require_viewer(viewer)
    if not viewer.is_staff_in(cohort_id):
        raise DomainError(Code.FORBIDDEN, "Only this program's staff may do this.")
    return viewer


def require_program_author(viewer: Viewer | None, cohort_id: int) -> Viewer:
    """Instructors of the program, and admins: authoring content and managing learners."""
    viewer = require_viewer(viewer)
    if not viewer.can_author(cohort_id):
        raise DomainError(Code.FORBIDDEN, "Only this program's instructors and admins may do this.")
    return viewer


def require_admin(viewer: Viewer | None, message: str = "Only admins may do this.") -> Viewer:
    viewer = require_viewer(viewer)
    if not viewer.is_admin:
        raise DomainError(Code.FORBIDDEN, message)
    return viewer
