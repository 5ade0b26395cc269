"""Every operation of the schema x every kind of viewer -> the expected code, or success.

One table, read against the live app over HTTP (the sandbox-backed app, so payments are real).
A new root field without a row fails ``test_the_matrix_covers_every_operation``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from edxelera_gql.catalog.models import Lesson, VideoAsset
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.graphql.ids import global_id
from edxelera_gql.graphql.schema import build_schema
from tests.support.factories import make_program
from tests.support.users import Account, create_account, enroll

# instructor and teaching_assistant are assigned to "alpha"; foreign_instructor to "beta" only
# (for alpha they are one more outsider).
ROLES = (
    "anonymous", "outsider", "pending", "enrolled", "other_student",
    "instructor", "teaching_assistant", "foreign_instructor", "admin",
)  # fmt: skip
OK = "ok"
STAFF_OK = {"instructor": OK, "teaching_assistant": OK, "admin": OK}
AUTHORS_OK = {"instructor": OK, "admin": OK}
FORBIDDEN_BUT = {r: "FORBIDDEN" for r in ROLES} | {"anonymous": "UNAUTHENTICATED"}
SIGNED_IN = {r: OK for r in ROLES if r != "anonymous"} | {"anonymous": "UNAUTHENTICATED"}
MEMBERS = {
    "anonymous": "UNAUTHENTICATED",
    "outsider": "NOT_ENROLLED",
    "pending": "NOT_ENROLLED",
    "enrolled": OK,
    "other_student": "NOT_ENROLLED",
    "foreign_instructor": "NOT_ENROLLED",
    **STAFF_OK,
}
EVERYONE = dict.fromkeys(ROLES, OK)

# operation -> (document, expected per role). {placeholders} come from the world below.
MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    "me": ("{ me { id } }", EVERYONE),
    "programs": ("{ programs { nodes { slug } } }", EVERYONE),
    "program": ('{ program(slug: "alpha") { slug } }', EVERYONE),
    "canEnroll": ('{ canEnroll(programSlug: "alpha") { allowed } }', EVERYONE),
    "billingStatus": ('{ billingStatus(programSlug: "alpha") { enrollmentStatus } }', SIGNED_IN),
    "certificates": ("{ certificates { id } }", SIGNED_IN),
    "certificateDownload": (
        '{ certificateDownload(certificateId: "{certificate}") { url } }',
        {r: "NOT_FOUND" for r in ROLES} | {"anonymous": "UNAUTHENTICATED", "enrolled": OK},
    ),
    "verifyCertificate": (
        '{ verifyCertificate(certificateNumber: "{number}") { status } }',
        EVERYONE,
    ),
    "programHome": ('{ programHome(programSlug: "alpha") { program { slug } } }', MEMBERS),
    "weekHub": ('{ weekHub(programSlug: "alpha", weekNumber: 1) { week { number } } }', MEMBERS),
    "courseProgress": ('{ courseProgress(courseSlug: "alpha-c0") { totalLessons } }', MEMBERS),
    "lessonPlayback": (
        '{ lessonPlayback(programSlug: "alpha", courseSlug: "alpha-c0", lessonSlug: "w1-l0") '
        "{ url } }",
        MEMBERS | {"anonymous": "NOT_ENROLLED"},
    ),
    "calendarFeedUrl": ("{ calendarFeedUrl }", SIGNED_IN),
    "notificationPreferences": ("{ notificationPreferences { kind enabled } }", SIGNED_IN),
    "updateNotificationPreferences": (
        "mutation { updateNotificationPreferences(input: {preferences: "
        "[{kind: WEEK_RELEASED, enabled: false}]}) { errors { code } } }",
        SIGNED_IN,
    ),
    "rotateCalendarFeed": ("mutation { rotateCalendarFeed { url errors { code } } }", SIGNED_IN),
    "discussionThread": (
        '{ discussionThread(programSlug: "alpha", weekNumber: 1) { id } }',
        MEMBERS,
    ),
    "signUp": (
        'mutation { signUp(input: {email: "{fresh}@example.com", password: "password1", '
        'fullName: "New Person"}) { errors { code } } }',
        EVERYONE,
    ),
    "signIn": (
        'mutation { signIn(input: {email: "{fresh}@example.com", password: "password1"}) '
        "{ errors { code } } }",
        dict.fromkeys(ROLES, "INVALID_CREDENTIALS"),
    ),
    "refreshSession": (
        'mutation { refreshSession(input: {refreshToken: "{fresh}"}) { errors { code } } }',
        dict.fromkeys(ROLES, "INVALID_REFRESH_TOKEN"),
    ),
    "signOut": (
        'mutation { signOut(input: {refreshToken: "{fresh}"}) { ok errors { code } } }',
        EVERYONE,
    ),
    "initPayment": (
        'mutation { initPayment(input: {programSlug: "alpha"}) { errors { code } } }',
        SIGNED_IN | {"enrolled": "ALREADY_ENROLLED"},
    ),
    "verifyPayment": (
        'mutation { verifyPayment(input: {reference: "{pending_reference}"}) { errors { code } } }',
        {r: "NOT_FOUND" for r in ROLES}
        | {"anonymous": "UNAUTHENTICATED", "pending": "PAYMENT_NOT_SUCCESSFUL"}
        | {"admin": "PAYMENT_NOT_SUCCESSFUL"},
    ),
    "completeLesson": (
        'mutation { completeLesson(input: {courseSlug: "alpha-c0", lessonSlug: "w1-l0"}) '
        "{ errors { code } } }",
        MEMBERS | dict.fromkeys(STAFF_OK, "NOT_ENROLLED"),
    ),
    "createPost": (
        'mutation { createPost(input: {programSlug: "alpha", weekNumber: 1, body: "Hello"}) '
        "{ errors { code } } }",
        MEMBERS,
    ),
    "replyToPost": (
        'mutation { replyToPost(input: {postId: "{post}", body: "Hi"}) { errors { code } } }',
        MEMBERS
        | dict.fromkeys(
            ("outsider", "pending", "other_student", "foreign_instructor"), "NOT_FOUND"
        ),
    ),
    "setPinnedPost": (
        'mutation { setPinnedPost(input: {postId: "{post}", pinned: true}) { errors { code } } }',
        FORBIDDEN_BUT | STAFF_OK,
    ),
    # Staff tools: the program's staff read, its instructors (and admins) manage.
    "programStaff": ('{ programStaff(programSlug: "alpha") { email } }', FORBIDDEN_BUT | STAFF_OK),
    "auditLog": (
        '{ auditLog(programSlug: "alpha") { nodes { action } } }',
        FORBIDDEN_BUT | AUTHORS_OK,
    ),
    "addProgramStaff": (
        'mutation { addProgramStaff(input: {programSlug: "alpha", email: "{spare}", '
        "role: TEACHING_ASSISTANT}) { errors { code } } }",
        FORBIDDEN_BUT | {"admin": OK},
    ),
    "removeProgramStaff": (
        'mutation { removeProgramStaff(input: {programSlug: "alpha", email: "{spare}"}) '
        "{ errors { code } } }",
        FORBIDDEN_BUT | {"admin": OK},
    ),
    # By global id: what may not be seen reads as unknown (NOT_FOUND), whatever the reason.
    "node": (
        '{ node(id: "{home}") { id } }',
        {r: "NOT_FOUND" for r in ROLES} | {"enrolled": OK, **STAFF_OK},
    ),
    "nodes": ('{ nodes(ids: ["{home}", "{post}"]) { id } }', EVERYONE),
    # Last: admins refund the enrolled student's payment.
    "refundPayment": (
        'mutation { refundPayment(input: {reference: "{paid_reference}"}) { errors { code } } }',
        {r: "FORBIDDEN" for r in ROLES} | {"anonymous": "UNAUTHENTICATED", "admin": OK},
    ),
    "revokeCertificate": (
        'mutation { revokeCertificate(input: {certificateNumber: "{number}", reason: "Test"}) '
        "{ errors { code } } }",
        {r: "FORBIDDEN" for r in ROLES} | {"anonymous": "UNAUTHENTICATED", "admin": OK},
    ),
}


def test_the_matrix_covers_every_operation() -> None:
    graphql_schema = build_schema()._schema
    operations = set(graphql_schema.query_type.fields) | set(graphql_schema.mutation_type.fields)
    assert operations == set(MATRIX)
    assert all(set(expected) == set(ROLES) for _, expected in MATRIX.values())


@dataclass
class World:
    accounts: dict[str, Account | None]
    values: dict[str, str]


async def _world(app, gql, sessionmaker, paystack) -> World:
    now = app.state.clock.now()
    async with sessionmaker() as session, session.begin():
        # Started yesterday, late join open: week 1 is out, enrolling is still possible.
        alpha = await make_program(
            session, slug="alpha", weeks=2, start=now - timedelta(days=1),
            late_join_enabled=True, price_minor=500_000,
        )  # fmt: skip
        beta = await make_program(session, slug="beta", start=now - timedelta(days=1))
        lesson = await session.scalar(select(Lesson).where(Lesson.slug == "w1-l0"))
        asset = VideoAsset(s3_bucket="videos", s3_key="m/w1.mp4", cloud_front_path="/videos/m/w1.mp4",
                           mime_type="video/mp4", status="ready")  # fmt: skip
        session.add(asset)
        await session.flush()
        assert lesson is not None
        lesson.video_asset_id = asset.id
    accounts: dict[str, Account | None] = {"anonymous": None}
    staff = {
        "instructor": (("instructor",), [alpha.id], "instructor"),
        "teaching_assistant": (("student",), [alpha.id], "teaching_assistant"),
        "foreign_instructor": (("instructor",), [beta.id], "instructor"),
        "admin": (("admin",), [], "instructor"),
    }
    for role in ROLES[1:]:
        roles, programs, part = staff.get(role, (("student",), [], "instructor"))
        accounts[role] = await create_account(
            app, sessionmaker, roles=roles, staff_of=programs, staff_role=part
        )
    spare = await create_account(app, sessionmaker)
    enrolled, other = accounts["enrolled"], accounts["other_student"]
    pending = accounts["pending"]
    assert enrolled is not None
    assert other is not None
    assert pending is not None
    # The enrolled student paid through the sandbox; the pending one opened a checkout.
    init = 'mutation { initPayment(input: {programSlug: "alpha"}) { reference errors { code } } }'
    paid = (await gql(init, **enrolled.headers))["data"]["initPayment"]["reference"]
    paystack.complete(paid)
    verify = "mutation($r: String!) { verifyPayment(input: {reference: $r}) { errors { code } } }"
    assert (await gql(verify, {"r": paid}, **enrolled.headers))["data"]["verifyPayment"][
        "errors"
    ] == []
    pending_reference = (await gql(init, **pending.headers))["data"]["initPayment"]["reference"]
    await enroll(sessionmaker, user_id=other.user_id, cohort_id=beta.id)
    async with sessionmaker() as session, session.begin():
        certificate = Certificate(
            user_id=enrolled.user_id, cohort_id=alpha.id, course_id=None, type="program",
            status="issued", scope_key=f"program:{enrolled.user_id}:{alpha.id}",
            certificate_number="EDX-MATR-1XAB-CDEF", issued_at_utc=now,
        )  # fmt: skip
        session.add(certificate)
    post = await gql(
        'mutation { createPost(input: {programSlug: "alpha", weekNumber: 1, body: "First"}) '
        "{ post { id } } }",
        **enrolled.headers,
    )
    await app.state.storage.put("videos", "m/w1.mp4", b"clip", "video/mp4")
    return World(
        accounts,
        {
            "certificate": str(certificate.id),
            "number": "EDX-MATR-1XAB-CDEF",
            "pending_reference": pending_reference,
            "paid_reference": paid,
            "post": post["data"]["createPost"]["post"]["id"],
            "home": global_id("ProgramHome", alpha.id),
            "spare": spare.email,
        },
    )


def _outcome(result: dict[str, Any], operation: str) -> str:
    if result.get("errors"):
        return result["errors"][0]["extensions"]["code"]
    payload = result["data"][operation]
    if isinstance(payload, dict) and payload.get("errors"):
        return payload["errors"][0]["code"]
    return OK


async def test_every_operation_for_every_viewer(app, gql, sessionmaker, paystack) -> None:
    world = await _world(app, gql, sessionmaker, paystack)
    seen: dict[tuple[str, str], str] = {}
    expected: dict[tuple[str, str], str] = {}
    for operation, (document, outcomes) in MATRIX.items():
        for role in ROLES:
            values = world.values | {"fresh": f"m-{secrets.token_hex(6)}"}
            text = document
            for name, value in values.items():
                text = text.replace("{" + name + "}", value)
            account = world.accounts[role]
            headers = account.headers if account else {}
            seen[(operation, role)] = _outcome(await gql(text, **headers), operation)
            expected[(operation, role)] = outcomes[role]
    wrong = {cell: (seen[cell], want) for cell, want in expected.items() if seen[cell] != want}
    assert wrong == {}, "\n".join(f"{op} as {role}: got {got}, want {want}"
                                  for (op, role), (got, want) in wrong.items())  # fmt: skip
    assert len(seen) == len(MATRIX) * len(ROLES) == 35 * 9
