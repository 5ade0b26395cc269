"""GraphQL over HTTP as real clients speak it: Apollo's exact request shapes, GET queries,
automatic persisted queries, the response media type and its status codes, JSON refusals."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from edxelera_gql.app import create_app
from edxelera_gql.settings import Settings
from tests.support.factories import make_program
from tests.support.users import create_account

GRAPHQL_RESPONSE = "application/graphql-response+json"
# What Apollo Client's HttpLink sends on every request.
APOLLO_HEADERS = {
    "content-type": "application/json",
    "accept": f"{GRAPHQL_RESPONSE},application/json;q=0.9",
    "apollographql-client-name": "web",
    "apollographql-client-version": "1.0.0",
}
PROGRAMS = "query Programs {\n  programs {\n    nodes {\n      id\n      slug\n      __typename\n    }\n    __typename\n  }\n}"


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


@pytest.fixture
async def programs(sessionmaker, app) -> None:
    async with sessionmaker() as session, session.begin():
        await make_program(session, slug="alpha", start=app.state.clock.now() + timedelta(days=9))


async def test_one_failing_root_field_leaves_the_others(client, programs) -> None:
    query = (
        "query Landing { programs { nodes { slug } } "
        'canEnroll(programSlug: "no-such-program") { allowed } }'
    )
    response = await client.post(
        "/graphql", json={"operationName": "Landing", "query": query, "variables": {}},
        headers=APOLLO_HEADERS,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert body["data"]["programs"]["nodes"] == [{"slug": "alpha"}]
    assert body["data"]["canEnroll"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["canEnroll"], "NOT_FOUND")
    ]


async def test_echoed_input_is_cut_short(gql) -> None:
    slug = "x" * 20_000
    result = await gql("query($s: String!) { canEnroll(programSlug: $s) { allowed } }", {"s": slug})
    message = result["errors"][0]["message"]
    assert len(message) < 200, len(message)
    assert "x" * 64 + "…" in message


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_automatic_persisted_query_miss_then_hit(client, programs, method) -> None:
    async def send(with_query: bool) -> httpx.Response:
        params = {"operationName": "Programs", "variables": {}, "extensions": persisted(PROGRAMS)}
        if with_query:
            params["query"] = PROGRAMS
        if method == "POST":
            return await client.post("/graphql", json=params, headers=APOLLO_HEADERS)
        encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        headers = {k: v for k, v in APOLLO_HEADERS.items() if k != "content-type"}
        return await client.get("/graphql", params=encoded, headers=headers)

    miss = await send(with_query=False)
    # Apollo's link retries with the query on this code or message; the spec's status is 200.
    assert miss.status_code == 200, miss.text
    [error] = miss.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    # A CDN must not keep the miss: it would refuse the hash after it is registered.
    assert miss.headers["cache-control"] == "private, no-store"
    registered = await send(with_query=True)
    assert registered.status_code == 200
    assert registered.json()["data"]["programs"]["nodes"][0]["slug"] == "alpha"
    hit = await send(with_query=False)
    assert hit.status_code == 200
    assert hit.json() == registered.json()


async def test_persisted_query_with_the_wrong_hash_is_refused(client) -> None:
    body = {"query": "{ __typename }", "extensions": persisted("{ somethingElse }")}
    response = await client.post("/graphql", json=body, headers=APOLLO_HEADERS)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_the_stored_document_is_shared_through_the_cache(client, app, programs) -> None:
    await client.post(
        "/graphql", json={"query": PROGRAMS, "extensions": persisted(PROGRAMS)},
        headers=APOLLO_HEADERS,
    )  # fmt: skip
    stored = await app.state.cache.get("edx:apq:" + sha(PROGRAMS))
    assert stored is not None
    assert (stored.decode() if isinstance(stored, bytes) else stored) == PROGRAMS


async def test_queries_run_over_get_and_anonymous_answers_may_be_cached(
    settings: Settings, clock, cache, programs
) -> None:
    app = create_app(settings.with_overrides(graphql_get_cache_seconds=30), clock=clock,
                     setup_logging=False)  # fmt: skip
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            public = await client.get("/graphql", params={"query": PROGRAMS})
            assert public.status_code == 200
            assert public.json()["data"]["programs"]["nodes"][0]["slug"] == "alpha"
            assert public.headers["cache-control"] == "public, max-age=30"
            assert "Authorization" in public.headers["vary"]
            # Errors, and anything a signed-in viewer reads, are never shared.
            broken = await client.get("/graphql", params={"query": "{ program(slug: 1) { id } }"})
            assert broken.headers["cache-control"] == "private, no-store"
            posted = await client.post("/graphql", json={"query": PROGRAMS})
            assert posted.headers["cache-control"] == "private, no-store"


async def test_signed_in_get_answers_are_private(client, app, sessionmaker, programs) -> None:
    account = await create_account(app, sessionmaker)
    response = await client.get("/graphql", params={"query": "{ me { id } }"},
                                headers=account.headers)  # fmt: skip
    assert response.json()["data"]["me"]["id"]
    assert response.headers["cache-control"] == "private, no-store"


async def test_mutations_are_refused_over_get(client) -> None:
    mutation = 'mutation { signOut(input: {refreshToken: "x"}) { ok } }'
    response = await client.get("/graphql", params={"query": mutation})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    # Even named among queries: the operation chosen is what counts.
    document = "query Q { __typename } " + mutation.replace("mutation", "mutation M")
    named = await client.get("/graphql", params={"query": document, "operationName": "M"})
    assert named.status_code == 405


async def test_post_must_be_json_so_a_form_cannot_forge_a_request(client) -> None:
    for content_type in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data"):
        response = await client.post(
            "/graphql", content=b"query={__typename}", headers={"content-type": content_type}
        )
        assert response.status_code == 415, content_type
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[]", 400),
        (b'[{"query": "{ __typename }"}]', 400),
        (b'"just a string"', 400),
        (b"{}", 400),
        (b'{"query": 42}', 400),
        (b'{"query": "{ __typename }", "variables": [1]}', 400),
        (b'{"query": "{ __typename }", "operationName": "Nope"}', 400),
    ],
)
async def test_malformed_requests_get_json_errors(client, body: bytes, status: int) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["message"]


async def test_several_operations_need_an_operation_name(client) -> None:
    document = "query A { __typename } query B { me { id } }"
    unnamed = await client.post("/graphql", json={"query": document})
    assert unnamed.status_code == 400
    assert unnamed.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    named = await client.post("/graphql", json={"query": document, "operationName": "B"})
    assert named.json() == {"data": {"me": None}}


@pytest.mark.parametrize(
    ("query", "code"),
    [("{ programs { ", "GRAPHQL_PARSE_FAILED"), ("{ noSuchField }", "GRAPHQL_VALIDATION_FAILED")],
)
async def test_request_errors_are_400_for_graphql_response_json_and_200_for_json(
    client, query: str, code: str
) -> None:
    modern = await client.post("/graphql", json={"query": query}, headers=APOLLO_HEADERS)
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in modern.json()
    assert modern.json()["errors"][0]["extensions"]["code"] == code
    legacy = await client.post("/graphql", json={"query": query},
                               headers={"accept": "application/json"})  # fmt: skip
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["errors"][0]["extensions"]["code"] == code


async def test_a_client_that_takes_no_json_gets_406(client) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"},
                                 headers={"accept": "text/xml"})  # fmt: skip
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_bad_tokens_answer_401_with_a_code_and_a_challenge(client, app, sessionmaker, clock):
    account = await create_account(app, sessionmaker)
    cases = {
        "INVALID_TOKEN": {"Authorization": "Bearer not-a-token"},
        "TOKEN_EXPIRED": account.headers,
    }
    clock.advance(seconds=3600)
    for code, headers in cases.items():
        response = await client.post("/graphql", json={"query": PROGRAMS},
                                     headers={**APOLLO_HEADERS, **headers})  # fmt: skip
        assert response.status_code == 401, (code, response.text)
        assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
        assert response.json()["errors"][0]["extensions"]["code"] == code
    # Refreshing needs no access token: a stale one does not stand in the way.
    refresh = 'mutation { refreshSession(input: {refreshToken: "x"}) { errors { code } } }'
    response = await client.post("/graphql", json={"query": refresh}, headers=account.headers)
    assert response.status_code == 200
    assert response.json()["data"]["refreshSession"]["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"


async def test_cors_preflight_allows_apollos_client_awareness_headers(client) -> None:
    response = await client.options(
        "/graphql",
        headers={
            "origin": "http://localhost:3000",
            "access-control-request-method": "POST",
            "access-control-request-headers": "apollographql-client-name,"
            "apollographql-client-version,authorization,content-type",
        },
    )
    assert response.status_code == 200, response.text
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "apollographql-client-name" in allowed
    assert "apollographql-client-version" in allowed


async def test_root_points_to_graphql_in_development(client) -> None:
    response = await client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/graphql"


async def test_persisted_only_mode_runs_only_the_manifest(
    settings: Settings, clock, cache, programs, tmp_path: Path
) -> None:
    manifest = tmp_path / "persisted-query-manifest.json"
    manifest.write_text(json.dumps({
        "format": "apollo-persisted-query-manifest", "version": 1,
        "operations": [{"id": sha(PROGRAMS), "name": "Programs", "type": "query",
                        "body": PROGRAMS}],
    }))  # fmt: skip
    strict = settings.with_overrides(graphql_persisted_queries_only=True,
                                     graphql_persisted_queries_path=str(manifest))  # fmt: skip
    app = create_app(strict, clock=clock, setup_logging=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            by_hash = await client.post("/graphql", json={"extensions": persisted(PROGRAMS)},
                                        headers=APOLLO_HEADERS)  # fmt: skip
            assert by_hash.json()["data"]["programs"]["nodes"][0]["slug"] == "alpha"
            by_text = await client.post("/graphql", json={"query": PROGRAMS})
            assert by_text.json()["data"]["programs"]["nodes"][0]["slug"] == "alpha"
            other = "{ me { id } }"
            unknown = await client.post("/graphql", json={"query": other})
            assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_REQUIRED"
            # Registering is off: sending the hash with a new document does not add it.
            register = await client.post(
                "/graphql", json={"query": other, "extensions": persisted(other)}
            )
            assert register.json()["errors"][0]["extensions"]["code"] in (
                "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_REQUIRED",
            )  # fmt: skip
            assert await cache.get("edx:apq:" + sha(other)) is None
