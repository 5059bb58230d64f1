"""The simulator's in-memory BackerKit: projects, their API keys and orders, and injected faults.

Every read and write holds one lock, so the threaded server and a test's direct calls agree.
Orders are kept exactly as given (even invalid ones: validation is the app's job, not BackerKit's).
A locked order gets the next number of its project's lock sequence; the cursor of the orders API
is that number, encoded, so pages are stable and an order locked later appears after the cursor.

The change feed (``updated_since``) has its own sequence: every change of an order that the API
shows (locked, replaced, changed, cancelled, refunded) gives it the project's next change number,
and the feed lists orders by their latest number. Changes made through ``change_order``,
``cancel_order`` and ``refund_order`` set the order's ``status`` and ``updated_at`` (RFC 3339, UTC,
microseconds, strictly increasing per project) as BackerKit would.
"""

import base64
import copy
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.backerkit.simulator.shipments import ShipmentLedger

STATUSES = ("locked", "canceled", "refunded")


class UnknownProject(KeyError):
    pass


class UnknownOrder(KeyError):
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
    change_sequence: dict[str, int] = field(default_factory=dict)  # order id -> its latest change number
    last_change: int = 0
    last_updated_at: datetime | None = None

    def lock(self, order_id: str) -> None:
        if order_id in self.orders and order_id not in self.lock_sequence:
            self.last_sequence += 1
            self.lock_sequence[order_id] = self.last_sequence
            self.changed(order_id)

    def changed(self, order_id: str) -> None:
        """The order's data or status changed: it moves to the end of the change feed."""
        self.last_change += 1
        self.change_sequence[order_id] = self.last_change

    def next_updated_at(self) -> str:
        """Now, RFC 3339 in UTC with microseconds, later than every earlier change of the project."""
        now = datetime.now(UTC)
        if self.last_updated_at is not None and now <= self.last_updated_at:
            now = self.last_updated_at + timedelta(microseconds=1)
        self.last_updated_at = now
        return now.isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Fault:
    """What one API request gets instead of its answer: an HTTP ``status`` (with ``Retry-After``
    when set), or with ``timeout`` seconds no answer at all (the connection is held, then closed).
    ``status`` 0 is a pass: the request is answered normally (faults that start ``after`` N)."""

    status: int
    retry_after: int | None = None
    location: str | None = None  # a redirect's Location (a moved API, or one pointing elsewhere)
    body: bytes | None = None  # the raw answer, as sent (a broken proxy, an answer off the contract)
    timeout: float | None = None

    @property
    def is_pass(self) -> bool:
        return self.status == 0 and self.timeout is None


