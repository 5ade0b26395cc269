"""The `/graphql` endpoint: GraphQL over HTTP, persisted queries, the bearer token, GraphiQL.

Order matters: the request is read and its document parsed before the token is looked at, so
the sign-in mutations can ignore a stale token; a refused token then answers 401 before any
field runs, so it is never silently anonymous.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from graphql import GraphQLError
from graphql import OperationType as DocumentOperation
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http import process_result
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from edxelera_gql.auth import viewers
from edxelera_gql.auth.tokens import AccessClaims, ExpiredToken, InvalidToken
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.graphiql.page import PAGE_HEADERS
from edxelera_gql.graphql.context import Context, Loaders
from edxelera_gql.graphql.errors import shape_errors
from edxelera_gql.graphql.operations import RequestError, parse_document, select_operation
from edxelera_gql.graphql.persisted import PersistedQueries
from edxelera_gql.graphql.result_cache import ResultCache, eligible, result_key
from edxelera_gql.graphql.schema import EdxSchema
from edxelera_gql.graphql.transport import (
    GRAPHQL_RESPONSE,
    json_response,
    negotiate,
    read_params,
    refusal_response,
)
from edxelera_gql.infra import metrics, tracing
from edxelera_gql.infra.versions import Dependencies

log = logging.getLogger(__name__)

# Where ``_run`` leaves the operation's name and type for the latency histogram.
OPERATION_KEY = "edx.operation"


def _token_refused(code: Code, message: str, description: str) -> RequestError:
    challenge = f'Bearer error="invalid_token", error_description="{description}"'
    return RequestError(401, code, message, www_authenticate=challenge)


def bearer_claims(request: Request) -> AccessClaims | None:
    """None without a token; a refused token raises a 401 RequestError."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _token_refused(
            Code.INVALID_TOKEN, "Malformed Authorization header.", "Send: Bearer <token>"
        )
    state = request.app.state
    try:
        return state.token_codec.verify(token.strip(), now=state.clock.now())
    except ExpiredToken as exc:
        raise _token_refused(
            Code.TOKEN_EXPIRED,
            "The access token expired: refresh it (refreshSession) and retry.",
            "The access token expired",
        ) from exc
    except InvalidToken as exc:
        log.info("access token refused", extra={"reason": str(exc)})
        raise _token_refused(
            Code.INVALID_TOKEN, "Invalid access token: sign in again.", "Invalid access token"
        ) from exc


async def viewer_of(
    request: Request, claims: AccessClaims, prefetched: list[bytes | None] | None = None
) -> Viewer:
    """The token's viewer; a session signed out or revoked answers 401."""
    state = request.app.state
    try:
        record = await viewers.load_viewer(
            state.sessionmaker,
            state.cache,
            claims,
            now=state.clock.now(),
            ttl_seconds=state.settings.viewer_cache_ttl_seconds,
            prefetched=prefetched,
        )
    except DomainError as refused:
        code = Code.INVALID_TOKEN if refused.code == Code.UNAUTHENTICATED else refused.code
        raise _token_refused(code, refused.message, "The session has ended") from refused
    return Viewer(
        user_id=record.user_id,
        roles=record.roles,
        session_id=claims.session_id,
        staff_roles=record.staff_roles,
    )


def _context(request: Request, viewer: Viewer | None, deps: Dependencies | None) -> Context:
    state = request.app.state
    return Context(
        request=request,
        response=None,
        settings=state.settings,
        sessionmaker=state.sessionmaker,
        clock=state.clock,
        cache=state.cache,
        request_id=request.scope.get("state", {}).get("request_id", ""),
        loaders=Loaders(state.sessionmaker, tracer=state.tracer),
        tokens=state.token_codec,
        paystack=state.paystack,
        signer=state.url_signer,
        storage=state.storage,
        viewer=viewer,
        deps=deps,
    )


def _wants_ide(request: Request) -> bool:
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "extensions" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )


