"""Job tests drive the app over HTTP like the API tests, with the loopback Paystack sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette

from edxelera_gql.settings import Settings
from tests.support.clock import MovableClock
from tests.support.paystack import SandboxServer, paystack_settings, running_app


@pytest.fixture
async def app(
    settings: Settings, clock: MovableClock, cache: Any, paystack_server: SandboxServer
) -> AsyncIterator[Starlette]:
    async with running_app(paystack_settings(settings, paystack_server.url), clock) as app:
        yield app
