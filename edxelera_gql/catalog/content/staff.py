"""The ``staff`` section: who runs the program, by account email, and as what.

Emails are matched against existing accounts by the importer (accounts are never created by an
import); here only their shape, the role and the rule that each person is listed once.
"""

from __future__ import annotations

import re
from typing import Any

from edxelera_gql.catalog.content.fields import FieldReader
from edxelera_gql.catalog.content.plan import STAFF_ROLES, StaffPlan
from edxelera_gql.catalog.content.problems import join

STAFF_KEYS = ("email", "role")
# The account rule's shape (one @, a dot in the domain, no spaces); accounts store it lowercased.
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def read_staff(f: FieldReader, root: dict[Any, Any]) -> tuple[StaffPlan, ...]:
    staff: list[StaffPlan] = []
    first: dict[str, str] = {}
    for i, value in enumerate(f.sequence(root, "staff", "")):
        path = f"staff[{i}]"
        data = f.mapping(value, path)
        if data is None:
            continue
        f.check_keys(data, path, STAFF_KEYS)
        email = f.string(data, "email", path, required=True, max_len=254)
        ok, role = f.choice(data, "role", path, STAFF_ROLES)
        if email is None or not ok:
            continue
        email = email.strip().lower()
        if not _EMAIL_RE.fullmatch(email):
            f.problem(join(path, "email"), "must be an email address")
            continue
        if email in first:
            f.problem(join(path, "email"), f"is listed already at {first[email]}")
            continue
        first[email] = join(path, "email")
        staff.append(StaffPlan(email=email, role=role or STAFF_ROLES[0], path=path))
    return tuple(staff)
