"""The simulator's in-memory BackerKit: projects, their API keys and orders, and injected faults.

Every read and write holds one lock, so the threaded server and a test's direct calls agree.
Orders are kept exactly as given (even invalid ones: validation is the app's job, not BackerKit's).
A locked order gets the next number of its project's lock sequence; the cursor of the orders API
is that number, encoded, so pages are stable and an order locked later appears after the cursor.
"""

import base64
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any


class UnknownProject(KeyError):
    pass


@dataclass
class Project:
    id: str
    name: str
    currency: str
    api_key: str
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock_sequence: dict[str, int] = field(default_factory=dict)  # order id -> position in lock order
    last_sequence: int = 0

    def lock(self, order_id: str) -> None:
        if order_id in self.orders and order_id not in self.lock_sequence:
            self.last_sequence += 1
            self.lock_sequence[order_id] = self.last_sequence


@dataclass(frozen=True)
class Fault:
    status: int
    retry_after: int | None = None
    location: str | None = None  # a redirect's Location (a moved API, or one pointing elsewhere)
    body: bytes | None = None  # the raw answer, as sent (a broken proxy, an answer off the contract)


def encode_cursor(sequence: int) -> str:
    return base64.urlsafe_b64encode(f"lock:{sequence}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The lock sequence number behind ``cursor``; ValueError when it is not one of ours."""
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("invalid cursor") from exc
    prefix, _, number = text.partition(":")
    if prefix != "lock" or not number.isdigit():
        raise ValueError("invalid cursor")
    return int(number)


class SimulatorState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.projects: dict[str, Project] = {}
        self.faults: deque[Fault] = deque()
        self.healthy_requests_left = 0
        self.requests: list[dict[str, Any]] = []  # method, path, status (never the Authorization header)

    # --- control ---------------------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.projects.clear()
            self.faults.clear()
            self.healthy_requests_left = 0
            self.requests.clear()

    def add_project(self, *, id: str, api_key: str, name: str = "", currency: str = "USD") -> Project:
        with self.lock:
            project = Project(id=id, name=name or id, currency=currency, api_key=api_key)
            self.projects[id] = project
            return project

    def project(self, project_id: str) -> Project:
        with self.lock:
            try:
                return self.projects[project_id]
            except KeyError:
                raise UnknownProject(project_id) from None

    def add_orders(self, project_id: str, orders: list[dict[str, Any]], *, locked: bool = True) -> int:
        """Add (or replace, by id) orders; locked ones become visible to the orders API."""
        with self.lock:
            project = self.project(project_id)
            for index, order in enumerate(orders):
                order_id = order.get("id") if isinstance(order, dict) else None
                key = order_id if isinstance(order_id, str) else f"unnamed-{len(project.orders) + index + 1}"
                project.orders[key] = order
                if locked:
                    project.lock(key)
            return len(orders)

    def lock_orders(self, project_id: str, order_ids: list[str] | None = None) -> int:
        """Lock the given orders (all not yet locked when ``order_ids`` is None); returns how many."""
        with self.lock:
            project = self.project(project_id)
            before = project.last_sequence
            for order_id in order_ids if order_ids is not None else list(project.orders):
                project.lock(order_id)
            return project.last_sequence - before

    def add_faults(
        self,
        *,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        location: str | None = None,
        body: bytes | str | None = None,
        after: int = 0,
    ) -> None:
        """The next ``count`` API requests answer ``status`` (500, 503, 429, a 302 to ``location``...),
        with ``body`` as the raw answer when given (JSON otherwise); ``after``: once that many
        requests were answered normally (a pull interrupted halfway)."""
        if isinstance(body, str):
            body = body.encode()
        with self.lock:
            self.healthy_requests_left = after  # the fault waits for this many good answers first
            self.faults.extend(
                Fault(status=status, retry_after=retry_after, location=location, body=body) for _ in range(count)
            )

    def next_fault(self) -> Fault | None:
        with self.lock:
            if self.faults and self.healthy_requests_left > 0:
                self.healthy_requests_left -= 1
                return None
            return self.faults.popleft() if self.faults else None

    # --- the orders API --------------------------------------------------------------------------

    def locked_orders_page(self, project_id: str, *, since: str | None, limit: int) -> dict[str, Any]:
        with self.lock:
            project = self.project(project_id)
            after = decode_cursor(since) if since else 0
            ready = sorted((seq, oid) for oid, seq in project.lock_sequence.items() if seq > after)
            page = ready[:limit]
            last = page[-1][0] if page else after
            return {
                "orders": [project.orders[oid] for _, oid in page],
                "next_cursor": encode_cursor(last) if last else None,
                "has_more": len(ready) > limit,
            }

    def record_request(self, *, method: str, path: str, status: int) -> None:
        with self.lock:
            self.requests.append({"method": method, "path": path, "status": status})

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "projects": {
                    p.id: {
                        "name": p.name,
                        "currency": p.currency,
                        "orders": len(p.orders),
                        "locked": len(p.lock_sequence),
                    }
                    for p in self.projects.values()
                },
                "pending_faults": [
                    {
                        "status": f.status,
                        "retry_after": f.retry_after,
                        "location": f.location,
                        "raw": f.body is not None,
                    }
                    for f in self.faults
                ],
                "requests": len(self.requests),
            }
