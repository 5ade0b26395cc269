"""Content format rules: every refusal with its path, defaults, and time resolution (no DB)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from edxelera_gql.catalog.content import (
    ContentRejected,
    Problem,
    ProgramPlan,
    load_program,
    parse_document,
    validate_program,
)

DATA = Path(__file__).parent / "data"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def valid_doc() -> dict[str, Any]:
    """Two courses over three weeks, with prerequisites in both forms."""
    return {
        "program": {
            "slug": "sql-bootcamp",
            "title": "SQL Bootcamp",
            "timezone": "Africa/Lagos",
            "startAt": "2027-03-01T09:00:00",
            "endAt": "2027-03-21T18:00:00",
        },
        "courses": [
            {"slug": "sql", "title": "SQL"},
            {"slug": "charts", "title": "Charts"},
        ],
        "weeks": [
            {
                "number": 1,
                "title": "Start",
                "assignment": {"title": "First queries"},
                "liveSession": {
                    "title": "Kick-off",
                    "startAt": "2027-03-03T18:00:00",
                    "endAt": "2027-03-03T19:00:00",
                },
                "lessons": [
                    {"course": "sql", "slug": "intro", "title": "Intro"},
                    {"course": "charts", "slug": "intro", "title": "Charts intro"},
                ],
            },
            {
                "number": 2,
                "title": "Middle",
                "lessons": [
                    {
                        "course": "sql",
                        "slug": "select",
                        "title": "SELECT",
                        "prerequisites": ["intro"],
                        "video": {
                            "bucket": "videos",
                            "key": "sql/select.mp4",
                            "cloudFrontPath": "/sql/select.mp4",
                            "mimeType": "video/mp4",
                        },
                    },
                ],
            },
            {
                "number": 3,
                "title": "End",
                "assignment": {"title": "Final", "submissionType": "file"},
                "lessons": [
                    {
                        "course": "charts",
                        "slug": "bars",
                        "title": "Bars",
                        "prerequisites": ["intro", "sql/select"],
                    },
                ],
            },
        ],
    }


def problems_of(doc: Any) -> list[Problem]:
    with pytest.raises(ContentRejected) as caught:
        validate_program(doc)
    return caught.value.problems


def lesson(doc: dict[str, Any], week: int, index: int) -> dict[str, Any]:
    return doc["weeks"][week]["lessons"][index]


def test_valid_doc_is_accepted() -> None:
    plan = validate_program(valid_doc())
    assert isinstance(plan, ProgramPlan)
    assert [w.number for w in plan.weeks] == [1, 2, 3]
    assert plan.weeks[2].lessons[0].prerequisites == (("charts", "intro"), ("sql", "select"))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets (or, with ..., deletes) a dotted path such as weeks.0.title."""

    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        key: Any = int(last) if last.isdigit() else last
        if value is ...:
            del target[key]
        else:
            target[key] = value

    return mutate


