"""Pure: Shopify's fulfilments (and an order's cancellation) as the push domain reads them, from a
webhook's REST body or a GraphQL node, and the bodies sent to BackerKit (contract v1, additive:
integrations/backerkit/contract/shipment.v1.schema.json, cancellation.v1.schema.json). No I/O.

Shopify's fulfilment statuses (https://shopify.dev/docs/api/admin-graphql/latest/enums/FulfillmentStatus):
SUCCESS (shipped), CANCELLED, and ERROR / FAILURE / OPEN / PENDING (deprecated or never shipped). Only
SUCCESS and CANCELLED are reported to BackerKit; the others ship nothing.
The webhook body is the REST fulfilment (``fulfillments/create|update``: ``id``, ``order_id``,
``status``, ``tracking_company``, ``tracking_numbers``, ``tracking_urls``, ``shipment_status``,
``line_items``, ``created_at``, ``updated_at``); ``orders/cancelled`` is the REST order.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from integrations.shopify.fulfilment_state import Fulfilment as ShopifyFulfilment

REPORTED = {"success": "shipped", "cancelled": "cancelled"}


class UnreadableFulfilment(ValueError):
    """The body lacks what a fulfilment must have (an id, its order, a status, a time)."""


@dataclass(frozen=True)
class Tracking:
    number: str
    company: str | None
    url: str | None


@dataclass(frozen=True)
class Fulfilment:
    id: str  # GID
    order_id: str  # GID
    status: str  # lower case: success, cancelled, open, pending, error, failure
    line_items: tuple[tuple[str, int], ...]  # (sku, quantity)
    tracking: tuple[Tracking, ...]
    created_at: datetime
    updated_at: datetime
    delivery_status: str | None = None  # lower case shipment / display status
    delivered_at: datetime | None = None

    @property
    def reported(self) -> bool:
        return self.status in REPORTED


@dataclass(frozen=True)
class Cancellation:
    order_id: str  # GID
    cancelled_at: datetime
    reason: str | None


def gid(kind: str, value: Any) -> str:
    text = str(value).strip()
    if text.startswith(f"gid://shopify/{kind}/"):
        return text
    if text.isdigit():
        return f"gid://shopify/{kind}/{text}"
    raise UnreadableFulfilment(f"{kind} id {text[:40]!r} is neither a number nor a GID")


def _when(value: Any, what: str) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        raise UnreadableFulfilment(f"{what} is not a time with its zone")
    return moment


def _optional_when(value: Any) -> datetime | None:
    moment = parse_datetime(value) if isinstance(value, str) and value else None
    return moment if moment is not None and moment.tzinfo is not None else None


def _text(value: Any) -> str | None:
    return str(value)[:2048] if value not in (None, "") else None


def from_webhook(body: dict[str, Any]) -> Fulfilment:
    """The REST fulfilment of a ``fulfillments/create|update`` delivery."""
    numbers = body.get("tracking_numbers") or ([body["tracking_number"]] if body.get("tracking_number") else [])
    urls = body.get("tracking_urls") or ([body["tracking_url"]] if body.get("tracking_url") else [])
    company = _text(body.get("tracking_company"))
    tracking = tuple(
        Tracking(number=str(n)[:255], company=company, url=_text(urls[i]) if i < len(urls) else None)
        for i, n in enumerate(numbers)
        if n
    )
    items = tuple(
        (str(line.get("sku") or "")[:255], int(line.get("quantity") or 0))
        for line in body.get("line_items") or []
        if isinstance(line, dict) and int(line.get("quantity") or 0) > 0
    )
    status = str(body.get("shipment_status") or "") or None
    return Fulfilment(
        id=gid("Fulfillment", body.get("admin_graphql_api_id") or body.get("id")),
        order_id=gid("Order", body.get("order_id")),
        status=str(body.get("status") or "").lower(),
        line_items=items,
        tracking=tracking,
        created_at=_when(body.get("created_at"), "created_at"),
        updated_at=_when(body.get("updated_at"), "updated_at"),
        delivery_status=status.lower() if status else None,
        delivered_at=_optional_when(body.get("delivered_at")),
    )


def from_state(fulfilment: ShopifyFulfilment, *, order_id: str) -> Fulfilment:
    """A fulfilment as the shared reader parsed it (integrations/shopify/fulfilment_state.py): the
    reconciliation's source. ``displayStatus`` FULFILLED says nothing of the delivery: None."""
    display = (fulfilment.display_status or "").lower()
    return Fulfilment(
        id=gid("Fulfillment", fulfilment.id),
        order_id=gid("Order", order_id),
        status=fulfilment.status.lower(),
        line_items=tuple((str(line.sku or "")[:255], line.quantity) for line in fulfilment.lines if line.quantity > 0),
        tracking=tuple(
            Tracking(number=str(t.number)[:255], company=_text(t.company), url=_text(t.url))
            for t in fulfilment.tracking
            if t.number
        ),
        created_at=fulfilment.created_at,
        updated_at=fulfilment.updated_at,
        delivery_status=None if display in ("", "fulfilled", "canceled", "cancelled") else display,
        delivered_at=fulfilment.delivered_at,
    )


def cancellation_from_webhook(body: dict[str, Any]) -> Cancellation:
    """The REST order of an ``orders/cancelled`` delivery."""
    reason = body.get("cancel_reason")
    return Cancellation(
        order_id=gid("Order", body.get("admin_graphql_api_id") or body.get("id")),
        cancelled_at=_when(body.get("cancelled_at"), "cancelled_at"),
        reason=str(reason).lower()[:64] if reason else None,
    )


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def shipment_body(*, backerkit_order_id: str, fulfilment: Fulfilment) -> dict[str, Any]:
    """What BackerKit gets for one fulfilment (shipment.v1.schema.json)."""
    return {
        "order_id": backerkit_order_id,
        "shopify_order_id": fulfilment.order_id,
        "shopify_fulfillment_id": fulfilment.id,
        "status": REPORTED[fulfilment.status],
        "line_items": [{"sku": sku, "quantity": quantity} for sku, quantity in fulfilment.line_items],
        "tracking": [{"number": t.number, "company": t.company, "url": t.url} for t in fulfilment.tracking],
        "shipped_at": _iso(fulfilment.created_at),
        "delivery_status": fulfilment.delivery_status,
        "delivered_at": _iso(fulfilment.delivered_at),
        "updated_at": _iso(fulfilment.updated_at),
    }


def cancellation_body(*, backerkit_order_id: str, cancellation: Cancellation) -> dict[str, Any]:
    return {
        "order_id": backerkit_order_id,
        "shopify_order_id": cancellation.order_id,
        "cancelled_at": _iso(cancellation.cancelled_at),
        "reason": cancellation.reason,
    }
