"""The simulator's HTTP server: one thread per connection, keep-alive, routes by path.

``{url}/{shop}/admin/...`` is the shop's own host (the app's ``SHOPIFY_ORIGIN_TEMPLATE`` is
``{url}/{shop}``), ``{url}/_simulator/...`` the control API, ``{url}/`` the inspection page.
Simulated latency is slept in the connection's thread before handling, outside the state lock, so
concurrent requests overlap as they do against Shopify.
"""

import logging
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from integrations.shopify.app_toml import declared_webhook_topics
from integrations.shopify.schema import admin_schema
from integrations.shopify.simulator import (
    admin_frame,
    admin_graphql,
    bulk_runner,
    bulk_uploads,
    control,
    inspect_page,
    oauth,
)
from integrations.shopify.simulator.catalog import load_catalog
from integrations.shopify.simulator.latency import Latency
from integrations.shopify.simulator.state import AppConfig, SimulatorState
from integrations.shopify.simulator.wire import Request, Response

logger = logging.getLogger(__name__)


def route(state: SimulatorState, request: Request, base_url: str) -> Response:
    path = request.path
    if path == "/" and request.method == "GET":
        return Response.html(inspect_page.render(state, base_url))
    if path == "/_simulator/inspect/action" and request.method == "POST":
        return inspect_page.act(state, request)
    if path.startswith("/_simulator/"):
        return control.dispatch(state, request)
    if path.startswith(bulk_uploads.UPLOAD_PATH) and request.method == "POST":
        return bulk_uploads.receive_upload(state, path.removeprefix(bulk_uploads.UPLOAD_PATH), request)
    if path.startswith(bulk_runner.RESULTS_PATH) and request.method == "GET":
        domain, _, name = path.removeprefix(bulk_runner.RESULTS_PATH).partition("/")
        return bulk_runner.serve_results(state, domain, name)
    parts = path.strip("/").split("/")
    if len(parts) < 3 or parts[1] != "admin":
        return Response.json({"errors": "Not Found"}, status=404)
    shop, rest = parts[0], parts[2:]
    if rest == ["oauth", "authorize"] and request.method == "GET":
        _simulate_latency(state, shop)
        return oauth.authorize(state, shop, request)
    if rest == ["oauth", "access_token"] and request.method == "POST":
        _simulate_latency(state, shop)
        return oauth.access_token(state, shop, request)
    if len(rest) == 3 and rest[0] == "api" and rest[2] == "graphql.json" and request.method == "POST":
        _simulate_latency(state, shop)
        return admin_graphql.handle(state, shop, rest[1], request)
    if len(rest) >= 2 and rest[0] == "apps" and request.method == "GET":
        return admin_frame.render(state, shop, rest[1], "/".join(rest[2:]), request)
    return Response.json({"errors": "Not Found"}, status=404)


def _simulate_latency(state: SimulatorState, domain: str) -> None:
    shop = state.get_shop(domain)
    latency = (shop.latency if shop and shop.latency else None) or state.config.latency
    if latency is None:
        return
    # How many requests wait out their latency at once (``latency_overlap_peak``): requests
    # overlap as they do against Shopify, never queue behind each other.
    with state.lock:
        state.in_latency += 1
        state.counters["latency_overlap_peak"] = max(state.counters["latency_overlap_peak"], state.in_latency)
    try:
        time.sleep(latency.sample_seconds())
    finally:
        with state.lock:
            state.in_latency -= 1


class SimulatorRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACK
    # add ~40 ms to every keep-alive answer, which Shopify does not.
    disable_nagle_algorithm = True
    server_version = "ShopifySimulator/1.0"
    server: "SimulatorHTTPServer"

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=unquote(split.path),
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        state = self.server.state
        state.count("requests")
        try:
            response = route(state, request, self.server.base_url)
        except Exception as exc:  # a simulator bug: answer it visibly instead of hanging the client
            logger.exception("shopify_simulator.request_failed", extra={"path": request.path})
            response = Response.json({"errors": f"simulator error: {type(exc).__name__}: {exc}"}, status=500)
        self._write(response)

    def _write(self, response: Response) -> None:
        if response.drop:
            if response.hold_seconds:
                time.sleep(response.hold_seconds)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's signature
        logger.debug("shopify_simulator.request %s", format % args)


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], state: SimulatorState):
        super().__init__(address, SimulatorRequestHandler)
        self.state = state
        host, port = self.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        state.base_url = self.base_url


@dataclass
class RunningSimulator:
    """A simulator serving in a background thread of this process."""

    server: SimulatorHTTPServer
    thread: threading.Thread
    state: SimulatorState

    @property
    def url(self) -> str:
        return self.server.base_url

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def origin_template(self) -> str:
        return f"{self.url}/{{shop}}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> "RunningSimulator":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def build_server(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str,
    api_secret: str,
    app_url: str,
    catalog: "str | Path | list[dict[str, Any]] | None" = None,
    webhook_path: str = "/webhooks",
    latency_ms: "str | float | None" = None,
    scopes: "list[str] | tuple[str, ...] | None" = None,
    webhook_topics: "list[str] | tuple[str, ...] | None" = None,
) -> SimulatorHTTPServer:
    config = AppConfig(
        api_key=api_key,
        api_secret=api_secret,
        app_url=app_url.rstrip("/"),
        webhook_path="/" + webhook_path.lstrip("/"),
        latency=Latency.parse(latency_ms),
        catalog=load_catalog(catalog),
    )
    if scopes:
        config.default_scopes = tuple(sorted(set(scopes)))
    config.webhook_topics = tuple(webhook_topics if webhook_topics is not None else declared_webhook_topics())
    admin_schema()  # built (~3 s) before the first request, not by the first burst of requests
    return SimulatorHTTPServer((host, port), SimulatorState(config))


def start_simulator(
    *,
    port: int = 0,
    api_key: str,
    api_secret: str,
    app_url: str,
    catalog: "str | Path | list[dict[str, Any]] | None" = None,
    host: str = "127.0.0.1",
    webhook_path: str = "/webhooks",
    latency_ms: "str | float | None" = None,
    scopes: "list[str] | tuple[str, ...] | None" = None,
    webhook_topics: "list[str] | tuple[str, ...] | None" = None,
) -> RunningSimulator:
    """Serve a simulator on ``host:port`` (0: a free port) in a daemon thread; ``.stop()`` ends it.

    ``scopes``: what the app declares (granted on managed installs and to minted tokens by default).
    ``webhook_topics``: the topics the app subscribes to (default: those of shopify.app.toml).
    """
    server = build_server(
        host=host,
        port=port,
        api_key=api_key,
        api_secret=api_secret,
        app_url=app_url,
        catalog=catalog,
        webhook_path=webhook_path,
        latency_ms=latency_ms,
        scopes=scopes,
        webhook_topics=webhook_topics,
    )
    thread = threading.Thread(target=server.serve_forever, name=f"shopify-simulator:{server.base_url}", daemon=True)
    thread.start()
    return RunningSimulator(server=server, thread=thread, state=server.state)
