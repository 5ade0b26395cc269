"""Fails the whole operation when the bearer token was refused (after validation, before any
resolver runs), so a bad token never yields an anonymous answer."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension


class RefuseBadTokens(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        error = getattr(context, "auth_error", None)
        if error is not None:
            raise error
        yield
