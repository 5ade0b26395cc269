"""The JSON API: transaction initialize (POST) and verify (GET), and refund (POST).

Requests and answers follow Paystack's documented shapes, errors included; every call is
counted and may be made to fail (see ``PaystackSandbox.fail``).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from typing import TYPE_CHECKING, Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from edxelera_gql.enrollment.paystack import parse_amount
from edxelera_gql.paystack_sandbox.checkout import read_form
from edxelera_gql.paystack_sandbox.payloads import refund_data, transaction_data
from edxelera_gql.paystack_sandbox.state import SandboxTransaction

if TYPE_CHECKING:
    from edxelera_gql.paystack_sandbox.app import PaystackSandbox

CURRENCIES = ("GHS", "KES", "NGN", "ZAR", "USD")
_REFERENCE = re.compile(r"^[A-Za-z0-9.=-]{1,100}$")


class SandboxApi:
    """The API's handlers; state is read through the sandbox, so ``reset()`` reaches them."""

    def __init__(self, sandbox: PaystackSandbox) -> None:
        self.sandbox = sandbox

    async def initialize(self, request: Request) -> Response:
        refused = await self._guard(request, "initialize")
        if refused is not None:
            return refused
        body = await _body(request)
        if body is None:
            return _bad("Invalid JSON body")
        self.sandbox.ledger.requests.append(("initialize", body))
        tx = self._new_transaction(body)
        if isinstance(tx, Response):
            return tx
        self.sandbox.ledger.add(tx)
        # The checkout page lives beside the API, wherever the caller reached this sandbox.
        base = str(request.url).rsplit("/transaction/initialize", 1)[0]
        return JSONResponse(
            {
                "status": True,
                "message": "Authorization URL created",
                "data": {
                    "authorization_url": f"{base}/checkout/{tx.access_code}",
                    "access_code": tx.access_code,
                    "reference": tx.reference,
                },
            }
        )

    def _new_transaction(self, body: dict[str, Any]) -> SandboxTransaction | JSONResponse:
        """The transaction ``body`` asks for, or the 400 Paystack gives (checks in its order)."""
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email:
            return _bad("Invalid Email Address Passed")
        amount = parse_amount(body.get("amount"))
        if amount is None or amount <= 0:
            return _bad("Invalid Amount Sent")
        currency = body.get("currency") or "NGN"
        if currency not in CURRENCIES:
            return _bad("Currency not supported by merchant")
        reference = body.get("reference") or secrets.token_hex(8)
        if not isinstance(reference, str) or not _REFERENCE.match(reference):
            return _bad("Invalid transaction reference")
        if reference in self.sandbox.ledger.transactions:
            return _bad("Duplicate Transaction Reference", "duplicate_reference")
        callback = body.get("callback_url")
        return SandboxTransaction(
            id=next(self.sandbox.ids),
            reference=reference,
            access_code=secrets.token_urlsafe(12),
            email=email,
            amount=amount,
            currency=currency,
            callback_url=callback if isinstance(callback, str) and callback else None,
            metadata=body.get("metadata") if body.get("metadata") is not None else "",
            created_at=self.sandbox.clock.now(),
        )

    async def verify(self, request: Request) -> Response:
        refused = await self._guard(request, "verify")
        if refused is not None:
            return refused
        tx = self.sandbox.ledger.transactions.get(request.path_params["reference"])
        if tx is None:
            return JSONResponse(
                {"status": False, "message": "Transaction reference not found"}, status_code=404
            )
        return JSONResponse(
            {
                "status": True,
                "message": "Verification successful",
                "data": transaction_data(tx),
            }
        )

    async def refund(self, request: Request) -> Response:
        refused = await self._guard(request, "refund")
        if refused is not None:
            return refused
        body = await _body(request)
        self.sandbox.ledger.requests.append(("refund", body or {}))
        tx = self.sandbox.ledger.find(str((body or {}).get("transaction") or ""))
        if tx is None:
            return _bad("Transaction not found", "transaction_not_found")
        if tx.status != "success":
            return _bad("Cannot refund a transaction that was not successful")
        paid = tx.paid_amount or tx.amount
        amount = parse_amount((body or {}).get("amount")) or paid
        if amount > paid:
            return _bad("Refund amount cannot be more than the transaction amount")
        data = refund_data(
            tx, amount=amount, refund_id=next(self.sandbox.ids), now=self.sandbox.clock.now()
        )
        # Paystack processes refunds later and reports them by webhook; so does the sandbox.
        return JSONResponse(
            {"status": True, "message": "Refund has been queued for processing", "data": data},
            background=BackgroundTask(self._process_refund, tx.reference),
        )

    async def _process_refund(self, reference: str) -> None:
        await self.sandbox.deliver("refund.pending", reference)
        self.sandbox.ledger.transactions[reference].status = "reversed"
        await self.sandbox.deliver("refund.processed", reference)

    async def _guard(self, request: Request, operation: str) -> Response | None:
        """Counts the call, applies injected faults and checks the key as Paystack does."""
        ledger = self.sandbox.ledger
        ledger.calls[operation] += 1
        fault = ledger.faults.get(operation)
        if fault is not None:
            if fault.delay_seconds:
                await asyncio.sleep(fault.delay_seconds)
            # An HTML page, not JSON: what a proxy in front of Paystack serves when it is down.
            if fault.status is not None:
                return Response(
                    "<html><body>sandbox fault</body></html>",
                    status_code=fault.status,
                    media_type="text/html",
                )
        auth = request.headers.get("authorization", "")
        if auth != f"Bearer {self.sandbox.secret_key}":
            return JSONResponse({"status": False, "message": "Invalid key"}, status_code=401)
        return None


async def _body(request: Request) -> dict[str, Any] | None:
    """A JSON object or a url-encoded form (Paystack takes both); None when it is neither."""
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return await read_form(request)
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


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
