"""The one place where expected failures become GraphQL answers.

A mutation reports a ``DomainError`` in its payload's ``errors`` (``ReportUserErrors``); a query
lets it propagate and ``shape_errors`` gives it ``extensions.code`` and its JSON-safe details.
Anything else is unexpected: logged once with its trace and request id, masked in production.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from edxelera_gql.errors import Code, DomainError
from edxelera_gql.graphql.enums import ErrorCode
from edxelera_gql.infra import metrics

log = logging.getLogger("edxelera_gql.graphql")

MASKED_MESSAGE = "Internal server error."


@strawberry.type(
    description="An expected failure of a mutation: a closed enrollment window, a locked "
    "lesson, bad input. There are two error channels. Mutations report expected failures in "
    "their payload's `errors`, a list of UserError {code, field, message} that is empty on "
    "success, never as top-level GraphQL errors. Queries report the same codes as top-level "
    "GraphQL errors with `extensions.code` (and `extensions.field` and details such as "
    "`extensions.retryAfterSeconds`). Top-level errors on a mutation mean the request itself "
    "failed: a refused token (HTTP 401), a limit, a variable of the wrong type "
    "(INVALID_INPUT), or INTERNAL_SERVER_ERROR."
)
class UserError:
    code: ErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="What went wrong, for the client to act on (each ErrorCode value says how)."
    )
    message: str = strawberry.field(
        description="What went wrong in words fit to show the user (English). Wording may "
        "change: branch on `code`, not on this."
    )
    field: str | None = strawberry.field(
        default=None,
        description="The input field it is about, named as in the mutation's input (e.g. "
        "`email`, `programSlug`, `postId`); null when it is about the request as a whole.",
    )
    retry_after_seconds: int | None = strawberry.field(
        default=None,
        description="With RATE_LIMITED: seconds until the limit lifts and the mutation may be "
        "retried; null with other codes.",
    )


def user_error(error: DomainError) -> UserError:
    retry = error.details.get("retry_after_seconds")
    return UserError(
        code=error.code,
        message=error.message,
        field=error.field,
        retry_after_seconds=retry if isinstance(retry, int) else None,
    )


def user_errors(error: DomainError) -> list[UserError]:
    return [user_error(e) for e in error.all()]


class ReportUserErrors(FieldExtension):
    """Turns a ``DomainError`` raised by a mutation into its payload with ``errors``.

    The payload class may define ``from_error(error)`` when a failure also fills other fields
    (the locked lesson of ``completeLesson``, the billing state of ``verifyPayment``).
    """

    def __init__(self, payload: type[Any]) -> None:
        super().__init__()
        self.payload = payload

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except DomainError as error:
            metrics.count_errors([e.code.value for e in error.all()], "payload")
            from_error = getattr(self.payload, "from_error", None)
            if from_error is not None:
                return from_error(error)
            return self.payload(errors=user_errors(error))


def mutation(payload: type[Any], **options: Any) -> Any:
    """``strawberry.mutation`` whose expected failures land in ``payload.errors``."""
    return strawberry.mutation(extensions=[ReportUserErrors(payload)], **options)


# -- queries: extensions.code ----------------------------------------------------------------


def is_unexpected(error: GraphQLError) -> bool:
    """True for failures no resolver meant to report."""
    original = error.original_error
    if original is None:
        return False
    # Domain errors and GraphQL errors (including graphql-core's coercion errors) are meant
    # for the client; anything else is a bug.
    return not isinstance(original, DomainError | GraphQLError)


def log_unexpected_errors(errors: list[GraphQLError], execution_context: Any) -> None:
    context = getattr(execution_context, "context", None)
    request_id = getattr(context, "request_id", None)
    for error in errors:
        if is_unexpected(error):
            original = error.original_error
            log.error(
                "unexpected error in %s",
                ".".join(str(p) for p in (error.path or ())) or "operation",
                exc_info=(type(original), original, original.__traceback__) if original else None,
                extra={"request_id": request_id, "graphql_path": error.path},
            )


def shape_errors(
    errors: list[GraphQLError], *, mask: bool, request_id: str | None
) -> list[GraphQLError]:
    """Gives every error a code; unexpected ones get a request id and, if ``mask``, no detail.

    Runs on the final result (in the HTTP view), because errors raised while parsing skip the
    schema extensions' hooks.
    """
    return [_shape(error, mask, request_id) for error in errors]


def _rebuild(
    error: GraphQLError, message: str, extensions: dict[str, Any], **kw: Any
) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=kw.get("path", error.path),
        original_error=kw.get("original_error"),
        extensions=extensions,
    )


def _shape(error: GraphQLError, mask: bool, request_id: str | None) -> GraphQLError:
    if is_unexpected(error):
        extensions = {"code": Code.INTERNAL_SERVER_ERROR.value, "requestId": request_id}
        return _rebuild(error, MASKED_MESSAGE if mask else error.message, extensions)
    if isinstance(error.original_error, DomainError):
        return _rebuild(
            error, error.original_error.message, domain_extensions(error.original_error)
        )
    if (error.extensions or {}).get("code"):
        return error
    return _shape_document_error(error)


def _shape_document_error(error: GraphQLError) -> GraphQLError:
    """Parse and validation errors: the document is wrong, or a variable has the wrong type."""
    extensions = dict(error.extensions or {})
    if _TOO_BIG.search(error.message):
        # Depth, aliases and tokens are limits like the cost budget: one code for all of them.
        extensions["code"] = Code.QUERY_TOO_COMPLEX.value
    elif error.message.startswith("Syntax Error"):
        extensions["code"] = "GRAPHQL_PARSE_FAILED"
    elif bad_variable := _BAD_VARIABLE.match(error.message):
        extensions["code"] = Code.INVALID_INPUT.value
        at = _AT_PATH.search(error.message) or _FIELD_NAMED.search(error.message)
        # 'input.email' -> 'email': the field of the mutation's input, as UserError names it.
        field = at.group(1).split(".")[-1] if at else bad_variable.group(1)
        extensions["field"] = field
        # graphql-core's message echoes the submitted values (passwords included): replace it.
        missing = "required field" in error.message or "was not provided" in error.message
        reason = "is required" if missing else "has the wrong type"
        return _rebuild(error, f"`{field}` {reason}.", extensions, path=None)
    else:
        extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
    # graphql-core quotes the document (field names, values): bounded, like our own messages.
    message = error.message if len(error.message) <= 300 else error.message[:300] + "…"
    return _rebuild(error, message, extensions, original_error=error.original_error)


def domain_extensions(error: DomainError) -> dict[str, Any]:
    """``code``, ``field`` when set, and the details a JSON client can read, camelCased."""
    extensions: dict[str, Any] = {"code": error.code.value}
    if error.field is not None:
        extensions["field"] = error.field
    for key, value in error.details.items():
        if _json_safe(value):
            head, *rest = key.split("_")
            extensions[head + "".join(part.title() for part in rest)] = value
    return extensions


def _json_safe(value: object) -> bool:
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list | tuple):
        return all(_json_safe(v) for v in value)
    return False


# graphql-core's wordings (3.2 and 3.3) for variables that fail coercion: wrong type, missing
# field, null where non-null.
_BAD_VARIABLE = re.compile(
    r"^Variable '\$(\w+)' (?:got invalid value|has invalid value|of required type|of non-null type)"
)
# Strawberry's depth and alias limiters and graphql-core's token limit.
_TOO_BIG = re.compile(r"exceeds maximum operation depth|aliases found|more than \d+ tokens")
_AT_PATH = re.compile(r" at '?\.?([\w.\[\]]+)'?[:;]")
_FIELD_NAMED = re.compile(r"(?:Field|required field) '(\w+)'")
