"""programRoster, programAnalytics and rosterExport."""

from __future__ import annotations

import strawberry


@strawberry.type
class RosterQuery:
    pass
