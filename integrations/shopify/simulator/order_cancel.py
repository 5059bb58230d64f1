"""``orderCancel(orderId, restock!, reason!, refundMethod, notifyCustomer = false, staffNote)`` and
``job(id)``, as Shopify documents them for 2026-07 (docs/shopify-facts.md, "After the push").

- Asynchronous on Shopify: the answer is a ``job`` (``done: false``) and ``orderCancelUserErrors``
  (the deprecated ``userErrors`` stays empty). The simulator cancels before answering; ``job(id)``
  answers ``done: true`` from then on, so the app must not rely on ``done`` in the mutation's answer.
- Refused (code INVALID) when the order is already cancelled or has fulfilled units ("no outstanding
  fulfillments that can't be cancelled"); NOT_FOUND for an unknown order; ``staffNote`` at most 255.
- ``refundMethod: {originalPaymentMethodsRefund: true}`` (or the deprecated ``refund: true``) refunds
  the net payment to each payment's own gateway: for a manual (external) gateway that is a REFUND
  transaction only, no money moves. Without it nothing is refunded: the order keeps its payments and
  shows them as owed back (``totalOutstandingSet`` negative). ``storeCreditRefund`` is not simulated.
- ``restock: true`` returns the units the order took from stock (orderCreate's inventory behaviour and
  edits) to their variants. ``notifyCustomer`` is recorded, never sent.
- The order ends with ``cancelledAt``, ``cancelReason``, ``closed``, every line's ``currentQuantity``
  0, ``currentTotalPriceSet`` 0, and a recomputed ``displayFinancialStatus``.
https://shopify.dev/docs/api/admin-graphql/2026-07/mutations/orderCancel
"""

import uuid
from decimal import Decimal
from typing import Any

from integrations.shopify.simulator import order_lifecycle
from integrations.shopify.simulator.context import ExecutionContext
from integrations.shopify.simulator.models import Order, Shop
from integrations.shopify.simulator.state import now_iso

MAX_STAFF_NOTE = 255


def _error(field: list[str] | None, message: str, code: str) -> dict[str, Any]:
    return {"__typename": "OrderCancelUserError", "field": field, "message": message, "code": code}


def cancel_errors(order: Order | None, staff_note: str | None, refund_method: dict | None) -> list[dict[str, Any]]:
    if order is None:
        return [_error(["orderId"], "Order does not exist", "NOT_FOUND")]
    if order.cancelled_at:
        return [_error(["orderId"], "Order has already been cancelled", "INVALID")]
    if any(order_lifecycle.fulfilled_quantity(line) > 0 for line in order.line_items):
        return [_error(["orderId"], "Order has fulfillments that can't be cancelled", "INVALID")]
    if staff_note and len(staff_note) > MAX_STAFF_NOTE:
        return [_error(["staffNote"], f"Staff note is too long (maximum is {MAX_STAFF_NOTE} characters)", "INVALID")]
    if refund_method and refund_method.get("storeCreditRefund"):
        return [_error(["refundMethod", "storeCreditRefund"], "not simulated: store credit refunds", "INVALID")]
    return []


def cancel(
    state,
    shop: Shop,
    order: Order,
    *,
    reason: str,
    restock: bool,
    refund: bool,
    notify_customer: bool,
    staff_note: str | None,
    actor: str,
) -> None:
    """Cancel the order (caller holds the lock and checked ``cancel_errors``)."""
    now = now_iso()
    refunded = Decimal(0)
    if refund:
        for sale in [
            t for t in order.transactions if t["status"] == "SUCCESS" and t["kind"] in order_lifecycle.PAID_KINDS
        ]:
            already = sum((t["amount"] for t in order.transactions if t.get("parent_id") == sale["id"]), Decimal(0))
            remaining = min(sale["amount"] - already, order_lifecycle.net_payment(order))
            if remaining <= 0:
                continue
            order.transactions.append(
                {
                    "id": state.next_id(),
                    "kind": "REFUND",
                    "status": "SUCCESS",
                    "amount": remaining,
                    "gateway": sale["gateway"],
                    "authorization_code": None,
                    "processed_at": now,
                    "test": order.test,
                    "parent_id": sale["id"],
                }
            )
            refunded += remaining
    if refunded > 0:
        order.refunds.append(
            {
                "id": state.next_id(),
                "created_at": now,
                "processed_at": now,
                "note": staff_note,
                "notify": notify_customer,
                "transaction_ids": [
                    t["id"] for t in order.transactions if t["kind"] == "REFUND" and t["processed_at"] == now
                ],
                "line_items": [],
                "shipping": Decimal(0),
                "total": refunded,
                "discrepancy": Decimal(0),
                "idempotency_key": None,
                "fingerprint": None,
            }
        )
    restocked = []
    for line in order.line_items:
        current = order_lifecycle.current_quantity(line)
        variant = shop.variants.get(line["variant_id"]) if line.get("variant_id") else None
        took_stock = order.options.get("inventoryBehaviour", "BYPASS") != "BYPASS" or order.edited
        if restock and variant is not None and took_stock and current > 0:
            variant.inventory_quantity += current
            restocked.append({"sku": variant.sku, "delta": current})
        line["current_quantity"] = 0
    order.inventory_changes.extend(restocked)
    order.cancelled_at = order.closed_at = now
    order.cancel_reason = reason
    if staff_note:
        order.staff_notes.append(staff_note)
    order_lifecycle.recompute_financial_status(order)
    order_lifecycle.touch(
        order,
        actor=actor,
        kind="cancel",
        detail={
            "reason": reason,
            "restock": restock,
            "refunded": str(refunded),
            "restocked": restocked,
            "notify_customer": notify_customer,
        },
    )


def order_cancel(
    ctx: ExecutionContext,
    orderId: str,  # noqa: N803
    restock: bool,
    reason: str,
    refundMethod: dict | None = None,  # noqa: N803
    refund: bool | None = None,
    notifyCustomer: bool = False,  # noqa: N803
    staffNote: str | None = None,  # noqa: N803
) -> dict[str, Any]:
    state, shop = ctx.state, ctx.shop
    state.count("order_cancel_calls")
    with state.lock:
        order = order_lifecycle.find_order(shop, orderId)
        errors = cancel_errors(order, staffNote, refundMethod)
        if errors:
            return {"__typename": "OrderCancelPayload", "job": None, "orderCancelUserErrors": errors, "userErrors": []}
        wants_refund = bool((refundMethod or {}).get("originalPaymentMethodsRefund")) or bool(refund)
        cancel(
            state,
            shop,
            order,
            reason=reason,
            restock=restock,
            refund=wants_refund,
            notify_customer=bool(notifyCustomer),
            staff_note=staffNote,
            actor="app",
        )
        ctx.changed_orders.append(order.id)
        job_id = f"gid://shopify/Job/{uuid.uuid4()}"
        order.events[-1]["detail"]["job"] = job_id
    return {
        "__typename": "OrderCancelPayload",
        "job": {"__typename": "Job", "id": job_id, "done": False, "query": None},
        "orderCancelUserErrors": [],
        "userErrors": [],
    }


def job(ctx: ExecutionContext, id: str) -> dict[str, Any] | None:  # noqa: A002
    """``job(id)``: a cancellation's job, done once the simulator answered the mutation."""
    with ctx.state.lock:
        known = any(event["detail"].get("job") == id for order in ctx.shop.orders for event in order.events)
    return {"__typename": "Job", "id": id, "done": True, "query": None} if known else None
