"""The ``weeks`` section: each week with its assignment and live session, and the rule that
week numbers run 1, 2, 3... once each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from edxelera_gql.catalog.content.fields import TEXT_MAX, FieldReader
from edxelera_gql.catalog.content.lessons import RawLesson, UnreadLessons, read_lesson
from edxelera_gql.catalog.content.plan import SUBMISSION_TYPES, AssignmentPlan, LiveSessionPlan
from edxelera_gql.catalog.content.problems import Problems, join

WEEK_KEYS = ("number", "title", "releaseAt", "assignment", "liveSession", "lessons")
ASSIGNMENT_KEYS = ("title", "instructions", "submissionType", "maxScore", "deadline")
LIVE_SESSION_KEYS = ("title", "startAt", "endAt", "url")


@dataclass
class RawWeek:
    """A week as read; its release and deadline defaults need the other weeks (see build)."""

    path: str
    number: int | None
    title: str | None
    release_at: datetime | None
    assignment: AssignmentPlan | None
    deadline: datetime | None
    live_session: LiveSessionPlan | None
    lessons: list[RawLesson]


def read_week(f: FieldReader, unread: UnreadLessons, value: Any, path: str) -> RawWeek | None:
    data = f.mapping(value, path)
    if data is None or not isinstance(data.get("lessons"), list | None):
        unread.anywhere = True
    if data is None:
        return None
    f.check_keys(data, path, WEEK_KEYS)
    number = f.integer(data, "number", path, default=None, minimum=1, required=True)
    title = f.string(data, "title", path, required=True, max_len=200)
    release_at = f.time(data, "releaseAt", path, required=False)
    assignment, deadline = None, None
    if data.get("assignment") is not None:
        assignment, deadline = read_assignment(f, data["assignment"], join(path, "assignment"))
    live = None
    if data.get("liveSession") is not None:
        live = read_live_session(f, data["liveSession"], join(path, "liveSession"))
    lessons = f.items(data, "lessons", path, lambda item, at: read_lesson(f, unread, item, at))
    return RawWeek(
        path=path,
        number=number,
        title=title,
        release_at=release_at,
        assignment=assignment,
        deadline=deadline,
        live_session=live,
        lessons=[lesson for lesson in lessons if lesson is not None],
    )


def read_assignment(
    f: FieldReader, value: Any, path: str
) -> tuple[AssignmentPlan | None, datetime | None]:
    """(assignment, deadline as written); the deadline is kept even if the rest is refused."""
    data = f.mapping(value, path)
    if data is None:
        return None, None
    f.check_keys(data, path, ASSIGNMENT_KEYS)
    title = f.string(data, "title", path, required=True, max_len=200)
    instructions = f.string(
        data, "instructions", path, required=False, max_len=TEXT_MAX, default=""
    )
    ok, submission_type = f.choice(data, "submissionType", path, SUBMISSION_TYPES)
    # A maximum score of 0 would make every grade meaningless, so it starts at 1.
    max_score = f.integer(data, "maxScore", path, default=None, minimum=1)
    deadline = f.time(data, "deadline", path, required=False)
    if title is None or instructions is None or not ok:
        return None, deadline
    return AssignmentPlan(title, instructions, submission_type or "text", max_score), deadline


def read_live_session(f: FieldReader, value: Any, path: str) -> LiveSessionPlan | None:
    data = f.mapping(value, path)
    if data is None:
        return None
    f.check_keys(data, path, LIVE_SESSION_KEYS)
    title = f.string(data, "title", path, required=True, max_len=200)
    start = f.time(data, "startAt", path, required=True)
    end = f.time(data, "endAt", path, required=True)
    f.after(start, end, path, "endAt", "startAt")
    url = f.string(data, "url", path, required=False, max_len=500)
    # The frontend renders this as a link: only web addresses, never javascript: and co.
    if url is not None and not url.startswith(("https://", "http://")):
        f.problem(join(path, "url"), "must start with https:// or http://")
        url = None
    if title is None or start is None or end is None:
        return None
    return LiveSessionPlan(title, start, end, url)


def check_weeks(problems: Problems, weeks: list[RawWeek | None]) -> None:
    """Week numbers are unique and, when all were readable, run from 1 without gaps."""
    first: dict[int, str] = {}
    for week in weeks:
        if week is None or week.number is None:
            continue
        if week.number in first:
            problems.add(
                join(week.path, "number"),
                f"duplicate week number {week.number} (first at {first[week.number]})",
            )
        else:
            first[week.number] = week.path
    # Judge the sequence only when every number was readable, or a typo in one week would
    # also show up as a gap.
    if first and all(w is not None and w.number is not None for w in weeks):
        missing = [n for n in range(1, max(first) + 1) if n not in first]
        if missing:
            listed = ", ".join(str(n) for n in missing)
            problems.add(
                "weeks", f"week numbers must run 1, 2, 3... without gaps; missing {listed}"
            )
