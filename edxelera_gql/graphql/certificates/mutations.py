"""revokeCertificate: an adapter over ``certificates.revocation``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from edxelera_gql.certificates import revocation
from edxelera_gql.graphql.certificates.types import (
    CertificateVerification,
    RevokeCertificateInput,
    RevokeCertificatePayload,
)
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import mutation


@strawberry.type
class CertificateMutation:
    @mutation(
        RevokeCertificatePayload,
        description="Admins: revokes a certificate. Its public page, verifyCertificate and the "
        "holder's list show it as revoked, and downloads are refused. Idempotent.",
    )
    async def revoke_certificate(
        self, info: Info[Context, None], input: RevokeCertificateInput
    ) -> RevokeCertificatePayload:
        ctx = info.context
        details = await revocation.revoke_certificate(
            ctx.sessionmaker,
            cache=ctx.cache,
            viewer=ctx.viewer,
            certificate_number=input.certificate_number,
            reason=input.reason,
            now=ctx.now(),
        )
        return RevokeCertificatePayload(certificate=CertificateVerification.from_details(details))
