"""The raw baseline of bench/release_moment.py: programHome and weekHub written by hand.

One Starlette endpoint, no GraphQL engine and no ORM: it reads the same JSON body the API
takes, checks the same JWT (PyJWT, HS256, the app's issuer and audience), runs the
straightforward SQL on an aiomysql pool and writes the answer with orjson (stdlib json when
orjson is not installed; the startup line says which). It answers the selection of the
queries release_moment.py sends, whatever the document says; `weekHub` in the query picks the
week hub, else `programHome` (students only: no staff view, no discussion summary).

  POST /graphql       warm: the viewer's answer from Redis (GET; on a miss compute, SET EX 60)
  POST /graphql/cold  raw SQL every time, Redis untouched
  GET  /healthz

Usage: DATABASE_URL=mysql+aiomysql://... REDIS_URL=redis://... JWT_SECRET=... \
  .venv/bin/python bench/raw_baseline.py --port 8765 [--workers N]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiomysql
import jwt
import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

try:
    import orjson

    SERIALIZER = "orjson"

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)

    def loads(raw: bytes) -> Any:
        return orjson.loads(raw)

except ImportError:  # pragma: no cover - depends on the environment
    import json

    SERIALIZER = "json (stdlib; orjson is not installed)"

    def dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()

    def loads(raw: bytes) -> Any:
        return json.loads(raw)


CACHE_TTL_SECONDS = 60
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub", "jti", "sid"]
KEY_PREFIX = "rawbench"


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def iso(value: datetime | None) -> str | None:
    """The API's DateTime format (MariaDB hands back naive UTC)."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- SQL ----------------------------------------------------------------------------------

PROGRAM = """SELECT id, slug, title, published FROM cohorts WHERE slug = %s"""
ENROLLMENT = """SELECT id, status FROM enrollments
 WHERE user_id = %s AND cohort_id = %s AND status = 'active'"""
COURSES = """SELECT c.id, c.slug, c.title FROM cohort_courses cc
 JOIN courses c ON c.id = cc.course_id WHERE cc.cohort_id = %s ORDER BY cc.sort_order, c.id"""
WEEK_COLUMNS = """w.id, w.week_number, w.title, w.release_at_utc, w.assignment_deadline_utc,
 w.live_session_title, w.live_session_start_utc, w.live_session_end_utc, w.live_session_url,
 a.title, a.instructions, a.submission_type"""
# Constant column lists, no input: the values go as parameters.
WEEKS = f"""SELECT {WEEK_COLUMNS} FROM weeks w LEFT JOIN assignments a ON a.week_id = w.id
 WHERE w.cohort_id = %s ORDER BY w.week_number"""  # noqa: S608
ONE_WEEK = f"""SELECT {WEEK_COLUMNS} FROM weeks w LEFT JOIN assignments a ON a.week_id = w.id
 WHERE w.cohort_id = %s AND w.week_number = %s"""  # noqa: S608
LESSONS = """SELECT l.id, l.course_id, w.week_number, l.slug, l.title, l.sort_order,
 l.is_preview, l.duration_seconds, w.release_at_utc, p.completed_at_utc
 FROM lessons l JOIN weeks w ON w.id = l.week_id
 LEFT JOIN lesson_progress p ON p.lesson_id = l.id AND p.user_id = %s
 WHERE w.cohort_id = %s"""
WEEK_LESSONS = LESSONS + " AND l.week_id = %s"
PREREQUISITES = """SELECT r.lesson_id, pre.id, pre.slug, pre.title, c.slug, pw.week_number,
 pp.id FROM lesson_prerequisites r
 JOIN lessons l ON l.id = r.lesson_id JOIN weeks w ON w.id = l.week_id
 JOIN lessons pre ON pre.id = r.prerequisite_lesson_id
 JOIN courses c ON c.id = pre.course_id JOIN weeks pw ON pw.id = pre.week_id
 LEFT JOIN lesson_progress pp ON pp.lesson_id = pre.id AND pp.user_id = %s
 WHERE {where} ORDER BY r.lesson_id, r.id"""
CERTIFICATES = """SELECT type, certificate_number, course_id FROM certificates
 WHERE user_id = %s AND cohort_id = %s ORDER BY issued_at_utc, id"""


