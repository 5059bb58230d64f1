"""What a signed delivery must be for the topic, shop and time its headers name.

Shopify's HMAC covers the body only. ``X-Shopify-Topic``, ``-Shop-Domain``, ``-Webhook-Id`` and
``-Triggered-At`` are headers anyone holding one captured delivery can rewrite: a store owner's own
``app/uninstalled`` body, re-sent as ``shop/redact`` for another store under a new webhook id, once
erased that store. So the signed body itself must name the header's shop (each topic has its own
field), carry the keys of the topic named and none of the keys that make another topic's body, and
the delivery must be no older than Shopify keeps retrying.

Payloads (https://shopify.dev/docs/api/webhooks, compliance topics:
https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance; the simulator sends the same,
integrations/shopify/simulator/webhooks.py):
- ``app/uninstalled``: the REST shop resource. ``myshopify_domain`` is the shop; ``domain`` is its
  primary domain, which may be a custom one (``shop.example.com``), so it is not compared.
- ``app/scopes_update``: ``id``, ``previous``, ``current``, ``updated_at`` (and ``shop_id`` since
  2025-07). No shop domain: its shop cannot be compared (the app does not record Shopify's shop id);
  the shape and the age bound still hold.
- ``customers/data_request``: ``shop_id``, ``shop_domain``, ``customer``, ``orders_requested``, ``data_request``.
- ``customers/redact``: ``shop_id``, ``shop_domain``, ``customer``, ``orders_to_redact``.
- ``shop/redact``: ``shop_id``, ``shop_domain``.
Only the keys that tell the topics apart are required: Shopify adds fields over time (``shop_id`` came
to ``app/scopes_update`` in 2025-07), and a delivery must not be refused for a new one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.shopify.domains import sanitize_shop_domain

# Shopify's clock and ours may differ; a delivery "from the future" beyond this is a forged header
# (which would otherwise pass the reinstall check of app/uninstalled, shopapp/webhooks/handlers.py).
CLOCK_LEEWAY = timedelta(minutes=5)


@dataclass(frozen=True)
class TopicShape:
    shop_key: str | None  # the body's field naming the shop (None: the topic's body has none)
    required: dict[str, type]
    # Whether the required keys tell this topic's body apart from the others' (the app and
    # compliance topics). A fulfilment or order body is bound to its shop by its order instead (the
    # order is looked up in the header's shop only: shopapp/webhooks/handlers.py).
    distinguishing: bool = True
    allowed: frozenset[str] = frozenset()  # keys other topics require that this body may carry too


SHAPES: dict[str, TopicShape] = {
    "app/uninstalled": TopicShape("myshopify_domain", {"myshopify_domain": str}),
    "app/scopes_update": TopicShape(None, {"previous": list, "current": list}),
    "customers/data_request": TopicShape(
        "shop_domain", {"shop_domain": str, "customer": dict, "orders_requested": list, "data_request": dict}
    ),
    "customers/redact": TopicShape("shop_domain", {"shop_domain": str, "customer": dict, "orders_to_redact": list}),
    "shop/redact": TopicShape("shop_domain", {"shop_domain": str}),
    # The REST fulfilment (https://shopify.dev/docs/api/webhooks?reference=toml#list-fulfillments/create)
    "fulfillments/create": TopicShape(None, {"id": int, "order_id": int, "status": str}, distinguishing=False),
    "fulfillments/update": TopicShape(None, {"id": int, "order_id": int, "status": str}, distinguishing=False),
    # The REST order; it carries its ``customer``, as customers/redact does.
    "orders/cancelled": TopicShape(
        None, {"id": int, "cancelled_at": str}, distinguishing=False, allowed=frozenset({"customer"})
    ),
    # Lower-case status and error_code, no download URL (docs/shopify-facts.md, "Bulk mutations").
    # Bound to its shop by the operation, looked up in the header's shop only (handlers.py); its keys
    # are a fulfilment's too, so they tell no topic apart.
    "bulk_operations/finish": TopicShape(
        None, {"admin_graphql_api_id": str, "status": str, "type": str}, distinguishing=False
    ),
}


class DeliveryRefused(Exception):
    """Not a delivery Shopify sent for this topic and shop now. ``reason`` is a stable code for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _foreign_keys(topic: str) -> set[str]:
    """Keys another topic requires and this one does not: a body carrying one is that topic's body."""
    own = set(SHAPES[topic].required) | SHAPES[topic].allowed
    return {
        key for other, shape in SHAPES.items() if other != topic and shape.distinguishing for key in shape.required
    } - own


def check_payload(*, topic: str, shop_domain: str, payload: Any) -> None:
    """Raise DeliveryRefused unless ``payload`` is the body of ``topic`` for ``shop_domain``."""
    shape = SHAPES[topic]
    if not isinstance(payload, dict):
        raise DeliveryRefused("not_an_object")
    for key, kind in shape.required.items():
        if not isinstance(payload.get(key), kind):
            raise DeliveryRefused("wrong_shape")
    if _foreign_keys(topic) & payload.keys():
        raise DeliveryRefused("wrong_shape")
    if shape.shop_key is not None and sanitize_shop_domain(payload[shape.shop_key]) != shop_domain:
        raise DeliveryRefused("shop_mismatch")


def check_triggered_at(value: str, *, now: datetime | None = None) -> datetime:
    """The delivery's trigger time, if within Shopify's retry window (``WEBHOOK_MAX_AGE_SECONDS``).
    The header is not signed: the bound stops stale and naively replayed deliveries, while the body
    checks above stop a replay dressed as another topic or shop."""
    try:
        triggered_at = parse_datetime(value) if value else None
    except ValueError:
        triggered_at = None
    if triggered_at is None or timezone.is_naive(triggered_at):
        raise DeliveryRefused("no_trigger_time")
    now = now or timezone.now()
    if triggered_at < now - timedelta(seconds=settings.WEBHOOK_MAX_AGE_SECONDS):
        raise DeliveryRefused("too_old")
    if triggered_at > now + CLOCK_LEEWAY:
        raise DeliveryRefused("from_the_future")
    return triggered_at
