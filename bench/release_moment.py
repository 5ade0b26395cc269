"""The release moment of issue 11, in one command: the project against a raw-SQL baseline.

Usage (from the repository root; PYTHONPATH makes this checkout's code the one imported):
  PYTHONPATH=. .venv/bin/python bench/release_moment.py [--workers 2] [--students 200]
      [--duration 10] [--connections 16] [--json FILE]

What it does, all on loopback:
 1. Drops and recreates the MariaDB database `bench_release` (migrated), flushes Redis db 13,
    imports the big program (6 courses x 12 weeks x 8 lessons per course and week, with
    prerequisites, assignments and live sessions; bench/learning_home.py's program_document)
    started 33 days ago, so weeks 1-5 are released. Inserts --students students enrolled
    ACTIVE with 0..40 completed lessons each, and mints their access tokens with the app's
    TokenCodec (a live refresh-token session row each, as tests/support/users.py does).
 2. Starts the project server (`python -m edxelera_gql serve`; with --workers N and a serve
    without --workers, `uvicorn edxelera_gql.app:create_app --factory --workers N`), the raw
    baseline (bench/raw_baseline.py) and the Paystack sandbox (bench/sandbox_server.py).
 3. Measures, project vs baseline in the same run: warm and cold programHome and weekHub with
    wrk (a Lua script rotating the students' tokens), the release stampede (caches flushed,
    every student asks programHome once, 32 at a time), the webhook (signed charge.success
    deliveries with 30 % duplicates, verified against the sandbox over HTTP) and the project
    server's RSS. With --workers N > 1 also warm programHome on N workers.
 4. Prints a markdown table with the issue's targets (and --json FILE writes the numbers).

"Cold" for the project: a second server whose REDIS_URL points at a closed loopback port.
The cache fails open (reads miss, writes are dropped, a circuit breaker skips Redis after three
refusals), so every request computes its answer from MariaDB. The baseline's cold route runs
its SQL every time and never touches Redis.

The machine is shared and noisy: read the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import importlib
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pymysql
import redis
from sqlalchemy import insert, select

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
learning_home = importlib.import_module("learning_home")
profiling = importlib.import_module("profiling")

from edxelera_gql.auth.models import RefreshToken, Role, User, UserRole  # noqa: E402
from edxelera_gql.auth.tokens import TokenCodec  # noqa: E402
from edxelera_gql.catalog.importer import import_program_text  # noqa: E402
from edxelera_gql.catalog.models import Cohort, CohortCourse, Lesson, Week  # noqa: E402
from edxelera_gql.db import migrations  # noqa: E402
from edxelera_gql.db.engine import create_engine, create_sessionmaker  # noqa: E402
from edxelera_gql.enrollment.models import Enrollment  # noqa: E402
from edxelera_gql.infra.cache import create_cache  # noqa: E402
from edxelera_gql.learning.models import LessonProgress  # noqa: E402
from edxelera_gql.settings import Settings  # noqa: E402

SLUG = "bench-release"
PAID_SLUG = "bench-release-paid"
# Fixed, so the servers and the tokens minted here agree; a test secret, not a production one.
JWT_SECRET = "rm-bench-9f3K2xQ7vL1pZ8wT4nB6yH0cJ5dRq"
PAYSTACK_SECRET = "sk_test_release_moment_" + "7Hq2Lx9Vb4Nc8Kp1Zr5Wt3Ys"
HOME = learning_home.HOME
WEEK = """query($s: String!, $w: Int!) { weekHub(programSlug: $s, weekNumber: $w) {
  week { number title releaseAt isReleased assignmentDeadline lessonCount completedLessonCount }
  lessons { slug title status lockReason unlocksAt completedAt durationSeconds course { slug }
            missingPrerequisites { slug title courseSlug weekNumber } }
  assignment { title deadline isPastDeadline }
  liveSession { title startAt endAt url status }
} }"""
INIT_PAYMENT = """mutation($i: InitPaymentInput!) {
  initPayment(input: $i) { reference errors { code message } } }"""
SCENARIOS = ("warm", "stampede", "webhook", "cold", "workers")
PROGRAM_STARTED_DAYS_AGO = 33  # week n releases at start + 7(n-1) days: weeks 1-5 are out


class BenchError(Exception):
    """A clear reason the bench cannot go on."""


# --- processes ----------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class Processes:
    """Every subprocess this bench starts, each in its own process group, ended on exit."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[Proc] = []

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> Proc:
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
                cmd,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        proc = Proc(name, popen, log)
        self.running.append(proc)
        return proc

    def stop(self, proc: Proc) -> None:
        if proc in self.running:
            self.running.remove(proc)
        if proc.popen.poll() is not None:
            return
        # Its own group (start_new_session): the server and its workers, nothing else.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, signal.SIGTERM)
        try:
            proc.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGKILL)
            proc.popen.wait(timeout=5)

    def stop_all(self) -> None:
        for proc in list(self.running):
            self.stop(proc)


