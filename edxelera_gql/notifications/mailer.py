"""SMTP delivery with ``aiosmtplib``: one connection per batch, a MIME message per email.

Without ``SMTP_HOST`` (development and tests only; production refuses to start without it) the
mail goes to the in-process catcher (``catcher``), over real SMTP all the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

import aiosmtplib

from edxelera_gql.mail_settings import SmtpSettings
from edxelera_gql.notifications import catcher
from edxelera_gql.notifications.templates import Rendered


def build_message(
    rendered: Rendered, *, sender: str, to_name: str, to_address: str, message_id: str,
    now: datetime,
) -> EmailMessage:  # fmt: skip
    message = EmailMessage()
    message["From"] = sender
    # Names and titles are typed by people: no line break may reach a header.
    message["To"] = formataddr((" ".join(to_name.split()), to_address))
    message["Subject"] = " ".join(rendered.subject.split())
    message["Date"] = format_datetime(now)
    # The same id on every try of one outbox row: a receiving system can drop a duplicate.
    message["Message-ID"] = message_id
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def message_id(outbox_id: int, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "edxelera.localhost"
    return f"<outbox-{outbox_id}@{domain}>"


class Mailer:
    def __init__(self, smtp: SmtpSettings, *, var_dir: str = "var") -> None:
        self.smtp = smtp
        self.var_dir = var_dir

    @property
    def sender(self) -> str:
        return self.smtp.from_address

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[aiosmtplib.SMTP]:
        host, port = self.smtp.host, self.smtp.port
        local = host is None
        if host is None:
            host, port = await catcher.ensure_running(self.var_dir)
        client = aiosmtplib.SMTP(
            hostname=host,
            port=port,
            username=self.smtp.user,
            password=self.smtp.password,
            use_tls=self.smtp.tls == "tls" and not local,
            start_tls=self.smtp.tls == "starttls" and not local,
            timeout=self.smtp.timeout_seconds,
        )
        await client.connect()
        try:
            yield client
        finally:
            with suppress(Exception):
                await client.quit()
