"""Read models survive the trip through the cache's JSON unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from edxelera_gql.catalog.read_models import (
    AssignmentFacts,
    CourseFacts,
    LessonRefFacts,
    ProgramFacts,
    WeekFacts,
)
from edxelera_gql.certificates.enums import CertificateStatus, CertificateType
from edxelera_gql.certificates.read_models import CertificateFacts
from edxelera_gql.enrollment.enums import EnrollmentStatus
from edxelera_gql.enrollment.read_models import EnrollmentFacts
from edxelera_gql.errors import Code
from edxelera_gql.infra.json_codec import dumps, loads
from edxelera_gql.learning.read_models import (
    CourseProgressFacts,
    LessonView,
    ProgramHomeData,
    Standing,
    Validity,
    WeekCounts,
)
from edxelera_gql.learning.rules import LessonStatus

T0 = datetime(2027, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)


def test_program_home_round_trip() -> None:
    week = WeekFacts(
        id=5,
        number=1,
        title="Week 1",
        release_at=T0,
        deadline=T0 + timedelta(weeks=1),
        assignment=AssignmentFacts("A", "Do it", "url", None),
        live_title=None,
        live_start=T0 + timedelta(days=1),
        live_end=T0 + timedelta(days=1, hours=1),
        live_url="https://meet.example.com/x",
    )
    lesson = LessonView(
        id=9,
        slug="l",
        title="L",
        description="",
        course_id=3,
        week_number=1,
        sort_order=0,
        duration_seconds=60,
        is_preview=False,
        has_video=True,
        status=LessonStatus.LOCKED,
        lock_reason=Code.PREREQUISITES_INCOMPLETE,
        unlocks_at=None,
        missing_prerequisites=(LessonRefFacts(8, "p", "P", "c", 1),),
        completed_at=None,
    )
    data = ProgramHomeData(
        program=ProgramFacts(
            1,
            "p",
            "P",
            "",
            T0,
            T0 + timedelta(weeks=4),
            "Africa/Lagos",
            True,
            7,
            48,
            True,
            0,
            "NGN",
            T0 + timedelta(weeks=1),  # week_two_release_at
        ),
        standing=Standing(4, is_enrolled=True, is_staff=False),
        enrollment=EnrollmentFacts(2, EnrollmentStatus.ACTIVE, T0, "free"),
        courses=(CourseFacts(3, "c", "C", "d"),),
        progress=(CourseProgressFacts(3, 1, 3, Decimal("33.33"), None),),
        weeks=(week,),
        week_counts=(WeekCounts(5, 3, 1),),
        next_lesson=lesson,
        certificates=(
            CertificateFacts(
                6,
                CertificateType.COURSE,
                CertificateStatus.ISSUED,
                "EDX-0000-0000-0000",
                T0,
                3,
                1,
            ),
        ),
        validity=Validity(T0, None),
    )
    back = loads(ProgramHomeData, dumps(data))
    assert back == data
    assert back.next_lesson is not None
    assert back.next_lesson.status is LessonStatus.LOCKED
    assert back.next_lesson.lock_reason is Code.PREREQUISITES_INCOMPLETE
    assert back.progress[0].percent_complete == Decimal("33.33")
    assert back.weeks[0].release_at.tzinfo is not None


def test_validity_window() -> None:
    window = Validity(T0, T0 + timedelta(seconds=1))
    assert window.holds_at(T0)
    assert not window.holds_at(T0 + timedelta(seconds=1))
    assert not window.holds_at(T0 - timedelta(microseconds=1))  # the clock moved back
    assert Validity(T0, None).holds_at(T0 + timedelta(days=365))
