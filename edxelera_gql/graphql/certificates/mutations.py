"""revokeCertificate: an adapter over ``certificates.revocation``."""

from __future__ import annotations

from typing import Annotated

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
        description="Admins only (FORBIDDEN otherwise): revokes a certificate. From then on its "
        "public page, verifyCertificate and the holder's own list show it as REVOKED, and "
        "downloads are refused. Idempotent: revoking a revoked certificate keeps its first "
        "revocation. Errors: NOT_FOUND (`certificateNumber`), INVALID_INPUT (`reason`), "
        "UNAUTHENTICATED.",
    )
    async def revoke_certificate(
        self,
        info: Info[Context, None],
        input: Annotated[
            RevokeCertificateInput,
            strawberry.argument(description="The certificate to revoke, and why."),
        ],
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
