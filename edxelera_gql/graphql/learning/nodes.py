"""Learning nodes by id, each loaded through the root field that exposes it (`programHome`,
`weekHub`, `courseProgress`), so the same enrollment and release rules apply."""

from __future__ import annotations

from strawberry.types import Info

from edxelera_gql.catalog import locate
from edxelera_gql.graphql.catalog.nodes import place_of
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.discussion.types import DiscussionSummary
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.learning.queries import course_progress_of, program_home_of, week_hub_of
from edxelera_gql.graphql.learning.types import (
    Assignment,
    CourseProgress,
    LessonItem,
    LiveSession,
    ProgramHome,
    WeekHub,
)
from edxelera_gql.graphql.node import node_resolver


async def _hub(ctx: Context, find: locate.Locator, key: str) -> WeekHub | None:
    place = await place_of(ctx, find, key)
    if place is None or place.week_number is None:
        return None
    return await week_hub_of(ctx, place.program_slug, place.week_number)


@node_resolver("ProgramHome")
async def program_home_node(info: Info[Context, None], keys: list[str]) -> ProgramHome | None:
    place = await place_of(info.context, locate.program, keys[0])
    return await program_home_of(info.context, place.program_slug) if place else None


@node_resolver("WeekHub")
async def week_hub_node(info: Info[Context, None], keys: list[str]) -> WeekHub | None:
    return await _hub(info.context, locate.week, keys[0])


@node_resolver("Assignment")
async def assignment_node(info: Info[Context, None], keys: list[str]) -> Assignment | None:
    hub = await _hub(info.context, locate.week, keys[0])
    return hub.assignment if hub else None


@node_resolver("LiveSession")
async def live_session_node(info: Info[Context, None], keys: list[str]) -> LiveSession | None:
    hub = await _hub(info.context, locate.week, keys[0])
    return hub.live_session if hub else None


@node_resolver("DiscussionSummary")
async def discussion_summary_node(
    info: Info[Context, None], keys: list[str]
) -> DiscussionSummary | None:
    hub = await _hub(info.context, locate.week, keys[0])
    return await hub.discussion(info) if hub else None


@node_resolver("LessonItem")
async def lesson_node(info: Info[Context, None], keys: list[str]) -> LessonItem | None:
    hub = await _hub(info.context, locate.lesson, keys[0])
    if hub is None:
        return None
    wanted = global_id("LessonItem", keys[0])
    return next((lesson for lesson in hub.lessons if lesson.id == wanted), None)


@node_resolver("CourseProgress")
async def course_progress_node(info: Info[Context, None], keys: list[str]) -> CourseProgress | None:
    place = await place_of(info.context, locate.course, keys[0])
    if place is None or place.course_slug is None:
        return None
    return await course_progress_of(info.context, place.course_slug)
