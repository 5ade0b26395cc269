"""The command line as an operator uses it (in-process, against the test database)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from edxelera_gql.__main__ import main
from edxelera_gql.app import create_app
from edxelera_gql.auth.models import User
from edxelera_gql.catalog.models import Cohort, Lesson
from edxelera_gql.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "catalog" / "data" / "example.yaml"

BROKEN = """
program:
  slug: Bad Slug
  title: Broken
  timezone: Mars/Olympus
  startAt: 2027-03-01T09:00:00
  endAt: 2027-05-24T18:00:00
  currency: naira
courses:
  - slug: sql
    title: SQL
weeks:
  - number: 1
    title: One
    lessons:
      - course: nope
        slug: a
        title: A
"""


@pytest.fixture
def cli_env(monkeypatch, database_url, clean_db):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("APP_ENV", "test")


def test_import_program_twice_then_refuse_a_broken_file(cli_env, tmp_path, capsys, sessionmaker):
    assert main(["import-program", str(EXAMPLE)]) == 0
    assert main(["import-program", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "data-analytics-2027-03" in out

    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    assert main(["import-program", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "nothing was written" in err
    assert "program.slug" in err
    assert "program.timezone" in err
    assert "weeks[0].lessons[0].course" in err


async def test_import_program_writes_rows(cli_env, sessionmaker):
    # Runs the command from a thread: it owns its own event loop, as it does from a shell.
    import asyncio

    assert await asyncio.to_thread(main, ["import-program", str(EXAMPLE)]) == 0
    async with sessionmaker() as session:
        cohort = (await session.scalars(select(Cohort))).one()
        lessons = (await session.scalars(select(Lesson))).all()
    assert cohort.slug == "data-analytics-2027-03"
    assert len(lessons) == 1


async def test_create_user_with_generated_password(cli_env, sessionmaker, capsys):
    import asyncio

    args = ["create-user", "--email", " Ops@Example.COM ", "--name", "Ops", "--role", "admin"]
    assert await asyncio.to_thread(main, args) == 0
    out = capsys.readouterr().out
    assert "generated password (shown once):" in out
    async with sessionmaker() as session:
        user = (await session.scalars(select(User))).one()
    assert user.email == "ops@example.com"
    assert await asyncio.to_thread(main, args) == 1
    assert "refused" in capsys.readouterr().err


def test_export_schema_check_detects_drift(tmp_path, capsys):
    target = tmp_path / "schema.graphql"
    assert main(["export-schema", "--output", str(target)]) == 0
    assert main(["export-schema", "--output", str(target), "--check"]) == 0
    target.write_text(target.read_text() + "\n# drift\n")
    assert main(["export-schema", "--output", str(target), "--check"]) == 1


def test_production_guard_stops_the_cli(monkeypatch, capsys):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["migrate"]) == 2
    assert "refusing to start in production" in capsys.readouterr().err


def test_a_forgotten_app_env_means_production_and_the_guard_refuses(monkeypatch, capsys):
    """Started by hand (uvicorn --factory or serve) without APP_ENV, the server must not fall
    into development (sandbox, GraphiQL, unmasked errors)."""
    for name in ("APP_ENV", "DATABASE_URL", "REDIS_URL", "PAYSTACK_SECRET_KEY", "JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert Settings.from_env({}).is_production
    assert main(["migrate", "--check"]) == 2
    refused = capsys.readouterr().err
    assert "refusing to start in production" in refused
    assert "PAYSTACK_SECRET_KEY is required" in refused
    with pytest.raises(SettingsError):
        create_app()


def test_seed_demo_refuses_production(settings, tmp_path, capsys):
    """It makes an admin with a printed password: never on a real deployment."""
    from edxelera_gql.__main__ import cmd_seed_demo
    from tests.api.test_limits_and_errors import production_settings

    assert cmd_seed_demo(production_settings(settings, tmp_path), None) == 2  # type: ignore[arg-type]
    assert "refuses to run in production" in capsys.readouterr().err


def test_migrate_check_reports_a_database_behind_head(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'behind.sqlite3'}")
    assert main(["migrate", "--check"]) == 1
    assert "not up to date" in capsys.readouterr().err
    assert main(["migrate"]) == 0
    assert main(["migrate", "--check"]) == 0
