"""GraphQL over HTTP: reading a request's parameters and writing the answer.

- POST takes `application/json` only (a browser form cannot send it without a CORS preflight:
  no cross-site request forgery); GET takes URL parameters and runs queries only.
- The answer is `application/graphql-response+json` when the client accepts it (the spec's
  status codes: 400 when nothing ran), else `application/json` (200 whenever GraphQL ran).
- Every refusal is a JSON GraphQL error with a code, never plain text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from edxelera_gql.errors import Code
from edxelera_gql.graphql.operations import RequestError

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


@dataclass(frozen=True)
class Params:
    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def negotiate(accept: str | None) -> str:
    """The media type to answer with; 406 when the client takes neither JSON type."""
    if not accept:
        return JSON
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *options = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, media.lower()))
    for _quality, _position, media in sorted(ranked):
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in (JSON, "application/*", "*/*"):
            return JSON
    raise RequestError(406, Code.BAD_REQUEST, f"Accept {GRAPHQL_RESPONSE} or {JSON}.", media=JSON)


def _decoded(raw: str | bytes, what: str) -> Any:
    try:
        return json.loads(raw)
    except RecursionError as exc:
        # The C decoder recurses per nesting level; thousands of levels are an attack.
        raise RequestError(400, Code.BAD_REQUEST, f"{what} is nested too deeply.") from exc
    except (ValueError, UnicodeError) as exc:
        raise RequestError(400, Code.BAD_REQUEST, f"{what} is not valid JSON.") from exc


def _object(value: Any, name: str) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    raise RequestError(400, Code.BAD_REQUEST, f"`{name}` must be an object.")


def _string(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise RequestError(400, Code.BAD_REQUEST, f"`{name}` must be a string.")


def _params(data: Any) -> Params:
    if isinstance(data, list):
        raise RequestError(400, Code.BAD_REQUEST, "Batched requests are not supported.")
    if not isinstance(data, dict):
        raise RequestError(400, Code.BAD_REQUEST, "The request body must be a JSON object.")
    return Params(
        query=_string(data.get("query"), "query"),
        variables=_object(data.get("variables"), "variables"),
        operation_name=_string(data.get("operationName"), "operationName"),
        extensions=_object(data.get("extensions"), "extensions"),
    )


async def read_params(request: Request) -> Params:
    if request.method == "GET":
        query = request.query_params
        return _params(
            {
                "query": query.get("query"),
                "operationName": query.get("operationName") or None,
                "variables": _decoded(query["variables"], "`variables`")
                if query.get("variables")
                else None,
                "extensions": _decoded(query["extensions"], "`extensions`")
                if query.get("extensions")
                else None,
            }
        )
    if request.method != "POST":
        raise RequestError(405, Code.BAD_REQUEST, "Use GET or POST.", allow="GET, POST")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise RequestError(415, Code.BAD_REQUEST, f"Send the request as {JSON}.")
    return _params(_decoded(await request.body(), "The request body"))


def json_response(
    body: dict[str, Any], *, status: int, media: str, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status_code=status,
        media_type=f"{media}; charset=utf-8",
        headers=headers,
    )


def error_body(code: Code, message: str, **extensions: Any) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code.value, **extensions}}]}


# A refusal is about this request only: a CDN that kept one (an APQ miss above all) would keep
# refusing a document that has since been registered.
REFUSAL_HEADERS = {"Cache-Control": "private, no-store", "Vary": "Accept, Authorization"}


def refusal_response(error: RequestError, media: str) -> Response:
    headers = {key.replace("_", "-"): value for key, value in error.headers.items()}
    headers = REFUSAL_HEADERS | headers
    media = headers.pop("media", media)
    body = error_body(error.code, error.message)
    return json_response(body, status=error.status, media=media, headers=headers)
