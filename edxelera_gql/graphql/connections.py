"""Relay-style connections (`edges { cursor node }`, `nodes`, `pageInfo`) with keyset cursors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from edxelera_gql.errors import Code, DomainError

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# The arguments of every connection field.
FIRST = (
    f"How many items to return: 0 to {MAX_PAGE_SIZE}, {DEFAULT_PAGE_SIZE} when omitted or "
    "null; outside that range the field fails with INVALID_INPUT (`field` = `first`). Each "
    "item multiplies the cost of the fields selected under it (QUERY_TOO_COMPLEX)."
)
AFTER = (
    "Returns the items after this cursor: the `pageInfo.endCursor` (or an `edges.cursor`) of "
    "the same list. Omit it for the first page. Cursors are opaque; a malformed one fails "
    "with INVALID_INPUT (`field` = `after`)."
)


@strawberry.type(
    description="Where a page sits in its list. Paging goes forward only, with `first` and "
    "`after`: there is no `last` or `before`."
)
class PageInfo:
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null on an empty page."
    )
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    start_cursor: str | None = strawberry.field(
        default=None, description="The first edge's cursor; null on an empty page."
    )
    has_previous_page: bool = strawberry.field(
        default=False,
        description="Items come before this page (true whenever `after` was given).",
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="Opaque position of this item: pass it as `after` for the items after it."
    )
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(
    description="A page of a list (a Relay connection): the items as `edges` (with cursors) "
    "or as `nodes`, and `pageInfo` to ask for the next page. Stays correct while items are "
    "added: cursors are keyset positions, not offsets."
)
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(
        description="The items of this page with their cursors, in list order."
    )
    page_info: PageInfo = strawberry.field(
        description="Whether more items follow, and the cursor to ask for them."
    )

    @strawberry.field(description="The items of this page, in list order (`edges { node }`).")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def encode_cursor(values: Sequence[Any]) -> str:
    """Opaque cursor over the ordering columns of the last row of a page."""
    return base64.urlsafe_b64encode(json.dumps(list(values), default=str).encode()).decode()


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a cursor value")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        # NaN and Infinity are JSON to Python, never to us.
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()), parse_constant=_no_constants)
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise DomainError(Code.INVALID_INPUT, "Malformed cursor.", field="after") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise DomainError(Code.INVALID_INPUT, "Malformed cursor.", field="after")
    return values


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0 or first > MAX_PAGE_SIZE:
        raise DomainError(
            Code.INVALID_INPUT,
            f"`first` must be between 0 and {MAX_PAGE_SIZE}.",
            field="first",
        )
    return first


def build_connection(
    rows: Sequence[RowT],
    first: int,
    *,
    cursor_of: Callable[[RowT], Sequence[Any]],
    node_of: Callable[[RowT], NodeT],
    after: str | None = None,
) -> Connection[NodeT]:
    """``rows`` holds up to ``first + 1`` rows; the extra one only says there is a next page."""
    page = rows[:first]
    edges = [Edge(cursor=encode_cursor(cursor_of(row)), node=node_of(row)) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            end_cursor=edges[-1].cursor if edges else None,
            has_next_page=len(rows) > first,
            start_cursor=edges[0].cursor if edges else None,
            has_previous_page=after is not None,
        ),
    )
