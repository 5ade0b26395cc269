"""Account roles and statuses, stored by value in ``roles.name`` and ``users.status``."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    STUDENT = "student"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


# Roles that see every program's content and moderate its discussions.
STAFF_ROLES = frozenset({Role.INSTRUCTOR, Role.ADMIN})