async def _all(cur: Any, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    await cur.execute(sql, args)
    return list(await cur.fetchall())


async def _access(cur: Any, user_id: int, slug: str) -> tuple[int, str]:
    await cur.execute(PROGRAM, (slug,))
    program = await cur.fetchone()
    if program is None or not program[3]:
        raise Refused(200, "NOT_FOUND", "Program not found.")
    await cur.execute(ENROLLMENT, (user_id, program[0]))
    if await cur.fetchone() is None:
        raise Refused(200, "NOT_ENROLLED", "Enroll in this program to see it.")
    return int(program[0]), str(program[2])


def _prerequisites(rows: list[tuple[Any, ...]]) -> tuple[dict[int, list[dict]], set[int]]:
    by_lesson: dict[int, list[dict]] = {}
    done: set[int] = set()
    for lesson_id, pre_id, slug, title, course_slug, week_number, progress_id in rows:
        by_lesson.setdefault(lesson_id, []).append(
            {
                "id": pre_id,
                "slug": slug,
                "title": title,
                "courseSlug": course_slug,
                "weekNumber": week_number,
            }
        )
        if progress_id is not None:
            done.add(pre_id)
    return by_lesson, done


def _status(
    lesson: tuple[Any, ...], prereqs: list[dict], done: set[int], now: datetime
) -> tuple[str, str | None, datetime | None, list[dict]]:
    """(status, lockReason, unlocksAt, missing prerequisites) for an enrolled student."""
    is_preview, release_at, completed_at = lesson[6], lesson[8], lesson[9]
    open_status = "COMPLETED" if completed_at is not None else "AVAILABLE"
    if is_preview:
        return open_status, None, None, []
    if now < release_at:
        return "LOCKED", "WEEK_NOT_RELEASED", release_at, []
    missing = [p for p in prereqs if p["id"] not in done]
    if missing:
        return "LOCKED", "PREREQUISITES_INCOMPLETE", None, missing
    return open_status, None, None, []


def _live(week: tuple[Any, ...], now: datetime) -> dict | None:
    start, end = week[6], week[7]
    if start is None or end is None:
        return None
    status = "UPCOMING" if now < start else "LIVE" if now < end else "ENDED"
    return {
        "title": week[5] or week[2],
        "startAt": iso(start),
        "endAt": iso(end),
        "url": week[8] if now >= week[3] else None,
        "status": status,
    }


def _hub_order(lessons: list[tuple[Any, ...]], place: dict[int, int]) -> list[tuple[Any, ...]]:
    return sorted(lessons, key=lambda r: (r[2], place.get(r[1], len(place)), r[5], r[0]))


async def program_home(pool: Any, user_id: int, slug: str) -> dict[str, Any]:
    now = utcnow()
    async with pool.acquire() as conn, conn.cursor() as cur:
        cohort_id, title = await _access(cur, user_id, slug)
        courses = await _all(cur, COURSES, cohort_id)
        weeks = await _all(cur, WEEKS, cohort_id)
        lessons = await _all(cur, LESSONS, user_id, cohort_id)
        prereqs = await _all(
            cur, PREREQUISITES.format(where="w.cohort_id = %s"), user_id, cohort_id
        )
        certificates = await _all(cur, CERTIFICATES, user_id, cohort_id)
    course_slug = {c[0]: c[1] for c in courses}
    place = {c[0]: i for i, c in enumerate(courses)}
    by_lesson, _ = _prerequisites(prereqs)
    done = {r[0] for r in lessons if r[9] is not None}
    per_course: dict[int, list[Any]] = {c[0]: [0, 0, None] for c in courses}
    per_week: dict[int, list[int]] = {}
    for r in lessons:
        counts = per_course.setdefault(r[1], [0, 0, None])
        week_counts = per_week.setdefault(r[2], [0, 0])
        counts[0] += 1
        week_counts[0] += 1
        if r[9] is not None:
            counts[1] += 1
            week_counts[1] += 1
            counts[2] = r[9] if counts[2] is None else max(counts[2], r[9])
    week_list = [
        {
            "number": w[1],
            "title": w[2],
            "releaseAt": iso(w[3]),
            "isReleased": now >= w[3],
            "assignmentDeadline": iso(w[4]),
            "lessonCount": per_week.get(w[1], [0, 0])[0],
            "completedLessonCount": per_week.get(w[1], [0, 0])[1],
        }
        for w in weeks
    ]
    next_lesson = None
    for r in _hub_order(lessons, place):
        status, _, _, missing = _status(r, by_lesson.get(r[0], []), done, now)
        if status == "AVAILABLE":
            next_lesson = {
                "slug": r[3],
                "title": r[4],
                "status": status,
                "course": {"slug": course_slug.get(r[1], "")},
                "missingPrerequisites": [{"slug": p["slug"]} for p in missing],
            }
            break
    deadlines = [w for w in weeks if w[9] is not None and w[4] is not None and w[4] > now]
    deadline = min(deadlines, key=lambda w: w[4]) if deadlines else None
    live = [w for w in weeks if w[6] is not None and w[7] is not None and w[7] > now]
    live_week = min(live, key=lambda w: w[6]) if live else None
    released = [w for w in week_list if w["isReleased"]]
    certs = [
        {"certificateNumber": c[1], "type": c[0].upper(), "verificationUrl": f"/verify/{c[1]}"}
        for c in certificates
    ]
    course_certs = {c[2]: cert for c, cert in zip(certificates, certs, strict=True) if c[2]}
    progress = []
    for c in courses:
        total, completed, last = per_course[c[0]]
        percent = 100.0 if total and completed == total else round(completed * 100 / total, 2)
        progress.append(
            {
                "course": {"slug": c[1]},
                "completedLessons": completed,
                "totalLessons": total,
                "percentComplete": percent if total else 0.0,
                "completedAt": iso(last) if total and completed >= total else None,
                "certificate": course_certs.get(c[0]),
            }
        )
    return {
        "program": {
            "slug": slug,
            "title": title,
            "courses": [{"slug": c[1]} for c in courses],
            "weeks": [
                {k: w[k] for k in ("number", "isReleased", "lessonCount", "completedLessonCount")}
                for w in week_list
            ],
        },
        "enrollment": {"status": "ACTIVE"},
        "courses": progress,
        "weeks": week_list,
        "currentWeek": {"number": released[-1]["number"]} if released else None,
        "nextLesson": next_lesson,
        "nextDeadline": {
            "title": deadline[9],
            "deadline": iso(deadline[4]),
            "isPastDeadline": False,
        }
        if deadline
        else None,
        "nextLiveSession": {k: v for k, v in (_live(live_week, now) or {}).items() if k != "endAt"}
        if live_week
        else None,
        "certificates": certs,
    }


async def week_hub(pool: Any, user_id: int, slug: str, number: int) -> dict[str, Any]:
    now = utcnow()
    async with pool.acquire() as conn, conn.cursor() as cur:
        cohort_id, _ = await _access(cur, user_id, slug)
        await cur.execute(ONE_WEEK, (cohort_id, number))
        week = await cur.fetchone()
        if week is None:
            raise Refused(200, "NOT_FOUND", f"This program has no week {number}.")
        courses = await _all(cur, COURSES, cohort_id)
        lessons = await _all(cur, WEEK_LESSONS, user_id, cohort_id, week[0])
        prereqs = await _all(cur, PREREQUISITES.format(where="l.week_id = %s"), user_id, week[0])
    course_slug = {c[0]: c[1] for c in courses}
    place = {c[0]: i for i, c in enumerate(courses)}
    by_lesson, done = _prerequisites(prereqs)
    done |= {r[0] for r in lessons if r[9] is not None}
    items = []
    for r in _hub_order(lessons, place):
        status, reason, unlocks, missing = _status(r, by_lesson.get(r[0], []), done, now)
        items.append(
            {
                "slug": r[3],
                "title": r[4],
                "status": status,
                "lockReason": reason,
                "unlocksAt": iso(unlocks),
                "completedAt": iso(r[9]) if status == "COMPLETED" else None,
                "durationSeconds": r[7],
                "course": {"slug": course_slug.get(r[1], "")},
                "missingPrerequisites": [
                    {k: p[k] for k in ("slug", "title", "courseSlug", "weekNumber")}
                    for p in missing
                ],
            }
        )
    return {
        "week": {
            "number": week[1],
            "title": week[2],
            "releaseAt": iso(week[3]),
            "isReleased": now >= week[3],
            "assignmentDeadline": iso(week[4]),
            "lessonCount": len(lessons),
            "completedLessonCount": sum(1 for r in lessons if r[9] is not None),
        },
        "lessons": items,
        "assignment": {
            "title": week[9],
            "deadline": iso(week[4]),
            "isPastDeadline": now >= week[4],
        }
        if week[9] is not None and week[4] is not None
        else None,
        "liveSession": _live(week, now),
    }


# --- HTTP ---------------------------------------------------------------------------------


def _error(code: str, message: str, status: int, field: str | None = None) -> Response:
    body: dict[str, Any] = {"errors": [{"message": message, "extensions": {"code": code}}]}
    if field is not None:
        body["data"] = {field: None}
    return Response(dumps(body), status_code=status, media_type="application/json")


def _viewer(request: Request) -> int:
    """The same check as the app's TokenCodec.verify: HS256 only, issuer, audience, claims."""
    state = request.app.state
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Refused(401, "UNAUTHENTICATED", "Sign in first.")
    try:
        if jwt.get_unverified_header(token).get("alg") != "HS256":
            raise Refused(401, "INVALID_TOKEN", "Invalid access token.")
        claims = jwt.decode(
            token,
            state.jwt_secret,
            algorithms=["HS256"],
            audience=state.jwt_audience,
            issuer=state.jwt_issuer,
            leeway=5,
            options={"require": REQUIRED_CLAIMS},
        )
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError) as exc:
        raise Refused(401, "INVALID_TOKEN", "Invalid access token.") from exc


