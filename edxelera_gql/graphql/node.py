"""The `Node` interface and `node(id:)` / `nodes(ids:)`.

Each domain registers, for each of its node types, a resolver that loads the object through the
same service and access check as the field that exposes it. An object the viewer may not see
answers like an unknown one (NOT_FOUND), so ids never leak what exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from edxelera_gql.errors import Code, DomainError
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.ids import parse_global_id, type_of

MAX_NODES = 100
# Refusals that say "try again later", not "no such object": they keep their code.
_KEEP_CODE = (Code.RATE_LIMITED, Code.SERVICE_UNAVAILABLE)

NodeResolver = Callable[[Info[Context, None], list[str]], Awaitable[Any]]
_RESOLVERS: dict[str, tuple[int, NodeResolver]] = {}


@strawberry.interface(
    description="An object with a global id. Ids are opaque global ids: unique across all "
    "types, stable across releases, never to be built or parsed by clients. `node(id:)` "
    "fetches the object again, checking access exactly like the field that exposed it. "
    "Clients may normalise caches by `__typename` and `id`."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="Globally unique, opaque and stable; pass it to `node(id:)` or "
        "`nodes(ids:)` to fetch the object again."
    )


def node_resolver(type_name: str, arity: int = 1) -> Callable[[NodeResolver], NodeResolver]:
    """Registers how to load ``type_name`` from its id's ``arity`` keys."""

    def register(resolve: NodeResolver) -> NodeResolver:
        _RESOLVERS[type_name] = (arity, resolve)
        return resolve

    return register


def registered_types() -> list[str]:
    return sorted(_RESOLVERS)


def not_found() -> DomainError:
    return DomainError(Code.NOT_FOUND, "No object has this id, or you may not see it.")


async def resolve_node(info: Info[Context, None], id: str) -> Any:
    entry = _RESOLVERS.get(type_of(id) or "")
    parsed = parse_global_id(id, entry[0]) if entry else None
    if entry is None or parsed is None:
        raise not_found()
    try:
        found = await entry[1](info, parsed[1])
    except DomainError as refused:
        # Refused or unknown both read as "no such object": existence must not leak. Token and
        # rate-limit refusals keep their code so the client can act on them.
        if refused.code in _KEEP_CODE:
            raise
        raise not_found() from refused
    if found is None:
        raise not_found()
    return found


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="The object with this global id (the `id` of any type implementing "
        "Node). Ids are opaque global ids; access is checked like the field that exposes the "
        "object (a program like `program(slug:)`, a week hub like `weekHub`, a payment only "
        "for its payer). An unknown id and an object the viewer may not see both answer null "
        "with a NOT_FOUND error, so ids reveal nothing; RATE_LIMITED and SERVICE_UNAVAILABLE "
        "keep their own code."
    )
    async def node(
        self,
        info: Info[Context, None],
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="A global id, as an `id` field answered it."),
        ],
    ) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(
        description="Several objects by opaque global id, one entry per id in the order "
        "asked. Access is checked for each like `node(id:)`, but an unknown id or an object "
        "the viewer may not see is a null entry, with no error; RATE_LIMITED and "
        "SERVICE_UNAVAILABLE fail the field, as for `node`. More than "
        f"{MAX_NODES} ids fail with INVALID_INPUT (`field` = `ids`)."
    )
    async def nodes(
        self,
        info: Info[Context, None],
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description=f"Global ids from `id` fields, at most {MAX_NODES}; repeats are "
                "answered again."
            ),
        ],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise DomainError(
                Code.INVALID_INPUT, f"At most {MAX_NODES} ids per request.", field="ids"
            )
        results: list[Node | None] = []
        for one in ids:
            try:
                results.append(await resolve_node(info, one))
            except DomainError as refused:
                # A rate limit or an outage is not "unknown": the client must see it and retry.
                if refused.code in _KEEP_CODE:
                    raise
                results.append(None)
        return results
