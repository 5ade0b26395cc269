"""Accounts and sessions over HTTP: the whole cycle, token attacks, theft detection,
suspension, rate limits, input validation and no account enumeration."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select, update

from edxelera_gql.app import create_app
from edxelera_gql.auth.models import RefreshToken, User

SIGN_UP = """
mutation($input: SignUpInput!) {
  signUp(input: $input) {
    accessToken accessTokenExpiresAt refreshToken
    user { id email fullName roles }
    errors { code message field retryAfterSeconds }
  }
}"""
SIGN_IN = SIGN_UP.replace("SignUpInput", "SignInInput").replace("signUp", "signIn")
REFRESH = SIGN_UP.replace("SignUpInput", "RefreshSessionInput").replace("signUp", "refreshSession")
SIGN_OUT = """
mutation($input: SignOutInput!) { signOut(input: $input) { ok errors { code field } } }"""
ME = "{ me { id email fullName roles } }"
PASSWORD = "correct horse battery"


async def sign_up(gql, email="ada@example.com", password=PASSWORD, name="Ada Eze") -> dict:
    result = await gql(SIGN_UP, {"input": {"email": email, "password": password, "fullName": name}})
    assert "errors" not in result, result
    return result["data"]["signUp"]


async def me(gql, token: str) -> dict:
    return await gql(ME, Authorization=f"Bearer {token}")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict, claims: dict, key: bytes | None) -> str:
    """A token built by hand, as an attacker would, bypassing PyJWT's own refusals."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = (
        b"" if key is None else hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    )
    return f"{signing_input}.{b64(signature)}"


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


