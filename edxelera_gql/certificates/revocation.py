"""revokeCertificate (admins): the certificate stops certifying, everywhere at once.

The public page, ``verifyCertificate`` and the learner's own list show it as revoked, and
downloads are refused. The reason is kept for the record and shown to no one else: a public
page is not the place to publish why. Revoking a revoked certificate changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql import text
from edxelera_gql.auth.permissions import require_admin
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.certificates.delivery import load_details, normalize_number
from edxelera_gql.certificates.enums import CertificateStatus
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.certificates.read_models import CertificateDetails
from edxelera_gql.db import versions as db_versions
from edxelera_gql.db.unit_of_work import UnitOfWork
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.infra import versions
from edxelera_gql.infra.cache import Cache

REASON_MAX = 500


def _check_reason(reason: str) -> str:
    cleaned = text.normalize(reason).strip()
    if not cleaned or len(cleaned) > REASON_MAX or not text.has_visible_character(cleaned):
        raise DomainError(
            Code.INVALID_INPUT, f"Give a reason of 1 to {REASON_MAX} characters.", field="reason"
        )
    return cleaned


async def revoke_certificate(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cache: Cache,
    viewer: Viewer | None,
    certificate_number: str,
    reason: str,
    now: datetime,
) -> CertificateDetails:
    admin = require_admin(viewer, "Only admins may revoke certificates.")
    cleaned = _check_reason(reason)
    number = normalize_number(certificate_number)
    not_found = DomainError(Code.NOT_FOUND, "No such certificate.", field="certificateNumber")
    if number is None:
        raise not_found
    async with UnitOfWork(sessionmaker) as uow:
        certificate = await uow.session.scalar(
            select(Certificate).where(Certificate.certificate_number == number).with_for_update()
        )
        if certificate is None:
            raise not_found
        if certificate.status != CertificateStatus.REVOKED:
            certificate.status = CertificateStatus.REVOKED
            certificate.revoked_at_utc = now
            certificate.revocation_reason = cleaned
            certificate.revoked_by_user_id = admin.user_id
            await uow.session.flush()
            if certificate.cohort_id is not None:
                # The learner's program home lists their certificates.
                scope = versions.viewer_program_scope(certificate.user_id, certificate.cohort_id)
                await db_versions.bump_in(uow, cache, scope)
        return await load_details(uow.session, certificate)
