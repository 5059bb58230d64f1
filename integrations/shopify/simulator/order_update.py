"""``orderUpdate(input: OrderInput!)``: contact, address, tags and attributes of an existing order.

As Shopify documents it (docs/shopify-facts.md, "After the push"): ``email``, ``phone``, ``note``,
``tags``, ``shippingAddress``, ``customAttributes``, ``poNumber`` (``metafields`` are accepted and
ignored: the simulator has none). ``tags`` and ``customAttributes`` replace the order's whole list;
``shippingAddress`` is merged over the stored one (a field given as null is cleared; Shopify does not
document omitted fields: send the whole address). A cancelled order takes only ``note``, ``tags``,
``customAttributes`` and ``poNumber`` ("limited updates to certain fields (like notes and tags)").
Every accepted update moves ``updatedAt``; an update that changes nothing still does (Shopify saves).
https://shopify.dev/docs/api/admin-graphql/2026-07/mutations/orderUpdate
"""

import re
from typing import Any

from integrations.shopify.simulator import addresses, order_lifecycle
from integrations.shopify.simulator.context import ExecutionContext
from integrations.shopify.simulator.models import Order
from integrations.shopify.simulator.nodes import order_node

MAX_TAG_LENGTH = 40
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UPDATABLE = ("email", "phone", "note", "tags", "shippingAddress", "customAttributes", "poNumber")
AFTER_CANCEL = frozenset({"note", "tags", "customAttributes", "poNumber", "metafields", "id"})


def _error(field: list[str], message: str) -> dict[str, Any]:
    return {"__typename": "UserError", "field": field, "message": message}


def update_errors(order: Order | None, changes: dict[str, Any]) -> list[dict[str, Any]]:
    """The userErrors Shopify gives for this input (empty: it is applied)."""
    if order is None:
        return [_error(["id"], "Order does not exist")]
    errors = []
    if order.cancelled_at:
        refused = sorted(key for key in changes if key not in AFTER_CANCEL)
        errors.extend(_error([key], f"{key} cannot be updated on a cancelled order") for key in refused)
    email = changes.get("email")
    if email and not _EMAIL.match(email):
        errors.append(_error(["email"], "Email is invalid"))
    for tag in _split_tags(changes.get("tags")):
        if len(tag) > MAX_TAG_LENGTH:
            errors.append(_error(["tags"], f"Tags is too long (maximum is {MAX_TAG_LENGTH} characters)"))
            break
    if changes.get("shippingAddress"):
        merged = {**(order.shipping_address or {}), **changes["shippingAddress"]}
        for error in addresses.address_errors(merged, ["shippingAddress"]):
            errors.append(_error(error["field"], error["message"]))
    return errors


def apply_update(order: Order, changes: dict[str, Any], *, actor: str) -> list[str]:
    """Apply an accepted input (caller holds the lock); returns the fields it changed."""
    changed = []
    for key in UPDATABLE:
        if key not in changes:
            continue
        value = changes[key]
        if key == "tags":
            before, order.tags = order.tags, list(dict.fromkeys(_split_tags(value)))
            after = order.tags
        elif key == "customAttributes":
            before = order.custom_attributes
            order.custom_attributes = [{"key": a["key"], "value": a.get("value") or ""} for a in value or []]
            after = order.custom_attributes
        elif key == "shippingAddress":
            before = order.shipping_address
            merged = {**(before or {}), **(value or {})}
            for derived in ("countryName", "provinceName"):
                merged.pop(derived, None)
            order.shipping_address = addresses.normalized(merged) if value is not None else None
            after = order.shipping_address
        else:
            attribute = {"poNumber": "po_number"}.get(key, key)
            before = getattr(order, attribute)
            setattr(order, attribute, value)
            after = value
        if before != after:
            changed.append(key)
    order_lifecycle.touch(order, actor=actor, kind="update", detail={"fields": changed})
    return changed


def _split_tags(raw: list[str] | None) -> list[str]:
    return [part.strip() for tag in raw or [] for part in tag.split(",") if part.strip()]


def order_update(ctx: ExecutionContext, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002 - GraphQL's name
    state, shop = ctx.state, ctx.shop
    state.count("order_update_calls")
    with state.lock:
        order = order_lifecycle.find_order(shop, input.get("id"))
        errors = update_errors(order, input)
        if errors:
            return {"__typename": "OrderUpdatePayload", "order": None, "userErrors": errors}
        apply_update(order, input, actor="app")
        ctx.changed_orders.append(order.id)
        return {"__typename": "OrderUpdatePayload", "order": order_node(order, shop), "userErrors": []}
