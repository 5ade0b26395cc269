"""A circuit breaker: after repeated failures, stop calling for a while, then probe again.

A Redis that accepts connections and never answers costs the full socket timeout on every
cache call; the breaker turns that into one timeout per ``open_seconds`` window. Closed: calls
go through. Open: calls are skipped (callers fail open) until ``open_seconds`` pass. Half-open:
one call probes; its success closes the circuit, its failure opens it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self,
        *,
        failures_to_open: int = 3,
        open_seconds: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        on_change: Callable[[bool], None] | None = None,
    ) -> None:
        # Told True when the circuit opens and False when it closes again (the metrics gauge).
        self._on_change = on_change
        self._threshold = failures_to_open
        self._open_seconds = open_seconds
        self._monotonic = monotonic
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._monotonic() - self._opened_at >= self._open_seconds:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN

    def allow(self) -> bool:
        """Whether to make the call now (in half-open, only one probe at a time)."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def succeeded(self) -> None:
        was_open = self._opened_at is not None
        self._failures = 0
        self._opened_at = None
        self._probing = False
        if was_open and self._on_change is not None:
            self._on_change(False)

    def failed(self) -> None:
        self._probing = False
        self._failures += 1
        if self._opened_at is not None or self._failures >= self._threshold:
            was_open = self._opened_at is not None
            self._opened_at = self._monotonic()
            if not was_open and self._on_change is not None:
                self._on_change(True)
