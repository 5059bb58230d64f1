"""Money after the push: ``orderCreateManualPayment`` and ``refundCreate``, for orders paid outside
Shopify's checkout (docs/shopify-facts.md, "After the push: money").

``orderCreateManualPayment(id, amount, paymentMethodName, processedAt)``: a SALE transaction on the
order's manual gateway (``paymentMethodName``, default "Other"), "for an Order that isn't fully
paid". Refused with the documented codes: ORDER_NOT_FOUND, AMOUNT_NOT_POSITIVE,
AMOUNT_EXCEEDS_BALANCE (more than the outstanding amount, or nothing outstanding), CURRENCY_MISMATCH,
PROCESSED_AT_INVALID (in the future). Without ``amount`` it pays the whole outstanding balance. It has
no idempotency key: after an ambiguous outcome read the order's transactions before paying again.

``refundCreate(input)`` **requires** ``@idempotent(key: ...)`` from 2026-04 ("calling these mutations
without an idempotency directive will result in an error at runtime"): without it the simulator
answers a top-level error and executes nothing. The same key with the same input returns the first
refund again and records nothing new; the same key with other input is refused. A refund records
REFUND ``transactions`` (at most the net payment unless ``allowOverRefunding``; a ``parentId`` must be
a successful SALE/CAPTURE of the order, refunded at most up to its amount), removes
``refundLineItems`` units from the order (restocked unless ``NO_RESTOCK``), and any difference between
the money refunded and the value of what was refunded is a refund discrepancy that lowers the
current total (``refundDiscrepancySet``): a money-only refund of a paid order leaves nothing
outstanding. A manual gateway moves no money: the refund is a record.
https://shopify.dev/docs/api/admin-graphql/2026-07/mutations/orderCreateManualPayment
https://shopify.dev/docs/api/admin-graphql/2026-07/mutations/refundCreate
https://shopify.dev/docs/api/usage/implementing-idempotency
"""

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from integrations.shopify.simulator import order_lifecycle
from integrations.shopify.simulator.context import ExecutionContext
from integrations.shopify.simulator.models import Order, Shop
from integrations.shopify.simulator.nodes import gid_number, order_node
from integrations.shopify.simulator.state import now_iso

DEFAULT_PAYMENT_METHOD = "Other"
IDEMPOTENCY_REQUIRED = "The @idempotent directive is required for this mutation"
KEY_MISMATCH = "The same idempotency key cannot be used with different operation parameters."


def _decimal(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError):
        return None
    return amount if amount.is_finite() else None


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- orderCreateManualPayment --------------------------------------------------------------------


def _payment_error(field: list[str] | None, message: str, code: str) -> dict[str, Any]:
    return {
        "__typename": "OrderCreateManualPaymentOrderCreateManualPaymentError",
        "field": field,
        "message": message,
        "code": code,
    }


def create_manual_payment(
    ctx: ExecutionContext,
    id: str,  # noqa: A002 - GraphQL's name
    amount: dict[str, Any] | None = None,
    paymentMethodName: str | None = None,  # noqa: N803
    processedAt: str | None = None,  # noqa: N803
) -> dict[str, Any]:
    state, shop = ctx.state, ctx.shop
    state.count("manual_payment_calls")

    def failed(field, message, code):
        return {
            "__typename": "OrderCreateManualPaymentPayload",
            "order": None,
            "userErrors": [_payment_error(field, message, code)],
        }

    with state.lock:
        order = order_lifecycle.find_order(shop, id)
        if order is None:
            return failed(["id"], "Order is not found.", "ORDER_NOT_FOUND")
        balance = order_lifecycle.outstanding(order)
        value = balance if amount is None else _decimal(amount.get("amount"))
        if amount is not None and amount.get("currencyCode") != order.currency:
            return failed(
                ["amount", "currencyCode"], "The currency of the amount doesn't match the order.", "CURRENCY_MISMATCH"
            )
        if value is None or value <= 0:
            if amount is None:
                return failed(["amount"], "Amount exceeds the remaining balance.", "AMOUNT_EXCEEDS_BALANCE")
            return failed(["amount"], "Amount must be positive.", "AMOUNT_NOT_POSITIVE")
        if value > balance:
            return failed(["amount"], "Amount exceeds the remaining balance.", "AMOUNT_EXCEEDS_BALANCE")
        when = processedAt or now_iso()
        parsed = _parse_time(when)
        if parsed is None or parsed > datetime.now(UTC):
            return failed(["processedAt"], "processedAt is invalid.", "PROCESSED_AT_INVALID")
        name = paymentMethodName or DEFAULT_PAYMENT_METHOD
        transaction = {
            "id": state.next_id(),
            "kind": "SALE",
            "status": "SUCCESS",
            "amount": value,
            "gateway": name,
            "formatted_gateway": name,
            "manual": True,
            "authorization_code": None,
            "processed_at": when,
            "test": order.test,
        }
        order.transactions.append(transaction)
        order.received = order_lifecycle.received(order)
        order_lifecycle.recompute_financial_status(order)
        order_lifecycle.touch(order, actor="app", kind="manual_payment", detail={"amount": str(value), "gateway": name})
        ctx.changed_orders.append(order.id)
        return {"__typename": "OrderCreateManualPaymentPayload", "order": order_node(order, shop), "userErrors": []}


