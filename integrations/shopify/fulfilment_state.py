"""An order's fulfilment state as Shopify holds it, read with one document and parsed into types.

Shared by whatever must know where an order stands with the warehouse: fulfilment orders (status,
request status, holds, line items with SKU and remaining quantity) and fulfilments (status, tracking,
shipped line items). Needs ``read_orders`` for the order and its fulfilments and
``read_merchant_managed_fulfillment_orders`` (or its write scope) for the fulfilment orders: without
it Shopify answers no fulfilment orders at all (docs/shopify-facts.md, "Fulfilment orders and holds").

    read_fulfilment_state(client, order_gid) -> OrderFulfilmentState | None
    read_orders_updated_since(client, since, after=None, first=MAX_PAGE) -> FulfilmentPage

A malformed answer raises ``ShopifyInvalid`` naming the order and field (never personal data).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyInvalid


def _order_fields(fulfillment_orders: int, lines: int) -> str:
    """The order's fields; page sizes keep the requested cost (docs/shopify-facts.md, "Rate limits")
    within Shopify's 1000 per query."""
    return f"""
    id
    name
    updatedAt
    cancelledAt
    displayFulfillmentStatus
    fulfillmentOrders(first: {fulfillment_orders}) {{
      nodes {{
        id
        status
        requestStatus
        updatedAt
        fulfillmentHolds {{ id reason reasonNotes handle heldByRequestingApp }}
        supportedActions {{ action }}
        lineItems(first: {lines}) {{ nodes {{ id totalQuantity remainingQuantity lineItem {{ id sku }} }} }}
      }}
    }}
    fulfillments(first: 20) {{
      id
      name
      status
      displayStatus
      createdAt
      updatedAt
      inTransitAt
      deliveredAt
      trackingInfo {{ number company url }}
      fulfillmentLineItems(first: {lines}) {{ nodes {{ id quantity lineItem {{ id sku }} }} }}
    }}
"""


# Variables: id (an Order gid). Requested cost about 330 points.
ORDER_FULFILMENT_STATE = f"""
query OrderFulfilmentState($id: ID!) {{
  order(id: $id) {{{_order_fields(5, 25)}  }}
}}
"""

