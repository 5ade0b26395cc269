"""GraphQL types of certificates (shared by program home, course progress and `certificates`)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from edxelera_gql.certificates.numbers import verification_url
from edxelera_gql.certificates.read_models import CertificateDetails, CertificateFacts
from edxelera_gql.certificates.revocation import REASON_MAX
from edxelera_gql.graphql.catalog.types import Course, Program
from edxelera_gql.graphql.descriptions import PAYLOAD_ERRORS
from edxelera_gql.graphql.enums import CertificateStatus, CertificateType
from edxelera_gql.graphql.errors import UserError
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node
from edxelera_gql.settings import Settings

NUMBER = (
    "Unique, unguessable and easy to type (e.g. EDX-7K2M-9QX4-T8RD): what its holder shares "
    "so that others can check it."
)
# verifyCertificate and revokeCertificate forgive what people get wrong typing a number.
TYPED_NUMBER = (
    "The number as printed, e.g. EDX-7K2M-9QX4-T8RD. Case and spaces do not matter, and O, I "
    "and L typed for 0, 1 and 1 are read as meant."
)


@strawberry.type(
    description="A course or program certificate of the viewer. Only its holder reads it "
    "(`certificates`, programHome, courseProgress, `node(id:)`); others check it by its "
    "number (verifyCertificate, `verificationUrl`)."
)
class Certificate(Node):
    type: CertificateType = strawberry.field(  # type: ignore[valid-type]
        description="A course or a whole program."
    )
    status: CertificateStatus = strawberry.field(  # type: ignore[valid-type]
        description="REVOKED once an admin revoked it: it then certifies nothing and cannot "
        "be downloaded."
    )
    certificate_number: str = strawberry.field(
        description=NUMBER,
    )
    issued_at: datetime = strawberry.field(
        description="When it was issued: when the course or program was completed."
    )
    course: Course | None = strawberry.field(
        description="The course, for a COURSE certificate; null for a PROGRAM certificate."
    )
    program: Program | None = strawberry.field(
        description="The program it was earned in (course certificates too)."
    )
    verification_url: str = strawberry.field(
        description="Public page that checks this certificate by its number."
    )

    @classmethod
    def build(
        cls,
        row: CertificateFacts,
        *,
        course: Course | None,
        program: Program | None,
        settings: Settings,
    ) -> Certificate:
        return cls(
            id=global_id("Certificate", row.id),
            type=row.type,
            status=row.status,
            certificate_number=row.number,
            issued_at=row.issued_at,
            course=course,
            program=program,
            verification_url=verification_url(
                settings.public_base_url, row.number, settings.certificate_verify_url
            ),
        )


@strawberry.type(description="A short-lived signed URL to a file.")
class SignedUrl:
    url: str = strawberry.field(
        description="Fetch it (or hand it to the browser) before `expiresAt`; do not store it."
    )
    expires_at: datetime = strawberry.field(
        description="When the URL stops working; ask for a new one after that."
    )


@strawberry.type(
    description="What anyone may learn about a certificate from its number, without signing "
    "in (verifyCertificate): never the holder's email. Its id is derived from the number."
)
class CertificateVerification(Node):
    certificate_number: str = strawberry.field(description=NUMBER)
    status: CertificateStatus = strawberry.field(  # type: ignore[valid-type]
        description="ISSUED, or REVOKED once an admin revoked it (see `revokedAt`)."
    )
    holder_name: str = strawberry.field(description="The holder's full name, as printed.")
    type: CertificateType = strawberry.field(  # type: ignore[valid-type]
        description="A course or a whole program."
    )
    course_title: str | None = strawberry.field(
        description="The course's title for a COURSE certificate; null for a PROGRAM one."
    )
    program_title: str = strawberry.field(
        description="The program's title (for a COURSE certificate, the program the course "
        "was taken in)."
    )
    issued_at: datetime = strawberry.field(description="When it was issued.")
    hours: float = strawberry.field(
        description="Learning time the certificate stands for: its lessons' total duration, "
        "in hours with one decimal."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When an admin revoked it; null while it holds."
    )

    @classmethod
    def from_details(cls, details: CertificateDetails) -> CertificateVerification:
        certificate = details.certificate
        return cls(
            id=global_id("CertificateVerification", certificate.number),
            certificate_number=certificate.number,
            status=certificate.status,
            holder_name=details.holder_name,
            type=certificate.type,
            course_title=details.course_title,
            program_title=details.program_title,
            issued_at=certificate.issued_at,
            hours=details.hours,
            revoked_at=details.revoked_at,
        )


@strawberry.input(description="The certificate to revoke, and why.")
class RevokeCertificateInput:
    certificate_number: str = strawberry.field(description=TYPED_NUMBER)
    reason: str = strawberry.field(
        description=f"Why, 1 to {REASON_MAX} characters once trimmed. Kept for the record; "
        "never shown publicly, not even to the holder."
    )


@strawberry.type(description="What revokeCertificate answers.")
class RevokeCertificatePayload:
    certificate: CertificateVerification | None = strawberry.field(
        default=None,
        description="What verifyCertificate shows from now on: status REVOKED and `revokedAt`.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)