def encode_cursor(sequence: int) -> str:
    return base64.urlsafe_b64encode(f"lock:{sequence}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str = "lock") -> int:
    """The sequence number behind ``cursor`` (``lock``: the locked listing's, ``change``: the change
    feed's); ValueError when it is not one of ours of that kind."""
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("invalid cursor") from exc
    prefix, _, number = text.partition(":")
    if prefix != kind or not number.isdigit():
        raise ValueError("invalid cursor")
    return int(number)


def encode_change_cursor(sequence: int) -> str:
    return base64.urlsafe_b64encode(f"change:{sequence}".encode()).decode().rstrip("=")


class SimulatorState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.projects: dict[str, Project] = {}
        self.faults: deque[Fault] = deque()
        self.key_changes: list[list] = []  # [API requests still answered with the old key, project, new key]
        # method, path, query, status, monotonic time (never the Authorization header)
        self.requests: list[dict[str, Any]] = []
        # Bumped by reset(): a request held across a reset (a timeout fault) is not recorded in the
        # next test's state.
        self.generation = 0
        # What the app sent back (shipments.py), and BackerKit down on demand (every API request 503).
        self.shipments = ShipmentLedger()
        self.down = False

    # --- control ---------------------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.generation += 1
            self.projects.clear()
            self.faults.clear()
            self.key_changes.clear()
            self.requests.clear()
            self.shipments.clear()
            self.down = False

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
                if key in project.lock_sequence:
                    project.changed(key)  # a new version of an order the API already shows
                elif locked:
                    project.lock(key)
            return len(orders)

    # --- BackerKit changes an order after it was locked (the change feed shows each) -------------

    def _locked_order(self, project_id: str, order_id: str) -> tuple[Project, dict[str, Any]]:
        project = self.project(project_id)
        order = project.orders.get(order_id)
        if not isinstance(order, dict) or order_id not in project.lock_sequence:
            raise UnknownOrder(order_id)
        return project, order

    def change_order(self, project_id: str, order_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """A new version of a locked order: top-level fields replaced (``shipping_address`` merged
        field by field), ``updated_at`` set to now unless given. Returns the new version."""
        with self.lock:
            project, order = self._locked_order(project_id, order_id)
            updated = copy.deepcopy(order)
            for key, value in changes.items():
                if key == "id":
                    raise ValueError("an order's id cannot change")
                if key == "shipping_address" and isinstance(value, dict) and isinstance(updated.get(key), dict):
                    updated[key] = {**updated[key], **value}
                else:
                    updated[key] = value
            if "status" in changes and changes["status"] not in STATUSES:
                raise ValueError(f"status must be one of {', '.join(STATUSES)}")
            updated.setdefault("status", "locked")
            if "updated_at" not in changes:
                updated["updated_at"] = project.next_updated_at()
            project.orders[order_id] = updated
            project.changed(order_id)
            return copy.deepcopy(updated)

    def cancel_order(self, project_id: str, order_id: str) -> dict[str, Any]:
        """The creator cancels the order in BackerKit (what the backer paid is unchanged)."""
        return self.change_order(project_id, order_id, {"status": "canceled"})

    def refund_order(self, project_id: str, order_id: str, amount: str | None = None) -> dict[str, Any]:
        """BackerKit refunds ``amount`` (all that was paid when None): ``amount_paid`` is what the backer
        paid net of refunds; once nothing is left the order's status is ``refunded``."""
        with self.lock:
            _project, order = self._locked_order(project_id, order_id)
            try:
                paid = Decimal(str(order.get("amount_paid", "0")))
                refund = paid if amount is None else Decimal(str(amount))
            except InvalidOperation as exc:
                raise ValueError("amount must be a decimal string") from exc
            if refund <= 0 or refund > paid:
                raise ValueError(f"a refund must be more than 0 and at most the amount paid ({paid})")
            places = min(paid.as_tuple().exponent, refund.as_tuple().exponent, 0)
            left = (paid - refund).quantize(Decimal(1).scaleb(places))
            changes: dict[str, Any] = {"amount_paid": str(left)}
            if left == 0:
                changes["status"] = "refunded"
            return self.change_order(project_id, order_id, changes)

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
        status: int = 0,
        count: int = 1,
        retry_after: int | None = None,
        location: str | None = None,
        body: bytes | str | None = None,
        after: int = 0,
        timeout: float | None = None,
    ) -> None:
        """After ``after`` more API requests answered normally, the next ``count`` answer ``status``
        (500, 503, 429 with ``retry_after``, 401/403 refusing the key mid-pull, 404 for the project, a 302
        to ``location``; with ``body`` as the raw answer when given, JSON otherwise) or, with
        ``timeout`` seconds, are held that long and dropped unanswered."""
        if not status and timeout is None:
            raise ValueError("a fault needs a status or a timeout")
        if isinstance(body, str):
            body = body.encode()
        with self.lock:
            self.faults.extend(Fault(status=0) for _ in range(after))
            self.faults.extend(
                Fault(status=status, retry_after=retry_after, timeout=timeout, location=location, body=body)
                for _ in range(count)
            )

    def set_api_key(self, project_id: str, api_key: str, *, after: int = 0) -> None:
        """BackerKit's "regenerate key": the old key is refused from now on, or once ``after`` more
        API requests were answered (the key regenerated in the middle of a pull)."""
        with self.lock:
            project = self.project(project_id)
            if after <= 0:
                project.api_key = api_key
            else:
                self.key_changes.append([after, project_id, api_key])

    def before_api_request(self) -> None:
        """Key changes that are due take effect before the request is checked."""
        with self.lock:
            for change in list(self.key_changes):
                remaining, project_id, api_key = change
                if remaining <= 0:
                    self.key_changes.remove(change)
                    if project_id in self.projects:
                        self.projects[project_id].api_key = api_key
                else:
                    change[0] = remaining - 1

    def next_fault(self) -> Fault | None:
        with self.lock:
            fault = self.faults.popleft() if self.faults else None
            return None if fault is None or fault.is_pass else fault

    # --- the orders API --------------------------------------------------------------------------

    def locked_orders_page(self, project_id: str, *, since: str | None, limit: int) -> dict[str, Any]:
        """Orders whose status is locked, in lock order (a canceled or refunded one is left out: it
        is in the change feed)."""
        with self.lock:
            project = self.project(project_id)
            after = decode_cursor(since) if since else 0
            ready = sorted(
                (seq, oid)
                for oid, seq in project.lock_sequence.items()
                if seq > after and _status(project.orders[oid]) == "locked"
            )
            page = ready[:limit]
            last = page[-1][0] if page else after
            return {
                "orders": [project.orders[oid] for _, oid in page],
                "next_cursor": encode_cursor(last) if last else None,
                "has_more": len(ready) > limit,
            }

    def changed_orders_page(self, project_id: str, *, updated_since: str, limit: int) -> dict[str, Any]:
        """The change feed: every order the API shows whose data or status changed after the cursor
        (``""``: from the first change), once each, oldest change first."""
        with self.lock:
            project = self.project(project_id)
            after = decode_cursor(updated_since, "change") if updated_since else 0
            changed = sorted((seq, oid) for oid, seq in project.change_sequence.items() if seq > after)
            page = changed[:limit]
            last = page[-1][0] if page else after
            return {
                "orders": [copy.deepcopy(project.orders[oid]) for _, oid in page],
                "next_cursor": encode_change_cursor(last) if last else None,
                "has_more": len(changed) > limit,
            }

    def record_request(
        self, *, method: str, path: str, status: int, query: str = "", generation: int | None = None
    ) -> None:
        with self.lock:
            if generation is not None and generation != self.generation:
                return  # held across a reset: it belongs to a state that is gone
            self.requests.append(
                {"method": method, "path": path, "query": query, "status": status, "at": time.monotonic(),
                 "while_down": self.down}
            )  # fmt: skip

    def api_requests(self) -> list[dict[str, Any]]:
        """The requests made to the BackerKit API (not the control API), oldest first."""
        with self.lock:
            return [dict(r) for r in self.requests if r["path"].startswith("/v1/")]

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "projects": {
                    p.id: {
                        "name": p.name,
                        "currency": p.currency,
                        "orders": len(p.orders),
                        "locked": len(p.lock_sequence),
                        "changes": p.last_change,
                        "not_locked": sum(1 for order in p.orders.values() if _status(order) != "locked"),
                    }
                    for p in self.projects.values()
                },
                "pending_faults": [
                    {
                        "status": f.status,
                        "retry_after": f.retry_after,
                        "timeout": f.timeout,
                        "location": f.location,
                        "raw": f.body is not None,
                    }
                    for f in self.faults
                ],
                "down": self.down,
                "shipments": len(self.shipments.shipments),
                "cancellations": len(self.shipments.cancellations),
                "requests": len(self.requests),
                "api_requests": sum(1 for r in self.requests if r["path"].startswith("/v1/")),
                # Answered 503 because BackerKit was down (POST /_simulator/down): all, and the writes.
                "api_requests_while_down": sum(
                    1 for r in self.requests if r["path"].startswith("/v1/") and r.get("while_down")
                ),
                "writes_while_down": sum(
                    1
                    for r in self.requests
                    if r.get("while_down") and ("/shipments/" in r["path"] or r["path"].endswith("/cancellation"))
                ),
                # The locked listing's (not the change feed's, which a pull reads after it).
                "listing_requests": sum(
                    1
                    for r in self.requests
                    if r["path"].startswith("/v1/")
                    and r["path"].endswith("/orders")
                    and "updated_since=" not in (r["query"] or "")
                ),
            }


def _status(order: Any) -> str:
    status = order.get("status") if isinstance(order, dict) else None
    return status if isinstance(status, str) else "locked"
