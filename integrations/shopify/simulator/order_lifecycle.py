"""An order after its creation: its current quantities and money, and what every change does to them.

Shared by orderUpdate, order editing, manual payments, refunds, cancellation and the merchant's
edits (order_update.py, order_edit.py, order_payments.py, order_cancel.py, merchant_edits.py).
Callers hold ``state.lock`` for every function here that changes an order.

The money, as Shopify's Order object defines it (docs/shopify-facts.md, "After the push"):
- ``totalPriceSet``: the total before returns (as created); ``currentTotalPriceSet``: after order
  edits, refunds and cancellation (each line at its current quantity, plus shipping and taxes);
- ``totalReceivedSet``: successful SALE/CAPTURE transactions, manual payments included;
  ``totalRefundedSet``: REFUND transactions; ``netPaymentSet``: received - refunded;
- ``totalOutstandingSet``: current total - net payment. Negative means the customer is owed money
  ("a negative value indicates a difference in the customer's favor"): it is not clamped.
- ``displayFinancialStatus``: recomputed after every edit, payment, refund and cancellation; an
  order created with an explicit ``financialStatus`` and no transactions keeps it (no money moved).
"""

from decimal import Decimal
from typing import Any

from integrations.shopify.simulator.models import Order, Shop
from integrations.shopify.simulator.state import now_iso

PAID_KINDS = ("SALE", "CAPTURE")
CENT = Decimal("0.01")


def gid_number(gid: str, kind: str) -> int | None:
    """``gid://shopify/Order/12`` -> 12 (None when it is not a global id of ``kind``)."""
    prefix = f"gid://shopify/{kind}/"
    if not gid.startswith(prefix) or not gid[len(prefix) :].isdigit():
        return None
    return int(gid[len(prefix) :])


def money_bag(amount: Decimal, currency: str) -> dict[str, Any]:
    value = {"__typename": "MoneyV2", "amount": str(amount.quantize(CENT)), "currencyCode": currency}
    return {"__typename": "MoneyBag", "shopMoney": value, "presentmentMoney": value}


def find_order(shop: Shop, gid: str) -> Order | None:
    """The shop's order with this global id (caller holds the lock)."""
    number = gid_number(gid or "", "Order")
    return next((o for o in shop.orders if o.id == number), None) if number is not None else None


def current_quantity(line: dict[str, Any]) -> int:
    return line.get("current_quantity", line["quantity"])


def fulfilled_quantity(order: Order, line: dict[str, Any]) -> int:
    """Units of the line shipped by the order's successful fulfilments (fulfillments.py)."""
    return sum(
        item.quantity
        for fulfillment in order.fulfillments
        if fulfillment.status == "SUCCESS"
        for item in fulfillment.lines
        if item.line_item_id == line["id"]
    )


def unfulfilled_quantity(order: Order, line: dict[str, Any]) -> int:
    return max(current_quantity(line) - fulfilled_quantity(order, line), 0)


def touch(order: Order, *, actor: str, kind: str, detail: dict[str, Any] | None = None) -> None:
    """The order was modified: ``updatedAt`` moves (second precision, as Shopify's), and the change
    is recorded for the inspection page and state.json."""
    order.updated_at = now_iso()
    order.events.append({"at": order.updated_at, "actor": actor, "kind": kind, "detail": detail or {}})


def updated_at(order: Order) -> str:
    return order.updated_at or order.created_at


def received(order: Order) -> Decimal:
    return sum(
        (t["amount"] for t in order.transactions if t["status"] == "SUCCESS" and t["kind"] in PAID_KINDS),
        Decimal(0),
    )


def refunded(order: Order) -> Decimal:
    return sum(
        (t["amount"] for t in order.transactions if t["status"] == "SUCCESS" and t["kind"] == "REFUND"),
        Decimal(0),
    )


def _scaled(amount: Decimal, line: dict[str, Any]) -> Decimal:
    if line["quantity"] <= 0:
        return Decimal(0)
    return (amount * current_quantity(line) / line["quantity"]).quantize(CENT)


def current_subtotal(order: Order) -> Decimal:
    return sum((line["unit_price"] * current_quantity(line) for line in order.line_items), Decimal(0))