class GraphQLEndpoint:
    def __init__(
        self, schema: EdxSchema, *, persisted: PersistedQueries, ide_html: str | None
    ) -> None:
        self.schema = schema
        self.persisted = persisted
        self.ide_html = ide_html

    async def handle(self, request: Request) -> Response:
        if _wants_ide(request) and self.ide_html is not None:
            return HTMLResponse(self.ide_html, headers=PAGE_HEADERS)
        started = time.perf_counter()
        try:
            return await self._negotiated(request)
        finally:
            name, kind = request.scope.get(OPERATION_KEY, (None, "unknown"))
            metrics.observe_graphql(name, kind, time.perf_counter() - started)

    async def _negotiated(self, request: Request) -> Response:
        try:
            media = negotiate(request.headers.get("accept"))
        except RequestError as refused:
            metrics.count_errors([refused.code.value], "request")
            return refusal_response(refused, "application/json")
        try:
            return await self._run(request, media)
        except RequestError as refused:
            metrics.count_errors([refused.code.value], "request")
            return refusal_response(refused, media)

    async def _run(self, request: Request, media: str) -> Response:
        settings = request.app.state.settings
        params = await read_params(request)
        query = await self.persisted.resolve(
            params.query, params.extensions, request.app.state.cache
        )
        try:
            document = parse_document(query, max_tokens=settings.graphql_max_tokens)
        except GraphQLError as parse_error:
            return self._answer(
                request, media, ExecutionResult(data=None, errors=[parse_error]), get=False
            )
        operation = select_operation(document, params.operation_name)
        request.scope[OPERATION_KEY] = (operation.name, operation.type.value)
        tracing.name_operation(operation.name, operation.type.value)
        is_get = request.method == "GET"
        if is_get and operation.type != DocumentOperation.QUERY:
            raise RequestError(
                405, Code.BAD_REQUEST, "Only queries run over GET: send it with POST.", allow="POST"
            )
        claims = None if operation.token_free else bearer_claims(request)
        key = None
        hot = operation.type == DocumentOperation.QUERY and eligible(operation.root_fields)
        if claims is not None and hot:
            key = result_key(query, params.operation_name, params.variables, claims.user_id)
        if key is None:
            viewer = None if claims is None else await viewer_of(request, claims)
        else:
            assert claims is not None
            # The hot path: the viewer, the answer and its versions in one round trip.
            found = await self.results(request).fetch(viewers.viewer_key(claims), key)
            viewer = await viewer_of(request, claims, found[0][:1] if found else None)
            now = request.app.state.clock.now()
            if found is not None:
                hit = self.results(request).check(found[0][1], found[1], viewer, now)
            else:  # Redis could not answer: this process's copy, if the database agrees
                hit = await self.results(request).get_held(key, viewer, now)
            if hit is not None:
                return self._cached_answer(hit, media, get=is_get)
        deps = Dependencies() if key is not None else None
        result = await self.schema.execute(
            query,
            variable_values=params.variables,
            context_value=_context(request, viewer, deps),
            operation_name=params.operation_name,
            allowed_operation_types={OperationType.QUERY} if is_get else None,
        )
        response = self._answer(request, media, result, get=is_get, anonymous=viewer is None)
        if key is not None and deps is not None and viewer is not None and not result.errors:
            body = bytes(response.body)
            now = request.app.state.clock.now()
            await self.results(request).put(key, deps, viewer, body, now)
        return response

    @staticmethod
    def results(request: Request) -> ResultCache:
        results: ResultCache = request.app.state.result_cache
        return results

    @staticmethod
    def _cached_answer(body: bytes, media: str, *, get: bool) -> Response:
        headers = _cache_headers(0, get=get, anonymous=False, ok=True)
        return Response(
            body, status_code=200, media_type=f"{media}; charset=utf-8", headers=headers
        )

    def _answer(
        self,
        request: Request,
        media: str,
        result: ExecutionResult,
        *,
        get: bool,
        anonymous: bool = True,
    ) -> Response:
        settings = request.app.state.settings
        if result.errors:
            result.errors = shape_errors(
                result.errors,
                mask=settings.is_production,
                request_id=request.scope.get("state", {}).get("request_id"),
            )
            metrics.count_errors(
                [str((e.extensions or {}).get("code", "UNKNOWN")) for e in result.errors],
                "top_level",
            )
        body: dict[str, Any] = dict(process_result(result))
        # Nothing ran (parse, validation, variables): a request error has no `data` at all.
        request_error = result.data is None and all(not e.path for e in result.errors or [])
        if request_error:
            body.pop("data", None)
        status = 400 if request_error and media == GRAPHQL_RESPONSE else 200
        return json_response(
            body,
            status=status,
            media=media,
            headers=_cache_headers(
                settings.graphql_get_cache_seconds,
                get=get,
                anonymous=anonymous,
                ok=not result.errors,
            ),
        )


def _cache_headers(seconds: int, *, get: bool, anonymous: bool, ok: bool) -> dict[str, str]:
    """Only an anonymous GET answer without errors may be shared (by a CDN); the rest never."""
    headers = {"Vary": "Accept, Authorization"}
    if not get or not anonymous or not ok:
        headers["Cache-Control"] = "private, no-store"
    elif seconds > 0:
        headers["Cache-Control"] = f"public, max-age={seconds}"
    else:
        headers["Cache-Control"] = "no-cache"  # shareable, but always revalidated
    return headers
