"""Typed settings read from the environment, and the guard that keeps production safe."""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from edxelera_gql.mail_settings import SmtpSettings

ENVIRONMENTS = ("development", "test", "production")
DEFAULT_PAYSTACK_BASE_URL = "https://api.paystack.co"
# Where the local Paystack sandbox answers when no key is set (development and tests only).
SANDBOX_PAYSTACK_PATH = "/_sandbox/paystack"
# The fixed key the app and its sandbox share in development: the sandbox signs webhooks with it
# exactly as Paystack signs with a real key, and the app verifies them with it. It opens nothing
# real, and production refuses it.
SANDBOX_PAYSTACK_SECRET_KEY = "sk_test_edxelera_local_sandbox"
PAYSTACK_WEBHOOK_PATH = "/webhooks/paystack"
# The local page Paystack sends the payer back to when PAYSTACK_CALLBACK_URL is unset.
LOCAL_PAYMENT_CALLBACK_PATH = "/payments/callback"
# The usual local frontend dev servers (Next.js, Vite), for development's CORS default.
DEV_CORS_ORIGINS = ",".join(
    f"http://{host}:{port}" for port in (3000, 5173) for host in ("localhost", "127.0.0.1")
)
# Secrets that ship in docs or examples and must never guard a real deployment.
KNOWN_WEAK_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development"})


class SettingsError(ValueError):
    """Configuration that cannot be used; the message names every problem."""


