"""GraphiQL from the package: a page that loads nothing from another origin, under a strict
CSP, with its vendored assets served (and pinned), and none of it in production."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from edxelera_gql.graphiql.page import (
    CONTENT_SECURITY_POLICY,
    SCRIPTS,
    STATIC_DIR,
    STYLES,
    asset_url,
)
from tests.api.test_limits_and_errors import prod_client  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
URL_ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


async def _page(client) -> str:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["x-content-type-options"] == "nosniff"
    return page.text


async def test_the_page_loads_only_same_origin_assets(client) -> None:
    html = await _page(client)
    urls = URL_ATTRIBUTE.findall(html)
    assets = [u for u in urls if u != "data:,"]  # the empty icon, so no /favicon.ico request
    assert assets == [asset_url(n) for n in (*STYLES, *SCRIPTS)]
    assert all(u.startswith("/graphiql/static/") for u in assets)
    assert not [u for u in urls if re.match(r"(?:[a-z]+:)?//", u, re.IGNORECASE)]
    assert "unpkg" not in html
    assert "jsdelivr" not in html
    # The CSP allows no inline script and only one injected style: the page has neither.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html
    assert " style=" not in html
    assert 'data-endpoint="/graphql"' in html


async def test_the_policy_allows_nothing_from_another_origin(client) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    policy = page.headers["content-security-policy"]
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    # Styles: files from 'self' and one injected <style> by hash, no 'unsafe-inline'.
    assert re.fullmatch(r"'self' 'sha256-[A-Za-z0-9+/]{43}='", directives["style-src"])
    assert "unsafe" not in policy
    assert "http" not in policy
    assert "*" not in policy


async def test_each_asset_is_served_with_its_type_and_cached_for_good(client) -> None:
    for name in (*STYLES, *SCRIPTS):
        response = await client.get(asset_url(name))
        assert response.status_code == 200, name
        assert response.headers["content-type"] == CONTENT_TYPES[Path(name).suffix]
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.content == (STATIC_DIR / name).read_bytes()
    head = await client.head(asset_url("graphiql.min.js"))
    assert head.status_code == 200


async def test_only_the_pages_assets_at_the_current_version_are_served(client) -> None:
    current = asset_url("graphiql.min.js")
    stale = current.replace("/static/", "/static/0", 1)
    for path in (
        stale,
        asset_url("VERSIONS.txt"),
        asset_url("LICENSES/react.LICENSE"),
        asset_url("..%2Fpage.py"),
        asset_url("missing.js"),
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_production_serves_neither_the_page_nor_its_assets(prod_client) -> None:  # noqa: F811
    # A browser there gets a JSON refusal (406: it takes no JSON), never the page.
    page = await prod_client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 406
    assert page.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    browser = await prod_client.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})
    assert browser.status_code == 400
    assert "graphiql" not in browser.text.lower()
    for name in (*STYLES, *SCRIPTS):
        assert (await prod_client.get(asset_url(name))).status_code == 404, name


def test_the_vendored_files_match_their_pinned_hashes() -> None:
    rows = [
        line.split()
        for line in (STATIC_DIR / "VERSIONS.txt").read_text().splitlines()
        if re.search(r"\s[0-9a-f]{64}$", line)
    ]
    pinned = {row[0]: row[-1] for row in rows}
    vendored = {
        n for n in (*STYLES, *SCRIPTS) if n not in {"graphiql-boot.js", "graphiql-page.css"}
    }
    licenses = {f"LICENSES/{p}.LICENSE" for p in ("graphiql", "react", "react-dom")}
    assert set(pinned) == vendored | licenses
    for name, digest in pinned.items():
        assert hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest() == digest, name


def test_the_wheel_takes_every_static_file() -> None:
    """The package data globs (pyproject.toml) cover all of static/, so a wheel works too."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["edxelera_gql.graphiql"]
    package = STATIC_DIR.parent
    packaged = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    assert packaged == {p for p in STATIC_DIR.rglob("*") if p.is_file()}
