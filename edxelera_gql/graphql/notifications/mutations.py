"""updateNotificationPreferences: an adapter over ``notifications.preferences``."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.db.outbox import NotificationKind
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import mutation
from edxelera_gql.graphql.notifications.types import (
    NotificationPreference,
    UpdateNotificationPreferencesInput,
    UpdateNotificationPreferencesPayload,
)
from edxelera_gql.notifications import preferences


@strawberry.type
class NotificationMutation:
    @mutation(
        UpdateNotificationPreferencesPayload,
        description="Turns kinds of email on or off for the viewer. An email already due but "
        "not yet sent is not sent once its kind is off. Errors: INVALID_INPUT "
        "(`preferences`: turning ENROLLMENT_CONFIRMED off; then nothing changes), "
        "UNAUTHENTICATED.",
    )
    async def update_notification_preferences(
        self,
        info: Info[Context, None],
        input: Annotated[
            UpdateNotificationPreferencesInput,
            strawberry.argument(description="The kinds to change."),
        ],
    ) -> UpdateNotificationPreferencesPayload:
        ctx = info.context
        updated = await preferences.update_preferences(
            ctx.sessionmaker,
            viewer=ctx.viewer,
            changes=[(NotificationKind(p.kind), p.enabled) for p in input.preferences],
            now=ctx.now(),
        )
        return UpdateNotificationPreferencesPayload(
            preferences=[NotificationPreference.from_preference(p) for p in updated]
        )
