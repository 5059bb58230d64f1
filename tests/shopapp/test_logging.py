"""Log lines are JSON, one per event, and never carry a token or a secret."""

import json
import logging

from shopapp.logging import JsonFormatter, RedactSecretsFilter


def render(logger_name: str, msg: str, **extra) -> dict:
    record = logging.LogRecord(logger_name, logging.INFO, __file__, 1, msg, None, None)
    record.__dict__.update(extra)
    RedactSecretsFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


def test_log_line_is_one_json_object_with_context():
    payload = render("orders", "push.done", shop="a.myshopify.com", order_id="bk-1")
    assert payload["event"] == "push.done"
    assert payload["shop"] == "a.myshopify.com"
    assert payload["order_id"] == "bk-1"


def test_tokens_in_messages_and_context_are_redacted():
    payload = render(
        "auth",
        "exchange failed for shpat_abcdef123 with Bearer eyJhbGciOi.eyJzdWIi.sig",
        access_token="shpat_secret",
        detail={"refresh_token": "shprt_x", "shop": "a.myshopify.com"},
    )
    assert "shpat_" not in json.dumps(payload)
    assert "eyJ" not in json.dumps(payload)
    assert payload["access_token"] == "[redacted]"
    assert payload["detail"] == {"refresh_token": "[redacted]", "shop": "a.myshopify.com"}
