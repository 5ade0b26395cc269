"""The domains' enums as GraphQL enums: each is defined once, in its domain, and exposed here.

GraphQL names the members (``STUDENT``); the stored values stay the domains' (``student``), so a
resolver may return either a member or the raw column value. The domains know nothing of
GraphQL, so the descriptions of the members are given here, by member.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

import strawberry

from edxelera_gql.auth import enums as auth
from edxelera_gql.certificates import enums as certificates
from edxelera_gql.enrollment import enums as enrollment
from edxelera_gql.errors import Code
from edxelera_gql.graphql.error_codes import ERROR_CODE, ERROR_CODE_VALUES
from edxelera_gql.learning import rules as learning

E = TypeVar("E", bound=type[Enum])


def described_enum(cls: E, name: str, description: str, values: Mapping[Any, str]) -> E:
    """``strawberry.enum`` with a description per member, keyed by member. A key that is no
    member is refused; a member without one is left to the schema test to report."""
    unknown = set(values) - set(cls)
    if unknown:
        raise ValueError(f"{name}: no such members {sorted(map(str, unknown))}")
    wrapped = strawberry.enum(cls, name=name, description=description)
    for value in wrapped.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values.get(cls[value.name])
    return wrapped


ErrorCode = described_enum(Code, "ErrorCode", ERROR_CODE, ERROR_CODE_VALUES)

Role = described_enum(
    auth.Role,
    "Role",
    "What a user may do. A user may hold several roles. ADMIN makes them staff of every "
    "program; anyone else is staff only in the programs they are assigned to "
    "(addProgramStaff, with a ProgramRole).",
    {
        auth.Role.STUDENT: "Every account made by signUp: enrolls in programs and studies "
        "those with an ACTIVE enrollment.",
        auth.Role.INSTRUCTOR: "Teaches: an admin may assign them to programs (addProgramStaff). "
        "The role alone opens no program: staff rights come from the assignments.",
        auth.Role.ADMIN: "Staff, with everything an instructor may do, and also refunds "
        "(refundPayment), certificate revocation (revokeCertificate) and anyone's payments "
        "(verifyPayment).",
    },
)

EnrollmentStatus = described_enum(
    enrollment.EnrollmentStatus,
    "EnrollmentStatus",
    "Where a viewer's enrollment in a program stands. Only ACTIVE grants access.",
    {
        enrollment.EnrollmentStatus.PENDING_PAYMENT: "A Paystack checkout was opened "
        "(initPayment) and has not been paid yet: no access.",
        enrollment.EnrollmentStatus.ACTIVE: "Enrolled: the program's lessons, live sessions, "
        "discussions and certificates are open to the viewer.",
        enrollment.EnrollmentStatus.CANCELED: "Ended without a refund (by the operators; no "
        "mutation sets it): no access.",
        enrollment.EnrollmentStatus.REFUNDED: "The payment that granted access was refunded "
        "(Paystack reported the refund processed): access has ended. initPayment may enroll "
        "again.",
        enrollment.EnrollmentStatus.SUSPENDED: "Suspended by the program's staff "
        "(suspendEnrollment): no access until reinstated (reinstateEnrollment).",
    },
)

ProgramRole = described_enum(
    auth.ProgramRole,
    "ProgramRole",
    "A staff member's part in one program (admins are staff of every program without one).",
    {
        auth.ProgramRole.INSTRUCTOR: "Runs the program: sees its unreleased content, live "
        "session links and every week's discussion, pins posts, reads its roster, analytics "
        "and audit log, authors its content and manages its learners.",
        auth.ProgramRole.TEACHING_ASSISTANT: "Helps run it: sees what an instructor sees, "
        "pins posts and reads the roster and analytics, but does not author content or "
        "manage enrollments.",
    },
)

PaymentStatus = described_enum(
    enrollment.PaymentStatus,
    "PaymentStatus",
    "Where a Paystack transaction stands, as last verified with Paystack.",
    {
        enrollment.PaymentStatus.INITIALIZED: "The checkout is open; the payer has not "
        "finished, or Paystack has not told us yet. verifyPayment asks Paystack again.",
        enrollment.PaymentStatus.INIT_FAILED: "Paystack refused or could not be reached when "
        "the checkout was opened; nothing was charged. initPayment opens a new one.",
        enrollment.PaymentStatus.SUCCESS: "Paid in full (amount and currency as recorded) and "
        "verified with Paystack: the enrollment is ACTIVE.",
        enrollment.PaymentStatus.FAILED: "Paystack reports the charge failed; nothing was charged.",
        enrollment.PaymentStatus.ABANDONED: "The payer left the checkout without paying.",
        enrollment.PaymentStatus.AMOUNT_MISMATCH: "Paystack reports a payment of another "
        "amount or currency than recorded: access stays closed until support sorts it out.",
        enrollment.PaymentStatus.REVERSED: "Refunded or reversed: the access this payment "
        "granted has ended.",
    },
)

CertificateType = described_enum(
    certificates.CertificateType,
    "CertificateType",
    "What a certificate certifies.",
    {
        certificates.CertificateType.COURSE: "Every lesson of one course of a program completed.",
        certificates.CertificateType.PROGRAM: "Every course of a program (each that has "
        "lessons) completed.",
    },
)

CertificateStatus = described_enum(
    certificates.CertificateStatus,
    "CertificateStatus",
    "Whether a certificate still certifies what it says.",
    {
        certificates.CertificateStatus.ISSUED: "Valid: it certifies what it says.",
        certificates.CertificateStatus.REVOKED: "Revoked by an admin: it certifies nothing "
        "any more, verification shows it as revoked and its PDF can no longer be downloaded.",
    },
)

LessonStatus = described_enum(
    learning.LessonStatus,
    "LessonStatus",
    "Whether the viewer may open a lesson, computed for the viewer at the time of the request.",
    {
        learning.LessonStatus.LOCKED: "Not open to the viewer yet; `lockReason` says why "
        "(NOT_ENROLLED, WEEK_NOT_RELEASED with `unlocksAt`, or PREREQUISITES_INCOMPLETE with "
        "`missingPrerequisites`).",
        learning.LessonStatus.AVAILABLE: "Open to the viewer: they may watch it, and an "
        "enrolled viewer may complete it (completeLesson).",
        learning.LessonStatus.COMPLETED: "Completed by the viewer (`completedAt`); still open.",
    },
)

LiveSessionStatus = described_enum(
    learning.LiveSessionStatus,
    "LiveSessionStatus",
    "Where a live session stands at the time of the request.",
    {
        learning.LiveSessionStatus.UPCOMING: "Before `startAt`.",
        learning.LiveSessionStatus.LIVE: "On now: from `startAt` (inclusive) to `endAt` "
        "(exclusive).",
        learning.LiveSessionStatus.ENDED: "From `endAt` on.",
    },
)
