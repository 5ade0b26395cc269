"""Persisted queries: Apollo's automatic protocol, and an optional allow-list.

Automatic (APQ): the client sends `extensions.persistedQuery {version: 1, sha256Hash}` alone;
an unknown hash answers PERSISTED_QUERY_NOT_FOUND and the client sends the hash with the query,
which is checked and kept in the shared cache (Redis across workers) for `APQ_TTL_SECONDS`.

Allow-list (`GRAPHQL_PERSISTED_QUERIES_ONLY`): only the documents of an Apollo persisted-query
manifest run, by hash or by full text; registration is off, so nobody can add to the list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from edxelera_gql.errors import Code
from edxelera_gql.graphql.operations import RequestError
from edxelera_gql.infra.cache import Cache

KEY_PREFIX = "edx:apq:"


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def load_manifest(path: str) -> dict[str, str]:
    """hash -> document, from `@apollo/generate-persisted-query-manifest`'s JSON format."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != "apollo-persisted-query-manifest":
        raise ValueError(f"{path}: not an Apollo persisted-query manifest")
    documents: dict[str, str] = {}
    for operation in data.get("operations", []):
        body = operation["body"]
        if operation.get("id", sha256_hex(body)) != sha256_hex(body):
            raise ValueError(f"{path}: operation {operation.get('name')} has the wrong id")
        documents[sha256_hex(body)] = body
    return documents


def _requested_hash(extensions: Mapping[str, Any] | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise RequestError(400, Code.BAD_REQUEST, "Unsupported persistedQuery version.")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise RequestError(400, Code.BAD_REQUEST, "persistedQuery needs a sha256Hash.")
    return digest.lower()


def _not_found() -> RequestError:
    # Apollo's link retries with the full query on this exact message or code, status 200.
    return RequestError(200, Code.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")


class PersistedQueries:
    def __init__(self, *, ttl_seconds: int, allow_list: Mapping[str, str] | None = None) -> None:
        self.ttl_seconds = ttl_seconds
        self.allow_list = dict(allow_list) if allow_list is not None else None

    async def resolve(
        self, query: str | None, extensions: Mapping[str, Any] | None, cache: Cache
    ) -> str:
        """The document to run, or a RequestError saying what the client must do."""
        digest = _requested_hash(extensions)
        if self.allow_list is not None:
            return self._allowed(query, digest)
        if digest is None:
            if query is None:
                raise RequestError(400, Code.BAD_REQUEST, "The request has no `query`.")
            return query
        if query is None:
            stored = await cache.get(KEY_PREFIX + digest)
            if stored is None:
                raise _not_found()
            return stored.decode()
        if sha256_hex(query) != digest:
            raise RequestError(
                400, Code.PERSISTED_QUERY_HASH_MISMATCH, "The sha256Hash does not match the query."
            )
        await cache.set(KEY_PREFIX + digest, query, self.ttl_seconds)
        return query

    def _allowed(self, query: str | None, digest: str | None) -> str:
        assert self.allow_list is not None
        if query is not None:
            if digest is not None and sha256_hex(query) != digest:
                raise RequestError(
                    400,
                    Code.PERSISTED_QUERY_HASH_MISMATCH,
                    "The sha256Hash does not match the query.",
                )
            digest = sha256_hex(query)
            if digest not in self.allow_list:
                raise RequestError(
                    400, Code.PERSISTED_QUERY_REQUIRED, "This server runs only persisted queries."
                )
        if digest is None:
            raise RequestError(400, Code.BAD_REQUEST, "The request has no `query`.")
        document = self.allow_list.get(digest)
        if document is None:
            raise _not_found()
        return document
