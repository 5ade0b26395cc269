"""The content format's ``staff`` section: people named by email become the program's staff."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edxelera_gql.auth.accounts import create_account
from edxelera_gql.auth.enums import ProgramRole
from edxelera_gql.catalog.content import STAFF_ROLES, ContentRejected, validate_program
from edxelera_gql.catalog.models import Cohort
from edxelera_gql.db.program_staff import ProgramStaff
from tests.catalog.test_import import CATALOG_TABLES, dump, import_doc, program_doc


async def _assignments(sessionmaker) -> list[tuple[str, int, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(Cohort.slug, ProgramStaff.user_id, ProgramStaff.role)
            .join(Cohort, Cohort.id == ProgramStaff.cohort_id)
            .order_by(ProgramStaff.user_id)
        )
        return [tuple(row) for row in rows]


async def _person(sessionmaker, email: str) -> int:
    user = await create_account(
        sessionmaker, email=email, password="password1", full_name="Staff Person", roles=["student"]
    )
    return user.id


def test_the_format_knows_every_program_role() -> None:
    assert set(STAFF_ROLES) == {r.value for r in ProgramRole}


async def test_staff_by_email_are_assigned_then_re_roled_never_removed(sessionmaker) -> None:
    tutor = await _person(sessionmaker, "tutor@example.com")
    helper = await _person(sessionmaker, "helper@example.com")
    doc = program_doc("staffed")
    # Emails are matched as accounts store them: lowercased, trimmed.
    doc["staff"] = [
        {"email": " Tutor@Example.com "},
        {"email": "helper@example.com", "role": "teaching_assistant"},
    ]
    first = await import_doc(sessionmaker, doc)
    assert (first.created["staff"], sorted(first.staff_changed)) == (2, sorted([tutor, helper]))
    assert await _assignments(sessionmaker) == [
        ("staffed", tutor, "instructor"),
        ("staffed", helper, "teaching_assistant"),
    ]
    again = await import_doc(sessionmaker, doc)
    assert (again.changed, again.staff_changed) == (False, [])

    doc["staff"] = [{"email": "helper@example.com", "role": "instructor"}]
    third = await import_doc(sessionmaker, doc)
    assert (third.updated["staff"], third.staff_changed) == (1, [helper])
    assert await _assignments(sessionmaker) == [
        ("staffed", tutor, "instructor"),  # no longer listed: kept (admins remove)
        ("staffed", helper, "instructor"),
    ]


async def test_an_email_without_an_account_refuses_the_import_and_writes_nothing(
    sessionmaker,
) -> None:
    await _person(sessionmaker, "tutor@example.com")
    doc = program_doc("staffed")
    doc["staff"] = [{"email": "tutor@example.com"}, {"email": "nobody@example.com"}]
    before = await dump(sessionmaker)
    with pytest.raises(ContentRejected) as caught:
        await import_doc(sessionmaker, doc)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("staff[1].email", "no account has this email (the person signs up first)")
    ]
    assert await dump(sessionmaker) == before
    assert set(CATALOG_TABLES) <= set(before)
    assert await _assignments(sessionmaker) == []


def test_malformed_staff_entries_are_each_reported_with_their_path() -> None:
    doc = program_doc("staffed")
    doc["staff"] = [
        {"email": "a@example.com", "role": "dean"},
        {"email": "not-an-email"},
        {"email": "a@example.com"},
        {"email": "A@example.com", "rol": "instructor"},
        "b@example.com",
    ]
    with pytest.raises(ContentRejected) as caught:
        validate_program(doc)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("staff[0].role", "must be one of instructor, teaching_assistant"),
        ("staff[1].email", "must be an email address"),
        ("staff[3].rol", "unknown key; did you mean 'role'?"),
        ("staff[3].email", "is listed already at staff[2].email"),
        ("staff[4]", "expected a mapping, got string"),
    ]
