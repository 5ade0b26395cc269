"""Paystack over HTTP: initialize, verify (retried) and refund, parsed defensively.

One ``httpx.AsyncClient`` is shared per app. Every call is bounded by the timeout as a whole
(not per phase). Only ``verify`` is retried: repeating it cannot charge anyone, while a repeated
``initialize`` or ``refund`` could open a second payment or refund twice.

Paystack's answers vary in the wild (``metadata`` as ``""``, ``0``, a JSON string or an object;
amounts as strings); parsing here never trusts a shape, and only ``data.status`` decides.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from edxelera_gql.infra import metrics
from edxelera_gql.settings import Settings

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-paystack-signature"


class PaystackUnavailable(Exception):
    """Paystack could not be reached, timed out, failed (5xx) or answered nonsense."""


class PaystackRejected(Exception):
    """Paystack understood the request and refused it (4xx), e.g. an invalid key."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


# -- signatures ---------------------------------------------------------------------------------


def sign(secret_key: str, raw_body: bytes) -> str:
    """What Paystack puts in ``x-paystack-signature``: hex HMAC-SHA512 of the raw body."""
    return hmac.new(secret_key.encode(), raw_body, hashlib.sha512).hexdigest()


def signature_matches(secret_key: str, raw_body: bytes, header: str | None) -> bool:
    if not header:
        return False
    # compare_digest refuses non-ASCII str with a TypeError: such a header is simply wrong.
    candidate = header.strip().lower().encode("utf-8", errors="replace")
    return hmac.compare_digest(sign(secret_key, raw_body).encode("ascii"), candidate)


# -- defensive parsing --------------------------------------------------------------------------


def parse_amount(value: Any) -> int | None:
    """Minor units as an int; Paystack sometimes sends ``"5000"``. Anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        whole, dot, fraction = value.strip().partition(".")
        # "5000" and "5000.00" are whole minor units; "50.5" is not an amount we can trust.
        if whole.isdigit() and (not dot or fraction.strip("0") == ""):
            return int(whole)
    return None


def parse_metadata(value: Any) -> dict[str, Any]:
    """``metadata`` arrives as an object, a JSON string, ``""``, ``0`` or null."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _text(value: Any, limit: int = 200) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


@dataclass(frozen=True)
class InitializedTransaction:
    authorization_url: str
    access_code: str
    reference: str


@dataclass(frozen=True)
class Verification:
    """Paystack's verdict on a reference: ``status`` is ``data.status``, lowercased."""

    reference: str
    status: str
    amount_minor: int | None
    currency: str | None
    channel: str | None
    paid_at: datetime | None
    gateway_response: str | None
    metadata: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundRequested:
    status: str
    refund_id: str | None


