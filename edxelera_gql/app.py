"""``create_app()``: the Starlette application with GraphQL, the Paystack webhook, health and
readiness routes, and (development and tests, no Paystack key) the Paystack sandbox."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import BaseRoute, Mount, Route

from edxelera_gql.auth.tokens import TokenCodec
from edxelera_gql.certificates.numbers import VERIFY_PATH
from edxelera_gql.clock import Clock, SystemClock
from edxelera_gql.db.engine import create_engine, create_sessionmaker
from edxelera_gql.enrollment.paystack import PaystackClient
from edxelera_gql.graphiql.page import graphiql_html, graphiql_routes
from edxelera_gql.graphql.persisted import PersistedQueries, load_manifest
from edxelera_gql.graphql.result_cache import ResultCache
from edxelera_gql.graphql.schema import build_schema
from edxelera_gql.graphql.view import GraphQLEndpoint
from edxelera_gql.infra import heap, tracing
from edxelera_gql.infra.cache import create_cache
from edxelera_gql.infra.cloudfront import create_signer
from edxelera_gql.infra.http import BodySizeLimitMiddleware, RequestIdMiddleware
from edxelera_gql.infra.logging import configure_logging
from edxelera_gql.infra.storage import LocalStorage, Storage, create_storage
from edxelera_gql.jobs.context import JobContext
from edxelera_gql.jobs.in_process import InProcessScheduler
from edxelera_gql.jobs.queue import InlineQueue
from edxelera_gql.learning.calendar_feed import FEED_PATH
from edxelera_gql.paystack_sandbox import PaystackSandbox
from edxelera_gql.routes.calendar import calendar_feed
from edxelera_gql.routes.cdn import serve_cdn
from edxelera_gql.routes.certificate_page import certificate_page
from edxelera_gql.routes.metrics import metrics_endpoint
from edxelera_gql.routes.paystack_webhook import payment_callback_page, paystack_webhook
from edxelera_gql.settings import (
    LOCAL_PAYMENT_CALLBACK_PATH,
    PAYSTACK_WEBHOOK_PATH,
    SANDBOX_PAYSTACK_PATH,
    Settings,
)

log = logging.getLogger(__name__)

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def healthz(_request: Request) -> JSONResponse:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: the database must answer; Redis being down degrades (the API fails open)."""
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("readiness: database unavailable", extra={"error": str(exc)})
        checks["database"] = "unavailable"
    if state.cache.backend == "redis":
        checks["redis"] = "ok" if await state.cache.ping() else "unavailable"
    else:
        checks["redis"] = "not configured (in-process cache)"
    if checks["database"] != "ok":
        status, code = "unavailable", 503
    elif checks["redis"] == "unavailable":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JSONResponse({"status": status, "checks": checks}, status_code=code)


def _sandbox(settings: Settings, clock: Clock) -> PaystackSandbox | None:
    """No Paystack key outside production: the sandbox answers inside this app, at the base URL
    the settings derive (PUBLIC_BASE_URL + SANDBOX_PAYSTACK_PATH), so `make run` needs nothing
    else. It signs with the same fixed development key the webhook route verifies with."""
    if not settings.uses_paystack_sandbox or settings.is_production:
        return None
    return PaystackSandbox(
        secret_key=settings.effective_paystack_secret_key(),
        webhook_url=settings.paystack_webhook_url(),
        clock=clock,
    )


