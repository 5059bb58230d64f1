"""Fulfilment orders of a simulated order: created with it, held and released as Shopify does.

- ``orderCreate`` opens one fulfilment order at the shop's location holding every line item
  (``OPEN``, request status ``UNSUBMITTED``).
- ``fulfillmentOrderHold``: the fulfilment order goes ``ON_HOLD``; an app may place up to 10 holds
  on one fulfilment order, each with its own ``handle`` (``""`` by default). With
  ``fulfillmentOrderLineItems`` naming less than all that remains, the fulfilment order is split:
  the named quantities move to a new fulfilment order that is held (``fulfillmentOrder``), the rest
  stays open in the original one (``remainingFulfillmentOrder``). Line items on an already-held
  fulfilment order: FULFILLMENT_ORDER_NOT_SPLITTABLE. Holds are refused on a fulfilment order being
  fulfilled by a fulfilment service, closed or cancelled.
- ``fulfillmentOrderReleaseHold``: releases the holds named by ``holdIds`` that belong to it (all of
  them when omitted); ``OPEN`` again once none is left. Releasing holds already released changes
  nothing and is not an error (simulator's choice: Shopify does not document it).
Callers hold the state lock. Source: docs/shopify-facts.md, "Fulfilment orders and holds".
"""

from typing import Any

from integrations.shopify.simulator.fulfillment_models import FulfillmentHold, FulfillmentOrder, FulfillmentOrderLine
from integrations.shopify.simulator.models import Order, Shop
from integrations.shopify.simulator.state import SimulatorState, now_iso

MAX_HOLDS_PER_APP = 10
HOLD_REASONS = (
    "AWAITING_PAYMENT",
    "HIGH_RISK_OF_FRAUD",
    "INCORRECT_ADDRESS",
    "INVENTORY_OUT_OF_STOCK",
    "UNKNOWN_DELIVERY_DATE",
    "ONLINE_STORE_POST_PURCHASE_CROSS_SELL",
    "AWAITING_RETURN_ITEMS",
    "OTHER",
)


class FulfillmentRefused(ValueError):
    """A control-API action Shopify would refuse (answered 409 with the reason)."""


def touch(order: Order, *fulfillment_orders: FulfillmentOrder) -> str:
    stamp = now_iso()
    order.updated_at = stamp
    for fo in fulfillment_orders:
        fo.updated_at = stamp
    return stamp


def open_fulfillment_order(
    state: SimulatorState, order: Order, items: list[tuple[int, int]], stamp: str
) -> FulfillmentOrder:
    """A new OPEN, unsubmitted fulfilment order of ``order`` at the shop's location, holding
    ``items`` ((line item id, units), ...): with a new order, or for units an edit added."""
    lines = [
        FulfillmentOrderLine(
            id=state.next_id(), line_item_id=line_item_id, total_quantity=units, remaining_quantity=units
        )  # fmt: skip
        for line_item_id, units in items
    ]
    fulfillment_order = FulfillmentOrder(
        id=state.next_id(), order_id=order.id, status="OPEN", request_status="UNSUBMITTED", lines=lines,
        created_at=stamp, updated_at=stamp,
    )  # fmt: skip
    order.fulfillment_orders.append(fulfillment_order)
    return fulfillment_order


def open_for_new_order(state: SimulatorState, order: Order) -> None:
    """The fulfilment order Shopify creates with the order (every line item, the shop's location)."""
    open_fulfillment_order(state, order, [(item["id"], item["quantity"]) for item in order.line_items],
                           order.created_at)  # fmt: skip
    order.updated_at = order.created_at


def find(shop: Shop, fulfillment_order_id: int | None) -> tuple[Order, FulfillmentOrder] | None:
    for order in shop.orders:
        for fo in order.fulfillment_orders:
            if fo.id == fulfillment_order_id:
                return order, fo
    return None


def order_of(shop: Shop, key: str) -> Order:
    """An order by numeric id, gid, name (``1001`` or ``#1001``) or source identifier."""
    key = str(key)
    number = key.rsplit("/", 1)[-1]
    for order in shop.orders:
        if (number.isdigit() and order.id == int(number)) or key in (order.name, order.name.lstrip("#")):
            return order
    for order in shop.orders:
        if order.source_identifier == key:
            return order
    raise LookupError(f"no order {key} in {shop.domain}")


def holdable(fo: FulfillmentOrder) -> bool:
    if fo.status in ("OPEN", "ON_HOLD", "SCHEDULED"):
        return True
    # Partly fulfilled by the merchant (not accepted by a fulfilment service).
    return fo.status == "IN_PROGRESS" and fo.request_status == "UNSUBMITTED"


