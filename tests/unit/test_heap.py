"""A served app freezes its long-lived heap at start-up: full collections skip it."""

from __future__ import annotations

import gc

from edxelera_gql.app import create_app
from edxelera_gql.infra import heap


def test_settle_moves_survivors_out_of_the_collectors_reach() -> None:
    try:
        kept = [object() for _ in range(1000)]
        heap.settle()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()  # the rest of the suite runs with a normal collector


async def test_only_a_served_app_settles_its_heap(settings) -> None:
    gc.unfreeze()
    app = create_app(settings, setup_logging=False)
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0
    served = create_app(settings, setup_logging=False, settle_heap=True)
    try:
        async with served.router.lifespan_context(served):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
