"""The Paystack sandbox fixtures (``paystack_server``, ``paystack``) for the enrollment tests."""

from tests.support.paystack import _paystack_fixture, _paystack_server_fixture  # noqa: F401
