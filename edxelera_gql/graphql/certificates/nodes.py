"""Certificate nodes: the holder's own certificates, and public verifications by number."""

from __future__ import annotations

from strawberry.types import Info

from edxelera_gql.certificates import delivery
from edxelera_gql.graphql.certificates.queries import certificates_of
from edxelera_gql.graphql.certificates.types import Certificate, CertificateVerification
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import node_resolver


@node_resolver("Certificate")
async def certificate_node(info: Info[Context, None], keys: list[str]) -> Certificate | None:
    if info.context.viewer is None:
        return None
    wanted = global_id("Certificate", keys[0])
    return next((c for c in await certificates_of(info.context) if c.id == wanted), None)


@node_resolver("CertificateVerification")
async def verification_node(
    info: Info[Context, None], keys: list[str]
) -> CertificateVerification | None:
    async with info.context.sessionmaker() as session:
        details = await delivery.verify(session, keys[0])
    return CertificateVerification.from_details(details) if details else None
