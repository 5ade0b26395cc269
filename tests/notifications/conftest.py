"""Email tests run the app over HTTP (sandbox Paystack) with SMTP pointed at a real loopback
server (tests.support.smtp)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette

from edxelera_gql.jobs.context import JobContext
from edxelera_gql.mail_settings import SmtpSettings
from edxelera_gql.settings import Settings
from tests.support.clock import MovableClock
from tests.support.jobs import inline_context
from tests.support.paystack import SandboxServer, paystack_settings, running_app
from tests.support.smtp import SmtpServer

MAIL_FROM = "EdXelera <no-reply@edxelera.example>"


def smtp_settings(port: int) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1", port=port, tls="none", from_address=MAIL_FROM, timeout_seconds=5.0
    )


@pytest.fixture
def mail_settings(
    settings: Settings, paystack_server: SandboxServer, smtp_server: SmtpServer
) -> Settings:
    return paystack_settings(settings, paystack_server.url, smtp=smtp_settings(smtp_server.port))


@pytest.fixture
async def app(
    mail_settings: Settings, clock: MovableClock, cache: Any, paystack: Any
) -> AsyncIterator[Starlette]:
    async with running_app(mail_settings, clock) as app:
        yield app


@pytest.fixture
def jc(app: Starlette) -> JobContext:
    return inline_context(app)
