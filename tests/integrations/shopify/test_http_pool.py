"""The Admin API's HTTP pool against real loopback servers: connections are reused, a connection the
server closed while idle is never taken for a dropped request, and a failure says whether anything
may have reached the server (CannotConnect: nothing; NoAnswer: maybe)."""

import socket
import threading

import pytest

from integrations.shopify.http_pool import CannotConnect, HttpPool, NoAnswer

ANSWER = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'


class RawServer:
    """A loopback server that reads one request per connection, then does what ``behaviour`` says."""

    def __init__(self, behaviour: str):
        self.behaviour = behaviour
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.requests = 0
        self.closed_one = threading.Event()  # the server closed a connection
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        self._answer(conn)
        conn.close()
        self.closed_one.set()

    def _answer(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data or not data.endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        self.requests += 1
        if self.behaviour == "answer then close":
            conn.sendall(ANSWER)  # keep-alive by HTTP/1.1, then closed while the client keeps it idle
        elif self.behaviour == "keep alive":
            conn.sendall(ANSWER)
            self._answer(conn)
        # "drop": close with no answer

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/admin/api/2026-07/graphql.json"

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def pool():
    pool = HttpPool(connect_timeout=1.0, read_timeout=2.0)
    yield pool
    pool.close()


def test_a_keep_alive_connection_serves_the_next_request(pool):
    server = RawServer("keep alive")
    try:
        answers = [pool.post(server.url(), body=b'{"q":1}', headers={}) for _ in range(3)]
    finally:
        server.close()
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].content == b'{"ok":true}' and answers[0].headers.get("content-type") == "application/json"
    assert (server.connections, server.requests) == (1, 3)


def test_a_connection_the_server_closed_while_idle_is_replaced_not_reported_as_a_dropped_request(pool):
    server = RawServer("answer then close")
    try:
        first = pool.post(server.url(), body=b'{"q":1}', headers={})
        assert server.closed_one.wait(timeout=5)  # the pooled connection is closed at the server's end
        second = pool.post(server.url(), body=b'{"q":2}', headers={})
    finally:
        server.close()
    assert (first.status_code, second.status_code) == (200, 200)
    assert (server.connections, server.requests) == (2, 2)


def test_a_request_dropped_without_an_answer_is_no_answer(pool):
    server = RawServer("drop")
    try:
        with pytest.raises(NoAnswer):
            pool.post(server.url(), body=b'{"q":1}', headers={})
    finally:
        server.close()
    assert server.requests == 1


def test_a_port_nobody_listens_on_is_cannot_connect(pool):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CannotConnect):
        pool.post(f"http://127.0.0.1:{port}/x", body=b"{}", headers={})
