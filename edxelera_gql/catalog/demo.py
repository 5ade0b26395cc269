"""Demo data: two programs in the content format and four accounts, for development and demos.

The programs go through the same validation and import as an admin's file, so the demo also
exercises that path; dates are relative to ``now`` so the demo always shows a program that is
about to start (paid, enrollment open) and one that has just started (free, late join open).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edxelera_gql.auth.accounts import upsert_demo_user
from edxelera_gql.auth.models import User
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.catalog.content import ProgramPlan, validate_program
from edxelera_gql.catalog.importer import import_plans
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.enrollment.models import Enrollment
from edxelera_gql.infra.storage import LocalStorage, Storage
from edxelera_gql.learning.service import CompletionRefused, complete_lesson

DEMO_BUCKET = "edxelera-demo"
PAID_SLUG = "demo-data-analytics"
FREE_SLUG = "demo-python-foundations"
# Finished two months ago; the demo student completed it, so certificates exist to download.
FINISHED_SLUG = "demo-git-essentials"
DEMO_STUDENT = "ada@demo.edxelera.test"

# (email, full name, role)
DEMO_USERS = (
    ("admin@demo.edxelera.test", "Demo Admin", "admin"),
    ("instructor@demo.edxelera.test", "Ngozi Okafor", "instructor"),
    ("ada@demo.edxelera.test", "Ada Eze", "student"),
    ("tunde@demo.edxelera.test", "Tunde Bakare", "student"),
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    password: str


@dataclass(frozen=True)
class _Lesson:
    course: str
    slug: str
    title: str
    description: str
    minutes: int
    video: bool = False
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Week:
    title: str
    assignment: str
    instructions: str
    submission_type: str
    live_session: str
    lessons: tuple[_Lesson, ...]


_ANALYTICS_COURSES = (
    ("demo-da-spreadsheets", "Spreadsheets for Analysis", "Clean, shape and summarise data."),
    ("demo-da-sql", "SQL for Analysts", "Ask questions of relational data with SQL."),
    (
        "demo-da-dashboards",
        "Dashboards and Data Storytelling",
        "Turn analysis into dashboards people use.",
    ),
)
_SS, _SQL, _DB = (c[0] for c in _ANALYTICS_COURSES)
_ANALYTICS_WEEKS = (
    _Week(
        "Thinking like an analyst",
        "Your analyst profile",
        "Describe a decision at your workplace that data could improve, in 300 words.",
        "text",
        "Kick-off call",
        (
            _Lesson(
                _SS,
                "what-analysts-do",
                "What analysts do",
                "The questions, the data, the answer.",
                9,
                video=True,
            ),
            _Lesson(
                _SQL,
                "why-sql",
                "Why SQL?",
                "Where SQL sits among the analyst's tools.",
                7,
                video=True,
            ),
            _Lesson(
                _DB,
                "what-makes-a-good-chart",
                "What makes a good chart",
                "Clarity before decoration.",
                11,
            ),
        ),
    ),
    _Week(
        "Cleaning and shaping data",
        "Clean the sales sheet",
        "Clean the provided sales sheet and share a link to your copy.",
        "url",
        "Data-cleaning clinic",
        (
            _Lesson(
                _SS,
                "cleaning-messy-data",
                "Cleaning messy data",
                "Duplicates, blanks and inconsistent labels.",
                14,
                video=True,
                prerequisites=("what-analysts-do",),
            ),
            _Lesson(
                _SQL,
                "select-and-filter",
                "SELECT and WHERE",
                "Picking the rows and columns you need.",
                12,
                video=True,
                prerequisites=("why-sql",),
            ),
        ),
    ),
    _Week(
        "Summaries that answer questions",
        "Monthly revenue summary",
        "Upload a workbook with a pivot table and the matching GROUP BY query.",
        "file",
        "Office hours: summaries",
        (
            _Lesson(
                _SS,
                "pivot-tables",
                "Pivot tables",
                "Summaries in a few clicks.",
                13,
                prerequisites=("cleaning-messy-data",),
            ),
            _Lesson(
                _SQL,
                "group-by-and-aggregates",
                "GROUP BY and aggregates",
                "Counting, summing and averaging by group.",
                15,
                video=True,
                prerequisites=("select-and-filter",),
            ),
            _Lesson(
                _DB,
                "choosing-the-right-chart",
                "Choosing the right chart",
                "Comparison, trend, share or distribution?",
                10,
                prerequisites=("what-makes-a-good-chart",),
            ),
        ),
    ),
    _Week(
        "Joining data together",
        "Customer orders report",
        "Write the queries that join customers to orders and paste them with your findings.",
        "text",
        "Live SQL walkthrough",
        (
            _Lesson(
                _SQL,
                "joins",
                "Joins",
                "Inner, left and the rows you lose.",
                18,
                video=True,
                prerequisites=("group-by-and-aggregates",),
            ),
            _Lesson(
                _SS,
                "lookups",
                "Lookups with XLOOKUP",
                "Bringing columns together across sheets.",
                11,
                prerequisites=("pivot-tables",),
            ),
        ),
    ),
    _Week(
        "From numbers to dashboards",
        "Your first dashboard",
        "Publish a dashboard of the sales data and share its link.",
        "url",
        "Dashboard reviews",
        (
            _Lesson(
                _DB,
                "first-dashboard",
                "Building your first dashboard",
                "Layout, KPIs and a clear headline.",
                16,
                prerequisites=("choosing-the-right-chart", f"{_SQL}/joins"),
            ),
            _Lesson(
                _DB,
                "filters-and-interactivity",
                "Filters and interactivity",
                "Let readers ask their own questions.",
                12,
                prerequisites=("first-dashboard",),
            ),
            _Lesson(
                _SQL,
                "window-functions",
                "Window functions",
                "Running totals and rankings.",
                17,
                prerequisites=("joins",),
            ),
        ),
    ),
    _Week(
        "Telling the story",
        "Capstone presentation",
        "Upload a five-slide deck presenting one insight and the decision it supports.",
        "file",
        "Capstone demo day",
        (
            _Lesson(
                _DB,
                "presenting-insights",
                "Presenting insights",
                "From chart to recommendation.",
                14,
                video=True,
                prerequisites=("filters-and-interactivity",),
            ),
            _Lesson(
                _SS,
                "forecasting-basics",
                "Forecasting basics",
                "Trends, seasonality and honest ranges.",
                15,
                prerequisites=("lookups",),
            ),
        ),
    ),
)

_PYTHON_COURSES = (
    ("demo-py-basics", "Python Basics", "Variables, decisions, loops and functions."),
    (
        "demo-py-data",
        "Working with Data in Python",
        "Lists, files, CSV and a first look at pandas.",
    ),
    ("demo-py-projects", "Small Python Projects", "Short projects that put the basics to work."),
)
_PB, _PD, _PP = (c[0] for c in _PYTHON_COURSES)
_PYTHON_WEEKS = (
    _Week(
        "Hello, Python",
        "Say hello",
        "Paste a program that asks for your name and greets you.",
        "text",
        "Welcome session",
        (
            _Lesson(
                _PB,
                "installing-python",
                "Installing Python",
                "Python and an editor on your machine.",
                8,
                video=True,
            ),
            _Lesson(
                _PB,
                "variables-and-types",
                "Variables and types",
                "Numbers, strings and booleans.",
                12,
                video=True,
                prerequisites=("installing-python",),
            ),
            _Lesson(
                _PD,
                "what-is-a-dataset",
                "What is a dataset?",
                "Rows, columns and where data comes from.",
                6,
            ),
        ),
    ),
    _Week(
        "Making decisions",
        "Grade calculator",
        "Share a link to a program that turns a score into a letter grade.",
        "url",
        "Live coding: conditionals",
        (
            _Lesson(
                _PB,
                "conditionals",
                "if, elif and else",
                "Choosing what runs.",
                11,
                video=True,
                prerequisites=("variables-and-types",),
            ),
            _Lesson(
                _PB,
                "loops",
                "Loops",
                "for, while and when to stop.",
                13,
                prerequisites=("conditionals",),
            ),
            _Lesson(
                _PP,
                "number-guessing-game",
                "A number-guessing game",
                "Your first complete program.",
                15,
                prerequisites=(f"{_PB}/conditionals",),
            ),
        ),
    ),
    _Week(
        "Functions",
        "Refactor with functions",
        "Rewrite last week's grade calculator using functions and paste it here.",
        "text",
        "Office hours: functions",
        (
            _Lesson(
                _PB,
                "functions",
                "Functions",
                "Naming a piece of work and reusing it.",
                14,
                video=True,
                prerequisites=("loops",),
            ),
            _Lesson(
                _PD,
                "lists-and-dicts",
                "Lists and dictionaries",
                "Holding many values at once.",
                12,
                prerequisites=("what-is-a-dataset", f"{_PB}/loops"),
            ),
        ),
    ),
    _Week(
        "Files and data",
        "Clean a CSV file",
        "Upload your script and the cleaned CSV file.",
        "file",
        "Live coding: CSV files",
        (
            _Lesson(
                _PD,
                "reading-csv-files",
                "Reading CSV files",
                "The csv module, row by row.",
                13,
                video=True,
                prerequisites=("lists-and-dicts",),
            ),
            _Lesson(
                _PD,
                "cleaning-with-python",
                "Cleaning data with Python",
                "Trimming, converting and skipping bad rows.",
                14,
                prerequisites=("reading-csv-files",),
            ),
        ),
    ),
    _Week(
        "Libraries",
        "Expense tracker",
        "Share a link to your expense tracker repository.",
        "url",
        "Project check-in",
        (
            _Lesson(
                _PD,
                "intro-to-pandas",
                "A first look at pandas",
                "DataFrames for tables of data.",
                16,
                video=True,
                prerequisites=("cleaning-with-python",),
            ),
            _Lesson(
                _PP,
                "expense-tracker",
                "An expense tracker",
                "Read, total and report your spending.",
                18,
                prerequisites=(f"{_PB}/functions", f"{_PD}/reading-csv-files"),
            ),
        ),
    ),
    _Week(
        "Putting it together",
        "Final project",
        "Upload your weather-report project as a zip file.",
        "file",
        "Demo day",
        (
            _Lesson(
                _PP,
                "weather-report",
                "A weather report",
                "Load a dataset, summarise it, print a report.",
                20,
                video=True,
                prerequisites=("expense-tracker", f"{_PD}/intro-to-pandas"),
            ),
            _Lesson(
                _PB,
                "where-to-go-next",
                "Where to go next",
                "Paths after the basics.",
                6,
                prerequisites=("functions",),
            ),
        ),
    ),
)


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
    return [
        _document(
            slug=PAID_SLUG,
            title="Data Analytics Bootcamp (Demo)",
            description="Six weeks from spreadsheets and SQL to dashboards that drive decisions.",
            timezone="Africa/Lagos",
            start_day=lagos_today + timedelta(days=10),
            price_minor=15_000_000,  # 150,000.00 NGN
            currency="NGN",
            courses=_ANALYTICS_COURSES,
            weeks=_ANALYTICS_WEEKS,
        ),
        _document(
            slug=FREE_SLUG,
            title="Python Foundations (Demo)",
            description="A free six-week start in Python for complete beginners.",
            timezone="America/New_York",
            start_day=new_york_today - timedelta(days=3),
            price_minor=0,
            currency="USD",
            courses=_PYTHON_COURSES,
            weeks=_PYTHON_WEEKS,
        ),
        _document(
            slug=FINISHED_SLUG,
            title="Git Essentials (Demo, finished)",
            description="A two-week introduction to Git that ran earlier this year.",
            timezone="Africa/Lagos",
            start_day=lagos_today - timedelta(days=75),
            price_minor=0,
            currency="NGN",
            courses=_GIT_COURSES,
            weeks=_GIT_WEEKS,
        ),
    ]


async def seed_demo(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    storage: Storage | None = None,
) -> list[DemoAccount]:
    """Imports both demo programs and (re)sets the demo accounts with fresh passwords.

    Safe to run again: programs are updated in place and passwords replaced. Returns the
    accounts with their passwords, which exist nowhere else, for the caller to show once.
    """
    plans = [validate_program(doc) for doc in demo_documents(now)]
    await import_plans(sessionmaker, plans)
    if isinstance(storage, LocalStorage):
        # A short sample clip behind every demo video, so playback works with no AWS account.
        clip = (Path(__file__).parent / "demo_media" / "lesson.mp4").read_bytes()
        for plan in plans:
            for week in plan.weeks:
                for lesson in week.lessons:
                    if lesson.video is not None:
                        await storage.put(lesson.video.bucket, lesson.video.key, clip, "video/mp4")
    accounts = [
        DemoAccount(email=email, role=role, password=secrets.token_urlsafe(12))
        for email, _name, role in DEMO_USERS
    ]
    names = {email: name for email, name, _role in DEMO_USERS}
    users: dict[str, User] = {}
    async with sessionmaker() as session, session.begin():
        for account in accounts:
            users[account.email] = await upsert_demo_user(
                session,
                email=account.email,
                full_name=names[account.email],
                roles=[account.role],
                password=account.password,
            )
    await _demo_student_history(sessionmaker, users[DEMO_STUDENT], plans, now=now)
    return accounts


async def _demo_student_history(
    sessionmaker: async_sessionmaker[AsyncSession],
    student: User,
    plans: list[ProgramPlan],
    *,
    now: datetime,
) -> None:
    """Ada is enrolled in the free program and has finished the past one.

    Her completions go through ``complete_lesson``, the same path as the API, so her course
    and program certificates are issued by the real rules (and only once on a re-run).
    """
    viewer = Viewer(user_id=student.id, roles=frozenset({"student"}))
    async with sessionmaker() as session, session.begin():
        for slug in (FREE_SLUG, FINISHED_SLUG):
            cohort_id = await session.scalar(select(Cohort.id).where(Cohort.slug == slug))
            enrollment = await session.scalar(
                select(Enrollment).where(
                    Enrollment.user_id == student.id, Enrollment.cohort_id == cohort_id
                )
            )
            if enrollment is None:
                session.add(
                    Enrollment(
                        user_id=student.id,
                        cohort_id=cohort_id,
                        status="active",
                        enrolled_at_utc=now,
                        source="free",
                    )
                )
    finished = next(plan for plan in plans if plan.slug == FINISHED_SLUG)
    for week in finished.weeks:
        for lesson in week.lessons:
            async with sessionmaker() as session, session.begin():
                outcome = await complete_lesson(
                    session,
                    viewer=viewer,
                    course_slug=lesson.course,
                    lesson_slug=lesson.slug,
                    now=now,
                )
            if isinstance(outcome, CompletionRefused):
                raise RuntimeError(f"demo completion refused: {outcome.code} {lesson.slug}")
