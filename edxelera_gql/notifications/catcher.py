"""Development's mail catcher: an ``aiosmtpd`` server on a free loopback port inside this
process, started on first use when ``SMTP_HOST`` is unset. Every message it receives is kept
as an ``.eml`` file under ``<var>/mail/`` and logged; ``python -m edxelera_gql outbox`` lists
what was sent. Never used in production (the settings refuse a missing SMTP_HOST there)."""

from __future__ import annotations

import asyncio
import logging
import time
from email import message_from_bytes
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger(__name__)
# aiosmtpd logs every SMTP command at INFO; the one line per message below is enough.
logging.getLogger("mail.log").setLevel(logging.WARNING)

_servers: dict[int, tuple[asyncio.AbstractServer, int]] = {}  # per event loop


class KeepMessages:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, _server: Any, _session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{time.time_ns()}.eml"
        path.write_bytes(content)
        subject = message_from_bytes(content).get("Subject", "")
        log.info(
            "mail caught (development): %s", subject,
            extra={"to": ",".join(envelope.rcpt_tos), "file": str(path)},
        )  # fmt: skip
        return "250 OK"


async def ensure_running(var_dir: str) -> tuple[str, int]:
    """The catcher's address, starting it in this event loop the first time."""
    loop = asyncio.get_running_loop()
    found = _servers.get(id(loop))
    if found is not None and found[0].is_serving():
        return "127.0.0.1", found[1]
    handler = KeepMessages(Path(var_dir) / "mail")
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _servers[id(loop)] = (server, port)
    log.info("development mail catcher listening on 127.0.0.1:%s", port)
    return "127.0.0.1", port
