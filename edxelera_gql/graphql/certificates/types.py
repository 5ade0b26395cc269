"""GraphQL types of certificates (shared by program home, course progress and `certificates`)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from edxelera_gql.certificates.numbers import verification_url
from edxelera_gql.certificates.read_models import CertificateDetails, CertificateFacts
from edxelera_gql.graphql.catalog.types import Course, Program
from edxelera_gql.graphql.enums import CertificateStatus, CertificateType
from edxelera_gql.graphql.errors import UserError
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node
from edxelera_gql.settings import Settings


@strawberry.type(description="A course or program certificate of the viewer.")
class Certificate(Node):
    type: CertificateType  # type: ignore[valid-type]
    status: CertificateStatus  # type: ignore[valid-type]
    certificate_number: str
    issued_at: datetime
    course: Course | None = strawberry.field(description="The course, for a course certificate.")
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


@strawberry.type(description="A short-lived signed URL.")
class SignedUrl:
    url: str
    expires_at: datetime


@strawberry.type(description="What anyone may learn about a certificate from its number.")
class CertificateVerification(Node):
    certificate_number: str
    status: CertificateStatus  # type: ignore[valid-type]
    holder_name: str
    type: CertificateType  # type: ignore[valid-type]
    course_title: str | None
    program_title: str
    issued_at: datetime
    hours: float = strawberry.field(
        description="Learning time the certificate stands for: its lessons' total duration."
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


@strawberry.input
class RevokeCertificateInput:
    certificate_number: str
    reason: str = strawberry.field(description="Kept for the record; not shown publicly.")


@strawberry.type
class RevokeCertificatePayload:
    certificate: CertificateVerification | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
