"""enrollLearner, grantLateJoin, suspendEnrollment and reinstateEnrollment."""

from __future__ import annotations

import strawberry


@strawberry.type
class ManagementMutation:
    pass