def current_tax(order: Order) -> Decimal:
    """Order-level tax lines as created; a line item's own tax lines follow its current quantity."""
    line_tax = sum((_scaled(t["amount"], line) for line in order.line_items for t in line["tax_lines"]), Decimal(0))
    other = sum((t["amount"] for t in order.tax_lines), Decimal(0))
    shipping = sum((t["amount"] for s in live_shipping_lines(order) for t in s["tax_lines"]), Decimal(0))
    if order.cancelled_at:
        return Decimal(0)
    return line_tax + other + shipping


def live_shipping_lines(order: Order) -> list[dict[str, Any]]:
    """The order's shipping lines an edit has not removed."""
    return [s for s in order.shipping_lines if not s.get("removed")]


def current_shipping(order: Order) -> Decimal:
    if order.cancelled_at:
        return Decimal(0)
    return sum((s["price"] for s in live_shipping_lines(order)), Decimal(0))


def refund_adjustments(order: Order) -> Decimal:
    """What refunds took off the total beyond their line items: refunded shipping, and the refund
    discrepancy (money refunded beyond, or short of, the value of the items refunded)."""
    return sum((r["discrepancy"] + r["shipping"] for r in order.refunds), Decimal(0))


def current_total(order: Order) -> Decimal:
    """The total after edits, refunds and cancellation (0 once cancelled: every unit was removed)."""
    if order.cancelled_at:
        return Decimal(0)
    tax = Decimal(0) if order.taxes_included else current_tax(order)
    return current_subtotal(order) + current_shipping(order) + tax - refund_adjustments(order)


def net_payment(order: Order) -> Decimal:
    return received(order) - refunded(order)


def outstanding(order: Order) -> Decimal:
    return current_total(order) - net_payment(order)


def recompute_financial_status(order: Order) -> None:
    """displayFinancialStatus from the transactions against the current total (caller holds the lock)."""
    paid, back = received(order), refunded(order)
    if order.financial_status_given and paid == 0 and back == 0:
        return  # no money ever moved: the status given at creation stands
    if back > 0 and back >= paid:
        status = "REFUNDED"
    elif back > 0:
        status = "PARTIALLY_REFUNDED"
    elif paid > 0 and paid >= current_total(order):
        status = "PAID"
    elif paid > 0:
        status = "PARTIALLY_PAID"
    else:
        status = "PENDING"
    order.display_financial_status = status


def lifecycle_fields(order: Order, currency: str) -> dict[str, Any]:
    """The Order fields that change after creation (merged over nodes.order_node's)."""
    owed = outstanding(order)
    quantity = sum(current_quantity(line) for line in order.line_items)
    return {
        "updatedAt": updated_at(order),
        "cancelledAt": order.cancelled_at,
        "cancelReason": order.cancel_reason.upper() if order.cancel_reason else None,
        "closed": order.closed_at is not None,
        "closedAt": order.closed_at,
        "edited": order.edited,
        "currentSubtotalPriceSet": money_bag(current_subtotal(order), currency),
        "currentTotalPriceSet": money_bag(current_total(order), currency),
        "currentTotalTaxSet": money_bag(current_tax(order), currency),
        "currentShippingPriceSet": money_bag(current_shipping(order), currency),
        "currentSubtotalLineItemsQuantity": quantity,
        "subtotalLineItemsQuantity": sum(line["quantity"] for line in order.line_items),
        "totalReceivedSet": money_bag(received(order), currency),
        "totalRefundedSet": money_bag(refunded(order), currency),
        "netPaymentSet": money_bag(net_payment(order), currency),
        "netPayment": str(net_payment(order).quantize(CENT)),
        "totalOutstandingSet": money_bag(owed, currency),
        "fullyPaid": owed <= 0,
        "unpaid": received(order) == 0 and current_total(order) > 0,
        "refundable": net_payment(order) > 0,
        "refundDiscrepancySet": money_bag(-sum((r["discrepancy"] for r in order.refunds), Decimal(0)), currency),
        "refunds": lambda _info, first=None: [refund_node(r, order) for r in order.refunds][:first],
    }


def patch_line_nodes(order: Order, line_nodes: dict[int, dict[str, Any]]) -> None:
    """Give an order's LineItem nodes (by line item id) their fulfilled-aware quantities, in place."""
    for line in order.line_items:
        if line["id"] in line_nodes:
            line_nodes[line["id"]].update(line_lifecycle_fields(line, fulfilled_quantity(order, line)))


