"""JSON for frozen dataclasses (read models in the cache), typed back on the way in.

``dumps`` writes dataclasses as objects, datetimes as ISO 8601, decimals as strings and enums
by value; ``loads`` rebuilds the declared types from the class's annotations, so a cached
read model comes back exactly as it was built.
"""

from __future__ import annotations

import dataclasses
import json
import types
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(_plain(value), separators=(",", ":"))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _build(tp: Any, data: Any) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        if data is None:
            return None
        (inner,) = [a for a in get_args(tp) if a is not type(None)]
        return _build(inner, data)
    if origin is tuple:
        return tuple(_build(get_args(tp)[0], v) for v in data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{f.name: _build(hints[f.name], data[f.name]) for f in dataclasses.fields(tp)})
    if tp is datetime:
        return datetime.fromisoformat(data)
    if tp is Decimal:
        return Decimal(data)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    return data


def loads(cls: type[T], text: str | bytes) -> T:
    built: T = _build(cls, json.loads(text))
    return built
