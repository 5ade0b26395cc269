"""The ``DateTime`` scalar: ISO-8601 UTC instants ending in ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry


def serialize_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime reached the API")
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("DateTime needs a time zone (end with Z or an offset)")
    return parsed.astimezone(UTC)


# Passed to the schema as a scalar override for ``datetime``.
DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description="An ISO-8601 UTC instant ending in Z, e.g. 2027-03-01T14:00:00.000000Z.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)
