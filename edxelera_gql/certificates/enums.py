"""Certificate kinds and statuses, stored by value in ``certificates``."""

from __future__ import annotations

from enum import StrEnum


class CertificateType(StrEnum):
    COURSE = "course"
    PROGRAM = "program"


class CertificateStatus(StrEnum):
    ISSUED = "issued"
    REVOKED = "revoked"
