"""Command line: serve, worker, migrate, import-program, create-user, seed-demo, videos sync,
outbox, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import secrets
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select

from edxelera_gql.clock import SystemClock
from edxelera_gql.db import migrations
from edxelera_gql.db.engine import create_engine, create_sessionmaker
from edxelera_gql.infra import listeners, metrics
from edxelera_gql.infra.cache import create_cache
from edxelera_gql.infra.storage import create_storage
from edxelera_gql.settings import Settings, SettingsError

T = TypeVar("T")


def _with_sessionmaker(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from edxelera_gql.app import create_app

    settings = _base_url_follows_port(settings, args)
    if settings.app_env == "development":
        # A fresh checkout runs with no set-up: create the schema, load demo data once.
        migrations.upgrade(settings.database_url)
        if _with_sessionmaker(settings, _catalog_is_empty):
            print("First start: loading the demo programs and accounts.")
            cmd_seed_demo(settings, args)
    workers = _workers(settings, args.workers)
    if workers > 1 and not settings.redis_url:
        # Rate limits, cache versions, single-flight and persisted queries live in Redis; with
        # the in-process cache each worker would keep its own and contradict the others.
        print("serve --workers > 1 needs REDIS_URL (shared state across workers).", file=sys.stderr)
        return 2
    common: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_config": None,
        "proxy_headers": True,
        # Client addresses key the rate limits: only these proxies may say who the client is.
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }
    if workers == 1:
        uvicorn.run(create_app(settings, settle_heap=True), **common)
    else:
        # Each worker builds its app from the environment; the port-derived URL goes with it.
        os.environ["PUBLIC_BASE_URL"] = settings.public_base_url
        # Metrics of all workers add up on any worker's /metrics (a directory they share).
        metrics.prepare_multiprocess_dir(Path(settings.var_dir) / "prometheus")
        _serve_workers(workers, common)
    return 0


def _serve_workers(workers: int, common: dict[str, Any]) -> None:
    """uvicorn's supervisor (restarts, health checks, signals), each worker on a listening
    socket of its own (``infra.listeners``) so connections spread across them."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "edxelera_gql.app:create_served_app", factory=True, workers=workers, **common
    )
    if not listeners.supported():
        uvicorn.run(config.app, factory=True, workers=workers, **common)
        return
    placeholder = listeners.PerWorker(common["host"], common["port"])
    try:
        Multiprocess(config, sockets=[placeholder]).run()  # type: ignore[list-item]
    finally:
        placeholder.close()


def _workers(settings: Settings, asked: int | None) -> int:
    """--workers, else WEB_CONCURRENCY, else one per core in production and one elsewhere."""
    if asked is not None:
        return max(1, asked)
    from_env = os.environ.get("WEB_CONCURRENCY", "").strip()
    if from_env.isdigit() and int(from_env) > 0:
        return int(from_env)
    return (os.cpu_count() or 1) if settings.is_production else 1


def _base_url_follows_port(settings: Settings, args: argparse.Namespace) -> Settings:
    """Unset PUBLIC_BASE_URL outside production means this server: `serve --port 8123` must not
    send the sandbox's webhooks and every signed link to whatever listens on 8000."""
    if settings.is_production or os.environ.get("PUBLIC_BASE_URL", "").strip():
        return settings
    # A wildcard listen address is not a URL a browser can open; loopback is.
    wildcard = args.host in ("", "::") or args.host == "0.0.0.0"  # noqa: S104
    host = "127.0.0.1" if wildcard else args.host
    host = f"[{host}]" if ":" in host else host
    return settings.with_overrides(public_base_url=f"http://{host}:{args.port}")


async def _catalog_is_empty(sessionmaker: Any) -> bool:
    from edxelera_gql.catalog.models import Cohort

    async with sessionmaker() as session:
        return (await session.scalar(select(func.count(Cohort.id)))) == 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    if args.downgrade:
        migrations.downgrade(settings.database_url, args.downgrade)
    elif args.check:
        from alembic.util import CommandError

        try:
            migrations.check(settings.database_url)
        except CommandError as exc:
            # Not at head, or the models drifted from the migrations: a verdict, not a crash.
            print(f"migrations check failed: {exc}", file=sys.stderr)
            return 1
        print("migrations check passed: at head, models match")
    else:
        migrations.upgrade(settings.database_url, args.revision)
    return 0


