"""``orderCreate``: check the input as Shopify does, compute the totals, store the order.

Totals: line items at their ``priceSet`` (or the variant's price), plus shipping lines, plus tax
lines (on the order or on line items, not both; a tax line without ``priceSet`` is ``rate`` x its
base), tax added unless ``taxesIncluded``. ``displayFinancialStatus`` is the given
``financialStatus``, or derived from successful SALE/CAPTURE transactions against the total.
Development and trial stores may create at most five orders per minute.
https://shopify.dev/docs/api/admin-graphql/latest/mutations/orderCreate
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError

from integrations.shopify.simulator import addresses, faults, fulfillment_orders
from integrations.shopify.simulator.context import ExecutionContext
from integrations.shopify.simulator.models import Order
from integrations.shopify.simulator.nodes import CENT, gid_number, order_node
from integrations.shopify.simulator.plans import plan_named
from integrations.shopify.simulator.state import mask, now_iso

MAX_TAG_LENGTH = 40
DEV_STORE_LIMIT_MESSAGE = (
    "Exceeded order API rate limit, please try again in a minute. Upgrade to a paid account to remove this limit."
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PAID_KINDS = ("SALE", "CAPTURE")


def _error(field: list[str], message: str, code: str = "INVALID") -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}


def _amount(bag: dict[str, Any] | None, field: list[str], errors: list) -> Decimal | None:
    if bag is None:
        return None
    try:
        amount = Decimal(str(bag["shopMoney"]["amount"]))
    except (InvalidOperation, KeyError, TypeError):
        errors.append(_error(field + ["shopMoney", "amount"], "Amount is not a valid decimal"))
        return None
    if not amount.is_finite() or amount < 0:
        errors.append(_error(field + ["shopMoney", "amount"], "Amount must be greater than or equal to 0"))
        return None
    return amount


def _tax_lines(raw: list[dict] | None, base: Decimal, path: list[str], errors: list) -> list[dict[str, Any]]:
    lines = []
    for i, tax in enumerate(raw or []):
        rate = Decimal(str(tax["rate"]))
        amount = _amount(tax.get("priceSet"), path + [str(i), "priceSet"], errors)
        if amount is None:
            amount = (base * rate).quantize(CENT)
        lines.append(
            {"title": tax["title"], "rate": rate, "amount": amount, "channel_liable": tax.get("channelLiable")}
        )
    return lines


def _tags(raw: list[str] | None, errors: list) -> list[str]:
    # Shopify stores tags comma-separated: a comma inside a tag splits it.
    tags = [part.strip() for tag in raw or [] for part in tag.split(",") if part.strip()]
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            errors.append(
                _error(["order", "tags"], f"Tag '{tag}' is too long (maximum is {MAX_TAG_LENGTH} characters)")
            )
    return list(dict.fromkeys(tags))


def _financial_status(given: str | None, paid: Decimal, authorized: Decimal, total: Decimal) -> str:
    if given:
        return given
    if paid >= total:
        return "PAID"
    if paid > 0:
        return "PARTIALLY_PAID"
    if authorized > 0:
        return "AUTHORIZED"
    return "PENDING"


def create_order(ctx: ExecutionContext, order: dict[str, Any], options: dict[str, Any] | None) -> dict[str, Any]:
    state, shop = ctx.state, ctx.shop
    state.count("order_create_calls")
    options = options or {}
    errors: list[dict[str, Any]] = []
    currency = order.get("currency") or shop.currency
    with state.lock:
        variants = dict(shop.variants)

    raw_lines = order.get("lineItems") or []
    if not raw_lines:
        errors.append(_error(["order", "lineItems"], "Line items can't be blank"))
    if order.get("taxLines") and any(line.get("taxLines") for line in raw_lines):
        errors.append(_error(["order", "taxLines"], "Tax lines can be set on the order or on line items, not both"))

    lines: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_lines):
        path = ["order", "lineItems", str(i)]
        variant = None
        if raw.get("variantId"):
            variant_id = gid_number(raw["variantId"], "ProductVariant")
            variant = variants.get(variant_id) if variant_id is not None else None
            if variant is None:
                errors.append(_error(path + ["variantId"], f"Product variant {raw['variantId']} does not exist"))
                continue
        elif not raw.get("title"):
            errors.append(_error(path + ["title"], "Title can't be blank for a line item without a variant"))
        if raw["quantity"] <= 0:
            errors.append(_error(path + ["quantity"], "Quantity must be greater than 0"))
        unit = _amount(raw.get("priceSet"), path + ["priceSet"], errors)
        if unit is None and raw.get("priceSet") is None:
            if variant is None:
                errors.append(_error(path + ["priceSet"], "Price can't be blank for a line item without a variant"))
            else:
                unit = variant.price
        unit = unit if unit is not None else Decimal(0)
        line_total = unit * max(raw["quantity"], 0)
        lines.append(
            {
                "variant_id": variant.id if variant else None,
                "title": raw.get("title") or (variant.product_title if variant else ""),
                "variant_title": raw.get("variantTitle") or (variant.title if variant else None),
                "sku": raw.get("sku") or (variant.sku if variant else None),
                "vendor": raw.get("vendor"),
                "quantity": raw["quantity"],
                "unit_price": unit,
                "requires_shipping": bool(raw.get("requiresShipping")),
                "taxable": raw.get("taxable", True),
                "gift_card": bool(raw.get("giftCard")),
                "properties": [{"key": p["name"], "value": p["value"]} for p in raw.get("properties") or []],
                "tax_lines": _tax_lines(raw.get("taxLines"), line_total, path + ["taxLines"], errors),
            }
        )

    shipping_lines = []
    for i, raw in enumerate(order.get("shippingLines") or []):
        path = ["order", "shippingLines", str(i)]
        price = _amount(raw["priceSet"], path + ["priceSet"], errors) or Decimal(0)
        shipping_lines.append(
            {
                "title": raw["title"],
                "code": raw.get("code"),
                "source": raw.get("source"),
                "price": price,
                "tax_lines": _tax_lines(raw.get("taxLines"), price, path + ["taxLines"], errors),
            }
        )

    subtotal = sum((line["unit_price"] * max(line["quantity"], 0) for line in lines), Decimal(0))
    total_shipping = sum((line["price"] for line in shipping_lines), Decimal(0))
    order_tax_lines = _tax_lines(order.get("taxLines"), subtotal, ["order", "taxLines"], errors)
    all_tax = order_tax_lines + [t for line in lines + shipping_lines for t in line["tax_lines"]]
    total_tax = sum((t["amount"] for t in all_tax), Decimal(0))
    taxes_included = bool(order.get("taxesIncluded"))
    total = subtotal + total_shipping + (Decimal(0) if taxes_included else total_tax)

    transactions, paid, authorized = [], Decimal(0), Decimal(0)
    for i, raw in enumerate(order.get("transactions") or []):
        amount = _amount(raw["amountSet"], ["order", "transactions", str(i), "amountSet"], errors) or Decimal(0)
        kind, status = raw.get("kind") or "SALE", raw.get("status") or "SUCCESS"
        if status == "SUCCESS" and kind in _PAID_KINDS:
            paid += amount
        if status == "SUCCESS" and kind == "AUTHORIZATION":
            authorized += amount
        transactions.append(
            {
                "kind": kind,
                "status": status,
                "amount": amount,
                "gateway": raw.get("gateway") or "manual",
                "authorization_code": raw.get("authorizationCode"),
                "processed_at": raw.get("processedAt") or now_iso(),
                "test": bool(raw.get("test")),
            }
        )
    if paid > total:
        errors.append(_error(["order", "transactions"], f"Transactions total {paid} exceeds the order total {total}"))

    for key in ("shippingAddress", "billingAddress"):
        errors.extend(addresses.address_errors(order.get(key), ["order", key]))
    email = order.get("email")
    customer_input = order.get("customer") or {}
    if customer_input.get("toUpsert") and customer_input.get("toAssociate"):
        errors.append(
            _error(["order", "customer"], "Provide toUpsert or toAssociate, not both", "REDUNDANT_CUSTOMER_FIELDS")
        )
    customer_email = (customer_input.get("toUpsert") or customer_input.get("toAssociate") or {}).get("email") or email
    for candidate, field in ((email, ["order", "email"]), (customer_email, ["order", "customer"])):
        if candidate and not _EMAIL.match(candidate):
            errors.append(_error(field, f"Email {candidate} is invalid"))
    tags = _tags(order.get("tags"), errors)
    errors.extend(faults.user_errors(state, shop, order.get("sourceIdentifier")) or [])
    if errors:
        return {"__typename": "OrderCreatePayload", "order": None, "userErrors": _dedupe(errors)}

    behaviour = options.get("inventoryBehaviour") or "BYPASS"
    with state.lock:
        _enforce_dev_store_limit(ctx)
        inventory_changes = _claim_inventory(shop, lines, behaviour)
        if isinstance(inventory_changes, dict):
            return {"__typename": "OrderCreatePayload", "order": None, "userErrors": _dedupe([inventory_changes])}
        for line in lines:
            line["id"] = state.next_id()
        for line in shipping_lines:
            line["id"] = state.next_id()
        for transaction in transactions:
            transaction["id"] = state.next_id()
        stored = Order(
            id=state.next_id(),
            shop=shop.domain,
            number=shop.next_order_number,
            created_monotonic=state.monotonic(),
            created_at=now_iso(),
            currency=currency,
            line_items=lines,
            shipping_lines=shipping_lines,
            tax_lines=order_tax_lines,
            transactions=transactions,
            subtotal=subtotal,
            total_shipping=total_shipping,
            total_tax=total_tax,
            total=total,
            received=paid,
            display_financial_status=_financial_status(order.get("financialStatus"), paid, authorized, total),
            taxes_included=taxes_included,
            tags=tags,
            custom_attributes=[{"key": a["key"], "value": a["value"]} for a in order.get("customAttributes") or []],
            source_identifier=order.get("sourceIdentifier"),
            source_name=order.get("sourceName"),
            email=customer_email,
            phone=order.get("phone"),
            note=order.get("note"),
            po_number=order.get("poNumber"),
            test=bool(order.get("test")),
            customer=_customer(ctx, customer_input, customer_email),
            shipping_address=addresses.normalized(order.get("shippingAddress")),
            billing_address=addresses.normalized(order.get("billingAddress")),
            options={
                "inventoryBehaviour": behaviour,
                "sendReceipt": bool(options.get("sendReceipt")),
                "sendFulfillmentReceipt": bool(options.get("sendFulfillmentReceipt")),
            },
            requested_by=mask(ctx.token.value),
            custom_name=order.get("name"),
            processed_at=order.get("processedAt"),
            inventory_changes=inventory_changes,
            created_by_client=ctx.token.client_id,
            financial_status_given=bool(order.get("financialStatus")),
        )
        fulfillment_orders.open_for_new_order(state, stored)
        shop.next_order_number += 1
        shop.orders.append(stored)
        state.counters["orders_created"] += 1
        ctx.created_orders.append(stored.id)
        node = order_node(stored, shop)
    return {"__typename": "OrderCreatePayload", "order": node, "userErrors": []}


def _enforce_dev_store_limit(ctx: ExecutionContext) -> None:
    """Five new orders per rolling minute on development and trial stores (caller holds the lock).
    Inside a bulk operation only if the simulator is told so (undocumented: bulk_models.BulkSettings)."""
    shop, now = ctx.shop, ctx.state.monotonic()
    limit = plan_named(shop.plan).orders_per_minute
    if limit is None:
        return
    if ctx.in_bulk and not ctx.state.bulk.settings_for(shop.domain).dev_store_limit_in_bulk:
        return
    times = shop.order_create_times
    while times and now - times[0] >= 60:
        times.popleft()
    if len(times) >= limit:
        ctx.retry_after = max(60 - (now - times[0]), 1.0)
        ctx.state.counters["dev_store_order_limit"] += 1
        raise GraphQLError(DEV_STORE_LIMIT_MESSAGE, extensions={"code": "THROTTLED"})
    times.append(now)


def _claim_inventory(shop, lines: list[dict[str, Any]], behaviour: str) -> list[dict[str, Any]] | dict[str, Any]:
    if behaviour == "BYPASS":
        return []
    changes = []
    for i, line in enumerate(lines):
        variant = shop.variants.get(line["variant_id"]) if line["variant_id"] else None
        if variant is None:
            continue
        short = variant.inventory_quantity < line["quantity"]
        if behaviour == "DECREMENT_OBEYING_POLICY" and short and variant.inventory_policy == "DENY":
            return _error(
                ["order", "lineItems", str(i)], f"Not enough inventory for {variant.sku}", "INVENTORY_CLAIM_FAILED"
            )
        changes.append((variant, line["quantity"]))
    for variant, quantity in changes:
        variant.inventory_quantity -= quantity
    return [{"sku": v.sku, "delta": -q} for v, q in changes]


def _customer(ctx: ExecutionContext, customer_input: dict[str, Any], email: str | None) -> dict[str, Any] | None:
    """Find or create the customer by email (caller holds the lock)."""
    attributes = customer_input.get("toUpsert") or customer_input.get("toAssociate") or {}
    if not email and not attributes:
        return None
    key = (email or f"customer-{ctx.state.next_id()}").lower()
    record = ctx.shop.customers.get(key)
    if record is None:
        record = ctx.shop.customers[key] = {
            "__typename": "Customer",
            "id": f"gid://shopify/Customer/{ctx.state.next_id()}",
            "email": email,
            "firstName": None,
            "lastName": None,
            "phone": None,
        }
    for source, target in (("firstName", "firstName"), ("lastName", "lastName"), ("phone", "phone")):
        if attributes.get(source):
            record[target] = attributes[source]
    record["displayName"] = " ".join(p for p in (record["firstName"], record["lastName"]) if p) or (email or "")
    return dict(record)


def _dedupe(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, unique = set(), []
    for error in errors:
        key = (tuple(error["field"] or ()), error["message"])
        if key not in seen:
            seen.add(key)
            unique.append({"__typename": "OrderCreateUserError", **error})
    return unique
