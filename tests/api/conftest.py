"""An app per test, driven over HTTP (httpx's ASGI transport) exactly as the frontend would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from edxelera_gql.app import create_app
from edxelera_gql.settings import Settings
from tests.support.clock import MovableClock


@pytest.fixture
async def app(settings: Settings, clock: MovableClock, cache: Any) -> AsyncIterator[Starlette]:
    # `cache` is requested so the Redis test database is flushed after the test.
    app = create_app(settings, clock=clock, setup_logging=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


class GraphQLClient:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        # 401: a refused bearer token (TOKEN_EXPIRED / INVALID_TOKEN); tests read the code.
        assert response.status_code in (200, 401), response.text
        return response.json()


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)
