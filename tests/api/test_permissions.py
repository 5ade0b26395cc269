"""The shared permission checks, on accounts made through the test support helpers."""

from __future__ import annotations

import pytest

from edxelera_gql.auth import permissions
from edxelera_gql.auth.viewer import Viewer
from edxelera_gql.enrollment import access
from edxelera_gql.errors import DomainError
from tests.support.factories import make_program
from tests.support.users import create_account, enroll

ME = "{ me { id email roles } }"


async def test_signed_in_account_helper_yields_a_working_bearer(app, gql, sessionmaker) -> None:
    staff = await create_account(app, sessionmaker, roles=("instructor", "admin"))
    result = await gql(ME, **staff.headers)
    assert result["data"]["me"]["roles"] == ["ADMIN", "INSTRUCTOR"]


def _code(check, *args) -> str | None:
    try:
        check(*args)
    except DomainError as error:
        return error.code
    return None


async def test_role_checks_are_per_program() -> None:
    student = Viewer(user_id=1, roles=frozenset({"student"}))
    # Instructor of program 10, teaching assistant of 11; the global role alone opens nothing.
    instructor = Viewer(
        user_id=2,
        roles=frozenset({"instructor"}),
        staff_roles=((10, "instructor"), (11, "teaching_assistant")),
    )
    unassigned = Viewer(user_id=4, roles=frozenset({"instructor"}))
    admin = Viewer(user_id=3, roles=frozenset({"admin"}))
    assert _code(permissions.require_viewer, None) == "UNAUTHENTICATED"
    staff, author = permissions.require_program_staff, permissions.require_program_author
    assert _code(staff, student, 10) == "FORBIDDEN"
    assert _code(staff, unassigned, 10) == "FORBIDDEN"
    assert _code(staff, instructor, 10) is None
    assert _code(staff, instructor, 11) is None
    assert _code(staff, instructor, 12) == "FORBIDDEN"
    assert _code(author, instructor, 10) is None
    assert _code(author, instructor, 11) == "FORBIDDEN"  # a TA there: no authoring
    assert _code(staff, admin, 12) is None
    assert _code(author, admin, 12) is None
    assert _code(permissions.require_admin, instructor) == "FORBIDDEN"
    assert permissions.require_admin(admin) is admin
    assert instructor.grants != unassigned.grants  # cached answers never cross assignments


async def test_program_access_needs_an_active_enrollment_or_staff(app, sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="p")
        other = await make_program(session, slug="q")
    active = await create_account(app, sessionmaker)
    pending = await create_account(app, sessionmaker)
    await enroll(sessionmaker, user_id=active.user_id, cohort_id=cohort.id)
    await enroll(
        sessionmaker, user_id=pending.user_id, cohort_id=cohort.id, status="pending_payment"
    )

    async with sessionmaker() as session:
        as_viewer = lambda a: Viewer(user_id=a.user_id, roles=frozenset({"student"}))  # noqa: E731
        assert await access.can_access_program(session, as_viewer(active), cohort.id)
        assert not await access.can_access_program(session, as_viewer(active), other.id)
        assert not await access.can_access_program(session, as_viewer(pending), cohort.id)
        assert not await access.can_access_program(session, None, cohort.id)
        staff = Viewer(
            user_id=999,
            roles=frozenset({"instructor"}),
            staff_roles=((other.id, "teaching_assistant"),),
        )
        assert await access.can_access_program(session, staff, other.id)
        assert not await access.can_access_program(session, staff, cohort.id)
        with pytest.raises(DomainError) as denied:
            await access.require_program_access(session, as_viewer(pending), cohort.id)
        assert denied.value.code == "NOT_ENROLLED"
