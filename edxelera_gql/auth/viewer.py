"""Who is asking: resolved once per request from the bearer token.

Staff is per program: admins are staff in every program; instructors and teaching assistants
only in the programs they are assigned to (``program_staff``). The global ``instructor`` role
grants nothing by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from edxelera_gql.auth.enums import ProgramRole, Role


@dataclass(frozen=True)
class Viewer:
    user_id: int
    roles: frozenset[str]
    session_id: str = ""
    # (program id, ProgramRole value) for each program the viewer is assigned to, sorted.
    staff_roles: tuple[tuple[int, str], ...] = ()

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def program_role(self, cohort_id: int) -> ProgramRole | None:
        for program, role in self.staff_roles:
            if program == cohort_id:
                return ProgramRole(role)
        return None

    def is_staff_in(self, cohort_id: int | None) -> bool:
        """Sees the program's unreleased content, live URLs and every week's discussion, and
        moderates it (pins)."""
        if self.is_admin:
            return True
        return cohort_id is not None and self.program_role(cohort_id) is not None

    def can_author(self, cohort_id: int | None) -> bool:
        """Edits the program's content and manages its learners: admins and its instructors."""
        if self.is_admin:
            return True
        return cohort_id is not None and self.program_role(cohort_id) == ProgramRole.INSTRUCTOR

    @property
    def is_staff_anywhere(self) -> bool:
        return self.is_admin or bool(self.staff_roles)

    @property
    def staff_program_ids(self) -> frozenset[int]:
        return frozenset(program for program, _ in self.staff_roles)

    @property
    def grants(self) -> str:
        """Everything that decides what this viewer may see, as one string: a cached answer
        computed for other grants (a role or an assignment since changed) is not reused."""
        staff = ";".join(f"{program}={role}" for program, role in self.staff_roles)
        return ",".join(sorted(self.roles)) + "|" + staff
