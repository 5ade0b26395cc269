"""The GraphiQL page, its security headers, and the route serving its vendored assets.

Asset URLs carry a digest of the files (``/graphiql/static/<digest>/<name>``): updating a
vendored file or editing the boot script changes every URL, so browsers may cache each one
forever and never mix versions.
"""

from __future__ import annotations

import hashlib
from functools import cache
from html import escape
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/graphiql/static/"

# What the page loads, in load order. Only these are served: the route has nothing to list.
STYLES = ("graphiql.min.css", "graphiql-page.css")
SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql-boot.js",
)
# Fixed here rather than guessed from the platform's MIME table, which varies (nosniff is strict).
CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

DIALOG_STYLE_HASH = "sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc="
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        # Plus the one <style> GraphiQL injects, when a dialog opens (react-remove-scroll-bar,
        # with a 0px gap since the page never scrolls). After an update, open a dialog: a
        # changed hash shows as a CSP error in the console, which the browser test checks.
        f"style-src 'self' '{DIALOG_STYLE_HASH}'",
        # The bundled fonts and icons are data: URLs inside graphiql.min.css.
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # The page names the assets' digest; a stale page would ask for files no longer served.
    "Cache-Control": "no-cache",
}
ASSET_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}

_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>EdXelera GraphiQL</title>
    <!-- An empty icon, so the browser asks for no /favicon.ico. -->
    <link rel="icon" href="data:,">
{styles}
{scripts}
  </head>
  <body>
    <div id="graphiql" data-endpoint="{endpoint}">Loading...</div>
    <noscript>GraphiQL needs JavaScript.</noscript>
  </body>
</html>
"""


@cache
def asset_version() -> str:
    """A digest of every served file, names included; read once per process (restart the
    server after editing a file in static/)."""
    digest = hashlib.sha256()
    for name in (*STYLES, *SCRIPTS):
        digest.update(name.encode() + b"\0")
        digest.update((STATIC_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def asset_url(name: str) -> str:
    return f"{STATIC_PATH}{asset_version()}/{name}"


def graphiql_html(endpoint: str = "/graphql") -> str:
    """The page: same-origin assets only, and no inline script or style (see the CSP)."""
    styles = "\n".join(f'    <link rel="stylesheet" href="{asset_url(n)}">' for n in STYLES)
    # defer: run in order once the document is parsed, so the boot script finds #graphiql.
    scripts = "\n".join(f'    <script defer src="{asset_url(n)}"></script>' for n in SCRIPTS)
    return _PAGE.format(styles=styles, scripts=scripts, endpoint=escape(endpoint))


async def _asset(request: Request) -> Response:
    name = request.path_params["name"]
    if request.path_params["version"] != asset_version() or name not in (*STYLES, *SCRIPTS):
        raise HTTPException(404)
    return FileResponse(
        STATIC_DIR / name,
        media_type=CONTENT_TYPES[Path(name).suffix],
        headers=ASSET_HEADERS,
    )


def graphiql_routes() -> list[BaseRoute]:
    """The assets' route; the app adds it only where GraphiQL is on (not in production)."""
    return [Route(STATIC_PATH + "{version}/{name}", _asset, methods=["GET", "HEAD"])]
