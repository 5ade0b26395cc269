"""Traces: the spans of one programHome (the request with its id, the root field's resolver,
each SQL statement), and of an outbound Paystack call, seen through the SDK's in-memory
exporter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from starlette.applications import Starlette

from edxelera_gql.app import create_app
from edxelera_gql.settings import Settings
from tests.support.clock import MovableClock
from tests.support.factories import make_program
from tests.support.paystack import SandboxServer, paystack_settings
from tests.support.users import create_account, enroll

HOME = "query Home($s: String!) { programHome(programSlug: $s) { program { slug } } }"
INIT = """mutation Init($s: String!) { initPayment(input: {programSlug: $s}) {
  reference errors { code } } }"""


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def app(
    settings: Settings,
    clock: MovableClock,
    cache: Any,
    paystack_server: SandboxServer,
    exporter: InMemorySpanExporter,
) -> AsyncIterator[Starlette]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(
        paystack_settings(settings, paystack_server.url),
        clock=clock,
        setup_logging=False,
        tracer_provider=provider,
    )
    async with app.router.lifespan_context(app):
        yield app


async def test_one_program_home_is_a_request_span_with_its_sql_statements(
    client, app, sessionmaker, exporter
) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="alpha", weeks=2, lessons_per_week=2)
    account = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=account.user_id, cohort_id=cohort.id)
    exporter.clear()

    response = await client.post(
        "/graphql", json={"query": HOME, "variables": {"s": "alpha"}}, headers=account.headers
    )
    assert response.json()["data"]["programHome"]["program"]["slug"] == "alpha"
    spans = exporter.get_finished_spans()
    [request] = [s for s in spans if s.kind == SpanKind.SERVER]
    assert request.name == "graphql query Home"
    assert request.attributes["edxelera.request_id"] == response.headers["x-request-id"]
    assert request.attributes["graphql.operation.name"] == "Home"
    assert request.attributes["http.response.status_code"] == 200

    [resolver] = [s for s in spans if s.name == "resolve programHome"]
    assert resolver.parent.span_id == request.context.span_id

    statements = [s for s in spans if "db.statement" in (s.attributes or {})]
    assert {s.name for s in statements} <= {"SELECT", "BEGIN", "COMMIT", "INSERT", "UPDATE"}
    # The viewer is looked up before the operation runs (a child of the request); the program
    # home's reads happen inside its resolver.
    parents = {s.parent.span_id for s in statements}
    assert parents == {request.context.span_id, resolver.context.span_id}
    inside = [s for s in statements if s.parent.span_id == resolver.context.span_id]
    assert len(inside) >= 1
    for statement in statements:
        assert statement.context.trace_id == request.context.trace_id
        assert statement.start_time >= request.start_time
        assert statement.end_time <= request.end_time
    for statement in inside:
        assert (
            resolver.start_time <= statement.start_time <= statement.end_time <= resolver.end_time
        )
    # Statements carry their text, never their parameters.
    assert all("alpha" not in s.attributes["db.statement"] for s in statements)


async def test_an_outbound_paystack_call_is_a_client_span_of_its_request(
    client, app, sessionmaker, exporter, paystack
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="paid", price_minor=1_000_000)
    account = await create_account(app, sessionmaker)
    exporter.clear()
    response = await client.post(
        "/graphql", json={"query": INIT, "variables": {"s": "paid"}}, headers=account.headers
    )
    assert response.json()["data"]["initPayment"]["errors"] == []
    spans = exporter.get_finished_spans()
    [request] = [s for s in spans if s.kind == SpanKind.SERVER]
    [outbound] = [s for s in spans if s.kind == SpanKind.CLIENT and "db.system" not in s.attributes]
    assert outbound.attributes["url.path"] == "/transaction/initialize"
    assert outbound.attributes["http.response.status_code"] == 200
    assert outbound.context.trace_id == request.context.trace_id
    [resolver] = [s for s in spans if s.name == "resolve initPayment"]
    assert resolver.parent.span_id == request.context.span_id
    assert outbound.parent.span_id == resolver.context.span_id  # the mutation made the call


async def test_dataloader_batches_are_spans_with_their_statements(
    client, app, sessionmaker, exporter
) -> None:
    async with sessionmaker() as session, session.begin():
        for slug in ("alpha", "beta", "gamma"):
            await make_program(session, slug=slug, weeks=2)
    exporter.clear()
    query = "query Catalog { programs { nodes { slug courses { slug } weeks { number } } } }"
    response = await client.post("/graphql", json={"query": query})
    assert len(response.json()["data"]["programs"]["nodes"]) == 3
    spans = exporter.get_finished_spans()
    [request] = [s for s in spans if s.kind == SpanKind.SERVER]
    batches = {s.name: s for s in spans if s.name.startswith("load ")}
    # One batch per loader for the three programs, not one per program.
    assert set(batches) == {"load courses_by_program", "load weeks_by_program"}
    for batch in batches.values():
        assert batch.attributes["edxelera.batch_size"] == 3
        assert batch.context.trace_id == request.context.trace_id
        inside = [s for s in spans if s.parent and s.parent.span_id == batch.context.span_id]
        # One query per batch (SQLite's explicit BEGIN shows up too).
        assert [s.name for s in inside if s.name != "BEGIN"] == ["SELECT"]


async def test_tracing_is_off_without_an_endpoint(settings, clock, cache) -> None:
    from edxelera_gql.graphql.schema import RootFieldSpans, build_schema
    from edxelera_gql.infra.tracing import TracingMiddleware

    app = create_app(settings, clock=clock, setup_logging=False)
    assert all(m.cls is not TracingMiddleware for m in app.user_middleware)
    # No resolve hook either: it would wrap every field of every request.
    extensions = build_schema(settings).extensions
    assert not any(isinstance(e, type) and issubclass(e, RootFieldSpans) for e in extensions)