def parse_verification(reference: str, body: Any) -> Verification:
    """The ``data`` of a verify answer; the top-level ``status`` is deliberately ignored."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("status"), str):
        raise PaystackUnavailable("verify answer without data.status")
    returned = data.get("reference")
    if isinstance(returned, str) and returned and returned != reference:
        raise PaystackUnavailable("verify answered for another reference")
    return Verification(
        reference=reference,
        status=data["status"].strip().lower(),
        amount_minor=parse_amount(data.get("amount")),
        currency=_text(data.get("currency"), 3),
        channel=_text(data.get("channel"), 50),
        paid_at=parse_time(data.get("paid_at") or data.get("paidAt")),
        gateway_response=_text(data.get("gateway_response")),
        metadata=parse_metadata(data.get("metadata")),
        data=data,
    )


def parse_initialized(body: Any) -> InitializedTransaction:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise PaystackUnavailable("initialize answer without data")
    url, code, reference = (data.get(k) for k in ("authorization_url", "access_code", "reference"))
    if not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        raise PaystackUnavailable("initialize answer without an authorization_url")
    return InitializedTransaction(
        authorization_url=url,
        access_code=code if isinstance(code, str) else "",
        reference=reference if isinstance(reference, str) else "",
    )


def _message(body: Any, fallback: str) -> str:
    message = body.get("message") if isinstance(body, dict) else None
    return message[:300] if isinstance(message, str) and message else fallback


# -- the client ---------------------------------------------------------------------------------


class PaystackClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        secret_key: str,
        timeout_seconds: float,
        verify_attempts: int = 2,
        retry_backoff_seconds: float = 0.2,
    ) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")
        self._secret_key = secret_key
        self.timeout_seconds = timeout_seconds
        self._verify_attempts = max(1, verify_attempts)
        self._backoff = retry_backoff_seconds

    @classmethod
    def for_settings(cls, http: httpx.AsyncClient, settings: Settings) -> PaystackClient:
        """The client the web app and the job worker both use."""
        return cls(
            http,
            base_url=settings.effective_paystack_base_url(),
            secret_key=settings.effective_paystack_secret_key(),
            timeout_seconds=settings.paystack_timeout_seconds,
        )

    @property
    def secret_key(self) -> str:
        return self._secret_key

    async def _call(
        self, operation: str, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> tuple[int, Any]:
        """``operation`` (initialize, verify, refund) labels the latency and failure series."""
        headers = {"Authorization": f"Bearer {self._secret_key}", "Accept": "application/json"}
        started = time.perf_counter()
        try:
            # The whole call (connect, send, read) is bounded, not each phase on its own.
            async with asyncio.timeout(self.timeout_seconds):
                response = await self._http.request(
                    method,
                    self.base_url + path,
                    json=payload,
                    headers=headers,
                    timeout=self.timeout_seconds,
                )
        except (TimeoutError, httpx.HTTPError) as exc:
            timeout = isinstance(exc, TimeoutError | httpx.TimeoutException)
            metrics.PAYSTACK_FAILURES.labels(operation, "timeout" if timeout else "network").inc()
            raise PaystackUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        finally:
            metrics.PAYSTACK_SECONDS.labels(operation).observe(time.perf_counter() - started)
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 500 or body is None:
            reason = "http_5xx" if response.status_code >= 500 else "bad_answer"
            metrics.PAYSTACK_FAILURES.labels(operation, reason).inc()
            raise PaystackUnavailable(f"{method} {path}: HTTP {response.status_code}")
        # A refusal (bad key, bad request) is a failure; "no such transaction" is an answer.
        unknown = response.status_code == 404 or "not found" in _message(body, "").lower()
        if response.status_code >= 400 and not unknown:
            metrics.PAYSTACK_FAILURES.labels(operation, "rejected").inc()
        return response.status_code, body

    async def initialize(
        self,
        *,
        email: str,
        amount_minor: int,
        currency: str,
        reference: str,
        callback_url: str,
        metadata: Mapping[str, Any],
    ) -> InitializedTransaction:
        """POST /transaction/initialize; never retried (a retry could open a second payment)."""
        status, body = await self._call(
            "initialize",
            "POST",
            "/transaction/initialize",
            {
                "email": email,
                "amount": amount_minor,
                "currency": currency,
                "reference": reference,
                "callback_url": callback_url,
                "metadata": dict(metadata),
            },
        )
        if status != 200:
            raise PaystackRejected(_message(body, "initialize refused"), status)
        return parse_initialized(body)

    async def verify(
        self, reference: str, *, deadline_seconds: float | None = None
    ) -> Verification | None:
        """GET /transaction/verify/:reference, retried on failures; None if Paystack does not
        know the reference. ``deadline_seconds`` bounds all attempts together (the webhook must
        answer Paystack in time), not each one."""
        try:
            async with asyncio.timeout(deadline_seconds):
                return await self._verify(reference)
        except TimeoutError as exc:
            raise PaystackUnavailable(
                f"verify {reference}: no answer within {deadline_seconds} s"
            ) from exc

    async def _verify(self, reference: str) -> Verification | None:
        path = "/transaction/verify/" + quote(reference, safe="")
        last: PaystackUnavailable | None = None
        for attempt in range(self._verify_attempts):
            if attempt:
                await asyncio.sleep(self._backoff * attempt)
            try:
                status, body = await self._call("verify", "GET", path)
            except PaystackUnavailable as exc:
                last = exc
                log.warning(
                    "paystack verify failed", extra={"reference": reference, "error": str(exc)}
                )
                continue
            if status == 404 or (status == 400 and "not found" in _message(body, "").lower()):
                return None
            if status != 200:
                raise PaystackRejected(_message(body, "verify refused"), status)
            try:
                return parse_verification(reference, body)
            except PaystackUnavailable as exc:
                last = exc
        assert last is not None
        raise last

    async def refund(self, reference: str, *, amount_minor: int | None = None) -> RefundRequested:
        """POST /refund; never retried (a retry could refund twice)."""
        payload: dict[str, Any] = {"transaction": reference}
        if amount_minor is not None:
            payload["amount"] = amount_minor
        status, body = await self._call("refund", "POST", "/refund", payload)
        if status != 200:
            raise PaystackRejected(_message(body, "refund refused"), status)
        data = body.get("data") if isinstance(body, dict) else None
        data = data if isinstance(data, dict) else {}
        refund_id = data.get("id")
        return RefundRequested(
            status=str(data.get("status") or "pending"),
            refund_id=str(refund_id) if refund_id is not None else None,
        )
