"""``/cdn/...``: the development stand-in for CloudFront over local storage.

It serves a file only for a valid, unexpired signature over the same canned or custom policy
CloudFront would check (verified with the public key), with byte ranges for video seeking.
A path maps to ``<storage root>/<path>``: locally a CloudFront path is ``/<bucket>/<key>``.
"""

from __future__ import annotations

import mimetypes

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from edxelera_gql.infra.cloudfront import check_signature
from edxelera_gql.infra.storage import safe_key

CONTENT_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t"}


def _forbidden(reason: str) -> Response:
    return JSONResponse({"error": "AccessDenied", "message": reason}, status_code=403)


async def serve_cdn(request: Request) -> Response:
    state = request.app.state
    signer = state.url_signer
    raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    url = state.settings.public_base_url + raw_path
    if not check_signature(
        url,
        request.url.query,
        public_key=signer.public_key,
        key_pair_id=signer.key_pair_id,
        now=state.clock.now(),
    ):
        return _forbidden("Missing, invalid or expired signature.")
    try:
        relative = safe_key(request.path_params["path"])
    except ValueError:
        return _forbidden("Invalid path.")
    path = state.storage.root / relative
    if not path.is_file():
        return JSONResponse({"error": "NoSuchKey"}, status_code=404)
    media_type = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    # FileResponse answers Range requests (206) itself, which video seeking needs.
    return FileResponse(
        path,
        media_type=media_type or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=60"},
    )
