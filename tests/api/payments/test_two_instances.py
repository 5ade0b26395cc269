"""Two server processes on one MariaDB and one Redis: what one instance knows, the other does.

Rate limits, cache invalidation, one enrollment per payment and refresh-token reuse detection
must hold across instances, since production runs several behind a load balancer.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.factories import make_program
from tests.support.paystack import TEST_PAYSTACK_SECRET, SandboxServer, free_port, payment_rows


@pytest.fixture
async def instances(
    settings, paystack_server: SandboxServer, tmp_path: Path, is_mysql: bool
) -> AsyncIterator[list[str]]:
    if not is_mysql or not settings.redis_url:
        pytest.skip("two processes share state only through MariaDB and Redis")
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL"}}
    env.update(
        APP_ENV="test",
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        EDXELERA_VAR_DIR=str(tmp_path / "var"),
        JWT_SECRET="two-instances-" + "q7Vn2xLp9RtB4mZs8KwYc3HdFj6Ga",
        PAYSTACK_SECRET_KEY=TEST_PAYSTACK_SECRET,
        PAYSTACK_BASE_URL=paystack_server.url,
        PAYSTACK_CALLBACK_URL="https://frontend.example/payments/return",
        SIGN_IN_LIMIT_PER_EMAIL="4",
    )
    processes, bases = [], []
    for name in ("a", "b"):
        port = free_port()
        log = (tmp_path / f"{name}.log").open("w+")
        processes.append(
            (
                subprocess.Popen(  # noqa: ASYNC220 - started once; the servers run apart
                    [sys.executable, "-m", "edxelera_gql", "serve", "--port", str(port)],
                    env={**env, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=tmp_path,
                ),
                log,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            for base, (proc, log) in zip(bases, processes, strict=True):
                for _ in range(300):
                    if proc.poll() is not None:
                        log.seek(0)
                        pytest.fail(f"{base} exited:\n{log.read()}")
                    try:
                        if (await http.get(f"{base}/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
        yield bases
    finally:
        for proc, log in processes:
            proc.terminate()
            proc.wait(timeout=10)
            log.close()


async def _gql(http: httpx.AsyncClient, base: str, query: str, token: str | None = None,
               **variables: Any) -> dict[str, Any]:  # fmt: skip
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        f"{base}/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return response.json()


SIGN_UP = """mutation($e: String!) { signUp(input: {email: $e, password: "password1",
  fullName: "Two"}) { accessToken refreshToken errors { code } } }"""
SIGN_IN = """mutation($e: String!) { signIn(input: {email: $e, password: "wrong-password"})
  { errors { code } } }"""
REFRESH = """mutation($t: String!) { refreshSession(input: {refreshToken: $t})
  { refreshToken errors { code } } }"""
INIT = """mutation($s: String!) { initPayment(input: {programSlug: $s})
  { reference errors { code } } }"""
VERIFY = """mutation($r: String!) { verifyPayment(input: {reference: $r})
  { billingStatus { enrollmentStatus } errors { code } } }"""
HOME = """query { programHome(programSlug: "shared") { courses { completedLessons } } }"""
COMPLETE = """mutation { completeLesson(input: {courseSlug: "shared-c0", lessonSlug: "w1-l0"})
  { errors { code } } }"""


async def test_two_instances_share_limits_caches_payments_and_sessions(
    instances, sessionmaker, paystack_server
) -> None:
    a, b = instances
    now = datetime.now(UTC)
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="shared", start=now - timedelta(days=1),
                           late_join_enabled=True)  # fmt: skip
        await make_program(session, slug="paidtwo", start=now - timedelta(days=1),
                           late_join_enabled=True, price_minor=250_000)  # fmt: skip
    async with httpx.AsyncClient(timeout=10) as http:
        # Rate limits: four wrong passwords spread over both instances exhaust the limit.
        await _gql(http, a, SIGN_UP, e="limits@example.com")
        codes = [
            (await _gql(http, base, SIGN_IN, e="limits@example.com"))["data"]["signIn"]["errors"][
                0
            ]["code"]
            for base in (a, b, a, b, a)
        ]
        assert codes == ["INVALID_CREDENTIALS"] * 4 + ["RATE_LIMITED"]

        # Cache invalidation: B caches program home, A completes a lesson, B shows it at once.
        student = (await _gql(http, a, SIGN_UP, e="learner@example.com"))["data"]["signUp"]
        token = student["accessToken"]
        assert (await _gql(http, b, INIT, token, s="shared"))["data"]["initPayment"]["errors"] == []
        home = lambda data: data["data"]["programHome"]["courses"][0]["completedLessons"]  # noqa: E731
        assert home(await _gql(http, b, HOME, token)) == 0
        assert (await _gql(http, a, COMPLETE, token))["data"]["completeLesson"]["errors"] == []
        assert home(await _gql(http, b, HOME, token)) == 1

        # One enrollment per payment: the webhook reaches A while the payer verifies on B.
        payer = (await _gql(http, a, SIGN_UP, e="payer@example.com"))["data"]["signUp"]
        started = (await _gql(http, a, INIT, payer["accessToken"], s="paidtwo"))["data"]
        reference = started["initPayment"]["reference"]
        sandbox = paystack_server.sandbox
        sandbox.complete(reference)
        body, headers = sandbox.signed(sandbox.event("charge.success", reference))
        webhook, verified = await asyncio.gather(
            http.post(f"{a}/webhooks/paystack", content=body, headers=headers),
            _gql(http, b, VERIFY, payer["accessToken"], r=reference),
        )
        assert webhook.status_code == 200
        assert verified["data"]["verifyPayment"]["billingStatus"]["enrollmentStatus"] == "ACTIVE"
        rows = await payment_rows(sessionmaker)
        paid = [t for t in rows.transactions if t.reference == reference]
        assert [t.status for t in paid] == ["success"]
        assert [e.dedupe_key for e in rows.events] == [f"charge.success:{reference}"]

        # Refresh-token reuse: rotated on A, the old token replayed on B revokes the family.
        first = student["refreshToken"]
        rotated = (await _gql(http, a, REFRESH, t=first))["data"]["refreshSession"]
        assert rotated["errors"] == []
        replay = (await _gql(http, b, REFRESH, t=first))["data"]["refreshSession"]
        assert replay["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
        after = (await _gql(http, a, REFRESH, t=rotated["refreshToken"]))["data"]
        assert after["refreshSession"]["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
