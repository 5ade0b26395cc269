"""Settings from the environment and the production guard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edxelera_gql.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]

SAFE_PRODUCTION = {
    "APP_ENV": "production",
    "DATABASE_URL": "mysql+aiomysql://app:pw@db:3306/edxelera",
    "REDIS_URL": "redis://cache:6379/0",
    "PUBLIC_BASE_URL": "https://api.edxelera.example",
    "JWT_SECRET": "q7Vn2xLp9RtB4mZs8KwYc3HdFj6GaUeN5oPi1TrQ0lXvE",
    "PAYSTACK_SECRET_KEY": "sk_live_0123456789",
    "PAYSTACK_CALLBACK_URL": "https://edxelera.example/payments/return",
    "S3_CERTIFICATES_BUCKET": "edxelera-certificates",
    "CLOUDFRONT_DOMAIN": "d111111abcdef8.cloudfront.net",
    "CLOUDFRONT_KEY_PAIR_ID": "K2JCJMDEHXQW5F",
    "CLOUDFRONT_PRIVATE_KEY_PATH": "/run/secrets/cloudfront.pem",
    "CORS_ALLOW_ORIGINS": "https://edxelera.example",
    "SMTP_HOST": "smtp.edxelera.example",
    "MAIL_FROM": "EdXelera <no-reply@edxelera.example>",
}


def test_an_unset_app_env_means_production() -> None:
    assert Settings.from_env({}).app_env == "production"
    with pytest.raises(SettingsError, match="refusing to start in production"):
        Settings.from_env({}).check()


def test_development_defaults_need_nothing_but_app_env() -> None:
    settings = Settings.from_env({"APP_ENV": "development"})
    assert settings.app_env == "development"
    assert settings.database_url == "sqlite+aiosqlite:///var/edxelera.sqlite3"
    assert settings.redis_url is None
    assert settings.uses_paystack_sandbox
    assert settings.effective_paystack_base_url() == "http://127.0.0.1:8000/_sandbox/paystack"
    # The usual local frontend ports, Next.js and Vite.
    assert "http://localhost:3000" in settings.cors_allow_origins
    assert "http://127.0.0.1:5173" in settings.cors_allow_origins
    assert settings.log_format == "console"
    assert (settings.access_token_ttl_seconds, settings.refresh_token_ttl_days) == (900, 30)
    assert (settings.playback_url_ttl_seconds, settings.certificate_url_ttl_seconds) == (600, 300)
    assert settings.cache_ttl_seconds == 60
    assert settings.check() is settings


def test_values_are_read_and_validated() -> None:
    settings = Settings.from_env(
        {"CORS_ALLOW_ORIGINS": "https://a.example, https://b.example", "CACHE_TTL_SECONDS": "30"}
    )
    assert settings.cors_allow_origins == ("https://a.example", "https://b.example")
    assert settings.cache_ttl_seconds == 30
    with pytest.raises(SettingsError, match="CACHE_TTL_SECONDS must be an integer"):
        Settings.from_env({"CACHE_TTL_SECONDS": "soon"})
    with pytest.raises(SettingsError, match="APP_ENV must be one of"):
        Settings.from_env({"APP_ENV": "prod"})


def test_safe_production_configuration_is_accepted() -> None:
    settings = Settings.from_env(SAFE_PRODUCTION).check()
    assert settings.is_production
    assert settings.effective_paystack_base_url() == "https://api.paystack.co"


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"DATABASE_URL": "sqlite+aiosqlite:///var/x.sqlite3"}, "not SQLite"),
        ({"REDIS_URL": ""}, "REDIS_URL is required"),
        ({"JWT_SECRET": ""}, "JWT_SECRET is missing"),
        ({"JWT_SECRET": "changeme"}, "JWT_SECRET is missing or a known default"),
        ({"JWT_SECRET": "short-secret"}, "at least 32 characters"),
        ({"JWT_SECRET": "changemechangemechangemechangeme"}, "repeated pattern"),
        ({"JWT_SECRET": "k" * 48}, "repeated pattern"),
        ({"JWT_SECRET": "abcdefabcdefabcdeabcdefabcdefabcdef"}, "too few distinct"),
        ({"JWT_SECRET": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdefghij"}, "entropy"),
        ({"PAYSTACK_SECRET_KEY": ""}, "PAYSTACK_SECRET_KEY is required"),
        ({"PAYSTACK_BASE_URL": "https://api.example/_sandbox/paystack"}, "local sandbox"),
        ({"PAYSTACK_CALLBACK_URL": ""}, "PAYSTACK_CALLBACK_URL"),
        ({"PAYSTACK_CALLBACK_URL": "http://edxelera.example/r"}, "PAYSTACK_CALLBACK_URL"),
        ({"S3_CERTIFICATES_BUCKET": ""}, "local storage is for development"),
        ({"CLOUDFRONT_KEY_PAIR_ID": ""}, "CLOUDFRONT_KEY_PAIR_ID"),
        ({"PUBLIC_BASE_URL": "http://api.edxelera.example"}, "must be https"),
        ({"CORS_ALLOW_ORIGINS": "*"}, "not '\\*'"),
        ({"SMTP_HOST": ""}, "SMTP_HOST is required"),
        ({"MAIL_FROM": ""}, "MAIL_FROM must be set"),
        ({"SMTP_USER": "mailer"}, "both SMTP_USER and SMTP_PASSWORD"),
    ],
)
def test_production_refuses_unsafe_defaults(changes: dict[str, str], complaint: str) -> None:
    settings = Settings.from_env({**SAFE_PRODUCTION, **changes})
    with pytest.raises(SettingsError, match=complaint):
        settings.check()


def test_production_without_anything_lists_every_problem() -> None:
    problems = Settings.from_env({"APP_ENV": "production"}).production_problems()
    assert len(problems) >= 6


def test_production_never_generates_a_jwt_secret() -> None:
    settings = Settings.from_env({**SAFE_PRODUCTION, "JWT_SECRET": ""})
    with pytest.raises(SettingsError):
        settings.effective_jwt_secret()


def test_development_jwt_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings.from_env({"APP_ENV": "development", "EDXELERA_VAR_DIR": str(tmp_path)})
    first = settings.effective_jwt_secret()
    assert len(first) >= 48
    assert settings.effective_jwt_secret() == first
    assert (tmp_path / "jwt-dev-secret").stat().st_mode & 0o077 == 0


def test_env_example_lists_every_configuration_variable() -> None:
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    source = (ROOT / "edxelera_gql" / "settings.py").read_text()
    source += (ROOT / "edxelera_gql" / "mail_settings.py").read_text()
    read = set(re.findall(r'(?:text|integer)\("([A-Z][A-Z0-9_]+)"', source))
    assert read, "settings.py reads no variables?"
    assert read <= documented, f"undocumented: {sorted(read - documented)}"
    # The configuration contract (docs/operator-guide.md).
    contract = {
        "APP_ENV",
        "DATABASE_URL",
        "REDIS_URL",
        "PUBLIC_BASE_URL",
        "JWT_SECRET",
        "JWT_PRIVATE_KEY_PATH",
        "JWT_PUBLIC_KEY_PATH",
        "JWT_ISSUER",
        "JWT_AUDIENCE",
        "ACCESS_TOKEN_TTL_SECONDS",
        "REFRESH_TOKEN_TTL_DAYS",
        "PAYSTACK_SECRET_KEY",
        "PAYSTACK_BASE_URL",
        "PAYSTACK_CALLBACK_URL",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "S3_CERTIFICATES_BUCKET",
        "CLOUDFRONT_DOMAIN",
        "CLOUDFRONT_KEY_PAIR_ID",
        "CLOUDFRONT_PRIVATE_KEY_PATH",
        "PLAYBACK_URL_TTL_SECONDS",
        "CERTIFICATE_URL_TTL_SECONDS",
        "CACHE_TTL_SECONDS",
        "CORS_ALLOW_ORIGINS",
        "LOG_LEVEL",
    }
    assert contract <= read, f"not read by settings.py: {sorted(contract - read)}"
    assert contract <= documented


def test_production_warns_until_trusted_proxies_are_named() -> None:
    settings = Settings.from_env(SAFE_PRODUCTION)
    [warning] = settings.production_warnings()
    assert "FORWARDED_ALLOW_IPS" in warning
    named = Settings.from_env({**SAFE_PRODUCTION, "FORWARDED_ALLOW_IPS": "10.0.0.0/8"})
    assert named.production_warnings() == []
    assert named.forwarded_allow_ips == "10.0.0.0/8"
    assert Settings.from_env({"APP_ENV": "development"}).production_warnings() == []


def test_serve_hands_the_trusted_proxies_to_uvicorn(monkeypatch) -> None:
    import uvicorn

    from edxelera_gql.__main__ import main

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.1.2.3")
    assert main(["serve", "--port", "9"]) == 0
    assert (seen["proxy_headers"], seen["forwarded_allow_ips"]) == (True, "10.1.2.3")


def test_smtp_settings_are_read_from_the_environment() -> None:
    smtp = Settings.from_env(
        {
            **SAFE_PRODUCTION, "SMTP_PORT": "465", "SMTP_TLS": "TLS", "SMTP_USER": "u",
            "SMTP_PASSWORD": "p", "SMTP_TIMEOUT_SECONDS": "3",
        }
    ).check().smtp  # fmt: skip
    assert (smtp.host, smtp.port, smtp.tls, smtp.user, smtp.password) == (
        "smtp.edxelera.example", 465, "tls", "u", "p",
    )  # fmt: skip
    assert smtp.from_address == "EdXelera <no-reply@edxelera.example>"
    assert smtp.timeout_seconds == 3.0
    with pytest.raises(SettingsError, match="SMTP_TLS must be one of"):
        Settings.from_env({"APP_ENV": "development", "SMTP_TLS": "ssl"})
    assert Settings.from_env({"APP_ENV": "development"}).check().smtp.host is None
