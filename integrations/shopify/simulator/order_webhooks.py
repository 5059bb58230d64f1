"""``orders/updated``, ``orders/edited`` and ``orders/cancelled`` webhooks, sent only to an app that subscribed.

A subscription is either one the app created with ``webhookSubscriptionCreate`` (topic
``ORDERS_UPDATED`` / ``ORDERS_CANCELLED``, delivered to its ``uri``) or an app-wide one declared in
shopify.app.toml, which the simulator learns from ``POST /_simulator/config {"webhook_topics":
["orders/updated"]}`` (delivered to the app's webhook URL). Nobody subscribed: nothing is sent.

Shopify sends ``orders/updated`` "whenever an order is updated", the app's own changes included (the
app must recognise its own writes); also ``orders/edited`` on a committed edit and ``orders/cancelled``
on a cancel (WebhookSubscriptionTopic, 2026-07 schema).
The body is the REST Order resource (the fields below), signed like every webhook (webhooks.py).
Changes made through the Admin API are delivered on a background thread once the answer is
written; a merchant's edit (control API) is delivered before the control call answers, with the
delivery records in its answer (``deliver: false`` prepares them without sending).
https://shopify.dev/docs/api/admin-graphql/2026-07/enums/WebhookSubscriptionTopic
"""

import threading
from decimal import Decimal
from typing import Any

from integrations.shopify.simulator import order_lifecycle, webhooks
from integrations.shopify.simulator.models import Order, Shop
from integrations.shopify.simulator.state import SimulatorState

_TOPIC_ENUMS = {
    "orders/updated": "ORDERS_UPDATED",
    "orders/edited": "ORDERS_EDITED",
    "orders/cancelled": "ORDERS_CANCELLED",
}
_EXTRA_TOPIC = {"edit": "orders/edited", "cancel": "orders/cancelled"}


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if not address:
        return None
    keys = {
        "first_name": "firstName",
        "last_name": "lastName",
        "company": "company",
        "address1": "address1",
        "address2": "address2",
        "city": "city",
        "province_code": "provinceCode",
        "country_code": "countryCode",
        "zip": "zip",
        "phone": "phone",
    }
    rest = {key: address.get(source) for key, source in keys.items()}
    rest["province"], rest["country"] = address.get("provinceName"), address.get("countryName")
    rest["name"] = " ".join(p for p in (address.get("firstName"), address.get("lastName")) if p) or None
    return rest


def order_payload(order: Order) -> dict[str, Any]:
    """The REST Order resource, as ``orders/updated`` carries it (caller holds the lock)."""
    return {
        "id": order.id,
        "admin_graphql_api_id": order.gid,
        "name": order.name,
        "order_number": order.number,
        "email": order.email,
        "phone": order.phone,
        "created_at": order.created_at,
        "updated_at": order_lifecycle.updated_at(order),
        "cancelled_at": order.cancelled_at,
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
        "closed_at": order.closed_at,
        "currency": order.currency,
        "financial_status": order.display_financial_status.lower(),
        "total_price": _money(order.total),
        "current_total_price": _money(order_lifecycle.current_total(order)),
        "total_outstanding": _money(order_lifecycle.outstanding(order)),
        "tags": ", ".join(order.tags),
        "note": order.note,
        "po_number": order.po_number,
        "note_attributes": [{"name": a["key"], "value": a["value"]} for a in order.custom_attributes],
        "source_identifier": order.source_identifier,
        "shipping_address": _address(order.shipping_address),
        "line_items": [
            {
                "id": line["id"],
                "admin_graphql_api_id": f"gid://shopify/LineItem/{line['id']}",
                "variant_id": line.get("variant_id"),
                "sku": line.get("sku"),
                "title": line["title"],
                "quantity": line["quantity"],
                "current_quantity": order_lifecycle.current_quantity(line),
                "fulfillable_quantity": order_lifecycle.unfulfilled_quantity(line),
                "price": _money(line["unit_price"]),
            }
            for line in order.line_items
        ],
        "refunds": [{"id": r["id"], "created_at": r["created_at"]} for r in order.refunds],
    }


def targets(state: SimulatorState, shop: Shop, topic: str) -> list[str]:
    """Where ``topic`` goes for this shop (caller holds the lock): empty when nobody subscribed."""
    urls = [s.uri for s in shop.webhook_subscriptions if s.topic == _TOPIC_ENUMS[topic]]
    if topic in state.config.webhook_topics and state.config.webhook_url not in urls:
        urls.append(state.config.webhook_url)
    return urls


def prepared(state: SimulatorState, shop: Shop, order_ids: list[int]) -> list[dict[str, Any]]:
    """The deliveries these orders' changes cause, ready to send (caller holds the lock)."""
    records = []
    for order in [o for o in shop.orders if o.id in set(order_ids)]:
        last = order.events[-1]["kind"] if order.events else ""
        topics = ["orders/updated"] + ([_EXTRA_TOPIC[last]] if last in _EXTRA_TOPIC else [])
        for topic in topics:
            for url in targets(state, shop, topic):
                record = webhooks.prepare(state, shop, topic, order_payload(order))
                record["url"] = url
                records.append(record)
    return records


def deliver_now(state: SimulatorState, records: list[dict[str, Any]], *, deliver: bool = True) -> list[dict[str, Any]]:
    return [webhooks.send(state, record, deliver=deliver) for record in records]


def after_api_changes(state: SimulatorState, shop: Shop, order_ids: list[int]) -> None:
    """Send the webhooks of an Admin API request's changes on a background thread (never under the
    lock, never delaying the answer)."""
    if not order_ids:
        return
    with state.lock:
        records = prepared(state, shop, order_ids)
    if records:
        threading.Thread(
            target=deliver_now, args=(state, records), name="simulator-order-webhooks", daemon=True
        ).start()
