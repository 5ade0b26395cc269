"""What a refused document reports: each broken rule with its path, collected in order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from edxelera_gql.errors import Code, DomainError


@dataclass(frozen=True)
class Problem:
    """One broken rule: where in the document (``weeks[2].lessons[0].course``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ContentRejected(DomainError):
    """The document was refused as a whole (INVALID_INPUT); ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(Code.INVALID_INPUT, "\n".join(str(p) for p in self.problems))


class Problems:
    """The problems found so far; they are reported in the order they were found."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(Problem(path, message))

    def __bool__(self) -> bool:
        return bool(self.found)

    def rejected(self) -> ContentRejected:
        return ContentRejected(self.found)


def join(path: str, key: str) -> str:
    """The path of ``key`` inside ``path``; the root has the empty path."""
    return f"{path}.{key}" if path else key


def type_name(value: Any) -> str:
    """A value's type as the format's documentation names it, for messages."""
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "mapping",
    }.get(type(value), type(value).__name__)
