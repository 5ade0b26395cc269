"""The one error model of the domains: a ``Code`` for every expected failure, and ``DomainError``.

Services raise ``DomainError``; pure rules may return a ``Refusal`` that the service raises. The
GraphQL layer is the only place that turns them into a mutation payload's ``errors`` or a query's
``extensions.code``, and its ``ErrorCode`` enum is built from ``Code``, so a code can never be
misspelt into an internal error. Nothing here imports GraphQL or does I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    """Every code a client may receive (``UserError.code`` or ``extensions.code``)."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_SUSPENDED = "ACCOUNT_SUSPENDED"
    INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"
    SIGN_IN_REQUIRED = "SIGN_IN_REQUIRED"
    NOT_PUBLISHED = "NOT_PUBLISHED"
    ALREADY_ENROLLED = "ALREADY_ENROLLED"
    PROGRAM_ENDED = "PROGRAM_ENDED"
    ENROLLMENT_CLOSED = "ENROLLMENT_CLOSED"
    LATE_JOIN_WINDOW_EXPIRED = "LATE_JOIN_WINDOW_EXPIRED"
    WEEK_TWO_UNLOCKED = "WEEK_TWO_UNLOCKED"
    PAYMENT_PROVIDER_UNAVAILABLE = "PAYMENT_PROVIDER_UNAVAILABLE"
    PAYMENT_NOT_SUCCESSFUL = "PAYMENT_NOT_SUCCESSFUL"
    PAYMENT_AMOUNT_MISMATCH = "PAYMENT_AMOUNT_MISMATCH"
    NOT_ENROLLED = "NOT_ENROLLED"
    WEEK_NOT_RELEASED = "WEEK_NOT_RELEASED"
    PREREQUISITES_INCOMPLETE = "PREREQUISITES_INCOMPLETE"
    VIDEO_NOT_READY = "VIDEO_NOT_READY"
    CANNOT_PIN_REPLY = "CANNOT_PIN_REPLY"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"  # a dependency (storage) is down: retry later
    # The bearer token: expired (refresh it) or not ours at all (sign in again). HTTP 401.
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    INVALID_TOKEN = "INVALID_TOKEN"
    # The request itself, before any field runs.
    BAD_REQUEST = "BAD_REQUEST"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    PERSISTED_QUERY_REQUIRED = "PERSISTED_QUERY_REQUIRED"


class DomainError(Exception):
    """An expected failure: what went wrong (``code``), for whom to read (``message``), which
    input it is about (``field``), and structured ``details``.

    JSON-safe details (strings, numbers, lists of them) reach a query's ``extensions``;
    mutation payloads may also read richer details (e.g. the locked lesson) to fill their fields.
    """

    def __init__(
        self,
        code: Code,
        message: str,
        *,
        field: str | None = None,
        more: Sequence[DomainError] = (),
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.code = Code(code)
        self.message = message
        self.field = field
        # Further problems of the same input (a form with several bad fields): mutations
        # report them all, queries the first.
        self.more = tuple(more)
        self.details: dict[str, Any] = details

    @classmethod
    def of(cls, refusals: Sequence[Refusal]) -> DomainError:
        """One error carrying every refusal (at least one)."""
        first, *rest = refusals
        return cls(
            first.code,
            first.message,
            field=first.field,
            more=[r.error() for r in rest],
            **first.details,
        )

    def all(self) -> tuple[DomainError, ...]:
        return (self, *self.more)

    def __repr__(self) -> str:
        return f"DomainError({self.code.value}, {self.message!r}, field={self.field!r})"


@dataclass(frozen=True)
class Refusal:
    """What a pure rule returns instead of raising: the service turns it into a DomainError."""

    code: Code
    message: str
    field: str | None = None
    # (``dataclasses.field``: the ``field`` attribute above shadows the bare name here.)
    details: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def error(self) -> DomainError:
        return DomainError(self.code, self.message, field=self.field, **self.details)


def not_found(message: str = "Not found.", *, field: str | None = None) -> DomainError:
    return DomainError(Code.NOT_FOUND, message, field=field)


def invalid_input(message: str, *, field: str | None = None) -> DomainError:
    return DomainError(Code.INVALID_INPUT, message, field=field)
