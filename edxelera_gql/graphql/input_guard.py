"""Refuses text no database can store, once per operation and before any resolver runs.

JSON and GraphQL string escapes can carry lone UTF-16 surrogates ("\\ud800"); Python keeps them
in a ``str``, and they fail only when a driver encodes them, deep in a resolver, as an internal
error. Every string of the document and of its variables is checked here instead, so the
client gets INVALID_INPUT whatever argument carried it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from edxelera_gql.errors import Code, DomainError


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _values_ok(value: Any) -> bool:
    if isinstance(value, str):
        return _encodable(value)
    if isinstance(value, dict):
        return all(_values_ok(k) and _values_ok(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_values_ok(v) for v in value)
    return True


class _Strings(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.ok = True

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if not _encodable(node.value):
            self.ok = False


class RefuseUnstorableText(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        strings = _Strings()
        if context.graphql_document is not None:
            visit(context.graphql_document, strings)
        if not strings.ok or not _values_ok(context.variables or {}):
            raise DomainError(
                Code.INVALID_INPUT, "Text must be valid Unicode (it holds a lone surrogate)."
            )
        yield
