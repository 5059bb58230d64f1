"""A local BackerKit API over real HTTP, implementing contract v1 (../contract/README.md).

API (as BackerKit):
    GET  /v1/projects/{project}                                   -> {"id", "name", "currency"}
    GET  /v1/projects/{project}/orders?status=locked&since=&limit= -> {"orders", "next_cursor", "has_more"}
    GET  /v1/projects/{project}/orders?updated_since=<cursor>&limit= -> the change feed, same shape
                                                (``updated_since=`` empty: from the first change)
    Authorization: Bearer <the project's API key>; 401 bad key, 404 unknown project, 400 bad query,
    injected 429 (with Retry-After) / 5xx faults, redirects (``location``) and raw bodies (``body``).
Control (tests and the demo only, no auth, loopback):
    POST /_simulator/projects                  {"id", "api_key", "name"?, "currency"?}
    POST /_simulator/projects/{project}/orders {"orders": [...], "locked": true}
    POST /_simulator/projects/{project}/lock   {"order_ids": [...]} (omit: every order)
    POST /_simulator/faults                    {"status": 500|503|429|401|403|404|302, "count": N, "retry_after": s,
                                                "location": url, "body": raw text, "after": M, "timeout": s}
                                                (after M normal answers; timeout: held s seconds, then dropped
                                                unanswered; location: a redirect's; body: the raw answer)
    POST /_simulator/projects/{project}/api_key {"api_key", "after": N}  (BackerKit's "regenerate key",
                                                now or after N more API requests: mid-pull)
    POST /_simulator/projects/{project}/orders/{order_id}/change  {"shipping_address": {...} (merged),
                                                "items": [...], "amount_paid": "..", "email": .., any field,
                                                "updated_at"?}  -> the new version (status, updated_at set)
    POST /_simulator/projects/{project}/orders/{order_id}/cancel  {}  -> status canceled
    POST /_simulator/projects/{project}/orders/{order_id}/refund  {"amount"?: ".."} (omitted: all)
                                                -> amount_paid reduced; status refunded once nothing is left
    POST /_simulator/reset
    GET  /_simulator/state.json
    GET  /                                        the inspection page: projects, orders, change forms
"""

import json
import secrets
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from integrations.backerkit.simulator import inspect_page
from integrations.backerkit.simulator.state import SimulatorState, UnknownOrder, UnknownProject

