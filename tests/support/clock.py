"""A clock the tests can set and move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeMonotonic:
    """A monotonic clock the tests move by setting ``now``."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class MovableClock:
    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2027, 1, 15, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("aware datetimes only")
        self._now = now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)
