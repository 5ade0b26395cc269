"""addProgramStaff and removeProgramStaff."""

from __future__ import annotations

import strawberry


@strawberry.type
class TeamMutation:
    pass
