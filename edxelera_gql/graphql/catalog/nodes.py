"""Catalog nodes: a program, course or week by id, visible exactly when `program(slug:)` is."""

from __future__ import annotations

from strawberry.types import Info

from edxelera_gql.catalog import loaders, locate, service
from edxelera_gql.catalog.locate import Locator, Place
from edxelera_gql.catalog.read_models import ProgramFacts
from edxelera_gql.graphql.catalog.types import Course, Program, WeekSummary
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.ids import positive_int
from edxelera_gql.graphql.node import node_resolver


async def visible_program(ctx: Context, place: Place | None) -> ProgramFacts | None:
    """The program at ``place`` if `program(slug:)` would show it to this viewer."""
    if place is None:
        return None
    async with ctx.sessionmaker() as session:
        program = await service.get_program(session, place.program_slug, include_unpublished=True)
    return program if sees_program(ctx, program) else None


def sees_program(ctx: Context, program: ProgramFacts | None) -> bool:
    """Published programs are public; an unpublished one is seen by its staff only."""
    if program is None:
        return False
    return program.published or (ctx.viewer is not None and ctx.viewer.is_staff_in(program.id))


async def place_of(ctx: Context, find: Locator, key: str) -> Place | None:
    """Where the object with primary key ``key`` lives; None for keys this server never made."""
    number = positive_int(key)
    if number is None:
        return None
    async with ctx.sessionmaker() as session:
        return await find(session, number)


@node_resolver("Program")
async def program_node(info: Info[Context, None], keys: list[str]) -> Program | None:
    program = await visible_program(
        info.context, await place_of(info.context, locate.program, keys[0])
    )
    return Program.from_facts(program) if program else None


@node_resolver("Course")
async def course_node(info: Info[Context, None], keys: list[str]) -> Course | None:
    ctx = info.context
    program = await visible_program(ctx, await place_of(ctx, locate.course, keys[0]))
    if program is None:
        return None
    courses = await ctx.loaders(loaders.courses_by_program).load(program.id)
    return next((Course.from_facts(c) for c in courses if str(c.id) == keys[0]), None)


@node_resolver("WeekSummary")
async def week_node(info: Info[Context, None], keys: list[str]) -> WeekSummary | None:
    ctx = info.context
    program = await visible_program(ctx, await place_of(ctx, locate.week, keys[0]))
    if program is None:
        return None
    weeks = await ctx.loaders(loaders.weeks_by_program).load(program.id)
    now = ctx.now()
    return next((WeekSummary.from_facts(w, now) for w in weeks if str(w.id) == keys[0]), None)
