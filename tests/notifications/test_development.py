"""Development without an SMTP relay: the in-process catcher takes the mail (over real SMTP)
and keeps it under var/mail/, and `python -m edxelera_gql outbox` lists what was sent."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email import message_from_bytes

from edxelera_gql.__main__ import main
from edxelera_gql.mail_settings import SmtpSettings
from edxelera_gql.notifications import scan, sender
from edxelera_gql.notifications.mailer import Mailer
from tests.support.factories import make_program
from tests.support.users import create_account, enroll

START_OFFSET = timedelta(minutes=2)


async def test_without_smtp_host_the_catcher_keeps_the_mail_and_the_outbox_lists_it(
    app, jc, sessionmaker, clock, tmp_path, monkeypatch, database_url, capsys
) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="dev", start=clock.now() - START_OFFSET)
    ada = await create_account(app, sessionmaker, email="ada@example.com")
    await enroll(sessionmaker, user_id=ada.user_id, cohort_id=cohort.id)
    assert await scan.scan(sessionmaker, now=clock.now()) == 1
    report = await sender.send_pending(
        sessionmaker, mailer=Mailer(SmtpSettings(), var_dir=str(tmp_path)),
        public_base_url="http://127.0.0.1:8000", verify_url_template=None, now=clock.now(),
    )  # fmt: skip
    assert report.sent == 1
    [kept] = list((tmp_path / "mail").glob("*.eml"))
    message = message_from_bytes(kept.read_bytes())
    assert message["Subject"] == "Program dev: week 1 is open"
    assert "ada@example.com" in message["To"]

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("APP_ENV", "test")
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["outbox", "--limit", "5"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert "sent" in line
    assert "week_released" in line
    assert "ada@example.com" in line
    assert "Program dev: week 1 is open" in line
    assert await asyncio.to_thread(main, ["outbox", "--status", "failed"]) == 0
    assert capsys.readouterr().out.strip() == "the outbox is empty"
