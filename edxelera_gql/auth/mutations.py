"""signUp, signIn, refreshSession, signOut: thin resolvers over ``auth.service``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.auth import service
from edxelera_gql.auth.types import (
    AuthPayload,
    RefreshSessionInput,
    Role,
    SignInInput,
    SignOutInput,
    SignOutPayload,
    SignUpInput,
    User,
)
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import ErrorCode, UserError, user_error


def _payload(outcome: service.SignedIn | list[service.AuthError]) -> AuthPayload:
    if isinstance(outcome, list):
        return AuthPayload(errors=[user_error(e) for e in outcome])
    user = outcome.user
    return AuthPayload(
        access_token=outcome.access.token,
        access_token_expires_at=outcome.access.expires_at,
        refresh_token=outcome.refresh_token,
        user=User(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            full_name=user.full_name,
            roles=[Role(r) for r in outcome.roles],
        ),
    )


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Creates a student account and signs it in.")
    async def sign_up(self, info: Info[Context, None], input: SignUpInput) -> AuthPayload:
        ctx = info.context
        async with ctx.sessionmaker() as session, session.begin():
            outcome = await service.sign_up(
                session,
                email=input.email,
                password=input.password,
                full_name=input.full_name,
                ip=ctx.client_ip,
                now=ctx.now(),
                codec=ctx.tokens,
                cache=ctx.cache,
                settings=ctx.settings,
            )
        return _payload(outcome)

    @strawberry.mutation
    async def sign_in(self, info: Info[Context, None], input: SignInInput) -> AuthPayload:
        ctx = info.context
        async with ctx.sessionmaker() as session, session.begin():
            outcome = await service.sign_in(
                session,
                email=input.email,
                password=input.password,
                ip=ctx.client_ip,
                now=ctx.now(),
                codec=ctx.tokens,
                cache=ctx.cache,
                settings=ctx.settings,
            )
        return _payload(outcome)

    @strawberry.mutation(description="Rotates the refresh token; the old one stops working.")
    async def refresh_session(
        self, info: Info[Context, None], input: RefreshSessionInput
    ) -> AuthPayload:
        ctx = info.context
        # Committed even when the answer is an error: reuse detection revokes the family.
        async with ctx.sessionmaker() as session, session.begin():
            outcome = await service.refresh_session(
                session,
                refresh_token=input.refresh_token,
                now=ctx.now(),
                codec=ctx.tokens,
                cache=ctx.cache,
                settings=ctx.settings,
            )
        return _payload(outcome)

    @strawberry.mutation(description="Ends the session the refresh token belongs to.")
    async def sign_out(self, info: Info[Context, None], input: SignOutInput) -> SignOutPayload:
        ctx = info.context
        if not input.refresh_token or len(input.refresh_token) > 256:
            return SignOutPayload(
                ok=False,
                errors=[
                    UserError(
                        code=ErrorCode.INVALID_INPUT,
                        message="A refresh token is required.",
                        field="refreshToken",
                    )
                ],
            )
        async with ctx.sessionmaker() as session, session.begin():
            await service.sign_out(
                session, refresh_token=input.refresh_token, now=ctx.now(), cache=ctx.cache
            )
        return SignOutPayload(ok=True)
