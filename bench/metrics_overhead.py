"""What metrics cost per request: the recording calls alone, and a whole in-process request
with them and with them turned into no-ops.

    PYTHONPATH=. .venv/bin/python bench/metrics_overhead.py [--requests 2000]

Runs on a throwaway SQLite file and the in-process cache; nothing else is needed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from edxelera_gql.app import create_app
from edxelera_gql.db import migrations
from edxelera_gql.infra import metrics
from edxelera_gql.settings import Settings

QUERY = "query ListPrograms { programs(first: 5) { nodes { slug } } }"
# What one signed-in programHome records: the HTTP and GraphQL histograms and a few cache reads.
CACHE_READS = 6


def recording_cost(iterations: int) -> float:
    """Microseconds for the metrics calls of one request."""
    started = time.perf_counter()
    for _ in range(iterations):
        metrics.observe_http("/graphql", 200, 0.004)
        metrics.observe_graphql("ProgramHome", "query", 0.004)
        for _ in range(CACHE_READS):
            metrics.cache_lookup("v:viewer-program:1:2", True)
    return (time.perf_counter() - started) / iterations * 1e6


@contextmanager
def metrics_off() -> Iterator[None]:
    saved = {
        name: getattr(metrics, name)
        for name in ("observe_http", "observe_graphql", "cache_lookup", "count_errors")
    }
    for name in saved:
        setattr(metrics, name, lambda *_a, **_k: None)
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(metrics, name, fn)


async def request_latency(settings: Settings, requests: int) -> list[float]:
    app = create_app(settings, setup_logging=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(50):  # warm the parse and validation caches
                await client.post("/graphql", json={"query": QUERY})
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                response = await client.post("/graphql", json={"query": QUERY})
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    print(f"metrics calls of one request: {recording_cost(100_000):.2f} µs")
    with tempfile.TemporaryDirectory() as var:
        url = f"sqlite+aiosqlite:///{var}/bench.sqlite3"
        migrations.upgrade(url)
        settings = Settings(app_env="test", database_url=url, var_dir=var, jwt_secret="b" * 40)
        rounds: dict[str, list[float]] = {"on": [], "off": []}
        for _ in range(6):  # alternate, so drift in the machine's load hits both alike
            rounds["on"] += asyncio.run(request_latency(settings, args.requests))
            with metrics_off():
                rounds["off"] += asyncio.run(request_latency(settings, args.requests))
    for name, timings in rounds.items():
        median = statistics.median(timings) * 1e6
        print(f"metrics {name:>3}: median {median:8.1f} µs per request ({len(timings)} requests)")
    delta = (statistics.median(rounds["on"]) - statistics.median(rounds["off"])) * 1e6
    print(f"difference of the medians: {delta:.1f} µs")


if __name__ == "__main__":
    main()
