"""The slug rule, shared with code outside the content format (e.g. learning/service.py)."""

from __future__ import annotations

import re

SLUG_RE = re.compile(r"[a-z0-9-]+")
SLUG_MAX_LENGTH = 100


def is_slug(value: str) -> bool:
    """The content format's slug (programs, courses, lessons): 1..100 of a-z, 0-9 and '-'."""
    return 0 < len(value) <= SLUG_MAX_LENGTH and SLUG_RE.fullmatch(value) is not None
