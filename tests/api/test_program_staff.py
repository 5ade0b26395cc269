"""Program staff over HTTP: admins assign and remove, rights follow at once, the log records it."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from edxelera_gql.auth.models import ProgramStaff
from edxelera_gql.db.audit import AuditEvent
from tests.support.factories import make_program
from tests.support.users import create_account

ADD = """mutation($slug: String!, $email: String!, $role: ProgramRole!) {
  addProgramStaff(input: {programSlug: $slug, email: $email, role: $role}) {
    changed member { email role fullName } staff { email role } errors { code field }
  }
}"""
REMOVE = """mutation($slug: String!, $email: String!) {
  removeProgramStaff(input: {programSlug: $slug, email: $email}) {
    changed member { email } staff { email } errors { code field }
  }
}"""
PROGRAM = "query($slug: String!) { program(slug: $slug) { slug } }"
STAFF = "query($slug: String!) { programStaff(programSlug: $slug) { email role } }"
LOG = """query($slug: String!, $first: Int, $after: String) {
  auditLog(programSlug: $slug, first: $first, after: $after) {
    nodes { action actorName targetType reason changes { field before after } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def _programs(sessionmaker):
    async with sessionmaker() as session, session.begin():
        a = await make_program(session, slug="prog-a", published=False)
        b = await make_program(session, slug="prog-b")
    return a, b


def _payload(result: dict, name: str) -> dict:
    assert "errors" not in result, result
    return result["data"][name]


async def test_an_assignment_opens_the_program_at_once_and_a_removal_closes_it(
    app, gql, sessionmaker
) -> None:
    await _programs(sessionmaker)
    admin = await create_account(app, sessionmaker, roles=("admin",))
    tutor = await create_account(app, sessionmaker, roles=("instructor",), full_name="Tutor T")
    # Warm the tutor's cached viewer: the unpublished program does not exist for them.
    assert (await gql(PROGRAM, {"slug": "prog-a"}, **tutor.headers))["data"]["program"] is None

    variables = {"slug": "prog-a", "email": f"  {tutor.email.upper()} ", "role": "INSTRUCTOR"}
    added = _payload(await gql(ADD, variables, **admin.headers), "addProgramStaff")
    assert added["errors"] == []
    assert added["changed"] is True
    assert added["member"] == {"email": tutor.email, "role": "INSTRUCTOR", "fullName": "Tutor T"}
    # No wait for the viewer cache's minute: the next request sees the assignment.
    assert (await gql(PROGRAM, {"slug": "prog-a"}, **tutor.headers))["data"]["program"]
    me = await gql("{ me { staffOf { role program { slug title } } } }", **tutor.headers)
    assert me["data"]["me"]["staffOf"] == [
        {"role": "INSTRUCTOR", "program": {"slug": "prog-a", "title": "Program prog-a"}}
    ]
    assert (await gql(STAFF, {"slug": "prog-a"}, **tutor.headers))["data"]["programStaff"] == [
        {"email": tutor.email, "role": "INSTRUCTOR"}
    ]
    # The same again changes and records nothing; a new role is a change.
    again = _payload(await gql(ADD, variables, **admin.headers), "addProgramStaff")
    assert (again["changed"], again["errors"]) == (False, [])
    as_ta = _payload(
        await gql(ADD, variables | {"role": "TEACHING_ASSISTANT"}, **admin.headers),
        "addProgramStaff",
    )
    assert as_ta["member"]["role"] == "TEACHING_ASSISTANT"

    removed = _payload(
        await gql(REMOVE, {"slug": "prog-a", "email": tutor.email}, **admin.headers),
        "removeProgramStaff",
    )
    assert (removed["changed"], removed["member"], removed["staff"]) == (True, None, [])
    assert (await gql(PROGRAM, {"slug": "prog-a"}, **tutor.headers))["data"]["program"] is None
    retried = _payload(
        await gql(REMOVE, {"slug": "prog-a", "email": tutor.email}, **admin.headers),
        "removeProgramStaff",
    )
    assert (retried["changed"], retried["errors"]) == (False, [])

    log = _payload(await gql(LOG, {"slug": "prog-a"}, **admin.headers), "auditLog")
    assert [(n["action"], n["actorName"], n["targetType"]) for n in log["nodes"]] == [
        ("staff.remove", "Test User", "User"),
        ("staff.assign", "Test User", "User"),
        ("staff.assign", "Test User", "User"),
    ]
    assert log["nodes"][1]["changes"] == [
        {"field": "role", "before": '"instructor"', "after": '"teaching_assistant"'},
        {"field": "email", "before": None, "after": f'"{tutor.email}"'},
    ]


async def test_only_admins_manage_staff_and_refusals_name_the_field(app, gql, sessionmaker) -> None:
    a, _ = await _programs(sessionmaker)
    admin = await create_account(app, sessionmaker, roles=("admin",))
    instructor = await create_account(app, sessionmaker, roles=("instructor",), staff_of=[a.id])
    person = await create_account(app, sessionmaker)

    async def codes(headers, **variables) -> list[tuple[str, str | None]]:
        values = {"slug": "prog-a", "email": person.email, "role": "INSTRUCTOR"} | variables
        payload = _payload(await gql(ADD, values, **headers), "addProgramStaff")
        return [(e["code"], e["field"]) for e in payload["errors"]]

    assert await codes({}) == [("UNAUTHENTICATED", None)]
    assert await codes(person.headers) == [("NOT_FOUND", "programSlug")]  # unpublished
    assert await codes(instructor.headers) == [("FORBIDDEN", None)]
    assert await codes(admin.headers, slug="nope") == [("NOT_FOUND", "programSlug")]
    assert await codes(admin.headers, email="nobody@example.com") == [("NOT_FOUND", "email")]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count(AuditEvent.id))) == 0
        assert await session.scalar(select(func.count(ProgramStaff.id))) == 1


async def test_the_audit_log_is_for_the_programs_instructors_and_pages_newest_first(
    app, gql, sessionmaker
) -> None:
    a, b = await _programs(sessionmaker)
    admin = await create_account(app, sessionmaker, roles=("admin",))
    instructor = await create_account(app, sessionmaker, roles=("instructor",), staff_of=[a.id])
    ta = await create_account(app, sessionmaker, staff_of=[a.id], staff_role="teaching_assistant")
    foreign = await create_account(app, sessionmaker, roles=("instructor",), staff_of=[b.id])
    people = [await create_account(app, sessionmaker) for _ in range(3)]
    for person in people:
        variables = {"slug": "prog-a", "email": person.email, "role": "TEACHING_ASSISTANT"}
        assert _payload(await gql(ADD, variables, **admin.headers), "addProgramStaff")["changed"]

    def code(result: dict) -> str:
        return result["errors"][0]["extensions"]["code"]

    assert code(await gql(LOG, {"slug": "prog-a"}, **ta.headers)) == "FORBIDDEN"
    assert code(await gql(LOG, {"slug": "prog-a"}, **foreign.headers)) == "NOT_FOUND"
    assert code(await gql(LOG, {"slug": "prog-b"}, **instructor.headers)) == "FORBIDDEN"
    seen, after = [], None
    while True:
        page = _payload(
            await gql(LOG, {"slug": "prog-a", "first": 2, "after": after}, **instructor.headers),
            "auditLog",
        )
        seen += [n["changes"][-1]["after"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f'"{p.email}"' for p in reversed(people)]
    malformed = await gql(LOG, {"slug": "prog-a", "after": "bm9wZQ=="}, **instructor.headers)
    assert code(malformed) == "INVALID_INPUT"


async def test_simultaneous_assignments_of_one_person_make_one_row(app, gql, sessionmaker) -> None:
    await _programs(sessionmaker)
    admin = await create_account(app, sessionmaker, roles=("admin",))
    person = await create_account(app, sessionmaker)
    variables = {"slug": "prog-b", "email": person.email, "role": "INSTRUCTOR"}
    answers = await asyncio.gather(*(gql(ADD, variables, **admin.headers) for _ in range(6)))
    payloads = [_payload(a, "addProgramStaff") for a in answers]
    assert all(p["errors"] == [] for p in payloads), payloads
    assert sum(p["changed"] for p in payloads) == 1
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count(ProgramStaff.id))) == 1
        assert await session.scalar(select(func.count(AuditEvent.id))) == 1
