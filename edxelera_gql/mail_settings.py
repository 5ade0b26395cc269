"""The SMTP part of the settings, read from the environment by ``Settings.from_env``.

Apart so ``settings.py`` stays readable; the same rules apply: every key is in ``.env.example``
and production refuses to start without a real relay (``problems``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TLS_MODES = ("starttls", "tls", "none")


@dataclass(frozen=True)
class SmtpSettings:
    # Unset outside production: the in-process catcher (notifications.catcher) takes the mail.
    host: str | None = None
    port: int = 587
    user: str | None = None
    password: str | None = None
    # starttls (upgrade after connecting, port 587), tls (implicit, port 465) or none.
    tls: str = "starttls"
    from_address: str = "EdXelera <no-reply@edxelera.localhost>"
    timeout_seconds: float = 10.0

    @classmethod
    def read(
        cls,
        text: Callable[[str], str | None],
        integer: Callable[[str, int], int],
        problems: list[str],
    ) -> SmtpSettings:
        tls = (text("SMTP_TLS") or "starttls").lower()
        if tls not in TLS_MODES:
            problems.append(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}, got {tls!r}")
        return cls(
            host=text("SMTP_HOST"),
            port=integer("SMTP_PORT", 587),
            user=text("SMTP_USER"),
            password=text("SMTP_PASSWORD"),
            tls=tls,
            from_address=text("MAIL_FROM") or cls.from_address,
            timeout_seconds=float(integer("SMTP_TIMEOUT_SECONDS", 10)),
        )

    def problems(self) -> list[str]:
        """What production refuses: mail would otherwise go nowhere, silently."""
        found = []
        if not self.host:
            found.append("SMTP_HOST is required (learner emails; the local catcher is for dev)")
        if self.from_address == SmtpSettings.from_address:
            found.append("MAIL_FROM must be set (a sender address of your domain)")
        if bool(self.user) != bool(self.password):
            found.append("set both SMTP_USER and SMTP_PASSWORD, or neither")
        return found
