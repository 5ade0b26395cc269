"""NotificationKind, NotificationPreference and updateNotificationPreferences' input/payload."""

from __future__ import annotations

import strawberry

from edxelera_gql.db import outbox
from edxelera_gql.graphql.descriptions import PAYLOAD_ERRORS
from edxelera_gql.graphql.enums import described_enum
from edxelera_gql.graphql.errors import UserError
from edxelera_gql.notifications.preferences import Preference

NotificationKind = described_enum(
    outbox.NotificationKind,
    "NotificationKind",
    "An email the platform sends a learner. Each goes once per learner and event.",
    {
        outbox.NotificationKind.ENROLLMENT_CONFIRMED: "An enrollment became active, with the "
        "receipt (amount, currency and payment reference; free programs say so). "
        "Transactional: it cannot be turned off.",
        outbox.NotificationKind.WEEK_RELEASED: "A week of a program the learner is actively "
        "enrolled in opened, at its release time in the program's time zone.",
        outbox.NotificationKind.ASSIGNMENT_DUE: "An assignment is due tomorrow: sent at the "
        "deadline's wall-clock time one day before, in the program's time zone, to active "
        "learners.",
        outbox.NotificationKind.CERTIFICATE_ISSUED: "A course or program certificate was "
        "issued, with the link where anyone can verify it.",
    },
)


@strawberry.type(description="Whether the viewer gets one kind of email.")
class NotificationPreference:
    kind: NotificationKind = strawberry.field(description="The kind of email.")  # type: ignore[valid-type]
    enabled: bool = strawberry.field(description="True: sent (the default); false: not sent.")
    can_opt_out: bool = strawberry.field(
        description="False for receipts (ENROLLMENT_CONFIRMED), which are always sent."
    )

    @classmethod
    def from_preference(cls, preference: Preference) -> NotificationPreference:
        return cls(
            kind=preference.kind, enabled=preference.enabled, can_opt_out=preference.can_opt_out
        )


@strawberry.input(description="One kind of email, on or off.")
class NotificationPreferenceInput:
    kind: NotificationKind = strawberry.field(description="The kind of email.")  # type: ignore[valid-type]
    enabled: bool = strawberry.field(description="True to receive it, false to stop it.")


@strawberry.input(description="What updateNotificationPreferences changes.")
class UpdateNotificationPreferencesInput:
    preferences: list[NotificationPreferenceInput] = strawberry.field(
        description="The kinds to change; kinds not listed keep their setting. When a kind is "
        "listed twice, the last entry wins."
    )


@strawberry.type(description="What updateNotificationPreferences answers.")
class UpdateNotificationPreferencesPayload:
    preferences: list[NotificationPreference] | None = strawberry.field(
        default=None, description="Every kind with its setting after the change; null on error."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)
