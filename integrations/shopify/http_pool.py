"""The Admin API's HTTP: keep-alive connections (``http.client``), one pool per process, shared by threads.

The push sends one request per order, about a hundred a second per shop on Plus; httpx spent about
1 ms of CPU on each (request and response models, hooks, its connection pool's bookkeeping) against
about 0.4 ms for the standard library's ``http.client`` on the same request (benchmarks/
cost_per_order.py). What the Admin client needs of HTTP is small: POST a JSON body to one URL, on a
reused connection, with a connect timeout and a read timeout, and to know whether a failure happened
before anything was sent (safe to send again) or after (Shopify may have executed it).

- ``CannotConnect``: the connection (TCP, TLS) could not be opened: nothing reached the server.
- ``NoAnswer``: the request may have reached the server, but no complete answer came back (read
  timeout, connection dropped or reset): the caller must treat the send as ambiguous.

An idle connection the server has closed meanwhile (its socket is readable: EOF) is discarded before
reuse, as httpcore does, and idle connections are dropped after ``KEEPALIVE_EXPIRY`` seconds (httpx's
default), so an old keep-alive connection is never mistaken for a dropped request. TLS uses httpx's
context (certifi's roots, ``SSL_CERT_FILE``), so the certificates trusted are the same as before.
"""

import http.client
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import Message
from functools import lru_cache
from urllib.parse import urlsplit

import httpx

KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept (httpx's default)
MAX_IDLE_PER_ORIGIN = 100
USER_AGENT = f"python-httpx/{httpx.__version__}"  # what Shopify saw before (the same app, same client name)


class CannotConnect(Exception):
    """The connection could not be opened: nothing was sent."""


class NoAnswer(Exception):
    """Sent (or partly sent), but no complete answer: the server may have executed the request."""


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: Message  # case-insensitive .get(), as the HTTP headers are
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


@dataclass
class _Idle:
    connection: http.client.HTTPConnection
    since: float


class HttpPool:
    """Keep-alive connections per origin (scheme, host, port); a connection serves one request at a time."""

    def __init__(self, *, connect_timeout: float, read_timeout: float):
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, str, int], list[_Idle]] = {}

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
        parts = urlsplit(url)
        origin = (parts.scheme, parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection = self._reusable(origin) or self._open(origin)
        try:
            connection.request("POST", path, body=body, headers={
                "User-Agent": USER_AGENT, "Content-Type": "application/json", **headers,
            })  # fmt: skip
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:  # timeouts, resets, a bad or missing status line
            connection.close()
            raise NoAnswer(type(exc).__name__) from exc
        answer = Answer(status_code=response.status, headers=response.headers, content=content)
        if response.will_close or connection.sock is None:
            connection.close()
        else:
            self._give_back(origin, connection)
        return answer

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for entries in idle.values():
            for entry in entries:
                entry.connection.close()

    def _open(self, origin: tuple[str, str, int]) -> http.client.HTTPConnection:
        scheme, host, port = origin
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=self.connect_timeout, context=_tls_context())
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.connect_timeout)
        try:
            connection.connect()
        except (OSError, http.client.HTTPException) as exc:  # refused, unreachable, connect timeout, TLS
            connection.close()
            raise CannotConnect(type(exc).__name__) from exc
        connection.sock.settimeout(self.read_timeout)
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _reusable(self, origin: tuple[str, str, int]) -> http.client.HTTPConnection | None:
        now = time.monotonic()
        while True:
            with self._lock:
                entries = self._idle.get(origin)
                if not entries:
                    return None
                entry = entries.pop()
            if now - entry.since < KEEPALIVE_EXPIRY and not _closed_by_server(entry.connection):
                return entry.connection
            entry.connection.close()

    def _give_back(self, origin: tuple[str, str, int], connection: http.client.HTTPConnection) -> None:
        now = time.monotonic()
        with self._lock:
            entries = self._idle.setdefault(origin, [])
            expired = 0
            while expired < len(entries) and now - entries[expired].since >= KEEPALIVE_EXPIRY:
                expired += 1  # the oldest first: reuse takes the newest
            stale, entries[:expired] = entries[:expired], []
            kept = len(entries) < MAX_IDLE_PER_ORIGIN
            if kept:
                entries.append(_Idle(connection, now))
        for entry in stale:
            entry.connection.close()
        if not kept:
            connection.close()


def _closed_by_server(connection: http.client.HTTPConnection) -> bool:
    """An idle keep-alive socket with something to read has been closed (or spoken to) by the server."""
    sock = connection.sock
    if sock is None:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))
