"""Readers for single values (strings, slugs, integers, times...) that report what is wrong.

Each reader returns the value, or None (or the default) after adding a problem, so one pass
over a document finds every mistake in it instead of stopping at the first.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from edxelera_gql.catalog.content.problems import Problems, join, type_name
from edxelera_gql.catalog.content.slugs import SLUG_MAX_LENGTH, SLUG_RE
from edxelera_gql.catalog.schedule import local_to_utc

# Column limits of catalog/models.py, checked here so a long value is a listed problem
# instead of a database error (MySQL) or a silent truncation.
INT_MAX = 2**31 - 1
TEXT_MAX = 16_000  # MySQL TEXT holds 65,535 bytes: 16,000 four-byte characters fit

# A date, a time, optional fractions and an optional offset; fromisoformat alone would also
# take bare dates and ISO week dates, which are too easy to write by mistake.
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")
_TIME_HINT = "expected a date and time such as 2027-03-01T09:00:00 (local) or 2027-03-01T08:00:00Z"

T = TypeVar("T")


class FieldReader:
    """The value readers, sharing the problem list and the program's time zone."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        # None while the program's zone is unknown: naive times then stay unresolved, so a bad
        # zone is one problem rather than one per time field.
        self.tz: str | None = None

    def problem(self, path: str, message: str) -> None:
        self.problems.add(path, message)

    def mapping(self, value: Any, path: str) -> dict[Any, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(path, f"expected a mapping, got {type_name(value)}")
        return None

    def sequence(self, data: Mapping[Any, Any], key: str, path: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.problem(join(path, key), f"expected a list, got {type_name(value)}")
        return []

    def items(
        self, data: Mapping[Any, Any], key: str, path: str, read: Callable[[Any, str], T]
    ) -> list[T]:
        """``read`` applied to each entry of the list at ``key``, with the entry's path."""
        return [
            read(item, f"{join(path, key)}[{i}]")
            for i, item in enumerate(self.sequence(data, key, path))
        ]

    def check_keys(self, data: Mapping[Any, Any], path: str, allowed: tuple[str, ...]) -> None:
        for key in data:
            if key in allowed:
                continue
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            suffix = f"; did you mean {hint[0]!r}?" if hint else f"; expected one of {allowed}"
            self.problem(join(path, str(key)), f"unknown key{suffix}")

    def string(
        self,
        data: Mapping[Any, Any],
        key: str,
        path: str,
        *,
        required: bool,
        max_len: int,
        default: str | None = None,
    ) -> str | None:
        value = data.get(key)
        where = join(path, key)
        if value is None:
            if required:
                self.problem(where, "is required")
            return default
        if not isinstance(value, str):
            self.problem(where, f"expected a string, got {type_name(value)}")
            return None
        if required and not value.strip():
            self.problem(where, "must not be empty")
            return None
        if len(value) > max_len:
            self.problem(where, f"must be at most {max_len} characters")
            return None
        return value

    def slug(self, data: Mapping[Any, Any], key: str, path: str, *, min_len: int = 1) -> str | None:
        value = self.string(data, key, path, required=True, max_len=SLUG_MAX_LENGTH)
        if value is None:
            return None
        if len(value) < min_len or not SLUG_RE.fullmatch(value):
            rule = f"{min_len}..100 characters" if min_len > 1 else "at most 100 characters"
            self.problem(join(path, key), f"must use only a-z, 0-9 and '-' ({rule})")
            return None
        return value

    def integer(
        self,
        data: Mapping[Any, Any],
        key: str,
        path: str,
        *,
        default: int | None,
        minimum: int = 0,
        maximum: int = INT_MAX,
        required: bool = False,
    ) -> int | None:
        value = data.get(key)
        where = join(path, key)
        if value is None:
            if required:
                self.problem(where, "is required")
            return default
        # bool is an int subclass in Python; `true` is never a number in this format.
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"expected an integer, got {type_name(value)}")
            return None
        if value < minimum:
            self.problem(where, "must not be negative" if minimum == 0 else f"must be >= {minimum}")
            return None
        if value > maximum:
            self.problem(where, f"must be at most {maximum}")
            return None
        return value

    def boolean(
        self, data: Mapping[Any, Any], key: str, path: str, *, default: bool
    ) -> bool | None:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(join(path, key), f"expected true or false, got {type_name(value)}")
            return None
        return value

    def choice(
        self, data: Mapping[Any, Any], key: str, path: str, options: tuple[str, ...]
    ) -> tuple[bool, str | None]:
        """(ok, value); value is None when omitted."""
        value = data.get(key)
        if value is None:
            return True, None
        if value not in options:
            self.problem(join(path, key), f"must be one of {', '.join(options)}")
            return False, None
        return True, value

    def time(
        self, data: Mapping[Any, Any], key: str, path: str, *, required: bool
    ) -> datetime | None:
        """The instant in UTC; None when missing, invalid or (zone unknown) unresolvable."""
        value = data.get(key)
        where = join(path, key)
        if value is None:
            if required:
                self.problem(where, "is required")
            return None
        parsed = _parse_time(value)
        if parsed is None:
            self.problem(where, _TIME_HINT)
            return None
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
        if self.tz is None:
            return None
        return local_to_utc(parsed, self.tz)

    def after(
        self, start: datetime | None, end: datetime | None, path: str, key: str, what: str
    ) -> None:
        """A problem at ``key`` when both times are known and ``end`` is not after ``start``."""
        if start is not None and end is not None and end <= start:
            self.problem(join(path, key), f"must be after {what}")


def _parse_time(value: Any) -> datetime | None:
    """The datetime written, naive when it has no offset; None when it is not one."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _TIME_RE.fullmatch(value.strip()):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
