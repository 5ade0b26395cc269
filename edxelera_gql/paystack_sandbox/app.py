"""``PaystackSandbox``: the Starlette app, its routes and lifespan, and the handles tests use."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from edxelera_gql.clock import Clock, SystemClock
from edxelera_gql.paystack_sandbox import payloads, webhooks
from edxelera_gql.paystack_sandbox.api import SandboxApi
from edxelera_gql.paystack_sandbox.checkout import Checkout
from edxelera_gql.paystack_sandbox.state import Delivery, Fault, Ledger, SandboxTransaction


class PaystackSandbox:
    """The sandbox server (``.app``) plus handles for tests (faults, calls, deliveries)."""

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_url: str | None,
        http: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        delivery_timeout_seconds: float = 10.0,
    ) -> None:
        self.secret_key = secret_key
        self.webhook_url = webhook_url
        self.http = http
        self.clock: Clock = clock or SystemClock()
        self.delivery_timeout_seconds = delivery_timeout_seconds
        self.ledger = Ledger()
        # Outlives reset(): transaction and refund ids never repeat within a process.
        self.ids = itertools.count(1_000_001)
        api = SandboxApi(self)
        checkout = Checkout(self)
        self.app = Starlette(
            routes=[
                Route("/transaction/initialize", api.initialize, methods=["POST"]),
                Route("/transaction/verify/{reference}", api.verify, methods=["GET"]),
                Route("/refund", api.refund, methods=["POST"]),
                Route("/checkout/{code}", checkout.page, methods=["GET"]),
                Route("/checkout/{code}/pay", checkout.pay, methods=["POST"]),
                Route("/checkout/{code}/cancel", checkout.cancel, methods=["POST"]),
            ],
            lifespan=self._lifespan,
        )

    # -- handles for tests ----------------------------------------------------------------------

    def reset(self) -> None:
        self.ledger = Ledger()

    @property
    def transactions(self) -> dict[str, SandboxTransaction]:
        return self.ledger.transactions

    @property
    def deliveries(self) -> list[Delivery]:
        return self.ledger.deliveries

    @property
    def calls(self) -> Counter[str]:
        return self.ledger.calls

    @property
    def requests(self) -> list[tuple[str, dict[str, Any]]]:
        """Request bodies received, as (operation, body)."""
        return self.ledger.requests

    def fail(self, operation: str, *, status: int | None = 500, delay_seconds: float = 0.0) -> None:
        """Make ``initialize``, ``verify`` or ``refund`` answer ``status`` (after a delay)."""
        self.ledger.faults[operation] = Fault(status, delay_seconds)

    def heal(self) -> None:
        self.ledger.faults.clear()

    def complete(self, reference: str, *, amount: int | None = None) -> SandboxTransaction:
        """What Pay does, without the browser: mark the transaction paid."""
        tx = self.ledger.transactions[reference]
        if tx.status != "success":
            tx.status = "success"
            tx.paid_amount = tx.amount if amount is None else amount
            tx.paid_at = self.clock.now()
        return tx

    def event(self, name: str, reference: str) -> dict[str, Any]:
        """The webhook payload Paystack would send for ``reference`` (charge.* or refund.*)."""
        return payloads.event(name, self.ledger.transactions[reference])

    def signed(self, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        return webhooks.signed(self.secret_key, payload)

    async def deliver(self, name: str, reference: str) -> Delivery:
        """Sends the signed webhook to ``webhook_url`` over HTTP, as Paystack does."""
        # Built only when there is somewhere to send it.
        message = self.signed(self.event(name, reference)) if self.webhook_url else None
        delivery = await webhooks.post(
            self.http,
            self.webhook_url,
            message,
            event=name,
            reference=reference,
            timeout_seconds=self.delivery_timeout_seconds,
        )
        self.ledger.deliveries.append(delivery)
        return delivery

    # -- plumbing -------------------------------------------------------------------------------

    @asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        # Served on its own: bring a client for webhooks. Mounted in the app: the app's is used.
        own = self.http is None
        if own:
            self.http = httpx.AsyncClient()
        try:
            yield
        finally:
            if own and self.http is not None:
                await self.http.aclose()
                self.http = None
