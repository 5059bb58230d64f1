"""Fulfilment orders, holds and fulfilments -> the dicts graphql-core resolves (see nodes.py).

``Order.fulfillmentOrders`` answers only the fulfilment orders the token's scopes let it see: those
of a merchant-managed location need ``read_merchant_managed_fulfillment_orders`` (or its write
scope); without it the connection is empty, as Shopify answers ("An API client will only receive a
subset of the fulfillment orders ... if they don't have the necessary access scopes").
``Fulfillment`` is readable with ``read_orders``. Nodes are built from the stored records when the
field is resolved, under the state lock.
"""

from collections.abc import Callable
from typing import Any

from integrations.shopify.simulator import credentials, search
from integrations.shopify.simulator.connections import paginate
from integrations.shopify.simulator.fulfillment_models import Fulfillment, FulfillmentHold, FulfillmentOrder
from integrations.shopify.simulator.fulfillment_orders import supported_actions
from integrations.shopify.simulator.fulfillments import display_fulfillment_status
from integrations.shopify.simulator.models import Order, Shop

FULFILLMENT_ORDER_SCOPE = "read_merchant_managed_fulfillment_orders"

_REASON_TEXT = {
    "AWAITING_PAYMENT": "Awaiting payment",
    "HIGH_RISK_OF_FRAUD": "High risk of fraud",
    "INCORRECT_ADDRESS": "Incorrect address",
    "INVENTORY_OUT_OF_STOCK": "Inventory out of stock",
    "UNKNOWN_DELIVERY_DATE": "Unknown delivery date",
    "ONLINE_STORE_POST_PURCHASE_CROSS_SELL": "Post purchase upsell",
    "AWAITING_RETURN_ITEMS": "Awaiting return items",
    "OTHER": "Other",
}


def can_read_fulfillment_orders(scopes: tuple[str, ...]) -> bool:
    return credentials.has_scope(scopes, FULFILLMENT_ORDER_SCOPE)


def _order_ref(order: Order) -> dict[str, Any]:
    return {
        "__typename": "Order",
        "id": order.gid,
        "legacyResourceId": str(order.id),
        "name": order.name,
        "updatedAt": order.updated_at or order.created_at,
    }


def _location(shop: Shop) -> dict[str, Any]:
    return {"__typename": "Location", "id": f"gid://shopify/Location/{shop.id}", "name": f"{shop.name} warehouse"}


def hold_node(hold: FulfillmentHold, client_id: str | None) -> dict[str, Any]:
    return {
        "__typename": "FulfillmentHold",
        "id": f"gid://shopify/FulfillmentHold/{hold.id}",
        "reason": hold.reason,
        "reasonNotes": hold.reason_notes,
        "displayReason": _REASON_TEXT.get(hold.reason, hold.reason.title()),
        "handle": hold.handle,
        "heldByRequestingApp": hold.held_by_app is not None and hold.held_by_app == client_id,
        "heldByApp": None,
    }


def fulfillment_order_node(
    order: Order, fo: FulfillmentOrder, shop: Shop, line_nodes: dict[int, dict[str, Any]], client_id: str | None
) -> dict[str, Any]:
    lines = [
        {
            "__typename": "FulfillmentOrderLineItem",
            "id": f"gid://shopify/FulfillmentOrderLineItem/{line.id}",
            "totalQuantity": line.total_quantity,
            "remainingQuantity": line.remaining_quantity,
            "sku": line_nodes[line.line_item_id]["sku"],
            "productTitle": line_nodes[line.line_item_id]["title"],
            "variantTitle": line_nodes[line.line_item_id]["variantTitle"],
            "requiresShipping": line_nodes[line.line_item_id]["requiresShipping"],
            "lineItem": line_nodes[line.line_item_id],
            "variant": line_nodes[line.line_item_id]["variant"],
            "warnings": [],
        }
        for line in fo.lines
    ]
    location = _location(shop)
    return {
        "__typename": "FulfillmentOrder",
        "id": fo.gid,
        "status": fo.status,
        "requestStatus": fo.request_status,
        "createdAt": fo.created_at,
        "updatedAt": fo.updated_at,
        "fulfillAt": None,
        "fulfillBy": None,
        "orderId": order.gid,
        "orderName": order.name,
        "orderProcessedAt": order.processed_at or order.created_at,
        "order": _order_ref(order),
        "fulfillmentHolds": [hold_node(h, client_id) for h in fo.holds],
        "supportedActions": [
            {"__typename": "FulfillmentOrderSupportedAction", "action": a, "externalUrl": None}
            for a in supported_actions(fo)
        ],
        "assignedLocation": {
            "__typename": "FulfillmentOrderAssignedLocation",
            "name": location["name"],
            "countryCode": "US",
            "location": location,
            **dict.fromkeys(("address1", "address2", "city", "phone", "province", "zip")),
        },
        "lineItems": _connection(lines, "FulfillmentOrderLineItem"),
    }


