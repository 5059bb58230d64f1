"""Webhook bodies for fulfilment and order events: Shopify's REST resources, as its webhooks carry them.

``fulfillments/create`` and ``fulfillments/update`` carry the REST Fulfillment (id, order_id, status
``success``/``cancelled``, tracking_company, tracking_number(s), tracking_url(s), shipment_status,
line_items with the fulfilled quantity, created_at/updated_at); ``orders/cancelled`` the REST Order
(with cancelled_at, cancel_reason, its line items and fulfillments).
https://shopify.dev/docs/api/webhooks (topics), https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment
"""

from typing import Any

from integrations.shopify.simulator.fulfillment_models import Fulfillment
from integrations.shopify.simulator.fulfillments import display_fulfillment_status
from integrations.shopify.simulator.models import Order


def _line_item(order: Order, item: dict[str, Any], quantity: int | None = None) -> dict[str, Any]:
    shipped = sum(
        line.quantity for f in order.fulfillments if f.status == "SUCCESS" for line in f.lines
        if line.line_item_id == item["id"]
    )  # fmt: skip
    return {
        "id": item["id"],
        "admin_graphql_api_id": f"gid://shopify/LineItem/{item['id']}",
        "variant_id": item.get("variant_id"),
        "title": item["title"],
        "variant_title": item.get("variant_title"),
        "sku": item.get("sku"),
        "quantity": item["quantity"] if quantity is None else quantity,
        "fulfillable_quantity": max(item["quantity"] - shipped, 0),
        "fulfillment_status": "fulfilled" if shipped >= item["quantity"] else ("partial" if shipped else None),
        "requires_shipping": item["requires_shipping"],
        "price": f"{item['unit_price']:.2f}",
    }


def fulfillment_payload(order: Order, fulfillment: Fulfillment) -> dict[str, Any]:
    items = {item["id"]: item for item in order.line_items}
    numbers = [t["number"] for t in fulfillment.tracking]
    urls = [t["url"] for t in fulfillment.tracking if t.get("url")]
    company = next((t["company"] for t in fulfillment.tracking if t.get("company")), None)
    return {
        "id": fulfillment.id,
        "admin_graphql_api_id": fulfillment.gid,
        "order_id": order.id,
        "name": fulfillment.name,
        "status": fulfillment.status.lower(),
        "service": "manual",
        "location_id": fulfillment.location_id,
        "created_at": fulfillment.created_at,
        "updated_at": fulfillment.updated_at,
        "tracking_company": company,
        "tracking_number": numbers[0] if numbers else None,
        "tracking_numbers": numbers,
        "tracking_url": urls[0] if urls else None,
        "tracking_urls": urls,
        "shipment_status": fulfillment.shipment_status,
        "origin_address": None,
        "receipt": {},
        "notify_customer": False,
        "line_items": [_line_item(order, items[line.line_item_id], line.quantity) for line in fulfillment.lines],
    }


def order_payload(order: Order) -> dict[str, Any]:
    status = display_fulfillment_status(order)
    return {
        "id": order.id,
        "admin_graphql_api_id": order.gid,
        "name": order.name,
        "order_number": order.number,
        "email": order.email,
        "created_at": order.created_at,
        "updated_at": order.updated_at or order.created_at,
        "cancelled_at": order.cancelled_at,
        "cancel_reason": order.cancel_reason,
        "closed_at": None,
        "currency": order.currency,
        "total_price": f"{order.total:.2f}",
        "financial_status": order.display_financial_status.lower(),
        "fulfillment_status": {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}.get(status),
        "source_identifier": order.source_identifier,
        "source_name": order.source_name,
        "tags": ", ".join(order.tags),
        "test": order.test,
        "line_items": [_line_item(order, item) for item in order.line_items],
        "fulfillments": [fulfillment_payload(order, f) for f in order.fulfillments],
    }
