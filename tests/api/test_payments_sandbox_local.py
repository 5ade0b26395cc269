"""What `make run` gives a developer with no Paystack key: the sandbox inside the app, a
checkout page, a signed webhook back to the same server, and the local callback page."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from edxelera_gql.app import create_app
from edxelera_gql.settings import SANDBOX_PAYSTACK_SECRET_KEY, Settings, SettingsError
from tests.support.factories import make_program
from tests.support.paystack import checkout, free_port, payment_rows, serve
from tests.support.users import create_account

INIT = """mutation($s: String!) { initPayment(input: {programSlug: $s}) {
  authorizationUrl reference errors { code message } } }"""
VERIFY = """mutation($r: String!) { verifyPayment(input: {reference: $r}) {
  billingStatus { enrollmentStatus lastPayment { status channel } } errors { code } } }"""


@pytest.fixture
async def served(settings: Settings, clock, cache) -> AsyncIterator[tuple[Starlette, str]]:
    """The app as `make run` starts it (no Paystack key), on a loopback port it knows."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        settings.with_overrides(public_base_url=base), clock=clock, setup_logging=False
    )
    async with app.router.lifespan_context(app):
        server = await serve(app, port=port)
        yield app, base
        await server.stop()


async def test_clicking_through_a_paid_enrollment_locally(served, sessionmaker) -> None:
    app, base = served
    assert app.state.settings.uses_paystack_sandbox
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_250_000)
    account = await create_account(app, sessionmaker)
    async with httpx.AsyncClient(base_url=base, timeout=15) as http:

        async def gql(query: str, variables: dict) -> dict:
            response = await http.post(
                "/graphql", json={"query": query, "variables": variables}, headers=account.headers
            )
            return response.json()["data"]

        started = (await gql(INIT, {"s": "paid"}))["initPayment"]
        assert started["errors"] == []
        assert started["authorizationUrl"].startswith(f"{base}/_sandbox/paystack/checkout/")

        back = await checkout(started["authorizationUrl"], "pay")
        assert back.location.startswith(f"{base}/payments/callback?trxref=")
        page = await http.get(back.location)
        assert page.status_code == 200
        assert started["reference"] in page.text
        assert "verifyPayment" in page.text

        sandbox = app.state.paystack_sandbox
        assert [(d.event, d.status_code) for d in sandbox.deliveries] == [("charge.success", 200)]
        verified = (await gql(VERIFY, {"r": back.reference}))["verifyPayment"]
        assert verified == {
            "billingStatus": {
                "enrollmentStatus": "ACTIVE",
                "lastPayment": {"status": "SUCCESS", "channel": "card"},
            },
            "errors": [],
        }
    rows = await payment_rows(sessionmaker)
    assert [e.outcome for e in rows.events] == ["success"]


async def test_the_sandbox_is_mounted_only_without_a_key(settings: Settings, clock) -> None:
    keyed = settings.with_overrides(paystack_secret_key="sk_test_" + "k" * 40)
    for config, expected in [(settings, 401), (keyed, 404)]:
        app = create_app(config, clock=clock, setup_logging=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.post("/_sandbox/paystack/transaction/initialize", json={})
        assert response.status_code == expected


def test_the_development_key_is_the_sandbox_key_and_production_refuses_it() -> None:
    development = Settings.from_env({"APP_ENV": "development"})
    assert development.effective_paystack_secret_key() == SANDBOX_PAYSTACK_SECRET_KEY
    assert development.effective_paystack_callback_url() == (
        "http://127.0.0.1:8000/payments/callback"
    )
    assert development.paystack_webhook_url() == "http://127.0.0.1:8000/webhooks/paystack"
    production = Settings.from_env(
        {
            "APP_ENV": "production",
            "DATABASE_URL": "mysql+aiomysql://app:pw@db:3306/edxelera",
            "REDIS_URL": "redis://cache:6379/0",
            "PUBLIC_BASE_URL": "https://api.edxelera.example",
            "JWT_SECRET": "Zq4vN8xL2pR7tB1mK5sW9yC3hD6jF0gA",
            "PAYSTACK_SECRET_KEY": SANDBOX_PAYSTACK_SECRET_KEY,
            "S3_CERTIFICATES_BUCKET": "b",
            "CLOUDFRONT_DOMAIN": "d111111abcdef8.cloudfront.net",
            "CLOUDFRONT_KEY_PAIR_ID": "K",
            "CLOUDFRONT_PRIVATE_KEY_PATH": "/k.pem",
            "CORS_ALLOW_ORIGINS": "https://edxelera.example",
        }
    )
    with pytest.raises(SettingsError, match="sandbox's development key"):
        production.check()
    with pytest.raises(SettingsError, match="PAYSTACK_SECRET_KEY is required"):
        production.with_overrides(paystack_secret_key=None).effective_paystack_secret_key()


def test_paystack_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env({"PAYSTACK_TIMEOUT_SECONDS": "3", "PAYMENT_REUSE_SECONDS": "600"})
    assert (settings.paystack_timeout_seconds, settings.payment_reuse_seconds) == (3, 600)
    assert Settings.from_env({}).paystack_timeout_seconds == 5
    with pytest.raises(SettingsError, match="PAYSTACK_TIMEOUT_SECONDS"):
        Settings.from_env({"PAYSTACK_TIMEOUT_SECONDS": "soon"})