def log_summary(proc: Proc) -> str:
    """What a server logged at WARNING and above (LOG_LEVEL=WARNING), briefly."""
    try:
        lines = [x for x in proc.log.read_text(errors="replace").splitlines() if x.strip()]
    except OSError:
        return f"{proc.name} log: unreadable"
    if not lines:
        return f"{proc.name} log: nothing at WARNING or above"
    distinct: dict[str, int] = {}
    for line in lines:
        # "14:02:11 WARNING logger message [request id]": only the middle is the message.
        message = line.split(" ", 1)[1] if line[:2].isdigit() else line
        message = re.sub(r" \[[0-9a-f]{8,}\]$", "", message)
        distinct[message[:160]] = distinct.get(message[:160], 0) + 1
    shown = "; ".join(f"{n}x `{m}`" for m, n in list(distinct.items())[:4])
    return f"{proc.name} log: {len(lines)} lines, {len(distinct)} distinct, e.g. {shown}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(proc: Proc, url: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise BenchError(
                f"{proc.name} exited with code {proc.popen.returncode} before answering {url}; "
                f"its log ({proc.log}):\n{proc.tail()}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise BenchError(f"{proc.name} did not answer {url} within {timeout:.0f} s:\n{proc.tail()}")


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(c) for c in (task / "children").read_text().split()]
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its children (workers), from /proc."""
    total = 0.0
    for one in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def rss_tree(pid: int) -> list[dict[str, Any]]:
    """VmRSS of ``pid`` and every descendant (uvicorn's supervisor and its workers)."""
    rows, queue = [], [pid]
    while queue:
        current = queue.pop(0)
        queue += _children(current)
        try:
            status = Path(f"/proc/{current}/status").read_text()
            cmdline = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        rss = next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS")), 0)
        rows.append({"pid": current, "rss_mb": round(rss / 1024, 1), "cmd": cmdline[:90]})
    return rows


# --- the database -------------------------------------------------------------------------


def mysql_args(url: str) -> dict[str, Any]:
    parts = urlsplit(url.split("+", 1)[0] + "://" + url.split("://", 1)[1])
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "user": unquote(parts.username or "root"),
        "password": unquote(parts.password or ""),
    }


def recreate_database(server_url: str, name: str) -> None:
    if not name.startswith("bench_"):
        raise BenchError(f"--database must start with bench_ (got {name!r}): it is dropped")
    try:
        conn = pymysql.connect(**mysql_args(server_url), autocommit=True)
    except pymysql.MySQLError as exc:
        raise BenchError(f"cannot reach MariaDB at {server_url}: {exc}") from exc
    with conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")


def big_program_document(slug: str, start: datetime, lessons_per_course_week: int) -> str:
    """learning_home.program_document with 8 lessons per course and week (the issue's 576).

    program_document makes LESSONS lessons a week over 6 courses (lesson j in course j % 6,
    needing lesson j - 6 of the same course); its module constant is widened for the call."""
    saved = learning_home.LESSONS
    learning_home.LESSONS = learning_home.COURSES * lessons_per_course_week
    try:
        return learning_home.program_document(slug, start)
    finally:
        learning_home.LESSONS = saved


@dataclass
class World:
    cohort_id: int
    paid_cohort_id: int
    lessons: int
    released_weeks: int
    students: list[tuple[int, str]]  # (user id, access token)
    payers: list[tuple[int, str]]
    completed: list[int]  # lessons completed per student


async def build_world(args: argparse.Namespace, settings: Settings) -> World:
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    cache = create_cache(settings.redis_url)
    codec = TokenCodec(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=PROGRAM_STARTED_DAYS_AGO)
    try:
        document = big_program_document(SLUG, start, args.lessons_per_course_week)
        report = await import_program_text(sessionmaker, document, cache=cache)
        cohort_id = report.cohort_id
        async with sessionmaker() as session, session.begin():
            paid = Cohort(
                slug=PAID_SLUG,
                title="Bench paid program",
                description="",
                start_at_utc=now + timedelta(days=30),
                end_at_utc=now + timedelta(days=120),
                timezone="Africa/Lagos",
                published=True,
                price_minor=1_000_000,
                currency="NGN",
            )
            session.add(paid)
            await session.flush()
            paid_id = paid.id
            role_id = await session.scalar(select(Role.id).where(Role.name == "student"))
            n_students, n_payers = args.students, args.payments
            emails = [f"rm-student-{i}@example.com" for i in range(n_students)]
            emails += [f"rm-payer-{i}@example.com" for i in range(n_payers)]
            await session.execute(
                insert(User),
                [{"email": e, "full_name": "Bench", "password_hash": "!unusable"} for e in emails],
            )
            by_email = dict((await session.execute(select(User.email, User.id))).all())
            ids = [by_email[e] for e in emails]
            families = {uid: os.urandom(16).hex() for uid in ids}
            await session.execute(
                insert(UserRole), [{"user_id": uid, "role_id": role_id} for uid in ids]
            )
            await session.execute(
                insert(RefreshToken),
                [
                    {
                        "user_id": uid,
                        "family_id": families[uid],
                        "token_hash": os.urandom(32).hex(),
                        "created_at": now,
                        "expires_at": now + timedelta(days=30),
                    }
                    for uid in ids
                ],
            )
            student_ids = ids[:n_students]
            await session.execute(
                insert(Enrollment),
                [
                    {
                        "user_id": uid,
                        "cohort_id": cohort_id,
                        "status": "active",
                        "source": "free",
                        "enrolled_at_utc": start,
                    }
                    for uid in student_ids
                ],
            )
            # Released lessons in the order a student meets them: week, course, sort order.
            released = (
                await session.execute(
                    select(Lesson.id)
                    .join(Week, Week.id == Lesson.week_id)
                    .join(
                        CohortCourse,
                        (CohortCourse.course_id == Lesson.course_id)
                        & (CohortCourse.cohort_id == Week.cohort_id),
                    )
                    .where(Week.cohort_id == cohort_id, Week.release_at_utc <= now)
                    .order_by(Week.week_number, CohortCourse.sort_order, Lesson.sort_order)
                )
            ).scalars()
            released_ids = list(released)
            completed = [
                round(i * 40 / max(1, n_students - 1)) if n_students > 1 else 20
                for i in range(n_students)
            ]
            progress = [
                {
                    "user_id": uid,
                    "lesson_id": lesson_id,
                    "completed_at_utc": now - timedelta(hours=1 + k),
                }
                for uid, k_done in zip(student_ids, completed, strict=True)
                for k, lesson_id in enumerate(released_ids[:k_done])
            ]
            if progress:
                await session.execute(insert(LessonProgress), progress)
    finally:
        await cache.close()
        await engine.dispose()

    def token(uid: int) -> str:
        return codec.issue(user_id=uid, session_id=families[uid], now=now).token

    lessons_total = learning_home.WEEKS * learning_home.COURSES * args.lessons_per_course_week
    return World(
        cohort_id=cohort_id,
        paid_cohort_id=paid_id,
        lessons=lessons_total,
        released_weeks=sum(
            1 for n in range(learning_home.WEEKS) if start + timedelta(weeks=n) <= now
        ),
        students=[(uid, token(uid)) for uid in student_ids],
        payers=[(uid, token(uid)) for uid in ids[n_students:]],
        completed=completed,
    )


