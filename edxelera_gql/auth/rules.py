"""Pure account rules: input normalization and validation, shared by sign-up and the CLI."""

from __future__ import annotations

import re

from edxelera_gql import text
from edxelera_gql.errors import Code, Refusal

PASSWORD_MIN, PASSWORD_MAX = 8, 128
FULL_NAME_MAX = 200
EMAIL_MAX = 254
# Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _problem(field: str, message: str) -> Refusal:
    return Refusal(Code.INVALID_INPUT, message, field)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> Refusal | None:
    if not email:
        return _problem("email", "Email is required.")
    if len(email) > EMAIL_MAX or not _EMAIL_RE.fullmatch(email):
        return _problem("email", "Enter a valid email address.")
    return None


def password_problem(password: str) -> Refusal | None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return _problem(
            "password", f"Password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters."
        )
    return None


def normalize_name(full_name: str) -> str:
    return text.normalize(full_name).strip()


def full_name_problem(full_name: str) -> Refusal | None:
    if not 1 <= len(full_name) <= FULL_NAME_MAX:
        return _problem("fullName", f"Full name must be 1 to {FULL_NAME_MAX} characters.")
    if (why := text.name_problem(full_name)) is not None:
        return _problem("fullName", f"Full name {why}.")
    return None


def sign_up_problems(email: str, password: str, full_name: str) -> list[Refusal]:
    """Every problem with a sign-up, on normalized email and trimmed name."""
    found = [email_problem(email), password_problem(password), full_name_problem(full_name)]
    return [p for p in found if p is not None]


def sign_in_problems(email: str, password: str) -> list[Refusal]:
    """Only shape checks: a wrong password is not an input problem. The upper bound keeps
    attackers from making us hash megabytes."""
    problems = []
    if not email or len(email) > EMAIL_MAX:
        problems.append(_problem("email", "Enter your email address."))
    if not password or len(password) > PASSWORD_MAX:
        problems.append(_problem("password", "Enter your password."))
    return problems
