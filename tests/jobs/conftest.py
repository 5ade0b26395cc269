"""Job tests drive the app over HTTP like the API tests, with the loopback Paystack sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from edxelera_gql.settings import Settings
from tests.api.conftest import GraphQLClient
from tests.support.clock import MovableClock
from tests.support.paystack import SandboxServer, paystack_settings, running_app


@pytest.fixture
async def app(
    settings: Settings, clock: MovableClock, cache: Any, paystack_server: SandboxServer
) -> AsyncIterator[Starlette]:
    async with running_app(paystack_settings(settings, paystack_server.url), clock) as app:
        yield app


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)
