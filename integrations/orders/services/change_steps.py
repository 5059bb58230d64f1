"""What a change writes to Shopify, kind by kind, and whether Shopify already has it.

Pure functions over the synced views (``changes.py``) and the order as Shopify returns it
(``ORDER_STATE``): the variables of each write, the values this app owns as Shopify holds them now
(for conflicts, and to resolve an ambiguous write by reading the order back), and the guards'
reasons in the merchant's words.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from integrations.orders.mapping import SHIPPING_TITLE, TAXES_TITLE, TOTAL_PAID_ATTRIBUTE

GATEWAY = "BackerKit"
# The fields of Shopify's MailingAddress, by the MailingAddressInput key the push sends.
_ADDRESS_KEYS = {"firstName": "firstName", "lastName": "lastName", "company": "company", "address1": "address1",
                 "address2": "address2", "city": "city", "zip": "zip", "countryCode": "countryCodeV2",
                 "provinceCode": "provinceCode", "phone": "phone"}  # fmt: skip

KIND_WORDS = {
    "address": "Address",
    "tags": "Tags",
    "items": "Items",
    "money": "Payment",
    "cancel": "Cancellation",
}


def shopify_address(order: dict[str, Any], keys: set[str]) -> dict[str, str]:
    """The order's email and shipping address as Shopify holds them, in the push's keys."""
    address = order.get("shippingAddress") or {}
    values = {"email": order.get("email") or ""}
    for ours, theirs in _ADDRESS_KEYS.items():
        values[ours] = address.get(theirs) or ""
    return {key: values.get(key, "") for key in keys}


def address_keys(*views: dict[str, Any]) -> set[str]:
    return {key for view in views for key in view["address"]}


def owned_tags(view: dict[str, Any]) -> set[str]:
    return set(view["tags"]["tags"])


def owned_attribute_keys(view: dict[str, Any]) -> set[str]:
    return {key for key, _ in view["tags"]["attributes"]} | {TOTAL_PAID_ATTRIBUTE}


def update_input(
    *,
    order: dict[str, Any],
    old: dict[str, Any],
    new: dict[str, Any],
    paid_attribute: dict[str, str] | None,
    kinds: set[str],
) -> dict[str, Any]:
    """``OrderInput`` of orderUpdate with only what the change's kinds own: the address and contact
    (address), the tags and attributes this app sent (tags; the merchant's own kept as they are), the
    "Total Paid by Backer" attribute (money). Nothing else is sent, so nothing else is overwritten."""
    update: dict[str, Any] = {"id": order["id"]}
    if "address" in kinds:
        update["email"] = new["address"]["email"]
        update["shippingAddress"] = {key: value for key, value in new["address"].items() if key != "email" and value}
    if "tags" in kinds:
        merchant_tags = [tag for tag in order.get("tags") or [] if tag not in owned_tags(old)]
        update["tags"] = sorted(set(merchant_tags) | owned_tags(new))
    if "tags" in kinds or paid_attribute is not None:
        ours = owned_attribute_keys(old) | owned_attribute_keys(new)
        attributes = [a for a in order.get("customAttributes") or [] if a["key"] not in ours]
        attributes += [{"key": key, "value": value} for key, value in new["tags"]["attributes"]]
        if paid_attribute is not None:
            attributes.append(paid_attribute)
        update["customAttributes"] = attributes
    return update


def has_update(order: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether Shopify already holds the new address, contact and tags (an earlier write reached it)."""
    keys = set(new["address"])
    if shopify_address(order, keys) != {key: new["address"].get(key, "") for key in keys}:
        return False
    return owned_tags(new) <= set(order.get("tags") or [])


def address_conflicts(order: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, str]]:
    """Fields the merchant changed in Shopify since this app wrote them (neither ours nor the new value)."""
    keys = address_keys(old, new)
    theirs = shopify_address(order, keys)
    conflicts = []
    for key in sorted(keys):
        ours, value, target = old["address"].get(key, ""), theirs[key], new["address"].get(key, "")
        if value != ours and value != target and ours != target:
            conflicts.append({"field": f"address.{key}", "ours": target, "shopify": value})
    return conflicts


def quantities(order: dict[str, Any]) -> dict[str, int]:
    """SKU -> current quantity of the order's lines in Shopify."""
    totals: dict[str, int] = {}
    for line in (order.get("lineItems") or {}).get("nodes") or []:
        sku = line.get("sku")
        if sku:
            totals[sku] = totals.get(sku, 0) + int(line.get("currentQuantity", line.get("quantity")) or 0)
    return totals


