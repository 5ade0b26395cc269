"""Certificate PDFs in storage, short-lived download URLs, and public verification data."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.models import User
from edxelera_gql.catalog.models import Cohort, Course, Lesson, Week
from edxelera_gql.certificates.enums import CertificateStatus
from edxelera_gql.certificates.issuance import certificate_facts
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.certificates.numbers import verification_url
from edxelera_gql.certificates.pdf import CertificateContent, render_certificate
from edxelera_gql.certificates.read_models import CertificateDetails
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra import metrics, singleflight
from edxelera_gql.infra.cache import Cache
from edxelera_gql.infra.cloudfront import SignedUrl, UrlSigner
from edxelera_gql.infra.storage import Storage, StorageUnavailable
from edxelera_gql.settings import Settings

log = logging.getLogger(__name__)

LOCAL_CERTIFICATES_BUCKET = "local-certificates"
PDF = "application/pdf"


def storage_location(settings: Settings, number: str) -> tuple[str, str, str]:
    """(bucket, key, CloudFront path) derived from the certificate number alone."""
    key = f"certificates/{number}.pdf"
    if settings.s3_certificates_bucket:
        return settings.s3_certificates_bucket, key, f"/{key}"
    # Local storage serves /cdn/<bucket>/<key>.
    return LOCAL_CERTIFICATES_BUCKET, key, f"/{LOCAL_CERTIFICATES_BUCKET}/{key}"


async def load_details(session: AsyncSession, certificate: Certificate) -> CertificateDetails:
    # What it took: the lessons' total duration, in the course or the whole program.
    seconds = (
        select(func.coalesce(func.sum(Lesson.duration_seconds), 0))
        .join(Week, Week.id == Lesson.week_id)
        .where(
            Week.cohort_id == certificate.cohort_id,
            *([Lesson.course_id == certificate.course_id] if certificate.course_id else []),
        )
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(User.full_name, Cohort.title, Cohort.start_at_utc, Cohort.end_at_utc, seconds)
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
    holder, program_title, start, end, total = row
    return CertificateDetails(
        certificate_facts(certificate),
        holder,
        course_title,
        program_title,
        start,
        end,
        hours=round(int(total or 0) / 3600, 1),
        revoked_at=certificate.revoked_at_utc,
    )


async def _stored_path(certificate: Certificate, storage: Storage) -> str | None:
    if not (certificate.file_bucket and certificate.file_key):
        return None
    if await storage.head(certificate.file_bucket, certificate.file_key) is None:
        return None
    return certificate.cloud_front_path or ""


def _content(details: CertificateDetails, settings: Settings) -> CertificateContent:
    certificate = details.certificate
    return CertificateContent(
        holder_name=details.holder_name,
        kind=certificate.type,
        title=details.course_title or details.program_title,
        program_title=details.program_title,
        program_start=details.program_start,
        program_end=details.program_end,
        issued_at=certificate.issued_at,
        number=certificate.number,
        verification_url=verification_url(
            settings.public_base_url, certificate.number, settings.certificate_verify_url
        ),
        hours=details.hours,
        issuer=settings.certificate_issuer_name,
        logo=_logo(settings),
        signatory_name=settings.certificate_signatory_name,
        signatory_title=settings.certificate_signatory_title,
    )


def _logo(settings: Settings) -> bytes | None:
    # Read per render: certificates render rarely, and a replaced file takes effect at once.
    if not settings.certificate_logo_path:
        return None
    return Path(settings.certificate_logo_path).read_bytes()


async def _render_and_store(
    sessionmaker: async_sessionmaker[AsyncSession],
    certificate: Certificate,
    *,
    storage: Storage,
    settings: Settings,
) -> str:
    """Renders (in a worker thread), uploads, then records where the PDF lives."""
    async with sessionmaker() as session:
        details = await load_details(session, certificate)
    bucket, key, path = storage_location(settings, certificate.certificate_number)
    body = await asyncio.to_thread(render_certificate, _content(details, settings))
    await storage.put(bucket, key, body, PDF)
    async with UnitOfWork(sessionmaker) as uow:
        await uow.session.execute(
            update(Certificate)
            .where(Certificate.id == certificate.id)
            .values(file_bucket=bucket, file_key=key, cloud_front_path=path)
        )
    metrics.CERTIFICATES_RENDERED.inc()
    return path


async def ensure_pdf(
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    certificate: Certificate,
    *,
    storage: Storage,
    settings: Settings,
) -> str:
    """The PDF's CloudFront path: rendered and uploaded the first time (again if it vanished
    from storage), reused later.

    Two first downloads render once: the cache elects one renderer and the other waits for
    its result (``infra.singleflight``). No row lock or transaction is held across the render
    or the storage call.
    """
    if (path := await _stored_path(certificate, storage)) is not None:
        return path

    async def settled() -> str | None:
        async with sessionmaker() as session:
            fresh = await session.get(Certificate, certificate.id)
            return await _stored_path(fresh, storage) if fresh is not None else None

    return await singleflight.run(
        cache,
        f"certificate-pdf:{certificate.id}",
        work=lambda: _render_and_store(
            sessionmaker, certificate, storage=storage, settings=settings
        ),
        settled=settled,
        ttl_seconds=60,
        wait_seconds=30,
    )


async def download_url(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cache: Cache,
    certificate_id: int,
    user_id: int,
    now: datetime,
    storage: Storage,
    signer: UrlSigner,
    settings: Settings,
) -> SignedUrl:
    """A signed URL to the owner's certificate PDF; anyone else's is NOT_FOUND."""
    async with sessionmaker() as session:
        certificate = await session.scalar(
            select(Certificate).where(
                Certificate.id == certificate_id, Certificate.user_id == user_id
            )
        )
    if certificate is None:
        raise DomainError(Code.NOT_FOUND, "Certificate not found.")
    if certificate.status == CertificateStatus.REVOKED:
        raise DomainError(Code.FORBIDDEN, "This certificate was revoked.")
    try:
        path = await ensure_pdf(
            sessionmaker, cache, certificate, storage=storage, settings=settings
        )
    except StorageUnavailable as exc:
        log.warning("certificate storage unavailable", extra={"error": str(exc)})
        raise DomainError(
            Code.SERVICE_UNAVAILABLE,
            "Certificates are temporarily unavailable; try again in a minute.",
        ) from exc
    expires_at = now + timedelta(seconds=settings.certificate_url_ttl_seconds)
    return signer.sign_file(path, expires_at=expires_at)


def normalize_number(number: str) -> str | None:
    """Forgiving as Crockford base32 is: case, spaces, and O/I/L typed for 0/1/1 in the random
    part. None when it cannot be a number."""
    normalized = number.strip().upper().replace(" ", "")
    prefix, dash, rest = normalized.partition("-")
    if dash:
        normalized = prefix + dash + rest.translate(str.maketrans("OIL", "011"))
    if not normalized or len(normalized) > 32:
        return None
    return normalized


async def verify(session: AsyncSession, number: str) -> CertificateDetails | None:
    """Public lookup by number; never exposes the email."""
    normalized = normalize_number(number)
    if normalized is None:
        return None
    certificate = await session.scalar(
        select(Certificate).where(Certificate.certificate_number == normalized)
    )
    if certificate is None:
        return None
    return await load_details(session, certificate)
