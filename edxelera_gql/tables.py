"""Imports every model so ``Base.metadata`` is complete (Alembic, tests)."""

from edxelera_gql.auth.models import (
    CalendarFeed,
    ProgramStaff,
    RefreshToken,
    Role,
    User,
    UserRole,
)
from edxelera_gql.catalog.models import (
    Assignment,
    Cohort,
    CohortCourse,
    Course,
    Lesson,
    LessonPrerequisite,
    VideoAsset,
    Week,
)
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.db.audit import AuditEvent
from edxelera_gql.db.base import Base
from edxelera_gql.db.outbox import OutboxEmail
from edxelera_gql.db.versions import ScopeVersion
from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread
from edxelera_gql.enrollment.models import (
    Enrollment,
    LateJoinGrant,
    PaymentEvent,
    PaymentTransaction,
)
from edxelera_gql.learning.models import CourseProgress, LessonProgress
from edxelera_gql.notifications.models import NotificationPreference

metadata = Base.metadata

__all__ = [
    "Assignment",
    "AuditEvent",
    "CalendarFeed",
    "Certificate",
    "Cohort",
    "CohortCourse",
    "Course",
    "CourseProgress",
    "DiscussionPost",
    "DiscussionThread",
    "Enrollment",
    "LateJoinGrant",
    "Lesson",
    "LessonPrerequisite",
    "LessonProgress",
    "NotificationPreference",
    "OutboxEmail",
    "PaymentEvent",
    "PaymentTransaction",
    "ProgramStaff",
    "RefreshToken",
    "Role",
    "ScopeVersion",
    "User",
    "UserRole",
    "VideoAsset",
    "Week",
    "metadata",
]
