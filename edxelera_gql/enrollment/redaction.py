"""What of a Paystack webhook body we keep: enough to audit a delivery, nothing reusable.

``authorization.authorization_code`` can charge the card again, and the card's BIN, last four
digits, expiry and holder name, the customer's name, email and phone, and the payer's IP address
are personal data this record does not need. Pure: JSON text in, JSON text out.
"""

from __future__ import annotations

import json
from typing import Any

REDACTED = "[redacted]"
_AUTHORIZATION = frozenset(
    {"authorization_code", "bin", "last4", "exp_month", "exp_year", "signature", "account_name"}
)
_CUSTOMER = frozenset({"first_name", "last_name", "email", "phone"})
_DATA = frozenset({"ip_address"})


def _scrub(mapping: dict[str, Any], keys: frozenset[str]) -> None:
    for key in keys & mapping.keys():
        if mapping[key] is not None:
            mapping[key] = REDACTED


def redact_webhook_body(raw: bytes) -> str:
    """The body with the fields above replaced; a body that is not a JSON object is kept only
    as a note of its size (signed garbage is rare, and its content is no one's business)."""
    try:
        payload = json.loads(raw)
    except ValueError:
        return json.dumps({"unparsed_body_bytes": len(raw)})
    if not isinstance(payload, dict):
        return json.dumps({"unparsed_body_bytes": len(raw)})
    data = payload.get("data")
    if isinstance(data, dict):
        _scrub(data, _DATA)
        for name, keys in (("authorization", _AUTHORIZATION), ("customer", _CUSTOMER)):
            part = data.get(name)
            if isinstance(part, dict):
                _scrub(part, keys)
    return json.dumps(payload, ensure_ascii=False)
