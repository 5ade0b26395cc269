"""Property-based fuzz: operations generated from the schema, anonymous and signed in.

Any 5xx, any INTERNAL_SERVER_ERROR, or an answer that breaks the GraphQL response shape fails.
A bounded run is part of the suite: FUZZ_EXAMPLES operations (3/5 queries, 2/5 mutations),
1,000 by default on MariaDB (the CI run that counts) and 300 on the embedded SQLite run, whose
database code paths the MariaDB run already fuzzes. FUZZ_EXAMPLES=20000 makes a long run.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import hypothesis_graphql
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from edxelera_gql.app import create_app
from edxelera_gql.graphql.schema import build_schema, schema_sdl

DEFAULT_EXAMPLES = "1000" if os.environ.get("TEST_DATABASE_URL") else "300"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
SDL = schema_sdl()
# Every root field of the schema, split by kind (a new one is fuzzed without a change here).
_ROOT = build_schema()._schema
QUERIES = tuple(_ROOT.query_type.fields)
MUTATIONS = tuple(_ROOT.mutation_type.fields)


def _check(response: Any, seen: Counter[str]) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        seen[f"http {response.status_code}"] += 1
        return
    body = response.json()
    assert isinstance(body, dict)
    assert set(body) <= {"data", "errors", "extensions"}, body
    assert "data" in body or "errors" in body, body
    for error in body.get("errors") or []:
        assert isinstance(error.get("message"), str), error
        code = (error.get("extensions") or {}).get("code")
        assert code, error
        assert code != "INTERNAL_SERVER_ERROR", error
        seen[code] += 1
    for payload in (body.get("data") or {}).values():
        for error in (payload or {}).get("errors", []) if isinstance(payload, dict) else []:
            seen[f"user:{error.get('code', '?')}"] += 1
    if not body.get("errors"):
        seen["ok"] += 1


def test_generated_operations_never_reach_an_internal_error(settings, clock) -> None:
    app = create_app(settings, clock=clock, setup_logging=False)
    seen: Counter[str] = Counter()
    with TestClient(app) as client:
        signed_up = client.post(
            "/graphql",
            json={
                "query": 'mutation { signUp(input: {email: "fuzz@example.com", '
                'password: "password1", fullName: "Fuzz"}) { accessToken } }'
            },
        ).json()
        token = signed_up["data"]["signUp"]["accessToken"]
        viewers = st.sampled_from([{}, {"authorization": f"Bearer {token}"}])

        def run(fields: tuple[str, ...], examples: int) -> None:
            @hypothesis_settings(
                max_examples=examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(query=hypothesis_graphql.from_schema(SDL, fields=fields), headers=viewers)
            def operation(query: str, headers: dict[str, str]) -> None:
                seen["sent"] += 1
                _check(client.post("/graphql", json={"query": query}, headers=headers), seen)

            operation()

        run(tuple(QUERIES), EXAMPLES * 3 // 5)
        run(tuple(MUTATIONS), EXAMPLES * 2 // 5)
    print(f"\nfuzz: {seen['sent']} operations, outcomes {dict(seen.most_common())}")
    assert seen["sent"] >= EXAMPLES
