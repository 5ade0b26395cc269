"""authoring programs, courses, weeks and lessons."""

from __future__ import annotations

import strawberry


@strawberry.type
class AuthoringMutation:
    pass