# --- load ---------------------------------------------------------------------------------

LUA = r"""-- written by bench/release_moment.py: POST one body, rotating bearer tokens
local tokens = { @@TOKENS@@ }
local body = [==[@@BODY@@]==]
local path = "@@PATH@@"
local counter = 0
local bad = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 37)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
end

function request()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local errors = 0
  for _, t in ipairs(threads) do
    errors = errors + (t:get("bad") or 0)
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "bad": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, errors))
end
"""


@dataclass
class Load:
    """What a wrk run measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors, non-200 answers and answers carrying GraphQL errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "requests": self.requests,
            "errors": self.errors,
        }

    def cell(self) -> str:
        text = f"{self.rps:,.0f} req/s, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"
        return text + (f" ({self.errors} errors)" if self.errors else "")


def run_wrk(
    base_url: str, path: str, body: str, tokens: list[str], args: argparse.Namespace, tmp: Path
) -> Load:
    script = tmp / f"load-{time.monotonic_ns()}.lua"
    script.write_text(
        LUA.replace("@@TOKENS@@", ", ".join(f'"{t}"' for t in tokens))
        .replace("@@BODY@@", body)
        .replace("@@PATH@@", path)
    )
    threads = max(1, min(args.wrk_threads, args.connections))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base_url,
    ]
    done = subprocess.run(  # noqa: S603 - wrk from PATH, our arguments
        cmd, capture_output=True, text=True, timeout=args.duration + 60, check=False
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    data = json.loads(line.removeprefix("WRKJSON "))
    seconds = max(data["duration_us"], 1) / 1e6
    errors = sum(data[k] for k in ("connect", "read", "write", "timeout")) + data["bad"]
    return Load(
        rps=data["requests"] / seconds,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        errors=errors,
    )


@dataclass
class Pass:
    """Each student asked once, at most ``concurrency`` at a time."""

    seconds: float
    answers: list[dict[str, Any] | None]
    problems: list[str] = field(default_factory=list)


def problem_of(status: int, payload: Any, field_name: str) -> str | None:
    if status != 200:
        return f"HTTP {status}: {str(payload)[:300]}"
    if not isinstance(payload, dict):
        return f"not a JSON object: {str(payload)[:300]}"
    if payload.get("errors"):
        return f"GraphQL error: {json.dumps(payload['errors'][0])[:300]}"
    if not (payload.get("data") or {}).get(field_name):
        return f"no data.{field_name}: {json.dumps(payload)[:300]}"
    return None


async def each_once(
    url: str, body: str, tokens: list[str], concurrency: int, field_name: str
) -> Pass:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    semaphore = asyncio.Semaphore(concurrency)
    content = body.encode()
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:

        async def one(token: str) -> tuple[dict[str, Any] | None, str | None]:
            async with semaphore:
                try:
                    response = await client.post(
                        url,
                        content=content,
                        headers={
                            "Content-Type": "application/json",
                            "Authorization": f"Bearer {token}",
                        },
                    )
                except httpx.HTTPError as exc:
                    return None, f"{type(exc).__name__}: {exc}"
            try:
                payload = response.json()
            except ValueError:
                payload = response.text
            problem = problem_of(response.status_code, payload, field_name)
            return (payload if problem is None else None), problem

        started = time.perf_counter()
        results = await asyncio.gather(*(one(t) for t in tokens))
        seconds = time.perf_counter() - started
    return Pass(seconds, [a for a, _ in results], [p for _, p in results if p])


def _home_facts(answer: dict[str, Any]) -> Any:
    home = answer["data"]["programHome"]
    return (
        [(c["course"]["slug"], c["completedLessons"], c["totalLessons"]) for c in home["courses"]],
        [
            (w["number"], w["isReleased"], w["lessonCount"], w["completedLessonCount"])
            for w in home["weeks"]
        ],
        (home["nextLesson"] or {}).get("slug"),
        (home["currentWeek"] or {}).get("number"),
        (home["nextDeadline"] or {}).get("title"),
        (home["nextLiveSession"] or {}).get("title"),
    )


def _week_facts(answer: dict[str, Any]) -> Any:
    hub = answer["data"]["weekHub"]
    return (
        [
            (x["slug"], x["status"], x["lockReason"], len(x["missingPrerequisites"]))
            for x in hub["lessons"]
        ],
        (hub["week"]["lessonCount"], hub["week"]["completedLessonCount"]),
        (hub["assignment"] or {}).get("title"),
        (hub["liveSession"] or {}).get("status"),
    )


def agreement(project: Pass, baseline: Pass, field_name: str) -> str:
    """Whether the baseline answers what the project answers (counts, statuses, next lesson)."""
    facts = _home_facts if field_name == "programHome" else _week_facts
    same = differ = 0
    example = ""
    for mine, theirs in zip(project.answers, baseline.answers, strict=True):
        if mine is None or theirs is None:
            continue
        a, b = facts(mine), facts(theirs)
        if a == b:
            same += 1
        else:
            differ += 1
            example = example or f"project {a!r:.300} vs baseline {b!r:.300}"
    if differ:
        return f"answers DIFFER for {differ} of {same + differ} students, e.g. {example}"
    return f"answers agree for {same} students"


# --- scenarios ----------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    project: str
    baseline: str
    ratio: float | None
    target: str
    ok: bool | None
    data: dict[str, Any] = field(default_factory=dict)

    def ratio_text(self) -> str:
        return "-" if self.ratio is None else f"{self.ratio:.2f}"


@dataclass
class Run:
    args: argparse.Namespace
    tmp: Path
    tokens: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loads: dict[str, Load] = field(default_factory=dict)
    # The project server's pid while a project scenario runs (--profile, CPU time).
    server_pid: int | None = None

    def note(self, text: str) -> None:
        print(f"  {text}", flush=True)
        self.notes.append(text)


def body_for(field_name: str, week: int) -> str:
    if field_name == "weekHub":
        return json.dumps({"query": WEEK, "variables": {"s": SLUG, "w": week}})
    return json.dumps({"query": HOME, "variables": {"s": SLUG}})


def fill_and_load(run: Run, label: str, base: str, path: str, field_name: str) -> tuple[Load, Pass]:
    """A pass over every student (fills the caches, warms pools), then wrk."""
    body = body_for(field_name, run.args.week)
    warm = asyncio.run(each_once(base + path, body, run.tokens, 32, field_name))
    if warm.problems:
        raise BenchError(
            f"{label}: {len(warm.problems)} of {len(run.tokens)} warm-up answers failed, "
            f"first: {warm.problems[0]}"
        )
    sampler = None
    if run.args.profile and run.server_pid and label.startswith("project"):
        out = Path(run.args.profile) / (label.replace(" ", "-").replace("(", "").replace(")", ""))
        sampler = (profiling.start(run.server_pid, run.args.duration, out.with_suffix(".txt")),
                   out.with_suffix(".txt"))  # fmt: skip
    load = run_wrk(base, path, body, run.tokens, run.args, run.tmp)
    if sampler is not None:
        sampler[0].wait(timeout=60)
        report_profile(run, label, sampler[1])
    run.loads[label] = load
    print(f"  {label:<34} {load.cell()}", flush=True)
    return load, warm


def report_profile(run: Run, label: str, out: Path) -> None:
    """The top entries of a py-spy profile of the project server during one wrk run."""
    if not out.exists():
        run.note(f"profile {label}: py-spy wrote nothing (needs ptrace: run as root)")
        return
    samples, rows = profiling.top_entries(out, 12)
    ours = profiling.hottest_inclusive(out, "edxelera_gql/", 8)
    lines = [f"profile {label} ({samples} samples, {out}): top self time"]
    lines += [f"    {own:5.1f}% self {incl:5.1f}% incl  {name}" for name, own, incl in rows]
    lines.append("  our code, inclusive:")
    lines += [f"    {incl:5.1f}%  {name}" for name, incl in ours]
    run.note("\n".join(lines))


def throughput_rows(
    run: Run, name: str, project: Load, baseline: Load, *, minimum: float, p50_max: float | None
) -> None:
    ratio = project.rps / baseline.rps if baseline.rps else None
    clean = project.errors == 0 and baseline.errors == 0
    run.rows.append(
        Row(
            f"{name} throughput, {run.args.connections} conn",
            project.cell(),
            baseline.cell(),
            ratio,
            f">= {minimum}",
            ratio is not None and ratio >= minimum and clean,
            {"project": project.as_dict(), "baseline": baseline.as_dict()},
        )
    )
    if p50_max is not None:
        p50 = project.p50_ms / baseline.p50_ms if baseline.p50_ms else None
        run.rows.append(
            Row(
                f"{name} p50 latency",
                f"{project.p50_ms:.1f} ms",
                f"{baseline.p50_ms:.1f} ms",
                p50,
                f"<= {p50_max} (project/baseline)",
                p50 is not None and p50 <= p50_max,
            )
        )


def failed_row(run: Run, name: str, target: str, error: Exception) -> None:
    text = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
    print(f"  {name}: FAILED: {error}", flush=True)
    run.rows.append(Row(name, f"FAILED: {text}", "-", None, target, False, {"error": str(error)}))


def warm_scenarios(run: Run, project: str, baseline: str) -> None:
    for field_name in ("programHome", "weekHub"):
        name = f"warm {field_name}" + (
            f" (week {run.args.week})" if field_name == "weekHub" else ""
        )
        try:
            mine, mine_pass = fill_and_load(run, f"project {name}", project, "/graphql", field_name)
            theirs, their_pass = fill_and_load(
                run, f"baseline {name}", baseline, "/graphql", field_name
            )
            run.note(f"{field_name}: {agreement(mine_pass, their_pass, field_name)}")
            throughput_rows(run, name, mine, theirs, minimum=0.5, p50_max=None)
        except BenchError as exc:
            failed_row(run, name, ">= 0.5", exc)


def cold_scenarios(run: Run, project: str, baseline: str) -> None:
    for field_name in ("programHome", "weekHub"):
        name = f"cold {field_name}" + (
            f" (week {run.args.week})" if field_name == "weekHub" else ""
        )
        try:
            mine, _ = fill_and_load(run, f"project {name}", project, "/graphql", field_name)
            theirs, _ = fill_and_load(
                run, f"baseline {name}", baseline, "/graphql/cold", field_name
            )
            throughput_rows(run, name, mine, theirs, minimum=0.8, p50_max=1.5)
        except BenchError as exc:
            failed_row(run, name, ">= 0.8, p50 <= 1.5", exc)


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def stampede(run: Run, project: str, baseline: str, redis_url: str) -> None:
    name = (
        f"release stampede: {len(run.tokens)} students, caches flushed, "
        f"{run.args.stampede_concurrency} at a time"
    )
    body = body_for("programHome", run.args.week)
    rounds: dict[str, list[float]] = {"project": [], "baseline": []}
    times: dict[str, float] = {}
    # Alternating rounds, median of each: one round is a few seconds, too short to trust alone
    # on a shared machine.
    order = [("project", project), ("baseline", baseline)] * run.args.stampede_rounds
    try:
        for i, (who, base) in enumerate(order):
            flush_redis(redis_url)  # FLUSHDB on db 13: every cached answer and version is gone
            sampler = None
            if i == 0 and run.args.profile and run.server_pid:
                out = Path(run.args.profile) / "project-stampede.txt"
                sampler = profiling.start(run.server_pid, 60, out)
                time.sleep(0.5)  # py-spy attaches before the first request
            done = asyncio.run(
                each_once(
                    base + "/graphql",
                    body,
                    run.tokens,
                    run.args.stampede_concurrency,
                    "programHome",
                )
            )
            if done.problems:
                raise BenchError(
                    f"{who}: {len(done.problems)} answers failed, first: {done.problems[0]}"
                )
            rounds[who].append(done.seconds)
            if sampler is not None:
                sampler.send_signal(signal.SIGINT)  # py-spy writes what it sampled so far
                sampler.wait(timeout=30)
                report_profile(
                    run, "project stampede", Path(run.args.profile) / "project-stampede.txt"
                )
            print(f"  stampede {who:<25} all served in {done.seconds:.2f} s", flush=True)
    except BenchError as exc:
        failed_row(run, name, ">= 1.0 (baseline time / project time)", exc)
        return
    times = {who: statistics.median(seconds) for who, seconds in rounds.items()}
    if run.args.stampede_rounds > 1:
        run.note(
            f"stampede rounds (s): project {', '.join(f'{x:.2f}' for x in rounds['project'])}; "
            f"baseline {', '.join(f'{x:.2f}' for x in rounds['baseline'])} (medians compared)"
        )
    ratio = times["baseline"] / times["project"]
    run.rows.append(
        Row(
            name,
            f"{times['project']:.2f} s",
            f"{times['baseline']:.2f} s",
            ratio,
            ">= 1.0 (baseline time / project time)",
            ratio >= 1.0,
            {"project_s": round(times["project"], 3), "baseline_s": round(times["baseline"], 3)},
        )
    )


def count_effects(db_url: str, paid_cohort_id: int, references: set[str]) -> dict[str, Any]:
    conn = pymysql.connect(**mysql_args(db_url), database=urlsplit(db_url).path.lstrip("/"))
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT reference, status FROM payment_transactions WHERE cohort_id = %s",
            (paid_cohort_id,),
        )
        transactions = dict(cur.fetchall())
        cur.execute(
            "SELECT status, COUNT(*) FROM enrollments WHERE cohort_id = %s GROUP BY status",
            (paid_cohort_id,),
        )
        enrollments = dict(cur.fetchall())
        cur.execute(
            "SELECT reference, outcome, COUNT(*) FROM payment_events "
            "WHERE reference IS NOT NULL GROUP BY reference, outcome"
        )
        events = cur.fetchall()
    success_events: dict[str, int] = {}
    events_per_reference: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    for reference, outcome, n in events:
        events_per_reference[reference] = events_per_reference.get(reference, 0) + n
        outcomes[outcome] = outcomes.get(outcome, 0) + n
        if outcome == "success":
            success_events[reference] = success_events.get(reference, 0) + n
    paid = sum(1 for r in references if transactions.get(r) == "success")
    active = int(enrollments.get("active", 0))
    double = (
        sum(max(0, n - 1) for n in success_events.values())
        + sum(max(0, n - 1) for n in events_per_reference.values())
        + max(0, active - len(references))
    )
    return {
        "unique_references": len(references),
        "payments_success": paid,
        "enrollments_active": active,
        "enrollments_by_status": {k: int(v) for k, v in enrollments.items()},
        "payment_events": sum(events_per_reference.values()),
        "event_outcomes": outcomes,
        "double_effects": double,
        "missing_effects": len(references) - paid,
        "receipts": "none: the schema has no receipts table",
    }


async def _init_payments(
    project: str, payers: list[tuple[int, str]], concurrency: int
) -> tuple[list[str], list[str]]:
    semaphore = asyncio.Semaphore(concurrency)
    body = json.dumps({"query": INIT_PAYMENT, "variables": {"i": {"programSlug": PAID_SLUG}}})
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(token: str) -> tuple[str | None, str | None]:
            async with semaphore:
                response = await client.post(
                    project + "/graphql",
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"Bearer {token}",
                    },
                )
            payload = response.json()
            started = (payload.get("data") or {}).get("initPayment") or {}
            if started.get("errors") or payload.get("errors") or not started.get("reference"):
                return None, json.dumps(payload)[:300]
            return started["reference"], None

        results = await asyncio.gather(*(one(t) for _, t in payers))
    return [r for r, _ in results if r], [p for _, p in results if p]


async def _signed_deliveries(sandbox: str, references: list[str]) -> list[tuple[bytes, str]]:
    async with httpx.AsyncClient(timeout=30) as client:
        semaphore = asyncio.Semaphore(16)

        async def one(reference: str) -> tuple[bytes, str]:
            async with semaphore:
                response = await client.post(f"{sandbox}/_bench/pay/{reference}")
            response.raise_for_status()
            data = response.json()
            return data["body"].encode(), data["signature"]

        return list(await asyncio.gather(*(one(r) for r in references)))


async def _deliver(
    project: str, deliveries: list[tuple[bytes, str]], concurrency: int
) -> tuple[float, dict[str, int]]:
    semaphore = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    tally: dict[str, int] = {}
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def one(body: bytes, signature: str) -> None:
            async with semaphore:
                try:
                    response = await client.post(
                        project + "/webhooks/paystack",
                        content=body,
                        headers={
                            "content-type": "application/json",
                            "x-paystack-signature": signature,
                        },
                    )
                    try:
                        outcome = response.json().get("outcome", "-")
                    except ValueError:
                        outcome = "not json"
                    key = f"{response.status_code} {outcome}"
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
            tally[key] = tally.get(key, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(one(b, s) for b, s in deliveries))
        return time.perf_counter() - started, tally


def webhook(run: Run, project: str, sandbox: str, world: World, db_url: str) -> None:
    args = run.args
    name = (
        f"webhook charge.success, {args.payments} unique + "
        f"{round(args.payments * args.duplicate_share / (1 - args.duplicate_share))} duplicates, "
        f"{args.webhook_concurrency} at a time"
    )
    target = ">= 200 deliveries/s, 0 double effects"
    try:
        references, refused = asyncio.run(_init_payments(project, world.payers, 16))
        if refused:
            raise BenchError(f"initPayment refused {len(refused)} times, first: {refused[0]}")
        signed = asyncio.run(_signed_deliveries(sandbox, references))
        rng = random.Random(11)  # noqa: S311 - a repeatable shuffle, not a secret
        repeats = round(len(signed) * args.duplicate_share / (1 - args.duplicate_share))
        deliveries = signed + [rng.choice(signed) for _ in range(repeats)]
        rng.shuffle(deliveries)  # a repeat may race its first delivery: that is the point
        sampler = None
        out = Path(args.profile or ".") / "project-webhook.txt"
        if args.profile and run.server_pid:
            sampler = profiling.start(run.server_pid, 60, out)
            time.sleep(0.5)  # py-spy attaches before the first delivery
        cpu_before = cpu_seconds(run.server_pid) if run.server_pid else 0.0
        seconds, tally = asyncio.run(_deliver(project, deliveries, args.webhook_concurrency))
        if run.server_pid:
            spent = cpu_seconds(run.server_pid) - cpu_before
            # CPU per delivery is steadier than deliveries per second on a shared machine.
            run.note(f"webhook: project CPU {1000 * spent / len(deliveries):.2f} ms per delivery")
        if sampler is not None:
            sampler.send_signal(signal.SIGINT)
            sampler.wait(timeout=30)
            report_profile(run, "project webhook", out)
        effects = count_effects(db_url, world.paid_cohort_id, set(references))
    except (BenchError, httpx.HTTPError, KeyError, ValueError) as exc:
        failed_row(run, name, target, exc)
        return
    rate = len(deliveries) / seconds
    double, missing = effects["double_effects"], effects["missing_effects"]
    print(
        f"  webhook: {len(deliveries)} deliveries in {seconds:.2f} s = {rate:.1f}/s; "
        f"answers {tally}; effects {effects}",
        flush=True,
    )
    run.rows.append(
        Row(
            name,
            f"{rate:,.1f} deliveries/s, {double} double / {missing} missing effects",
            "-",
            None,
            target,
            rate >= 200 and double == 0 and missing == 0,
            {
                "deliveries": len(deliveries),
                "seconds": round(seconds, 3),
                "per_second": round(rate, 1),
                "answers": tally,
                **effects,
            },
        )
    )


def rss_row(run: Run, label: str, proc: Proc, workers: int) -> None:
    tree = rss_tree(proc.popen.pid)
    # One worker: serve is the worker. Several: uvicorn's supervisor is not one of them.
    workers_rss = [p["rss_mb"] for p in (tree if workers == 1 else tree[1:])] or [0.0]
    listing = ", ".join(f"pid {p['pid']} {p['rss_mb']:.0f} MB" for p in tree)
    print(f"  RSS {label}: {listing}", flush=True)
    run.rows.append(
        Row(
            f"RSS after the run, {label}",
            f"{max(workers_rss):.0f} MB per worker (max)"
            + (f", {sum(p['rss_mb'] for p in tree):.0f} MB all" if len(tree) > 1 else ""),
            "-",
            None,
            "< 300 MB per worker",
            max(workers_rss) < 300,
            {"processes": tree},
        )
    )


# --- the run ------------------------------------------------------------------------------


def serve_has_workers(env: dict[str, str]) -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "edxelera_gql", "serve", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return "--workers" in done.stdout


def project_command(port: int, workers: int, env: dict[str, str]) -> list[str]:
    if workers == 1 or serve_has_workers(env):
        cmd = [sys.executable, "-m", "edxelera_gql", "serve", "--host", "127.0.0.1"]
        return cmd + ["--port", str(port)] + (["--workers", str(workers)] if workers > 1 else [])
    # serve has no --workers: the documented uvicorn line, the app built by its factory.
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "edxelera_gql.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def base_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
    )
    env.update(
        APP_ENV="test",
        JWT_SECRET=JWT_SECRET,
        LOG_LEVEL="WARNING",
        LOG_FORMAT="console",
        # Tokens are minted once at set-up; they must outlive the run.
        ACCESS_TOKEN_TTL_SECONDS="7200",
        EDXELERA_VAR_DIR=str(tmp / "var"),
    )
    return env


def table(rows: list[Row]) -> str:
    lines = [
        "| scenario | project | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        met = "-" if row.ok is None else "yes" if row.ok else "**no**"
        lines.append(
            f"| {row.scenario} | {row.project} | {row.baseline} | {row.ratio_text()} | "
            f"{row.target} | {met} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="The release moment (issue 11): the project against a raw-SQL baseline.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--workers", type=int, default=1, help="also run warm programHome on N")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--stampede-concurrency", type=int, default=32)
    parser.add_argument("--week", type=int, default=3, help="weekHub's weekNumber")
    parser.add_argument("--lessons-per-course-week", type=int, default=8)
    parser.add_argument("--payments", type=int, default=400, help="unique webhook references")
    parser.add_argument("--duplicate-share", type=float, default=0.3)
    parser.add_argument("--webhook-concurrency", type=int, default=16)
    parser.add_argument("--mysql", default="mysql+aiomysql://root@127.0.0.1:3306")
    parser.add_argument("--database", default="bench_release", help="dropped and recreated")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="flushed")
    parser.add_argument(
        "--stampede-rounds", type=int, default=3, help="alternating rounds; medians compared"
    )
    parser.add_argument("--skip-webhook", action="store_true")
    parser.add_argument(
        "--only",
        metavar="LIST",
        help=f"comma-separated scenarios to run, of: {','.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="sample the project server with py-spy during each project wrk run and print "
        "the top entries (raw profiles written to DIR)",
    )
    parser.add_argument("--json", metavar="FILE", help="write the numbers as JSON")
    parser.add_argument("--keep-logs", metavar="DIR", help="copy the servers' logs there")
    args = parser.parse_args(argv)
    if not 0 <= args.duplicate_share < 1:
        parser.error("--duplicate-share must be in [0, 1)")
    if args.students < 1 or args.workers < 1 or args.duration < 1:
        parser.error("--students, --workers and --duration must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print(
            "release_moment: wrk is not installed; it drives the throughput scenarios.\n"
            "  Debian/Ubuntu: apt-get install -y wrk",
            file=sys.stderr,
        )
        return 2
    if args.profile:
        if not profiling.available():
            print("release_moment: --profile needs py-spy (pip install py-spy)", file=sys.stderr)
            return 2
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="release-moment-"))
    procs = Processes(tmp)
    atexit.register(procs.stop_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return _run(args, tmp, procs, started)
    except BenchError as exc:
        print(f"\nrelease_moment: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nrelease_moment: interrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        procs.stop_all()
        if args.keep_logs:
            Path(args.keep_logs).mkdir(parents=True, exist_ok=True)
            for log in tmp.glob("*.log"):
                shutil.copy(log, Path(args.keep_logs) / log.name)
        shutil.rmtree(tmp, ignore_errors=True)


def _run(args: argparse.Namespace, tmp: Path, procs: Processes, started: float) -> int:
    db_url = f"{args.mysql.rstrip('/')}/{args.database}"
    env = base_env(tmp)
    env.update(DATABASE_URL=db_url, REDIS_URL=args.redis)
    try:
        flush_redis(args.redis)
    except redis.RedisError as exc:
        raise BenchError(f"cannot reach Redis at {args.redis}: {exc}") from exc
    print(
        f"release moment: {platform.node()}, {os.cpu_count()} cores, load "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.students} students, "
        f"wrk {args.duration} s x {args.connections} connections",
        flush=True,
    )
    print(f"setting up {args.database} ...", flush=True)
    setup_started = time.monotonic()
    recreate_database(args.mysql, args.database)
    migrations.upgrade(db_url)
    sandbox_port, baseline_port, project_port = free_port(), free_port(), free_port()
    env.update(
        PAYSTACK_SECRET_KEY=PAYSTACK_SECRET,
        PAYSTACK_BASE_URL=f"http://127.0.0.1:{sandbox_port}",
    )
    settings = Settings.from_env(env)
    world = asyncio.run(build_world(args, settings))
    flush_redis(args.redis)  # the import bumped versions; every scenario starts from nothing
    print(
        f"  program {SLUG}: {world.lessons} lessons, weeks 1-{world.released_weeks} of "
        f"{learning_home.WEEKS} released; {len(world.students)} students with "
        f"{min(world.completed)}..{max(world.completed)} completed lessons; "
        f"{len(world.payers)} payers for {PAID_SLUG} "
        f"(setup {time.monotonic() - setup_started:.1f} s)",
        flush=True,
    )
    run = Run(args, tmp, [t for _, t in world.students])

    sandbox = procs.start(
        "sandbox",
        [
            sys.executable,
            str(BENCH / "sandbox_server.py"),
            *("--port", str(sandbox_port), "--secret", PAYSTACK_SECRET),
        ],
        env,
    )
    baseline = procs.start(
        "baseline",
        [sys.executable, str(BENCH / "raw_baseline.py"), "--port", str(baseline_port)],
        env,
    )
    project = procs.start("project", project_command(project_port, 1, env), env)
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    baseline_url = f"http://127.0.0.1:{baseline_port}"
    project_url = f"http://127.0.0.1:{project_port}"
    wait_ready(sandbox, sandbox_url + "/_bench/healthz")
    wait_ready(baseline, baseline_url + "/healthz")
    wait_ready(project, project_url + "/healthz")
    run.server_pid = project.popen.pid
    serializer = httpx.get(baseline_url + "/healthz").json()["serializer"]
    print(f"  project: {' '.join(project.popen.args[1:])}", flush=True)  # type: ignore[index]
    run.note(f"baseline serializer: {serializer}")

    wanted = set(args.only.split(",")) if args.only else set(SCENARIOS)
    if "warm" in wanted or "workers" in wanted:
        print("warm (after a pass that fills the caches for every student):", flush=True)
        warm_scenarios(run, project_url, baseline_url)
    if "stampede" in wanted:
        print("release stampede:", flush=True)
        stampede(run, project_url, baseline_url, args.redis)
    if "webhook" in wanted and not args.skip_webhook:
        print("webhook:", flush=True)
        webhook(run, project_url, sandbox_url, world, db_url)
    rss_row(run, "project, 1 worker (warm, stampede, webhook)", project, 1)
    procs.stop(project)
    run.note(log_summary(project))
    if "cold" in wanted:
        cold_run(run, procs, env, project_url, project_port, baseline_url)
    if args.workers > 1 and "workers" in wanted:
        workers_scenario(run, procs, env, project_url, project_port, baseline, baseline_port)
    report(run, args, world, started)
    return 0


def cold_run(
    run: Run,
    procs: Processes,
    env: dict[str, str],
    project_url: str,
    project_port: int,
    baseline_url: str,
) -> None:
    closed = free_port()  # nothing listens there: every Redis call is refused at once
    cold_env = dict(env, REDIS_URL=f"redis://127.0.0.1:{closed}/13")
    cold = procs.start("project-cold", project_command(project_port, 1, cold_env), cold_env)
    wait_ready(cold, project_url + "/healthz")
    run.server_pid = cold.popen.pid
    print(f"cold (project: REDIS_URL at closed port {closed}; baseline: SQL every time):")
    cold_scenarios(run, project_url, baseline_url)
    rss_row(run, "project, 1 worker (cold)", cold, 1)
    procs.stop(cold)
    run.note(log_summary(cold))


def report(run: Run, args: argparse.Namespace, world: World, started: float) -> None:
    elapsed = time.monotonic() - started
    print(f"\n## Release moment (issue 11), {time.strftime('%Y-%m-%d %H:%M')}, {elapsed:.0f} s\n")
    print(table(run.rows))
    print()
    for text in run.notes:
        print(f"- {text}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "when": datetime.now(UTC).isoformat(timespec="seconds"),
                    "seconds": round(elapsed, 1),
                    "config": {k: v for k, v in vars(args).items() if k != "json"},
                    "program": {"lessons": world.lessons, "released_weeks": world.released_weeks},
                    "rows": [
                        {
                            "scenario": r.scenario,
                            "project": r.project,
                            "baseline": r.baseline,
                            "ratio": None if r.ratio is None else round(r.ratio, 3),
                            "target": r.target,
                            "met": r.ok,
                            **r.data,
                        }
                        for r in run.rows
                    ],
                    "notes": run.notes,
                },
                indent=2,
            )
        )
        print(f"\nwrote {args.json}")


def workers_scenario(
    run: Run,
    procs: Processes,
    env: dict[str, str],
    project_url: str,
    project_port: int,
    baseline: Proc,
    baseline_port: int,
) -> None:
    n = run.args.workers
    name = f"warm programHome, {n} workers vs 1"
    minimum = 1.6 if n == 2 else round(0.8 * n, 2)
    print(f"{n} workers (project and baseline):", flush=True)
    one = run.loads.get("project warm programHome")
    one_baseline = run.loads.get("baseline warm programHome")
    procs.stop(baseline)
    many_baseline = procs.start(
        "baseline-workers",
        [
            sys.executable,
            str(BENCH / "raw_baseline.py"),
            *("--port", str(baseline_port), "--workers", str(n)),
        ],
        env,
    )
    many = procs.start("project-workers", project_command(project_port, n, env), env)
    try:
        wait_ready(many_baseline, f"http://127.0.0.1:{baseline_port}/healthz")
        wait_ready(many, project_url + "/healthz")
        run.server_pid = many.popen.pid
        print(f"  project: {' '.join(many.popen.args[1:])}", flush=True)  # type: ignore[index]
        mine, _ = fill_and_load(
            run, f"project warm programHome {n}w", project_url, "/graphql", "programHome"
        )
        theirs, _ = fill_and_load(
            run,
            f"baseline warm programHome {n}w",
            f"http://127.0.0.1:{baseline_port}",
            "/graphql",
            "programHome",
        )
        if one is None or one_baseline is None:
            raise BenchError("the 1-worker warm programHome run failed: nothing to compare")
    except BenchError as exc:
        failed_row(run, name, f">= {minimum}x one worker", exc)
        return
    scale = mine.rps / one.rps
    run.rows.append(
        Row(
            name,
            f"{mine.rps:,.0f} req/s vs {one.rps:,.0f} (p50 {mine.p50_ms:.1f} ms)",
            f"{theirs.rps:,.0f} req/s vs {one_baseline.rps:,.0f} "
            f"({theirs.rps / one_baseline.rps:.2f}x)",
            scale,
            f">= {minimum} (project {n} workers / 1 worker)",
            scale >= minimum and mine.errors == 0,
            {"project": mine.as_dict(), "baseline": theirs.as_dict()},
        )
    )
    rss_row(run, f"project, {n} workers", many, n)
    procs.stop(many)
    procs.stop(many_baseline)
    run.note(log_summary(many))


if __name__ == "__main__":
    sys.exit(main())
