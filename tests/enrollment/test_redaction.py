"""What a recorded webhook keeps: the audit trail, not the card or the customer."""

from __future__ import annotations

import json

from edxelera_gql.enrollment.redaction import REDACTED, redact_webhook_body

# Paystack's documented charge.success sample, trimmed to the parts that matter here.
CHARGE = {
    "event": "charge.success",
    "data": {
        "id": 302961,
        "status": "success",
        "reference": "qTPrJoy9Bx",
        "amount": 10000,
        "ip_address": "41.242.49.37",
        "customer": {
            "id": 68324,
            "first_name": "BoJack",
            "last_name": "Horseman",
            "email": "bojack@horseman.com",
            "customer_code": "CUS_qo38as2hpsgk2r0",
            "phone": None,
        },
        "authorization": {
            "authorization_code": "AUTH_f5rnfq9p",
            "bin": "539999",
            "last4": "8877",
            "exp_month": "08",
            "exp_year": "2020",
            "card_type": "mastercard DEBIT",
            "bank": "Guaranty Trust Bank",
            "brand": "mastercard",
            "account_name": "BoJack Horseman",
        },
    },
}


def test_the_reusable_code_card_and_customer_details_are_removed() -> None:
    kept = json.loads(redact_webhook_body(json.dumps(CHARGE).encode()))
    authorization = kept["data"]["authorization"]
    assert {
        k: authorization[k] for k in ("authorization_code", "bin", "last4", "account_name")
    } == {
        "authorization_code": REDACTED,
        "bin": REDACTED,
        "last4": REDACTED,
        "account_name": REDACTED,
    }
    assert authorization["brand"] == "mastercard"  # what is not personal stays
    customer = kept["data"]["customer"]
    assert (customer["email"], customer["first_name"], customer["phone"]) == (
        REDACTED,
        REDACTED,
        None,
    )
    assert customer["customer_code"] == "CUS_qo38as2hpsgk2r0"
    assert kept["data"]["ip_address"] == REDACTED
    assert (kept["event"], kept["data"]["reference"], kept["data"]["amount"]) == (
        "charge.success",
        "qTPrJoy9Bx",
        10000,
    )


def test_bodies_that_are_not_objects_keep_only_their_size() -> None:
    assert json.loads(redact_webhook_body(b"[1, 2]")) == {"unparsed_body_bytes": 6}
    assert json.loads(redact_webhook_body(b"\xff not json")) == {"unparsed_body_bytes": 10}
