"""JSON log lines carry the request id."""

from __future__ import annotations

import json
import logging

from edxelera_gql.infra.logging import JsonFormatter, request_id_var


def test_log_line_is_json_with_request_id_and_extras() -> None:
    token = request_id_var.set("req-123456")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
        record.status = 200
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["message"] == "hello world"
    assert line["request_id"] == "req-123456"
    assert line["status"] == 200
    assert line["level"] == "INFO"
