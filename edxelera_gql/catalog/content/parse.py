"""Document text into plain values (dicts, lists, strings, numbers); no rule is checked here."""

from __future__ import annotations

import json
from typing import Any

import yaml

from edxelera_gql.catalog.content.problems import ContentRejected, Problem

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContentLoader(_BaseLoader):  # type: ignore[valid-type, misc]
    """SafeLoader that keeps timestamps as strings and refuses duplicate keys.

    Times must stay text: whether a value carries an offset decides what it means, and PyYAML
    would turn both forms into datetimes (the offset form converted to naive UTC).
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _value in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue
            ident = (key_node.tag, key_node.value)
            if ident in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key_node.value!r}",
                    key_node.start_mark,
                )
            seen.add(ident)
        return super().construct_mapping(node, deep=deep)


_ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of duplicated keys silently; YAML refuses them, so does JSON.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_document(text: str, *, filename: str = "") -> Any:
    """YAML (or JSON when ``filename`` ends in ``.json``) into plain values; times stay strings."""
    if filename.lower().endswith(".json"):
        try:
            return json.loads(text, object_pairs_hook=_json_object)
        except json.JSONDecodeError as exc:
            message = f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            raise ContentRejected([Problem("", message)]) from exc
        except ValueError as exc:
            raise ContentRejected([Problem("", f"invalid JSON: {exc}")]) from exc
    try:
        return yaml.load(text, Loader=_ContentLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise ContentRejected([Problem("", f"invalid YAML: {message}")]) from exc
