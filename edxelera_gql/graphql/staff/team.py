"""auditLog."""

from __future__ import annotations

import strawberry


@strawberry.type
class TeamQuery:
    pass