@dataclass(frozen=True)
class Settings:
    app_env: str = "development"
    database_url: str = ""
    redis_url: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    jwt_secret: str | None = None
    jwt_private_key_path: str | None = None
    jwt_public_key_path: str | None = None
    jwt_issuer: str = "edxelera"
    jwt_audience: str = "edxelera"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30
    paystack_secret_key: str | None = None
    paystack_base_url: str | None = None
    paystack_callback_url: str | None = None
    # Bound on one whole Paystack call (connect, send, read); verify is retried once.
    paystack_timeout_seconds: float = 5.0
    # A repeated initPayment reuses an open checkout younger than this.
    payment_reuse_seconds: int = 1800
    aws_region: str | None = None
    aws_endpoint_url: str | None = None
    s3_certificates_bucket: str | None = None
    cloudfront_domain: str | None = None
    cloudfront_key_pair_id: str | None = None
    cloudfront_private_key_path: str | None = None
    playback_url_ttl_seconds: int = 600
    certificate_url_ttl_seconds: int = 300
    # Where certificates send people to verify them ({number} is replaced); None: this server.
    certificate_verify_url: str | None = None
    # What the certificate and its public page name as the issuer, and who signs it.
    certificate_issuer_name: str = "EdXelera"
    certificate_logo_path: str | None = None
    certificate_signatory_name: str | None = None
    certificate_signatory_title: str | None = None
    cache_ttl_seconds: int = 60
    cors_allow_origins: tuple[str, ...] = ("http://localhost:3000",)
    log_level: str = "INFO"
    # Auth: how long a resolved viewer (status, roles, session) may be served from the cache,
    # and the rate limits (counts per window) on sign-in and sign-up.
    viewer_cache_ttl_seconds: int = 60
    rate_limit_window_seconds: int = 900
    sign_in_limit_per_email: int = 10
    sign_in_limit_per_ip: int = 100
    sign_up_limit_per_ip: int = 20
    # GraphQL limits (docs/api-guide.md "Limits"); production defaults, configurable.
    graphql_max_depth: int = 12
    graphql_max_tokens: int = 5000
    graphql_max_aliases: int = 20
    graphql_max_cost: int = 20_000
    graphql_max_body_bytes: int = 100_000
    # GET answers to anonymous queries: seconds a CDN or browser may reuse them (0: no-cache).
    graphql_get_cache_seconds: int = 0
    # Automatic persisted queries: how long a registered document is kept.
    apq_ttl_seconds: int = 7 * 24 * 3600
    # Production option: run only the documents of this Apollo persisted-query manifest.
    graphql_persisted_queries_only: bool = False
    graphql_persisted_queries_path: str | None = None
    # console (readable, development) or json (one object per line).
    log_format: str = "json"
    webhook_max_body_bytes: int = 1_000_000
    # Proxies whose X-Forwarded-For is believed (uvicorn's FORWARDED_ALLOW_IPS); None: loopback.
    forwarded_allow_ips: str | None = None
    # All of a webhook's verify attempts together: Paystack waits about 5 s for the answer.
    webhook_verify_deadline_seconds: float = 4.0
    # Local state for the embedded defaults (SQLite file, local storage, generated keys).
    var_dir: str = "var"
    # Bearer token of /metrics; unset: open outside production, not served in production.
    metrics_token: str | None = None
    # OTLP/HTTP collector of traces (the SDK reads the other OTEL_* variables); unset: none.
    otel_exporter_otlp_endpoint: str | None = None
    # Learner emails (mail_settings.py); frozen, so one shared default is safe.
    smtp: SmtpSettings = SmtpSettings()  # noqa: RUF009

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_paystack_sandbox(self) -> bool:
        return not self.paystack_secret_key

    @property
    def uses_asymmetric_jwt(self) -> bool:
        return bool(self.jwt_private_key_path and self.jwt_public_key_path)

    @property
    def uses_local_storage(self) -> bool:
        return not self.s3_certificates_bucket

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        # Long because it lists every environment key, one line each: splitting it would
        # only scatter the list `.env.example` mirrors.
        env = os.environ if environ is None else environ

        def text(name: str, default: str | None = None) -> str | None:
            value = env.get(name)
            if value is None or value.strip() == "":
                return default
            return value.strip()

        problems: list[str] = []

        def integer(name: str, default: int, *, minimum: int = 1) -> int:
            raw = text(name)
            if raw is None:
                return default
            try:
                value = int(raw)
            except ValueError:
                problems.append(f"{name} must be an integer, got {raw!r}")
                return default
            if value < minimum:
                problems.append(f"{name} must be at least {minimum}, got {value}")
                return default
            return value

        # Production unless told otherwise: a deployment that forgets APP_ENV gets the guard,
        # not the sandbox, GraphiQL and unmasked errors. `make run` says development.
        app_env = (text("APP_ENV", "production") or "production").lower()
        if app_env not in ENVIRONMENTS:
            problems.append(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, got {app_env!r}")
            app_env = "production"
        var_dir = text("EDXELERA_VAR_DIR", "var") or "var"
        database_url = text("DATABASE_URL") or f"sqlite+aiosqlite:///{var_dir}/edxelera.sqlite3"
        # A local frontend (Next.js on 3000, Vite on 5173) works out of the box in development.
        # Production allows no browser origin until the operator lists the frontend's.
        default_origins = {"development": DEV_CORS_ORIGINS, "test": "http://localhost:3000"}.get(
            app_env, ""
        )
        origins = tuple(
            o.strip()
            for o in (text("CORS_ALLOW_ORIGINS", default_origins) or "").split(",")
            if o.strip()
        )
        log_format = text("LOG_FORMAT") or ("console" if app_env == "development" else "json")
        if log_format.lower() not in ("console", "json"):
            problems.append(f"LOG_FORMAT must be console or json, got {log_format!r}")
        settings = cls(
            app_env=app_env,
            database_url=database_url,
            redis_url=text("REDIS_URL"),
            public_base_url=(text("PUBLIC_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/"),
            jwt_secret=text("JWT_SECRET"),
            jwt_private_key_path=text("JWT_PRIVATE_KEY_PATH"),
            jwt_public_key_path=text("JWT_PUBLIC_KEY_PATH"),
            jwt_issuer=text("JWT_ISSUER", "edxelera") or "edxelera",
            jwt_audience=text("JWT_AUDIENCE", "edxelera") or "edxelera",
            access_token_ttl_seconds=integer("ACCESS_TOKEN_TTL_SECONDS", 900),
            refresh_token_ttl_days=integer("REFRESH_TOKEN_TTL_DAYS", 30),
            paystack_secret_key=text("PAYSTACK_SECRET_KEY"),
            paystack_base_url=text("PAYSTACK_BASE_URL"),
            paystack_callback_url=text("PAYSTACK_CALLBACK_URL"),
            paystack_timeout_seconds=integer("PAYSTACK_TIMEOUT_SECONDS", 5),
            payment_reuse_seconds=integer("PAYMENT_REUSE_SECONDS", 1800),
            aws_region=text("AWS_REGION"),
            aws_endpoint_url=text("AWS_ENDPOINT_URL"),
            s3_certificates_bucket=text("S3_CERTIFICATES_BUCKET"),
            cloudfront_domain=text("CLOUDFRONT_DOMAIN"),
            cloudfront_key_pair_id=text("CLOUDFRONT_KEY_PAIR_ID"),
            cloudfront_private_key_path=text("CLOUDFRONT_PRIVATE_KEY_PATH"),
            playback_url_ttl_seconds=integer("PLAYBACK_URL_TTL_SECONDS", 600),
            certificate_url_ttl_seconds=integer("CERTIFICATE_URL_TTL_SECONDS", 300),
            certificate_verify_url=text("CERTIFICATE_VERIFY_URL"),
            certificate_issuer_name=text("CERTIFICATE_ISSUER_NAME", "EdXelera") or "EdXelera",
            certificate_logo_path=text("CERTIFICATE_LOGO_PATH"),
            certificate_signatory_name=text("CERTIFICATE_SIGNATORY_NAME"),
            certificate_signatory_title=text("CERTIFICATE_SIGNATORY_TITLE"),
            cache_ttl_seconds=integer("CACHE_TTL_SECONDS", 60),
            cors_allow_origins=origins,
            log_level=(text("LOG_LEVEL", "INFO") or "INFO").upper(),
            viewer_cache_ttl_seconds=integer("VIEWER_CACHE_TTL_SECONDS", 60),
            rate_limit_window_seconds=integer("RATE_LIMIT_WINDOW_SECONDS", 900),
            sign_in_limit_per_email=integer("SIGN_IN_LIMIT_PER_EMAIL", 10),
            sign_in_limit_per_ip=integer("SIGN_IN_LIMIT_PER_IP", 100),
            sign_up_limit_per_ip=integer("SIGN_UP_LIMIT_PER_IP", 20),
            graphql_max_depth=integer("GRAPHQL_MAX_DEPTH", 12),
            graphql_max_tokens=integer("GRAPHQL_MAX_TOKENS", 5000),
            graphql_max_aliases=integer("GRAPHQL_MAX_ALIASES", 20),
            graphql_max_cost=integer("GRAPHQL_MAX_COST", 20_000),
            graphql_max_body_bytes=integer("GRAPHQL_MAX_BODY_BYTES", 100_000),
            webhook_max_body_bytes=integer("WEBHOOK_MAX_BODY_BYTES", 1_000_000),
            forwarded_allow_ips=text("FORWARDED_ALLOW_IPS"),
            graphql_get_cache_seconds=integer("GRAPHQL_GET_CACHE_SECONDS", 0, minimum=0),
            apq_ttl_seconds=integer("APQ_TTL_SECONDS", 7 * 24 * 3600),
            graphql_persisted_queries_only=(text("GRAPHQL_PERSISTED_QUERIES_ONLY") or "").lower()
            in ("1", "true", "yes"),
            graphql_persisted_queries_path=text("GRAPHQL_PERSISTED_QUERIES_PATH"),
            log_format=log_format.lower(),
            webhook_verify_deadline_seconds=float(integer("WEBHOOK_VERIFY_DEADLINE_SECONDS", 4)),
            var_dir=var_dir,
            metrics_token=text("METRICS_TOKEN"),
            otel_exporter_otlp_endpoint=text("OTEL_EXPORTER_OTLP_ENDPOINT"),
            smtp=SmtpSettings.read(text, integer, problems),
        )
        if problems:
            raise SettingsError("invalid configuration: " + "; ".join(problems))
        return settings

    # -- derived values ---------------------------------------------------------------------

    def effective_paystack_base_url(self) -> str:
        if self.paystack_base_url:
            return self.paystack_base_url.rstrip("/")
        if self.uses_paystack_sandbox:
            return self.public_base_url + SANDBOX_PAYSTACK_PATH
        return DEFAULT_PAYSTACK_BASE_URL

    def effective_paystack_secret_key(self) -> str:
        """The real key, or outside production the sandbox's fixed development key."""
        if self.paystack_secret_key:
            return self.paystack_secret_key
        if self.is_production:
            raise SettingsError("PAYSTACK_SECRET_KEY is required in production")
        return SANDBOX_PAYSTACK_SECRET_KEY

    def effective_paystack_callback_url(self) -> str:
        return self.paystack_callback_url or self.public_base_url + LOCAL_PAYMENT_CALLBACK_PATH

    def paystack_webhook_url(self) -> str:
        """Where Paystack (or the sandbox) delivers webhooks: set it in the Paystack dashboard."""
        return self.public_base_url + PAYSTACK_WEBHOOK_PATH

    def effective_jwt_secret(self) -> str:
        """The HS256 secret; outside production a per-checkout generated one is fine."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.is_production:
            raise SettingsError("JWT_SECRET is required in production")
        return _development_secret(Path(self.var_dir))

    def production_problems(self) -> list[str]:
        """Every unsafe default that production must refuse (empty outside production)."""
        if not self.is_production:
            return []
        problems: list[str] = []
        if self.uses_sqlite:
            problems.append("DATABASE_URL must point at MySQL/MariaDB, not SQLite")
        if not self.redis_url:
            problems.append("REDIS_URL is required (the in-process cache is for development)")
        if self.viewer_cache_ttl_seconds > 60:
            problems.append("VIEWER_CACHE_TTL_SECONDS may not exceed 60 (suspensions must bite)")
        if bool(self.jwt_private_key_path) != bool(self.jwt_public_key_path):
            problems.append("set both JWT_PRIVATE_KEY_PATH and JWT_PUBLIC_KEY_PATH, or neither")
        if not self.uses_asymmetric_jwt:
            if not self.jwt_secret or self.jwt_secret.lower() in KNOWN_WEAK_SECRETS:
                problems.append("JWT_SECRET is missing or a known default")
            elif len(self.jwt_secret) < 32:
                problems.append("JWT_SECRET must be at least 32 characters")
            elif weakness := secret_weakness(self.jwt_secret):
                problems.append(f"JWT_SECRET {weakness}")
        if not self.paystack_secret_key or self.paystack_secret_key.lower() in KNOWN_WEAK_SECRETS:
            problems.append(
                "PAYSTACK_SECRET_KEY is required (the local sandbox is for development)"
            )
        elif self.paystack_secret_key == SANDBOX_PAYSTACK_SECRET_KEY:
            problems.append("PAYSTACK_SECRET_KEY is the local sandbox's development key")
        elif SANDBOX_PAYSTACK_PATH in (self.paystack_base_url or ""):
            problems.append("PAYSTACK_BASE_URL points at the local sandbox")
        if not (self.paystack_callback_url or "").startswith("https://"):
            # The local callback page tells the payer to use GraphiQL, which production turns off.
            problems.append(
                "PAYSTACK_CALLBACK_URL must be the frontend's https payment-return page"
            )
        if self.uses_local_storage:
            problems.append("S3_CERTIFICATES_BUCKET is required (local storage is for development)")
        if not (
            self.cloudfront_domain
            and self.cloudfront_key_pair_id
            and self.cloudfront_private_key_path
        ):
            problems.append(
                "CLOUDFRONT_DOMAIN, CLOUDFRONT_KEY_PAIR_ID and CLOUDFRONT_PRIVATE_KEY_PATH "
                "are required"
            )
        if not self.public_base_url.startswith("https://"):
            problems.append("PUBLIC_BASE_URL must be https")
        if self.graphql_persisted_queries_only and not self.graphql_persisted_queries_path:
            problems.append(
                "GRAPHQL_PERSISTED_QUERIES_ONLY needs GRAPHQL_PERSISTED_QUERIES_PATH (the manifest)"
            )
        if self.metrics_token is not None and len(self.metrics_token) < 24:
            problems.append("METRICS_TOKEN must be at least 24 characters")
        if "*" in self.cors_allow_origins:
            problems.append("CORS_ALLOW_ORIGINS must list origins, not '*'")
        if self.certificate_logo_path and not Path(self.certificate_logo_path).is_file():
            problems.append(f"CERTIFICATE_LOGO_PATH {self.certificate_logo_path} is not a file")
        return problems + self.smtp.problems()

    def production_warnings(self) -> list[str]:
        """What production allows but an operator should hear about at startup."""
        if not self.is_production:
            return []
        warnings = []
        if not self.forwarded_allow_ips:
            warnings.append(
                "FORWARDED_ALLOW_IPS is not set: only a proxy on this host is trusted for "
                "X-Forwarded-For, so behind a load balancer every client shares its address "
                "(and its rate-limit buckets)"
            )
        return warnings

    def check(self) -> Settings:
        """Raise ``SettingsError`` when production is configured unsafely."""
        problems = self.production_problems()
        if problems:
            raise SettingsError("refusing to start in production: " + "; ".join(problems))
        return self


MIN_SECRET_BITS = 100


def secret_weakness(secret: str) -> str | None:
    """Why a long enough secret is still guessable, or None.

    A repeated unit ("changemechangeme...") or too few distinct characters is refused
    outright; otherwise the Shannon estimate of its characters must reach ``MIN_SECRET_BITS``
    (a random 32-character hex string gives about 115, base64 about 150).
    """
    if secret in (secret + secret)[1:-1]:
        return "is a repeated pattern; generate one (e.g. `openssl rand -base64 48`)"
    counts = Counter(secret)
    if len(counts) < 10:
        return "uses too few distinct characters; generate one (e.g. `openssl rand -base64 48`)"
    bits = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    if bits * len(secret) < MIN_SECRET_BITS:
        return "looks low in entropy; generate one (e.g. `openssl rand -base64 48`)"
    return None


def _development_secret(var_dir: Path) -> str:
    """A random secret kept under ``var/`` so development tokens survive restarts."""
    path = var_dir / "jwt-dev-secret"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        var_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        path.write_text(secret)
        path.chmod(0o600)
        return secret