MAX_LIMIT = 500


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no Nagle + delayed-ACK stall on keep-alive answers

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the state instead
        return

    # --- plumbing --------------------------------------------------------------------------------

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send_raw(status, json.dumps(body).encode(), headers)

    def _send_raw(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        url = urlsplit(self.path)
        self.server.state.record_request(method=self.command, path=url.path, status=status, query=url.query)

    def _drop(self, seconds: float) -> None:
        """A BackerKit that never answers: hold the request, then close the connection."""
        time.sleep(seconds)  # the simulated fault itself: an answer that never comes
        url = urlsplit(self.path)
        self.server.state.record_request(method=self.command, path=url.path, status=0, query=url.query)
        self.close_connection = True

    def _json_body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        self._from_form = "form-urlencoded" in (self.headers.get("Content-Type") or "")
        if self._from_form:  # the inspection page's forms
            return inspect_page.form_changes(raw.decode("utf-8"))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _parts(self) -> list[str]:
        return [unquote(part) for part in urlsplit(self.path).path.strip("/").split("/") if part]

    # --- dispatch --------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = self._parts()
        if parts == []:
            page = inspect_page.render(self.server.state).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return None
        if parts[:1] == ["_simulator"]:
            if parts == ["_simulator", "state.json"]:
                return self._send(200, self.server.state.snapshot())
            return self._send(404, {"error": "not found"})
        if len(parts) in (3, 4) and parts[:2] == ["v1", "projects"] and parts[3:] in ([], ["orders"]):
            return self._api(project_id=parts[2], orders=len(parts) == 4)
        return self._send(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        parts = self._parts()
        body = self._json_body()
        if parts[:1] != ["_simulator"]:
            return self._send(405, {"error": "the BackerKit API is read-only"})
        if body is None:
            return self._send(400, {"error": "the body must be a JSON object"})
        state = self.server.state
        try:
            if parts == ["_simulator", "reset"]:
                state.reset()
                return self._send(200, {"ok": True})
            if parts == ["_simulator", "faults"]:
                timeout = body.get("timeout")
                state.add_faults(
                    status=int(body.get("status") or 0),
                    count=int(body.get("count", 1)),
                    retry_after=body.get("retry_after"),
                    location=body.get("location"),
                    body=body.get("body"),
                    after=int(body.get("after", 0)),
                    timeout=None if timeout is None else float(timeout),
                )
                return self._send(200, {"ok": True})
            if parts == ["_simulator", "projects"]:
                project = state.add_project(
                    id=str(body["id"]),
                    api_key=str(body["api_key"]),
                    name=str(body.get("name") or ""),
                    currency=str(body.get("currency") or "USD"),
                )
                return self._send(201, {"id": project.id, "name": project.name, "currency": project.currency})
            if len(parts) == 4 and parts[1] == "projects" and parts[3] == "orders":
                orders = body.get("orders")
                if not isinstance(orders, list):
                    return self._send(400, {"error": "orders must be an array"})
                added = state.add_orders(parts[2], orders, locked=bool(body.get("locked", True)))
                return self._send(200, {"added": added})
            if len(parts) == 4 and parts[1] == "projects" and parts[3] == "api_key":
                state.set_api_key(parts[2], str(body["api_key"]), after=int(body.get("after", 0)))
                return self._send(200, {"ok": True})
            if len(parts) == 4 and parts[1] == "projects" and parts[3] == "lock":
                locked = state.lock_orders(parts[2], body.get("order_ids"))
                return self._send(200, {"locked": locked})
            if len(parts) == 6 and parts[1] == "projects" and parts[3] == "orders":
                return self._change(parts[2], parts[4], parts[5], body)
        except UnknownProject:
            return self._send(404, {"error": "unknown project"})
        except UnknownOrder:
            return self._send(404, {"error": "no such locked order"})
        except (KeyError, TypeError, ValueError) as exc:
            return self._send(400, {"error": f"bad control request: {exc}"})
        return self._send(404, {"error": "not found"})

    def _change(self, project_id: str, order_id: str, action: str, body: dict[str, Any]) -> None:
        state = self.server.state
        if action == "change":
            changed = state.change_order(project_id, order_id, body)
        elif action == "cancel":
            changed = state.cancel_order(project_id, order_id)
        elif action == "refund":
            amount = body.get("amount")
            changed = state.refund_order(project_id, order_id, None if amount in (None, "") else str(amount))
        else:
            return self._send(404, {"error": "not found"})
        if getattr(self, "_from_form", False):
            self.send_response(303)
            self.send_header("Location", "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._send(200, changed)

    def _api(self, *, project_id: str, orders: bool) -> None:
        state = self.server.state
        state.before_api_request()
        fault = state.next_fault()
        if fault is not None and fault.timeout is not None:
            return self._drop(fault.timeout)
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            if fault.location is not None:
                headers["Location"] = fault.location
            if fault.body is not None:
                return self._send_raw(fault.status, fault.body, headers)
            phrase = HTTPStatus(fault.status).phrase if fault.status in HTTPStatus._value2member_map_ else "fault"
            return self._send(fault.status, {"error": phrase}, headers)
        try:
            project = state.project(project_id)
        except UnknownProject:
            return self._send(404, {"error": "project not found"})
        supplied = self.headers.get("Authorization", "")
        if not secrets.compare_digest(supplied.encode(), f"Bearer {project.api_key}".encode()):
            return self._send(401, {"error": "invalid API key"})
        if not orders:
            return self._send(200, {"id": project.id, "name": project.name, "currency": project.currency})
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        feed = "updated_since" in query
        if feed and ("since" in query or "status" in query):
            return self._send(400, {"error": "updated_since cannot be combined with since or status"})
        if (query.get("status") or ["locked"])[0] not in ("locked", ""):
            return self._send(400, {"error": "only status=locked is supported"})
        try:
            limit = int(query.get("limit", ["100"])[0])
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            return self._send(400, {"error": f"limit must be between 1 and {MAX_LIMIT}"})
        try:
            if feed:
                page = state.changed_orders_page(project.id, updated_since=query["updated_since"][0], limit=limit)
            else:
                page = state.locked_orders_page(project.id, since=query.get("since", [None])[0] or None, limit=limit)
        except ValueError:
            return self._send(400, {"error": "invalid cursor"})
        return self._send(200, page)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SimulatorState):
        super().__init__(address, _Handler)
        self.state = state


@dataclass
class RunningBackerKitSimulator:
    url: str
    port: int
    state: SimulatorState
    _server: _Server
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def start_backerkit_simulator(
    *, port: int = 0, host: str = "127.0.0.1", state: SimulatorState | None = None
) -> RunningBackerKitSimulator:
    """Serve the simulator on a background thread (port 0: a free port); ``stop()`` ends it."""
    server = _Server((host, port), state or SimulatorState())
    actual_port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},  # stop() returns quickly
        name=f"backerkit-simulator-{actual_port}",
        daemon=True,
    )
    thread.start()
    return RunningBackerKitSimulator(
        url=f"http://{host}:{actual_port}", port=actual_port, state=server.state, _server=server, _thread=thread
    )
