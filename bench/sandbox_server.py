"""The Paystack sandbox on its own loopback port, for bench/release_moment.py's webhook scenario.

The app mounts its own sandbox when no PAYSTACK_SECRET_KEY is set, but that one lives in the
server's memory: the bench could not mark a charge paid without the checkout page (which
also delivers the webhook itself), and with several workers a verify would land in a worker
that never saw the transaction. So the bench serves the project's PaystackSandbox here and
points the server at it (PAYSTACK_SECRET_KEY + PAYSTACK_BASE_URL), as tests do.

One bench-only route beside the sandbox's API:
  POST /_bench/pay/{reference}  marks the transaction paid (what Pay does, without sending
                                the webhook) and answers the signed charge.success delivery:
                                {"body": <raw JSON text>, "signature": <hex HMAC-SHA512>}

Usage: .venv/bin/python bench/sandbox_server.py --port 8799 --secret sk_test_...
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from edxelera_gql.enrollment.paystack import SIGNATURE_HEADER
from edxelera_gql.paystack_sandbox import PaystackSandbox


def build(secret: str) -> Starlette:
    sandbox = PaystackSandbox(secret_key=secret, webhook_url=None)

    async def pay(request: Request) -> JSONResponse:
        reference = request.path_params["reference"]
        if reference not in sandbox.transactions:
            return JSONResponse({"error": "unknown reference"}, status_code=404)
        sandbox.complete(reference)
        body, headers = sandbox.signed(sandbox.event("charge.success", reference))
        return JSONResponse({"body": body.decode(), "signature": headers[SIGNATURE_HEADER]})

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "transactions": len(sandbox.transactions)})

    return Starlette(
        routes=[
            Route("/_bench/pay/{reference}", pay, methods=["POST"]),
            Route("/_bench/healthz", healthz),
            Mount("/", app=sandbox.app),
        ],
        lifespan=lambda _app: sandbox.app.router.lifespan_context(sandbox.app),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    uvicorn.run(
        build(args.secret),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