def _add_course_with_slug(slug: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        doc["courses"].append({"slug": slug, "title": "Maps"})

    return mutate


def _swap_week_numbers(doc: dict[str, Any]) -> None:
    for week in doc["weeks"]:
        week["number"] += 1


# (mutation, path of the one expected problem, fragment of its message)
REFUSALS: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("missing slug", _set("program.slug", ...), "program.slug", "required"),
    ("short slug", _set("program.slug", "ab"), "program.slug", "3..100"),
    ("slug charset", _set("program.slug", "SQL_Bootcamp"), "program.slug", "a-z"),
    ("long slug", _set("program.slug", "a" * 101), "program.slug", "100"),
    ("missing title", _set("program.title", ...), "program.title", "required"),
    ("blank title", _set("program.title", "  "), "program.title", "empty"),
    ("title not string", _set("program.title", 2027), "program.title", "string"),
    ("unknown timezone", _set("program.timezone", "Mars/Olympus"), "program.timezone", "unknown"),
    ("missing timezone", _set("program.timezone", ...), "program.timezone", "required"),
    ("missing startAt", _set("program.startAt", ...), "program.startAt", "required"),
    ("missing endAt", _set("program.endAt", ...), "program.endAt", "required"),
    ("end before start", _set("program.endAt", "2027-02-01T09:00:00"), "program.endAt", "after"),
    ("end equals start", _set("program.endAt", "2027-03-01T08:00:00Z"), "program.endAt", "after"),
    ("unparseable time", _set("program.startAt", "next tuesday"), "program.startAt", "date and"),
    ("date without time", _set("program.startAt", "2027-03-01"), "program.startAt", "date and"),
    ("impossible date", _set("program.startAt", "2027-02-30T09:00:00"), "program.startAt", "date"),
    ("time not string", _set("program.startAt", 20270301), "program.startAt", "date and"),
    ("price as string", _set("program.priceMinor", "15000"), "program.priceMinor", "integer"),
    ("price as float", _set("program.priceMinor", 150.5), "program.priceMinor", "integer"),
    ("price as bool", _set("program.priceMinor", True), "program.priceMinor", "integer"),
    ("negative price", _set("program.priceMinor", -1), "program.priceMinor", "negative"),
    ("lowercase currency", _set("program.currency", "ngn"), "program.currency", "three capital"),
    ("long currency", _set("program.currency", "NAIRA"), "program.currency", "3"),
    ("published as string", _set("program.published", "yes"), "program.published", "true or"),
    (
        "negative close hours",
        _set("program.enrollmentCloseHoursBeforeStart", -2),
        "program.enrollmentCloseHoursBeforeStart",
        "negative",
    ),
    (
        "negative late join days",
        _set("program.lateJoin", {"enabled": True, "days": -3}),
        "program.lateJoin.days",
        "negative",
    ),
    (
        "late join typo",
        _set("program.lateJoin", {"enabeld": True}),
        "program.lateJoin.enabeld",
        "did you mean 'enabled'",
    ),
    ("late join not mapping", _set("program.lateJoin", True), "program.lateJoin", "mapping"),
    ("program key typo", _set("program.priceMinr", 5), "program.priceMinr", "'priceMinor'"),
    ("top-level typo", _set("course", []), "course", "did you mean 'courses'"),
    ("program missing", _set("program", ...), "program", "required"),
    ("program not mapping", _set("program", "sql"), "program", "mapping"),
    ("courses not list", _set("courses", {"slug": "sql"}), "courses", "list"),
    ("course slug missing", _set("courses.1.slug", ...), "courses[1].slug", "required"),
    ("course slug charset", _add_course_with_slug("Maps"), "courses[2].slug", "a-z"),
    ("course title missing", _set("courses.0.title", ...), "courses[0].title", "required"),
    ("course key typo", _set("courses.0.titel", "x"), "courses[0].titel", "'title'"),
    ("duplicate course slug", _add_course_with_slug("sql"), "courses[2].slug", "duplicate"),
    ("week number missing", _set("weeks.1.number", ...), "weeks[1].number", "required"),
    ("week number string", _set("weeks.1.number", "2"), "weeks[1].number", "integer"),
    ("week number zero", _set("weeks.0.number", 0), "weeks[0].number", ">= 1"),
    ("week title missing", _set("weeks.2.title", ...), "weeks[2].title", "required"),
    ("duplicate week number", _set("weeks.2.number", 2), "weeks[2].number", "duplicate"),
    ("weeks start at 2", _swap_week_numbers, "weeks", "missing 1"),
    ("week gap", _set("weeks.2.number", 4), "weeks", "missing 3"),
    ("week release unparseable", _set("weeks.0.releaseAt", "soon"), "weeks[0].releaseAt", "date"),
    (
        "lesson course unknown",
        _set("weeks.0.lessons.0.course", "sq"),
        "weeks[0].lessons[0].course",
        "no course",
    ),
    (
        "lesson course missing",
        _set("weeks.0.lessons.0.course", ...),
        "weeks[0].lessons[0].course",
        "required",
    ),
    (
        "lesson slug missing",
        _set("weeks.0.lessons.1.slug", ...),
        "weeks[0].lessons[1].slug",
        "required",
    ),
    (
        "lesson slug with slash",
        _set("weeks.0.lessons.1.slug", "a/b"),
        "weeks[0].lessons[1].slug",
        "a-z",
    ),
    (
        "lesson title missing",
        _set("weeks.1.lessons.0.title", ...),
        "weeks[1].lessons[0].title",
        "required",
    ),
    (
        "duplicate lesson slug",
        _set("weeks.2.lessons.0.slug", "intro"),
        "weeks[2].lessons[0].slug",
        "duplicate",
    ),
    (
        "negative duration",
        _set("weeks.0.lessons.0.durationSeconds", -1),
        "weeks[0].lessons[0].durationSeconds",
        "negative",
    ),
    (
        "duration as float",
        _set("weeks.0.lessons.0.durationSeconds", 1.5),
        "weeks[0].lessons[0].durationSeconds",
        "integer",
    ),
    (
        "preview as string",
        _set("weeks.0.lessons.0.isPreview", "true"),
        "weeks[0].lessons[0].isPreview",
        "true or",
    ),
    (
        "lesson key typo",
        _set("weeks.0.lessons.0.prerequisite", []),
        "weeks[0].lessons[0].prerequisite",
        "'prerequisites'",
    ),
    (
        "prerequisite unknown",
        _set("weeks.1.lessons.0.prerequisites", ["outro"]),
        "weeks[1].lessons[0].prerequisites[0]",
        "no lesson 'sql/outro'",
    ),
    (
        "prerequisite other course unknown",
        _set("weeks.1.lessons.0.prerequisites", ["charts/select"]),
        "weeks[1].lessons[0].prerequisites[0]",
        "no lesson",
    ),
    (
        "prerequisite malformed",
        _set("weeks.1.lessons.0.prerequisites", ["a/b/c"]),
        "weeks[1].lessons[0].prerequisites[0]",
        "expected",
    ),
    (
        "prerequisite not string",
        _set("weeks.1.lessons.0.prerequisites", [7]),
        "weeks[1].lessons[0].prerequisites[0]",
        "expected",
    ),
    (
        "prerequisites not list",
        _set("weeks.1.lessons.0.prerequisites", "intro"),
        "weeks[1].lessons[0].prerequisites",
        "list",
    ),
    (
        "self prerequisite",
        _set("weeks.1.lessons.0.prerequisites", ["select"]),
        "weeks[1].lessons[0].prerequisites[0]",
        "own prerequisite",
    ),
    (
        "self prerequisite long form",
        _set("weeks.1.lessons.0.prerequisites", ["sql/select"]),
        "weeks[1].lessons[0].prerequisites[0]",
        "own prerequisite",
    ),
    (
        "two-lesson cycle",
        _set("weeks.0.lessons.0.prerequisites", ["select"]),
        "weeks[1].lessons[0].prerequisites[0]",
        "cycle: sql/intro -> sql/select -> sql/intro",
    ),
    (
        "three-lesson cycle",
        _set("weeks.0.lessons.1.prerequisites", ["bars"]),
        "weeks[2].lessons[0].prerequisites[0]",
        "cycle",
    ),
    (
        "assignment title missing",
        _set("weeks.0.assignment", {"instructions": "x"}),
        "weeks[0].assignment.title",
        "required",
    ),
    (
        "submission type",
        _set("weeks.0.assignment.submissionType", "pdf"),
        "weeks[0].assignment.submissionType",
        "text, url, file",
    ),
    (
        "max score zero",
        _set("weeks.0.assignment.maxScore", 0),
        "weeks[0].assignment.maxScore",
        ">= 1",
    ),
    (
        "deadline unparseable",
        _set("weeks.0.assignment.deadline", "friday"),
        "weeks[0].assignment.deadline",
        "date",
    ),
    (
        "assignment not mapping",
        _set("weeks.0.assignment", "essay"),
        "weeks[0].assignment",
        "mapping",
    ),
    (
        "live session title missing",
        _set("weeks.0.liveSession.title", ...),
        "weeks[0].liveSession.title",
        "required",
    ),
    (
        "live session start missing",
        _set("weeks.0.liveSession.startAt", ...),
        "weeks[0].liveSession.startAt",
        "required",
    ),
    (
        "live session end before start",
        _set("weeks.0.liveSession.endAt", "2027-03-03T17:00:00"),
        "weeks[0].liveSession.endAt",
        "after",
    ),
    (
        "live session url scheme",
        _set("weeks.0.liveSession.url", "javascript:alert(1)"),
        "weeks[0].liveSession.url",
        "https://",
    ),
    (
        "video bucket missing",
        _set("weeks.1.lessons.0.video.bucket", ...),
        "weeks[1].lessons[0].video.bucket",
        "required",
    ),
    (
        "video key missing",
        _set("weeks.1.lessons.0.video.key", ...),
        "weeks[1].lessons[0].video.key",
        "required",
    ),
    (
        "video path relative",
        _set("weeks.1.lessons.0.video.cloudFrontPath", "sql/a.mp4"),
        "weeks[1].lessons[0].video.cloudFrontPath",
        "start with /",
    ),
    (
        "video mime missing",
        _set("weeks.1.lessons.0.video.mimeType", ...),
        "weeks[1].lessons[0].video.mimeType",
        "required",
    ),
    (
        "video status",
        _set("weeks.1.lessons.0.video.status", "done"),
        "weeks[1].lessons[0].video.status",
        "pending, ready, failed",
    ),
    (
        "video key typo",
        _set("weeks.1.lessons.0.video.sizeBytes", 10),
        "weeks[1].lessons[0].video.sizeBytes",
        "unknown key",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [case[1:] for case in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
def test_each_rule_refuses_with_one_problem_at_its_path(
    mutate: Callable[[dict[str, Any]], None], path: str, fragment: str
) -> None:
    doc = valid_doc()
    mutate(doc)
    problems = problems_of(doc)
    assert len(problems) == 1, problems
    assert problems[0].path == path
    assert fragment in problems[0].message


def test_document_not_a_mapping() -> None:
    assert problems_of(["program"]) == [Problem("", "expected a mapping, got list")]


def test_five_mistakes_give_exactly_five_problems() -> None:
    text = (DATA / "five_mistakes.yaml").read_text()
    with pytest.raises(ContentRejected) as caught:
        load_program(text, filename="five_mistakes.yaml")
    problems = caught.value.problems
    assert [p.path for p in problems] == [
        "program.timezone",
        "program.currency",
        "courses[1].slug",
        "weeks",
        "weeks[0].lessons[1].course",
    ]
    lines = str(caught.value).splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("program.timezone: unknown time zone 'Africa/Lagoss'")


def test_unknown_timezone_does_not_cascade_into_every_time() -> None:
    doc = valid_doc()
    doc["program"]["timezone"] = "Europe/Atlantis"
    doc["weeks"][0]["releaseAt"] = "2027-03-01T09:00:00"
    doc["weeks"][0]["assignment"]["deadline"] = "2027-03-08T09:00:00"
    assert [p.path for p in problems_of(doc)] == ["program.timezone"]


def test_refused_course_slug_is_not_repeated_by_its_lessons() -> None:
    doc = valid_doc()
    doc["courses"][0]["slug"] = "SQL"
    for week in doc["weeks"]:
        for item in week["lessons"]:
            if item["course"] == "sql":
                item["course"] = "SQL"
    doc["weeks"][2]["lessons"][0]["prerequisites"] = ["intro", "SQL/select"]
    assert [p.path for p in problems_of(doc)] == ["courses[0].slug"]


def test_refused_lesson_slug_is_not_repeated_by_references() -> None:
    doc = valid_doc()
    lesson(doc, 1, 0)["slug"] = "Select"
    lesson(doc, 2, 0)["prerequisites"] = ["sql/Select"]
    assert [p.path for p in problems_of(doc)] == ["weeks[1].lessons[0].slug"]


def test_same_lesson_slug_in_two_courses_is_fine() -> None:
    plan = validate_program(valid_doc())
    assert {(item.course, item.slug) for item in plan.weeks[0].lessons} == {
        ("sql", "intro"),
        ("charts", "intro"),
    }


def test_conflicting_details_for_one_video_are_refused() -> None:
    doc = valid_doc()
    video = dict(lesson(doc, 1, 0)["video"])
    lesson(doc, 2, 0)["video"] = {**video, "mimeType": "application/vnd.apple.mpegurl"}
    assert [p.path for p in problems_of(doc)] == ["weeks[2].lessons[0].video"]
    lesson(doc, 2, 0)["video"] = video  # the same asset twice, identical: fine
    validate_program(doc)


def test_defaults() -> None:
    plan = validate_program(valid_doc())
    assert plan.description == ""
    assert plan.price_minor == 0
    assert plan.currency == "NGN"
    assert plan.published is False
    assert plan.enrollment_close_hours_before_start == 48
    assert (plan.late_join_enabled, plan.late_join_days) == (False, 7)
    assert plan.courses[0].description == ""
    assert plan.courses[0].certificate_template_key is None
    first = plan.weeks[0].lessons[0]
    assert (first.description, first.duration_seconds, first.is_preview) == ("", 0, False)
    assert first.prerequisites == ()
    assert first.video is None
    assignment = plan.weeks[0].assignment
    assert assignment is not None
    assert (assignment.instructions, assignment.submission_type) == ("", "text")
    assert assignment.max_score is None
    live = plan.weeks[0].live_session
    assert live is not None
    assert live.url is None
    video = plan.weeks[1].lessons[0].video
    assert video is not None
    assert video.status is None
    assert plan.weeks[1].live_session is None


def test_late_join_defaults_fill_the_omitted_half() -> None:
    doc = valid_doc()
    doc["program"]["lateJoin"] = {"enabled": True}
    plan = validate_program(doc)
    assert (plan.late_join_enabled, plan.late_join_days) == (True, 7)


def test_null_optional_values_mean_omitted() -> None:
    doc = valid_doc()
    doc["courses"][0]["certificateTemplateKey"] = None
    doc["program"]["description"] = None
    lesson(doc, 0, 0)["prerequisites"] = None
    plan = validate_program(doc)
    assert plan.description == ""
    assert plan.weeks[0].lessons[0].prerequisites == ()


def test_duplicate_prerequisites_collapse() -> None:
    doc = valid_doc()
    lesson(doc, 2, 0)["prerequisites"] = ["intro", "charts/intro", "sql/select"]
    plan = validate_program(doc)
    assert plan.weeks[2].lessons[0].prerequisites == (("charts", "intro"), ("sql", "select"))


# --- times ----------------------------------------------------------------------------------


def new_york_doc(weeks: int = 3) -> dict[str, Any]:
    return {
        "program": {
            "slug": "ny-program",
            "title": "New York",
            "timezone": "America/New_York",
            "startAt": "2027-03-01T09:00:00",
            "endAt": "2027-03-19T17:00:00",
        },
        "weeks": [
            {"number": n, "title": f"Week {n}", "assignment": {"title": f"Task {n}"}}
            for n in range(1, weeks + 1)
        ],
    }


def test_weeks_keep_local_start_time_across_dst() -> None:
    plan = validate_program(new_york_doc())
    assert plan.start_at == utc(2027, 3, 1, 14)
    # 2027-03-14 clocks spring forward: 09:00 EDT is 13:00Z.
    assert [w.release_at for w in plan.weeks] == [
        utc(2027, 3, 1, 14),
        utc(2027, 3, 8, 14),
        utc(2027, 3, 15, 13),
    ]


def test_explicit_instants_win_over_wall_clock() -> None:
    doc = new_york_doc()
    doc["weeks"][1]["releaseAt"] = "2027-03-09T10:00:00+01:00"
    doc["weeks"][2]["releaseAt"] = "2027-03-16T12:30:00Z"
    doc["weeks"][0]["assignment"]["deadline"] = "2027-03-07T23:59:00"  # local, EST
    plan = validate_program(doc)
    assert plan.weeks[1].release_at == utc(2027, 3, 9, 9)
    assert plan.weeks[2].release_at == utc(2027, 3, 16, 12, 30)
    assert plan.weeks[0].assignment_deadline == utc(2027, 3, 8, 4, 59)


def test_timezone_of_program_applies_to_naive_times() -> None:
    plan = validate_program(valid_doc())  # Africa/Lagos, UTC+1 all year
    assert plan.start_at == utc(2027, 3, 1, 8)
    assert plan.end_at == utc(2027, 3, 21, 17)
    live = plan.weeks[0].live_session
    assert live is not None
    assert (live.start_at, live.end_at) == (utc(2027, 3, 3, 17), utc(2027, 3, 3, 18))


def test_deadline_defaults_to_next_week_release() -> None:
    plan = validate_program(new_york_doc())
    assert plan.weeks[0].assignment_deadline == plan.weeks[1].release_at
    assert plan.weeks[1].assignment_deadline == plan.weeks[2].release_at


def test_deadline_follows_explicit_release_of_next_week() -> None:
    doc = new_york_doc()
    doc["weeks"][1]["releaseAt"] = "2027-03-10T09:00:00"
    plan = validate_program(doc)
    assert plan.weeks[0].assignment_deadline == utc(2027, 3, 10, 14)


def test_last_deadline_is_capped_by_program_end() -> None:
    plan = validate_program(new_york_doc())
    # Week 4 would open 2027-03-22 09:00 EDT, after the program ends.
    assert plan.weeks[2].assignment_deadline == utc(2027, 3, 19, 21)
    assert plan.weeks[2].assignment_deadline == plan.end_at


def test_last_deadline_uses_week_after_when_program_runs_longer() -> None:
    doc = new_york_doc()
    doc["program"]["endAt"] = "2027-04-30T17:00:00"
    plan = validate_program(doc)
    assert plan.weeks[2].assignment_deadline == utc(2027, 3, 22, 13)


def test_explicit_deadline_wins_and_no_assignment_means_no_deadline() -> None:
    doc = new_york_doc()
    doc["weeks"][0]["assignment"]["deadline"] = "2027-03-05T12:00:00Z"
    del doc["weeks"][1]["assignment"]
    plan = validate_program(doc)
    assert plan.weeks[0].assignment_deadline == utc(2027, 3, 5, 12)
    assert plan.weeks[1].assignment is None
    assert plan.weeks[1].assignment_deadline is None


def test_weeks_listed_out_of_order_come_back_sorted() -> None:
    doc = new_york_doc()
    doc["weeks"].reverse()
    plan = validate_program(doc)
    assert [w.number for w in plan.weeks] == [1, 2, 3]


# --- parsing --------------------------------------------------------------------------------


def test_yaml_keeps_times_as_strings() -> None:
    doc = parse_document("at: 2027-03-01T09:00:00\nz: 2027-03-01T09:00:00+01:00\nd: 2027-03-01\n")
    assert doc == {"at": "2027-03-01T09:00:00", "z": "2027-03-01T09:00:00+01:00", "d": "2027-03-01"}


def test_yaml_offset_is_not_silently_dropped() -> None:
    text = (
        (DATA / "example.yaml")
        .read_text()
        .replace("startAt: 2027-03-01T09:00:00", "startAt: 2027-03-01T09:00:00-05:00")
    )
    plan = load_program(text)
    assert plan.start_at == utc(2027, 3, 1, 14)


def test_example_of_the_format_is_accepted() -> None:
    plan = load_program((DATA / "example.yaml").read_text(), filename="example.yaml")
    assert plan.slug == "data-analytics-2027-03"
    assert plan.start_at == utc(2027, 3, 1, 8)
    week = plan.weeks[0]
    assert week.assignment_deadline == utc(2027, 3, 8, 8)
    assert week.lessons[0].video is not None
    assert week.lessons[0].video.status == "ready"


def test_json_documents_use_the_same_rules() -> None:
    doc = valid_doc()
    plan = load_program(json.dumps(doc), filename="program.JSON")
    assert plan == validate_program(copy.deepcopy(doc))


@pytest.mark.parametrize(
    ("text", "filename", "fragment"),
    [
        ("program: [unclosed", "p.yaml", "invalid YAML"),
        ("program:\n  slug: a\n  slug: b\n", "p.yaml", "duplicate key 'slug'"),
        ('{"program": ', "p.json", "invalid JSON"),
        ('{"a": 1, "a": 2}', "p.json", "duplicate key 'a'"),
    ],
)
def test_syntax_errors_are_one_problem_at_the_root(text: str, filename: str, fragment: str) -> None:
    with pytest.raises(ContentRejected) as caught:
        parse_document(text, filename=filename)
    [problem] = caught.value.problems
    assert problem.path == ""
    assert fragment in problem.message


def test_yaml_cannot_build_python_objects() -> None:
    with pytest.raises(ContentRejected):
        parse_document("x: !!python/object/apply:os.system ['true']")


def test_price_must_fit_the_api_int() -> None:
    from edxelera_gql.catalog.content import ContentRejected, validate_program

    doc = {
        "program": {
            "slug": "big-price",
            "title": "Big",
            "timezone": "Africa/Lagos",
            "startAt": "2027-03-01T09:00:00",
            "endAt": "2027-04-01T09:00:00",
            "priceMinor": 2**31,
        }
    }
    with pytest.raises(ContentRejected) as refused:
        validate_program(doc)
    assert [p.path for p in refused.value.problems] == ["program.priceMinor"]
    doc["program"]["priceMinor"] = 2**31 - 1
    assert validate_program(doc).price_minor == 2**31 - 1
