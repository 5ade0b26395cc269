"""The order the document is checked in: sections first, then the rules across sections.

Every problem is collected before refusing, so one run lists all of a file's mistakes; the
order of the steps below is the order problems are reported in.
"""

from __future__ import annotations

from typing import Any

from edxelera_gql.catalog.content.build import build_plan
from edxelera_gql.catalog.content.fields import FieldReader
from edxelera_gql.catalog.content.lessons import UnreadLessons, check_lessons
from edxelera_gql.catalog.content.parse import parse_document
from edxelera_gql.catalog.content.plan import ProgramPlan
from edxelera_gql.catalog.content.problems import Problems
from edxelera_gql.catalog.content.program import check_courses, read_course, read_program
from edxelera_gql.catalog.content.staff import read_staff
from edxelera_gql.catalog.content.weeks import check_weeks, read_week

ROOT_KEYS = ("program", "courses", "weeks", "staff")


def validate_program(doc: Any) -> ProgramPlan:
    """The plan for ``doc``, or ContentRejected listing every problem in it."""
    problems = Problems()
    f = FieldReader(problems)
    unread = UnreadLessons()
    root = f.mapping(doc, "")
    if root is None:
        raise problems.rejected()
    f.check_keys(root, "", ROOT_KEYS)
    # The program first: it sets the time zone the weeks' naive times are read in.
    program = read_program(f, root)
    courses = f.items(root, "courses", "", lambda item, at: read_course(f, item, at))
    weeks = f.items(root, "weeks", "", lambda item, at: read_week(f, unread, item, at))
    staff = read_staff(f, root)
    check_courses(problems, courses)
    check_weeks(problems, weeks)
    lessons = [lesson for week in weeks if week is not None for lesson in week.lessons]
    courses_readable = isinstance(root.get("courses"), list | None)
    check_lessons(problems, unread, courses, lessons, courses_readable=courses_readable)
    if problems or program is None:
        raise problems.rejected()
    return build_plan(program, courses, weeks, staff)


def load_program(text: str, *, filename: str = "") -> ProgramPlan:
    """Parse and validate in one step."""
    return validate_program(parse_document(text, filename=filename))
