"""Accounts as the rest of the code reads them: frozen values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass

from edxelera_gql.auth.enums import Role, UserStatus
from edxelera_gql.auth.tokens import IssuedAccessToken


@dataclass(frozen=True)
class UserFacts:
    id: int
    email: str
    full_name: str
    roles: tuple[Role, ...]  # sorted


@dataclass(frozen=True)
class SignedIn:
    user: UserFacts
    access: IssuedAccessToken
    refresh_token: str


@dataclass(frozen=True)
class ViewerRecord:
    """What a request's bearer token resolves to, once its session is known to be live."""

    user_id: int
    status: UserStatus
    roles: frozenset[Role]
    staff_roles: tuple[tuple[int, str], ...] = ()  # (program id, ProgramRole value), sorted
