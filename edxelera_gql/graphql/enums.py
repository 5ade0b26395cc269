"""The domains' enums as GraphQL enums: each is defined once, in its domain, and exposed here.

GraphQL names the members (``STUDENT``); the stored values stay the domains' (``student``), so a
resolver may return either a member or the raw column value.
"""

from __future__ import annotations

import strawberry

from edxelera_gql.auth import enums as auth
from edxelera_gql.certificates import enums as certificates
from edxelera_gql.enrollment import enums as enrollment
from edxelera_gql.errors import Code
from edxelera_gql.learning import rules as learning

ErrorCode = strawberry.enum(Code, name="ErrorCode")
Role = strawberry.enum(auth.Role, name="Role")
EnrollmentStatus = strawberry.enum(enrollment.EnrollmentStatus, name="EnrollmentStatus")
PaymentStatus = strawberry.enum(enrollment.PaymentStatus, name="PaymentStatus")
CertificateType = strawberry.enum(certificates.CertificateType, name="CertificateType")
CertificateStatus = strawberry.enum(certificates.CertificateStatus, name="CertificateStatus")
LessonStatus = strawberry.enum(learning.LessonStatus, name="LessonStatus")
LiveSessionStatus = strawberry.enum(learning.LiveSessionStatus, name="LiveSessionStatus")