async def _answer(request: Request, *, cached: bool) -> Response:
    state = request.app.state
    field = None
    try:
        body = loads(await request.body())
        query = body.get("query") or ""
        variables = body.get("variables") or {}
        field = (
            "weekHub" if "weekHub" in query else "programHome" if "programHome" in query else None
        )
        if field is None:
            raise Refused(400, "BAD_REQUEST", "Only programHome and weekHub are served here.")
        user_id = _viewer(request)
        slug = str(variables.get("s") or variables.get("programSlug") or "")
        week = int(variables.get("w") or variables.get("weekNumber") or 0)
        key = f"{KEY_PREFIX}:{field}:{user_id}:{slug}:{week}"
        if cached:
            hit = await state.redis.get(key)
            if hit is not None:
                return Response(hit, media_type="application/json")
        if field == "weekHub":
            data = await week_hub(state.pool, user_id, slug, week)
        else:
            data = await program_home(state.pool, user_id, slug)
        raw = dumps({"data": {field: data}})
        if cached:
            await state.redis.set(key, raw, ex=CACHE_TTL_SECONDS)
        return Response(raw, media_type="application/json")
    except Refused as refused:
        return _error(refused.code, refused.message, refused.status, field)
    except (ValueError, AttributeError, TypeError):
        return _error("BAD_REQUEST", "Send a JSON object with query and variables.", 400)


