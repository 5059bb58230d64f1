"""Log lines are JSON, one per event, and never carry a token or a secret."""

import json
import logging

from shopapp import logging as logging_module
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


def test_the_quick_look_before_the_patterns_redacts_exactly_what_the_patterns_do():
    # Most values (domains, operation names, versions) hold none of "=", "shp", "eyJ", "Bearer" and
    # skip the patterns; anything either pattern can match holds one of them.
    texts = [
        "cost-store.myshopify.com", "orderCreate", "2026-07", "shopify.request", "",
        "token shpat_abc123 leaked", "shpua_x", "Bearer abc.def", "bearer lower", "eyJhbGciOi.eyJzdWIi.sig",
        "/auth?id_token=abc&shop=x", "code=123", "?HMAC=deadbeef", "state=nonce;x", "my_api_token=zzz",
        "client_secret=s", "a=b", "SHPAT_upper", "shp_", "x eyJ y",
    ]  # fmt: skip
    for text in texts:
        both = logging_module._SECRET_PARAMS.sub(
            rf"\1{logging_module.REDACTED}", logging_module._SECRET_VALUES.sub(logging_module.REDACTED, text)
        )
        assert logging_module.redact_text(text) == both, text
