"""Fulfilments of simulated orders, made "by the warehouse" through the control API.

- Fulfil an order whole or in part (line items by SKU and quantity), with one or several tracking
  numbers (company and URL each). Only fulfilment orders that are not on hold are fulfilled, as in
  Shopify ("The fulfillment process can't be initiated until the hold on the fulfillment order is
  released"): asking for a quantity that only a held fulfilment order holds is refused.
- Correct a fulfilment's tracking, mark it in transit or delivered, cancel it (its quantities go back
  to their fulfilment orders), or cancel the order as the merchant does in the admin.
Each change moves the order's ``updated_at`` and sends the webhooks Shopify sends
(fulfillments/create, fulfillments/update, orders/cancelled; payloads in rest_payloads.py).
Callers hold the state lock; the deliveries are returned to be sent after it is released.
"""

from typing import Any

from integrations.shopify.simulator.fulfillment_models import Fulfillment, FulfillmentLine
from integrations.shopify.simulator.fulfillment_orders import FulfillmentRefused, touch
from integrations.shopify.simulator.models import Order, Shop
from integrations.shopify.simulator.state import SimulatorState, now_iso

SHIPMENT_STATUSES = {
    "in_transit": "IN_TRANSIT",
    "out_for_delivery": "OUT_FOR_DELIVERY",
    "delivered": "DELIVERED",
    "failure": "FAILURE",
    "attempted_delivery": "ATTEMPTED_DELIVERY",
}