async def warm(request: Request) -> Response:
    return await _answer(request, cached=True)


async def cold(request: Request) -> Response:
    return await _answer(request, cached=False)


async def healthz(_request: Request) -> Response:
    return Response(
        dumps({"status": "ok", "serializer": SERIALIZER}), media_type="application/json"
    )


def _mysql_args(url: str) -> dict[str, Any]:
    parts = urlsplit(url.replace("mysql+aiomysql://", "mysql://", 1))
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "user": unquote(parts.username or "root"),
        "password": unquote(parts.password or ""),
        "db": parts.path.lstrip("/"),
    }


def create_app() -> Starlette:
    database_url = os.environ["DATABASE_URL"]
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The app's pool is 10 (+20 overflow); the same 10 here.
        app.state.pool = await aiomysql.create_pool(
            minsize=1,
            maxsize=10,
            autocommit=True,
            charset="utf8mb4",
            init_command="SET time_zone = '+00:00'",
            **_mysql_args(database_url),
        )
        app.state.redis = aioredis.Redis.from_url(redis_url)
        try:
            yield
        finally:
            app.state.pool.close()
            await app.state.pool.wait_closed()
            await app.state.redis.aclose()

    app = Starlette(
        routes=[
            Route("/graphql", warm, methods=["POST"]),
            Route("/graphql/cold", cold, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )
    app.state.jwt_secret = os.environ["JWT_SECRET"]
    app.state.jwt_issuer = os.environ.get("JWT_ISSUER", "edxelera")
    app.state.jwt_audience = os.environ.get("JWT_AUDIENCE", "edxelera")
    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    for name in ("DATABASE_URL", "JWT_SECRET"):
        if not os.environ.get(name):
            raise SystemExit(f"raw_baseline: set {name}")
    print(f"raw baseline: serializer {SERIALIZER}, {args.workers} worker(s)", flush=True)
    uvicorn.run(
        "raw_baseline:create_app",
        factory=True,
        app_dir=str(Path(__file__).resolve().parent),
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