def cmd_import_program(settings: Settings, args: argparse.Namespace) -> int:
    from edxelera_gql.catalog.content import ContentRejected
    from edxelera_gql.catalog.importer import import_program_text

    path = Path(args.file)
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2

    async def work(sessionmaker: Any) -> Any:
        # The running servers' caches must forget the program's old content.
        cache = create_cache(settings.redis_url)
        try:
            return await import_program_text(sessionmaker, content, filename=path.name, cache=cache)
        finally:
            await cache.close()

    try:
        report = _with_sessionmaker(settings, work)
    except ContentRejected as exc:
        print(
            f"{path}: refused, nothing was written ({len(exc.problems)} problems):", file=sys.stderr
        )
        for problem in exc.problems:
            print(f"  {problem.path or '(document)'}: {problem.message}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    from edxelera_gql.auth.accounts import create_account
    from edxelera_gql.errors import DomainError

    password = args.password
    generated = False
    if password is None:
        if sys.stdin.isatty():
            password = getpass.getpass("Password (empty to generate one): ")
        if not password:
            password, generated = secrets.token_urlsafe(12), True

    async def work(sessionmaker: Any) -> Any:
        return await create_account(
            sessionmaker,
            email=args.email,
            full_name=args.name,
            roles=[args.role],
            password=password,
        )

    try:
        user = _with_sessionmaker(settings, work)
    except DomainError as exc:
        print(f"refused: {' '.join(e.message for e in exc.all())}", file=sys.stderr)
        return 1
    print(f"created user {user.id} <{user.email}> with role {args.role}")
    if generated:
        print(f"generated password (shown once): {password}")
    return 0


def cmd_seed_demo(settings: Settings, _args: argparse.Namespace) -> int:
    from edxelera_gql.demo.seed import seed_demo

    if settings.is_production:
        # It creates an admin with a printed password and resets the demo accounts.
        print("seed-demo refuses to run in production (set APP_ENV=development).", file=sys.stderr)
        return 2
    migrations.upgrade(settings.database_url)
    now = SystemClock().now()
    storage = create_storage(settings)
    accounts = _with_sessionmaker(settings, lambda sm: seed_demo(sm, now=now, storage=storage))
    print(
        "Demo programs loaded: demo-data-analytics (paid, enrollment open), "
        "demo-python-foundations (free, running), demo-git-essentials (finished; ada@ holds "
        "its certificates and is enrolled in demo-python-foundations)."
    )
    print("Demo accounts (passwords are shown once; run seed-demo again to reset them):")
    for account in accounts:
        print(f"  {account.role:<10} {account.email:<34} {account.password}")
    return 0


def cmd_videos_sync(settings: Settings, _args: argparse.Namespace) -> int:
    from edxelera_gql.catalog.videos import sync_pending_videos

    storage = create_storage(settings)

    async def work(sessionmaker: Any) -> Any:
        async with sessionmaker() as session, session.begin():
            return await sync_pending_videos(session, storage=storage)

    report = _with_sessionmaker(settings, work)
    print(report.summary())
    return 0


def cmd_outbox(settings: Settings, args: argparse.Namespace) -> int:
    """The learner emails of the outbox, newest first (development's catcher keeps the
    messages themselves under var/mail/)."""
    from edxelera_gql.notifications.listing import outbox_lines

    lines = _with_sessionmaker(
        settings, lambda sm: outbox_lines(sm, limit=args.limit, status=args.status)
    )
    print("\n".join(lines) if lines else "the outbox is empty")
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    """The background job worker (SAQ on REDIS_URL): scheduled and on-demand jobs."""
    if not settings.redis_url:
        print(
            "worker needs REDIS_URL (the job queue lives in Redis). Without Redis, `serve` "
            "runs the schedule itself in development.",
            file=sys.stderr,
        )
        return 2
    from edxelera_gql.infra.logging import configure_logging
    from edxelera_gql.jobs.worker import run_worker

    configure_logging(settings.log_level, settings.log_format)
    if args.metrics_port is not None:
        from prometheus_client import start_http_server

        # Its own /metrics, for hosts where it shares no PROMETHEUS_MULTIPROC_DIR with `serve`.
        start_http_server(args.metrics_port, addr=args.metrics_host)
    return run_worker(settings, burst=args.burst)


def cmd_jobs_enqueue(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.redis_url:
        print("jobs enqueue needs REDIS_URL (the job queue lives in Redis).", file=sys.stderr)
        return 2
    from edxelera_gql.jobs.worker import enqueue_now

    asyncio.run(enqueue_now(settings, args.job))
    print(f"queued {args.job}: a running worker picks it up")
    return 0


def cmd_export_schema(_settings: Settings | None, args: argparse.Namespace) -> int:
    from edxelera_gql.graphql.schema import schema_sdl

    sdl = schema_sdl()
    target = Path(args.output)
    if args.check:
        current = target.read_text() if target.exists() else ""
        if current != sdl:
            print(
                f"{target} differs from the code; run `python -m edxelera_gql export-schema`",
                file=sys.stderr,
            )
            return 1
        print(f"{target} matches the code")
        return 0
    target.write_text(sdl)
    print(f"wrote {target}")
    return 0


def _add_job_commands(sub: Any) -> None:
    """``worker`` and ``jobs enqueue``."""
    worker = sub.add_parser("worker", help="run background jobs (SAQ on REDIS_URL)")
    worker.add_argument(
        "--burst", action="store_true", help="run the queued jobs, then exit (no schedule)"
    )
    worker.add_argument("--metrics-port", type=int, help="serve this worker's /metrics there")
    worker.add_argument("--metrics-host", default="127.0.0.1")
    worker.set_defaults(func=cmd_worker)

    from edxelera_gql.jobs.schedule import SCHEDULE

    jobs = sub.add_parser("jobs", help="background jobs")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    enqueue = jobs_sub.add_parser("enqueue", help="queue a scheduled job to run now")
    enqueue.add_argument("job", choices=[s.job for s in SCHEDULE])
    enqueue.set_defaults(func=cmd_jobs_enqueue)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m edxelera_gql", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: WEB_CONCURRENCY, else one per core in production, "
        "one in development); more than one needs REDIS_URL",
    )
    serve.set_defaults(func=cmd_serve)

    _add_job_commands(sub)

    migrate = sub.add_parser("migrate", help="upgrade the database (or --downgrade REV, --check)")
    migrate.add_argument("--revision", default="head")
    migrate.add_argument("--downgrade", metavar="REV")
    migrate.add_argument(
        "--check", action="store_true", help="fail if models and migrations differ"
    )
    migrate.set_defaults(func=cmd_migrate)

    imp = sub.add_parser("import-program", help="import a program content file (YAML or JSON)")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import_program)

    user = sub.add_parser("create-user", help="create an account")
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=["student", "instructor", "admin"])
    user.add_argument("--password", help="omit to be asked, or to generate one")
    user.set_defaults(func=cmd_create_user)

    seed = sub.add_parser("seed-demo", help="load demo programs and accounts")
    seed.set_defaults(func=cmd_seed_demo)

    videos = sub.add_parser("videos", help="video assets")
    videos_sub = videos.add_subparsers(dest="videos_command", required=True)
    sync = videos_sub.add_parser("sync", help="mark pending assets ready/failed from storage")
    sync.set_defaults(func=cmd_videos_sync)

    outbox = sub.add_parser("outbox", help="list the learner emails (sent, pending, failed)")
    outbox.add_argument("--limit", type=int, default=20)
    outbox.add_argument("--status", choices=["pending", "sending", "sent", "skipped", "failed"])
    outbox.set_defaults(func=cmd_outbox)

    schema = sub.add_parser("export-schema", help="write schema.graphql from the code")
    schema.add_argument("--output", default="schema.graphql")
    schema.add_argument("--check", action="store_true", help="fail if the file differs")
    schema.set_defaults(func=cmd_export_schema, needs_settings=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings: Settings | None = None
    if getattr(args, "needs_settings", True):
        try:
            settings = Settings.from_env().check()
        except SettingsError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    return args.func(settings, args)


if __name__ == "__main__":
    sys.exit(main())
