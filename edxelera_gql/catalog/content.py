"""The program content format: parsing and validation into a plan with every time in UTC.

Pure: no I/O beyond parsing the text handed in. The format is ``content-format.md``; a document
that breaks a rule is refused with every problem found, each with its path in the document.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

import yaml

from edxelera_gql.catalog.schedule import default_week_release, local_to_utc

SUBMISSION_TYPES = ("text", "url", "file")
VIDEO_STATUSES = ("pending", "ready", "failed")

# Column limits of catalog/models.py, checked here so a long value is a listed problem
# instead of a database error (MySQL) or a silent truncation.
_INT_MAX = 2**31 - 1
_TEXT_MAX = 16_000  # MySQL TEXT holds 65,535 bytes: 16,000 four-byte characters fit
_SLUG_RE = re.compile(r"[a-z0-9-]+")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
SLUG_MAX_LENGTH = 100


def is_slug(value: str) -> bool:
    """The content format's slug (programs, courses, lessons): 1..100 of a-z, 0-9 and '-'."""
    return 0 < len(value) <= SLUG_MAX_LENGTH and _SLUG_RE.fullmatch(value) is not None


# A date, a time, optional fractions and an optional offset; fromisoformat alone would also
# take bare dates and ISO week dates, which are too easy to write by mistake.
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")

_ROOT_KEYS = ("program", "courses", "weeks")
_PROGRAM_KEYS = (
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
_LATE_JOIN_KEYS = ("enabled", "days")
_COURSE_KEYS = ("slug", "title", "description", "certificateTemplateKey")
_WEEK_KEYS = ("number", "title", "releaseAt", "assignment", "liveSession", "lessons")
_ASSIGNMENT_KEYS = ("title", "instructions", "submissionType", "maxScore", "deadline")
_LIVE_SESSION_KEYS = ("title", "startAt", "endAt", "url")
_LESSON_KEYS = (
    "course",
    "slug",
    "title",
    "description",
    "durationSeconds",
    "isPreview",
    "prerequisites",
    "video",
)
_VIDEO_KEYS = ("bucket", "key", "cloudFrontPath", "mimeType", "status")


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One broken rule: where in the document (``weeks[2].lessons[0].course``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ContentRejected(Exception):
    """The document was refused as a whole; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class CoursePlan:
    slug: str
    title: str
    description: str
    certificate_template_key: str | None


@dataclass(frozen=True)
class AssignmentPlan:
    title: str
    instructions: str
    submission_type: str
    max_score: int | None


@dataclass(frozen=True)
class LiveSessionPlan:
    title: str
    start_at: datetime
    end_at: datetime
    url: str | None


@dataclass(frozen=True)
class VideoPlan:
    bucket: str
    key: str
    cloud_front_path: str
    mime_type: str
    status: str | None  # None: the file does not say, keep what the database has


@dataclass(frozen=True)
class LessonPlan:
    course: str
    slug: str
    title: str
    description: str
    duration_seconds: int
    is_preview: bool
    prerequisites: tuple[tuple[str, str], ...]  # (course slug, lesson slug), file order
    video: VideoPlan | None
    # Where the lesson sits in the document, for problems found later (e.g. by the importer).
    path: str = field(default="", compare=False)


@dataclass(frozen=True)
class WeekPlan:
    number: int
    title: str
    release_at: datetime
    assignment: AssignmentPlan | None
    assignment_deadline: datetime | None  # None exactly when there is no assignment
    live_session: LiveSessionPlan | None
    lessons: tuple[LessonPlan, ...]


@dataclass(frozen=True)
class ProgramPlan:
    slug: str
    title: str
    description: str
    timezone: str
    start_at: datetime
    end_at: datetime
    price_minor: int
    currency: str
    published: bool
    enrollment_close_hours_before_start: int
    late_join_enabled: bool
    late_join_days: int
    courses: tuple[CoursePlan, ...]
    weeks: tuple[WeekPlan, ...]  # ordered by number: 1..N


# --- parsing -------------------------------------------------------------------------------

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContentLoader(_BaseLoader):  # type: ignore[valid-type, misc]
    """SafeLoader that keeps timestamps as strings and refuses duplicate keys.

    Times must stay text: whether a value carries an offset decides what it means, and PyYAML
    would turn both forms into datetimes (the offset form converted to naive UTC).
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _value in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue
            ident = (key_node.tag, key_node.value)
            if ident in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key_node.value!r}",
                    key_node.start_mark,
                )
            seen.add(ident)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


_ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_document(text: str, *, filename: str = "") -> Any:
    """YAML (or JSON when ``filename`` ends in ``.json``) into plain values; times stay strings."""
    if filename.lower().endswith(".json"):
        try:
            return json.loads(text, object_pairs_hook=_json_object)
        except json.JSONDecodeError as exc:
            message = f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            raise ContentRejected([Problem("", message)]) from exc
        except ValueError as exc:
            raise ContentRejected([Problem("", f"invalid JSON: {exc}")]) from exc
    try:
        return yaml.load(text, Loader=_ContentLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise ContentRejected([Problem("", f"invalid YAML: {message}")]) from exc


def load_program(text: str, *, filename: str = "") -> ProgramPlan:
    """Parse and validate in one step."""
    return validate_program(parse_document(text, filename=filename))


# --- validation ----------------------------------------------------------------------------


def validate_program(doc: Any) -> ProgramPlan:
    """The plan for ``doc``, or ContentRejected listing every problem in it."""
    return _Validator().run(doc)


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    # Walking the zone database is slow; it does not change while the process runs.
    return frozenset(available_timezones())


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "mapping",
    }.get(type(value), type(value).__name__)


@dataclass
class _RawLesson:
    """A lesson as read, kept until prerequisites and cycles can be checked file-wide."""

    path: str
    course: str | None
    slug: str | None
    title: str | None
    description: str
    duration_seconds: int | None
    is_preview: bool | None
    prerequisite_refs: list[tuple[tuple[str, str], str]]  # (target key, path)
    video: VideoPlan | None


@dataclass
class _RawWeek:
    path: str
    number: int | None
    title: str | None
    release_at: datetime | None
    assignment: AssignmentPlan | None
    deadline: datetime | None
    live_session: LiveSessionPlan | None
    lessons: list[_RawLesson]


