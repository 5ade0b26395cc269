"""Paystack for tests: the project's sandbox served on a loopback port, reached over real HTTP.

Fixtures are defined here under explicit names (``paystack_server``, ``paystack``, ``app``) and
imported by the payment test modules as their ``_..._fixture`` functions, because only the root
conftest may register plugins and the API tests' conftest is not ours to change.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.types import ASGIApp

from edxelera_gql.app import create_app
from edxelera_gql.auth.models import RefreshToken
from edxelera_gql.enrollment.models import Enrollment, PaymentEvent, PaymentTransaction
from edxelera_gql.paystack_sandbox import PaystackSandbox
from edxelera_gql.settings import Settings
from tests.support.clock import MovableClock

# A test key (never the app's development sandbox key), shared by the app and the sandbox.
TEST_PAYSTACK_SECRET = "sk_test_" + "edxelera0tests" * 3


class _InLoopServer(uvicorn.Server):
    """uvicorn in the test's event loop, leaving pytest's signal handlers alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class LoopbackServer:
    server: uvicorn.Server
    task: asyncio.Task[None]
    url: str

    async def stop(self) -> None:
        self.server.should_exit = True
        await asyncio.wait_for(self.task, 10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def serve(app: ASGIApp, *, lifespan: str = "off", port: int = 0) -> LoopbackServer:
    """Serves ``app`` on 127.0.0.1 (an ephemeral port unless given) until ``stop()``."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan=lifespan,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = _InLoopServer(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    else:
        raise RuntimeError("loopback server did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    return LoopbackServer(server, task, f"http://127.0.0.1:{port}")


@dataclass
class SandboxServer:
    sandbox: PaystackSandbox
    url: str


@pytest.fixture(scope="session", name="paystack_server")
async def _paystack_server_fixture() -> AsyncIterator[SandboxServer]:
    """One sandbox server for the whole run; each test resets its state."""
    sandbox = PaystackSandbox(secret_key=TEST_PAYSTACK_SECRET, webhook_url=None)
    server = await serve(sandbox.app, lifespan="on")
    yield SandboxServer(sandbox, server.url)
    await server.stop()


@pytest.fixture(name="paystack")
def _paystack_fixture(
    paystack_server: SandboxServer, clock: MovableClock
) -> Iterator[PaystackSandbox]:
    """The sandbox, emptied, on the test's clock, without a webhook URL unless a test sets one."""
    sandbox = paystack_server.sandbox
    sandbox.reset()
    sandbox.clock = clock
    sandbox.webhook_url = None
    yield sandbox
    sandbox.reset()


def paystack_settings(settings: Settings, base_url: str, **overrides: Any) -> Settings:
    """The test settings, talking to a Paystack at ``base_url`` with the test key."""
    return settings.with_overrides(
        paystack_secret_key=TEST_PAYSTACK_SECRET,
        paystack_base_url=base_url,
        paystack_callback_url="https://frontend.example/payments/return",
        paystack_timeout_seconds=1.0,
        **overrides,
    )


@asynccontextmanager
async def running_app(settings: Settings, clock: MovableClock) -> AsyncIterator[Starlette]:
    app = create_app(settings, clock=clock, setup_logging=False)
    async with app.router.lifespan_context(app):
        yield app


# -- what Paystack and the payer do --------------------------------------------------------------


async def deliver(
    client: httpx.AsyncClient, sandbox: PaystackSandbox, event: str, reference: str
) -> httpx.Response:
    """Posts the webhook Paystack would send, signed with the test key, to the app."""
    body, headers = sandbox.signed(sandbox.event(event, reference))
    return await client.post("/webhooks/paystack", content=body, headers=headers)


@dataclass(frozen=True)
class Redirect:
    location: str

    @property
    def reference(self) -> str:
        return parse_qs(urlsplit(self.location).query)["reference"][0]


async def checkout(authorization_url: str, button: str, *, amount: int | None = None) -> Redirect:
    """Opens the checkout page over HTTP like a browser, and presses Pay or Cancel."""
    async with httpx.AsyncClient(timeout=15) as browser:
        page = await browser.get(authorization_url)
        assert page.status_code == 200, page.text
        assert "Pay " in page.text
        assert "Cancel" in page.text
        # The form's own (relative) action, resolved as a browser resolves it.
        actions = re.findall(r'<form method="post" action="([^"]+)"', page.text)
        action = urljoin(authorization_url, next(a for a in actions if a.endswith(button)))
        form = {"amount": str(amount)} if amount is not None else {}
        pressed = await browser.post(action, data=form)
    assert pressed.status_code == 303, pressed.text
    return Redirect(pressed.headers["location"])


async def fresh_headers(
    app: Starlette, sessionmaker: async_sessionmaker[AsyncSession], user_id: int
) -> dict[str, str]:
    """A new access token for the user's session at the app's current (moved) time: tests
    that move the clock past the 15-minute access token lifetime sign in again."""
    async with sessionmaker() as session:
        family = (
            await session.scalars(
                select(RefreshToken.family_id).where(RefreshToken.user_id == user_id)
            )
        ).first()
    assert family is not None
    now = app.state.clock.now()
    token = app.state.token_codec.issue(user_id=user_id, session_id=family, now=now).token
    return {"Authorization": f"Bearer {token}"}


# -- reading the database ------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRows:
    enrollments: list[Enrollment]
    transactions: list[PaymentTransaction]
    events: list[PaymentEvent]


async def payment_rows(sessionmaker: async_sessionmaker[AsyncSession]) -> PaymentRows:
    async with sessionmaker() as session:
        return PaymentRows(
            list((await session.scalars(select(Enrollment).order_by(Enrollment.id))).all()),
            list(
                (
                    await session.scalars(
                        select(PaymentTransaction).order_by(PaymentTransaction.id)
                    )
                ).all()
            ),
            list((await session.scalars(select(PaymentEvent).order_by(PaymentEvent.id))).all()),
        )
