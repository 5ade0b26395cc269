"""Builds discussion rows directly (threads, posts, replies, pins) for tests that need many
posts shaped a certain way; posts written by users go through the API instead."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.auth.models import Role, User, UserRole
from edxelera_gql.discussion.models import DiscussionPost, DiscussionThread

# GraphQL documents shared by the discussion API tests.
THREAD = """
query($slug: String!, $week: Int!, $first: Int, $after: String) {
  discussionThread(programSlug: $slug, weekNumber: $week) {
    id weekNumber title program { slug }
    posts(first: $first, after: $after) {
      edges { cursor node { id body isPinned pinnedAt createdAt parentId replyCount } }
      pageInfo { endCursor hasNextPage }
    }
  }
}"""


def thread_page(first: int, replies: int) -> str:
    """A page of posts with authors, pins and their first replies, as the frontend renders it.

    Page sizes are literals: with variables the cost limit assumes 100 at each level.
    """
    return _THREAD_PAGE.replace("FIRST", str(first)).replace("REPLIES", str(replies))


_THREAD_PAGE = """
query($slug: String!, $week: Int!, $after: String) {
  discussionThread(programSlug: $slug, weekNumber: $week) {
    id weekNumber title program { slug title }
    posts(first: FIRST, after: $after) {
      edges {
        cursor
        node {
          id body createdAt updatedAt isPinned pinnedAt parentId replyCount
          author { id fullName isStaff }
          pinnedBy { id fullName isStaff }
          replies(first: REPLIES) {
            nodes { id body createdAt parentId replyCount author { id fullName isStaff } }
            pageInfo { endCursor hasNextPage }
          }
        }
      }
      pageInfo { endCursor hasNextPage }
    }
  }
}"""


CREATE_POST = """
mutation($slug: String!, $week: Int!, $body: String!) {
  createPost(input: {programSlug: $slug, weekNumber: $week, body: $body}) {
    post { id body parentId isPinned createdAt updatedAt replyCount author { id fullName isStaff } }
    errors { code message field retryAfterSeconds }
  }
}"""

REPLY = """
mutation($postId: ID!, $body: String!) {
  replyToPost(input: {postId: $postId, body: $body}) {
    post { id body parentId createdAt author { id fullName isStaff } }
    errors { code message field retryAfterSeconds }
  }
}"""

PIN = """
mutation($postId: ID!, $pinned: Boolean!) {
  setPinnedPost(input: {postId: $postId, pinned: $pinned}) {
    post { id isPinned pinnedAt updatedAt pinnedBy { id fullName isStaff } }
    errors { code message field }
  }
}"""


async def make_user(
    session: AsyncSession, *, full_name: str, roles: Sequence[str] = ("student",)
) -> User:
    """A user row without a session, for service tests that need authors."""
    user = User(
        email=f"author-{secrets.token_hex(6)}@example.com",
        full_name=full_name,
        password_hash="!unusable",
    )
    session.add(user)
    await session.flush()
    role_ids = (await session.scalars(select(Role.id).where(Role.name.in_(roles)))).all()
    session.add_all(UserRole(user_id=user.id, role_id=r) for r in role_ids)
    await session.flush()
    return user


async def make_thread(
    session: AsyncSession, *, cohort_id: int, week_number: int = 1, title: str = "Week 1"
) -> DiscussionThread:
    thread = DiscussionThread(cohort_id=cohort_id, week_number=week_number, title=title)
    session.add(thread)
    await session.flush()
    return thread


async def add_posts(
    session: AsyncSession,
    *,
    thread_id: int,
    author_ids: Sequence[int],
    count: int,
    start: datetime,
    step: timedelta = timedelta(seconds=1),
    parent_post_id: int | None = None,
    body_prefix: str = "post",
) -> list[DiscussionPost]:
    """``count`` posts, authors taken in turn, created ``step`` apart from ``start``
    (a zero step makes them tie on time, leaving the order to the id)."""
    posts = []
    for i in range(count):
        at = start + step * i
        post = DiscussionPost(
            thread_id=thread_id,
            author_user_id=author_ids[i % len(author_ids)],
            parent_post_id=parent_post_id,
            body=f"{body_prefix} {i}",
            is_pinned=False,
            created_at=at,
            updated_at=at,
        )
        session.add(post)
        posts.append(post)
    await session.flush()
    return posts


def pin(post: DiscussionPost, *, by_user_id: int, at: datetime) -> None:
    post.is_pinned = True
    post.pinned_by_user_id = by_user_id
    post.pinned_at_utc = at
