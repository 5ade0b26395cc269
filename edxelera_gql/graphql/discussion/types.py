"""GraphQL types of discussions: threads, posts and their authors, the mutation payloads."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from edxelera_gql.discussion import listings, loaders, threads
from edxelera_gql.discussion.loaders import ThreadSummary
from edxelera_gql.discussion.rows import AuthorRow, PostKey, PostRow, ReplyKey
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.graphql.catalog.types import Program
from edxelera_gql.graphql.connections import (
    Connection,
    PageInfo,
    build_connection,
    decode_cursor,
    page_size,
)
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.errors import UserError
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node


@strawberry.type(description="A week's discussion at a glance (no thread yet: id null, 0 posts).")
class DiscussionSummary(Node):
    id: strawberry.ID = strawberry.field(
        description="Stable per program week (the thread may not exist yet)."
    )
    thread_id: strawberry.ID | None
    post_count: int
    last_post_at: datetime | None

    @classmethod
    def from_summary(cls, summary: ThreadSummary, week_id: int) -> DiscussionSummary:
        return cls(
            id=global_id("DiscussionSummary", week_id),
            thread_id=global_id("DiscussionThread", summary.thread_id)
            if summary.thread_id
            else None,
            post_count=summary.post_count,
            last_post_at=summary.last_post_at,
        )


# -- cursors: the ordering columns of the last row, with the id as tie-breaker ----------------


def _malformed() -> DomainError:
    return DomainError(Code.INVALID_INPUT, "Malformed cursor.", field="after")


def _instant(value: object) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise _malformed() from exc
    if parsed.tzinfo is None:
        raise _malformed()
    return parsed


def _post_id(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _malformed()
    return value


def post_cursor(post: PostRow) -> tuple[str, str, int]:
    key = PostKey.of(post)
    return ("p" if key.pinned else "u", key.at.isoformat(), key.id)


def parse_post_cursor(cursor: str | None) -> PostKey | None:
    if cursor is None:
        return None
    segment, at, post_id = decode_cursor(cursor, 3)
    if segment not in ("p", "u"):
        raise _malformed()
    return PostKey(pinned=segment == "p", at=_instant(at), id=_post_id(post_id))


def reply_cursor(post: PostRow) -> tuple[str, int]:
    key = ReplyKey.of(post)
    return (key.at.isoformat(), key.id)


def parse_reply_cursor(cursor: str | None) -> ReplyKey | None:
    if cursor is None:
        return None
    at, post_id = decode_cursor(cursor, 2)
    return ReplyKey(at=_instant(at), id=_post_id(post_id))


# -- types -----------------------------------------------------------------------------------


@strawberry.type(description="Who wrote a post: a name and whether staff, never the email.")
class Author:
    id: strawberry.ID = strawberry.field(
        description="Stable per person (not a node: fetch posts, not authors)."
    )
    full_name: str
    is_staff: bool = strawberry.field(description="An instructor or admin.")

    @classmethod
    def from_row(cls, row: AuthorRow) -> Author:
        return cls(id=global_id("Author", row.id), full_name=row.full_name, is_staff=row.is_staff)


async def _author(info: Info[Context, None], user_id: int) -> Author:
    row = await info.context.loaders(loaders.authors_by_id).load(user_id)
    if row is None:  # posts reference users by foreign key: only a broken database gets here
        raise DomainError(Code.NOT_FOUND, "Author not found.")
    return Author.from_row(row)


@strawberry.type(description="A top-level post of a week's thread, or a reply to one.")
class Post(Node):
    body: str = strawberry.field(description="As written, trimmed; the frontend escapes it.")
    created_at: datetime
    updated_at: datetime
    is_pinned: bool
    pinned_at: datetime | None
    parent_id: strawberry.ID | None = strawberry.field(
        description="The top-level post this replies to; null for top-level posts."
    )
    row: strawberry.Private[PostRow]

    @classmethod
    def from_row(cls, row: PostRow) -> Post:
        return cls(
            id=global_id("Post", row.id),
            body=row.body,
            created_at=row.created_at,
            updated_at=row.updated_at,
            is_pinned=row.is_pinned,
            pinned_at=row.pinned_at_utc,
            parent_id=global_id("Post", row.parent_post_id) if row.parent_post_id else None,
            row=row,
        )

    @strawberry.field
    async def author(self, info: Info[Context, None]) -> Author:
        return await _author(info, self.row.author_user_id)

    @strawberry.field(description="Who pinned it; null when not pinned.")
    async def pinned_by(self, info: Info[Context, None]) -> Author | None:
        if self.row.pinned_by_user_id is None:
            return None
        return await _author(info, self.row.pinned_by_user_id)

    @strawberry.field(description="Replies to this post (always 0 for a reply).")
    async def reply_count(self, info: Info[Context, None]) -> int:
        if self.row.parent_post_id is not None:
            return 0  # replies attach to top-level posts only
        return await info.context.loaders(loaders.reply_count_by_post).load(self.row.id)

    @strawberry.field(description="Replies, oldest first (always empty for a reply).")
    async def replies(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> Connection[Post]:
        limit = page_size(first)
        key = parse_reply_cursor(after)
        if self.row.parent_post_id is not None:
            return Connection(edges=[], page_info=PageInfo(end_cursor=None, has_next_page=False))
        if key is None:
            # The first page of every post on a page is read in one batch.
            rows = await info.context.loaders(loaders.first_replies_by_post).load(
                (self.row.id, limit + 1)
            )
        else:
            async with info.context.sessionmaker() as session:
                rows = await listings.list_replies(
                    session, parent_id=self.row.id, limit=limit + 1, after_key=key
                )
        return build_connection(
            rows, limit, cursor_of=reply_cursor, node_of=Post.from_row, after=after
        )


@strawberry.type(description="The discussion of one program week.")
class DiscussionThread(Node):
    week_number: int
    title: str
    program: Program
    thread_id: strawberry.Private[int]

    @classmethod
    def from_open(cls, opened: threads.OpenThread) -> DiscussionThread:
        return cls(
            id=global_id("DiscussionThread", opened.thread.id),
            week_number=opened.thread.week_number,
            title=opened.thread.title,
            program=Program.from_facts(opened.program),
            thread_id=opened.thread.id,
        )

    @strawberry.field(
        description="Top-level posts: pinned first (newest pin first), then newest first."
    )
    async def posts(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> Connection[Post]:
        limit = page_size(first)
        key = parse_post_cursor(after)
        async with info.context.sessionmaker() as session:
            rows = await listings.list_posts(
                session, thread_id=self.thread_id, limit=limit + 1, after_key=key
            )
        return build_connection(
            rows, limit, cursor_of=post_cursor, node_of=Post.from_row, after=after
        )


@strawberry.input
class CreatePostInput:
    program_slug: str
    week_number: int
    body: str


@strawberry.input
class ReplyToPostInput:
    post_id: strawberry.ID = strawberry.field(
        description="A top-level post; a reply to a reply is attached to its top-level post."
    )
    body: str


@strawberry.input
class SetPinnedPostInput:
    post_id: strawberry.ID
    pinned: bool


@strawberry.type
class PostPayload:
    post: Post | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
