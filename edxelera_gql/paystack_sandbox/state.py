"""The sandbox's in-memory ledger: transactions, webhook deliveries, injected faults, calls."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def iso(value: datetime | None) -> str | None:
    """Paystack's timestamp format: UTC, milliseconds, a ``Z`` suffix."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class SandboxTransaction:
    id: int
    reference: str
    access_code: str
    email: str
    amount: int
    currency: str
    callback_url: str | None
    metadata: Any
    created_at: datetime
    # Paystack reports a transaction nobody completed as "abandoned".
    status: str = "abandoned"
    paid_amount: int | None = None
    paid_at: datetime | None = None
    channel: str = "card"
    canceled: bool = False


@dataclass
class Fault:
    status: int | None = None
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class Delivery:
    event: str
    reference: str
    status_code: int | None
    error: str | None = None


@dataclass
class Ledger:
    """Everything a test may reset at once; ids are not here so they never repeat in a run."""

    transactions: dict[str, SandboxTransaction] = field(default_factory=dict)
    # access code (the checkout link) -> reference
    by_code: dict[str, str] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    faults: dict[str, Fault] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, tx: SandboxTransaction) -> None:
        self.transactions[tx.reference] = tx
        self.by_code[tx.access_code] = tx.reference

    def by_access_code(self, code: str) -> SandboxTransaction | None:
        reference = self.by_code.get(code)
        return self.transactions.get(reference) if reference else None

    def find(self, key: str) -> SandboxTransaction | None:
        """By reference or by numeric id: Paystack's refund accepts either."""
        return self.transactions.get(key) or next(
            (t for t in self.transactions.values() if str(t.id) == key), None
        )
