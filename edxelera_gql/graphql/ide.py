"""The GraphiQL page served at `/graphql` to browsers (development only)."""

from __future__ import annotations

from strawberry.http.ides import get_graphql_ide_html


def graphiql_html() -> str:
    return get_graphql_ide_html("graphiql")
