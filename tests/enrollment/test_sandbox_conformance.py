"""The sandbox speaks Paystack's documented API: its requests and answers are checked against the
official schemas (copied with their MIT license into ``data/paystack_openapi_subset.yaml``)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from edxelera_gql.enrollment.paystack import PaystackClient
from edxelera_gql.paystack_sandbox import PaystackSandbox
from tests.support.paystack import TEST_PAYSTACK_SECRET, SandboxServer

SPEC = yaml.safe_load((Path(__file__).parent / "data" / "paystack_openapi_subset.yaml").read_text())
AUTH = {"Authorization": f"Bearer {TEST_PAYSTACK_SECRET}"}


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schemas are JSON Schema (draft 4 family) plus ``nullable``; spell that out."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _to_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "$ref" in out or "anyOf" in out or "oneOf" in out or "allOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


COMPONENTS = _to_json_schema(SPEC["components"])


def validator(schema_name: str) -> jsonschema.Draft4Validator:
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": COMPONENTS}
    return jsonschema.Draft4Validator(root)


def conforms(operation: str, status: int | str, body: Any) -> None:
    schema_name = SPEC["x-operations"][operation][str(status)]
    errors = sorted(validator(schema_name).iter_errors(body), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.fixture
async def http(paystack_server: SandboxServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=paystack_server.url) as client:
        yield client


INIT = {
    "email": "ada@example.com",
    "amount": 500000,
    "currency": "NGN",
    "reference": "edx-00112233445566778899",
    "callback_url": "https://frontend.example/return",
    "metadata": {"user_id": 1, "cohort_id": 2},
}


async def test_the_initialize_request_our_client_sends_conforms(
    paystack: PaystackSandbox, paystack_server: SandboxServer
) -> None:
    async with httpx.AsyncClient() as http:
        client = PaystackClient(
            http, base_url=paystack_server.url, secret_key=TEST_PAYSTACK_SECRET, timeout_seconds=2
        )
        await client.initialize(
            email=INIT["email"],
            amount_minor=INIT["amount"],
            currency=INIT["currency"],
            reference=INIT["reference"],
            callback_url=INIT["callback_url"],
            metadata=INIT["metadata"],
        )
        paystack.complete(INIT["reference"])
        await client.refund(INIT["reference"])
    (operation, sent), (refund_operation, refund_sent) = paystack.requests
    assert operation == "initialize"
    conforms("transaction_initialize", "request", sent)
    assert refund_operation == "refund"
    conforms("refund_create", "request", refund_sent)


async def test_initialize_answers_conform(http, paystack) -> None:
    created = await http.post("/transaction/initialize", json=INIT, headers=AUTH)
    assert created.status_code == 200
    conforms("transaction_initialize", 200, created.json())

    duplicate = await http.post("/transaction/initialize", json=INIT, headers=AUTH)
    assert duplicate.status_code == 400
    conforms("transaction_initialize", 400, duplicate.json())
    assert duplicate.json()["message"] == "Duplicate Transaction Reference"

    unauthorized = await http.post("/transaction/initialize", json=INIT)
    assert unauthorized.status_code == 401
    conforms("transaction_initialize", 401, unauthorized.json())


async def test_initialize_accepts_the_form_encoding_the_spec_allows(http, paystack) -> None:
    form = {"email": "ada@example.com", "amount": "2500", "reference": "edx-form0123456789ab"}
    created = await http.post("/transaction/initialize", data=form, headers=AUTH)
    assert created.status_code == 200, created.text
    conforms("transaction_initialize", 200, created.json())
    verified = await http.get("/transaction/verify/edx-form0123456789ab", headers=AUTH)
    conforms("transaction_verify", 200, verified.json())
    assert verified.json()["data"]["metadata"] == ""  # no metadata sent: Paystack answers ""


async def test_verify_answers_conform_before_and_after_payment_and_refund(http, paystack) -> None:
    await http.post("/transaction/initialize", json=INIT, headers=AUTH)
    reference = INIT["reference"]
    path = f"/transaction/verify/{reference}"

    before = (await http.get(path, headers=AUTH)).json()
    conforms("transaction_verify", 200, before)
    assert before["data"]["status"] == "abandoned"

    paystack.complete(reference)
    paid = (await http.get(path, headers=AUTH)).json()
    conforms("transaction_verify", 200, paid)
    assert (paid["data"]["status"], paid["data"]["amount"]) == ("success", 500000)

    refund = await http.post("/refund", json={"transaction": reference}, headers=AUTH)
    assert refund.status_code == 200
    conforms("refund_create", 200, refund.json())

    unknown = await http.get("/transaction/verify/edx-nope", headers=AUTH)
    assert unknown.status_code == 404
    conforms("transaction_verify", 404, unknown.json())
    unauthorized = await http.get(path)
    assert unauthorized.status_code == 401
    conforms("transaction_verify", 401, unauthorized.json())


async def test_the_conformance_check_catches_a_broken_answer(http, paystack) -> None:
    await http.post("/transaction/initialize", json=INIT, headers=AUTH)
    answer = (await http.get(f"/transaction/verify/{INIT['reference']}", headers=AUTH)).json()
    for breakage in [
        lambda d: d["data"].pop("reference"),
        lambda d: d["data"].__setitem__("amount", "500000"),
        lambda d: d["data"]["customer"].pop("customer_code"),
        lambda d: d["data"]["log"]["history"][0].__setitem__("extra", 1),
    ]:
        broken = copy.deepcopy(answer)
        breakage(broken)
        with pytest.raises(AssertionError):
            conforms("transaction_verify", 200, broken)


# The keys of the official webhook samples (Paystack's docs, events/*.json).
CHARGE_SUCCESS_SAMPLE_KEYS = {
    "id", "domain", "status", "reference", "amount", "message", "gateway_response", "paid_at",
    "created_at", "channel", "currency", "ip_address", "metadata", "log", "fees", "customer",
    "authorization", "plan",
}  # fmt: skip
REFUND_SAMPLE_KEYS = {
    "status", "transaction_reference", "refund_reference", "amount", "currency", "processor",
    "customer", "integration", "domain",
}  # fmt: skip


async def test_webhook_payloads_have_the_shape_of_paystacks_samples(http, paystack) -> None:
    await http.post("/transaction/initialize", json=INIT, headers=AUTH)
    paystack.complete(INIT["reference"])
    charge = paystack.event("charge.success", INIT["reference"])
    assert charge["event"] == "charge.success"
    assert set(charge["data"]) == CHARGE_SUCCESS_SAMPLE_KEYS
    assert charge["data"]["status"] == "success"
    refund = paystack.event("refund.processed", INIT["reference"])
    assert set(refund["data"]) == REFUND_SAMPLE_KEYS
    assert refund["data"]["status"] == "processed"
    assert refund["data"]["amount"] == "500000"  # a string, as in Paystack's sample
