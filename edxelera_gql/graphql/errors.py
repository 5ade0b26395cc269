"""Error codes, the ``UserError`` payload type, and errors that queries raise with a code."""

from __future__ import annotations

from enum import Enum
from typing import Any, Protocol

import strawberry
from graphql import GraphQLError


@strawberry.enum
class ErrorCode(Enum):
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


@strawberry.type(description="An expected failure of a mutation; `field` names the input field.")
class UserError:
    code: ErrorCode
    message: str
    field: str | None = None
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: seconds until the limit lifts."
    )


class _ExpectedFailure(Protocol):
    code: str
    message: str


def user_error(error: _ExpectedFailure) -> UserError:
    """A domain's expected failure (a ``DomainError`` or a service's error value) as the
    mutation payload's ``UserError``; ``field`` and the retry delay come along when present."""
    details = getattr(error, "details", None) or {}
    return UserError(
        code=ErrorCode(error.code),
        message=error.message,
        field=getattr(error, "field", None) or details.get("field"),
        retry_after_seconds=getattr(error, "retry_after_seconds", None)
        or details.get("retry_after_seconds"),
    )


def sign_in_required() -> UserError:
    return UserError(code=ErrorCode.UNAUTHENTICATED, message="Sign in to continue.")


class ApiError(GraphQLError):
    """A query failure the client is meant to handle; reaches it with ``extensions.code``."""

    def __init__(self, code: ErrorCode, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code.value, **extensions})
        self.code = code


def not_found(message: str = "Not found.") -> ApiError:
    return ApiError(ErrorCode.NOT_FOUND, message)
