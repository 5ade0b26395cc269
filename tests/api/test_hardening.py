"""What a security review reached over HTTP, now answered with 4xx or a code, never a 500."""

from __future__ import annotations

import base64
import json

import pytest

from tests.api.test_limits_and_errors import prod_client  # noqa: F401 - fixture

SURROGATE = "\ud800"


def _cursor(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


async def test_a_non_ascii_webhook_signature_is_refused_not_a_crash(client) -> None:
    response = await client.post(
        "/webhooks/paystack",
        content=b'{"event": "charge.success", "data": {}}',
        # Header bytes outside ASCII (Starlette decodes them as Latin-1).
        headers={"x-paystack-signature": ("é" * 128).encode("latin-1")},
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query($s: String!) { program(slug: $s) { id } }", {"s": SURROGATE}),
        (
            'mutation($e: String!) { signIn(input: {email: $e, password: "password1"}) '
            "{ errors { code } } }",
            {"e": f"a{SURROGATE}@example.com"},
        ),
        (
            'mutation($n: String!) { signUp(input: {email: "s@example.com", '
            'password: "password1", fullName: $n}) { errors { code } } }',
            {"n": f"Ada {SURROGATE}"},
        ),
        (
            "query($n: String!) { verifyCertificate(certificateNumber: $n) { status } }",
            {"n": SURROGATE},
        ),
    ],
)
async def test_lone_surrogates_anywhere_are_invalid_input(client, query, variables) -> None:
    # httpx would refuse to encode a lone surrogate: the body is written as JSON by hand,
    # with the escape a browser's JSON.stringify sends.
    body = json.dumps({"query": query, "variables": variables}, ensure_ascii=True)
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    result = response.json()
    assert result["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_deeply_nested_body_is_a_400(client) -> None:
    body = '{"query": "{ me { id } }", "variables": ' + "[" * 5000 + "]" * 5000 + "}"
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor(["2027-01-01T00:00:00", 1]),  # naive instant
        _cursor(["2027-01-01T00:00:00+00:00", "1"]),
        _cursor(["2027-01-01T00:00:00+00:00", 2**70]),
        base64.urlsafe_b64encode(b'["2027-01-01T00:00:00+00:00", Infinity]').decode(),
        base64.urlsafe_b64encode(b"[NaN, 1]").decode(),
    ],
)
async def test_forged_program_cursors_are_invalid_input(gql, cursor) -> None:
    result = await gql(
        "query($a: String) { programs(after: $a) { nodes { slug } } }", {"a": cursor}
    )
    assert result["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "after"}


async def test_production_suggests_no_field_names(prod_client) -> None:  # noqa: F811
    result = (await prod_client.post("/graphql", json={"query": "{ programz { id } }"})).json()
    message = result["errors"][0]["message"]
    assert "Did you mean" not in message
    assert "programs" not in message


async def test_development_still_suggests_field_names(gql) -> None:
    result = await gql("{ programz { id } }")
    assert "Did you mean" in result["errors"][0]["message"]
    assert "'programs'" in result["errors"][0]["message"]


async def test_a_lone_surrogate_written_in_the_document_is_a_parse_error(client) -> None:
    body = json.dumps({"query": '{ program(slug: "x\\ud800") { id } }'})
    result = (
        await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    ).json()
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_sign_up_refuses_a_direction_override_in_the_name(gql) -> None:
    result = await gql(
        """mutation($n: String!) { signUp(input: {email: "rtl@example.com",
        password: "password1", fullName: $n}) { user { id } errors { code field message } } }""",
        {"n": "\u202eecalevoL adA"},
    )
    payload = result["data"]["signUp"]
    assert payload["user"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "fullName")]
