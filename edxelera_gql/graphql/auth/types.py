"""GraphQL types of accounts and sessions."""

from __future__ import annotations

from datetime import datetime

import strawberry

from edxelera_gql.auth.read_models import SignedIn, UserFacts
from edxelera_gql.graphql.enums import Role
from edxelera_gql.graphql.errors import UserError
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node


@strawberry.type(description="A signed-in person: only themselves see this (`me`).")
class User(Node):
    email: str
    full_name: str
    roles: list[Role]  # type: ignore[valid-type]

    @classmethod
    def from_facts(cls, user: UserFacts) -> User:
        return cls(
            id=global_id("User", user.id),
            email=user.email,
            full_name=user.full_name,
            roles=list(user.roles),
        )


@strawberry.input
class SignUpInput:
    email: str
    password: str
    full_name: str


@strawberry.input
class SignInInput:
    email: str
    password: str


@strawberry.input
class RefreshSessionInput:
    refresh_token: str


@strawberry.input
class SignOutInput:
    refresh_token: str


@strawberry.type
class AuthPayload:
    access_token: str | None = None
    access_token_expires_at: datetime | None = None
    refresh_token: str | None = None
    user: User | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def signed_in(cls, outcome: SignedIn) -> AuthPayload:
        return cls(
            access_token=outcome.access.token,
            access_token_expires_at=outcome.access.expires_at,
            refresh_token=outcome.refresh_token,
            user=User.from_facts(outcome.user),
        )


@strawberry.type
class SignOutPayload:
    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)
