"""HTTP routes of payments: Paystack's webhook, and the local page payers return to.

The webhook checks the signature over the raw body before anything else, so a forged call
learns nothing and stores nothing; then the service records the delivery with its effect.
"""

from __future__ import annotations

import html
import json
import logging

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from edxelera_gql.enrollment.paystack import SIGNATURE_HEADER, signature_matches
from edxelera_gql.enrollment.webhook import process_webhook
from edxelera_gql.infra import metrics

log = logging.getLogger(__name__)


def _answer(status_code: int, message: str, **extra: str) -> JSONResponse:
    if status_code in (400, 401, 413):
        metrics.WEBHOOKS.labels("refused").inc()
    return JSONResponse({"message": message, **extra}, status_code=status_code)


def outcome_label(outcome: str, retry: bool) -> str:
    """The few outcomes an operator alerts on; the service's own are finer (the status)."""
    if retry:
        return "retry_503"
    if outcome in ("duplicate", "ignored"):
        return outcome
    if outcome.startswith("unknown"):
        return "unknown"
    if outcome.startswith("unchanged"):
        return "unchanged"
    return "applied"


async def paystack_webhook(request: Request) -> Response:
    """``POST /webhooks/paystack``: 401 unsigned, 400 not JSON, 413 over the limit (the body
    limit middleware), 503 when Paystack cannot confirm a charge (so it retries), else 200."""
    state = request.app.state
    body = await request.body()
    if len(body) > state.settings.webhook_max_body_bytes:
        return _answer(413, "Body too large.")
    paystack = state.paystack
    if not signature_matches(paystack.secret_key, body, request.headers.get(SIGNATURE_HEADER)):
        log.warning("paystack webhook refused: bad or missing signature")
        return _answer(401, "Invalid signature.")
    try:
        payload = json.loads(body)
    except ValueError:
        return _answer(400, "Body is not JSON.")
    event = payload.get("event") if isinstance(payload, dict) else None
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(event, str) or not event or not isinstance(data, dict):
        return _answer(400, "Expected an object with `event` and `data`.")
    outcome = await process_webhook(
        state.sessionmaker,
        event=event,
        data=data,
        raw_body=body,
        now=state.clock.now(),
        paystack=paystack,
        cache=state.cache,
        deadline_seconds=state.settings.webhook_verify_deadline_seconds,
    )
    log.info("paystack webhook %s: %s", event, outcome.outcome, extra={"event": event})
    metrics.WEBHOOKS.labels(outcome_label(outcome.outcome, outcome.retry)).inc()
    if outcome.retry:
        return _answer(503, "Payment provider unavailable; deliver again.", outcome=outcome.outcome)
    return _answer(200, "ok", outcome=outcome.outcome)


async def payment_callback_page(request: Request) -> Response:
    """Where Paystack sends the payer back when no frontend URL is configured (development):
    it shows the reference and the mutation the frontend would send."""
    reference = request.query_params.get("reference") or request.query_params.get("trxref") or ""
    safe = html.escape(reference[:100])
    mutation = html.escape(
        'mutation { verifyPayment(input: {reference: "REF"}) { errors { code message } '
        "billingStatus { enrollmentStatus lastPayment { status channel paidAt } } } }"
    ).replace("REF", safe)
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Payment finished</title>"
        "<style>body{font-family:sans-serif;max-width:40rem;margin:3rem auto}"
        "pre{white-space:pre-wrap;background:#f4f4f4;padding:1rem}</style></head><body>"
        "<h1>Back from checkout</h1>"
        f"<p>Payment reference <code>{safe}</code>.</p>"
        "<p>The frontend would now call <code>verifyPayment</code> with this reference. "
        "In GraphiQL (<a href='/graphql'>/graphql</a>), signed in as the payer, run:</p>"
        f"<pre>{mutation}</pre></body></html>"
    )
    return HTMLResponse(body)
