"""GraphQL types of accounts and sessions."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from edxelera_gql.graphql.errors import UserError


@strawberry.enum
class Role(Enum):
    STUDENT = "student"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


@strawberry.type
class User:
    id: strawberry.ID
    email: str
    full_name: str
    roles: list[Role]


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


@strawberry.type
class SignOutPayload:
    ok: bool
    errors: list[UserError] = strawberry.field(default_factory=list)
