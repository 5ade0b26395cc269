"""Jobs in tests: the same ``JobContext`` the worker and the in-process scheduler build, over
the test app's database, cache, Paystack client and storage."""

from __future__ import annotations

from starlette.applications import Starlette

from edxelera_gql.jobs.context import JobContext
from edxelera_gql.jobs.queue import InlineQueue


def inline_context(app: Starlette) -> JobContext:
    """What ``serve`` runs the schedule with in development: jobs queue each other inline."""
    state = app.state
    queue = InlineQueue(state.cache)
    jc = JobContext(
        state.settings, state.sessionmaker, state.cache, state.paystack, state.storage,
        state.clock, queue,
    )  # fmt: skip
    queue.context = jc
    return jc
