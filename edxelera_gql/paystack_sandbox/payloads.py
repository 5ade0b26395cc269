"""The JSON shapes Paystack documents, built from a sandbox transaction (pure, no I/O).

Key order follows Paystack's samples so answers read like the real ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from edxelera_gql.paystack_sandbox.state import SandboxTransaction, iso

# The fields of a charge webhook's data (the sample in Paystack's docs).
_WEBHOOK_FIELDS = (
    "id", "domain", "status", "reference", "amount", "message", "gateway_response", "paid_at",
    "created_at", "channel", "currency", "ip_address", "metadata", "log", "fees", "customer",
    "authorization", "plan",
)  # fmt: skip


def transaction_data(tx: SandboxTransaction) -> dict[str, Any]:
    """``data`` of a verify answer, with every field the official schema requires."""
    paid = tx.status in ("success", "reversed")
    return {
        "id": tx.id,
        "domain": "test",
        "status": tx.status,
        "reference": tx.reference,
        "receipt_number": None,
        "amount": tx.paid_amount if paid and tx.paid_amount is not None else tx.amount,
        "message": None,
        "gateway_response": "Successful" if paid else "The transaction was not completed",
        "paid_at": iso(tx.paid_at),
        "created_at": iso(tx.created_at),
        "channel": tx.channel,
        "currency": tx.currency,
        "ip_address": "127.0.0.1",
        "metadata": tx.metadata,
        "log": _checkout_log(tx, paid=paid),
        "fees": (tx.paid_amount or tx.amount) // 100 if paid else None,
        "fees_split": None,
        "authorization": _authorization(tx) if paid else {},
        "customer": _customer(tx),
        "plan": None,
        "split": {},
        "order_id": None,
        "paidAt": iso(tx.paid_at),
        "createdAt": iso(tx.created_at),
        "requested_amount": tx.amount,
        "pos_transaction_data": None,
        "source": None,
        "fees_breakdown": None,
        "connect": None,
        "transaction_date": iso(tx.created_at),
        "plan_object": {},
        "subaccount": {},
    }


def _checkout_log(tx: SandboxTransaction, *, paid: bool) -> dict[str, Any]:
    return {
        "start_time": int(tx.created_at.timestamp()),
        "time_spent": 4,
        "attempts": 1 if paid else 0,
        "errors": 0,
        "success": paid,
        "mobile": False,
        "input": [],
        "history": [{"type": "action", "message": "Sandbox checkout", "time": 4}],
    }


def _authorization(tx: SandboxTransaction) -> dict[str, Any]:
    # Paystack's test card; the codes carry the id so each transaction's are distinct.
    return {
        "authorization_code": f"AUTH_sandbox{tx.id}",
        "bin": "408408",
        "last4": "4081",
        "exp_month": "12",
        "exp_year": "2030",
        "channel": "card",
        "card_type": "visa ",
        "bank": "TEST BANK",
        "country_code": "NG",
        "brand": "visa",
        "reusable": True,
        "signature": f"SIG_sandbox{tx.id}",
        "account_name": None,
        "receiver_bank_account_number": None,
        "receiver_bank": None,
    }


def _customer(tx: SandboxTransaction) -> dict[str, Any]:
    first, _, _ = tx.email.partition("@")
    return {
        "id": tx.id,
        "first_name": first or None,
        "last_name": None,
        "email": tx.email,
        "customer_code": f"CUS_sandbox{tx.id}",
        "phone": None,
        "metadata": None,
        "risk_action": "default",
        "international_format_phone": None,
    }


def refund_data(
    tx: SandboxTransaction, *, amount: int, refund_id: int, now: datetime
) -> dict[str, Any]:
    """``data`` of a refund answer: the refund, still pending, with its transaction."""
    return {
        "transaction": _refunded_transaction(tx),
        "integration": 100001,
        "deducted_amount": 0,
        "channel": None,
        "merchant_note": f"Refund for transaction {tx.reference}",
        "customer_note": f"Refund for transaction {tx.reference}",
        "status": "pending",
        "refunded_by": "sandbox@edxelera.test",
        "expected_at": iso(now),
        "currency": tx.currency,
        "domain": "test",
        "amount": amount,
        "fully_deducted": False,
        "id": refund_id,
        "createdAt": iso(now),
        "updatedAt": iso(now),
    }


def _refunded_transaction(tx: SandboxTransaction) -> dict[str, Any]:
    return {
        "id": tx.id,
        "domain": "test",
        "reference": tx.reference,
        "amount": tx.paid_amount or tx.amount,
        "paid_at": iso(tx.paid_at),
        "channel": tx.channel,
        "currency": tx.currency,
        "authorization": {"exp_month": "12", "exp_year": "2030", "account_name": None},
        "customer": {"international_format_phone": None},
        "plan": {},
        "subaccount": {"currency": None},
        "split": {},
        "order_id": None,
        "paidAt": iso(tx.paid_at),
        "pos_transaction_data": None,
        "source": None,
        "fees_breakdown": None,
    }


def event(name: str, tx: SandboxTransaction) -> dict[str, Any]:
    """The webhook payload Paystack would send for ``tx`` (charge.* or refund.*)."""
    if name.startswith("refund."):
        return _refund_event(name, tx)
    data = transaction_data(tx)
    return {"event": name, "data": {k: data[k] for k in _WEBHOOK_FIELDS} | {"plan": {}}}


def _refund_event(name: str, tx: SandboxTransaction) -> dict[str, Any]:
    status = name.split(".", 1)[1]
    first, _, last = tx.email.partition("@")
    return {
        "event": name,
        "data": {
            "status": status,
            "transaction_reference": tx.reference,
            "refund_reference": f"RF{tx.id}" if status == "processed" else None,
            # Paystack sends refund amounts as strings.
            "amount": str(tx.paid_amount or tx.amount),
            "currency": tx.currency,
            "processor": "sandbox",
            "customer": {"first_name": first, "last_name": last, "email": tx.email},
            "integration": 100001,
            "domain": "test",
        },
    }
