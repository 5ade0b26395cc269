"""An app per test, driven over HTTP (the ``client`` and ``gql`` fixtures of
``tests.support.http_client``) exactly as the frontend would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

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
