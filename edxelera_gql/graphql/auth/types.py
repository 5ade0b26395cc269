"""GraphQL types of accounts and sessions."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from edxelera_gql.auth.enums import ProgramRole as ProgramRoleValue
from edxelera_gql.auth.read_models import SignedIn, UserFacts
from edxelera_gql.auth.rules import EMAIL_MAX, FULL_NAME_MAX, PASSWORD_MAX, PASSWORD_MIN
from edxelera_gql.catalog import service as catalog
from edxelera_gql.graphql.catalog.types import Program
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import DEFAULTS, PAYLOAD_ERRORS, minutes
from edxelera_gql.graphql.enums import ProgramRole, Role
from edxelera_gql.graphql.errors import UserError
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node

_REFRESH_TOKEN = (
    "The session's latest refresh token (`AuthPayload.refreshToken`). It is used up by "
    "refreshSession; presenting a used one again ends the whole session."
)


@strawberry.type(
    description="A signed-in person as they see themselves. Only the user themselves may read "
    "it (`me`, or `node(id:)` with their own id); other people appear only as an Author."
)
class User(Node):
    email: str = strawberry.field(description="The sign-in email, trimmed and lowercased.")
    full_name: str = strawberry.field(
        description="The name as entered at sign-up: printed on certificates and shown as the "
        "author of posts."
    )
    roles: list[Role] = strawberry.field(  # type: ignore[valid-type]
        description="Every role the user holds: STUDENT for accounts made by signUp; ADMIN "
        "makes the user staff of every program (see `staffOf` for the others)."
    )
    user_id: strawberry.Private[int] = 0

    @classmethod
    def from_facts(cls, user: UserFacts) -> User:
        return cls(
            id=global_id("User", user.id),
            email=user.email,
            full_name=user.full_name,
            roles=list(user.roles),
            user_id=user.id,
        )

    @strawberry.field(
        description="The programs the user is assigned to as staff, and as what, soonest "
        "start first (admins are staff everywhere without being listed): show their staff "
        "tools for these. One statement."
    )
    async def staff_of(self, info: Info[Context, None]) -> list[StaffAssignment]:
        async with info.context.sessionmaker() as session:
            assigned = await catalog.programs_staffed_by(session, self.user_id)
        return [
            StaffAssignment(program=Program.from_facts(p), role=ProgramRoleValue(role))
            for p, role in assigned
        ]


@strawberry.type(description="One program a user runs, and their part in it.")
class StaffAssignment:
    program: Program = strawberry.field(description="The program (published or not).")
    role: ProgramRole = strawberry.field(  # type: ignore[valid-type]
        description="Instructor or teaching assistant."
    )


@strawberry.input(description="A new account: email, password and name.")
class SignUpInput:
    email: str = strawberry.field(
        description=f"The sign-in email, at most {EMAIL_MAX} characters; stored trimmed and "
        "lowercased, so it is unique whatever its case (EMAIL_TAKEN otherwise)."
    )
    password: str = strawberry.field(
        description=f"{PASSWORD_MIN} to {PASSWORD_MAX} characters; stored only as a hash."
    )
    full_name: str = strawberry.field(
        description=f"1 to {FULL_NAME_MAX} characters once trimmed, with a visible character "
        "and no control or text-direction override characters. Printed on certificates."
    )


@strawberry.input(description="An existing account's email and password.")
class SignInInput:
    email: str = strawberry.field(
        description="The account's email; case and surrounding spaces do not matter."
    )
    password: str = strawberry.field(
        description=f"The account's password (at most {PASSWORD_MAX} characters)."
    )


@strawberry.input(description="The refresh token to trade for new tokens.")
class RefreshSessionInput:
    refresh_token: str = strawberry.field(description=_REFRESH_TOKEN)


@strawberry.input(description="The refresh token of the session to end.")
class SignOutInput:
    refresh_token: str = strawberry.field(
        description="The session's latest refresh token (a used or revoked one of the same "
        "session works too). An unknown token is accepted and changes nothing."
    )


@strawberry.type(
    description="What signUp, signIn and refreshSession answer: a session's tokens and its "
    "user. On an expected failure every field but `errors` is null."
)
class AuthPayload:
    access_token: str | None = strawberry.field(
        default=None,
        description="Send it as `Authorization: Bearer <accessToken>`. It lives "
        f"{minutes(DEFAULTS.access_token_ttl_seconds)} by default (`accessTokenExpiresAt`); "
        "after that requests answer HTTP 401 TOKEN_EXPIRED: call refreshSession.",
    )
    access_token_expires_at: datetime | None = strawberry.field(
        default=None,
        description="When the access token stops working; refreshing a little before spares "
        "the client a 401.",
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description="Opaque and single-use, valid "
        f"{DEFAULTS.refresh_token_ttl_days} days by default: refreshSession trades it for new "
        "tokens (including a new refresh token), signOut ends the session with it. Store it "
        "safely and refresh from one place at a time: presenting a used refresh token again "
        "(two tabs racing) ends the session.",
    )
    user: User | None = strawberry.field(default=None, description="The signed-in user.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)

    @classmethod
    def signed_in(cls, outcome: SignedIn) -> AuthPayload:
        return cls(
            access_token=outcome.access.token,
            access_token_expires_at=outcome.access.expires_at,
            refresh_token=outcome.refresh_token,
            user=User.from_facts(outcome.user),
        )


@strawberry.type(description="What signOut answers.")
class SignOutPayload:
    ok: bool = strawberry.field(
        default=False,
        description="True once the session has ended (also when it had ended already); false "
        "only with `errors`.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)
