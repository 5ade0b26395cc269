"""Certificates as the rest of the code reads them: frozen values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from edxelera_gql.certificates.enums import CertificateStatus, CertificateType


@dataclass(frozen=True)
class CertificateFacts:
    """What the API shows of a certificate (cacheable)."""

    id: int
    type: CertificateType
    status: CertificateStatus
    number: str
    issued_at: datetime
    course_id: int | None
    cohort_id: int | None


@dataclass(frozen=True)
class CertificateDetails:
    """A certificate with what its PDF and its public verification show."""

    certificate: CertificateFacts
    holder_name: str
    course_title: str | None
    program_title: str
    program_start: datetime
    program_end: datetime
    # What it took: the lessons' total duration in the course (or the whole program).
    hours: float
    revoked_at: datetime | None = None