def lifecycle_json(order: Order) -> dict[str, Any]:
    """What changed after creation, for ``/_simulator/state.json`` and ``orders.json`` (merged over
    snapshot.order_json's, whose ``outstanding`` it replaces with the current one)."""

    def cents(value: Decimal) -> str:
        return f"{value:.2f}"

    return {
        "updated_at": updated_at(order),
        "cancelled_at": order.cancelled_at,
        "cancel_reason": order.cancel_reason,
        "closed": order.closed_at is not None,
        "edited": order.edited,
        "phone": order.phone,
        "po_number": order.po_number,
        "current_total": cents(current_total(order)),
        "received": cents(received(order)),
        "refunded": cents(refunded(order)),
        "net_payment": cents(net_payment(order)),
        "outstanding": cents(outstanding(order)),
        "current_quantities": {
            str(line.get("sku") or line["title"]): current_quantity(line) for line in order.line_items
        },
        "refunds": [
            {
                "id": r["id"],
                "total": cents(r["total"]),
                "discrepancy": cents(r["discrepancy"]),
                "line_items": r["line_items"],
            }
            for r in order.refunds
        ],
        "open_edit_sessions": sum(1 for s in order.edit_sessions.values() if not s["committed"]),
        "staff_notes": list(order.staff_notes),
        "events": list(order.events),
    }


def line_lifecycle_fields(line: dict[str, Any], fulfilled: int = 0) -> dict[str, Any]:
    """The LineItem fields that change after creation (merged over nodes._line_item_node's; an
    order's own line items get their ``fulfilled`` units through ``patch_line_nodes``)."""
    current = current_quantity(line)
    return {
        "currentQuantity": current,
        "unfulfilledQuantity": max(current - fulfilled, 0),
        "refundableQuantity": current,
        "nonFulfillableQuantity": line["quantity"] - current,
        "restockable": current > 0,
    }


def refund_node(refund: dict[str, Any], order: Order) -> dict[str, Any]:
    currency = order.currency
    transactions = [t for t in order.transactions if t["id"] in refund["transaction_ids"]]
    lines = [next(x for x in order.line_items if x["id"] == r["line_id"]) for r in refund["line_items"]]

    def transaction_node(t):
        return {
            "__typename": "OrderTransaction",
            "id": f"gid://shopify/OrderTransaction/{t['id']}",
            "kind": t["kind"],
            "status": t["status"],
            "gateway": t["gateway"],
            "amountSet": money_bag(t["amount"], currency),
            "processedAt": t["processed_at"],
            "createdAt": t["processed_at"],
            "test": t["test"],
        }

    def refund_line_node(item, line):
        return {
            "__typename": "RefundLineItem",
            "id": f"gid://shopify/RefundLineItem/{item['id']}",
            "quantity": item["quantity"],
            "restockType": item["restock_type"],
            "restocked": item["restock_type"] != "NO_RESTOCK",
            "priceSet": money_bag(line["unit_price"], currency),
            "subtotalSet": money_bag(item["subtotal"], currency),
            "totalTaxSet": money_bag(Decimal(0), currency),
            "lineItem": {
                "__typename": "LineItem",
                "id": f"gid://shopify/LineItem/{line['id']}",
                "sku": line.get("sku"),
                "title": line["title"],
            },
        }

    def connection(nodes):
        return lambda _info, **_args: {
            "nodes": nodes,
            "edges": [{"cursor": str(i), "node": n} for i, n in enumerate(nodes)],
            "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        }

    return {
        "__typename": "Refund",
        "id": f"gid://shopify/Refund/{refund['id']}",
        "legacyResourceId": str(refund["id"]),
        "note": refund["note"],
        "createdAt": refund["created_at"],
        "processedAt": refund["processed_at"],
        "updatedAt": refund["created_at"],
        "totalRefundedSet": money_bag(refund["total"], currency),
        "transactions": connection([transaction_node(t) for t in transactions]),
        "refundLineItems": connection(
            [refund_line_node(i, x) for i, x in zip(refund["line_items"], lines, strict=True)]
        ),
    }