def tracking_list(raw: Any) -> list[dict[str, Any]]:
    """``[{"number", "company"?, "url"?}]`` (a bare string is a number)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError("tracking must be a list of {number, company, url}")
    items = []
    for entry in raw:
        entry = {"number": entry} if isinstance(entry, str) else entry
        if not isinstance(entry, dict) or not entry.get("number"):
            raise ValueError("each tracking entry needs a number")
        items.append({"number": str(entry["number"]), "company": entry.get("company"), "url": entry.get("url")})
    return items


def fulfil(
    state: SimulatorState, shop: Shop, order: Order, wanted: list[dict[str, Any]] | None, tracking: list[dict]
) -> Fulfillment:
    """Fulfil ``wanted`` ([{"sku", "quantity"}]; None: everything that remains) from open fulfilment orders."""
    if order.cancelled_at:
        raise FulfillmentRefused(f"order {order.name} is cancelled")
    by_id = {item["id"]: item for item in order.line_items}
    allocation: list[tuple[Any, Any, int]] = []  # (fulfilment order, its line, quantity)
    if wanted is None:
        held = [fo for fo in order.fulfillment_orders if fo.status == "ON_HOLD" and _remaining(fo)]
        if held:
            raise FulfillmentRefused(f"order {order.name} has a fulfillment order on hold: release it first")
        for fo in _open(order):
            allocation += [(fo, line, line.remaining_quantity) for line in fo.lines if line.remaining_quantity]
    else:
        for entry in wanted:
            sku, quantity = str(entry.get("sku") or ""), int(entry.get("quantity") or 0)
            if quantity <= 0:
                raise ValueError(f"quantity for {sku or '?'} must be greater than 0")
            left = quantity
            for fo in _open(order):
                for line in fo.lines:
                    taken = sum(q for f, ln, q in allocation if ln is line)
                    free = line.remaining_quantity - taken
                    if left and free > 0 and by_id[line.line_item_id].get("sku") == sku:
                        use = min(free, left)
                        allocation.append((fo, line, use))
                        left -= use
            if left:
                on_hold = any(
                    by_id[line.line_item_id].get("sku") == sku and line.remaining_quantity
                    for fo in order.fulfillment_orders
                    if fo.status == "ON_HOLD"
                    for line in fo.lines
                )
                reason = "is on hold" if on_hold else "is not left to fulfil"
                raise FulfillmentRefused(f"order {order.name}: {left} of SKU {sku} {reason}")
    if not allocation:
        raise FulfillmentRefused(f"order {order.name} has nothing left to fulfil")
    lines = []
    for _fo, line, quantity in allocation:
        line.remaining_quantity -= quantity
        lines.append(
            FulfillmentLine(
                id=state.next_id(), line_item_id=line.line_item_id, fulfillment_order_line_id=line.id, quantity=quantity
            )
        )
    touched = list({id(fo): fo for fo, _line, _q in allocation}.values())
    for fo in touched:
        fo.status = "CLOSED" if not _remaining(fo) else "IN_PROGRESS"
    stamp = touch(order, *touched)
    fulfillment = Fulfillment(
        id=state.next_id(),
        order_id=order.id,
        name=f"{order.name}.{len(order.fulfillments) + 1}",
        status="SUCCESS",
        display_status="FULFILLED",
        shipment_status=None,
        tracking=tracking,
        lines=lines,
        location_id=shop.id,
        created_at=stamp,
        updated_at=stamp,
    )
    order.fulfillments.append(fulfillment)
    state.counters["fulfillments_created"] += 1
    return fulfillment


def find_fulfillment(shop: Shop, fulfillment_id: str) -> tuple[Order, Fulfillment]:
    number = str(fulfillment_id).rsplit("/", 1)[-1]
    for order in shop.orders:
        for fulfillment in order.fulfillments:
            if number.isdigit() and fulfillment.id == int(number):
                return order, fulfillment
    raise LookupError(f"no fulfillment {fulfillment_id} in {shop.domain}")


def set_tracking(order: Order, fulfillment: Fulfillment, tracking: list[dict[str, Any]]) -> None:
    if fulfillment.status == "CANCELLED":
        raise FulfillmentRefused(f"fulfillment {fulfillment.name} is cancelled")
    fulfillment.tracking = tracking
    fulfillment.updated_at = touch(order)


def set_shipment_status(order: Order, fulfillment: Fulfillment, status: str) -> None:
    if status not in SHIPMENT_STATUSES:
        raise ValueError(f"status must be one of {', '.join(SHIPMENT_STATUSES)}")
    if fulfillment.status == "CANCELLED":
        raise FulfillmentRefused(f"fulfillment {fulfillment.name} is cancelled")
    stamp = touch(order)
    fulfillment.shipment_status, fulfillment.display_status, fulfillment.updated_at = (
        status, SHIPMENT_STATUSES[status], stamp,
    )  # fmt: skip
    if status == "in_transit":
        fulfillment.in_transit_at = fulfillment.in_transit_at or stamp
    if status == "delivered":
        fulfillment.delivered_at = stamp


def cancel_fulfillment(order: Order, fulfillment: Fulfillment) -> None:
    """Cancelled: its quantities are fulfillable again, in the fulfilment orders they came from."""
    if fulfillment.status == "CANCELLED":
        raise FulfillmentRefused(f"fulfillment {fulfillment.name} is already cancelled")
    lines = {line.id: (fo, line) for fo in order.fulfillment_orders for line in fo.lines}
    touched = []
    for item in fulfillment.lines:
        fo, line = lines[item.fulfillment_order_line_id]
        line.remaining_quantity += item.quantity
        if fo.status in ("CLOSED", "IN_PROGRESS") and fo.request_status != "ACCEPTED":
            fo.status = "OPEN" if all(ln.remaining_quantity == ln.total_quantity for ln in fo.lines) else "IN_PROGRESS"
        touched.append(fo)
    stamp = touch(order, *touched)
    fulfillment.status, fulfillment.display_status, fulfillment.updated_at = "CANCELLED", "CANCELED", stamp


def cancel_order(order: Order, reason: str) -> None:
    """The merchant cancels the order in the admin: its unfulfilled fulfilment orders are cancelled."""
    reasons = ("customer", "declined", "fraud", "inventory", "staff", "other")
    if reason not in reasons:
        raise ValueError(f"reason must be one of {', '.join(reasons)}")
    if order.cancelled_at:
        raise FulfillmentRefused(f"order {order.name} is already cancelled")
    touched = [fo for fo in order.fulfillment_orders if fo.status not in ("CLOSED", "CANCELLED")]
    for fo in touched:
        fo.status, fo.holds = "CANCELLED", []
    order.cancelled_at, order.cancel_reason = now_iso(), reason
    touch(order, *touched)


def display_fulfillment_status(order: Order) -> str:
    """Order.displayFulfillmentStatus from its fulfilment orders and fulfilments."""
    total = sum(item["quantity"] for item in order.line_items)
    shipped = sum(line.quantity for f in order.fulfillments if f.status == "SUCCESS" for line in f.lines)
    active = [fo for fo in order.fulfillment_orders if fo.status not in ("CLOSED", "CANCELLED") and _remaining(fo)]
    if total and shipped >= total:
        return "FULFILLED"
    if shipped:
        return "PARTIALLY_FULFILLED"
    if active and all(fo.status == "ON_HOLD" for fo in active):
        return "ON_HOLD"
    if active and all(fo.status == "IN_PROGRESS" for fo in active):
        return "IN_PROGRESS"
    return "UNFULFILLED"


def _open(order: Order) -> list:
    return [fo for fo in order.fulfillment_orders if fo.status in ("OPEN", "IN_PROGRESS", "SCHEDULED")]


def _remaining(fo) -> int:
    return sum(line.remaining_quantity for line in fo.lines)
