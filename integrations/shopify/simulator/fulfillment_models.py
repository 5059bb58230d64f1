"""Fulfilment orders, their holds and fulfilments: what a simulated order keeps about its shipping.

Plain dataclasses like models.py, guarded by the state lock. Line items are referred to by the id
of the order's line item (``Order.line_items[i]["id"]``).
https://shopify.dev/docs/api/admin-graphql/latest/objects/FulfillmentOrder
https://shopify.dev/docs/api/admin-graphql/latest/objects/Fulfillment
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FulfillmentHold:
    id: int
    reason: str  # FulfillmentHoldReason
    reason_notes: str | None
    handle: str
    external_id: str | None
    notify_merchant: bool
    held_by_app: str | None  # client id of the app that placed it; None: the merchant, in the admin
    created_at: str
    released_at: str | None = None
    released_by_external_id: str | None = None


@dataclass
class FulfillmentOrderLine:
    id: int
    line_item_id: int
    total_quantity: int
    remaining_quantity: int


@dataclass
class FulfillmentOrder:
    id: int
    order_id: int
    status: str  # FulfillmentOrderStatus
    request_status: str  # FulfillmentOrderRequestStatus
    lines: list[FulfillmentOrderLine]
    created_at: str
    updated_at: str
    holds: list[FulfillmentHold] = field(default_factory=list)  # active holds
    released_holds: list[FulfillmentHold] = field(default_factory=list)
    split_from: int | None = None  # the fulfilment order a partial hold split this one from

    @property
    def gid(self) -> str:
        return f"gid://shopify/FulfillmentOrder/{self.id}"


@dataclass
class FulfillmentLine:
    id: int
    line_item_id: int
    fulfillment_order_line_id: int
    quantity: int


@dataclass
class Fulfillment:
    id: int
    order_id: int
    name: str  # "#1001.1", as Shopify names them
    status: str  # FulfillmentStatus: SUCCESS | CANCELLED
    display_status: str  # FulfillmentDisplayStatus
    shipment_status: str | None  # REST shipment_status: None | in_transit | delivered ...
    tracking: list[dict[str, Any]]  # [{"number", "company", "url"}]
    lines: list[FulfillmentLine]
    location_id: int
    created_at: str
    updated_at: str
    in_transit_at: str | None = None
    delivered_at: str | None = None

    @property
    def gid(self) -> str:
        return f"gid://shopify/Fulfillment/{self.id}"
