"""The one place for role checks: signed in, staff, admin.

Services call these instead of inspecting roles themselves; whether a viewer may see a program
(an active enrollment) is the enrollment package's ``access`` module.
"""

from __future__ import annotations

from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.errors import Code, DomainError


def require_viewer(viewer: Viewer | None, message: str = "Sign in to continue.") -> Viewer:
    if viewer is None:
        raise DomainError(Code.UNAUTHENTICATED, message)
    return viewer


def require_staff(viewer: Viewer | None) -> Viewer:
    viewer = require_viewer(viewer)
    if not viewer.is_staff:
        raise DomainError(Code.FORBIDDEN, "Only instructors and admins may do this.")
    return viewer


def require_admin(viewer: Viewer | None, message: str = "Only admins may do this.") -> Viewer:
    viewer = require_viewer(viewer)
    if not viewer.is_admin:
        raise DomainError(Code.FORBIDDEN, message)
    return viewer
