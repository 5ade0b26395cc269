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


class ProgramRole(StrEnum):
    """A staff member's part in one program (``program_staff.role``): instructors run it and
    author its content; teaching assistants see and moderate it but do not author."""

    INSTRUCTOR = "instructor"
    TEACHING_ASSISTANT = "teaching_assistant"
