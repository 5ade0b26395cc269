"""GraphQL types of discussions: threads, posts and their authors, the mutation payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from edxelera_gql.discussion import listings, loaders, threads
from edxelera_gql.discussion.loaders import ThreadSummary
from edxelera_gql.discussion.rows import AuthorRow, PostKey, PostRow, ReplyKey
from edxelera_gql.errors import Code, DomainError
from edxelera_gql.graphql.catalog.types import Program
from edxelera_gql.graphql.connections import (
    AFTER,
    FIRST,
    Connection,
    PageInfo,
    build_connection,
    decode_cursor,
    page_size,
)
from edxelera_gql.graphql.context import Context
from edxelera_gql.graphql.descriptions import (
    PAYLOAD_ERRORS,
    POST_BODY,
    POST_ID,
    PROGRAM_SLUG,
    STAFF,
    WEEK_NUMBER,
)
from edxelera_gql.graphql.errors import UserError
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.node import Node


@strawberry.type(
    description="A week's discussion at a glance, readable like its week's weekHub. Until "
    "someone opens the thread, and for students until the week is released, `threadId` is "
    "null and there are no posts."
)
class DiscussionSummary(Node):
    id: strawberry.ID = strawberry.field(
        description="Stable per program week, even before the thread exists: `node(id:)` "
        "answers this summary again, checked like its week's weekHub."
    )
    thread_id: strawberry.ID | None = strawberry.field(
        description="`DiscussionThread.id`, for `node(id:)`; null while the thread does not "
        "exist or is hidden. discussionThread opens it by program and week."
    )
    post_count: int = strawberry.field(
        description="Posts in the thread, replies included; 0 while there is no thread."
    )
    last_post_at: datetime | None = strawberry.field(
        description="When the newest post or reply was written; null without posts."
    )

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


@strawberry.type(
    description="Who wrote (or pinned) a post: a name and whether staff, never the email."
)
class Author:
    id: strawberry.ID = strawberry.field(
        description="Stable per person (not a node: fetch posts, not authors)."
    )
    full_name: str = strawberry.field(description="The name as the person entered it.")
    is_staff: bool = strawberry.field(
        description="Staff of the post's program (an instructor or teaching assistant "
        "assigned to it) or an admin: show it (e.g. a badge) beside their posts."
    )

    @classmethod
    def from_row(cls, row: AuthorRow) -> Author:
        return cls(id=global_id("Author", row.id), full_name=row.full_name, is_staff=row.is_staff)


async def _author(info: Info[Context, None], user_id: int, thread_id: int) -> Author:
    row = await info.context.loaders(loaders.authors_by_id).load((user_id, thread_id))
    if row is None:  # posts reference users by foreign key: only a broken database gets here
        raise DomainError(Code.NOT_FOUND, "Author not found.")
    return Author.from_row(row)


@strawberry.type(
    description="A top-level post of a week's thread, or a reply to one (replies are one "
    "level deep). Readable by whoever may read its thread."
)
class Post(Node):
    body: str = strawberry.field(
        description="As written (trimmed, Unicode NFC), plain text: the frontend escapes it."
    )
    created_at: datetime = strawberry.field(description="When it was written.")
    updated_at: datetime = strawberry.field(
        description="When it last changed (pinning and unpinning count)."
    )
    is_pinned: bool = strawberry.field(
        description="Pinned by staff: listed before the other posts. Replies are never pinned."
    )
    pinned_at: datetime | None = strawberry.field(
        description="When it was pinned; null when not pinned."
    )
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

    @strawberry.field(description="Who wrote it.")
    async def author(self, info: Info[Context, None]) -> Author:
        return await _author(info, self.row.author_user_id, self.row.thread_id)

    @strawberry.field(description="Who pinned it; null when not pinned.")
    async def pinned_by(self, info: Info[Context, None]) -> Author | None:
        if self.row.pinned_by_user_id is None:
            return None
        return await _author(info, self.row.pinned_by_user_id, self.row.thread_id)

    @strawberry.field(description="Replies to this post (always 0 for a reply).")
    async def reply_count(self, info: Info[Context, None]) -> int:
        if self.row.parent_post_id is not None:
            return 0  # replies attach to top-level posts only
        return await info.context.loaders(loaders.reply_count_by_post).load(self.row.id)

    @strawberry.field(
        description="Replies, oldest first (always empty for a reply); stays correct while "
        "replies are added."
    )
    async def replies(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
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


@strawberry.type(
    description="The discussion of one program week: one thread per week, made the first "
    "time someone allowed to read it asks. Readable and writable by students with an ACTIVE "
    f"enrollment once the week is released, and by {STAFF} always."
)
class DiscussionThread(Node):
    week_number: int = strawberry.field(description="The week it belongs to.")
    title: str = strawberry.field(description="The week's number and title, as in 'Week 2: Joins'.")
    program: Program = strawberry.field(description="The program it belongs to.")
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
        description="Top-level posts: pinned first (newest pin first), then newest first; "
        "stays correct while posts are added. Replies are under each post's `replies`."
    )
    async def posts(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
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


@strawberry.input(description="A new top-level post in a week's discussion.")
class CreatePostInput:
    program_slug: str = strawberry.field(description=PROGRAM_SLUG)
    week_number: int = strawberry.field(description=WEEK_NUMBER)
    body: str = strawberry.field(description=POST_BODY)


@strawberry.input(description="A reply to a post.")
class ReplyToPostInput:
    post_id: strawberry.ID = strawberry.field(
        description=f"The post to reply to: {POST_ID} A reply to a reply is attached to its "
        "top-level post."
    )
    body: str = strawberry.field(description=POST_BODY)


@strawberry.input(description="The post to pin or unpin.")
class SetPinnedPostInput:
    post_id: strawberry.ID = strawberry.field(description=f"A top-level post: {POST_ID}")
    pinned: bool = strawberry.field(description="True to pin the post, false to unpin it.")


@strawberry.type(description="What createPost, replyToPost and setPinnedPost answer.")
class PostPayload:
    post: Post | None = strawberry.field(default=None, description="The post as it now stands.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=PAYLOAD_ERRORS)
