"""Nothing secret reaches a log line: not through the request object Django's request logger
attaches, not through an object the filter does not know, not through gunicorn's access log."""

import io
import json
import logging
import shlex
import socket
import sys
from pathlib import Path

import httpx
import pytest

from harness.served_process import ServedProcess
from shopapp.logging import JsonFormatter, RedactSecretsFilter
from tests.support.id_tokens import id_token

ROOT = Path(__file__).resolve().parents[2]
SHOP = "logged-store.myshopify.com"


@pytest.fixture
def request_log():
    """django.request's records, through the app's own filter and formatter (settings.LOGGING)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def render(msg: str, **extra) -> dict:
    record = logging.LogRecord("app", logging.INFO, __file__, 1, msg, None, None)
    record.__dict__.update(extra)
    RedactSecretsFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


@pytest.mark.django_db
def test_the_request_django_logs_on_an_error_carries_no_query_string(client, request_log):
    token = id_token(SHOP)

    assert client.get("/no-such-page", {"id_token": token, "shop": SHOP, "code": "oauth-code-123"}).status_code == 404

    lines = [json.loads(line) for line in request_log.getvalue().splitlines()]
    assert lines, "django.request logged the 404"
    written = request_log.getvalue()
    assert token not in written and token.split(".")[1] not in written
    assert "oauth-code-123" not in written and "id_token" not in written
    assert lines[0]["request"] == "GET /no-such-page"


class Opaque:
    def __init__(self, secret: str):
        self.secret = secret

    def __repr__(self) -> str:
        return f"Opaque(secret={self.secret!r})"


def test_a_value_the_filter_cannot_prove_clean_is_redacted():
    payload = render("event", thing=Opaque("s3cr3t-value"), nested={"items": [Opaque("s3cr3t-value"), 3]})

    assert "s3cr3t-value" not in json.dumps(payload)
    assert payload["thing"] == "[redacted]"
    assert payload["nested"] == {"items": ["[redacted]", 3]}


def test_plain_values_are_kept():
    payload = render("event", count=3, ratio=0.5, ok=True, none=None, shop=SHOP, ids=[1, 2], pair=("a", 1))

    assert (payload["count"], payload["ratio"], payload["ok"], payload["none"]) == (3, 0.5, True, None)
    assert (payload["shop"], payload["ids"], payload["pair"]) == (SHOP, [1, 2], ["a", 1])


def test_secret_query_parameters_in_a_message_are_redacted():
    payload = render("GET /auth/callback?code=abc123&hmac=deadbeef&shop=a.myshopify.com&state=n0nce")

    assert "abc123" not in payload["event"] and "deadbeef" not in payload["event"] and "n0nce" not in payload["event"]
    assert "shop=a.myshopify.com" in payload["event"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _procfile_web_argv(port: int) -> list[str]:
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    command = line.removeprefix("web:").strip().replace("${PORT:-8000}", str(port))
    command = command.replace("${WEB_CONCURRENCY:-3}", "1")
    argv = shlex.split(command)
    assert argv[0] == "gunicorn"
    return [sys.executable, "-m", "gunicorn", *argv[1:]]


@pytest.mark.django_db(transaction=True)
def test_gunicorns_access_log_writes_neither_query_strings_nor_referers(tmp_path, settings):
    from tests.support.processes import child_env

    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = child_env(settings.DATABASES["default"], ALLOWED_HOSTS="127.0.0.1", APP_URL=f"http://127.0.0.1:{port}")
    web = ServedProcess(_procfile_web_argv(port), env=env, log_path=log, name="gunicorn").start()
    token = id_token(SHOP)
    try:
        web.wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        httpx.get(f"http://127.0.0.1:{port}/healthz", params={"id_token": token, "code": "oauth-code-123"},
                  headers={"Referer": f"https://admin.example/?id_token={token}"}, timeout=10)  # fmt: skip
        web.wait_log("/healthz", timeout=10)
    finally:
        web.stop()

    written = log.read_text()
    assert "GET /healthz" in written
    assert token.split(".")[1] not in written
    assert "oauth-code-123" not in written and "id_token" not in written and "admin.example" not in written
