"""Parsing Paystack's answers defensively, and webhook signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from edxelera_gql.enrollment.paystack import (
    PaystackUnavailable,
    parse_amount,
    parse_initialized,
    parse_metadata,
    parse_time,
    parse_verification,
    sign,
    signature_matches,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5000, 5000), ("5000", 5000), (" 5000 ", 5000), (5000.0, 5000), ("5000.00", 5000),
     ("50.5", None), (50.5, None), ("5000.", 5000), (".5", None), ("1e3", None), (True, None),
     (None, None), ("", None), ("-1", None), ({}, None)],
)  # fmt: skip
def test_amounts_may_arrive_as_strings(raw, expected) -> None:
    assert parse_amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [({"a": 1}, {"a": 1}), ('{"a": 1}', {"a": 1}), ("", {}), (0, {}), (None, {}), ("x", {}),
     ("[1, 2]", {}), ("{broken", {}), ([1], {})],
)  # fmt: skip
def test_metadata_may_be_empty_zero_a_string_or_an_object(raw, expected) -> None:
    assert parse_metadata(raw) == expected


def test_times_parse_with_or_without_fractions_and_zones() -> None:
    assert parse_time("2016-09-30T21:10:19.000Z") == datetime(2016, 9, 30, 21, 10, 19, tzinfo=UTC)
    assert parse_time("2016-09-30T22:10:19+01:00") == datetime(2016, 9, 30, 21, 10, 19, tzinfo=UTC)
    assert parse_time("2016-09-30T21:10:19") == datetime(2016, 9, 30, 21, 10, 19, tzinfo=UTC)
    for bad in [None, "", "yesterday", 1475269819]:
        assert parse_time(bad) is None


def test_only_data_status_decides_never_the_top_level_status() -> None:
    body = {
        "status": False,  # the request's status, not the payment's
        "message": "Verification successful",
        "data": {"status": "Success", "reference": "edx-1", "amount": "500000", "currency": "NGN",
                 "channel": "card", "paid_at": "2027-02-01T10:00:00.000Z", "metadata": 0},
    }  # fmt: skip
    verification = parse_verification("edx-1", body)
    assert verification.status == "success"
    assert verification.amount_minor == 500_000
    assert verification.metadata == {}
    assert verification.paid_at == datetime(2027, 2, 1, 10, tzinfo=UTC)

    top_level_true = {"status": True, "data": {"status": "failed", "reference": "edx-1"}}
    assert parse_verification("edx-1", top_level_true).status == "failed"


@pytest.mark.parametrize(
    "body",
    [None, [], {"status": True}, {"status": True, "data": []}, {"data": {"amount": 1}},
     {"data": {"status": 1}}, {"data": {"status": "success", "reference": "someone-else"}}],
)  # fmt: skip
def test_answers_without_a_usable_data_status_are_unusable(body) -> None:
    with pytest.raises(PaystackUnavailable):
        parse_verification("edx-1", body)


def test_initialize_answers_need_an_authorization_url() -> None:
    ok = {"status": True, "data": {"authorization_url": "https://checkout.paystack.com/x",
                                   "access_code": "x", "reference": "edx-1"}}  # fmt: skip
    assert parse_initialized(ok).authorization_url == "https://checkout.paystack.com/x"
    for bad in [{"status": True}, {"data": {"authorization_url": "javascript:alert(1)"}}, []]:
        with pytest.raises(PaystackUnavailable):
            parse_initialized(bad)


def test_signature_is_hex_hmac_sha512_of_the_raw_body() -> None:
    body = json.dumps({"event": "charge.success", "data": {"reference": "edx-1"}}).encode()
    expected = hmac.new(b"sk_test_key", body, hashlib.sha512).hexdigest()
    assert sign("sk_test_key", body) == expected
    assert signature_matches("sk_test_key", body, expected)
    assert signature_matches("sk_test_key", body, expected.upper())
    assert not signature_matches("sk_test_key", body + b" ", expected)
    assert not signature_matches("sk_other_key", body, expected)
    assert not signature_matches("sk_test_key", body, None)
    assert not signature_matches("sk_test_key", body, "")
    assert not signature_matches("sk_test_key", body, expected[:-2])
