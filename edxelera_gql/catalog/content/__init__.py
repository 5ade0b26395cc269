"""The program content format: parsing and validation into a plan with every time in UTC.

Pure: no I/O beyond parsing the text handed in. The format is ``docs/content-format.md``; a document
that breaks a rule is refused with every problem found, each with its path in the document.

Modules: ``parse`` (text to plain values), ``fields`` (single-value readers), ``program``,
``weeks`` and ``lessons`` (one per section, with its file-wide rules), ``build`` (raw sections
to the plan), ``validate`` (the order of it all), ``plan`` (the result), ``problems`` (the
refusal) and ``slugs``. Other code imports from this package, not from the modules.
"""

from edxelera_gql.catalog.content.parse import parse_document
from edxelera_gql.catalog.content.plan import (
    STAFF_ROLES,
    SUBMISSION_TYPES,
    VIDEO_STATUSES,
    AssignmentPlan,
    CoursePlan,
    LessonPlan,
    LiveSessionPlan,
    ProgramPlan,
    StaffPlan,
    VideoPlan,
    WeekPlan,
)
from edxelera_gql.catalog.content.problems import ContentRejected, Problem
from edxelera_gql.catalog.content.slugs import SLUG_MAX_LENGTH, is_slug
from edxelera_gql.catalog.content.validate import load_program, validate_program

__all__ = [
    "SLUG_MAX_LENGTH",
    "STAFF_ROLES",
    "SUBMISSION_TYPES",
    "VIDEO_STATUSES",
    "AssignmentPlan",
    "ContentRejected",
    "CoursePlan",
    "LessonPlan",
    "LiveSessionPlan",
    "Problem",
    "ProgramPlan",
    "StaffPlan",
    "VideoPlan",
    "WeekPlan",
    "is_slug",
    "load_program",
    "parse_document",
    "validate_program",
]