def fulfillment_node(order: Order, fulfillment: Fulfillment, shop: Shop, line_nodes: dict[int, dict]) -> dict:
    lines = [
        {
            "__typename": "FulfillmentLineItem",
            "id": f"gid://shopify/FulfillmentLineItem/{line.id}",
            "quantity": line.quantity,
            "lineItem": line_nodes[line.line_item_id],
        }
        for line in fulfillment.lines
    ]
    tracking = [
        {
            "__typename": "FulfillmentTrackingInfo",
            "number": t["number"],
            "company": t.get("company"),
            "url": t.get("url"),
        }
        for t in fulfillment.tracking
    ]
    return {
        "__typename": "Fulfillment",
        "id": fulfillment.gid,
        "legacyResourceId": str(fulfillment.id),
        "name": fulfillment.name,
        "status": fulfillment.status,
        "displayStatus": fulfillment.display_status,
        "createdAt": fulfillment.created_at,
        "updatedAt": fulfillment.updated_at,
        "inTransitAt": fulfillment.in_transit_at,
        "deliveredAt": fulfillment.delivered_at,
        "estimatedDeliveryAt": None,
        "requiresShipping": True,
        "totalQuantity": sum(line.quantity for line in fulfillment.lines),
        "location": _location(shop),
        "order": _order_ref(order),
        "trackingInfo": lambda _info, first=None: tracking[:first] if first is not None else tracking,
        "fulfillmentLineItems": _connection(lines, "FulfillmentLineItem"),
    }


def order_fields(order: Order, shop: Shop, line_nodes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The fulfilment fields of ``Order`` (merged into nodes.order_node)."""

    def fulfillment_orders(info, displayable: bool = False, query: str | None = None, **page: Any) -> dict:
        ctx = info.context
        visible = can_read_fulfillment_orders(ctx.token.scopes)
        wanted = search.matcher(
            query, lambda fo: {"status": fo.status.lower(), "id": fo.id, "updated_at": fo.updated_at}
        )
        with ctx.state.lock:
            items = [fo for fo in order.fulfillment_orders if visible and wanted(fo)]
            if displayable:
                items = [fo for fo in items if fo.lines]
            return paginate(
                items,
                kind="FulfillmentOrder",
                id_of=lambda fo: fo.id,
                node_of=lambda fo: fulfillment_order_node(order, fo, shop, line_nodes, ctx.token.client_id),
                **page,
            )

    def fulfillments(info, first: int | None = None, query: str | None = None) -> list[dict[str, Any]]:
        wanted = search.matcher(query, lambda f: {"created_at": f.created_at, "updated_at": f.updated_at})
        with info.context.state.lock:
            found = [fulfillment_node(order, f, shop, line_nodes) for f in order.fulfillments if wanted(f)]
        return found[:first] if first is not None else found

    return {
        "updatedAt": order.updated_at or order.created_at,
        "cancelledAt": order.cancelled_at,
        "cancelReason": order.cancel_reason.upper() if order.cancel_reason else None,
        "displayFulfillmentStatus": display_fulfillment_status(order),
        "fulfillmentOrders": fulfillment_orders,
        "fulfillments": fulfillments,
    }


def _connection(nodes: list[dict[str, Any]], kind: str) -> Callable[..., dict[str, Any]]:
    return lambda _info, **args: paginate(
        nodes, kind=kind, id_of=lambda n: int(n["id"].rsplit("/", 1)[1]), node_of=dict, **args
    )
