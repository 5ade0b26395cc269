"""signUp, signIn, refreshSession, signOut: adapters over ``auth.service``."""

from __future__ import annotations

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
from edxelera_gql.graphql.errors import mutation


@strawberry.type
class AuthMutation:
    @mutation(AuthPayload, description="Creates a student account and signs it in.")
    async def sign_up(self, info: Info[Context, None], input: SignUpInput) -> AuthPayload:
        ctx = info.context
        signed_in = await service.sign_up(
            **ctx.auth_deps(),
            email=input.email,
            password=input.password,
            full_name=input.full_name,
            ip=ctx.client_ip,
        )
        return AuthPayload.signed_in(signed_in)

    @mutation(AuthPayload)
    async def sign_in(self, info: Info[Context, None], input: SignInInput) -> AuthPayload:
        ctx = info.context
        signed_in = await service.sign_in(
            **ctx.auth_deps(), email=input.email, password=input.password, ip=ctx.client_ip
        )
        return AuthPayload.signed_in(signed_in)

    @mutation(AuthPayload, description="Rotates the refresh token; the old one stops working.")
    async def refresh_session(
        self, info: Info[Context, None], input: RefreshSessionInput
    ) -> AuthPayload:
        signed_in = await service.refresh_session(
            **info.context.auth_deps(), refresh_token=input.refresh_token
        )
        return AuthPayload.signed_in(signed_in)

    @mutation(SignOutPayload, description="Ends the session the refresh token belongs to.")
    async def sign_out(self, info: Info[Context, None], input: SignOutInput) -> SignOutPayload:
        ctx = info.context
        await service.sign_out(
            sessionmaker=ctx.sessionmaker,
            cache=ctx.cache,
            refresh_token=input.refresh_token,
            now=ctx.now(),
        )
        return SignOutPayload(ok=True)