async def test_whole_cycle_sign_up_sign_in_me_refresh_sign_out(gql, clock) -> None:
    created = await sign_up(gql, email="  Ada@Example.COM ", name="  Ada Eze ")
    assert created["errors"] == []
    assert created["user"]["email"] == "ada@example.com"
    assert created["user"]["fullName"] == "Ada Eze"
    assert created["user"]["roles"] == ["STUDENT"]
    expires = created["accessTokenExpiresAt"]
    assert expires.endswith("Z")
    claims = claims_of(created["accessToken"])
    assert claims["exp"] - claims["iat"] == 900
    assert {"iss", "aud", "exp", "iat", "sub", "jti", "sid"} <= set(claims)

    assert (await me(gql, created["accessToken"]))["data"]["me"]["email"] == "ada@example.com"
    assert (await gql(ME))["data"]["me"] is None  # anonymous

    signed_in = (await gql(SIGN_IN, {"input": {"email": "ADA@example.com", "password": PASSWORD}}))[
        "data"
    ]["signIn"]
    assert signed_in["errors"] == []
    assert signed_in["user"]["id"] == created["user"]["id"]

    refreshed = (await gql(REFRESH, {"input": {"refreshToken": signed_in["refreshToken"]}}))[
        "data"
    ]["refreshSession"]
    assert refreshed["errors"] == []
    assert refreshed["refreshToken"] != signed_in["refreshToken"]
    assert (await me(gql, refreshed["accessToken"]))["data"]["me"]["id"] == created["user"]["id"]

    out = (await gql(SIGN_OUT, {"input": {"refreshToken": refreshed["refreshToken"]}}))["data"]
    assert out["signOut"] == {"ok": True, "errors": []}
    again = (await gql(REFRESH, {"input": {"refreshToken": refreshed["refreshToken"]}}))["data"]
    assert again["refreshSession"]["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
    # The session's access token stops working too; the sign-up session is unaffected.
    after = await me(gql, refreshed["accessToken"])
    assert after.get("data") is None
    assert after["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    assert (await me(gql, created["accessToken"]))["data"]["me"] is not None


async def test_refresh_tokens_are_stored_only_as_hashes(gql, sessionmaker) -> None:
    created = await sign_up(gql)
    token = created["refreshToken"]
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) >= 32
    async with sessionmaker() as session:
        rows = (await session.scalars(select(RefreshToken))).all()
    assert len(rows) == 1
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in rows[0].token_hash


async def test_reusing_a_rotated_refresh_token_revokes_the_family(gql) -> None:
    first = await sign_up(gql)
    second = (await gql(REFRESH, {"input": {"refreshToken": first["refreshToken"]}}))["data"][
        "refreshSession"
    ]
    assert second["errors"] == []

    stolen = (await gql(REFRESH, {"input": {"refreshToken": first["refreshToken"]}}))["data"]
    assert stolen["refreshSession"]["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
    # The legitimate holder's newer token is revoked with its family, and so is its access.
    legit = (await gql(REFRESH, {"input": {"refreshToken": second["refreshToken"]}}))["data"]
    assert legit["refreshSession"]["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
    assert (await me(gql, second["accessToken"]))["errors"][0]["extensions"]["code"] == (
        "INVALID_TOKEN"
    )


async def test_expired_tampered_and_foreign_tokens_are_unauthenticated(gql, clock, settings):
    created = await sign_up(gql)
    token = created["accessToken"]
    claims = claims_of(token)
    secret = settings.jwt_secret.encode()

    header, _payload, signature = token.split(".")
    tampered_claims = {**claims, "sub": str(int(claims["sub"]) + 1)}
    tampered = f"{header}.{b64(json.dumps(tampered_claims).encode())}.{signature}"
    wrong_issuer = jwt.encode({**claims, "iss": "someone-else"}, secret, algorithm="HS256")
    wrong_audience = jwt.encode({**claims, "aud": "another-app"}, secret, algorithm="HS256")
    alg_none = forge({"alg": "none", "typ": "JWT"}, claims, None)
    no_sid = jwt.encode({k: v for k, v in claims.items() if k != "sid"}, secret, algorithm="HS256")
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rs256 = jwt.encode(claims, other_key, algorithm="RS256")

    for bad in [tampered, wrong_issuer, wrong_audience, alg_none, no_sid, rs256, "garbage"]:
        result = await me(gql, bad)
        assert result.get("data") is None, bad
        assert result["errors"][0]["extensions"]["code"] == "INVALID_TOKEN", bad

    # A bad token fails public queries too: never silently anonymous.
    public = await gql("{ programs { nodes { slug } } }", Authorization=f"Bearer {alg_none}")
    assert public["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    malformed = await gql(ME, Authorization="Token abc")
    assert malformed["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"

    assert (await me(gql, token))["data"]["me"] is not None
    clock.advance(seconds=900 + 6)  # past expiry and the 5 s leeway
    expired = await me(gql, token)
    assert expired["errors"][0]["extensions"]["code"] == "TOKEN_EXPIRED"


async def test_rs256_configuration_refuses_hs256_tokens_keyed_with_the_public_key(
    settings, clock, tmp_path, cache
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "jwt.pem").write_bytes(private_pem)
    (tmp_path / "jwt.pub").write_bytes(public_pem)
    rs_settings = settings.with_overrides(
        jwt_private_key_path=str(tmp_path / "jwt.pem"),
        jwt_public_key_path=str(tmp_path / "jwt.pub"),
    )
    app = create_app(rs_settings, clock=clock, setup_logging=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

            async def call(query, variables=None, **headers):
                response = await http.post(
                    "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
                )
                return response.json()

            created = await sign_up(call)
            token = created["accessToken"]
            assert jwt.get_unverified_header(token)["alg"] == "RS256"
            assert (await call(ME, Authorization=f"Bearer {token}"))["data"]["me"] is not None

            confused = forge({"alg": "HS256", "typ": "JWT"}, claims_of(token), public_pem)
            result = await call(ME, Authorization=f"Bearer {confused}")
            assert result["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"


async def test_suspended_user_loses_access_within_the_cache_lifetime(
    settings, clock, sessionmaker, cache
) -> None:
    app = create_app(
        settings.with_overrides(viewer_cache_ttl_seconds=1), clock=clock, setup_logging=False
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

            async def call(query, variables=None, **headers):
                response = await http.post(
                    "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
                )
                return response.json()

            created = await sign_up(call)
            token = created["accessToken"]
            assert (await call(ME, Authorization=f"Bearer {token}"))["data"]["me"] is not None
            async with sessionmaker() as session, session.begin():
                await session.execute(update(User).values(status="suspended"))
            # Within the cache lifetime the cached viewer still answers; once it has passed
            # (on the app's clock), the suspension shows.
            assert (await call(ME, Authorization=f"Bearer {token}"))["data"]["me"] is not None
            clock.advance(seconds=1)
            result = await call(ME, Authorization=f"Bearer {token}")
            assert result["errors"][0]["extensions"]["code"] == "ACCOUNT_SUSPENDED"

            denied = await call(
                SIGN_IN, {"input": {"email": "ada@example.com", "password": PASSWORD}}
            )
            assert denied["data"]["signIn"]["errors"][0]["code"] == "ACCOUNT_SUSPENDED"
            refused = await call(REFRESH, {"input": {"refreshToken": created["refreshToken"]}})
            assert refused["data"]["refreshSession"]["errors"][0]["code"] == "ACCOUNT_SUSPENDED"


async def test_sign_in_rate_limit_engages_and_lifts(settings, clock, cache) -> None:
    # Windows follow the app's clock (aligned to multiples of the window), so the test moves
    # the clock past the retry-after instead of waiting.
    limited = settings.with_overrides(sign_in_limit_per_email=3, rate_limit_window_seconds=60)
    app = create_app(limited, clock=clock, setup_logging=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

            async def sign_in(password):
                response = await http.post(
                    "/graphql",
                    json={
                        "query": SIGN_IN,
                        "variables": {"input": {"email": "x@example.com", "password": password}},
                    },
                )
                return response.json()["data"]["signIn"]["errors"]

            for _ in range(3):
                assert (await sign_in("wrong password"))[0]["code"] == "INVALID_CREDENTIALS"
            blocked = (await sign_in("wrong password"))[0]
            assert blocked["code"] == "RATE_LIMITED"
            assert 1 <= blocked["retryAfterSeconds"] <= 60
            clock.advance(seconds=blocked["retryAfterSeconds"] - 1)
            assert (await sign_in("wrong password"))[0]["code"] == "RATE_LIMITED"
            clock.advance(seconds=1)
            assert (await sign_in("wrong password"))[0]["code"] == "INVALID_CREDENTIALS"


async def test_sign_up_rate_limit_per_ip(settings, clock, cache) -> None:
    app = create_app(
        settings.with_overrides(sign_up_limit_per_ip=2), clock=clock, setup_logging=False
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            codes = []
            for i in range(3):
                variables = {
                    "input": {"email": f"u{i}@example.com", "password": PASSWORD, "fullName": "U"}
                }
                body = (
                    await http.post("/graphql", json={"query": SIGN_UP, "variables": variables})
                ).json()
                codes.append([e["code"] for e in body["data"]["signUp"]["errors"]])
    assert codes == [[], [], ["RATE_LIMITED"]]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": ""}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"fullName": "   "}, "fullName"),
        ({"fullName": "n" * 201}, "fullName"),
    ],
)
async def test_sign_up_bad_inputs_name_the_field(gql, sessionmaker, fields, field) -> None:
    variables = {"email": "ok@example.com", "password": PASSWORD, "fullName": "Ok", **fields}
    payload = (await gql(SIGN_UP, {"input": variables}))["data"]["signUp"]
    assert payload["accessToken"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", field)]
    async with sessionmaker() as session:
        assert (await session.scalars(select(User))).all() == []


async def test_wrong_types_are_invalid_input_naming_the_field(client) -> None:
    body = (
        await client.post(
            "/graphql",
            json={
                "query": SIGN_UP,
                "variables": {"input": {"email": 123, "password": PASSWORD, "fullName": "X"}},
            },
        )
    ).json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "email"
    missing = (
        await client.post(
            "/graphql", json={"query": SIGN_UP, "variables": {"input": {"email": "a@b.co"}}}
        )
    ).json()
    assert missing["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_taken_email_is_reported_only_in_the_mutation_errors(gql) -> None:
    assert (await sign_up(gql))["errors"] == []
    again = await sign_up(gql, email="ADA@example.com")
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("EMAIL_TAKEN", "email")]
    assert again["accessToken"] is None


async def test_unknown_email_and_wrong_password_look_the_same(gql) -> None:
    await sign_up(gql)

    async def attempt(email: str) -> tuple[dict, float]:
        started = time.perf_counter()
        result = await gql(SIGN_IN, {"input": {"email": email, "password": "wrong password"}})
        return result["data"]["signIn"]["errors"][0], time.perf_counter() - started

    await attempt("warmup@example.com")  # the dummy hash is made on first use
    wrong = [await attempt("ada@example.com") for _ in range(3)]
    unknown = [await attempt("nobody@example.com") for _ in range(3)]
    assert {(e["code"], e["message"]) for e, _ in wrong + unknown} == {
        ("INVALID_CREDENTIALS", "Email or password is incorrect.")
    }
    # Both verify an argon2 hash; an unknown email must not answer noticeably faster.
    fastest_unknown = min(t for _, t in unknown)
    fastest_wrong = min(t for _, t in wrong)
    assert fastest_unknown > 0.5 * fastest_wrong


async def test_sign_in_rehashes_a_password_with_old_parameters(gql, sessionmaker) -> None:
    await sign_up(gql)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with sessionmaker() as session, session.begin():
        await session.execute(update(User).values(password_hash=weak))
    result = await gql(SIGN_IN, {"input": {"email": "ada@example.com", "password": PASSWORD}})
    assert result["data"]["signIn"]["errors"] == []
    async with sessionmaker() as session:
        stored = (await session.scalars(select(User.password_hash))).one()
    assert stored != weak
    assert stored.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(stored)


async def test_passwords_and_tokens_never_reach_the_logs(gql, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    created = await sign_up(gql)
    await gql(SIGN_IN, {"input": {"email": "ada@example.com", "password": "wrong password"}})
    await gql(REFRESH, {"input": {"refreshToken": created["refreshToken"]}})
    await gql(REFRESH, {"input": {"refreshToken": created["refreshToken"]}})  # reuse: logged
    await me(gql, created["accessToken"] + "x")  # refused: logged
    text = "\n".join(
        r.getMessage() + " " + json.dumps(r.__dict__, default=str) for r in caplog.records
    )
    for secret in [PASSWORD, "wrong password", created["refreshToken"], created["accessToken"]]:
        assert secret not in text


async def test_access_token_lifetime_follows_settings(gql, clock) -> None:
    created = await sign_up(gql)
    expires = created["accessTokenExpiresAt"]
    assert expires == (clock.now() + timedelta(seconds=900)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


async def test_missing_input_field_is_invalid_input_naming_it(client) -> None:
    body = (
        await client.post(
            "/graphql",
            json={
                "query": SIGN_UP,
                "variables": {"input": {"email": "a@b.co", "password": PASSWORD}},
            },
        )
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "fullName"


async def test_type_errors_do_not_echo_submitted_values(client) -> None:
    variables = {"input": {"email": ["x"], "password": "hunter2-secret"}}
    body = (await client.post("/graphql", json={"query": SIGN_UP, "variables": variables})).json()
    assert "hunter2-secret" not in json.dumps(body)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
