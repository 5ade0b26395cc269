"""Delivering webhook events to the app, signed and posted over HTTP the way Paystack does."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from edxelera_gql.enrollment.paystack import SIGNATURE_HEADER, sign
from edxelera_gql.paystack_sandbox.state import Delivery

log = logging.getLogger(__name__)


def signed(secret_key: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers: hex HMAC-SHA512 of exactly those bytes, as Paystack signs."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return body, {
        "content-type": "application/json",
        SIGNATURE_HEADER: sign(secret_key, body),
    }


async def post(
    http: httpx.AsyncClient | None,
    url: str | None,
    message: tuple[bytes, dict[str, str]] | None,
    *,
    event: str,
    reference: str,
    timeout_seconds: float,
) -> Delivery:
    """Posts ``message`` (body, headers) to ``url``; the outcome is recorded, never raised."""
    if not url or message is None:
        delivery = Delivery(event, reference, None, "no webhook URL configured")
    else:
        body, headers = message
        try:
            async with _client(http) as client:
                response = await client.post(
                    url, content=body, headers=headers, timeout=timeout_seconds
                )
            delivery = Delivery(event, reference, response.status_code)
        except httpx.HTTPError as exc:
            delivery = Delivery(event, reference, None, type(exc).__name__)
    log.info(
        "sandbox webhook %s for %s: %s",
        event,
        reference,
        delivery.status_code or delivery.error,
        extra={"reference": reference},
    )
    return delivery


@asynccontextmanager
async def _client(http: httpx.AsyncClient | None) -> AsyncIterator[httpx.AsyncClient]:
    # The app's (or the lifespan's) pooled client when there is one, else a one-off.
    if http is not None:
        yield http
    else:
        async with httpx.AsyncClient() as client:
            yield client
