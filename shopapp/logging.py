"""Structured logging: one JSON object per line, with secrets scrubbed before anything is written.

Log calls pass context through ``extra={...}``; every extra key lands in the JSON object. The
filter drops values whose key names a secret and masks token-shaped strings and secret query
parameters anywhere in the message, so a token that slips into a message or an exception still
never reaches the log. A value it cannot prove clean is not written as it is: plain values (text,
numbers, dates, lists and dicts of them) are kept after scrubbing, a request becomes its method and
path (Django's request logger attaches the request, whose repr holds the query string with
``?id_token=``), anything else becomes ``[redacted]``.
"""

import json
import logging
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from django.http import HttpRequest

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_SECRET_KEY_NAMES = re.compile(r"(token|secret|password|api_key|authorization|hmac|cookie)", re.I)
# Shopify access/refresh tokens (shpat_, shpua_, shpca_, shprt_ ...), JWTs, bearer headers.
_SECRET_VALUES = re.compile(
    r"(shp[a-z]{2}_[A-Za-z0-9]+|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|Bearer\s+\S+)"
)
# Query parameters that carry a credential: id tokens, OAuth codes, HMACs, state nonces.
_SECRET_PARAMS = re.compile(
    r"((?:^|[?&;\s])(?:id_token|session|code|hmac|state|signature|[a-z_]*token|[a-z_]*secret)=)[^&;\s#'\"]+", re.I
)
REDACTED = "[redacted]"
# Values that print as themselves and hold no structure to hide anything in.
_PLAIN = (int, float, bool, Decimal, datetime, date, time, timedelta, uuid.UUID, type(None))
_MAX_DEPTH = 5


def redact_text(text: str) -> str:
    if "=" not in text and "shp" not in text and "eyJ" not in text and "Bearer" not in text:
        return text  # neither pattern can match without one of these (most values: domains, names, versions)
    return _SECRET_PARAMS.sub(rf"\1{REDACTED}", _SECRET_VALUES.sub(REDACTED, text))


@lru_cache(maxsize=1024)
def _names_a_secret(key: str) -> bool:
    return _SECRET_KEY_NAMES.search(key) is not None


def _summary(value) -> str:
    """What may be said of an object the filter does not know: for a request, its method and path
    (never the query string, headers or body); for anything else, nothing."""
    if isinstance(value, HttpRequest):
        return redact_text(f"{value.method} {value.path}")
    return REDACTED


def _redact_value(key: str, value, depth: int = 0):
    if _names_a_secret(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, _PLAIN):
        return value
    if depth >= _MAX_DEPTH:
        return REDACTED
    if isinstance(value, dict):
        return {str(k): _redact_value(str(k), v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(key, v, depth + 1) for v in value]
    return _summary(value)


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
