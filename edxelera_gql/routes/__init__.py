"""Plain Starlette routes beside /graphql: health, the Paystack webhook, the callback, /cdn."""
