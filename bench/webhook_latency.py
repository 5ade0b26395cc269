"""Time to process one Paystack webhook delivery through the whole app (not part of the suite).

Usage: DATABASE_URL=... [REDIS_URL=...] .venv/bin/python bench/webhook_latency.py [N]

A scratch database given by DATABASE_URL is migrated here. The Paystack sandbox is served on
a loopback port and reached over real HTTP (the webhook re-verifies every charge through it);
the app is driven in-process over ASGI, as the auth bench does. For N payments it times:
  - a first charge.success delivery: signature, dedupe check, verify over HTTP, row locks,
    updates and the payment_events record, committed;
  - a duplicate delivery of the same event (answered from the dedupe key);
  - a delivery with a bad signature (refused before any I/O).
Prints p50/p95/max in ms.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import uvicorn

from edxelera_gql.app import create_app
from edxelera_gql.auth.models import User
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.db import migrations
from edxelera_gql.enrollment import checkout
from edxelera_gql.paystack_sandbox import PaystackSandbox
from edxelera_gql.settings import Settings

SECRET = "sk_test_bench_" + "b" * 30


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # older uvicorn
        pass

    def capture_signals(self):  # newer uvicorn
        import contextlib

        return contextlib.nullcontext()


def summary(label: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return (
        f"{label:<34} p50 {statistics.median(samples):6.2f} ms  p95 {p95:6.2f} ms  "
        f"max {samples[-1]:6.2f} ms  (n={len(samples)})"
    )


async def main(n: int) -> None:
    sandbox = PaystackSandbox(secret_key=SECRET, webhook_url=None)
    server = _Server(
        uvicorn.Config(sandbox.app, host="127.0.0.1", port=0, log_config=None, access_log=False)
    )
    serving = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]

    settings = Settings.from_env().with_overrides(
        app_env="test",
        paystack_secret_key=SECRET,
        paystack_base_url=f"http://127.0.0.1:{port}",
    )
    app = create_app(settings, setup_logging=False)
    stamp = time.time_ns()
    async with app.router.lifespan_context(app):
        state = app.state
        now = datetime.now(UTC)
        async with state.sessionmaker() as session, session.begin():
            cohort = Cohort(
                slug=f"bench-{stamp}",
                title="Bench",
                description="",
                start_at_utc=now + timedelta(days=30),
                end_at_utc=now + timedelta(days=90),
                timezone="Africa/Lagos",
                published=True,
                price_minor=1_000_000,
                currency="NGN",
            )
            users = [
                User(email=f"bench-{stamp}-{i}@example.com", full_name="B", password_hash="!")
                for i in range(n)
            ]
            session.add_all([cohort, *users])
        references = []
        for user in users:
            started = await checkout.init_payment(
                checkout.Checkout.for_settings(
                    state.settings,
                    sessionmaker=state.sessionmaker,
                    cache=state.cache,
                    paystack=state.paystack,
                ),
                viewer=Viewer(user_id=user.id, roles=frozenset({"student"})),
                slug=cohort.slug,
                now=now,
            )
            sandbox.complete(started.reference)
            references.append(started.reference)

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            first, duplicate, refused = [], [], []
            for reference in references:
                body, headers = sandbox.signed(sandbox.event("charge.success", reference))
                for bucket in (first, duplicate):
                    started_at = time.perf_counter()
                    response = await client.post(
                        "/webhooks/paystack", content=body, headers=headers
                    )
                    bucket.append((time.perf_counter() - started_at) * 1000)
                    assert response.status_code == 200, response.text
                assert response.json()["outcome"] == "duplicate"
                started_at = time.perf_counter()
                response = await client.post(
                    "/webhooks/paystack",
                    content=body,
                    headers={**headers, "x-paystack-signature": "0" * 128},
                )
                refused.append((time.perf_counter() - started_at) * 1000)
                assert response.status_code == 401
    server.should_exit = True
    await serving
    backend = settings.database_url.split(":", 1)[0]
    cache = "redis" if settings.redis_url else "in-process cache"
    print(f"webhook delivery, {backend} + {cache}, Paystack sandbox over loopback HTTP")
    print(summary("charge.success, first delivery", first))
    print(summary("charge.success, duplicate", duplicate))
    print(summary("bad signature (401)", refused))


if __name__ == "__main__":
    if "DATABASE_URL" not in os.environ:
        sys.exit("set DATABASE_URL to a scratch database")
    migrations.upgrade(os.environ["DATABASE_URL"])
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
