"""GraphQL types of program staff and the audit log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from edxelera_gql.graphql.descriptions import PAYLOAD_ERRORS, PROGRAM_SLUG
from edxelera_gql.graphql.enums import ProgramRole
from edxelera_gql.graphql.errors import UserError
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.staff import audit_log, team


@strawberry.type(description="A person assigned to run a program, and as what.")
class StaffMember:
    user_id: strawberry.ID = strawberry.field(
        description="The person, as `Author.id` names them beside their posts."
    )
    full_name: str = strawberry.field(description="The name as the person entered it.")
    email: str = strawberry.field(description="Their account email (staff see each other's).")
    role: ProgramRole = strawberry.field(  # type: ignore[valid-type]
        description="What they do in this program."
    )
    assigned_at: datetime = strawberry.field(description="When they were first assigned.")

    @classmethod
    def from_member(cls, member: team.StaffMember) -> StaffMember:
        return cls(
            user_id=global_id("Author", member.user_id),
            full_name=member.full_name,
            email=member.email,
            role=member.role,
            assigned_at=member.assigned_at,
        )


@strawberry.input(description="Whom to assign to which program, and as what.")
class AddProgramStaffInput:
    program_slug: str = strawberry.field(description=PROGRAM_SLUG)
    email: str = strawberry.field(
        description="An existing account's email (case and surrounding spaces do not matter)."
    )
    role: ProgramRole = strawberry.field(  # type: ignore[valid-type]
        description="Their part in the program. Assigning someone already assigned changes "
        "their role (the same role again changes nothing)."
    )


@strawberry.input(description="Whom to take off which program's staff.")
class RemoveProgramStaffInput:
    program_slug: str = strawberry.field(description=PROGRAM_SLUG)
    email: str = strawberry.field(description="The assigned account's email.")


@strawberry.type(description="What addProgramStaff and removeProgramStaff answer.")
class ProgramStaffPayload:
    member: StaffMember | None = strawberry.field(
        default=None, description="The assignment as it now stands; null after a removal."
    )
    changed: bool = strawberry.field(
        default=False,
        description="False when there was nothing to do (the same role again, or removing "
        "someone not assigned): a retried click is harmless.",
    )
    staff: list[StaffMember] | None = strawberry.field(
        default=None, description="The program's staff after the change."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)

    @classmethod
    def from_change(cls, change: team.StaffChange) -> ProgramStaffPayload:
        return cls(
            member=StaffMember.from_member(change.member) if change.member else None,
            changed=change.changed,
            staff=[StaffMember.from_member(m) for m in change.staff],
        )


@strawberry.type(description="One field a staff change touched, before and after.")
class AuditChange:
    field: str = strawberry.field(description="The field, named as the change recorded it.")
    before: str | None = strawberry.field(
        description="Its value before, as JSON; null when it did not exist (a creation)."
    )
    after: str | None = strawberry.field(
        description="Its value after, as JSON; null when it no longer exists (a removal)."
    )


@strawberry.type(description="One staff change to a program: who did what to what, and when.")
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="Stable per entry; entries never change.")
    actor_id: strawberry.ID = strawberry.field(
        description="Who made the change (as `Author.id` names people)."
    )
    actor_name: str | None = strawberry.field(
        description="Their name; null if the account is gone."
    )
    action: str = strawberry.field(
        description="What was done, as `subject.verb` (e.g. `staff.assign`, `post.pin`, "
        "`enrollment.suspend`, `lesson.update`)."
    )
    target_type: str = strawberry.field(
        description="The kind of thing changed (e.g. `User`, `Enrollment`, `Lesson`)."
    )
    target_id: str | None = strawberry.field(
        description="The changed row's id within its kind (not a global id)."
    )
    at: datetime = strawberry.field(description="When the change was made.")
    reason: str | None = strawberry.field(
        description="Why, as the actor gave it; null when none was asked for."
    )
    changes: list[AuditChange] = strawberry.field(
        description="The fields the change touched, before and after."
    )

    @classmethod
    def from_entry(cls, entry: audit_log.AuditEntry) -> AuditEntry:
        return cls(
            id=global_id("AuditEntry", entry.id),
            actor_id=global_id("Author", entry.actor_id),
            actor_name=entry.actor_name,
            action=entry.action,
            target_type=entry.target_type,
            target_id=str(entry.target_id) if entry.target_id is not None else None,
            at=entry.at,
            reason=entry.reason,
            changes=[
                AuditChange(field=c.field, before=c.before, after=c.after) for c in entry.changes
            ],
        )
