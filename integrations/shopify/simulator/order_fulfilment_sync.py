"""An order's fulfilment orders follow its edits and refunds (the warehouse sees what is left to ship).

Removed or refunded units leave the fulfilment orders that still hold them (open ones first; a
fulfilment order left with nothing closes); added line items go to a new fulfilment order (OPEN,
UNSUBMITTED), and a raised quantity to an open fulfilment order of that line item, else a new one.
Shopify documents the outcome (fulfilment orders hold what remains to fulfil), not each step:
docs/shopify-facts.md, "After the push". Callers hold the state lock.
"""

from integrations.shopify.simulator.fulfillment_orders import open_fulfillment_order
from integrations.shopify.simulator.models import Order
from integrations.shopify.simulator.state import SimulatorState

_ACTIVE = ("OPEN", "SCHEDULED", "ON_HOLD", "IN_PROGRESS")


def remove_units(order: Order, line_item_id: int, units: int, stamp: str) -> None:
    candidates = sorted(
        (fo for fo in order.fulfillment_orders if fo.status in _ACTIVE),
        key=lambda fo: _ACTIVE.index(fo.status),
    )
    for fo in candidates:
        for line in fo.lines:
            if units <= 0 or line.line_item_id != line_item_id or line.remaining_quantity <= 0:
                continue
            taken = min(units, line.remaining_quantity)
            line.remaining_quantity -= taken
            line.total_quantity -= taken
            units -= taken
            fo.updated_at = stamp
        if fo.lines and all(line.remaining_quantity == 0 for line in fo.lines) and fo.status != "IN_PROGRESS":
            fo.status, fo.holds = "CLOSED", []


def add_units(state: SimulatorState, order: Order, items: list[tuple[int, int]], stamp: str) -> None:
    """``items``: (line item id, units) to fulfil on top of what the order had."""
    new_items: list[tuple[int, int]] = []  # not in an open fulfilment order: a new one holds them
    for line_item_id, units in items:
        existing = next(
            (
                line
                for fo in order.fulfillment_orders
                if fo.status == "OPEN"
                for line in fo.lines
                if line.line_item_id == line_item_id
            ),
            None,
        )
        if existing is not None:
            existing.total_quantity += units
            existing.remaining_quantity += units
            continue
        new_items.append((line_item_id, units))
    if new_items:
        open_fulfillment_order(state, order, new_items, stamp)
