"""Errors the domains raise for expected failures; the GraphQL layer turns the code into
``extensions.code`` (queries) or a ``UserError`` (mutations). Domains never import GraphQL."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
