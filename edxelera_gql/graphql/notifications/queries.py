"""notificationPreferences."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.notifications.types import NotificationPreference
from edxelera_gql.notifications import preferences


@strawberry.type
class NotificationQuery:
    @strawberry.field(
        description="Which emails the viewer gets: every NotificationKind with its setting "
        "(on unless turned off). Signed in (UNAUTHENTICATED otherwise)."
    )
    async def notification_preferences(
        self, info: Info[Context, None]
    ) -> list[NotificationPreference] | None:
        ctx = info.context
        found = await preferences.preferences(ctx.sessionmaker, viewer=ctx.viewer)
        return [NotificationPreference.from_preference(p) for p in found]