# Variables: first (page size, <= 8: about 110 points an order), after (cursor or null), query,
# e.g. "updated_at:>='2026-12-01T10:00:00Z'" (updated_since_query). An order's updated_at moves when
# a fulfilment is created or changes. Orders with more than 3 fulfilment orders or 10 lines per
# fulfilment: read them one by one with ORDER_FULFILMENT_STATE.
ORDERS_FULFILMENT_STATE = f"""
query OrdersFulfilmentState($first: Int!, $after: String, $query: String!) {{
  orders(first: $first, after: $after, query: $query) {{
    nodes {{{_order_fields(3, 10)}    }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
MAX_PAGE = 8

ALL_DOCUMENTS = {"ORDER_FULFILMENT_STATE": ORDER_FULFILMENT_STATE, "ORDERS_FULFILMENT_STATE": ORDERS_FULFILMENT_STATE}


@dataclass(frozen=True)
class Hold:
    id: str
    reason: str
    reason_notes: str | None
    handle: str
    held_by_this_app: bool


@dataclass(frozen=True)
class FulfilmentOrderLine:
    id: str
    line_item_id: str
    sku: str | None
    total_quantity: int
    remaining_quantity: int


@dataclass(frozen=True)
class FulfilmentOrder:
    id: str
    status: str  # OPEN | IN_PROGRESS | ON_HOLD | CLOSED | CANCELLED | INCOMPLETE | SCHEDULED
    request_status: str  # UNSUBMITTED | SUBMITTED | ACCEPTED | REJECTED | CANCELLATION_* | CLOSED
    updated_at: datetime
    holds: tuple[Hold, ...]
    lines: tuple[FulfilmentOrderLine, ...]
    supported_actions: tuple[str, ...]

    @property
    def on_hold(self) -> bool:
        return self.status == "ON_HOLD"

    @property
    def with_the_warehouse(self) -> bool:
        """A fulfilment service accepted it, or fulfilment has started: changes may be too late."""
        return self.request_status in ("SUBMITTED", "ACCEPTED", "CANCELLATION_REQUESTED") or self.status in (
            "IN_PROGRESS",
            "CLOSED",
        )


@dataclass(frozen=True)
class Tracking:
    number: str | None
    company: str | None
    url: str | None


@dataclass(frozen=True)
class ShippedLine:
    line_item_id: str
    sku: str | None
    quantity: int


@dataclass(frozen=True)
class Fulfilment:
    id: str
    name: str
    status: str  # SUCCESS | CANCELLED | ERROR | FAILURE
    display_status: str | None  # FULFILLED | IN_TRANSIT | DELIVERED | CANCELED ...
    created_at: datetime
    updated_at: datetime
    in_transit_at: datetime | None
    delivered_at: datetime | None
    tracking: tuple[Tracking, ...]
    lines: tuple[ShippedLine, ...]


@dataclass(frozen=True)
class OrderFulfilmentState:
    order_id: str
    name: str
    updated_at: datetime
    cancelled_at: datetime | None
    display_fulfillment_status: str
    fulfillment_orders: tuple[FulfilmentOrder, ...]
    fulfillments: tuple[Fulfilment, ...]

    @property
    def holds(self) -> tuple[Hold, ...]:
        return tuple(h for fo in self.fulfillment_orders for h in fo.holds)

    def remaining_by_sku(self) -> dict[str | None, int]:
        """What is left to ship, by SKU, over the fulfilment orders that are not cancelled."""
        left: dict[str | None, int] = {}
        for fo in self.fulfillment_orders:
            if fo.status in ("CANCELLED", "INCOMPLETE"):
                continue
            for line in fo.lines:
                left[line.sku] = left.get(line.sku, 0) + line.remaining_quantity
        return left


@dataclass(frozen=True)
class FulfilmentPage:
    orders: tuple[OrderFulfilmentState, ...]
    has_next_page: bool
    end_cursor: str | None


def updated_since_query(since: datetime) -> str:
    """The ``orders`` search for orders updated at or after ``since`` (Shopify's seconds, UTC)."""
    return f"updated_at:>='{since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def read_fulfilment_state(client: AdminClient, order_gid: str) -> OrderFulfilmentState | None:
    """The order's state, or None when Shopify has no such order (deleted, or not visible)."""
    node = client.execute(ORDER_FULFILMENT_STATE, {"id": order_gid}).data.get("order")
    return None if node is None else parse_order(node, shop=client.shop)


def read_orders_updated_since(
    client: AdminClient, since: datetime, *, after: str | None = None, first: int = MAX_PAGE
) -> FulfilmentPage:
    variables = {"first": first, "after": after, "query": updated_since_query(since)}
    connection = client.execute(ORDERS_FULFILMENT_STATE, variables).data.get("orders") or {}
    page = connection.get("pageInfo") or {}
    return FulfilmentPage(
        orders=tuple(parse_order(node, shop=client.shop) for node in connection.get("nodes") or []),
        has_next_page=bool(page.get("hasNextPage")),
        end_cursor=page.get("endCursor"),
    )


def parse_order(node: dict[str, Any], *, shop: str = "") -> OrderFulfilmentState:
    order_id = str(node.get("id") or "?")
    reader = _Reader(order_id, shop)
    return OrderFulfilmentState(
        order_id=reader.text(node, "id"),
        name=reader.text(node, "name"),
        updated_at=reader.time(node, "updatedAt"),
        cancelled_at=reader.time(node, "cancelledAt", optional=True),
        display_fulfillment_status=reader.text(node, "displayFulfillmentStatus"),
        fulfillment_orders=tuple(_fulfilment_order(reader, fo) for fo in reader.nodes(node, "fulfillmentOrders")),
        fulfillments=tuple(_fulfilment(reader, f) for f in reader.items(node, "fulfillments")),
    )


def _fulfilment_order(reader: "_Reader", node: dict[str, Any]) -> FulfilmentOrder:
    return FulfilmentOrder(
        id=reader.text(node, "id"),
        status=reader.text(node, "status"),
        request_status=reader.text(node, "requestStatus"),
        updated_at=reader.time(node, "updatedAt"),
        holds=tuple(
            Hold(
                id=reader.text(h, "id"),
                reason=reader.text(h, "reason"),
                reason_notes=h.get("reasonNotes"),
                handle=h.get("handle") or "",
                held_by_this_app=bool(h.get("heldByRequestingApp")),
            )
            for h in reader.items(node, "fulfillmentHolds")
        ),
        lines=tuple(
            FulfilmentOrderLine(
                id=reader.text(line, "id"),
                line_item_id=reader.text(line.get("lineItem") or {}, "id"),
                sku=(line.get("lineItem") or {}).get("sku"),
                total_quantity=reader.number(line, "totalQuantity"),
                remaining_quantity=reader.number(line, "remainingQuantity"),
            )
            for line in reader.nodes(node, "lineItems")
        ),
        supported_actions=tuple(str(a.get("action")) for a in node.get("supportedActions") or []),
    )


def _fulfilment(reader: "_Reader", node: dict[str, Any]) -> Fulfilment:
    return Fulfilment(
        id=reader.text(node, "id"),
        name=reader.text(node, "name"),
        status=reader.text(node, "status"),
        display_status=node.get("displayStatus"),
        created_at=reader.time(node, "createdAt"),
        updated_at=reader.time(node, "updatedAt"),
        in_transit_at=reader.time(node, "inTransitAt", optional=True),
        delivered_at=reader.time(node, "deliveredAt", optional=True),
        tracking=tuple(
            Tracking(number=t.get("number"), company=t.get("company"), url=t.get("url"))
            for t in reader.items(node, "trackingInfo")
        ),
        lines=tuple(
            ShippedLine(
                line_item_id=reader.text(line.get("lineItem") or {}, "id"),
                sku=(line.get("lineItem") or {}).get("sku"),
                quantity=reader.number(line, "quantity"),
            )
            for line in reader.nodes(node, "fulfillmentLineItems")
        ),
    )


class _Reader:
    """Field access that names the order and the field when Shopify's answer is not what we asked."""

    def __init__(self, order_id: str, shop: str):
        self.order_id, self.shop = order_id, shop

    def _refuse(self, field: str, problem: str) -> ShopifyInvalid:
        return ShopifyInvalid(f"order {self.order_id}: {field} {problem}", shop=self.shop)

    def text(self, node: dict[str, Any], field: str) -> str:
        value = node.get(field)
        if not isinstance(value, str) or not value:
            raise self._refuse(field, "is missing")
        return value

    def number(self, node: dict[str, Any], field: str) -> int:
        value = node.get(field)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._refuse(field, "is not a whole number")
        return value

    def time(self, node: dict[str, Any], field: str, *, optional: bool = False) -> datetime | None:
        value = node.get(field)
        if value is None and optional:
            return None
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise self._refuse(field, "is not a timestamp") from None

    def items(self, node: dict[str, Any], field: str) -> list[dict[str, Any]]:
        value = node.get(field)
        if not isinstance(value, list):
            raise self._refuse(field, "is missing")
        return value

    def nodes(self, node: dict[str, Any], field: str) -> list[dict[str, Any]]:
        return (
            self.items(node.get(field) or {}, "nodes") if isinstance(node.get(field), dict) else self.items({}, field)
        )
