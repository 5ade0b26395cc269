"""An HLS video's signed URL opens its whole folder (``folder/*``, and ``*`` crosses ``/``), so
no other video may live there: the review's anonymous visitor opened a course's unreleased
videos through one HLS preview lesson in a per-course folder."""

from __future__ import annotations

from typing import Any

import pytest

from edxelera_gql.catalog.content import ContentRejected, validate_program
from edxelera_gql.catalog.importer import import_program
from tests.catalog.test_import import program_doc

HLS = "application/vnd.apple.mpegurl"


def _video(doc: dict[str, Any], week: int, lesson: int, path: str, mime: str) -> None:
    doc["weeks"][week]["lessons"][lesson]["video"] = {
        "bucket": "videos",
        "key": path.lstrip("/"),
        "cloudFrontPath": path,
        "mimeType": mime,
    }


def _problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ContentRejected) as refused:
        validate_program(doc)
    return [str(p) for p in refused.value.problems]


def test_an_hls_preview_beside_the_course_videos_is_refused() -> None:
    doc = program_doc()
    _video(doc, 0, 0, "/python/intro.m3u8", HLS)
    _video(doc, 1, 0, "/python/functions.mp4", "video/mp4")
    [problem] = _problems(doc)
    assert problem.startswith("weeks[0].lessons[0].video.cloudFrontPath:")
    assert "/python/functions.mp4" in problem


def test_a_video_in_a_subfolder_of_an_hls_folder_is_refused() -> None:
    doc = program_doc()
    _video(doc, 0, 0, "/python/intro/master.m3u8", HLS)
    _video(doc, 1, 0, "/python/intro/bonus/extra.mp4", "video/mp4")
    assert len(_problems(doc)) == 1


def test_an_hls_video_alone_in_its_folder_is_accepted() -> None:
    doc = program_doc()
    _video(doc, 0, 0, "/python/intro/master.m3u8", HLS)
    _video(doc, 1, 0, "/python/functions.mp4", "video/mp4")
    validate_program(doc)


async def _import(sessionmaker, doc: dict[str, Any]) -> None:
    plan = validate_program(doc)
    async with sessionmaker() as session, session.begin():
        await import_program(session, plan)


def _other_program(slug: str, course: str, path: str, mime: str) -> dict[str, Any]:
    """Another program with lessons of its own (so it takes none of the first's) and one video."""
    doc = program_doc(slug)
    for week in doc["weeks"]:
        for index, lesson in enumerate(week["lessons"]):
            lesson.pop("video", None)
            lesson.update(course=course, slug=f"{slug}-{week['number']}-{index}", prerequisites=[])
    _video(doc, 0, 0, path, mime)
    return doc


async def test_the_importer_refuses_folders_shared_with_stored_videos(sessionmaker) -> None:
    # Another program stored an mp4; an HLS video over its folder would open it.
    await _import(sessionmaker, _other_program("other", "sql", "/shared/lesson.mp4", "video/mp4"))

    doc = program_doc()
    _video(doc, 0, 0, "/shared/master.m3u8", HLS)
    with pytest.raises(ContentRejected, match="shares a folder with the stored video"):
        await _import(sessionmaker, doc)

    # And the other way round: a stored HLS folder takes no new video.
    await _import(sessionmaker, _other_program("third", "charts", "/stream/master.m3u8", HLS))
    doc = program_doc()
    _video(doc, 0, 0, "/stream/sneaky.mp4", "video/mp4")
    with pytest.raises(ContentRejected, match=r"/stream/master\.m3u8"):
        await _import(sessionmaker, doc)
