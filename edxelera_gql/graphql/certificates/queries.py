"""`certificates`: the viewer's own certificates."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.auth.permissions import require_viewer
from edxelera_gql.certificates import delivery, issuance
from edxelera_gql.graphql.catalog.types import Course, Program
from edxelera_gql.graphql.certificates.types import (
    TYPED_NUMBER,
    Certificate,
    CertificateVerification,
    SignedUrl,
)
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import DEFAULTS, PUBLIC, minutes
from edxelera_gql.graphql.ids import maybe_int_key


async def certificates_of(ctx: Context) -> list[Certificate]:
    viewer = require_viewer(ctx.viewer)
    async with ctx.sessionmaker() as session:
        rows = await issuance.certificates_of_user(session, viewer.user_id)
    return [
        Certificate.build(
            certificate,
            course=Course.from_facts(course) if course else None,
            program=Program.from_facts(program) if program else None,
            settings=ctx.settings,
        )
        for certificate, program, course in rows
    ]


@strawberry.type
class CertificateQuery:
    @strawberry.field(
        description="The viewer's certificates, issued and revoked, newest first. Signed in "
        "(UNAUTHENTICATED otherwise)."
    )
    async def certificates(self, info: Info[Context, None]) -> list[Certificate] | None:
        return await certificates_of(info.context)

    @strawberry.field(
        description="A signed URL to the PDF of one of the viewer's own certificates, valid "
        f"{minutes(DEFAULTS.certificate_url_ttl_seconds)} by default. The PDF is made on "
        "first download. Signed in; someone else's certificate is NOT_FOUND, a revoked one "
        "FORBIDDEN, and SERVICE_UNAVAILABLE means storage is briefly down (retry)."
    )
    async def certificate_download(
        self,
        info: Info[Context, None],
        certificate_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="`Certificate.id` (a bare number is accepted too)."),
        ],
    ) -> SignedUrl | None:
        ctx = info.context
        viewer = require_viewer(ctx.viewer)
        # Not a certificate id: unknown either way, NOT_FOUND below.
        certificate_pk = maybe_int_key(certificate_id, "Certificate") or 0
        # Renders and stores the PDF on first download (one renderer, no lock held).
        signed = await delivery.download_url(
            ctx.sessionmaker,
            cache=ctx.cache,
            certificate_id=certificate_pk,
            user_id=viewer.user_id,
            now=ctx.now(),
            storage=ctx.storage,
            signer=ctx.signer,
            settings=ctx.settings,
        )
        return SignedUrl(url=signed.url, expires_at=signed.expires_at)

    @strawberry.field(
        description=f"Checks a certificate by its number. {PUBLIC} Null, without an error, "
        "when no certificate has this number. A revoked certificate answers with status "
        "REVOKED. Never shows the holder's email."
    )
    async def verify_certificate(
        self,
        info: Info[Context, None],
        certificate_number: Annotated[str, strawberry.argument(description=TYPED_NUMBER)],
    ) -> CertificateVerification | None:
        async with info.context.sessionmaker() as session:
            details = await delivery.verify(session, certificate_number)
        return CertificateVerification.from_details(details) if details else None
