"""`certificates`: the viewer's own certificates."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.catalog.types import Course, Program
from edxelera_gql.certificates import delivery, service
from edxelera_gql.certificates.types import (
    Certificate,
    CertificateStatus,
    CertificateType,
    CertificateVerification,
    SignedUrl,
)
from edxelera_gql.graphql.context import Context


@strawberry.type
class CertificateQuery:
    @strawberry.field(description="The viewer's certificates, newest first.")
    async def certificates(self, info: Info[Context, None]) -> list[Certificate]:
        ctx = info.context
        viewer = require_viewer(ctx.viewer)
        async with ctx.sessionmaker() as session:
            rows = await service.certificates_of_user(session, viewer.user_id)
        return [
            Certificate.build(
                service.CertificateRow.from_model(certificate),
                course=Course.from_model(course) if course else None,
                program=Program.from_model(cohort) if cohort else None,
                public_base_url=ctx.settings.public_base_url,
            )
            for certificate, cohort, course in rows
        ]

    @strawberry.field(description="A short-lived signed URL to the viewer's certificate PDF.")
    async def certificate_download(
        self, info: Info[Context, None], certificate_id: strawberry.ID
    ) -> SignedUrl:
        ctx = info.context
        viewer = require_viewer(ctx.viewer)
        try:
            certificate_pk = int(certificate_id)
        except ValueError:
            certificate_pk = 0  # unknown either way: NOT_FOUND below
        # Renders and stores the PDF on first download: one transaction, row locked.
        async with ctx.sessionmaker() as session, session.begin():
            signed = await delivery.download_url(
                session,
                certificate_id=certificate_pk,
                user_id=viewer.user_id,
                now=ctx.now(),
                storage=ctx.storage,
                signer=ctx.signer,
                settings=ctx.settings,
            )
        return SignedUrl(url=signed.url, expires_at=signed.expires_at)

    @strawberry.field(description="Public: checks a certificate by its number; null if unknown.")
    async def verify_certificate(
        self, info: Info[Context, None], certificate_number: str
    ) -> CertificateVerification | None:
        async with info.context.sessionmaker() as session:
            facts = await delivery.verify(session, certificate_number)
        if facts is None:
            return None
        certificate = facts.certificate
        return CertificateVerification(
            certificate_number=certificate.certificate_number,
            status=CertificateStatus(certificate.status),
            holder_name=facts.holder_name,
            type=CertificateType(certificate.type),
            course_title=facts.course_title,
            program_title=facts.program_title,
            issued_at=certificate.issued_at_utc,
        )
