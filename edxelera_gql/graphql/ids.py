"""Global object ids: opaque, unique across types, stable across releases.

An id is the unpadded URL-safe base64 of ``"<GraphQL type>:<key>[:<key>...]"``, as Relay
clients expect. Clients must treat them as opaque; `node(id:)` turns one back into its object.
ID arguments also take the plain numbers this API answered before global ids, so existing
clients keep working.
"""

from __future__ import annotations

import base64
import binascii

import strawberry

from edxelera_gql.errors import Code, DomainError

MAX_ID_LENGTH = 200


def global_id(type_name: str, *keys: int | str) -> strawberry.ID:
    raw = ":".join([type_name, *(str(key) for key in keys)])
    return strawberry.ID(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


def parse_global_id(value: str, arity: int = 1) -> tuple[str, list[str]] | None:
    """The type name and ``arity`` keys of an id this server made; None for anything else.
    The last key keeps any further colons (payment references are free text)."""
    if not value or len(value) > MAX_ID_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
    except (binascii.Error, ValueError, UnicodeError):
        return None
    type_name, _, rest = raw.partition(":")
    keys = rest.split(":", arity - 1)
    if not type_name.isidentifier() or len(keys) != arity or not all(keys):
        return None
    return type_name, keys


def type_of(value: str) -> str | None:
    parsed = parse_global_id(value)
    return parsed[0] if parsed else None


def positive_int(value: str) -> int | None:
    """A BIGINT primary key written by this server, or None."""
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number < 2**63 else None


def maybe_int_key(value: str, type_name: str) -> int | None:
    """The primary key behind an ID argument: a global id of ``type_name`` or a bare number."""
    number = positive_int(value.strip())
    if number is None:
        parsed = parse_global_id(value.strip())
        if parsed is not None and parsed[0] == type_name:
            number = positive_int(parsed[1][0])
    return number


def int_key(value: str, type_name: str, *, field: str) -> int:
    """The primary key behind an ID argument: a global id of ``type_name`` or a bare number.

    Anything else (another type's id, garbage) is refused as INVALID_INPUT naming ``field``.
    """
    number = maybe_int_key(value, type_name)
    if number is None:
        raise DomainError(Code.INVALID_INPUT, f"Not a {type_name} id.", field=field)
    return number
