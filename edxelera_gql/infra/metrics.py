"""Prometheus metrics: every series the app exports, and their exposition.

The series are module-level (prometheus-client's way), so any layer records with one call and
no plumbing. With several worker processes, ``PROMETHEUS_MULTIPROC_DIR`` names a directory the
workers share (``serve --workers N`` sets one up); each process writes its values there and
``/metrics`` on any worker adds them all up.

Labels stay bounded: operation names come from clients, so only the first
``MAX_LABEL_VALUES`` distinct names per label are kept and the rest count as ``_other``.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
MAX_LABEL_VALUES = 200
OTHER = "_other"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# -- the series --------------------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "edxelera_http_requests_total", "HTTP requests answered, by route group and status.",
    ["route", "status"],
)  # fmt: skip
HTTP_SECONDS = Histogram(
    "edxelera_http_request_duration_seconds", "HTTP request latency by route group.",
    ["route"], buckets=LATENCY_BUCKETS,
)  # fmt: skip
GRAPHQL_SECONDS = Histogram(
    "edxelera_graphql_request_duration_seconds",
    "GraphQL request latency by operation name and type (query, mutation).",
    ["operation", "type"], buckets=LATENCY_BUCKETS,
)  # fmt: skip
GRAPHQL_ERRORS = Counter(
    "edxelera_graphql_errors_total",
    "GraphQL errors by code: top-level errors and mutation payload errors (channel).",
    ["code", "channel"],
)  # fmt: skip
DB_POOL_IN_USE = Gauge(
    "edxelera_db_pool_connections_in_use", "Database connections checked out of the pool.",
    multiprocess_mode="livesum",
)  # fmt: skip
DB_POOL_OVERFLOW = Gauge(
    "edxelera_db_pool_overflow_connections",
    "Connections open beyond the pool size (max_overflow is the ceiling).",
    multiprocess_mode="livesum",
)  # fmt: skip
DB_POOL_WAITS = Histogram(
    "edxelera_db_pool_wait_seconds",
    "Time checkouts waited for a connection because the pool and its overflow were all in use.",
    buckets=(0.001, 0.005, 0.025, 0.1, 0.5, 1.0, 5.0, 30.0),
)  # fmt: skip
CACHE_LOOKUPS = Counter(
    "edxelera_cache_lookups_total", "Cache reads by key family and result (hit, miss).",
    ["family", "result"],
)  # fmt: skip
REDIS_CIRCUIT_OPEN = Gauge(
    "edxelera_redis_circuit_open",
    "1 while the Redis circuit breaker skips Redis (open or probing), else 0.",
    multiprocess_mode="max",
)  # fmt: skip
REDIS_CIRCUIT_OPENED = Counter(
    "edxelera_redis_circuit_opened_total", "Times the Redis circuit breaker opened."
)
WEBHOOKS = Counter(
    "edxelera_paystack_webhooks_total",
    "Paystack webhook deliveries by outcome: applied, unchanged, duplicate, ignored, unknown, "
    "refused (signature or body), retry_503 (Paystack could not confirm; it delivers again).",
    ["outcome"],
)  # fmt: skip
PAYSTACK_SECONDS = Histogram(
    "edxelera_paystack_request_duration_seconds", "Outbound Paystack call latency by operation.",
    ["operation"], buckets=LATENCY_BUCKETS,
)  # fmt: skip
PAYSTACK_FAILURES = Counter(
    "edxelera_paystack_failures_total",
    "Outbound Paystack calls that failed, by operation and reason (timeout, network, "
    "http_5xx, bad_answer, rejected).",
    ["operation", "reason"],
)  # fmt: skip
CERTIFICATES_ISSUED = Counter(
    "edxelera_certificates_issued_total", "Certificates issued, by type.", ["type"]
)
CERTIFICATES_RENDERED = Counter(
    "edxelera_certificates_rendered_total", "Certificate PDFs rendered and stored."
)
JOB_RUNS = Counter(
    "edxelera_job_runs_total", "Background job runs by job and outcome (success, retry, failure).",
    ["job", "outcome"],
)  # fmt: skip
JOB_SECONDS = Histogram(
    "edxelera_job_duration_seconds", "Background job run time by job.", ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)  # fmt: skip
PAYMENTS_RECONCILED = Counter(
    "edxelera_payments_reconciled_total",
    "Pending payments the reconciliation job asked Paystack about, by outcome.",
    ["outcome"],
)  # fmt: skip

EMAILS_SENT = Counter(
    "edxelera_emails_sent_total", "Learner emails the SMTP relay accepted, by kind.", ["kind"]
)
EMAILS_FAILED = Counter(
    "edxelera_emails_failed_total",
    "Learner email tries that failed, by kind and outcome (retry: tried again later with "
    "backoff; failed: refused for good or out of tries, kept in the outbox).",
    ["kind", "outcome"],
)  # fmt: skip

# -- bounded labels ----------------------------------------------------------------------------

_seen: dict[str, set[str]] = {}
_seen_lock = threading.Lock()


def bounded(label: str, value: str) -> str:
    """``value`` while fewer than ``MAX_LABEL_VALUES`` were seen for ``label``, else ``_other``:
    a client inventing operation names must not grow the series without end."""
    values = _seen.setdefault(label, set())
    if value in values:
        return value
    with _seen_lock:
        if len(values) >= MAX_LABEL_VALUES:
            return OTHER
        values.add(value)
    return value


_ROUTE_GROUPS = (
    "graphql", "webhooks", "cdn", "certificates", "calendar", "healthz", "readyz", "metrics",
    "payments", "graphiql", "_sandbox",
)  # fmt: skip


def route_group(path: str) -> str:
    """The first path segment when it is one of the app's routes: paths carry numbers and
    tokens, which must not become labels."""
    head = path.lstrip("/").split("/", 1)[0]
    return head if head in _ROUTE_GROUPS else ("root" if head == "" else OTHER)


_FAMILY = re.compile(r"^[a-z][a-z0-9_-]{0,31}")


def cache_family(key: str) -> str:
    match = _FAMILY.match(key)
    return bounded("cache_family", match.group(0)) if match else OTHER


# -- recording helpers -------------------------------------------------------------------------

# The labelled children of the request path's series, kept: ``labels()`` costs more than the
# increment itself. Bounded like the label values.
_children: dict[tuple[int, tuple[str, ...]], Any] = {}


def _child(metric: Any, *values: str) -> Any:
    key = (id(metric), values)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*values)
    return child


def observe_http(path: str, status: int, seconds: float) -> None:
    group = route_group(path)
    _child(HTTP_REQUESTS, group, str(status)).inc()
    _child(HTTP_SECONDS, group).observe(seconds)


def observe_graphql(operation: str | None, kind: str, seconds: float) -> None:
    name = bounded("operation", operation) if operation else "anonymous"
    _child(GRAPHQL_SECONDS, name, kind).observe(seconds)


def count_errors(codes: list[str], channel: str) -> None:
    for code in codes:
        _child(GRAPHQL_ERRORS, bounded("code", code), channel).inc()


def cache_lookup(key: str, hit: bool) -> None:
    _child(CACHE_LOOKUPS, cache_family(key), "hit" if hit else "miss").inc()


def circuit_changed(is_open: bool) -> None:
    REDIS_CIRCUIT_OPEN.set(1 if is_open else 0)
    if is_open:
        REDIS_CIRCUIT_OPENED.inc()


def pool_waited(seconds: float) -> None:
    DB_POOL_WAITS.observe(seconds)


def instrument_pool(engine: AsyncEngine) -> None:
    """Connections in use and overflow, from the pool's checkout and checkin events."""
    pool: Any = engine.sync_engine.pool

    def overflow() -> None:
        size: Callable[[], int] | None = getattr(pool, "overflow", None)
        DB_POOL_OVERFLOW.set(max(0, size()) if size is not None else 0)

    def checked_out(*_args: Any) -> None:
        DB_POOL_IN_USE.inc()
        overflow()

    def checked_in(*_args: Any) -> None:
        DB_POOL_IN_USE.dec()
        overflow()

    event.listen(pool, "checkout", checked_out)
    event.listen(pool, "checkin", checked_in)


# -- exposition --------------------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def exposition() -> bytes:
    """The text format: this process's values, or with several workers all of theirs."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def prepare_multiprocess_dir(default: Path) -> Path:
    """For ``serve --workers N``: the shared directory (``PROMETHEUS_MULTIPROC_DIR`` or
    ``default``), emptied of a previous run's values, and exported so the workers, started
    afterwards, write there. Call before any worker starts."""
    path = Path(multiprocess_dir() or default)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        if multiprocess_dir():
            raise  # the operator's directory: say so rather than count elsewhere
        path = Path(tempfile.mkdtemp(prefix="edxelera-metrics-"))  # a read-only working dir
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(path)
    return path
