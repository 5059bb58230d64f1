"""Webhooks the simulated shops send to the app, signed and shaped as Shopify sends them.

Headers: ``X-Shopify-Hmac-Sha256`` (base64 HMAC-SHA256 of the raw body keyed by the app secret),
``-Topic``, ``-Shop-Domain``, ``-Webhook-Id`` (the same on every redelivery: apps de-duplicate on
it), ``-Event-Id``, ``-API-Version``, ``-Triggered-At``. Shopify connects within 1 s and waits 5 s.
https://shopify.dev/docs/apps/build/webhooks/verify-deliveries
Compliance payloads: https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance
Every delivery and the app's answer is recorded for inspection. Deliveries run in the calling
thread, never under the state lock.
"""

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

import httpx

from integrations.shopify.simulator.credentials import has_scope, revoke_shop_tokens
from integrations.shopify.simulator.models import Shop
from integrations.shopify.simulator.state import SimulatorState, now_iso

TOPICS = ("app/uninstalled", "app/scopes_update", "customers/data_request", "customers/redact", "shop/redact")
TIMEOUT = httpx.Timeout(5.0, connect=1.0)
# Event topics are sent only when the app subscribes to them (the topics of shopify.app.toml, in
# ``AppConfig.webhook_topics``, or a ``webhookSubscriptionCreate``) and holds the scope the topic
# requires (WebhookSubscriptionTopic in the 2026-07 schema).
EVENT_TOPIC_SCOPES = {
    "fulfillments/create": "read_fulfillments",
    "fulfillments/update": "read_fulfillments",
    "orders/cancelled": "read_orders",
}


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shop_payload(shop: Shop) -> dict[str, Any]:
    """The REST shop resource, the body of ``app/uninstalled``."""
    return {
        "id": shop.id,
        "name": shop.name,
        "email": shop.email,
        "domain": shop.domain,
        "myshopify_domain": shop.domain,
        "country_code": "US",
        "currency": shop.currency,
        "customer_email": shop.email,
        "plan_name": shop.plan,
        "plan_display_name": shop.plan.title(),
        "shop_owner": f"{shop.name} Owner",
        "iana_timezone": "America/New_York",
        "created_at": shop.created_at,
        "updated_at": now_iso(),
    }


def payload_for(topic: str, shop: Shop, options: dict[str, Any]) -> dict[str, Any]:
    customer = {
        "id": options.get("customer_id", 1),
        "email": options.get("customer_email", "backer@example.com"),
        "phone": options.get("customer_phone"),
    }
    order_ids = options.get("order_ids") or [o.id for o in shop.orders[:5]]
    if topic == "app/uninstalled":
        return shop_payload(shop)
    if topic == "customers/data_request":
        return {
            "shop_id": shop.id,
            "shop_domain": shop.domain,
            "orders_requested": order_ids,
            "customer": customer,
            "data_request": {"id": options.get("data_request_id", 1)},
        }
    if topic == "customers/redact":
        return {"shop_id": shop.id, "shop_domain": shop.domain, "customer": customer, "orders_to_redact": order_ids}
    if topic == "shop/redact":
        return {"shop_id": shop.id, "shop_domain": shop.domain}
    if topic == "app/scopes_update":
        return {
            "id": shop.id,
            "previous": list(options.get("previous", [])),
            "current": list(options.get("current", shop.granted_scopes)),
            "updated_at": now_iso(),
        }
    raise ValueError(f"unknown topic {topic!r}; give a payload for it")


