"""A local stand-in for Paystack, for development and tests only (production refuses it).

It speaks the documented API (``POST /transaction/initialize``, ``GET /transaction/verify/:ref``,
``POST /refund``) with the documented request and answer shapes, serves a checkout page at the
``authorization_url`` with Pay and Cancel buttons, and on Pay sends a ``charge.success`` webhook
signed exactly as Paystack signs (hex HMAC-SHA512 of the raw body with the secret key, header
``x-paystack-signature``) before redirecting the payer to ``callback_url?trxref=..&reference=..``.

``make run`` mounts it inside the app at ``SANDBOX_PAYSTACK_PATH`` when no Paystack key is set;
tests serve it on a loopback port. Tests may also inject faults (an HTTP status or a delay per
operation) and count calls. State lives in memory and is lost on restart.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import logging
import re
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from edxelera_gql.clock import Clock, SystemClock
from edxelera_gql.enrollment.paystack import SIGNATURE_HEADER, parse_amount, sign

log = logging.getLogger(__name__)

CURRENCIES = ("GHS", "KES", "NGN", "ZAR", "USD")
_REFERENCE = re.compile(r"^[A-Za-z0-9.=-]{1,100}$")
# The fields of a charge webhook's data (the sample in Paystack's docs).
_WEBHOOK_FIELDS = (
    "id", "domain", "status", "reference", "amount", "message", "gateway_response", "paid_at",
    "created_at", "channel", "currency", "ip_address", "metadata", "log", "fees", "customer",
    "authorization", "plan",
)  # fmt: skip


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class SandboxTransaction:
    id: int
    reference: str
    access_code: str
    email: str
    amount: int
    currency: str
    callback_url: str | None
    metadata: Any
    created_at: datetime
    # Paystack reports a transaction nobody completed as "abandoned".
    status: str = "abandoned"
    paid_amount: int | None = None
    paid_at: datetime | None = None
    channel: str = "card"
    canceled: bool = False


@dataclass
class Fault:
    status: int | None = None
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class Delivery:
    event: str
    reference: str
    status_code: int | None
    error: str | None = None


@dataclass
class _State:
    transactions: dict[str, SandboxTransaction] = field(default_factory=dict)
    by_code: dict[str, str] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    faults: dict[str, Fault] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


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
        self._state = _State()
        self._ids = itertools.count(1_000_001)
        self.app = Starlette(
            routes=[
                Route("/transaction/initialize", self._initialize, methods=["POST"]),
                Route("/transaction/verify/{reference}", self._verify, methods=["GET"]),
                Route("/refund", self._refund, methods=["POST"]),
                Route("/checkout/{code}", self._checkout, methods=["GET"]),
                Route("/checkout/{code}/pay", self._pay, methods=["POST"]),
                Route("/checkout/{code}/cancel", self._cancel, methods=["POST"]),
            ],
            lifespan=self._lifespan,
        )

    # -- handles for tests ----------------------------------------------------------------------

    def reset(self) -> None:
        self._state = _State()

    @property
    def transactions(self) -> dict[str, SandboxTransaction]:
        return self._state.transactions

    @property
    def deliveries(self) -> list[Delivery]:
        return self._state.deliveries

    @property
    def calls(self) -> Counter[str]:
        return self._state.calls

    @property
    def requests(self) -> list[tuple[str, dict[str, Any]]]:
        """Request bodies received, as (operation, body)."""
        return self._state.requests

    def fail(self, operation: str, *, status: int | None = 500, delay_seconds: float = 0.0) -> None:
        """Make ``initialize``, ``verify`` or ``refund`` answer ``status`` (after a delay)."""
        self._state.faults[operation] = Fault(status, delay_seconds)

    def heal(self) -> None:
        self._state.faults.clear()

    def complete(self, reference: str, *, amount: int | None = None) -> SandboxTransaction:
        """What Pay does, without the browser: mark the transaction paid."""
        tx = self._state.transactions[reference]
        if tx.status != "success":
            tx.status = "success"
            tx.paid_amount = tx.amount if amount is None else amount
            tx.paid_at = self.clock.now()
        return tx

    def event(self, name: str, reference: str) -> dict[str, Any]:
        """The webhook payload Paystack would send for ``reference`` (charge.* or refund.*)."""
        tx = self._state.transactions[reference]
        if name.startswith("refund."):
            status = name.split(".", 1)[1]
            first, _, last = tx.email.partition("@")
            return {
                "event": name,
                "data": {
                    "status": status,
                    "transaction_reference": tx.reference,
                    "refund_reference": f"RF{tx.id}" if status == "processed" else None,
                    # Paystack sends refund amounts as strings.
                    "amount": str(tx.paid_amount or tx.amount),
                    "currency": tx.currency,
                    "processor": "sandbox",
                    "customer": {"first_name": first, "last_name": last, "email": tx.email},
                    "integration": 100001,
                    "domain": "test",
                },
            }
        data = self._transaction_data(tx)
        return {"event": name, "data": {k: data[k] for k in _WEBHOOK_FIELDS} | {"plan": {}}}

    def signed(self, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return body, {
            "content-type": "application/json",
            SIGNATURE_HEADER: sign(self.secret_key, body),
        }

    async def deliver(self, name: str, reference: str) -> Delivery:
        """Sends the signed webhook to ``webhook_url`` over HTTP, as Paystack does."""
        if not self.webhook_url:
            delivery = Delivery(name, reference, None, "no webhook URL configured")
        else:
            body, headers = self.signed(self.event(name, reference))
            try:
                async with self._client() as http:
                    response = await http.post(
                        self.webhook_url,
                        content=body,
                        headers=headers,
                        timeout=self.delivery_timeout_seconds,
                    )
                delivery = Delivery(name, reference, response.status_code)
            except httpx.HTTPError as exc:
                delivery = Delivery(name, reference, None, type(exc).__name__)
        self._state.deliveries.append(delivery)
        log.info(
            "sandbox webhook %s for %s: %s",
            name,
            reference,
            delivery.status_code or delivery.error,
            extra={"reference": reference},
        )
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

    @asynccontextmanager
    async def _client(self) -> AsyncIterator[httpx.AsyncClient]:
        if self.http is not None:
            yield self.http
        else:
            async with httpx.AsyncClient() as http:
                yield http

    async def _guard(self, request: Request, operation: str) -> Response | None:
        """Counts the call, applies injected faults and checks the key as Paystack does."""
        self._state.calls[operation] += 1
        fault = self._state.faults.get(operation)
        if fault is not None:
            if fault.delay_seconds:
                await asyncio.sleep(fault.delay_seconds)
            if fault.status is not None:
                return Response(
                    "<html><body>sandbox fault</body></html>",
                    status_code=fault.status,
                    media_type="text/html",
                )
        auth = request.headers.get("authorization", "")
        if auth != f"Bearer {self.secret_key}":
            return JSONResponse({"status": False, "message": "Invalid key"}, status_code=401)
        return None

    @staticmethod
    async def _body(request: Request) -> dict[str, Any] | None:
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return await _form(request)
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    @staticmethod
    def _bad(message: str, code: str = "invalid_params") -> JSONResponse:
        return JSONResponse(
            {
                "status": False,
                "message": message,
                "meta": {"nextStep": "Fix the request and try again"},
                "type": "validation_error",
                "code": code,
            },
            status_code=400,
        )

    # -- the API --------------------------------------------------------------------------------

    async def _initialize(self, request: Request) -> Response:
        refused = await self._guard(request, "initialize")
        if refused is not None:
            return refused
        body = await self._body(request)
        if body is None:
            return self._bad("Invalid JSON body")
        self._state.requests.append(("initialize", body))
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email:
            return self._bad("Invalid Email Address Passed")
        amount = parse_amount(body.get("amount"))
        if amount is None or amount <= 0:
            return self._bad("Invalid Amount Sent")
        currency = body.get("currency") or "NGN"
        if currency not in CURRENCIES:
            return self._bad("Currency not supported by merchant")
        reference = body.get("reference") or secrets.token_hex(8)
        if not isinstance(reference, str) or not _REFERENCE.match(reference):
            return self._bad("Invalid transaction reference")
        if reference in self._state.transactions:
            return self._bad("Duplicate Transaction Reference", "duplicate_reference")
        callback = body.get("callback_url")
        code = secrets.token_urlsafe(12)
        tx = SandboxTransaction(
            id=next(self._ids),
            reference=reference,
            access_code=code,
            email=email,
            amount=amount,
            currency=currency,
            callback_url=callback if isinstance(callback, str) and callback else None,
            metadata=body.get("metadata") if body.get("metadata") is not None else "",
            created_at=self.clock.now(),
        )
        self._state.transactions[reference] = tx
        self._state.by_code[code] = reference
        # The checkout page lives beside the API, wherever the caller reached this sandbox.
        base = str(request.url).rsplit("/transaction/initialize", 1)[0]
        return JSONResponse(
            {
                "status": True,
                "message": "Authorization URL created",
                "data": {
                    "authorization_url": f"{base}/checkout/{code}",
                    "access_code": code,
                    "reference": reference,
                },
            }
        )

    async def _verify(self, request: Request) -> Response:
        refused = await self._guard(request, "verify")
        if refused is not None:
            return refused
        tx = self._state.transactions.get(request.path_params["reference"])
        if tx is None:
            return JSONResponse(
                {"status": False, "message": "Transaction reference not found"}, status_code=404
            )
        return JSONResponse(
            {
                "status": True,
                "message": "Verification successful",
                "data": self._transaction_data(tx),
            }
        )

    async def _refund(self, request: Request) -> Response:
        refused = await self._guard(request, "refund")
        if refused is not None:
            return refused
        body = await self._body(request)
        self._state.requests.append(("refund", body or {}))
        key = str((body or {}).get("transaction") or "")
        tx = self._state.transactions.get(key) or next(
            (t for t in self._state.transactions.values() if str(t.id) == key), None
        )
        if tx is None:
            return self._bad("Transaction not found", "transaction_not_found")
        if tx.status != "success":
            return self._bad("Cannot refund a transaction that was not successful")
        paid = tx.paid_amount or tx.amount
        amount = parse_amount((body or {}).get("amount")) or paid
        if amount > paid:
            return self._bad("Refund amount cannot be more than the transaction amount")
        now = self.clock.now()
        data = {
            "transaction": {
                "id": tx.id,
                "domain": "test",
                "reference": tx.reference,
                "amount": paid,
                "paid_at": _iso(tx.paid_at),
                "channel": tx.channel,
                "currency": tx.currency,
                "authorization": {"exp_month": "12", "exp_year": "2030", "account_name": None},
                "customer": {"international_format_phone": None},
                "plan": {},
                "subaccount": {"currency": None},
                "split": {},
                "order_id": None,
                "paidAt": _iso(tx.paid_at),
                "pos_transaction_data": None,
                "source": None,
                "fees_breakdown": None,
            },
            "integration": 100001,
            "deducted_amount": 0,
            "channel": None,
            "merchant_note": f"Refund for transaction {tx.reference}",
            "customer_note": f"Refund for transaction {tx.reference}",
            "status": "pending",
            "refunded_by": "sandbox@edxelera.test",
            "expected_at": _iso(now),
            "currency": tx.currency,
            "domain": "test",
            "amount": amount,
            "fully_deducted": False,
            "id": next(self._ids),
            "createdAt": _iso(now),
            "updatedAt": _iso(now),
        }
        # Paystack processes refunds later and reports them by webhook; so does the sandbox.
        return JSONResponse(
            {"status": True, "message": "Refund has been queued for processing", "data": data},
            background=BackgroundTask(self._process_refund, tx.reference),
        )

    async def _process_refund(self, reference: str) -> None:
        await self.deliver("refund.pending", reference)
        self._state.transactions[reference].status = "reversed"
        await self.deliver("refund.processed", reference)

    def _transaction_data(self, tx: SandboxTransaction) -> dict[str, Any]:
        """``data`` of a verify answer, with every field the official schema requires."""
        paid = tx.status in ("success", "reversed")
        first, _, _ = tx.email.partition("@")
        return {
            "id": tx.id,
            "domain": "test",
            "status": tx.status,
            "reference": tx.reference,
            "receipt_number": None,
            "amount": tx.paid_amount if paid and tx.paid_amount is not None else tx.amount,
            "message": None,
            "gateway_response": "Successful" if paid else "The transaction was not completed",
            "paid_at": _iso(tx.paid_at),
            "created_at": _iso(tx.created_at),
            "channel": tx.channel,
            "currency": tx.currency,
            "ip_address": "127.0.0.1",
            "metadata": tx.metadata,
            "log": {
                "start_time": int(tx.created_at.timestamp()),
                "time_spent": 4,
                "attempts": 1 if paid else 0,
                "errors": 0,
                "success": paid,
                "mobile": False,
                "input": [],
                "history": [{"type": "action", "message": "Sandbox checkout", "time": 4}],
            },
            "fees": (tx.paid_amount or tx.amount) // 100 if paid else None,
            "fees_split": None,
            "authorization": {
                "authorization_code": f"AUTH_sandbox{tx.id}",
                "bin": "408408",
                "last4": "4081",
                "exp_month": "12",
                "exp_year": "2030",
                "channel": "card",
                "card_type": "visa ",
                "bank": "TEST BANK",
                "country_code": "NG",
                "brand": "visa",
                "reusable": True,
                "signature": f"SIG_sandbox{tx.id}",
                "account_name": None,
                "receiver_bank_account_number": None,
                "receiver_bank": None,
            }
            if paid
            else {},
            "customer": {
                "id": tx.id,
                "first_name": first or None,
                "last_name": None,
                "email": tx.email,
                "customer_code": f"CUS_sandbox{tx.id}",
                "phone": None,
                "metadata": None,
                "risk_action": "default",
                "international_format_phone": None,
            },
            "plan": None,
            "split": {},
            "order_id": None,
            "paidAt": _iso(tx.paid_at),
            "createdAt": _iso(tx.created_at),
            "requested_amount": tx.amount,
            "pos_transaction_data": None,
            "source": None,
            "fees_breakdown": None,
            "connect": None,
            "transaction_date": _iso(tx.created_at),
            "plan_object": {},
            "subaccount": {},
        }

    # -- the checkout page ----------------------------------------------------------------------

    def _by_code(self, request: Request) -> SandboxTransaction | None:
        reference = self._state.by_code.get(request.path_params["code"])
        return self._state.transactions.get(reference) if reference else None

    async def _checkout(self, request: Request) -> Response:
        tx = self._by_code(request)
        if tx is None:
            return _unknown_checkout()
        code = html.escape(tx.access_code)
        price = f"{tx.currency} {tx.amount / 100:,.2f}"
        if tx.status == "success":
            body = f"<p>This payment of <b>{price}</b> is already complete.</p>"
        else:
            body = (
                f"<p><b>{html.escape(tx.email)}</b> pays <b>{price}</b> to EdXelera.</p>"
                f"<p>Reference <code>{html.escape(tx.reference)}</code></p>"
                f'<form method="post" action="{code}/pay">'
                f"<details><summary>Simulate another charged amount</summary>"
                f'<label>Amount in minor units <input name="amount" value="{tx.amount}"></label>'
                f"</details>"
                f'<button type="submit">Pay {price}</button></form>'
                f'<form method="post" action="{code}/cancel">'
                f'<button type="submit">Cancel</button></form>'
            )
        return HTMLResponse(_page("Paystack sandbox checkout", body))

    async def _pay(self, request: Request) -> Response:
        tx = self._by_code(request)
        if tx is None:
            return _unknown_checkout()
        form = await _form(request)
        amount = parse_amount(form.get("amount"))
        if tx.status != "success":
            self.complete(tx.reference, amount=amount if amount and amount > 0 else None)
            # Paystack sends the webhook on its own schedule; the sandbox sends it before the
            # redirect so a local click-through is deterministic.
            await self.deliver("charge.success", tx.reference)
        return self._back(tx)

    async def _cancel(self, request: Request) -> Response:
        tx = self._by_code(request)
        if tx is None:
            return _unknown_checkout()
        tx.canceled = True
        return self._back(tx)

    @staticmethod
    def _back(tx: SandboxTransaction) -> Response:
        if not tx.callback_url:
            return HTMLResponse(
                _page("Done", "<p>No callback URL was given; you can close this.</p>")
            )
        return RedirectResponse(
            _with_query(tx.callback_url, trxref=tx.reference, reference=tx.reference),
            status_code=303,
        )


async def _form(request: Request) -> dict[str, str]:
    """A url-encoded form (all the sandbox receives; no multipart parser needed)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", errors="replace")))


def _unknown_checkout() -> HTMLResponse:
    return HTMLResponse(_page("Unknown checkout", "<p>This checkout link is not valid.</p>"), 404)


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + urlencode(params)
    return urlunsplit(parts._replace(query=query))


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}"
        "button{font-size:1rem;margin:.5rem 0;padding:.5rem 1rem}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>"
        "<p><small>Local Paystack sandbox: no money moves.</small></p>"
        f"{body}</body></html>"
    )
