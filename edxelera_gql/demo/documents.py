"""The demo programs as content-format documents, dated relative to today."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from edxelera_gql.demo.analytics import ANALYTICS_COURSES, ANALYTICS_WEEKS
from edxelera_gql.demo.python import PYTHON_COURSES, PYTHON_WEEKS
from edxelera_gql.demo.shapes import Lesson as _Lesson
from edxelera_gql.demo.shapes import Week as _Week

DEMO_BUCKET = "edxelera-demo"
PAID_SLUG = "demo-data-analytics"
FREE_SLUG = "demo-python-foundations"
FINISHED_SLUG = "demo-git-essentials"
DEMO_INSTRUCTOR = "instructor@demo.edxelera.test"
DEMO_ASSISTANT = "bisi@demo.edxelera.test"
# Who runs which demo program (the documents' staff section): the instructor all three, the
# teaching assistant the free one.
DEMO_STAFF = {
    PAID_SLUG: [{"email": DEMO_INSTRUCTOR}],
    FREE_SLUG: [
        {"email": DEMO_INSTRUCTOR},
        {"email": DEMO_ASSISTANT, "role": "teaching_assistant"},
    ],
    FINISHED_SLUG: [{"email": DEMO_INSTRUCTOR}],
}


def _local(day: date, at: time) -> str:
    """Wall-clock time in the program's zone: the content format's offset-less form."""
    return datetime.combine(day, at).isoformat()


def _document(
    *,
    slug: str,
    title: str,
    description: str,
    timezone: str,
    start_day: date,
    price_minor: int,
    currency: str,
    courses: tuple[tuple[str, str, str], ...],
    weeks: tuple[_Week, ...],
) -> dict[str, Any]:
    # Long because it spells out one content-format document literally, key by key.
    first_lessons: set[str] = set()
    week_docs = []
    for number, week in enumerate(weeks, start=1):
        # Live sessions on the Wednesday-ish third day of each week, 18:00-19:00 local.
        live_day = start_day + timedelta(days=7 * (number - 1) + 2)
        lesson_docs = []
        for lesson in week.lessons:
            doc: dict[str, Any] = {
                "course": lesson.course,
                "slug": lesson.slug,
                "title": lesson.title,
                "description": lesson.description,
                "durationSeconds": lesson.minutes * 60,
                # The first lesson of each course is the free preview.
                "isPreview": lesson.course not in first_lessons,
                "prerequisites": list(lesson.prerequisites),
            }
            first_lessons.add(lesson.course)
            if lesson.video:
                path = f"demo/{lesson.course}/{lesson.slug}.mp4"
                doc["video"] = {
                    "bucket": DEMO_BUCKET,
                    "key": path,
                    # Local storage serves /cdn/<bucket>/<key>; see infra/cdn.py.
                    "cloudFrontPath": f"/{DEMO_BUCKET}/{path}",
                    "mimeType": "video/mp4",
                    "status": "ready",
                }
            lesson_docs.append(doc)
        week_docs.append(
            {
                "number": number,
                "title": week.title,
                "assignment": {
                    "title": week.assignment,
                    "instructions": week.instructions,
                    "submissionType": week.submission_type,
                    "maxScore": 100,
                },
                "liveSession": {
                    "title": week.live_session,
                    "startAt": _local(live_day, time(18, 0)),
                    "endAt": _local(live_day, time(19, 0)),
                    "url": f"https://meet.example.com/{slug}-week-{number}",
                },
                "lessons": lesson_docs,
            }
        )
    return {
        "program": {
            "slug": slug,
            "title": title,
            "description": description,
            "timezone": timezone,
            "startAt": _local(start_day, time(9, 0)),
            # Six weeks: the last one closes on its sixth evening, which also caps its deadline.
            "endAt": _local(start_day + timedelta(days=7 * len(weeks) - 1), time(18, 0)),
            "priceMinor": price_minor,
            "currency": currency,
            "published": True,
            "enrollmentCloseHoursBeforeStart": 48,
            "lateJoin": {"enabled": True, "days": 7},
        },
        "courses": [
            {"slug": c_slug, "title": c_title, "description": c_description}
            for c_slug, c_title, c_description in courses
        ],
        "weeks": week_docs,
    }


_GIT_COURSES = (("demo-git-basics", "Git Basics", "Version control for your own projects."),)
_GB = _GIT_COURSES[0][0]
_GIT_WEEKS = (
    _Week(
        "Snapshots",
        "Your first repository",
        "Share a link to a repository with three commits.",
        "url",
        "Git office hours",
        (
            _Lesson(_GB, "why-version-control", "Why version control", "Undo for projects.", 6),
            _Lesson(
                _GB,
                "commits",
                "Commits",
                "Staging and committing changes.",
                10,
                video=True,
                prerequisites=("why-version-control",),
            ),
        ),
    ),
    _Week(
        "Branches",
        "A merged branch",
        "Share a link to a repository with a merged feature branch.",
        "url",
        "Wrap-up call",
        (
            _Lesson(
                _GB,
                "branches-and-merges",
                "Branches and merges",
                "Working on two things at once.",
                12,
                video=True,
                prerequisites=("commits",),
            ),
        ),
    ),
)


def demo_documents(now: datetime) -> list[dict[str, Any]]:
    """The paid program (starts in about 10 days), the free one (started about 3 days ago) and a
    short finished one (ended about two months ago, hidden from the catalog by default)."""
    lagos_today = now.astimezone(ZoneInfo("Africa/Lagos")).date()
    new_york_today = now.astimezone(ZoneInfo("America/New_York")).date()
    documents = [
        _document(
            slug=PAID_SLUG,
            title="Data Analytics Bootcamp (Demo)",
            description="Six weeks from spreadsheets and SQL to dashboards that drive decisions.",
            timezone="Africa/Lagos",
            start_day=lagos_today + timedelta(days=10),
            price_minor=15_000_000,  # 150,000.00 NGN
            currency="NGN",
            courses=ANALYTICS_COURSES,
            weeks=ANALYTICS_WEEKS,
        ),
        _document(
            slug=FREE_SLUG,
            title="Python Foundations (Demo)",
            description="A free six-week start in Python for complete beginners.",
            timezone="America/New_York",
            start_day=new_york_today - timedelta(days=3),
            price_minor=0,
            currency="USD",
            courses=PYTHON_COURSES,
            weeks=PYTHON_WEEKS,
        ),
        _document(
            slug=FINISHED_SLUG,
            title="Git Essentials",
            description="A two-week introduction to Git that ran earlier this year.",
            timezone="Africa/Lagos",
            start_day=lagos_today - timedelta(days=75),
            price_minor=0,
            currency="NGN",
            courses=_GIT_COURSES,
            weeks=_GIT_WEEKS,
        ),
    ]
    for document in documents:
        document["staff"] = DEMO_STAFF[document["program"]["slug"]]
    return documents
