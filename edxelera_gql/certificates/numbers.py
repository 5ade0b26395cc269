"""Certificate numbers: unguessable, human-typable, e.g. ``EDX-7K2M-9QX4-T8RD``.

Twelve Crockford base32 characters carry 60 bits from the operating system's CSPRNG; the
alphabet has no I, L, O or U, so a number read aloud or retyped is hard to get wrong.
"""

from __future__ import annotations

import re
import secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "EDX"
GROUPS = 3
GROUP_SIZE = 4
RANDOM_BITS = 5 * GROUPS * GROUP_SIZE  # 60

NUMBER_PATTERN = re.compile(rf"^{PREFIX}(-[{CROCKFORD}]{{{GROUP_SIZE}}}){{{GROUPS}}}$")


def encode(value: int) -> str:
    """``value`` (0 <= value < 2**60) as a grouped number."""
    if not 0 <= value < 1 << RANDOM_BITS:
        raise ValueError("value out of range")
    chars = []
    for _ in range(GROUPS * GROUP_SIZE):
        value, digit = divmod(value, 32)
        chars.append(CROCKFORD[digit])
    body = "".join(reversed(chars))
    groups = [body[i : i + GROUP_SIZE] for i in range(0, len(body), GROUP_SIZE)]
    return "-".join([PREFIX, *groups])


def new_certificate_number() -> str:
    return encode(secrets.randbits(RANDOM_BITS))


def is_well_formed(number: str) -> bool:
    return NUMBER_PATTERN.fullmatch(number) is not None


VERIFY_PATH = "/certificates/verify/"


def verification_url(public_base_url: str, number: str, template: str | None = None) -> str:
    """Where anyone can check a certificate by its number: this server's public page, or the
    deployment's own (``CERTIFICATE_VERIFY_URL``, a template with ``{number}``)."""
    if template:
        return template.replace("{number}", number)
    return f"{public_base_url.rstrip('/')}{VERIFY_PATH}{number}"
