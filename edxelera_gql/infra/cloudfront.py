"""CloudFront signed URLs (botocore's CloudFrontSigner) and the matching check for ``/cdn``.

Canned policies sign one file; custom policies sign a folder with a wildcard, which HLS needs
because the player requests every segment with the same query string. In development the
same signatures are made with a generated key and checked by the app's own ``/cdn`` route.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from botocore.signers import CloudFrontSigner
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from edxelera_gql.media import is_hls
from edxelera_gql.settings import Settings, SettingsError

LOCAL_KEY_PAIR_ID = "LOCALDEV"


def _cf_b64encode(data: bytes) -> str:
    # CloudFront's URL-safe alphabet: + -> -, = -> _, / -> ~
    return base64.b64encode(data).decode().translate(str.maketrans("+=/", "-_~"))


def _cf_b64decode(text: str) -> bytes:
    return base64.b64decode(text.translate(str.maketrans("-_~", "+=/")), validate=True)


@dataclass(frozen=True)
class SignedUrl:
    url: str
    expires_at: datetime
    # For HLS: the query string to append to every segment request of the asset's folder.
    signed_query: str | None = None


class UrlSigner:
    """Signs ``base_url + path`` with the CloudFront key pair (RSA, SHA-1, as CloudFront wants)."""

    def __init__(self, *, base_url: str, key_pair_id: str, private_key: rsa.RSAPrivateKey) -> None:
        self.base_url = base_url.rstrip("/")
        self.key_pair_id = key_pair_id
        self._key = private_key
        self._signer = CloudFrontSigner(key_pair_id, self._rsa_sign)

    def _rsa_sign(self, message: bytes) -> bytes:
        return self._key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - CloudFront's algorithm

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self._key.public_key()

    def url_for(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def sign_file(self, path: str, *, expires_at: datetime) -> SignedUrl:
        """Canned policy: this one URL until ``expires_at``."""
        url = self._signer.generate_presigned_url(self.url_for(path), date_less_than=expires_at)
        return SignedUrl(url=url, expires_at=expires_at)

    def sign_folder(self, path: str, *, expires_at: datetime) -> SignedUrl:
        """Custom policy over the folder of ``path`` (``folder/*``): HLS manifest and segments."""
        url = self.url_for(path)
        folder = url.rsplit("/", 1)[0] + "/*"
        policy = self._signer.build_policy(folder, date_less_than=expires_at)
        signed = self._signer.generate_presigned_url(url, policy=policy)
        query = urlsplit(signed).query
        return SignedUrl(url=signed, expires_at=expires_at, signed_query=query)

    def sign(self, path: str, *, mime_type: str, expires_at: datetime) -> SignedUrl:
        if is_hls(mime_type):
            return self.sign_folder(path, expires_at=expires_at)
        return self.sign_file(path, expires_at=expires_at)


def _load_private_key(path: Path) -> rsa.RSAPrivateKey:
    # A startup failure that names the file beats a signing failure on the first request.
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SettingsError(f"CLOUDFRONT_PRIVATE_KEY_PATH {path}: cannot load key ({exc})") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SettingsError(f"CLOUDFRONT_PRIVATE_KEY_PATH {path}: CloudFront needs an RSA key")
    return key


def _development_key(var_dir: Path) -> rsa.RSAPrivateKey:
    """A key generated once under ``var/`` so development URLs survive restarts."""
    path = var_dir / "cloudfront-dev.pem"
    if path.exists():
        return _load_private_key(path)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    var_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return key


def local_cdn_base(settings: Settings) -> str:
    return settings.public_base_url + "/cdn"


def create_signer(settings: Settings) -> UrlSigner:
    """CloudFront when configured; otherwise the app's own ``/cdn`` with a generated key."""
    if settings.cloudfront_domain and settings.cloudfront_private_key_path:
        return UrlSigner(
            base_url=f"https://{settings.cloudfront_domain}",
            key_pair_id=settings.cloudfront_key_pair_id or "",
            private_key=_load_private_key(Path(settings.cloudfront_private_key_path)),
        )
    return UrlSigner(
        base_url=local_cdn_base(settings),
        key_pair_id=LOCAL_KEY_PAIR_ID,
        private_key=_development_key(Path(settings.var_dir)),
    )


# -- checking signatures (the /cdn route) ---------------------------------------------------


def _resource_matches(pattern: str, url: str) -> bool:
    # CloudFront wildcards: * any run of characters, ? one character; nothing else is special.
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, url, flags=re.DOTALL) is not None


def check_signature(
    url: str,
    query: str,
    *,
    public_key: rsa.RSAPublicKey,
    key_pair_id: str,
    now: datetime,
) -> bool:
    """True when ``query`` carries a valid, unexpired CloudFront signature covering ``url``
    (the URL as requested, without its query)."""
    params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if params.get("Key-Pair-Id") != key_pair_id or "Signature" not in params:
        return False
    try:
        signature = _cf_b64decode(params["Signature"])
        if "Policy" in params:
            policy_bytes = _cf_b64decode(params["Policy"])
        elif "Expires" in params:
            expires = int(params["Expires"])
            canned = {
                "Statement": [
                    {"Resource": url, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}
                ]
            }
            policy_bytes = json.dumps(canned, separators=(",", ":")).encode()
        else:
            return False
        public_key.verify(signature, policy_bytes, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
        statement = json.loads(policy_bytes)["Statement"][0]
        condition = statement["Condition"]
        if now.timestamp() >= condition["DateLessThan"]["AWS:EpochTime"]:
            return False
        not_before = condition.get("DateGreaterThan", {}).get("AWS:EpochTime")
        if not_before is not None and now.timestamp() <= not_before:
            return False
        return _resource_matches(statement["Resource"], url)
    except (InvalidSignature, ValueError, KeyError, TypeError, IndexError):
        return False