def prepare(
    state: SimulatorState, shop: Shop, topic: str, payload: dict[str, Any], *, api_version: str | None = None
) -> dict[str, Any]:
    """A delivery record: the exact request the app will receive."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    webhook_id, event_id, triggered_at = str(uuid.uuid4()), str(uuid.uuid4()), now_iso()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, state.config.api_secret),
        "X-Shopify-Shop-Domain": shop.domain,
        "X-Shopify-API-Version": api_version or state.config.webhook_api_version,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Triggered-At": triggered_at,
    }
    return {
        "webhook_id": webhook_id,
        "event_id": event_id,
        "topic": topic,
        "shop": shop.domain,
        "url": state.config.webhook_url,
        "headers": headers,
        "body": body.decode(),
        "attempt": 0,
        "status": None,
        "error": None,
        "delivered_at": None,
    }


def send(state: SimulatorState, delivery: dict[str, Any], *, deliver: bool = True) -> dict[str, Any]:
    """POST the delivery (unless ``deliver`` is false) and record it with the app's answer."""
    record = dict(delivery, attempt=delivery["attempt"] + 1, status=None, error=None)
    if deliver:
        try:
            answer = httpx.post(
                record["url"],
                content=record["body"].encode(),
                headers=record["headers"],
                timeout=TIMEOUT,
                follow_redirects=False,
            )
            record["status"] = answer.status_code
        except httpx.HTTPError as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"
        record["delivered_at"] = now_iso()
    with state.lock:
        state.deliveries.append(record)
        state.counters["webhook_deliveries"] += 1
    return record


def trigger(
    state: SimulatorState,
    domain: str,
    topic: str,
    *,
    payload: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    deliver: bool = True,
) -> dict[str, Any]:
    shop = state.require_shop(domain)
    with state.lock:
        body = payload if payload is not None else payload_for(topic, shop, options or {})
    return send(state, prepare(state, shop, topic, body), deliver=deliver)


def redeliver(state: SimulatorState, webhook_id: str, *, deliver: bool = True) -> dict[str, Any]:
    """Send a recorded webhook again: same id, same body, same signature (Shopify's retry)."""
    with state.lock:
        previous = next((d for d in reversed(state.deliveries) if d["webhook_id"] == webhook_id), None)
    if previous is None:
        raise LookupError(f"no delivery {webhook_id}")
    return send(state, previous, deliver=deliver)


def uninstall(state: SimulatorState, domain: str, *, deliver: bool = True) -> dict[str, Any]:
    """The merchant removes the app: tokens stop working, then ``app/uninstalled`` is sent."""
    shop = state.require_shop(domain)
    with state.lock:
        shop.installed = False
    revoke_shop_tokens(state, domain, reason="uninstalled")
    return trigger(state, domain, "app/uninstalled", deliver=deliver)


def change_scopes(state: SimulatorState, domain: str, scopes: tuple[str, ...], *, deliver: bool = True) -> dict:
    """The merchant approves new scopes: existing tokens carry them, and ``app/scopes_update`` is sent."""
    shop = state.require_shop(domain)
    with state.lock:
        previous = shop.granted_scopes
        shop.granted_scopes = scopes
        for token in state.access_tokens.values():
            if token.shop == domain and token.client_id == state.config.api_key:
                token.scopes = scopes
        for refresh in state.refresh_tokens.values():
            if refresh.shop == domain:
                refresh.scopes = scopes
    options = {"previous": list(previous), "current": list(scopes)}
    return trigger(state, domain, "app/scopes_update", options=options, deliver=deliver)


def send_event(state: SimulatorState, shop: Shop, topic: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Send an event topic to every subscriber (see EVENT_TOPIC_SCOPES); call without the lock.

    The ``drop_webhooks`` fault loses deliveries: recorded with ``dropped`` and never sent."""
    with state.lock:
        if not has_scope(shop.granted_scopes, EVENT_TOPIC_SCOPES[topic]):
            state.counters["webhooks_not_sent_missing_scope"] += 1
            return []
        urls = [state.config.webhook_url] if topic in state.config.webhook_topics else []
        enum = topic.upper().replace("/", "_")
        urls += [s.uri for s in shop.webhook_subscriptions if s.topic == enum and s.uri not in urls]
        deliveries = []
        for url in urls:
            delivery = prepare(state, shop, topic, payload) | {"url": url}
            faults = shop.faults
            if faults.drop_webhooks_permanent or faults.drop_webhooks > 0:
                faults.drop_webhooks = max(faults.drop_webhooks - 1, 0)
                state.counters["fault_webhook_dropped"] += 1
                delivery |= {"attempt": 1, "dropped": True, "error": "dropped by the drop_webhooks fault"}
                state.deliveries.append(delivery)
                continue
            deliveries.append(delivery)
    return [send(state, delivery) for delivery in deliveries]
