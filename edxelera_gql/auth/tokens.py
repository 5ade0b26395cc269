"""Access tokens: short-lived JWTs whose algorithm is fixed by configuration.

HS256 with ``JWT_SECRET`` by default, or an asymmetric pair (RSA -> RS256, EC P-256 -> ES256,
Ed25519 -> EdDSA) when both key paths are set. Verification accepts exactly that one algorithm,
so ``alg: none`` and HS/RS confusion tokens are refused before any key is used.
"""

from __future__ import annotations

import secrets
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from edxelera_gql.settings import Settings

REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub", "jti", "sid"]
# Clock skew tolerated between the servers that sign and verify.
LEEWAY_SECONDS = 5
# Valid tokens whose signature check is remembered per process (a few MB at most).
VERIFIED_MEMO_SIZE = 10_000


class InvalidToken(Exception):
    """The bearer token cannot be trusted (the reason stays in the logs, not the response)."""


class ExpiredToken(InvalidToken):
    """A token this server signed, past its expiry: the client should refresh it."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    session_id: str
    token_id: str
    expires_at: datetime


@dataclass(frozen=True)
class IssuedAccessToken:
    token: str
    expires_at: datetime


class TokenCodec:
    """Signs and verifies access tokens with the configured key and algorithm."""

    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.ttl = timedelta(seconds=settings.access_token_ttl_seconds)
        if settings.uses_asymmetric_jwt:
            private_pem = Path(settings.jwt_private_key_path or "").read_bytes()
            public_pem = Path(settings.jwt_public_key_path or "").read_bytes()
            self._signing_key: Any = load_pem_private_key(private_pem, password=None)
            self._verifying_key: Any = load_pem_public_key(public_pem)
            self.algorithm = _algorithm_for(self._signing_key)
        else:
            secret = settings.effective_jwt_secret()
            self._signing_key = self._verifying_key = secret
            self.algorithm = "HS256"
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def issue(self, *, user_id: int, session_id: str, now: datetime) -> IssuedAccessToken:
        expires_at = now + self.ttl
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user_id),
            "sid": session_id,
            "jti": uuid.uuid4().hex,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
        }
        token = jwt.encode(claims, self._signing_key, algorithm=self.algorithm)
        return IssuedAccessToken(token=token, expires_at=expires_at.replace(microsecond=0))

    def _signed_claims(self, token: str) -> dict[str, Any]:
        """The claims of a token whose header, signature, audience and issuer check out.

        Those checks depend on the token alone, so a valid token's claims are remembered (a
        bounded, per-process memo: only tokens we signed get in); the time checks run on every
        request against the clock."""
        known = self._verified.get(token)
        if known is not None:
            self._verified.move_to_end(token)
            return known
        try:
            header = jwt.get_unverified_header(token)
            # Checked before decoding so a confused or `none` token never reaches a key.
            if header.get("alg") != self.algorithm:
                raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
            claims: dict[str, Any] = jwt.decode(
                token,
                self._verifying_key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        self._verified[token] = claims
        if len(self._verified) > VERIFIED_MEMO_SIZE:
            self._verified.popitem(last=False)
        return claims

    def verify(self, token: str, *, now: datetime) -> AccessClaims:
        claims = self._signed_claims(token)
        # Expiry against the injected clock, so tests and servers agree on "now".
        exp, iat = claims["exp"], claims["iat"]
        if not isinstance(exp, int) or not isinstance(iat, int):
            raise InvalidToken("exp and iat must be integers")
        if now.timestamp() >= exp + LEEWAY_SECONDS:
            raise ExpiredToken("token expired")
        if iat > now.timestamp() + LEEWAY_SECONDS:
            raise InvalidToken("token issued in the future")
        try:
            user_id = int(claims["sub"])
        except (TypeError, ValueError) as exc:
            raise InvalidToken("malformed subject") from exc
        if not isinstance(claims["sid"], str) or not claims["sid"]:
            raise InvalidToken("malformed session id")
        return AccessClaims(
            user_id=user_id,
            session_id=claims["sid"],
            token_id=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(exp, tz=now.tzinfo),
        )


def _algorithm_for(key: Any) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if key.curve.name != "secp256r1":
            raise ValueError("EC JWT keys must use P-256 (ES256)")
        return "ES256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "EdDSA"
    raise ValueError(f"unsupported JWT key type {type(key).__name__}")


def new_refresh_token() -> str:
    """An opaque refresh token: 256 random bits."""
    return secrets.token_urlsafe(32)
