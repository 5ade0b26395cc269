"""When a pending payment is asked about: 15 minutes after checkout, then with backoff."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from edxelera_gql.enrollment.rules import RECONCILE_STEPS, reconcile_step

OPENED = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "step"),
    [
        (timedelta(0), None),
        (timedelta(minutes=14, seconds=59), None),
        (timedelta(minutes=15), 0),
        (timedelta(minutes=29), 0),
        (timedelta(minutes=30), 1),
        (timedelta(hours=1), 2),
        (timedelta(hours=23), 5),
        (timedelta(hours=24), 6),
        (timedelta(hours=48), 7),
        (timedelta(hours=49), 7),
        (timedelta(hours=49, seconds=1), None),
    ],
)
def test_the_step_due_grows_with_age_and_stops_after_the_window(age, step) -> None:
    assert reconcile_step(OPENED, OPENED + age) == step


def test_the_steps_back_off() -> None:
    gaps = [b - a for a, b in itertools.pairwise(RECONCILE_STEPS)]
    assert all(later >= earlier for earlier, later in itertools.pairwise(gaps))
