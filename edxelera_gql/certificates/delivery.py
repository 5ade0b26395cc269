"""Certificate PDFs in storage, short-lived download URLs, and public verification data."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.models import User
from edxelera_gql.catalog.models import Cohort, Course
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.certificates.numbers import verification_url
from edxelera_gql.certificates.pdf import CertificateContent, render_certificate
from edxelera_gql.errors import DomainError
from edxelera_gql.infra.cloudfront import SignedUrl, UrlSigner
from edxelera_gql.infra.storage import Storage
from edxelera_gql.settings import Settings

LOCAL_CERTIFICATES_BUCKET = "local-certificates"
PDF = "application/pdf"


def storage_location(settings: Settings, number: str) -> tuple[str, str, str]:
    """(bucket, key, CloudFront path) derived from the certificate number alone."""
    key = f"certificates/{number}.pdf"
    if settings.s3_certificates_bucket:
        return settings.s3_certificates_bucket, key, f"/{key}"
    # Local storage serves /cdn/<bucket>/<key>.
    return LOCAL_CERTIFICATES_BUCKET, key, f"/{LOCAL_CERTIFICATES_BUCKET}/{key}"


@dataclass(frozen=True)
class CertificateFacts:
    certificate: Certificate
    holder_name: str
    course_title: str | None
    program_title: str
    program_start: datetime
    program_end: datetime


async def load_facts(session: AsyncSession, certificate: Certificate) -> CertificateFacts:
    row = (
        await session.execute(
            select(User.full_name, Cohort.title, Cohort.start_at_utc, Cohort.end_at_utc)
            .select_from(User)
            .join(Cohort, Cohort.id == certificate.cohort_id)
            .where(User.id == certificate.user_id)
        )
    ).one()
    course_title = None
    if certificate.course_id is not None:
        course_title = await session.scalar(
            select(Course.title).where(Course.id == certificate.course_id)
        )
    holder, program_title, start, end = row
    return CertificateFacts(certificate, holder, course_title, program_title, start, end)


async def _is_stored(certificate: Certificate, storage: Storage) -> bool:
    if not (certificate.file_bucket and certificate.file_key):
        return False
    return await storage.head(certificate.file_bucket, certificate.file_key) is not None


async def ensure_pdf(
    session: AsyncSession, certificate: Certificate, *, storage: Storage, settings: Settings
) -> Certificate:
    """Renders and uploads the PDF the first time; later calls reuse the stored object (and
    render it again if it vanished from storage).

    Only a render takes the row lock, so two first downloads render once while ordinary
    downloads neither wait on each other nor hold a lock across the storage call. Rendering
    runs in a worker thread.
    """
    if await _is_stored(certificate, storage):
        return certificate
    locked = await session.scalar(
        select(Certificate)
        .where(Certificate.id == certificate.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    if await _is_stored(locked, storage):  # a concurrent first download got here first
        return locked
    facts = await load_facts(session, locked)
    bucket, key, path = storage_location(settings, locked.certificate_number)
    content = CertificateContent(
        holder_name=facts.holder_name,
        kind=locked.type,
        title=facts.course_title or facts.program_title,
        program_title=facts.program_title,
        program_start=facts.program_start,
        program_end=facts.program_end,
        issued_at=locked.issued_at_utc,
        number=locked.certificate_number,
        verification_url=verification_url(settings.public_base_url, locked.certificate_number),
    )
    body = await asyncio.to_thread(render_certificate, content)
    await storage.put(bucket, key, body, PDF)
    locked.file_bucket, locked.file_key, locked.cloud_front_path = bucket, key, path
    await session.flush()
    return locked


async def download_url(
    session: AsyncSession,
    *,
    certificate_id: int,
    user_id: int,
    now: datetime,
    storage: Storage,
    signer: UrlSigner,
    settings: Settings,
) -> SignedUrl:
    """A signed URL to the owner's certificate PDF; anyone else's is NOT_FOUND."""
    certificate = await session.scalar(
        select(Certificate).where(Certificate.id == certificate_id, Certificate.user_id == user_id)
    )
    if certificate is None:
        raise DomainError("NOT_FOUND", "Certificate not found.")
    if certificate.status == "revoked":
        raise DomainError("FORBIDDEN", "This certificate was revoked.")
    certificate = await ensure_pdf(session, certificate, storage=storage, settings=settings)
    expires_at = now + timedelta(seconds=settings.certificate_url_ttl_seconds)
    return signer.sign_file(certificate.cloud_front_path or "", expires_at=expires_at)


async def verify(session: AsyncSession, number: str) -> CertificateFacts | None:
    """Public lookup by number; never exposes the email. Forgiving as Crockford base32 is:
    case, spaces, and O/I/L typed for 0/1/1 in the random part."""
    normalized = number.strip().upper().replace(" ", "")
    prefix, dash, rest = normalized.partition("-")
    if dash:
        normalized = prefix + dash + rest.translate(str.maketrans("OIL", "011"))
    if not normalized or len(normalized) > 32:
        return None
    certificate = await session.scalar(
        select(Certificate).where(Certificate.certificate_number == normalized)
    )
    if certificate is None:
        return None
    return await load_facts(session, certificate)
