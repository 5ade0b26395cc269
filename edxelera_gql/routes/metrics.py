"""``GET /metrics``: the Prometheus exposition, behind a bearer token when one is set.

Production serves it only with ``METRICS_TOKEN`` (``create_app`` leaves the route out
otherwise): the numbers name operations and error rates, which is not for the public.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from edxelera_gql.infra import metrics


def _authorized(request: Request, token: str | None) -> bool:
    if token is None:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


async def metrics_endpoint(request: Request) -> Response:
    if not _authorized(request, request.app.state.settings.metrics_token):
        return JSONResponse(
            {"message": "Send Authorization: Bearer <METRICS_TOKEN>."},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)