def _lifespan(
    settings: Settings,
    sandbox: PaystackSandbox | None,
    tracer: Tracer | None,
    *,
    settle_heap: bool = False,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        if tracer is not None:
            tracing.trace_sql(engine, tracer)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.cache = create_cache(settings.redis_url)
        app.state.result_cache = ResultCache(
            app.state.cache,
            max_ttl_seconds=settings.cache_ttl_seconds,
            sessionmaker=app.state.sessionmaker,
        )
        app.state.token_codec = TokenCodec(settings)
        # One HTTP client per app: connection pooling to Paystack; each call sets its timeout.
        http = tracing.http_client(
            tracer,
            timeout=settings.paystack_timeout_seconds,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )
        app.state.http = http
        app.state.paystack = PaystackClient.for_settings(http, settings)
        if sandbox is not None:
            sandbox.http = http
        scheduler = app.state.job_scheduler = _in_process_jobs(settings, app)
        if settle_heap:
            heap.settle()
        try:
            yield
        finally:
            if scheduler is not None:
                await scheduler.stop()
            await http.aclose()
            await app.state.cache.close()
            await engine.dispose()

    return lifespan


def _in_process_jobs(settings: Settings, app: Starlette) -> InProcessScheduler | None:
    """Development without Redis runs the job schedule here (``make run`` starts nothing
    else); otherwise ``python -m edxelera_gql worker`` does."""
    if settings.app_env != "development" or settings.redis_url:
        return None
    state = app.state
    queue = InlineQueue(state.cache)
    jc = JobContext(
        settings, state.sessionmaker, state.cache, state.paystack, state.storage, state.clock, queue
    )
    queue.context = jc
    scheduler = InProcessScheduler(jc)
    scheduler.start()
    return scheduler


def _routes(
    settings: Settings,
    storage: Storage,
    sandbox: PaystackSandbox | None,
    tracer: Tracer | None = None,
) -> list[BaseRoute]:
    graphql = GraphQLEndpoint(
        build_schema(settings, tracer=tracer),
        persisted=_persisted_queries(settings),
        ide_html=None if settings.is_production else graphiql_html(),
    )
    routes: list[BaseRoute] = [
        # Every method reaches the endpoint, which refuses the others with a JSON error.
        Route("/graphql", graphql.handle, methods=ALL_METHODS),
        Route(PAYSTACK_WEBHOOK_PATH, paystack_webhook, methods=["POST"]),
        Route("/healthz", healthz),
        Route(VERIFY_PATH + "{number}", certificate_page, methods=["GET", "HEAD"]),
        Route(FEED_PATH + "{token}.ics", calendar_feed, methods=["GET", "HEAD"]),
        Route("/readyz", readyz),
    ]
    # The stand-in for CloudFront: only over local storage, never in production (the guard
    # refuses local storage there).
    if isinstance(storage, LocalStorage) and not settings.is_production:
        routes.append(Route("/cdn/{path:path}", serve_cdn, methods=["GET", "HEAD"]))
    if not settings.is_production:  # where GraphiQL is on (graphql_ide above)
        routes.extend(graphiql_routes())
    if settings.metrics_token or not settings.is_production:
        routes.append(Route("/metrics", metrics_endpoint))
    if not settings.paystack_callback_url:
        routes.append(Route(LOCAL_PAYMENT_CALLBACK_PATH, payment_callback_page))
    if sandbox is not None:
        routes.append(Mount(SANDBOX_PAYSTACK_PATH, app=sandbox.app))
    if not settings.is_production:
        routes.append(Route("/", _to_graphiql))
    return routes


async def _to_graphiql(_request: Request) -> RedirectResponse:
    """Development: the bare host opens GraphiQL."""
    return RedirectResponse("/graphql", status_code=307)


def _persisted_queries(settings: Settings) -> PersistedQueries:
    allow_list = (
        load_manifest(settings.graphql_persisted_queries_path)
        if settings.graphql_persisted_queries_only and settings.graphql_persisted_queries_path
        else None
    )
    return PersistedQueries(ttl_seconds=settings.apq_ttl_seconds, allow_list=allow_list)


def _middleware(settings: Settings, tracer: Tracer | None) -> list[Middleware]:
    traced = [] if tracer is None else [Middleware(tracing.TracingMiddleware, tracer=tracer)]
    return [
        Middleware(RequestIdMiddleware),
        *traced,
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_allow_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            # Apollo Client's client-awareness and CSRF-prevention headers included.
            allow_headers=[
                "authorization",
                "content-type",
                "x-request-id",
                "apollographql-client-name",
                "apollographql-client-version",
                "apollo-require-preflight",
                "x-apollo-operation-name",
            ],
            expose_headers=["x-request-id"],
            max_age=600,
        ),
        Middleware(
            BodySizeLimitMiddleware,
            limits={
                "/graphql": settings.graphql_max_body_bytes,
                PAYSTACK_WEBHOOK_PATH: settings.webhook_max_body_bytes,
            },
            default=settings.graphql_max_body_bytes,
        ),
    ]


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    setup_logging: bool = True,
    tracer_provider: TracerProvider | None = None,
    settle_heap: bool = False,
) -> Starlette:
    """Builds the app; settings come from the environment when none are given. Traces go to
    ``tracer_provider`` (tests), else to OTEL_EXPORTER_OTLP_ENDPOINT when set, else nowhere.
    ``settle_heap``: a serving process (``create_served_app``) keeps GC pauses short."""
    settings = (settings or Settings.from_env()).check()
    if setup_logging:
        configure_logging(settings.log_level, settings.log_format)
    for warning in settings.production_warnings():
        log.warning(warning)
    if settings.is_production and not settings.metrics_token:
        log.warning("METRICS_TOKEN is not set: /metrics is off (never served without it here)")
    clock = clock or SystemClock()
    sandbox = _sandbox(settings, clock)
    # Made here, not in the lifespan: the key is loaded once and a bad key path fails at startup.
    url_signer = create_signer(settings)
    storage = create_storage(settings)
    provider = tracer_provider or tracing.tracer_provider(settings.otel_exporter_otlp_endpoint)
    tracer = provider.get_tracer(tracing.TRACER_NAME) if provider is not None else None
    app = Starlette(
        routes=_routes(settings, storage, sandbox, tracer),
        middleware=_middleware(settings, tracer),
        lifespan=_lifespan(settings, sandbox, tracer, settle_heap=settle_heap),
    )
    app.state.settings = settings
    app.state.tracer = tracer
    app.state.clock = clock
    app.state.paystack_sandbox = sandbox
    app.state.url_signer = url_signer
    app.state.storage = storage
    return app


def create_served_app() -> Starlette:
    """The app as a server process runs it (``serve``, ``uvicorn --factory``, gunicorn)."""
    return create_app(settle_heap=True)