def has_items(order: dict[str, Any], new: dict[str, Any]) -> bool:
    have = quantities(order)
    return all(have.get(sku, 0) == qty for sku, qty in new["items"]["skus"].items()) and all(
        qty == 0 for sku, qty in have.items() if sku not in new["items"]["skus"]
    )


# --- shipping and taxes: the "Shipping" shipping line and the one "Taxes" custom item of the push ---

SHIPPING, TAXES = "items.shipping_amount", "items.total_tax"
CHARGE_FIELDS = (SHIPPING, TAXES)


def _price(node: dict[str, Any], name: str) -> Decimal:
    return Decimal(str(((node.get(name) or {}).get("shopMoney") or {}).get("amount") or "0"))


def charge_changes(changes) -> dict[str, tuple[str, str]]:
    """field -> (old, new) of the shipping and tax amounts a classification changes."""
    return {c.field: (c.old, c.new) for c in changes if c.field in CHARGE_FIELDS}


def shopify_shipping(order: dict[str, Any]) -> Decimal:
    """The order's shipping as Shopify holds it: its shipping lines not removed by an edit."""
    lines = (order.get("shippingLines") or {}).get("nodes") or []
    return sum((_price(line, "originalPriceSet") for line in lines), Decimal(0))


def taxes_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The "Taxes" custom items among an order's (or a calculated order's) line items, still on it."""
    return [
        line
        for line in lines
        if not line.get("sku") and not line.get("variant") and line.get("title") == TAXES_TITLE
        and int(line.get("currentQuantity", line.get("quantity")) or 0) > 0
    ]  # fmt: skip


def shopify_taxes(order: dict[str, Any]) -> Decimal:
    """The one-line tax mode's taxes as Shopify holds them: the "Taxes" item's price times its quantity."""
    lines = taxes_lines((order.get("lineItems") or {}).get("nodes") or [])
    return sum(
        (_price(line, "originalUnitPriceSet") * int(line.get("currentQuantity", line.get("quantity")) or 0)
         for line in lines),
        Decimal(0),
    )  # fmt: skip


def shopify_charges(order: dict[str, Any]) -> dict[str, Decimal]:
    return {SHIPPING: shopify_shipping(order), TAXES: shopify_taxes(order)}


def has_charges(order: dict[str, Any], wanted: dict[str, tuple[str, str]]) -> bool:
    """Whether Shopify already holds the new shipping and tax amounts (an earlier edit reached it)."""
    have = shopify_charges(order)
    return all(have[field] == Decimal(new) for field, (_, new) in wanted.items())


def charge_conflicts(order: dict[str, Any], wanted: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    """Shipping or taxes the merchant changed in Shopify (neither what this app sent nor the new value)."""
    have = shopify_charges(order)
    return [
        {"field": field, "ours": new, "shopify": str(have[field])}
        for field, (old, new) in wanted.items()
        if have[field] not in (Decimal(old), Decimal(new))
    ]


def shipping_line_input(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"title": SHIPPING_TITLE, "price": money_amount(amount, currency)}


def recorded(paid: Decimal, total: Decimal) -> Decimal:
    """What the push records as paid in Shopify: the backer's payment, at most the order total."""
    return min(paid, total)


def money_amount(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currencyCode": currency}


def refund_input(*, order_id: str, amount: Decimal, currency: str, parent_id: str | None) -> dict[str, Any]:
    transaction = {"orderId": order_id, "gateway": GATEWAY, "kind": "REFUND", "amount": str(amount)}
    if parent_id:
        transaction["parentId"] = parent_id
    return {"orderId": order_id, "currency": currency, "notify": False, "transactions": [transaction],
            "note": "Refunded in BackerKit"}  # fmt: skip


def fulfilment_reason(*, kinds: list[str], when: datetime, status: str) -> str:
    """Why a change is not sent once the warehouse has the order, in the merchant's words."""
    what = " and ".join(KIND_WORDS[k].lower() for k in kinds) or "order"
    day = f"{when:%-d %b %Y}"
    after = {
        "fulfilled": "after the order was fulfilled",
        "accepted": "after the warehouse accepted the order",
        "in_progress": "while the warehouse is preparing the order",
        "submitted": "after the order was sent to the warehouse",
    }.get(status, "after the warehouse took the order")
    return f"{what.capitalize()} changed in BackerKit on {day}, {after}: contact the warehouse."
