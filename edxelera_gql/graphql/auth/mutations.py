"""signUp, signIn, refreshSession, signOut: adapters over ``auth.service``."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.auth import service
from edxelera_gql.graphql.auth.types import (
    AuthPayload,
    RefreshSessionInput,
    SignInInput,
    SignOutInput,
    SignOutPayload,
    SignUpInput,
)
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import RATES
from edxelera_gql.graphql.errors import mutation

# operations.TOKEN_FREE_FIELDS: operations made only of these four ignore the token.
_TOKEN_FREE = (
    "An operation made only of signUp, signIn, refreshSession and signOut ignores the "
    "`Authorization` header, so a client holding a stale token can still call it."
)


@strawberry.type
class AuthMutation:
    @mutation(
        AuthPayload,
        description="Creates a STUDENT account and signs it in (the payload holds its tokens). "
        "Errors: INVALID_INPUT (every bad field at once), EMAIL_TAKEN, RATE_LIMITED "
        f"({RATES['sign_up_ip']}). {_TOKEN_FREE}",
    )
    async def sign_up(
        self,
        info: Info[Context, None],
        input: Annotated[
            SignUpInput,
            strawberry.argument(description="The new account's email, password and name."),
        ],
    ) -> AuthPayload:
        ctx = info.context
        signed_in = await service.sign_up(
            **ctx.auth_deps(),
            email=input.email,
            password=input.password,
            full_name=input.full_name,
            ip=ctx.client_ip,
        )
        return AuthPayload.signed_in(signed_in)

    @mutation(
        AuthPayload,
        description="Signs in with email and password, starting a session: an access token "
        "and a refresh token. Errors: INVALID_INPUT (email or password missing), "
        "INVALID_CREDENTIALS, ACCOUNT_SUSPENDED, RATE_LIMITED "
        f"({RATES['sign_in_email']}, {RATES['sign_in_ip']}). {_TOKEN_FREE}",
    )
    async def sign_in(
        self,
        info: Info[Context, None],
        input: Annotated[
            SignInInput, strawberry.argument(description="The account's email and password.")
        ],
    ) -> AuthPayload:
        ctx = info.context
        signed_in = await service.sign_in(
            **ctx.auth_deps(), email=input.email, password=input.password, ip=ctx.client_ip
        )
        return AuthPayload.signed_in(signed_in)

    @mutation(
        AuthPayload,
        description="Trades the refresh token for a new access token and a new refresh token "
        "(rotation): the old refresh token stops working. Call it on HTTP 401 TOKEN_EXPIRED, "
        "or a little before `accessTokenExpiresAt`, then retry with the new access token. "
        "Errors: INVALID_REFRESH_TOKEN (sign in again), ACCOUNT_SUSPENDED. "
        f"{_TOKEN_FREE}",
    )
    async def refresh_session(
        self,
        info: Info[Context, None],
        input: Annotated[
            RefreshSessionInput,
            strawberry.argument(description="The session's latest refresh token."),
        ],
    ) -> AuthPayload:
        signed_in = await service.refresh_session(
            **info.context.auth_deps(), refresh_token=input.refresh_token
        )
        return AuthPayload.signed_in(signed_in)

    @mutation(
        SignOutPayload,
        description="Ends the session the refresh token belongs to: its refresh tokens and "
        "its access tokens stop working (requests with them answer HTTP 401 INVALID_TOKEN). "
        "Other sessions of the user go on. Idempotent. Errors: INVALID_INPUT (no token). "
        f"{_TOKEN_FREE}",
    )
    async def sign_out(
        self,
        info: Info[Context, None],
        input: Annotated[
            SignOutInput,
            strawberry.argument(description="The refresh token of the session to end."),
        ],
    ) -> SignOutPayload:
        ctx = info.context
        await service.sign_out(
            sessionmaker=ctx.sessionmaker,
            cache=ctx.cache,
            refresh_token=input.refresh_token,
            now=ctx.now(),
        )
        return SignOutPayload(ok=True)
