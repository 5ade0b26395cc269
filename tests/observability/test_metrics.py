"""`/metrics`: the counters an operator alerts on move when the app works, over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from edxelera_gql.settings import Settings
from tests.support.clock import MovableClock
from tests.support.factories import make_program
from tests.support.metrics import Scrape, scrape
from tests.support.paystack import SandboxServer, deliver, paystack_settings, running_app
from tests.support.users import create_account

PROGRAMS = "query ListPrograms { programs { nodes { slug } } }"
INIT = """mutation Init($s: String!) { initPayment(input: {programSlug: $s}) {
  reference errors { code } } }"""
TOKEN = "metrics-token-" + "m" * 20


@pytest.fixture
async def app(
    settings: Settings, clock: MovableClock, cache: Any, paystack_server: SandboxServer
) -> AsyncIterator[Starlette]:
    async with running_app(paystack_settings(settings, paystack_server.url), clock) as app:
        yield app


async def test_a_graphql_request_moves_latency_request_and_error_series(client) -> None:
    before = await scrape(client)
    ok = await client.post("/graphql", json={"query": PROGRAMS})
    assert ok.status_code == 200
    bad = await client.post("/graphql", json={"query": "query Broken { nope }"})
    assert bad.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    latency = "edxelera_graphql_request_duration_seconds_count"
    assert moved(latency, operation="ListPrograms", type="query") == 1
    assert moved(latency, operation="Broken", type="query") == 1
    assert moved("edxelera_http_requests_total", route="graphql", status="200") == 2
    errors = "edxelera_graphql_errors_total"
    assert moved(errors, code="GRAPHQL_VALIDATION_FAILED", channel="top_level") == 1
    # The pool gauge is back where it was: every connection of the request was returned.
    assert after.value("edxelera_db_pool_connections_in_use") == before.value(
        "edxelera_db_pool_connections_in_use"
    )


async def test_a_webhook_moves_the_outcome_and_paystack_series(
    client, app, sessionmaker, paystack
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_000_000)
    account = await create_account(app, sessionmaker)
    gql = {"query": INIT, "variables": {"s": "paid"}}
    reference = (await client.post("/graphql", json=gql, headers=account.headers)).json()["data"][
        "initPayment"
    ]["reference"]
    paystack.complete(reference)
    before = await scrape(client)

    assert (await deliver(client, paystack, "charge.success", reference)).json()["outcome"] == (
        "success"
    )
    assert (await deliver(client, paystack, "charge.success", reference)).json()["outcome"] == (
        "duplicate"
    )
    forged = await client.post(
        "/webhooks/paystack", content=b"{}", headers={"x-paystack-signature": "0"}
    )
    assert forged.status_code == 401
    paystack.fail("verify", status=500)
    other = await client.post("/graphql", json=gql, headers=account.headers)
    assert other.json()["data"]["initPayment"]["errors"] == [{"code": "ALREADY_ENROLLED"}]
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    webhooks = "edxelera_paystack_webhooks_total"
    assert moved(webhooks, outcome="applied") == 1
    assert moved(webhooks, outcome="duplicate") == 1
    assert moved(webhooks, outcome="refused") == 1
    # One verify for the applied delivery; the duplicate is answered before asking Paystack.
    assert moved("edxelera_paystack_request_duration_seconds_count", operation="verify") == 1
    assert moved("edxelera_graphql_errors_total", code="ALREADY_ENROLLED", channel="payload") == 1


async def test_a_webhook_paystack_cannot_confirm_counts_as_503(
    client, app, sessionmaker, paystack
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_000_000)
    account = await create_account(app, sessionmaker)
    gql = {"query": INIT, "variables": {"s": "paid"}}
    reference = (await client.post("/graphql", json=gql, headers=account.headers)).json()["data"][
        "initPayment"
    ]["reference"]
    paystack.complete(reference)
    paystack.fail("verify", status=500)
    before = await scrape(client)
    assert (await deliver(client, paystack, "charge.success", reference)).status_code == 503
    after = await scrape(client)
    assert (
        after.value("edxelera_paystack_webhooks_total", outcome="retry_503")
        - before.value("edxelera_paystack_webhooks_total", outcome="retry_503")
        == 1
    )
    failures = "edxelera_paystack_failures_total"
    assert (
        after.value(failures, operation="verify", reason="http_5xx")
        - before.value(failures, operation="verify", reason="http_5xx")
        >= 1
    )


async def test_a_metrics_token_is_asked_for_once_set(settings, clock, cache) -> None:
    async with running_app(settings.with_overrides(metrics_token=TOKEN), clock) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            refused = await client.get("/metrics")
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Bearer")
            wrong = await client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 34})
            assert wrong.status_code == 401
            exposed = await scrape(client, Authorization=f"Bearer {TOKEN}")
            # The two refusals above were counted, and the token opened the numbers.
            assert exposed.value("edxelera_http_requests_total", route="metrics", status="401") >= 2


def test_production_refuses_a_short_metrics_token() -> None:
    from tests.unit.test_settings import SAFE_PRODUCTION

    assert Settings.from_env(SAFE_PRODUCTION).check()
    short = Settings.from_env({**SAFE_PRODUCTION, "METRICS_TOKEN": "short"})
    assert "METRICS_TOKEN must be at least 24 characters" in short.production_problems()


def test_production_without_a_token_serves_no_metrics() -> None:
    from edxelera_gql.app import _routes
    from edxelera_gql.infra.storage import create_storage
    from tests.unit.test_settings import SAFE_PRODUCTION

    production = Settings.from_env(SAFE_PRODUCTION)
    paths = {
        getattr(r, "path", None) for r in _routes(production, create_storage(production), None)
    }
    assert "/metrics" not in paths
    with_token = production.with_overrides(metrics_token=TOKEN)
    paths = {
        getattr(r, "path", None) for r in _routes(with_token, create_storage(with_token), None)
    }
    assert "/metrics" in paths


_WORKER = """
import sys
from edxelera_gql.infra import metrics
metrics.WEBHOOKS.labels("applied").inc(int(sys.argv[1]))
metrics.DB_POOL_IN_USE.inc(int(sys.argv[1]))
"""
_SCRAPE = "from edxelera_gql.infra import metrics; print(metrics.exposition().decode())"


def test_several_worker_processes_add_up_in_one_exposition(tmp_path: Path) -> None:
    """What `serve --workers N` sets up: each process writes to the shared directory, and any
    worker's /metrics answers with the sum."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for count in ("2", "3"):
        subprocess.run([sys.executable, "-c", _WORKER, count], env=env, check=True)
    out = subprocess.run(
        [sys.executable, "-c", _SCRAPE], env=env, check=True, capture_output=True, text=True
    ).stdout
    exposed = Scrape(out)
    assert exposed.value("edxelera_paystack_webhooks_total", outcome="applied") == 5
    # Pool gauges count live processes only (livesum); these two have exited, but their files
    # remain until the directory is wiped, which `serve` does before starting workers.
    assert exposed.value("edxelera_db_pool_connections_in_use") == 5
