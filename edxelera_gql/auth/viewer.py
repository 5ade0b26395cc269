"""Who is asking: resolved once per request from the bearer token."""

from __future__ import annotations

from dataclasses import dataclass

from edxelera_gql.auth.enums import STAFF_ROLES, Role


@dataclass(frozen=True)
class Viewer:
    user_id: int
    roles: frozenset[str]
    session_id: str = ""

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles
