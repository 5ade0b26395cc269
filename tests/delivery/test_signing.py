"""CloudFront signatures, checked independently of the signing code: the test rebuilds the
policy CloudFront would evaluate and verifies it with the public key."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from edxelera_gql.infra.cloudfront import check_signature, create_signer
from edxelera_gql.settings import Settings

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
DOMAIN = "d111111abcdef8.cloudfront.net"


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("cf") / "cf.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return path


@pytest.fixture
def signer(key_file: Path):
    settings = Settings(
        cloudfront_domain=DOMAIN,
        cloudfront_key_pair_id="K2JCJMDEHXQW5F",
        cloudfront_private_key_path=str(key_file),
    )
    return create_signer(settings)


def public_key_of(key_file: Path):
    return serialization.load_pem_private_key(key_file.read_bytes(), None).public_key()


def cf_decode(text: str) -> bytes:
    return base64.b64decode(text.replace("-", "+").replace("_", "=").replace("~", "/"))


def cloudfront_allows(url: str, key_file: Path, at: datetime) -> bool:
    """What CloudFront does with a request for ``url`` (independent reimplementation)."""
    parts = urlsplit(url)
    resource = f"{parts.scheme}://{parts.netloc}{parts.path}"
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if q.get("Key-Pair-Id") != "K2JCJMDEHXQW5F":
        return False
    if "Policy" in q:
        policy = cf_decode(q["Policy"])
    else:
        # The canned policy exactly as AWS documents it: compact JSON, these keys in this order.
        condition = '{"DateLessThan":{"AWS:EpochTime":' + q["Expires"] + "}}"
        policy = (
            '{"Statement":[{"Resource":"' + resource + '","Condition":' + condition + "}]}"
        ).encode()
    try:
        public_key_of(key_file).verify(
            cf_decode(q["Signature"]), policy, padding.PKCS1v15(), hashes.SHA1()
        )
    except Exception:
        return False
    statement = json.loads(policy)["Statement"][0]
    pattern = "^" + re.escape(statement["Resource"]).replace(r"\*", ".*") + "$"
    expires = statement["Condition"]["DateLessThan"]["AWS:EpochTime"]
    return bool(re.match(pattern, resource)) and at.timestamp() < expires


def test_canned_url_works_before_expiry_and_not_after(signer, key_file) -> None:
    signed = signer.sign(
        "/sql/what-is-sql.mp4", mime_type="video/mp4", expires_at=NOW + timedelta(minutes=10)
    )
    assert signed.url.startswith(f"https://{DOMAIN}/sql/what-is-sql.mp4?Expires=")
    assert signed.signed_query is None
    assert cloudfront_allows(signed.url, key_file, NOW)
    assert cloudfront_allows(signed.url, key_file, NOW + timedelta(minutes=9, seconds=59))
    assert not cloudfront_allows(signed.url, key_file, NOW + timedelta(minutes=10))
    other = signed.url.replace("what-is-sql.mp4", "other.mp4")
    assert not cloudfront_allows(other, key_file, NOW)


def test_hls_signed_query_covers_the_assets_segments_and_nothing_else(signer, key_file) -> None:
    signed = signer.sign(
        "/sql/what-is-sql/master.m3u8",
        mime_type="application/vnd.apple.mpegurl",
        expires_at=NOW + timedelta(minutes=10),
    )
    assert signed.signed_query is not None
    policy = json.loads(cf_decode(parse_qs(signed.signed_query)["Policy"][0]))
    assert policy["Statement"][0]["Resource"] == f"https://{DOMAIN}/sql/what-is-sql/*"
    base = f"https://{DOMAIN}/sql/what-is-sql"
    for segment in ["master.m3u8", "720p/index.m3u8", "720p/seg-00042.ts"]:
        assert cloudfront_allows(f"{base}/{segment}?{signed.signed_query}", key_file, NOW)
    for outside in [
        f"https://{DOMAIN}/sql/another-lesson/seg-1.ts",
        f"https://{DOMAIN}/sql/what-is-sql-2/seg-1.ts",
        f"https://{DOMAIN}/sql/secret.mp4",
    ]:
        assert not cloudfront_allows(f"{outside}?{signed.signed_query}", key_file, NOW)
    assert not cloudfront_allows(
        f"{base}/seg-1.ts?{signed.signed_query}", key_file, NOW + timedelta(minutes=11)
    )


def test_app_check_agrees_with_cloudfront_and_refuses_tampering(signer, key_file) -> None:
    signed = signer.sign("/a/b.mp4", mime_type="video/mp4", expires_at=NOW + timedelta(minutes=5))
    parts = urlsplit(signed.url)
    url = f"{parts.scheme}://{parts.netloc}{parts.path}"
    kwargs = {"public_key": public_key_of(key_file), "key_pair_id": "K2JCJMDEHXQW5F"}
    assert check_signature(url, parts.query, now=NOW, **kwargs)
    assert not check_signature(url, parts.query, now=NOW + timedelta(minutes=5), **kwargs)
    assert not check_signature(url.replace("b.mp4", "c.mp4"), parts.query, now=NOW, **kwargs)
    later = re.sub(r"Expires=(\d+)", lambda m: f"Expires={int(m.group(1)) + 3600}", parts.query)
    assert not check_signature(url, later, now=NOW, **kwargs)
    flipped = parts.query.replace("Signature=", "Signature=A", 1)
    assert not check_signature(url, flipped, now=NOW, **kwargs)
    assert not check_signature(url, "", now=NOW, **kwargs)
