"""OpenTelemetry traces: a span per request, per SQL statement and per outbound HTTP call.

Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set (or a test hands in its own provider): then
nothing below is installed, so requests pay nothing for it. On, spans go to the collector over
OTLP/HTTP in batches; the SDK reads its other ``OTEL_*`` variables (service name, headers,
sampler) itself.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

import httpx
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edxelera_gql.infra.metrics import route_group

TRACER_NAME = "edxelera_gql"
REQUEST_ID = "edxelera.request_id"
_SPAN_KEY = "_edx_otel_span"


def tracer_provider(endpoint: str | None) -> TracerProvider | None:
    """The exporting provider when ``endpoint`` (the collector's base URL) is set, else None."""
    if not endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    service = os.environ.get("OTEL_SERVICE_NAME") or "edxelera-gql"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


class TracingMiddleware:
    """The request's span (inside the request id middleware, so the id is known); the GraphQL
    endpoint renames it after the operation it runs."""

    def __init__(self, app: ASGIApp, *, tracer: Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        attributes = {
            "http.request.method": scope["method"],
            "url.path": scope["path"],
            REQUEST_ID: scope.get("state", {}).get("request_id", ""),
        }
        with self.tracer.start_as_current_span(
            f"{scope['method']} /{route_group(scope['path'])}",
            context=propagate.extract(headers),
            kind=SpanKind.SERVER,
            attributes=attributes,
        ) as span:

            async def send_traced(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                    if message["status"] >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            await self.app(scope, receive, send_traced)


def name_operation(name: str | None, kind: str) -> None:
    """Called by the GraphQL endpoint: the request's span says which operation ran (a no-op
    while tracing is off)."""
    span = trace.get_current_span()
    if span.is_recording():
        span.update_name(f"graphql {kind} {name or 'anonymous'}")
        span.set_attribute("graphql.operation.type", kind)
        span.set_attribute("graphql.operation.name", name or "")


async def in_span(
    tracer: Tracer, name: str, call: Callable[[], Any], attributes: dict[str, Any]
) -> Any:
    """Calls ``call`` (and awaits what it returns, if it must) inside a span named ``name``."""
    with tracer.start_as_current_span(name, attributes=attributes):
        result = call()
        return await result if inspect.isawaitable(result) else result


def trace_sql(engine: AsyncEngine, tracer: Tracer) -> None:
    """A client span around every statement the engine sends (its text, never parameters)."""
    sync = engine.sync_engine
    system = sync.dialect.name

    def before(_conn: Any, _cursor: Any, statement: str, _p: Any, context: Any, _m: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
        span = tracer.start_span(
            verb,
            kind=SpanKind.CLIENT,
            attributes={"db.system": system, "db.statement": statement[:2000]},
        )
        setattr(context, _SPAN_KEY, span)

    def after(_conn: Any, _cursor: Any, _s: Any, _p: Any, context: Any, _m: Any) -> None:
        span = getattr(context, _SPAN_KEY, None)
        if span is not None:
            span.end()

    def failed(exception_context: Any) -> None:
        span = getattr(exception_context.execution_context, _SPAN_KEY, None)
        if span is not None:
            error = type(exception_context.original_exception).__name__
            span.set_status(Status(StatusCode.ERROR, error))
            span.end()

    event.listen(sync, "before_cursor_execute", before)
    event.listen(sync, "after_cursor_execute", after)
    event.listen(sync, "handle_error", failed)


class TracingTransport(httpx.AsyncBaseTransport):
    """Outbound calls (Paystack): a client span each, with the trace context propagated."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, tracer: Tracer) -> None:
        self.inner = inner
        self.tracer = tracer

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attributes = {
            "http.request.method": request.method,
            "server.address": request.url.host,
            "url.path": request.url.path,
        }
        with self.tracer.start_as_current_span(
            f"{request.method} {request.url.host}", kind=SpanKind.CLIENT, attributes=attributes
        ) as span:
            propagate.inject(request.headers)
            response = await self.inner.handle_async_request(request)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def http_client(
    tracer: Tracer | None, *, timeout: float, limits: httpx.Limits | None = None
) -> httpx.AsyncClient:
    """The app's outbound client: httpx's own, its transport wrapped in spans when tracing."""
    limits = limits or httpx.Limits()
    transport = None
    if tracer is not None:
        transport = TracingTransport(httpx.AsyncHTTPTransport(limits=limits), tracer=tracer)
    return httpx.AsyncClient(timeout=timeout, limits=limits, transport=transport)


def tracer_for(endpoint: str | None) -> Tracer | None:
    """For processes without an app (the job worker): the tracer, or None while off."""
    provider = tracer_provider(endpoint)
    return provider.get_tracer(TRACER_NAME) if provider is not None else None
