"""A repeated document is validated once: the limit rules must not defeat the cache."""

from __future__ import annotations

from unittest import mock

import graphql

from edxelera_gql.graphql.schema import build_schema


async def test_repeated_document_is_validated_once() -> None:
    schema = build_schema()
    calls = 0
    real = graphql.validate

    def counting(*args, **kwargs):
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    with mock.patch("strawberry.schema.schema.validate", counting):
        for _ in range(5):
            # No context: execution fails, but validation has run (or been reused) by then.
            await schema.execute("query Cached { __typename }")
    assert calls == 1
