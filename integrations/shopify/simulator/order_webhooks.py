"""``orders/updated``, ``orders/edited`` and ``orders/cancelled`` after an order changed, sent only
to an app that subscribed (webhooks.send_event: the topics of shopify.app.toml in
``AppConfig.webhook_topics``, or a ``webhookSubscriptionCreate``, and the topic's scope).

Shopify sends ``orders/updated`` "whenever an order is updated", the app's own changes included (the
app must recognise its own writes); also ``orders/edited`` on a committed edit and ``orders/cancelled``
on a cancel (WebhookSubscriptionTopic, 2026-07 schema). The body is the REST Order resource
(rest_payloads.order_payload) with the fields an order's later life changes. Changes made through
the Admin API are delivered on a background thread once the answer is written; a merchant's edit
(control API) before the control call answers, its deliveries in the answer (``deliver: false``:
the signed requests prepared, not sent).
https://shopify.dev/docs/api/admin-graphql/2026-07/enums/WebhookSubscriptionTopic
"""

import threading
from decimal import Decimal
from typing import Any

from integrations.shopify.simulator import order_lifecycle, webhooks
from integrations.shopify.simulator.credentials import has_scope
from integrations.shopify.simulator.models import Order, Shop
from integrations.shopify.simulator.rest_payloads import order_payload as rest_order_payload
from integrations.shopify.simulator.state import SimulatorState

_EXTRA_TOPIC = {"edit": "orders/edited", "cancel": "orders/cancelled"}
_ADDRESS_KEYS = {
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


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if not address:
        return None
    rest = {key: address.get(source) for key, source in _ADDRESS_KEYS.items()}
    rest["province"], rest["country"] = address.get("provinceName"), address.get("countryName")
    rest["name"] = " ".join(p for p in (address.get("firstName"), address.get("lastName")) if p) or None
    return rest


def order_payload(order: Order) -> dict[str, Any]:
    """The REST Order resource with what changes after the push (caller holds the lock)."""
    payload = rest_order_payload(order)
    by_id = {line["id"]: line for line in order.line_items}
    for item in payload["line_items"]:
        line = by_id[item["id"]]
        item["current_quantity"] = order_lifecycle.current_quantity(line)
        item["fulfillable_quantity"] = order_lifecycle.unfulfilled_quantity(order, line)
    return payload | {
        "phone": order.phone,
        "closed_at": order.closed_at,
        "current_total_price": _money(order_lifecycle.current_total(order)),
        "total_outstanding": _money(order_lifecycle.outstanding(order)),
        "note": order.note,
        "po_number": order.po_number,
        "note_attributes": [{"name": a["key"], "value": a["value"]} for a in order.custom_attributes],
        "shipping_address": _address(order.shipping_address),
        "refunds": [{"id": r["id"], "created_at": r["created_at"]} for r in order.refunds],
    }


def events(shop: Shop, order_ids: list[int]) -> list[tuple[str, dict[str, Any]]]:
    """(topic, payload) for each change of these orders (caller holds the lock)."""
    found = []
    for order in [o for o in shop.orders if o.id in set(order_ids)]:
        last = order.events[-1]["kind"] if order.events else ""
        payload = order_payload(order)
        found.append(("orders/updated", payload))
        if last in _EXTRA_TOPIC:
            found.append((_EXTRA_TOPIC[last], payload))
    return found


def send(state: SimulatorState, shop: Shop, found: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Deliver to every subscriber (call without the lock)."""
    return [d for topic, payload in found for d in webhooks.send_event(state, shop, topic, payload)]


def subscribers(state: SimulatorState, shop: Shop, topic: str) -> list[str]:
    """Where send_event delivers ``topic`` for this shop (caller holds the lock; empty: nowhere)."""
    if not has_scope(shop.granted_scopes, webhooks.EVENT_TOPIC_SCOPES[topic]):
        return []
    urls = [state.config.webhook_url] if topic in state.config.webhook_topics else []
    enum = topic.upper().replace("/", "_")
    return urls + [s.uri for s in shop.webhook_subscriptions if s.topic == enum and s.uri not in urls]


def prepare_only(state: SimulatorState, shop: Shop, found: list[tuple[str, dict[str, Any]]]) -> list[dict]:
    """The signed requests ``send`` would make, not sent (caller holds the lock)."""
    return [
        webhooks.prepare(state, shop, topic, payload) | {"url": url}
        for topic, payload in found
        for url in subscribers(state, shop, topic)
    ]


def after_api_changes(state: SimulatorState, shop: Shop, order_ids: list[int]) -> None:
    """The webhooks of an Admin API request's changes, on a background thread (never under the
    lock, never delaying the answer); no thread at all when nobody subscribed."""
    if not order_ids:
        return
    with state.lock:
        if not any(subscribers(state, shop, topic) for topic in ("orders/updated", *_EXTRA_TOPIC.values())):
            return  # nobody listens: no payload built, no thread
        found = [(topic, payload) for topic, payload in events(shop, order_ids) if subscribers(state, shop, topic)]
    if found:
        threading.Thread(target=send, args=(state, shop, found), name="simulator-order-webhooks", daemon=True).start()
