"""A local stand-in for Paystack, for development and tests only (production refuses it).

It speaks the documented API (``POST /transaction/initialize``, ``GET /transaction/verify/:ref``,
``POST /refund``) with the documented request and answer shapes, serves a checkout page at the
``authorization_url`` with Pay and Cancel buttons, and on Pay sends a ``charge.success`` webhook
signed exactly as Paystack signs (hex HMAC-SHA512 of the raw body with the secret key, header
``x-paystack-signature``) before redirecting the payer to ``callback_url?trxref=..&reference=..``.

``make run`` mounts it inside the app at ``SANDBOX_PAYSTACK_PATH`` when no Paystack key is set;
tests serve it on a loopback port. Tests may also inject faults (an HTTP status or a delay per
operation) and count calls. State lives in memory and is lost on restart.

Modules: ``app`` (``PaystackSandbox``: routes, lifespan, test handles), ``api`` (the JSON
endpoints), ``checkout`` (the HTML page and redirects), ``webhooks`` (signing and delivery),
``payloads`` (the documented JSON shapes), ``state`` (the in-memory ledger).
"""

from edxelera_gql.paystack_sandbox.app import PaystackSandbox
from edxelera_gql.paystack_sandbox.state import Delivery, SandboxTransaction

__all__ = ["Delivery", "PaystackSandbox", "SandboxTransaction"]
