"""The Strawberry ASGI view, wired to the app's resources through a per-request context."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.http.base import HTTPException  # what Strawberry answers as a 4xx
from strawberry.types import ExecutionResult

from edxelera_gql.auth import viewers
from edxelera_gql.auth.tokens import InvalidToken
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.graphiql.page import PAGE_HEADERS, graphiql_html
from edxelera_gql.graphql.context import Context, Loaders
from edxelera_gql.graphql.errors import shape_errors

log = logging.getLogger(__name__)


async def resolve_viewer(request: Request) -> tuple[Viewer | None, Exception | None]:
    """Anonymous without a token; a refused token is an error, never silently anonymous."""
    header = request.headers.get("authorization")
    if header is None:
        return None, None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, DomainError(Code.UNAUTHENTICATED, "Malformed Authorization header.")
    state = request.app.state
    now = state.clock.now()
    try:
        claims = state.token_codec.verify(token.strip(), now=now)
    except InvalidToken as exc:
        log.info("access token refused", extra={"reason": str(exc)})
        return None, DomainError(Code.UNAUTHENTICATED, "Invalid or expired access token.")
    try:
        record = await viewers.load_viewer(
            state.sessionmaker,
            state.cache,
            claims,
            now=now,
            ttl_seconds=state.settings.viewer_cache_ttl_seconds,
        )
    except DomainError as refused:
        return None, refused
    return Viewer(user_id=record.user_id, roles=record.roles, session_id=claims.session_id), None


class GraphQLView(GraphQL):
    @property
    def graphql_ide_html(self) -> str:
        # Our vendored GraphiQL, not Strawberry's page from a CDN: it works offline.
        return graphiql_html()

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self.graphql_ide_html, headers=PAGE_HEADERS)

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
        except RecursionError as exc:
            # The C decoder recurses per nesting level; thousands of levels are an attack.
            raise HTTPException(400, "Request body is nested too deeply.") from exc

    async def get_context(self, request: Request, response: Response | Any) -> Context:  # type: ignore[override]
        state = request.app.state
        viewer, auth_error = await resolve_viewer(request)
        return Context(
            request=request,
            response=response,
            settings=state.settings,
            sessionmaker=state.sessionmaker,
            clock=state.clock,
            cache=state.cache,
            request_id=request.scope.get("state", {}).get("request_id", ""),
            loaders=Loaders(state.sessionmaker),
            tokens=state.token_codec,
            paystack=state.paystack,
            signer=state.url_signer,
            storage=state.storage,
            viewer=viewer,
            auth_error=auth_error,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = shape_errors(
                result.errors,
                mask=request.app.state.settings.is_production,
                request_id=request.scope.get("state", {}).get("request_id"),
            )
        return process_result(result)
