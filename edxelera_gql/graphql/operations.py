"""What a request asks for, decided before anything runs: the document parsed (cached), the one
operation it selects, that operation's type and its root fields.

The HTTP view needs these to answer as the GraphQL-over-HTTP spec says (several operations
without `operationName` is an error, mutations are refused over GET) and to let the sign-in
mutations through when the bearer token is stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    parse,
)

from edxelera_gql.errors import Code
from edxelera_gql.text import quote

# Operations made only of these root fields ignore the Authorization header: a client holding an
# expired access token must still be able to refresh it, sign in again or sign out.
TOKEN_FREE_FIELDS = frozenset({"signUp", "signIn", "refreshSession", "signOut", "__typename"})


class RequestError(Exception):
    """The request cannot run: answered with ``status`` and one error carrying ``code``."""

    def __init__(self, status: int, code: Code, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


@dataclass(frozen=True)
class Operation:
    type: OperationType
    root_fields: frozenset[str] | None  # None: fragments at the root, not known without them
    name: str | None = None  # the operation's own name (metrics and traces label by it)

    @property
    def token_free(self) -> bool:
        return self.root_fields is not None and self.root_fields <= TOKEN_FREE_FIELDS


@lru_cache(maxsize=512)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def parse_document(query: str, *, max_tokens: int) -> DocumentNode:
    """The parsed document; a syntax error (or too many tokens) is raised as a GraphQLError,
    which `shape_errors` codes like any document error."""
    try:
        return _parse(query, max_tokens)
    except GraphQLSyntaxError as error:
        raise GraphQLError(error.message, source=error.source, positions=error.positions) from error


def select_operation(document: DocumentNode, operation_name: str | None) -> Operation:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise RequestError(
                400,
                Code.BAD_REQUEST,
                "The document holds several operations: say which one in `operationName`."
                if operations
                else "The document holds no operation.",
            )
        chosen = operations[0]
    else:
        found = [o for o in operations if o.name is not None and o.name.value == operation_name]
        if not found:
            raise RequestError(
                400,
                Code.BAD_REQUEST,
                f"No operation named {quote(operation_name)} in the document.",
            )
        chosen = found[0]
    selections = chosen.selection_set.selections
    fields = [s.name.value for s in selections if isinstance(s, FieldNode)]
    known = frozenset(fields) if len(fields) == len(selections) else None
    name = chosen.name.value if chosen.name is not None else None
    return Operation(type=chosen.operation, root_fields=known, name=name)