def supported_actions(fo: FulfillmentOrder) -> list[str]:
    """FulfillmentOrderAction values available in this state (merchant-managed location)."""
    if fo.status in ("CLOSED", "CANCELLED", "INCOMPLETE"):
        return []
    if fo.status == "ON_HOLD":
        return ["RELEASE_HOLD", "HOLD", "MOVE"]
    if fo.request_status == "ACCEPTED":
        return ["REQUEST_CANCELLATION", "CREATE_FULFILLMENT"]
    actions = ["CREATE_FULFILLMENT", "HOLD", "MOVE"]
    if sum(line.remaining_quantity for line in fo.lines) > 1:
        actions.append("SPLIT")
    return actions


def _error(field: list[str] | None, message: str, code: str | None) -> dict[str, Any]:
    return {"__typename": "FulfillmentOrderHoldUserError", "field": field, "message": message, "code": code}


def place_hold(
    state: SimulatorState, shop: Shop, fulfillment_order_id: int | None, spec: dict[str, Any], held_by: str | None
) -> dict[str, Any]:
    """``fulfillmentOrderHold`` -> {"errors", "hold", "held", "remaining"} (fulfilment orders or None)."""
    answer: dict[str, Any] = {"errors": [], "hold": None, "held": None, "remaining": None}
    found = find(shop, fulfillment_order_id)
    if found is None:
        answer["errors"].append(_error(["id"], "Fulfillment order not found.", "FULFILLMENT_ORDER_NOT_FOUND"))
        return answer
    order, fo = found
    handle = spec.get("handle") or ""
    mine = [h for h in fo.holds if h.held_by_app == held_by]
    if not holdable(fo):
        message = f"The fulfillment order's status ({fo.status.lower()}) doesn't allow it to be placed on hold."
        answer["errors"].append(_error(["id"], message, None))
    elif len(handle) > 64:
        answer["errors"].append(_error(["fulfillmentHold", "handle"], "Handle is too long (maximum is 64)", None))
    elif any(h.handle == handle for h in mine):
        message = "The handle provided for the fulfillment hold is already in use by this app for another hold."
        answer["errors"].append(_error(["fulfillmentHold", "handle"], message, "DUPLICATE_FULFILLMENT_HOLD_HANDLE"))
    elif len(mine) >= MAX_HOLDS_PER_APP:
        message = f"The maximum number of fulfillment holds ({MAX_HOLDS_PER_APP}) for this app has been reached."
        answer["errors"].append(_error(["id"], message, "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED"))
    if answer["errors"]:
        return answer
    wanted = spec.get("fulfillmentOrderLineItems") or []
    target = fo
    if wanted:
        split = _split_quantities(fo, wanted, answer["errors"])
        if answer["errors"]:
            return answer
        if split is not None:
            target = _split(state, order, fo, split)
            answer["remaining"] = fo
    hold = FulfillmentHold(
        id=state.next_id(),
        reason=spec["reason"],
        reason_notes=spec.get("reasonNotes"),
        handle=handle,
        external_id=spec.get("externalId"),
        notify_merchant=bool(spec.get("notifyMerchant")),
        held_by_app=held_by,
        created_at=now_iso(),
    )
    target.holds.append(hold)
    target.status = "ON_HOLD"
    touch(order, target, fo)
    state.counters["fulfillment_holds_placed"] += 1
    answer |= {"hold": hold, "held": target}
    return answer


def _split_quantities(fo: FulfillmentOrder, wanted: list[dict[str, Any]], errors: list) -> dict[int, int] | None:
    """{fulfilment order line id: quantity to hold}, or None when that is everything that remains."""
    if fo.status == "ON_HOLD":
        message = "The fulfillment order is not in a splittable state."
        errors.append(
            _error(["fulfillmentHold", "fulfillmentOrderLineItems"], message, "FULFILLMENT_ORDER_NOT_SPLITTABLE")
        )
        return None
    lines = {line.id: line for line in fo.lines}
    quantities: dict[int, int] = {}
    for i, item in enumerate(wanted):
        path = ["fulfillmentHold", "fulfillmentOrderLineItems", str(i)]
        number = _gid_number(item["id"], "FulfillmentOrderLineItem")
        if number in quantities:
            errors.append(
                _error(
                    path, "The fulfillment order line items are not unique.", "DUPLICATED_FULFILLMENT_ORDER_LINE_ITEMS"
                )
            )
            continue
        if item["quantity"] <= 0:
            errors.append(_error(path + ["quantity"], "Quantity must be greater than 0.", "GREATER_THAN_ZERO"))
            continue
        line = lines.get(number) if number is not None else None
        if line is None or item["quantity"] > line.remaining_quantity:
            errors.append(
                _error(path + ["quantity"], "The line item quantity is invalid.", "INVALID_LINE_ITEM_QUANTITY")
            )
            continue
        quantities[number] = item["quantity"]
    if errors:
        return None
    if all(quantities.get(line.id, 0) == line.remaining_quantity for line in fo.lines if line.remaining_quantity):
        return None
    return quantities


