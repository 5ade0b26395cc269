"""Certificate PDFs stored in S3 (moto's server over loopback): uploaded once, then reused."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

from pypdf import PdfReader
from sqlalchemy import select

from edxelera_gql.auth.models import User
from edxelera_gql.certificates import delivery
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.infra.cloudfront import create_signer
from edxelera_gql.infra.storage import S3Storage
from tests.support.factories import make_program
from tests.support.s3 import s3_client

NOW = datetime(2027, 5, 1, 12, tzinfo=UTC)


class CountingS3Storage(S3Storage):
    """The real adapter, counting uploads."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.puts = 0

    async def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        self.puts += 1
        await super().put(bucket, key, body, content_type)


async def test_pdf_is_uploaded_once_and_reused(s3_env, sessionmaker, settings, tmp_path, cache):
    s3 = s3_client(s3_env)
    s3.create_bucket(Bucket="edx-certs")
    settings = settings.with_overrides(
        s3_certificates_bucket="edx-certs", aws_endpoint_url=s3_env, var_dir=str(tmp_path)
    )
    storage = CountingS3Storage(region="us-east-1", endpoint_url=s3_env)
    signer = create_signer(settings)
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="pdf")
        user = User(email="ada@x.com", full_name="Ada Lovelace", password_hash="!")
        session.add(user)
        await session.flush()
        certificate = Certificate(
            user_id=user.id,
            cohort_id=cohort.id,
            course_id=None,
            type="program",
            status="issued",
            scope_key=f"program:{user.id}:{cohort.id}",
            certificate_number="EDX-1234-5678-9ABC",
            issued_at_utc=NOW,
        )
        session.add(certificate)

    for _ in range(2):
        signed = await delivery.download_url(
            sessionmaker,
            cache=cache,
            certificate_id=certificate.id,
            user_id=user.id,
            now=NOW,
            storage=storage,
            signer=signer,
            settings=settings,
        )
        assert "/certificates/EDX-1234-5678-9ABC.pdf?" in signed.url
    assert storage.puts == 1

    async with sessionmaker() as session:
        stored = (await session.scalars(select(Certificate))).one()
    assert (stored.file_bucket, stored.file_key) == (
        "edx-certs",
        "certificates/EDX-1234-5678-9ABC.pdf",
    )
    body = s3.get_object(Bucket="edx-certs", Key=stored.file_key)
    assert body["ContentType"] == "application/pdf"
    text = PdfReader(io.BytesIO(body["Body"].read())).pages[0].extract_text()
    assert "Ada Lovelace" in text
    assert "EDX-1234-5678-9ABC" in text
    assert "Program pdf" in text

    # If the object disappears (a bucket was emptied), the next download renders it again.
    s3.delete_object(Bucket="edx-certs", Key=stored.file_key)
    await delivery.download_url(
        sessionmaker,
        cache=cache,
        certificate_id=certificate.id,
        user_id=user.id,
        now=NOW,
        storage=storage,
        signer=signer,
        settings=settings,
    )
    assert storage.puts == 2


async def test_concurrent_first_downloads_render_once(s3_env, sessionmaker, settings, cache):
    # One renderer is elected through the cache (Redis in CI), so no row lock is needed and
    # the test holds on both backends.
    s3_client(s3_env).create_bucket(Bucket="edx-certs-race")
    settings = settings.with_overrides(
        s3_certificates_bucket="edx-certs-race", aws_endpoint_url=s3_env
    )
    storage = CountingS3Storage(region="us-east-1", endpoint_url=s3_env)
    signer = create_signer(settings)
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="race")
        user = User(email="race@x.com", full_name="Grace Hopper", password_hash="!")
        session.add(user)
        await session.flush()
        certificate = Certificate(
            user_id=user.id,
            cohort_id=cohort.id,
            course_id=None,
            type="program",
            status="issued",
            scope_key=f"program:{user.id}:{cohort.id}",
            certificate_number="EDX-RACE-0000-0001",
            issued_at_utc=NOW,
        )
        session.add(certificate)

    async def download() -> str:
        signed = await delivery.download_url(
            sessionmaker,
            cache=cache,
            certificate_id=certificate.id,
            user_id=user.id,
            now=NOW,
            storage=storage,
            signer=signer,
            settings=settings,
        )
        return signed.url.split("?")[0]

    urls = await asyncio.gather(*(download() for _ in range(8)))
    assert len(set(urls)) == 1
    assert storage.puts == 1
