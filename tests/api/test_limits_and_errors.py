"""Production limits, error shaping and masking, request ids, health and readiness."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from edxelera_gql.app import create_app
from edxelera_gql.catalog import service as catalog_service
from edxelera_gql.infra.logging import JsonFormatter
from edxelera_gql.mail_settings import SmtpSettings
from edxelera_gql.settings import Settings, SettingsError


def production_settings(settings: Settings, tmp_path: Path) -> Settings:
    """Valid production settings; no test here reaches a database through them."""
    key_path = tmp_path / "cf.pem"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Settings(
        app_env="production",
        database_url="mysql+aiomysql://app:pw@127.0.0.1:3306/never_used",
        redis_url="redis://127.0.0.1:6379/15",
        public_base_url="https://api.edxelera.example",
        jwt_secret="Zq4vN8xL2pR7tB1mK5sW9yC3hD6jF0gA",  # random-looking: the guard checks
        paystack_secret_key="sk_live_example_key",
        paystack_callback_url="https://edxelera.example/payments/return",
        s3_certificates_bucket="certs",
        cloudfront_domain="d111111abcdef8.cloudfront.net",
        cloudfront_key_pair_id="K2JCJMDEHXQW5F",
        smtp=SmtpSettings(host="smtp.example", from_address="EdXelera <no-reply@edxelera.example>"),
        cloudfront_private_key_path=str(key_path),
        var_dir=str(tmp_path),
    )


@pytest.fixture
async def prod_client(settings: Settings, tmp_path: Path):
    app = create_app(production_settings(settings, tmp_path), setup_logging=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://api") as client:
            yield client


def _boom(*_args, **_kwargs):
    raise RuntimeError("secret detail: password=hunter2")


async def test_unexpected_error_is_masked_in_production_and_logged_with_request_id(
    prod_client, monkeypatch, caplog
) -> None:
    # Fault injection: the catalog service fails the way a bug would.
    monkeypatch.setattr(catalog_service, "list_programs", _boom)
    caplog.set_level(logging.ERROR, logger="edxelera_gql.graphql")

    response = await prod_client.post("/graphql", json={"query": "{ programs { nodes { slug } } }"})

    assert response.status_code == 200
    body = response.json()
    error = body["errors"][0]
    request_id = response.headers["x-request-id"]
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    [record] = [r for r in caplog.records if r.name == "edxelera_gql.graphql"]
    assert record.request_id == request_id
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == request_id
    assert "RuntimeError: secret detail" in line["exception"]
    assert "Traceback" in line["exception"]


async def test_unexpected_error_keeps_its_message_outside_production(gql, monkeypatch) -> None:
    monkeypatch.setattr(catalog_service, "list_programs", _boom)
    result = await gql("{ programs { nodes { slug } } }")
    assert result["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret detail" in result["errors"][0]["message"]


async def test_production_turns_off_graphiql_and_introspection(prod_client) -> None:
    page = await prod_client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code != 200 or "graphiql" not in page.text.lower()
    result = (
        await prod_client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    ).json()
    assert result.get("data") is None
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_production_has_no_local_cdn_or_sandbox(prod_client) -> None:
    # The /cdn stand-in and the Paystack sandbox exist only for local development.
    assert (await prod_client.get("/cdn/certs/a.pdf")).status_code == 404
    assert (await prod_client.get("/_sandbox/paystack/transaction/verify/x")).status_code == 404
    assert (await prod_client.get("/payments/callback?reference=x")).status_code == 404


def test_unreadable_cloudfront_key_fails_at_startup(settings: Settings, tmp_path: Path) -> None:
    broken = production_settings(settings, tmp_path).with_overrides(
        cloudfront_private_key_path=str(tmp_path / "missing.pem")
    )
    with pytest.raises(SettingsError, match="CLOUDFRONT_PRIVATE_KEY_PATH"):
        create_app(broken, setup_logging=False)


async def test_graphiql_is_served_in_development(client) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_depth_limit(settings, clock) -> None:
    # The schema is not deep enough yet to reach 12 levels, so the limit is set low here to
    # show it is wired in; the production default comes from Settings.
    assert Settings().graphql_max_depth == 12
    app = create_app(settings.with_overrides(graphql_max_depth=2), clock=clock, setup_logging=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            shallow = {"query": "{ programs { nodes { slug } } }"}
            assert "errors" not in (await client.post("/graphql", json=shallow)).json()
            deep = {"query": "{ programs { nodes { weeks { number } } } }"}
            body = (await client.post("/graphql", json=deep)).json()
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_alias_limit(gql) -> None:
    ok = "{ " + " ".join(f'a{i}: program(slug: "x") {{ slug }}' for i in range(20)) + " }"
    assert "errors" not in await gql(ok)
    too_many = "{ " + " ".join(f'a{i}: program(slug: "x") {{ slug }}' for i in range(21)) + " }"
    result = await gql(too_many)
    assert "aliases" in result["errors"][0]["message"]
    assert result["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_token_limit(client) -> None:
    query = "{ " + " ".join("__typename" for _ in range(5001)) + " }"
    response = await client.post("/graphql", json={"query": query})
    body = response.json()
    assert body["errors"][0]["message"].startswith("Syntax Error: Document contains more than")
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_cost_limit_multiplies_connection_page_sizes(client) -> None:
    # 20 aliases of 100 programs x (~10 fields + 12 weeks x 7 fields) is far over the budget.
    selection = "nodes { slug title courses { slug title } weeks { number title releaseAt } }"
    query = (
        "{ " + " ".join(f"p{i}: programs(first: 100) {{ {selection} }}" for i in range(20)) + " }"
    )
    body = (await client.post("/graphql", json={"query": query})).json()
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert body["errors"][0]["extensions"]["cost"] > 20_000


async def test_batched_operations_are_refused(client) -> None:
    response = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    assert response.status_code == 400


async def test_body_over_100kb_is_refused_with_413(client) -> None:
    padding = " " * 100_001
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": "{ __typename }" + padding}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


async def test_parse_errors_carry_a_code(gql) -> None:
    result = await gql("{ programs { ")
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_request_id_is_echoed_or_generated(client) -> None:
    given = await client.get("/healthz", headers={"x-request-id": "frontend-req-12345"})
    assert given.headers["x-request-id"] == "frontend-req-12345"
    hostile = await client.get("/healthz", headers={"x-request-id": "bad id\nwith newline"})
    assert hostile.headers["x-request-id"] != "bad id\nwith newline"
    assert len(hostile.headers["x-request-id"]) == 32


async def test_cors_allows_only_configured_origins(client) -> None:
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
    }
    allowed = await client.options(
        "/graphql", headers={"origin": "http://localhost:3000", **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    denied = await client.options(
        "/graphql", headers={"origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in denied.headers


async def test_health_and_readiness(client, settings) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["checks"]["database"] == "ok"
    expected_redis = "ok" if settings.redis_url else "not configured (in-process cache)"
    assert body["checks"]["redis"] == expected_redis


async def test_readiness_reports_redis_down_and_database_down(settings, clock, tmp_path) -> None:
    broken = settings.with_overrides(
        redis_url="redis://127.0.0.1:1/0",  # nothing listens on port 1
    )
    app = create_app(broken, clock=clock, setup_logging=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            body = (await client.get("/readyz")).json()
            assert body["status"] == "degraded"
            assert body["checks"]["redis"] == "unavailable"
            # The API still answers without Redis (fails open).
            result = (
                await client.post("/graphql", json={"query": "{ programs { nodes { slug } } }"})
            ).json()
            assert result == {"data": {"programs": {"nodes": []}}}

    no_db = settings.with_overrides(database_url="mysql+aiomysql://root@127.0.0.1:1/none")
    app = create_app(no_db, clock=clock, setup_logging=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["checks"]["database"] == "unavailable"
