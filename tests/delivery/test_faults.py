"""Dependencies failing under a request: a clear error, nothing half-done, and recovery."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select, text

from edxelera_gql.app import create_app
from edxelera_gql.auth.models import User
from edxelera_gql.certificates import delivery
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra.cloudfront import create_signer
from edxelera_gql.infra.storage import S3Storage
from tests.support.factories import make_program
from tests.support.paystack import free_port
from tests.support.s3 import s3_client
from tests.support.users import create_account

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


async def test_s3_down_during_a_first_download_is_a_clear_error_and_a_retry_works(
    s3_env, sessionmaker, settings, cache
) -> None:
    s3_client(s3_env).create_bucket(Bucket="edx-certs-down")
    settings = settings.with_overrides(
        s3_certificates_bucket="edx-certs-down", aws_endpoint_url=s3_env
    )
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="down")
        user = User(email="down@x.com", full_name="Ada Down", password_hash="!")
        session.add(user)
        await session.flush()
        certificate = Certificate(
            user_id=user.id, cohort_id=cohort.id, course_id=None, type="program",
            status="issued", scope_key=f"program:{user.id}:{cohort.id}",
            certificate_number="EDX-DOWN-0000-0001", issued_at_utc=NOW,
        )  # fmt: skip
        session.add(certificate)

    async def download(storage: S3Storage):
        return await delivery.download_url(
            sessionmaker,
            cache=cache,
            certificate_id=certificate.id,
            user_id=user.id,
            now=NOW,
            storage=storage,
            signer=create_signer(settings),
            settings=settings,
        )

    unreachable = S3Storage(region="us-east-1", endpoint_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(DomainError) as refused:
        await download(unreachable)
    assert refused.value.code is Code.SERVICE_UNAVAILABLE
    async with sessionmaker() as session:
        stored = (await session.scalars(select(Certificate))).one()
    assert stored.file_key is None  # nothing recorded for a PDF that was never stored

    signed = await download(S3Storage(region="us-east-1", endpoint_url=s3_env))
    assert "/certificates/EDX-DOWN-0000-0001.pdf?" in signed.url


async def test_a_killed_redis_leaves_the_api_answering(settings, clock, sessionmaker) -> None:
    dead = settings.with_overrides(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    app = create_app(dead, clock=clock, setup_logging=False)
    async with app.router.lifespan_context(app):
        account = await create_account(app, sessionmaker)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            started = time.perf_counter()
            for _ in range(5):
                response = await http.post(
                    "/graphql", json={"query": "{ me { id } programs { nodes { slug } } }"},
                    headers=account.headers,
                )  # fmt: skip
                assert response.json()["data"]["me"] is not None
            readiness = (await http.get("/readyz")).json()
    assert time.perf_counter() - started < 2
    assert readiness["checks"]["redis"] == "unavailable"
    assert readiness["status"] == "degraded"


async def test_the_pool_recovers_when_the_database_drops_every_connection(
    settings, clock, sessionmaker, cache, is_mysql, database_url
) -> None:
    """What a MariaDB restart does to a running app: every pooled connection dies. The next
    requests must succeed (pre-ping reconnects), not hang or fail."""
    if not is_mysql:
        pytest.skip("needs a server that can drop connections")
    app = create_app(settings, clock=clock, setup_logging=False)
    async with app.router.lifespan_context(app):
        account = await create_account(app, sessionmaker)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

            async def ask() -> dict:
                response = await http.post(
                    "/graphql", json={"query": "{ me { id } programs { nodes { slug } } }"},
                    headers=account.headers,
                )  # fmt: skip
                return response.json()

            assert (await ask())["data"]["me"] is not None
            engine = app.state.engine
            database = engine.url.database
            async with sessionmaker() as admin:
                ours = (
                    (
                        await admin.execute(
                            text(
                                "SELECT ID FROM information_schema.PROCESSLIST "
                                "WHERE DB = :db AND ID <> CONNECTION_ID()"
                            ),
                            {"db": database},
                        )
                    )
                    .scalars()
                    .all()
                )
                for connection_id in ours:
                    await admin.execute(text(f"KILL CONNECTION {int(connection_id)}"))
            assert ours, "the app's pool held connections to kill"
            started = time.perf_counter()
            answers = [await ask() for _ in range(5)]
    assert all(a.get("data", {}).get("me") is not None for a in answers), answers
    assert time.perf_counter() - started < 5
