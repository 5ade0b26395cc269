"""Sign-in latency over HTTP through the whole app (not part of the test suite).

Usage: DATABASE_URL=... [REDIS_URL=...] .venv/bin/python bench/auth_latency.py [N]
Uses a scratch database given by DATABASE_URL (migrated here) and prints p50/p95 in ms.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

import httpx

from edxelera_gql.app import create_app
from edxelera_gql.db import migrations
from edxelera_gql.settings import Settings

SIGN_IN = """mutation($i: SignInInput!) { signIn(input: $i) { accessToken errors { code } } }"""
SIGN_UP = """mutation($i: SignUpInput!) { signUp(input: $i) { accessToken errors { code } } }"""


async def main(n: int) -> None:
    settings = Settings.from_env().with_overrides(
        app_env="test", sign_in_limit_per_email=10**6, sign_in_limit_per_ip=10**6
    )
    app = create_app(settings, setup_logging=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            email = f"bench-{time.time_ns()}@example.com"
            creds = {"email": email, "password": "correct horse battery"}
            await client.post(
                "/graphql", json={"query": SIGN_UP, "variables": {"i": {**creds, "fullName": "B"}}}
            )
            for label, variables in [
                ("sign-in, right password", creds),
                ("sign-in, wrong password", {**creds, "password": "wrong password!"}),
                ("sign-in, unknown email", {**creds, "email": "nobody@example.com"}),
            ]:
                samples = []
                for _ in range(n):
                    started = time.perf_counter()
                    await client.post(
                        "/graphql", json={"query": SIGN_IN, "variables": {"i": variables}}
                    )
                    samples.append((time.perf_counter() - started) * 1000)
                samples.sort()
                p95 = samples[int(len(samples) * 0.95) - 1]
                print(f"{label:<26} p50 {statistics.median(samples):6.1f} ms  p95 {p95:6.1f} ms")


if __name__ == "__main__":
    if "DATABASE_URL" not in os.environ:
        sys.exit("set DATABASE_URL to a scratch database")
    migrations.upgrade(os.environ["DATABASE_URL"])
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
