"""Structured logging: one JSON object per line, with secrets scrubbed before anything is written.

Log calls pass context through ``extra={...}``; every extra key lands in the JSON object. The
filter drops values whose key names a secret and masks token-shaped strings anywhere in the
message, so a token that slips into a message or an exception still never reaches the log.
"""

import json
import logging
import re
from datetime import UTC, datetime

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_SECRET_KEY_NAMES = re.compile(r"(token|secret|password|api_key|authorization|hmac|cookie)", re.I)
# Shopify access/refresh tokens (shpat_, shpua_, shpca_, shprt_ ...), JWTs, bearer headers.
_SECRET_VALUES = re.compile(
    r"(shp[a-z]{2}_[A-Za-z0-9]+|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|Bearer\s+\S+)"
)
REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    return _SECRET_VALUES.sub(REDACTED, text)


def _redact_value(key: str, value):
    if _SECRET_KEY_NAMES.search(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    return value


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD_ATTRS:
                record.__dict__[key] = _redact_value(key, value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(payload, default=str)