def _split(state: SimulatorState, order: Order, fo: FulfillmentOrder, quantities: dict[int, int]) -> FulfillmentOrder:
    moved = []
    for line in fo.lines:
        quantity = quantities.get(line.id, 0)
        if not quantity:
            continue
        line.total_quantity -= quantity
        line.remaining_quantity -= quantity
        moved.append(
            FulfillmentOrderLine(
                id=state.next_id(), line_item_id=line.line_item_id, total_quantity=quantity, remaining_quantity=quantity
            )
        )
    fo.lines = [line for line in fo.lines if line.total_quantity > 0]
    stamp = now_iso()
    new = FulfillmentOrder(
        id=state.next_id(), order_id=order.id, status=fo.status, request_status=fo.request_status, lines=moved,
        created_at=stamp, updated_at=stamp, split_from=fo.id,
    )  # fmt: skip
    order.fulfillment_orders.append(new)
    return new


def release_holds(
    state: SimulatorState,
    shop: Shop,
    fulfillment_order_id: int | None,
    hold_ids: list[str] | None,
    external_id: str | None,
    released_by: str | None,
) -> dict[str, Any]:
    """``fulfillmentOrderReleaseHold`` -> {"errors", "fulfillment_order", "released": [holds]}."""
    found = find(shop, fulfillment_order_id)
    if found is None:
        error = {
            "__typename": "FulfillmentOrderReleaseHoldUserError",
            "field": ["id"],
            "message": "Fulfillment order not found.",
            "code": "FULFILLMENT_ORDER_NOT_FOUND",
        }
        return {"errors": [error], "fulfillment_order": None, "released": []}
    order, fo = found
    wanted = None if hold_ids is None else {_gid_number(h, "FulfillmentHold") for h in hold_ids}
    released = [h for h in fo.holds if wanted is None or h.id in wanted]
    if not released:
        # Nothing of what was named is held any more: a release sent twice (tests count these).
        state.counters["fulfillment_hold_release_noops"] += 1
        return {"errors": [], "fulfillment_order": fo, "released": []}
    stamp = now_iso()
    for hold in released:
        hold.released_at = stamp
        hold.released_by_external_id = external_id
        fo.released_holds.append(hold)
    fo.holds = [h for h in fo.holds if h not in released]
    if not fo.holds and fo.status == "ON_HOLD":
        fo.status = "IN_PROGRESS" if any(line.remaining_quantity < line.total_quantity for line in fo.lines) else "OPEN"
    touch(order, fo)
    state.counters["fulfillment_holds_released"] += len(released)
    del released_by
    return {"errors": [], "fulfillment_order": fo, "released": released}


def accept_by_service(order: Order, fulfillment_order_id: int | None = None) -> list[FulfillmentOrder]:
    """A fulfilment service accepted the request: request status ACCEPTED, status IN_PROGRESS."""
    accepted = []
    for fo in order.fulfillment_orders:
        if fulfillment_order_id is not None and fo.id != fulfillment_order_id:
            continue
        if fo.status == "ON_HOLD":
            raise FulfillmentRefused(
                f"fulfillment order {fo.id} is on hold: it cannot be sent to a fulfillment service"
            )
        if fo.status in ("OPEN", "IN_PROGRESS"):
            fo.request_status, fo.status = "ACCEPTED", "IN_PROGRESS"
            accepted.append(fo)
    if not accepted:
        raise FulfillmentRefused(f"order {order.name} has no open fulfillment order to accept")
    touch(order, *accepted)
    return accepted


def merchant_hold(state: SimulatorState, shop: Shop, order: Order, reason: str, notes: str | None) -> FulfillmentHold:
    """The merchant holds every open fulfilment order of the order from the admin."""
    if reason not in HOLD_REASONS:
        raise ValueError(f"reason must be one of {', '.join(HOLD_REASONS)}")
    placed = None
    for fo in order.fulfillment_orders:
        if holdable(fo):
            answer = place_hold(
                state,
                shop,
                fo.id,
                {"reason": reason, "reasonNotes": notes, "handle": f"merchant-{state.next_id()}"},
                None,
            )
            placed = answer["hold"] or placed
    if placed is None:
        raise FulfillmentRefused(f"order {order.name} has no fulfillment order that can be held")
    return placed


def _gid_number(gid: str, kind: str) -> int | None:
    prefix = f"gid://shopify/{kind}/"
    tail = gid[len(prefix) :] if gid.startswith(prefix) else ""
    return int(tail) if tail.isdigit() else None
