"""The Paystack client against the sandbox over loopback HTTP: timeouts, retries, refusals."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from edxelera_gql.enrollment.paystack import (
    PaystackClient,
    PaystackRejected,
    PaystackUnavailable,
)
from edxelera_gql.paystack_sandbox import PaystackSandbox
from tests.support.paystack import TEST_PAYSTACK_SECRET, SandboxServer


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def client_for(
    http: httpx.AsyncClient, url: str, *, timeout: float = 1.0, key: str = TEST_PAYSTACK_SECRET
) -> PaystackClient:
    return PaystackClient(
        http, base_url=url, secret_key=key, timeout_seconds=timeout, retry_backoff_seconds=0.05
    )


async def initialize(client: PaystackClient, reference: str = "edx-0123456789abcdef") -> str:
    opened = await client.initialize(
        email="ada@example.com",
        amount_minor=500_000,
        currency="NGN",
        reference=reference,
        callback_url="https://frontend.example/return",
        metadata={"user_id": 1, "cohort_id": 2},
    )
    return opened.authorization_url


async def test_initialize_then_verify_round_trip(
    http, paystack: PaystackSandbox, paystack_server: SandboxServer
) -> None:
    client = client_for(http, paystack_server.url)
    url = await initialize(client)
    assert url.startswith(paystack_server.url + "/checkout/")
    first = await client.verify("edx-0123456789abcdef")
    assert first is not None
    assert (first.status, first.amount_minor, first.currency) == ("abandoned", 500_000, "NGN")
    assert first.metadata == {"user_id": 1, "cohort_id": 2}

    paystack.complete("edx-0123456789abcdef")
    paid = await client.verify("edx-0123456789abcdef")
    assert paid is not None
    assert (paid.status, paid.channel) == ("success", "card")
    assert paid.paid_at == paystack.clock.now()


async def test_unknown_reference_is_none(http, paystack, paystack_server) -> None:
    assert await client_for(http, paystack_server.url).verify("edx-unknown") is None


async def test_verify_is_retried_once_and_initialize_never(http, paystack, paystack_server) -> None:
    client = client_for(http, paystack_server.url)
    paystack.fail("verify", status=500)
    with pytest.raises(PaystackUnavailable):
        await client.verify("edx-anything")
    assert paystack.calls["verify"] == 2

    paystack.fail("initialize", status=502)
    with pytest.raises(PaystackUnavailable):
        await initialize(client)
    assert paystack.calls["initialize"] == 1


async def test_refund_is_never_retried(http, paystack, paystack_server) -> None:
    client = client_for(http, paystack_server.url)
    await initialize(client)
    paystack.complete("edx-0123456789abcdef")
    paystack.fail("refund", status=503)
    with pytest.raises(PaystackUnavailable):
        await client.refund("edx-0123456789abcdef")
    assert paystack.calls["refund"] == 1
    paystack.heal()
    refund = await client.refund("edx-0123456789abcdef")
    assert refund.status == "pending"


async def test_a_hanging_paystack_is_cut_off_at_the_timeout(
    http, paystack, paystack_server
) -> None:
    client = client_for(http, paystack_server.url, timeout=0.3)
    paystack.fail("initialize", status=None, delay_seconds=5)
    started = time.perf_counter()
    with pytest.raises(PaystackUnavailable):
        await initialize(client)
    assert time.perf_counter() - started < 0.6


async def test_an_unreachable_paystack_is_unavailable(http) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    client = client_for(http, f"http://127.0.0.1:{port}")
    with pytest.raises(PaystackUnavailable):
        await initialize(client)
    with pytest.raises(PaystackUnavailable):
        await client.verify("edx-0123456789abcdef")


async def test_a_wrong_key_is_refused_not_unavailable(http, paystack, paystack_server) -> None:
    client = client_for(http, paystack_server.url, key="sk_test_wrong")
    with pytest.raises(PaystackRejected) as refused:
        await initialize(client)
    assert refused.value.status_code == 401
    with pytest.raises(PaystackRejected):
        await client.verify("edx-0123456789abcdef")


async def test_duplicate_reference_is_refused(http, paystack, paystack_server) -> None:
    client = client_for(http, paystack_server.url)
    await initialize(client)
    with pytest.raises(PaystackRejected, match="Duplicate Transaction Reference"):
        await initialize(client)
