"""Protected delivery over HTTP: lesson playback through the lock rules, the signed /cdn route
(ranges, expiry, tampering), certificate downloads and public verification."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from edxelera_gql.catalog.models import Lesson, LessonPrerequisite, VideoAsset
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.enrollment.models import Enrollment
from tests.support.factories import make_program
from tests.support.sql import count_statements
from tests.support.users import create_account, enroll

START = datetime(2027, 3, 1, 8, tzinfo=UTC)
PLAY = """query($p: String!, $c: String!, $l: String!) {
  lessonPlayback(programSlug: $p, courseSlug: $c, lessonSlug: $l) {
    url expiresAt mimeType signedQuery
  }
}"""
DOWNLOAD = "query($id: ID!) { certificateDownload(certificateId: $id) { url expiresAt } }"
VERIFY = """query($n: String!) { verifyCertificate(certificateNumber: $n) {
  certificateNumber status holderName type courseTitle programTitle issuedAt } }"""
CLIP = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


@pytest.fixture
async def program(app, sessionmaker, clock):
    """Two weeks, one course: w1-l0 (preview), w1-l1 (needs w1-l0), w2-l0; all with videos."""
    clock.set(START + timedelta(days=2))  # week 1 released, week 2 not
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="vid", courses=1, weeks=2, lessons_per_week=2)
        lessons = {
            lesson.slug: lesson
            for lesson in (await session.scalars(select(Lesson).order_by(Lesson.id))).all()
        }
        for slug, lesson in lessons.items():
            asset = VideoAsset(
                s3_bucket="videos",
                s3_key=f"vid/{slug}.mp4",
                cloud_front_path=f"/videos/vid/{slug}.mp4",
                mime_type="video/mp4",
                status="ready",
            )
            session.add(asset)
            await session.flush()
            lesson.video_asset_id = asset.id
        lessons["w1-l0"].is_preview = True
        session.add(
            LessonPrerequisite(
                lesson_id=lessons["w1-l1"].id, prerequisite_lesson_id=lessons["w1-l0"].id
            )
        )
    for slug in lessons:
        await app.state.storage.put("videos", f"vid/{slug}.mp4", CLIP, "video/mp4")
    return cohort


def play_vars(lesson: str) -> dict:
    return {"p": "vid", "c": "vid-c0", "l": lesson}


def code_of(result: dict) -> str:
    return result["errors"][0]["extensions"]["code"]


async def fetch(client, url: str, **headers):
    parts = urlsplit(url)
    return await client.get(f"{parts.path}?{parts.query}", headers=headers)


async def test_preview_lesson_plays_for_anyone_through_the_signed_cdn(gql, client, program):
    result = await gql(PLAY, play_vars("w1-l0"))
    playback = result["data"]["lessonPlayback"]
    assert playback["mimeType"] == "video/mp4"
    assert playback["signedQuery"] is None
    assert playback["url"].startswith("http://127.0.0.1:8000/cdn/videos/vid/w1-l0.mp4?Expires=")
    assert playback["expiresAt"] == "2027-03-03T08:10:00.000000Z"  # 600 s TTL

    whole = await fetch(client, playback["url"])
    assert whole.status_code == 200
    assert whole.content == CLIP
    part = await fetch(client, playback["url"], Range="bytes=100-199")
    assert part.status_code == 206
    assert part.content == CLIP[100:200]


async def test_cdn_refuses_expired_tampered_and_unsigned_requests(gql, client, program, clock):
    url = (await gql(PLAY, play_vars("w1-l0")))["data"]["lessonPlayback"]["url"]
    assert (await fetch(client, url)).status_code == 200
    other = url.replace("w1-l0.mp4", "w2-l0.mp4")
    assert (await fetch(client, other)).status_code == 403
    assert (await client.get("/cdn/videos/vid/w1-l0.mp4")).status_code == 403
    tampered = url.replace("Expires=", "Expires=9")
    assert (await fetch(client, tampered)).status_code == 403
    clock.advance(seconds=600)
    assert (await fetch(client, url)).status_code == 403


async def test_each_lock_reason_blocks_playback(app, gql, sessionmaker, program):
    stranger = await create_account(app, sessionmaker)
    assert code_of(await gql(PLAY, play_vars("w1-l1"), **stranger.headers)) == "NOT_ENROLLED"
    assert code_of(await gql(PLAY, play_vars("w1-l1"))) == "NOT_ENROLLED"  # anonymous

    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=program.id)
    locked = await gql(PLAY, play_vars("w1-l1"), **student.headers)
    assert code_of(locked) == "PREREQUISITES_INCOMPLETE"
    assert locked["errors"][0]["extensions"]["missingPrerequisites"] == ["w1-l0"]

    future = await gql(PLAY, play_vars("w2-l0"), **student.headers)
    assert code_of(future) == "WEEK_NOT_RELEASED"
    assert future["errors"][0]["extensions"]["unlocksAt"] == "2027-03-08T08:00:00Z"

    async with sessionmaker() as session, session.begin():
        await session.execute(update(VideoAsset).values(status="pending"))
    assert code_of(await gql(PLAY, play_vars("w1-l0"), **student.headers)) == "VIDEO_NOT_READY"
    unknown = await gql(PLAY, {**play_vars("w1-l0"), "l": "nope"}, **student.headers)
    assert code_of(unknown) == "NOT_FOUND"


async def test_completing_the_prerequisite_opens_playback_and_staff_see_everything(
    app, gql, sessionmaker, program
):
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=program.id)
    complete = """mutation { completeLesson(input: {courseSlug: "vid-c0", lessonSlug: "w1-l0"}) {
      errors { code } } }"""
    assert (await gql(complete, **student.headers))["data"]["completeLesson"]["errors"] == []
    opened = await gql(PLAY, play_vars("w1-l1"), **student.headers)
    assert opened["data"]["lessonPlayback"]["url"]

    staff = await create_account(app, sessionmaker, roles=("instructor",), staff_of=[program.id])
    early = await gql(PLAY, play_vars("w2-l0"), **staff.headers)
    assert early["data"]["lessonPlayback"]["url"]
    # Staff of another program are students here: week 2 is not out for them.
    elsewhere = await create_account(app, sessionmaker, roles=("instructor",))
    refused = await gql(PLAY, play_vars("w2-l0"), **elsewhere.headers)
    assert refused["errors"][0]["extensions"]["code"] == "NOT_ENROLLED"


async def test_a_refunded_student_loses_playback_at_once(app, gql, sessionmaker, program):
    student = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=program.id)
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Lesson).values(is_preview=False))
    assert (await gql(PLAY, play_vars("w1-l0"), **student.headers))["data"]["lessonPlayback"]
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Enrollment).values(status="refunded"))
    assert code_of(await gql(PLAY, play_vars("w1-l0"), **student.headers)) == "NOT_ENROLLED"


async def test_hls_playback_signs_the_assets_folder(app, gql, client, sessionmaker, program):
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(VideoAsset)
            .where(VideoAsset.s3_key == "vid/w1-l0.mp4")
            .values(
                cloud_front_path="/videos/hls/w1-l0/master.m3u8",
                mime_type="application/vnd.apple.mpegurl",
            )
        )
    storage = app.state.storage
    await storage.put("videos", "hls/w1-l0/master.m3u8", b"#EXTM3U\n", "application/x-mpegURL")
    await storage.put("videos", "hls/w1-l0/720p/seg-1.ts", b"segment", "video/mp2t")
    await storage.put("videos", "hls/other/seg-1.ts", b"other", "video/mp2t")

    playback = (await gql(PLAY, play_vars("w1-l0")))["data"]["lessonPlayback"]
    query = playback["signedQuery"]
    assert query
    assert "Policy=" in query
    assert (await fetch(client, playback["url"])).content == b"#EXTM3U\n"
    segment = await client.get(f"/cdn/videos/hls/w1-l0/720p/seg-1.ts?{query}")
    assert (segment.status_code, segment.content) == (200, b"segment")
    assert segment.headers["content-type"] == "video/mp2t"
    assert (await client.get(f"/cdn/videos/hls/other/seg-1.ts?{query}")).status_code == 403


async def test_playback_is_rate_limited_per_viewer(app, gql, sessionmaker, program, monkeypatch):
    from edxelera_gql.infra.ratelimit import Rule
    from edxelera_gql.learning import playback

    monkeypatch.setattr(playback, "PLAYBACK_RATE", Rule(limit=3, window_seconds=60))
    for _ in range(3):
        assert (await gql(PLAY, play_vars("w1-l0")))["data"]["lessonPlayback"]
    limited = await gql(PLAY, play_vars("w1-l0"))
    assert code_of(limited) == "RATE_LIMITED"
    assert limited["errors"][0]["extensions"]["retryAfterSeconds"] >= 1


async def make_certificate(
    sessionmaker, *, user_id: int, cohort_id: int, number: str, status="issued"
):
    async with sessionmaker() as session, session.begin():
        certificate = Certificate(
            user_id=user_id,
            cohort_id=cohort_id,
            course_id=None,
            type="program",
            status=status,
            scope_key=f"program:{user_id}:{cohort_id}",
            certificate_number=number,
            issued_at_utc=START + timedelta(weeks=3),
        )
        session.add(certificate)
    return certificate


async def test_certificate_download_is_for_the_owner_only(app, gql, client, sessionmaker, program):
    owner = await create_account(app, sessionmaker, full_name="Adaeze Okonkwo")
    other = await create_account(app, sessionmaker)
    certificate = await make_certificate(
        sessionmaker, user_id=owner.user_id, cohort_id=program.id, number="EDX-7K2M-9QX4-T8RD"
    )
    variables = {"id": str(certificate.id)}
    assert code_of(await gql(DOWNLOAD, variables, **other.headers)) == "NOT_FOUND"
    assert code_of(await gql(DOWNLOAD, {"id": "999999"}, **owner.headers)) == "NOT_FOUND"
    assert code_of(await gql(DOWNLOAD, variables)) == "UNAUTHENTICATED"

    signed = (await gql(DOWNLOAD, variables, **owner.headers))["data"]["certificateDownload"]
    assert signed["expiresAt"] == "2027-03-03T08:05:00.000000Z"  # 300 s TTL
    pdf = await fetch(client, signed["url"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Adaeze Okonkwo" in text
    assert "EDX-7K2M-9QX4-T8RD" in text


async def test_revoked_certificate_is_refused_and_verification_says_so(
    app, gql, sessionmaker, program
):
    owner = await create_account(app, sessionmaker, full_name="Tunde Bello", email="tunde@x.com")
    certificate = await make_certificate(
        sessionmaker, user_id=owner.user_id, cohort_id=program.id, number="EDX-AAAA-BBBB-CCCC"
    )
    verified = (await gql(VERIFY, {"n": "edx-aaaa-bbbb-cccc"}))["data"]["verifyCertificate"]
    assert verified == {
        "certificateNumber": "EDX-AAAA-BBBB-CCCC",
        "status": "ISSUED",
        "holderName": "Tunde Bello",
        "type": "PROGRAM",
        "courseTitle": None,
        "programTitle": "Program vid",
        "issuedAt": "2027-03-22T08:00:00.000000Z",
    }
    assert (await gql(VERIFY, {"n": "EDX-0000-0000-0000"}))["data"]["verifyCertificate"] is None
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Certificate).values(status="revoked"))
    revoked = (await gql(VERIFY, {"n": "EDX-AAAA-BBBB-CCCC"}))["data"]["verifyCertificate"]
    assert revoked["status"] == "REVOKED"
    assert code_of(await gql(DOWNLOAD, {"id": str(certificate.id)}, **owner.headers)) == "FORBIDDEN"
    # The verification type has no email field at all.
    no_email = await gql('{ verifyCertificate(certificateNumber: "x") { email } }')
    assert no_email["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_delivery_statement_counts(app, gql, sessionmaker, program):
    """Playback and downloads cost a fixed, small number of statements (the viewer is cached
    by the first request); a stored PDF is not rendered or written again."""
    student = await create_account(app, sessionmaker, full_name="Counted Student")
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=program.id)
    certificate = await make_certificate(
        sessionmaker, user_id=student.user_id, cohort_id=program.id, number="EDX-CCCC-DDDD-EEEE"
    )
    variables = {"id": str(certificate.id)}
    await gql(PLAY, play_vars("w1-l0"), **student.headers)  # viewer now cached
    engine = app.state.engine
    with count_statements(engine) as playback:
        result = await gql(PLAY, play_vars("w1-l0"), **student.headers)
    assert "errors" not in result, result
    with count_statements(engine) as first_download:
        result = await gql(DOWNLOAD, variables, **student.headers)
    assert "errors" not in result, result
    with count_statements(engine) as later_download:
        result = await gql(DOWNLOAD, variables, **student.headers)
    assert "errors" not in result, result
    with count_statements(engine) as verification:
        result = await gql(VERIFY, {"n": "EDX-CCCC-DDDD-EEEE"})
    assert result["data"]["verifyCertificate"]["holderName"] == "Counted Student"

    print(
        f"\nstatements: lessonPlayback {playback.count}, certificateDownload first "
        f"{first_download.count} / later {later_download.count}, "
        f"verifyCertificate {verification.count}"
    )
    # The lesson with its week, program and asset; the enrollment; the prerequisites.
    assert playback.count == 3, str(playback)
    # The first download reads the row, the holder and program, then records the PDF's
    # location after storing it (no row lock: one renderer is elected through the cache).
    assert first_download.count == 3, str(first_download)
    # Later downloads read the row and find the stored object: no lock, no render.
    assert later_download.count == 1, str(later_download)
    assert verification.count == 2, str(verification)