class _Validator:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # None while the program's zone is unknown: naive times then stay unresolved, so a bad
        # zone is one problem rather than one per time field.
        self.tz: str | None = None
        # Where lessons could not be read, a reference that finds nothing may point at one of
        # them: those references are not reported again.
        self.unread_lessons_anywhere = False
        self.unread_lessons_in: set[str] = set()
        self.unread_slugs: set[str] = set()

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # -- generic readers --

    def mapping(self, value: Any, path: str) -> dict[Any, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(path, f"expected a mapping, got {_type_name(value)}")
        return None

    def sequence(self, data: Mapping[Any, Any], key: str, path: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.problem(_join(path, key), f"expected a list, got {_type_name(value)}")
        return []

    def check_keys(self, data: Mapping[Any, Any], path: str, allowed: tuple[str, ...]) -> None:
        for key in data:
            if key in allowed:
                continue
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            suffix = f"; did you mean {hint[0]!r}?" if hint else f"; expected one of {allowed}"
            self.problem(_join(path, str(key)), f"unknown key{suffix}")

    def string(
        self,
        data: Mapping[Any, Any],
        key: str,
        path: str,
        *,
        required: bool,
        max_len: int,
        default: str | None = None,
    ) -> str | None:
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            if required:
                self.problem(where, "is required")
            return default
        if not isinstance(value, str):
            self.problem(where, f"expected a string, got {_type_name(value)}")
            return None
        if required and not value.strip():
            self.problem(where, "must not be empty")
            return None
        if len(value) > max_len:
            self.problem(where, f"must be at most {max_len} characters")
            return None
        return value

    def slug(self, data: Mapping[Any, Any], key: str, path: str, *, min_len: int = 1) -> str | None:
        value = self.string(data, key, path, required=True, max_len=SLUG_MAX_LENGTH)
        if value is None:
            return None
        if len(value) < min_len or not _SLUG_RE.fullmatch(value):
            rule = f"{min_len}..100 characters" if min_len > 1 else "at most 100 characters"
            self.problem(_join(path, key), f"must use only a-z, 0-9 and '-' ({rule})")
            return None
        return value

    def integer(
        self,
        data: Mapping[Any, Any],
        key: str,
        path: str,
        *,
        default: int | None,
        minimum: int = 0,
        maximum: int = _INT_MAX,
        required: bool = False,
    ) -> int | None:
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            if required:
                self.problem(where, "is required")
            return default
        # bool is an int subclass in Python; `true` is never a number in this format.
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"expected an integer, got {_type_name(value)}")
            return None
        if value < minimum:
            self.problem(where, "must not be negative" if minimum == 0 else f"must be >= {minimum}")
            return None
        if value > maximum:
            self.problem(where, f"must be at most {maximum}")
            return None
        return value

    def boolean(
        self, data: Mapping[Any, Any], key: str, path: str, *, default: bool
    ) -> bool | None:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(_join(path, key), f"expected true or false, got {_type_name(value)}")
            return None
        return value

    def choice(
        self, data: Mapping[Any, Any], key: str, path: str, options: tuple[str, ...]
    ) -> tuple[bool, str | None]:
        """(ok, value); value is None when omitted."""
        value = data.get(key)
        if value is None:
            return True, None
        if value not in options:
            self.problem(_join(path, key), f"must be one of {', '.join(options)}")
            return False, None
        return True, value

    def time(
        self, data: Mapping[Any, Any], key: str, path: str, *, required: bool
    ) -> datetime | None:
        """The instant in UTC; None when missing, invalid or (zone unknown) unresolvable."""
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            if required:
                self.problem(where, "is required")
            return None
        if isinstance(value, datetime):
            parsed: datetime | None = value
        elif isinstance(value, str) and _TIME_RE.fullmatch(value.strip()):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                parsed = None
        else:
            parsed = None
        if parsed is None:
            self.problem(
                where,
                "expected a date and time such as 2027-03-01T09:00:00 (local) "
                "or 2027-03-01T08:00:00Z",
            )
            return None
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
        if self.tz is None:
            return None
        return local_to_utc(parsed, self.tz)

    def after(
        self, start: datetime | None, end: datetime | None, path: str, key: str, what: str
    ) -> None:
        if start is not None and end is not None and end <= start:
            self.problem(_join(path, key), f"must be after {what}")

    def items(
        self, data: Mapping[Any, Any], key: str, path: str, read: Callable[[Any, str], Any]
    ) -> list[Any]:
        return [
            read(item, f"{_join(path, key)}[{i}]")
            for i, item in enumerate(self.sequence(data, key, path))
        ]

    # -- sections --

    def run(self, doc: Any) -> ProgramPlan:
        root = self.mapping(doc, "")
        if root is None:
            raise ContentRejected(self.problems)
        self.check_keys(root, "", _ROOT_KEYS)
        program = self.read_program(root)
        courses = self.items(root, "courses", "", self.read_course)
        weeks = self.items(root, "weeks", "", self.read_week)
        self.check_courses(courses)
        self.check_weeks(weeks)
        courses_readable = isinstance(root.get("courses"), list | None)
        self.check_lessons(courses, weeks, courses_readable=courses_readable)
        if self.problems or program is None:
            raise ContentRejected(self.problems)
        return self.build(program, courses, weeks)

    def read_program(self, root: Mapping[Any, Any]) -> dict[str, Any] | None:
        if "program" not in root or root["program"] is None:
            self.problem("program", "is required")
            return None
        data = self.mapping(root["program"], "program")
        if data is None:
            return None
        path = "program"
        self.check_keys(data, path, _PROGRAM_KEYS)
        tz = self.string(data, "timezone", path, required=True, max_len=64)
        if tz is not None:
            if tz in _known_timezones():
                self.tz = tz
            else:
                self.problem(_join(path, "timezone"), f"unknown time zone {tz!r} (IANA name)")
        start = self.time(data, "startAt", path, required=True)
        end = self.time(data, "endAt", path, required=True)
        self.after(start, end, path, "endAt", "startAt")
        currency = self.string(data, "currency", path, required=False, max_len=3, default="NGN")
        if currency is not None and not _CURRENCY_RE.fullmatch(currency):
            self.problem(_join(path, "currency"), "must be three capital letters (ISO 4217)")
        late_enabled: bool | None = False
        late_days: int | None = 7
        if data.get("lateJoin") is not None:
            late = self.mapping(data["lateJoin"], _join(path, "lateJoin"))
            if late is not None:
                late_path = _join(path, "lateJoin")
                self.check_keys(late, late_path, _LATE_JOIN_KEYS)
                late_enabled = self.boolean(late, "enabled", late_path, default=False)
                late_days = self.integer(late, "days", late_path, default=7)
        return {
            "slug": self.slug(data, "slug", path, min_len=3),
            "title": self.string(data, "title", path, required=True, max_len=200),
            "description": self.string(
                data, "description", path, required=False, max_len=_TEXT_MAX, default=""
            ),
            "timezone": tz,
            "start_at": start,
            "end_at": end,
            # The API serves prices as GraphQL Int (32-bit signed).
            "price_minor": self.integer(data, "priceMinor", path, default=0, maximum=_INT_MAX),
            "currency": currency,
            "published": self.boolean(data, "published", path, default=False),
            "enrollment_close_hours_before_start": self.integer(
                data, "enrollmentCloseHoursBeforeStart", path, default=48
            ),
            "late_join_enabled": late_enabled,
            "late_join_days": late_days,
        }

    def read_course(self, value: Any, path: str) -> tuple[str, Any, CoursePlan | None]:
        """(path, slug as written, plan or None)."""
        data = self.mapping(value, path)
        if data is None:
            return path, None, None
        self.check_keys(data, path, _COURSE_KEYS)
        slug = self.slug(data, "slug", path)
        title = self.string(data, "title", path, required=True, max_len=200)
        description = self.string(
            data, "description", path, required=False, max_len=_TEXT_MAX, default=""
        )
        template = self.string(data, "certificateTemplateKey", path, required=False, max_len=100)
        template_ok = data.get("certificateTemplateKey") is None or template is not None
        plan = None
        if slug is not None and title is not None and description is not None and template_ok:
            plan = CoursePlan(slug, title, description, template)
        return path, data.get("slug"), plan

    def read_week(self, value: Any, path: str) -> _RawWeek | None:
        data = self.mapping(value, path)
        if data is None or not isinstance(data.get("lessons"), list | None):
            self.unread_lessons_anywhere = True
        if data is None:
            return None
        self.check_keys(data, path, _WEEK_KEYS)
        number = self.integer(data, "number", path, default=None, minimum=1, required=True)
        title = self.string(data, "title", path, required=True, max_len=200)
        release_at = self.time(data, "releaseAt", path, required=False)
        assignment, deadline = None, None
        if data.get("assignment") is not None:
            assignment, deadline = self.read_assignment(
                data["assignment"], _join(path, "assignment")
            )
        live = None
        if data.get("liveSession") is not None:
            live = self.read_live_session(data["liveSession"], _join(path, "liveSession"))
        lessons = self.items(data, "lessons", path, self.read_lesson)
        return _RawWeek(
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
        self, value: Any, path: str
    ) -> tuple[AssignmentPlan | None, datetime | None]:
        data = self.mapping(value, path)
        if data is None:
            return None, None
        self.check_keys(data, path, _ASSIGNMENT_KEYS)
        title = self.string(data, "title", path, required=True, max_len=200)
        instructions = self.string(
            data, "instructions", path, required=False, max_len=_TEXT_MAX, default=""
        )
        ok, submission_type = self.choice(data, "submissionType", path, SUBMISSION_TYPES)
        # A maximum score of 0 would make every grade meaningless, so it starts at 1.
        max_score = self.integer(data, "maxScore", path, default=None, minimum=1)
        deadline = self.time(data, "deadline", path, required=False)
        if title is None or instructions is None or not ok:
            return None, deadline
        return AssignmentPlan(title, instructions, submission_type or "text", max_score), deadline

    def read_live_session(self, value: Any, path: str) -> LiveSessionPlan | None:
        data = self.mapping(value, path)
        if data is None:
            return None
        self.check_keys(data, path, _LIVE_SESSION_KEYS)
        title = self.string(data, "title", path, required=True, max_len=200)
        start = self.time(data, "startAt", path, required=True)
        end = self.time(data, "endAt", path, required=True)
        self.after(start, end, path, "endAt", "startAt")
        url = self.string(data, "url", path, required=False, max_len=500)
        # The frontend renders this as a link: only web addresses, never javascript: and co.
        if url is not None and not url.startswith(("https://", "http://")):
            self.problem(_join(path, "url"), "must start with https:// or http://")
            url = None
        if title is None or start is None or end is None:
            return None
        return LiveSessionPlan(title, start, end, url)

    def read_lesson(self, value: Any, path: str) -> _RawLesson | None:
        data = self.mapping(value, path)
        if data is None:
            self.unread_lessons_anywhere = True
            return None
        self.check_keys(data, path, _LESSON_KEYS)
        course = self.string(data, "course", path, required=True, max_len=100)
        slug = self.slug(data, "slug", path)
        if course is None:
            self.unread_lessons_anywhere = True
        elif slug is None:
            self.unread_lessons_in.add(course)
        refs: list[tuple[tuple[str, str], str]] = []
        for i, ref in enumerate(self.sequence(data, "prerequisites", path)):
            ref_path = f"{_join(path, 'prerequisites')}[{i}]"
            parts = ref.split("/") if isinstance(ref, str) else []
            if not parts or len(parts) > 2 or not all(parts):
                self.problem(ref_path, "expected 'lesson-slug' or 'course-slug/lesson-slug'")
            elif len(parts) == 2:
                refs.append(((parts[0], parts[1]), ref_path))
            elif course is not None:
                refs.append(((course, parts[0]), ref_path))
        video = None
        if data.get("video") is not None:
            video = self.read_video(data["video"], _join(path, "video"))
        return _RawLesson(
            path=path,
            course=course,
            slug=slug,
            title=self.string(data, "title", path, required=True, max_len=200),
            description=self.string(
                data, "description", path, required=False, max_len=_TEXT_MAX, default=""
            )
            or "",
            duration_seconds=self.integer(data, "durationSeconds", path, default=0),
            is_preview=self.boolean(data, "isPreview", path, default=False),
            prerequisite_refs=refs,
            video=video,
        )

    def read_video(self, value: Any, path: str) -> VideoPlan | None:
        data = self.mapping(value, path)
        if data is None:
            return None
        self.check_keys(data, path, _VIDEO_KEYS)
        bucket = self.string(data, "bucket", path, required=True, max_len=63)
        key = self.string(data, "key", path, required=True, max_len=512)
        cf_path = self.string(data, "cloudFrontPath", path, required=True, max_len=1024)
        if cf_path is not None and not cf_path.startswith("/"):
            self.problem(_join(path, "cloudFrontPath"), "must start with /")
            cf_path = None
        mime = self.string(data, "mimeType", path, required=True, max_len=100)
        ok, status = self.choice(data, "status", path, VIDEO_STATUSES)
        if bucket is None or key is None or cf_path is None or mime is None or not ok:
            return None
        return VideoPlan(bucket, key, cf_path, mime, status)

    # -- file-wide rules --

    def check_courses(self, courses: list[tuple[str, Any, CoursePlan | None]]) -> None:
        first: dict[str, str] = {}
        for path, slug, plan in courses:
            if plan is None:
                continue
            if slug in first:
                self.problem(
                    _join(path, "slug"), f"duplicate course slug {slug!r} (first at {first[slug]})"
                )
            else:
                first[slug] = path

    def check_weeks(self, weeks: list[_RawWeek | None]) -> None:
        first: dict[int, str] = {}
        for week in weeks:
            if week is None or week.number is None:
                continue
            if week.number in first:
                self.problem(
                    _join(week.path, "number"),
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
                self.problem(
                    "weeks", f"week numbers must run 1, 2, 3... without gaps; missing {listed}"
                )

    def check_lessons(
        self,
        courses: list[tuple[str, Any, CoursePlan | None]],
        weeks: list[_RawWeek | None],
        *,
        courses_readable: bool,
    ) -> None:
        named_courses = {slug for _path, slug, _plan in courses if isinstance(slug, str)}
        # With a course whose slug was refused, "no such course" would be guesswork (and one
        # mistake reported once per lesson).
        courses_known = courses_readable and all(
            isinstance(s, str) and is_slug(s) for _p, s, _c in courses
        )
        lessons = [lesson for week in weeks if week is not None for lesson in week.lessons]
        first: dict[tuple[str, str], _RawLesson] = {}
        videos: dict[tuple[str, str], tuple[VideoPlan, str]] = {}
        for lesson in lessons:
            if courses_known and lesson.course is not None and lesson.course not in named_courses:
                self.problem(
                    _join(lesson.path, "course"), f"no course {lesson.course!r} in this file"
                )
                if lesson.slug is not None:
                    # References to it probably use the course it was meant to name.
                    self.unread_slugs.add(lesson.slug)
            if lesson.course is not None and lesson.slug is not None:
                key = (lesson.course, lesson.slug)
                if key in first:
                    self.problem(
                        _join(lesson.path, "slug"),
                        f"duplicate lesson slug {lesson.slug!r} in course {lesson.course!r} "
                        f"(first at {first[key].path})",
                    )
                else:
                    first[key] = lesson
            if lesson.video is not None:
                vkey = (lesson.video.bucket, lesson.video.key)
                seen = videos.setdefault(vkey, (lesson.video, lesson.path))
                if seen[0] != lesson.video:
                    self.problem(
                        _join(lesson.path, "video"),
                        f"same bucket and key as {seen[1]}.video but different details",
                    )
        edges: dict[tuple[str, str], list[tuple[tuple[str, str], str]]] = {key: [] for key in first}
        for lesson in lessons:
            own = None
            if lesson.course is not None and lesson.slug is not None:
                own = (lesson.course, lesson.slug)
            # Only the first of duplicated lessons joins the graph; the others were reported.
            graphed = own is not None and first.get(own) is lesson
            for target, ref_path in lesson.prerequisite_refs:
                if target not in first and not self._maybe_unread(target):
                    self.problem(ref_path, f"no lesson {'/'.join(target)!r} in this file")
                elif (
                    graphed
                    and own is not None
                    and target in first
                    and all(t != target for t, _p in edges[own])
                ):
                    edges[own].append((target, ref_path))
        self.check_cycles(edges)

    def _maybe_unread(self, target: tuple[str, str]) -> bool:
        return (
            self.unread_lessons_anywhere
            or target[0] in self.unread_lessons_in
            or target[1] in self.unread_slugs
        )

    def check_cycles(self, edges: dict[tuple[str, str], list[tuple[tuple[str, str], str]]]) -> None:
        """One problem per back edge of a depth-first walk: one per cycle, at its closing edge."""
        white, grey, black = 0, 1, 2
        colour = dict.fromkeys(edges, white)
        for start in edges:
            if colour[start] != white:
                continue
            colour[start] = grey
            trail = [start]
            stack = [iter(edges[start])]
            while stack:
                for target, ref_path in stack[-1]:
                    if colour[target] == grey:
                        if target == trail[-1]:
                            self.problem(ref_path, "a lesson cannot be its own prerequisite")
                        else:
                            loop = [*trail[trail.index(target) :], target]
                            shown = " -> ".join("/".join(k) for k in loop)
                            self.problem(ref_path, f"prerequisites make a cycle: {shown}")
                    elif colour[target] == white:
                        colour[target] = grey
                        trail.append(target)
                        stack.append(iter(edges[target]))
                        break
                else:
                    colour[trail.pop()] = black
                    stack.pop()

    # -- the plan --

    def build(
        self,
        program: dict[str, Any],
        courses: list[tuple[str, Any, CoursePlan | None]],
        weeks: list[_RawWeek | None],
    ) -> ProgramPlan:
        # Only reached without problems: every value below was read and resolved.
        tz: str = program["timezone"]
        start: datetime = program["start_at"]
        end: datetime = program["end_at"]
        raw_weeks = sorted((w for w in weeks if w is not None), key=lambda w: w.number or 0)
        releases = {
            w.number: w.release_at or default_week_release(start, tz, w.number or 1)
            for w in raw_weeks
        }
        plans: list[WeekPlan] = []
        for week in raw_weeks:
            number = week.number or 1
            deadline = None
            if week.assignment is not None:
                deadline = week.deadline
                if deadline is None:
                    next_release = releases.get(number + 1) or default_week_release(
                        start, tz, number + 1
                    )
                    deadline = min(next_release, end)
            plans.append(
                WeekPlan(
                    number=number,
                    title=week.title or "",
                    release_at=releases[number],
                    assignment=week.assignment,
                    assignment_deadline=deadline,
                    live_session=week.live_session,
                    lessons=tuple(_lesson_plan(lesson) for lesson in week.lessons),
                )
            )
        return ProgramPlan(
            **program,
            courses=tuple(plan for _p, _s, plan in courses if plan is not None),
            weeks=tuple(plans),
        )


def _lesson_plan(lesson: _RawLesson) -> LessonPlan:
    prerequisites: list[tuple[str, str]] = []
    for target, _path in lesson.prerequisite_refs:
        if target not in prerequisites:  # listing one twice changes nothing
            prerequisites.append(target)
    return LessonPlan(
        course=lesson.course or "",
        slug=lesson.slug or "",
        title=lesson.title or "",
        description=lesson.description,
        duration_seconds=lesson.duration_seconds or 0,
        is_preview=bool(lesson.is_preview),
        prerequisites=tuple(prerequisites),
        video=lesson.video,
        path=lesson.path,
    )


__all__ = [
    "SUBMISSION_TYPES",
    "VIDEO_STATUSES",
    "AssignmentPlan",
    "ContentRejected",
    "CoursePlan",
    "LessonPlan",
    "LiveSessionPlan",
    "Problem",
    "ProgramPlan",
    "VideoPlan",
    "WeekPlan",
    "load_program",
    "parse_document",
    "validate_program",
]
