"""The checkout page at ``authorization_url``: Pay or Cancel, then back to ``callback_url``."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from edxelera_gql.enrollment.paystack import parse_amount
from edxelera_gql.paystack_sandbox.state import SandboxTransaction

if TYPE_CHECKING:
    from edxelera_gql.paystack_sandbox.app import PaystackSandbox


class Checkout:
    """The page's handlers; state is read through the sandbox, so ``reset()`` reaches them."""

    def __init__(self, sandbox: PaystackSandbox) -> None:
        self.sandbox = sandbox

    def _by_code(self, request: Request) -> SandboxTransaction | None:
        return self.sandbox.ledger.by_access_code(request.path_params["code"])

    async def page(self, request: Request) -> Response:
        tx = self._by_code(request)
        if tx is None:
            return _unknown_checkout()
        code = html.escape(tx.access_code)
        price = f"{tx.currency} {tx.amount / 100:,.2f}"
        if tx.status == "success":
            body = f"<p>This payment of <b>{price}</b> is already complete.</p>"
        else:
            body = (
                f"<p><b>{html.escape(tx.email)}</b> pays <b>{price}</b> to EdXelera.</p>"
                f"<p>Reference <code>{html.escape(tx.reference)}</code></p>"
                f'<form method="post" action="{code}/pay">'
                f"<details><summary>Simulate another charged amount</summary>"
                f'<label>Amount in minor units <input name="amount" value="{tx.amount}"></label>'
                f"</details>"
                f'<button type="submit">Pay {price}</button></form>'
                f'<form method="post" action="{code}/cancel">'
                f'<button type="submit">Cancel</button></form>'
            )
        return HTMLResponse(_page("Paystack sandbox checkout", body))

    async def pay(self, request: Request) -> Response:
        tx = self._by_code(request)
        if tx is None:
            return _unknown_checkout()
        form = await read_form(request)
        amount = parse_amount(form.get("amount"))
        if tx.status != "success":
            self.sandbox.complete(tx.reference, amount=amount if amount and amount > 0 else None)
            # Paystack sends the webhook on its own schedule; the sandbox sends it before the
            # redirect so a local click-through is deterministic.
            await self.sandbox.deliver("charge.success", tx.reference)
        return _back(tx)

    async def cancel(self, request: Request) -> Response:
        tx = self._by_code(request)
        if tx is None:
            return _unknown_checkout()
        tx.canceled = True
        return _back(tx)


async def read_form(request: Request) -> dict[str, str]:
    """A url-encoded form (all the sandbox receives; no multipart parser needed)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", errors="replace")))


def _back(tx: SandboxTransaction) -> Response:
    """Back to the payer's site as Paystack does, or a dead end when no callback was given."""
    if not tx.callback_url:
        return HTMLResponse(_page("Done", "<p>No callback URL was given; you can close this.</p>"))
    return RedirectResponse(
        _with_query(tx.callback_url, trxref=tx.reference, reference=tx.reference),
        status_code=303,
    )


def _unknown_checkout() -> HTMLResponse:
    return HTMLResponse(_page("Unknown checkout", "<p>This checkout link is not valid.</p>"), 404)


def _with_query(url: str, **params: str) -> str:
    # Appended, not replaced: a callback URL may carry its own query.
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + urlencode(params)
    return urlunsplit(parts._replace(query=query))


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}"
        "button{font-size:1rem;margin:.5rem 0;padding:.5rem 1rem}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>"
        "<p><small>Local Paystack sandbox: no money moves.</small></p>"
        f"{body}</body></html>"
    )
