"""Error shaping: every error leaves with ``extensions.code``; unexpected ones are logged once
with their trace and request id, and masked in production."""

from __future__ import annotations

import logging
import re
from typing import Any

from graphql import GraphQLError

from edxelera_gql.errors import DomainError
from edxelera_gql.graphql.errors import ErrorCode

log = logging.getLogger("edxelera_gql.graphql")

MASKED_MESSAGE = "Internal server error."


def is_unexpected(error: GraphQLError) -> bool:
    """True for failures no resolver meant to report."""
    original = error.original_error
    if original is None:
        return False
    # Domain errors and GraphQL errors (including graphql-core's coercion errors) are meant
    # for the client; anything else is a bug.
    return not isinstance(original, DomainError | GraphQLError)


def _request_id(execution_context: Any) -> str | None:
    context = getattr(execution_context, "context", None)
    return getattr(context, "request_id", None)


def log_unexpected_errors(errors: list[GraphQLError], execution_context: Any) -> None:
    request_id = _request_id(execution_context)
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


def _shape(error: GraphQLError, mask: bool, request_id: str | None) -> GraphQLError:
    if is_unexpected(error):
        return GraphQLError(
            MASKED_MESSAGE if mask else error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": ErrorCode.INTERNAL_SERVER_ERROR.value, "requestId": request_id},
        )
    if isinstance(error.original_error, DomainError):
        domain = error.original_error
        return GraphQLError(
            domain.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": domain.code, **_camel(domain.details)},
        )
    if (error.extensions or {}).get("code"):
        return error
    # Parse and validation errors: the document is wrong, or a variable has the wrong type.
    extensions = dict(error.extensions or {})
    if error.message.startswith("Syntax Error"):
        extensions["code"] = "GRAPHQL_PARSE_FAILED"
    elif bad_variable := _BAD_VARIABLE.match(error.message):
        extensions["code"] = ErrorCode.INVALID_INPUT.value
        at = _AT_PATH.search(error.message) or _FIELD_NAMED.search(error.message)
        # 'input.email' -> 'email': the field of the mutation's input, as UserError names it.
        field = at.group(1).split(".")[-1] if at else bad_variable.group(1)
        extensions["field"] = field
        # graphql-core's message echoes the submitted values (passwords included): replace it.
        missing = "required field" in error.message or "was not provided" in error.message
        reason = "is required" if missing else "has the wrong type"
        return GraphQLError(
            f"`{field}` {reason}.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            original_error=None,
            extensions=extensions,
        )
    else:
        extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )


# graphql-core's wordings (3.2 and 3.3) for variables that fail coercion: wrong type, missing
# field, null where non-null.
_BAD_VARIABLE = re.compile(
    r"^Variable '\$(\w+)' (?:got invalid value|has invalid value|of required type|of non-null type)"
)
_AT_PATH = re.compile(r" at '?\.?([\w.\[\]]+)'?[:;]")
_FIELD_NAMED = re.compile(r"(?:Field|required field) '(\w+)'")


def _camel(details: dict[str, object]) -> dict[str, object]:
    out = {}
    for key, value in details.items():
        head, *rest = key.split("_")
        out[head + "".join(part.title() for part in rest)] = value
    return out
