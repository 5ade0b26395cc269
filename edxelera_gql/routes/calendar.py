"""``GET /calendar/{token}.ics``: a learner's private schedule for calendar apps to subscribe to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from edxelera_gql.learning.calendar_feed import feed_document


async def calendar_feed(request: Request) -> Response:
    state = request.app.state
    document = await feed_document(
        state.sessionmaker,
        token=request.path_params["token"],
        public_base_url=state.settings.public_base_url,
        issuer=state.settings.certificate_issuer_name,
        now=state.clock.now(),
    )
    if document is None:
        return Response("No such calendar.", status_code=404, media_type="text/plain")
    return Response(
        document,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="edxelera.ics"',
        },
    )