# --- refundCreate --------------------------------------------------------------------------------


def _refund_error(field: list[str] | None, message: str) -> dict[str, Any]:
    return {"__typename": "UserError", "field": field, "message": message}


def idempotency_key(info: GraphQLResolveInfo) -> str | None:
    """The ``@idempotent(key:)`` on this field of the document (None when absent)."""
    for directive in info.field_nodes[0].directives or ():
        if directive.name.value != "idempotent":
            continue
        for argument in directive.arguments:
            if argument.name.value == "key":
                value = argument.value
                if hasattr(value, "value"):
                    return value.value
                return (info.variable_values or {}).get(value.name.value)
    return None


def _previous(shop: Shop, key: str) -> tuple[Order, dict[str, Any]] | None:
    for order in shop.orders:
        for refund in order.refunds:
            if refund.get("idempotency_key") == key:
                return order, refund
    return None


def _fingerprint(input: dict[str, Any]) -> str:  # noqa: A002
    return json.dumps(input, sort_keys=True, default=str)


def create_refund(ctx: ExecutionContext, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    state, shop = ctx.state, ctx.shop
    state.count("refund_create_calls")
    key = idempotency_key(info)
    if key is None or not key.strip():
        state.count("refund_without_idempotency_key")
        raise GraphQLError(IDEMPOTENCY_REQUIRED, extensions={"code": "BAD_REQUEST"})

    def failed(errors):
        return {"__typename": "RefundCreatePayload", "order": None, "refund": None, "userErrors": errors}

    with state.lock:
        previous = _previous(shop, key)
        if previous is not None:
            order, refund = previous
            if refund["fingerprint"] != _fingerprint(input):
                return failed([_refund_error(None, KEY_MISMATCH)])
            state.counters["refund_replayed"] += 1
            return {
                "__typename": "RefundCreatePayload",
                "order": order_node(order, shop),
                "refund": order_lifecycle.refund_node(refund, order),
                "userErrors": [],
            }
        order = order_lifecycle.find_order(shop, input.get("orderId"))
        if order is None:
            return failed([_refund_error(["orderId"], "Order does not exist")])
        errors, plan = _refund_plan(order, input)
        if errors:
            return failed(errors)
        refund = _record_refund(state, shop, order, input, plan, key)
        order_lifecycle.touch(order, actor="app", kind="refund", detail={"amount": str(refund["total"])})
        ctx.changed_orders.append(order.id)
        return {
            "__typename": "RefundCreatePayload",
            "order": order_node(order, shop),
            "refund": order_lifecycle.refund_node(refund, order),
            "userErrors": [],
        }


def _refund_plan(order: Order, input: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:  # noqa: A002
    errors: list[dict[str, Any]] = []
    currency = input.get("currency")
    if currency and currency != order.currency:
        errors.append(_refund_error(["currency"], "Currency must be the order's presentment currency"))
    lines = []
    by_id = {line["id"]: line for line in order.line_items}
    for i, item in enumerate(input.get("refundLineItems") or []):
        line = by_id.get(gid_number(item["lineItemId"], "LineItem"))
        path = ["refundLineItems", str(i)]
        if line is None:
            errors.append(_refund_error(path + ["lineItemId"], "Line item does not exist"))
            continue
        restock_type = item.get("restockType") or "NO_RESTOCK"
        if restock_type == "LEGACY_RESTOCK":
            errors.append(_refund_error(path + ["restockType"], "LEGACY_RESTOCK is not accepted for new refunds"))
        if item["quantity"] <= 0 or item["quantity"] > order_lifecycle.current_quantity(line):
            errors.append(_refund_error(path + ["quantity"], "Quantity cannot refund more items than were purchased"))
            continue
        lines.append((line, item["quantity"], restock_type))
    transactions, total = [], Decimal(0)
    parents = {t["id"]: t for t in order.transactions}
    for i, raw in enumerate(input.get("transactions") or []):
        path = ["transactions", str(i)]
        amount = _decimal(raw.get("amount"))
        if raw.get("kind") != "REFUND":
            errors.append(_refund_error(path + ["kind"], "Transaction kind must be REFUND"))
            continue
        if amount is None or amount <= 0:
            errors.append(_refund_error(path + ["amount"], "Amount must be greater than 0"))
            continue
        if gid_number(raw.get("orderId") or "", "Order") != order.id:
            errors.append(_refund_error(path + ["orderId"], "Transaction must belong to the refunded order"))
            continue
        parent = None
        if raw.get("parentId"):
            parent = parents.get(gid_number(raw["parentId"], "OrderTransaction"))
            if parent is None or parent["kind"] not in order_lifecycle.PAID_KINDS or parent["status"] != "SUCCESS":
                errors.append(_refund_error(path + ["parentId"], "Parent transaction does not exist"))
                continue
            already = sum((t["amount"] for t in order.transactions if t.get("parent_id") == parent["id"]), Decimal(0))
            if amount > parent["amount"] - already:
                errors.append(
                    _refund_error(path + ["amount"], "Amount exceeds the refundable amount of the parent transaction")
                )
                continue
        transactions.append({"amount": amount, "gateway": raw.get("gateway") or "manual", "parent": parent})
        total += amount
    if total > order_lifecycle.net_payment(order) and not input.get("allowOverRefunding"):
        errors.append(_refund_error(["transactions"], "Refund amount exceeds the amount that can be refunded"))
    shipping = Decimal(0)
    shipping_input = input.get("shipping") or {}
    if shipping_input.get("fullRefund"):
        shipping = order_lifecycle.current_shipping(order)
    elif shipping_input.get("amount") is not None:
        shipping = _decimal(shipping_input["amount"]) or Decimal(0)
    return errors, {"lines": lines, "transactions": transactions, "total": total, "shipping": shipping}


def _record_refund(state, shop: Shop, order: Order, input: dict, plan: dict, key: str) -> dict[str, Any]:  # noqa: A002
    now = now_iso()
    ids, items, value = [], [], plan["shipping"]
    for planned in plan["transactions"]:
        parent = planned["parent"]
        transaction = {
            "id": state.next_id(),
            "kind": "REFUND",
            "status": "SUCCESS",
            "amount": planned["amount"],
            "gateway": parent["gateway"] if parent else planned["gateway"],
            "authorization_code": None,
            "processed_at": input.get("processedAt") or now,
            "test": order.test,
            "parent_id": parent["id"] if parent else None,
        }
        order.transactions.append(transaction)
        ids.append(transaction["id"])
    for line, quantity, restock_type in plan["lines"]:
        line["current_quantity"] = order_lifecycle.current_quantity(line) - quantity
        subtotal = line["unit_price"] * quantity
        value += subtotal
        variant = shop.variants.get(line["variant_id"]) if line.get("variant_id") else None
        if variant is not None and restock_type != "NO_RESTOCK":
            variant.inventory_quantity += quantity
        items.append(
            {
                "id": state.next_id(),
                "line_id": line["id"],
                "quantity": quantity,
                "restock_type": restock_type,
                "subtotal": subtotal,
            }
        )
    refund = {
        "id": state.next_id(),
        "created_at": now,
        "processed_at": input.get("processedAt") or now,
        "note": input.get("note"),
        "notify": bool(input.get("notify")),
        "transaction_ids": ids,
        "line_items": items,
        "shipping": plan["shipping"],
        "total": plan["total"],
        # Money refunded beyond (or short of) the value of what was refunded: Shopify's refund discrepancy.
        "discrepancy": plan["total"] - value,
        "idempotency_key": key,
        "fingerprint": _fingerprint(input),
    }
    order.refunds.append(refund)
    order_lifecycle.recompute_financial_status(order)
    return refund
