"""GraphQL types of certificates (shared by program home, course progress and `certificates`)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from edxelera_gql.catalog.types import Course, Program
from edxelera_gql.certificates.numbers import verification_url
from edxelera_gql.certificates.service import CertificateRow


@strawberry.enum
class CertificateType(Enum):
    COURSE = "course"
    PROGRAM = "program"


@strawberry.enum
class CertificateStatus(Enum):
    ISSUED = "issued"
    REVOKED = "revoked"


@strawberry.type(description="A course or program certificate of the viewer.")
class Certificate:
    id: strawberry.ID
    type: CertificateType
    status: CertificateStatus
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
        row: CertificateRow,
        *,
        course: Course | None,
        program: Program | None,
        public_base_url: str,
    ) -> Certificate:
        return cls(
            id=strawberry.ID(str(row.id)),
            type=CertificateType(row.type),
            status=CertificateStatus(row.status),
            certificate_number=row.number,
            issued_at=row.issued_at,
            course=course,
            program=program,
            verification_url=verification_url(public_base_url, row.number),
        )


@strawberry.type(description="A short-lived signed URL.")
class SignedUrl:
    url: str
    expires_at: datetime


@strawberry.type(description="What anyone may learn about a certificate from its number.")
class CertificateVerification:
    certificate_number: str
    status: CertificateStatus
    holder_name: str
    type: CertificateType
    course_title: str | None
    program_title: str
    issued_at: datetime
