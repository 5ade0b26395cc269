"""Global ids and `node(id:)`: every id a member reads fetches the same object again, and what a
viewer may not see reads as unknown (NOT_FOUND), whatever the reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from edxelera_gql.catalog.models import Assignment, Week
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.graphql.ids import global_id, parse_global_id
from edxelera_gql.graphql.node import registered_types
from tests.support.factories import make_program
from tests.support.users import create_account, enroll

# What a member's screens read, with the id and __typename of every object on the way.
EVERYTHING = """
query Everything($number: String!) {
  me { __typename id }
  programHome(programSlug: "alpha") {
    __typename id
    program { __typename id courses { __typename id } weeks { __typename id } }
    enrollment { __typename id }
    courses { __typename id course { __typename id } }
    weeks { __typename id }
    nextLesson { __typename id }
    nextDeadline { __typename id }
    nextLiveSession { __typename id }
    certificates { __typename id }
  }
  weekHub(programSlug: "alpha", weekNumber: 1) {
    __typename id
    lessons { __typename id }
    assignment { __typename id }
    liveSession { __typename id }
    discussion { __typename id }
  }
  billingStatus(programSlug: "alpha") { __typename id }
  discussionThread(programSlug: "alpha", weekNumber: 1) {
    __typename id
    posts { nodes { __typename id } }
  }
  verifyCertificate(certificateNumber: $number) { __typename id }
}"""

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
NUMBER = "EDX-N0DE-7XAB-CDEF"  # Crockford: no O, I or L


def collect(value: Any, found: dict[str, str]) -> None:
    """id -> __typename for every object in a response."""
    if isinstance(value, dict):
        if "__typename" in value and value.get("id"):
            found[value["id"]] = value["__typename"]
        for item in value.values():
            collect(item, found)
    elif isinstance(value, list):
        for item in value:
            collect(item, found)


async def _world(app, gql, sessionmaker):
    now = app.state.clock.now()
    async with sessionmaker() as session, session.begin():
        alpha = await make_program(
            session, slug="alpha", weeks=2, lessons_per_week=2, start=now - timedelta(days=1)
        )
        week = await session.scalar(
            select(Week).where(Week.cohort_id == alpha.id, Week.week_number == 1)
        )
        assert week is not None
        week.assignment_deadline_utc = now + timedelta(days=3)
        week.live_session_title = "Office hours"
        week.live_session_start_utc = now + timedelta(days=2)
        week.live_session_end_utc = now + timedelta(days=2, hours=1)
        session.add(Assignment(week_id=week.id, title="Essay", submission_type="text"))
    student = await create_account(app, sessionmaker)
    outsider = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=student.user_id, cohort_id=alpha.id)
    async with sessionmaker() as session, session.begin():
        session.add(
            Certificate(
                user_id=student.user_id, cohort_id=alpha.id, course_id=None, type="program",
                status="issued", scope_key=f"program:{student.user_id}:{alpha.id}",
                certificate_number=NUMBER, issued_at_utc=now,
            )
        )  # fmt: skip
    created = await gql(
        'mutation { createPost(input: {programSlug: "alpha", weekNumber: 1, body: "Hi"}) '
        "{ post { id } errors { code } } }",
        **student.headers,
    )
    assert created["data"]["createPost"]["errors"] == [], created
    return student, outsider


async def test_node_refetches_every_object_a_member_reads(app, gql, sessionmaker) -> None:
    student, _ = await _world(app, gql, sessionmaker)
    everything = await gql(EVERYTHING, {"number": NUMBER}, **student.headers)
    assert "errors" not in everything, everything
    found: dict[str, str] = {}
    collect(everything["data"], found)
    # Every node type is reached (Payment: see the payments tests' matrix), so none is untested.
    assert set(found.values()) >= set(registered_types()) - {"Payment"}, sorted(found.values())
    for id_, typename in found.items():
        result = await gql(NODE, {"id": id_}, **student.headers)
        assert result.get("errors") is None, (typename, result)
        assert result["data"]["node"] == {"__typename": typename, "id": id_}
    # nodes(ids:) answers the same, in order, with null for an unknown id and no error.
    ids = [*found, global_id("Program", 999_999)]
    many = await gql(NODES, {"ids": ids}, **student.headers)
    assert "errors" not in many, many
    assert many["data"]["nodes"][:-1] == [{"__typename": found[i], "id": i} for i in found]
    assert many["data"]["nodes"][-1] is None


async def test_node_refuses_what_the_viewer_may_not_see(app, gql, sessionmaker) -> None:
    student, outsider = await _world(app, gql, sessionmaker)
    everything = await gql(EVERYTHING, {"number": NUMBER}, **student.headers)
    found: dict[str, str] = {}
    collect(everything["data"], found)
    # The catalogue (a program's courses and week outline) and a certificate's public check are
    # public, as the fields that expose them are; the rest is the member's.
    public = {"Program", "Course", "WeekSummary", "CertificateVerification"}
    # A billing status is the viewer's own for that program, as `billingStatus` answers it.
    for viewer, headers, visible in (
        ("outsider", outsider.headers, public | {"BillingStatus"}),
        ("anonymous", {}, public),
    ):
        for id_, typename in found.items():
            result = await gql(NODE, {"id": id_}, **headers)
            if typename in visible:
                assert result["data"]["node"] == {"__typename": typename, "id": id_}
                continue
            assert result["data"]["node"] is None, (viewer, typename, result)
            codes = [e["extensions"]["code"] for e in result["errors"]]
            assert codes == ["NOT_FOUND"], (viewer, typename, result)
            # The message says nothing about what exists.
            assert result["errors"][0]["message"] == "No object has this id, or you may not see it."


async def test_ids_are_opaque_and_bad_ids_read_as_unknown(app, gql, sessionmaker) -> None:
    student, _ = await _world(app, gql, sessionmaker)
    home = (await gql('{ programHome(programSlug: "alpha") { id } }', **student.headers))["data"]
    home_id = home["programHome"]["id"]
    assert not home_id.isdigit()
    assert "ProgramHome" not in home_id
    assert parse_global_id(home_id, 1) is not None
    for bad in ("", "42", "not-base64!", global_id("Nope", 1), global_id("ProgramHome", "x"),
                global_id("ProgramHome", 1, 2), "A" * 5000):  # fmt: skip
        result = await gql(NODE, {"id": bad}, **student.headers)
        assert result["data"]["node"] is None, (bad, result)
        assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"], bad
    too_many = await gql(NODES, {"ids": ["x"] * 101}, **student.headers)
    assert too_many["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
