"""What the simulator holds, as JSON for ``/_simulator/state.json`` (tokens masked, never in full)."""

from decimal import Decimal
from typing import Any

from integrations.shopify.simulator.fulfillment_models import Fulfillment, FulfillmentHold, FulfillmentOrder
from integrations.shopify.simulator.fulfillments import display_fulfillment_status
from integrations.shopify.simulator.models import AccessToken, Order, Shop
from integrations.shopify.simulator.order_lifecycle import lifecycle_json
from integrations.shopify.simulator.state import SimulatorState, mask


def _money(value: Any) -> str:
    return f"{value:.2f}"


def order_json(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "gid": order.gid,
        "name": order.name,
        "shop": order.shop,
        "created_at": order.created_at,
        "source_identifier": order.source_identifier,
        "source_name": order.source_name,
        "email": order.email,
        "currency": order.currency,
        "subtotal": _money(order.subtotal),
        "total_shipping": _money(order.total_shipping),
        "total_tax": _money(order.total_tax),
        "total": _money(order.total),
        "received": _money(order.received),
        # Shopify's totalOutstandingSet: what the customer still owes, from the order's own total
        # and the transactions it recorded.
        "outstanding": _money(max(order.total - order.received, Decimal(0))),
        "taxes_included": order.taxes_included,
        "display_financial_status": order.display_financial_status,
        "tags": list(order.tags),
        "custom_attributes": list(order.custom_attributes),
        "note": order.note,
        "test": order.test,
        "customer": order.customer,
        "shipping_address": order.shipping_address,
        "billing_address": order.billing_address,
        "line_items": [
            {
                "variant_id": line["variant_id"],
                "sku": line["sku"],
                "title": line["title"],
                "quantity": line["quantity"],
                "unit_price": _money(line["unit_price"]),
                "tax_lines": [{**t, "rate": str(t["rate"]), "amount": _money(t["amount"])} for t in line["tax_lines"]],
            }
            for line in order.line_items
        ],
        "shipping_lines": [
            {"title": s["title"], "price": _money(s["price"]), "removed": bool(s.get("removed"))}
            for s in order.shipping_lines
        ],
        "tax_lines": [
            {"title": t["title"], "rate": str(t["rate"]), "amount": _money(t["amount"])} for t in order.tax_lines
        ],
        "transactions": [{k: (_money(v) if k == "amount" else v) for k, v in t.items()} for t in order.transactions],
        "options": order.options,
        "inventory_changes": order.inventory_changes,
        "requested_by": order.requested_by,
        "updated_at": order.updated_at or order.created_at,
        "cancelled_at": order.cancelled_at,
        "cancel_reason": order.cancel_reason,
        "display_fulfillment_status": display_fulfillment_status(order),
        "fulfillment_orders": [fulfillment_order_json(order, fo) for fo in order.fulfillment_orders],
        "fulfillments": [fulfillment_json(order, f) for f in order.fulfillments],
    } | lifecycle_json(order)


def _hold_json(hold: FulfillmentHold) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/FulfillmentHold/{hold.id}",
        "reason": hold.reason,
        "reason_notes": hold.reason_notes,
        "handle": hold.handle,
        "external_id": hold.external_id,
        "held_by_app": hold.held_by_app,
        "created_at": hold.created_at,
        "released_at": hold.released_at,
    }


def fulfillment_order_json(order: Order, fo: FulfillmentOrder) -> dict[str, Any]:
    skus = {item["id"]: item.get("sku") for item in order.line_items}
    return {
        "id": fo.gid,
        "status": fo.status,
        "request_status": fo.request_status,
        "updated_at": fo.updated_at,
        "split_from": f"gid://shopify/FulfillmentOrder/{fo.split_from}" if fo.split_from else None,
        "holds": [_hold_json(h) for h in fo.holds],
        "released_holds": [_hold_json(h) for h in fo.released_holds],
        "line_items": [
            {
                "id": f"gid://shopify/FulfillmentOrderLineItem/{line.id}",
                "sku": skus.get(line.line_item_id),
                "total_quantity": line.total_quantity,
                "remaining_quantity": line.remaining_quantity,
            }
            for line in fo.lines
        ],
    }


def fulfillment_json(order: Order, fulfillment: Fulfillment) -> dict[str, Any]:
    skus = {item["id"]: item.get("sku") for item in order.line_items}
    return {
        "id": fulfillment.gid,
        "name": fulfillment.name,
        "status": fulfillment.status,
        "display_status": fulfillment.display_status,
        "tracking": [dict(t) for t in fulfillment.tracking],
        "line_items": [{"sku": skus.get(line.line_item_id), "quantity": line.quantity} for line in fulfillment.lines],
        "created_at": fulfillment.created_at,
        "updated_at": fulfillment.updated_at,
        "delivered_at": fulfillment.delivered_at,
    }


def token_json(token: AccessToken, now: float) -> dict[str, Any]:
    return {
        "token": mask(token.value),
        "shop": token.shop,
        "kind": token.kind,
        "client_id": token.client_id,
        "scopes": list(token.scopes),
        "expires_in": None if token.expires_at is None else round(token.expires_at - now, 1),
        "revoked_reason": token.revoked_reason,
        "used": token.used,
    }


def shop_json(state: SimulatorState, shop: Shop) -> dict[str, Any]:
    buckets = {
        client: bucket.status().as_json() for (client, domain), bucket in state.buckets.items() if domain == shop.domain
    }
    return {
        "domain": shop.domain,
        "id": shop.id,
        "name": shop.name,
        "currency": shop.currency,
        "plan": shop.plan,
        "installed": shop.installed,
        "granted_scopes": list(shop.granted_scopes),
        "accept_non_expiring": shop.accept_non_expiring,
        "search_index_delay_seconds": shop.search_index_delay_seconds,
        "latency_ms": shop.latency.describe() if shop.latency else None,
        "access_token_ttl_seconds": shop.access_token_ttl_seconds,
        "throttle_status_code": shop.throttle_status_code,
        "faults": shop.faults.as_json(),
        "availability": shop.availability,
        "buckets": buckets,
        "variants": [
            {
                "id": v.id,
                "gid": f"gid://shopify/ProductVariant/{v.id}",
                "sku": v.sku,
                "price": _money(v.price),
                "title": v.title,
                "product_title": v.product_title,
                "inventory_policy": v.inventory_policy,
                "inventory_quantity": v.inventory_quantity,
            }
            for v in shop.variants.values()
        ],
        "order_count": len(shop.orders),
        "webhook_subscriptions": [
            {"id": s.id, "topic": s.topic, "uri": s.uri, "format": s.format} for s in shop.webhook_subscriptions
        ],
    }


def snapshot(state: SimulatorState) -> dict[str, Any]:
    with state.lock:
        now = state.monotonic()
        config = state.config
        return {
            "config": {
                "api_key": config.api_key,
                "app_url": config.app_url,
                "webhook_url": config.webhook_url,
                "latency_ms": config.latency.describe() if config.latency else None,
                "supported_versions": list(config.supported_versions),
                "deprecated_versions": sorted(config.deprecated_versions),
                "webhook_topics": list(config.webhook_topics),
            },
            "shops": [shop_json(state, shop) for shop in state.shops.values()],
            "tokens": [token_json(token, now) for token in state.access_tokens.values()],
            "orders": [order_json(order) for shop in state.shops.values() for order in shop.orders],
            "deliveries": [dict(d) for d in state.deliveries],
            "counters": dict(state.counters),
            "cost_spent": state.cost_spent,
        }
