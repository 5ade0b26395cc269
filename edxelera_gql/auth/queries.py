"""`me`: the signed-in user, or null when anonymous."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from edxelera_gql.auth.models import User as UserModel
from edxelera_gql.auth.types import Role, User
from edxelera_gql.graphql.context import Context


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The signed-in user; null when anonymous.")
    async def me(self, info: Info[Context, None]) -> User | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        async with info.context.sessionmaker() as session:
            user = await session.scalar(select(UserModel).where(UserModel.id == viewer.user_id))
        if user is None:
            return None
        return User(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            full_name=user.full_name,
            roles=[Role(r) for r in sorted(viewer.roles)],
        )
