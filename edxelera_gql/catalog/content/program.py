"""The ``program`` and ``courses`` sections: reading them and the rule that slugs are unique."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from edxelera_gql.catalog.content.fields import INT_MAX, TEXT_MAX, FieldReader
from edxelera_gql.catalog.content.plan import CoursePlan
from edxelera_gql.catalog.content.problems import Problems, join

_CURRENCY_RE = re.compile(r"[A-Z]{3}")

PROGRAM_KEYS = (
    "slug",
    "title",
    "description",
    "timezone",
    "startAt",
    "endAt",
    "priceMinor",
    "currency",
    "published",
    "enrollmentCloseHoursBeforeStart",
    "lateJoin",
)
LATE_JOIN_KEYS = ("enabled", "days")
COURSE_KEYS = ("slug", "title", "description", "certificateTemplateKey")


@dataclass
class RawCourse:
    """A course as read: the slug as written is kept for the file-wide rules even if refused."""

    path: str
    slug: Any
    plan: CoursePlan | None


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    # Walking the zone database is slow; it does not change while the process runs.
    return frozenset(available_timezones())


def read_program(f: FieldReader, root: Mapping[Any, Any]) -> dict[str, Any] | None:
    """ProgramPlan's own fields (values None where refused), or None without a program."""
    if "program" not in root or root["program"] is None:
        f.problem("program", "is required")
        return None
    data = f.mapping(root["program"], "program")
    if data is None:
        return None
    path = "program"
    f.check_keys(data, path, PROGRAM_KEYS)
    # The zone comes first: every naive time in the file, this section's included, needs it.
    tz = _read_timezone(f, data, path)
    start = f.time(data, "startAt", path, required=True)
    end = f.time(data, "endAt", path, required=True)
    f.after(start, end, path, "endAt", "startAt")
    currency = f.string(data, "currency", path, required=False, max_len=3, default="NGN")
    if currency is not None and not _CURRENCY_RE.fullmatch(currency):
        f.problem(join(path, "currency"), "must be three capital letters (ISO 4217)")
    late_enabled, late_days = _read_late_join(f, data, path)
    return {
        "slug": f.slug(data, "slug", path, min_len=3),
        "title": f.string(data, "title", path, required=True, max_len=200),
        "description": f.string(
            data, "description", path, required=False, max_len=TEXT_MAX, default=""
        ),
        "timezone": tz,
        "start_at": start,
        "end_at": end,
        # The API serves prices as GraphQL Int (32-bit signed).
        "price_minor": f.integer(data, "priceMinor", path, default=0, maximum=INT_MAX),
        "currency": currency,
        "published": f.boolean(data, "published", path, default=False),
        "enrollment_close_hours_before_start": f.integer(
            data, "enrollmentCloseHoursBeforeStart", path, default=48
        ),
        "late_join_enabled": late_enabled,
        "late_join_days": late_days,
    }


def _read_timezone(f: FieldReader, data: Mapping[Any, Any], path: str) -> str | None:
    """The zone as written; only a known zone becomes the reader's zone for naive times."""
    tz = f.string(data, "timezone", path, required=True, max_len=64)
    if tz is not None:
        if tz in _known_timezones():
            f.tz = tz
        else:
            f.problem(join(path, "timezone"), f"unknown time zone {tz!r} (IANA name)")
    return tz


def _read_late_join(
    f: FieldReader, data: Mapping[Any, Any], path: str
) -> tuple[bool | None, int | None]:
    """(enabled, days); the defaults when ``lateJoin`` is omitted or not a mapping."""
    late_enabled: bool | None = False
    late_days: int | None = 7
    if data.get("lateJoin") is not None:
        late = f.mapping(data["lateJoin"], join(path, "lateJoin"))
        if late is not None:
            late_path = join(path, "lateJoin")
            f.check_keys(late, late_path, LATE_JOIN_KEYS)
            late_enabled = f.boolean(late, "enabled", late_path, default=False)
            late_days = f.integer(late, "days", late_path, default=7)
    return late_enabled, late_days


def read_course(f: FieldReader, value: Any, path: str) -> RawCourse:
    data = f.mapping(value, path)
    if data is None:
        return RawCourse(path, None, None)
    f.check_keys(data, path, COURSE_KEYS)
    slug = f.slug(data, "slug", path)
    title = f.string(data, "title", path, required=True, max_len=200)
    description = f.string(data, "description", path, required=False, max_len=TEXT_MAX, default="")
    template = f.string(data, "certificateTemplateKey", path, required=False, max_len=100)
    template_ok = data.get("certificateTemplateKey") is None or template is not None
    plan = None
    if slug is not None and title is not None and description is not None and template_ok:
        plan = CoursePlan(slug, title, description, template)
    return RawCourse(path, data.get("slug"), plan)


def check_courses(problems: Problems, courses: list[RawCourse]) -> None:
    """Course slugs are unique in the file; each repeat is reported against the first."""
    first: dict[str, str] = {}
    for course in courses:
        if course.plan is None:
            continue
        slug = course.slug
        if slug in first:
            problems.add(
                join(course.path, "slug"),
                f"duplicate course slug {slug!r} (first at {first[slug]})",
            )
        else:
            first[slug] = course.path
