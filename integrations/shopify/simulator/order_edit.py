"""Order editing: ``orderEditBegin`` -> ``orderEditAddVariant`` / ``orderEditAddCustomItem`` /
``orderEditSetQuantity`` -> ``orderEditCommit``, as Shopify documents it for 2026-07.

- ``orderEditBegin(id)`` answers ``calculatedOrder`` and ``orderEditSession``; every later mutation
  takes either id (the CalculatedOrder's or the session's: both carry the same number here).
- Only the app that created the order may edit it (help.shopify.com ... editing-orders/considerations);
  an order in another currency than the store's, or a cancelled one, cannot be edited.
- Staged changes touch nothing: an abandoned session (never committed) leaves the order as it was.
- ``orderEditAddVariant`` prices the line at the variant's price ("respects the variant's contextual
  pricing"), quantity > 0; a variant already on the order needs ``allowDuplicates``.
- ``orderEditSetQuantity``: 0 removes the line (it stays with quantity 0); never below what is
  fulfilled ("You can only edit unfulfilled line items"); ``restock`` returns removed units to stock.
- The order's fulfilment orders follow (order_fulfilment_sync.py): removed units leave them, added
  items get a new fulfilment order.
- Shipping lines (help.shopify.com/en/manual/fulfillment/managing-orders/editing-orders/shipping-fees:
  "If you want to edit a shipping fee, then you need to remove the shipping fee and add a new
  shipping fee"; "After you add a shipping fee, you can edit or delete the fee before updating the
  order"): ``orderEditAddShippingLine(id, shippingLine {title, price})`` stages a custom line (ADDED),
  ``orderEditRemoveShippingLine(id, shippingLineId)`` stages an existing one's removal (REMOVED; an
  added one simply leaves the session), ``orderEditUpdateShippingLine(id, shippingLine, shippingLineId)``
  changes one added in this session (an existing one: userError INVALID, simulator's choice after the
  help page). A removed line stays on the order with ``isRemoved`` (``Order.shippingLines`` lists it
  only with ``includeRemovals: true``).
- ``orderEditAddCustomItem``: ``taxable`` defaults to true, ``requiresShipping`` to false (schema).
- ``orderEditCommit(id, notifyCustomer, staffNote)`` applies everything at once, moves ``updatedAt``,
  marks the order ``edited`` and recomputes its current total, outstanding amount and financial
  status. A session commits once; committing it again is a userError and changes nothing.
https://shopify.dev/docs/apps/build/orders-fulfillment/order-management-apps/edit-orders
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.shopify.simulator import order_fulfilment_sync, order_lifecycle
from integrations.shopify.simulator.connections import paginate
from integrations.shopify.simulator.context import ExecutionContext
from integrations.shopify.simulator.models import Order, Shop
from integrations.shopify.simulator.nodes import _line_item_node, gid_number, money, money_bag, order_node, variant_node
from integrations.shopify.simulator.state import now_iso


def _error(field: list[str], message: str) -> dict[str, Any]:
    return {"__typename": "UserError", "field": field, "message": message}


def _failed(typename: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    payload = {"__typename": typename, "calculatedOrder": None, "orderEditSession": None, "userErrors": errors}
    if typename != "OrderEditBeginPayload":
        payload["calculatedLineItem"] = None
    return payload


def _find_session(shop: Shop, gid: str) -> tuple[Order | None, dict[str, Any] | None]:
    number = gid_number(gid or "", "CalculatedOrder")
    if number is None:
        number = gid_number(gid or "", "OrderEditSession")
    if number is None:
        return None, None
    for order in shop.orders:
        if number in order.edit_sessions:
            return order, order.edit_sessions[number]
    return None, None


# --- nodes ---------------------------------------------------------------------------------------


def _calculated_line_node(line: dict[str, Any], order: Order, shop: Shop) -> dict[str, Any]:
    currency = order.currency
    variant = shop.variants.get(line["variant_id"]) if line.get("variant_id") else None
    fulfilled = order_lifecycle.fulfilled_quantity(order, line)
    editable = line["quantity"] - fulfilled
    before = line.get("quantity_before", line["quantity"])
    staged = []
    if line.get("added"):
        staged.append(_add_change(line, shop, currency))
    elif line["quantity"] != before:
        delta = line["quantity"] - before
        original = next((x for x in order.line_items if x["id"] == line["id"]), line)
        change = {
            "__typename": "OrderStagedChangeIncrementItem" if delta > 0 else "OrderStagedChangeDecrementItem",
            "delta": abs(delta),
            "lineItem": _line_item(original, shop, currency),
        }
        if delta < 0:
            change["restock"] = bool(line.get("restock"))
        staged.append(change)
    return {
        "__typename": "CalculatedLineItem",
        "id": f"gid://shopify/CalculatedLineItem/{line['id']}",
        "title": line["title"],
        "sku": line.get("sku"),
        "variantTitle": line.get("variant_title"),
        "quantity": line["quantity"],
        "editableQuantity": max(editable, 0),
        "editableQuantityBeforeChanges": max(before - fulfilled, 0),
        "restockable": line["quantity"] > 0,
        "restocking": bool(line.get("restock")),
        "hasStagedLineItemDiscount": False,
        "customAttributes": [{"__typename": "Attribute", **p} for p in line.get("properties", [])],
        "variant": variant_node(variant, shop) if variant else None,
        "image": None,
        "originalUnitPriceSet": money_bag(line["unit_price"], currency),
        "discountedUnitPriceSet": money_bag(line["unit_price"], currency),
        "editableSubtotalSet": money_bag(line["unit_price"] * max(editable, 0), currency),
        "uneditableSubtotalSet": money_bag(line["unit_price"] * fulfilled, currency),
        "calculatedDiscountAllocations": [],
        "stagedChanges": staged,
    }


def _add_change(line: dict[str, Any], shop: Shop, currency: str) -> dict[str, Any]:
    variant = shop.variants.get(line["variant_id"]) if line.get("variant_id") else None
    if variant is not None:
        return {
            "__typename": "OrderStagedChangeAddVariant",
            "quantity": line["quantity"],
            "variant": variant_node(variant, shop),
        }
    return {
        "__typename": "OrderStagedChangeAddCustomItem",
        "quantity": line["quantity"],
        "title": line["title"],
        "originalUnitPrice": money(line["unit_price"], currency),
    }


def _line_item(line: dict[str, Any], shop: Shop, currency: str) -> dict[str, Any]:
    """The original LineItem a staged change refers to (the order's own node for it)."""
    return _line_item_node(line, shop, currency)


def _session_lines(session: dict[str, Any]) -> list[dict[str, Any]]:
    return session["lines"] + session["added"]


def _calculated_total(order: Order, session: dict[str, Any]) -> tuple[Decimal, Decimal, int]:
    """(subtotal, total, quantity) of the order as it would be once the session commits."""
    subtotal = sum((line["unit_price"] * line["quantity"] for line in _session_lines(session)), Decimal(0))
    shipping = sum((s["price"] for s in session.get("shipping", []) if s["status"] != "REMOVED"), Decimal(0))
    delta = subtotal - order_lifecycle.current_subtotal(order) + shipping - order_lifecycle.current_shipping(order)
    total = order_lifecycle.current_total(order) + delta
    return subtotal, total, sum(line["quantity"] for line in _session_lines(session))


def calculated_order_node(order: Order, session: dict[str, Any], shop: Shop) -> dict[str, Any]:
    currency = order.currency
    subtotal, total, quantity = _calculated_total(order, session)
    lines = [_calculated_line_node(line, order, shop) for line in _session_lines(session)]
    added = [node for node, line in zip(lines, _session_lines(session), strict=True) if line.get("added")]
    staged = [change for node in lines for change in node["stagedChanges"]]

    def connection(items: list[dict[str, Any]], kind: str):
        return lambda _info, **args: paginate(
            items,
            kind=kind,
            id_of=lambda n: int(n["id"].rsplit("/", 1)[1]) if "id" in n else id(n),
            node_of=dict,
            **{k: v for k, v in args.items() if k in ("first", "after", "last", "before", "reverse")},
        )

    return {
        "__typename": "CalculatedOrder",
        "id": f"gid://shopify/CalculatedOrder/{session['id']}",
        "committed": session["committed"],
        "originalOrder": order_node(order, shop),
        "lineItems": connection(lines, "CalculatedLineItem"),
        "addedLineItems": connection(added, "CalculatedLineItem"),
        "stagedChanges": connection(
            [dict(c, id=f"gid://shopify/OrderStagedChange/{i}") for i, c in enumerate(staged, 1)], "OrderStagedChange"
        ),
        "addedDiscountApplications": connection([], "CalculatedDiscountApplication"),
        "subtotalLineItemsQuantity": quantity,
        "subtotalPriceSet": money_bag(subtotal, currency),
        "totalPriceSet": money_bag(total, currency),
        "totalOutstandingSet": money_bag(total - order_lifecycle.net_payment(order), currency),
        "cartDiscountAmountSet": money_bag(Decimal(0), currency),
        "taxLines": [],
        "shippingLines": [_calculated_shipping_node(s, currency) for s in session.get("shipping", [])],
        "notificationPreviewTitle": f"Order {order.name} was updated",
        "notificationPreviewHtml": None,
    }


def _calculated_shipping_node(line: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "__typename": "CalculatedShippingLine",
        "id": f"gid://shopify/CalculatedShippingLine/{line['id']}",
        "title": line["title"],
        "price": money_bag(line["price"], currency),
        "stagedStatus": line["status"],
    }


def _edit_payload(typename: str, order: Order, session: dict[str, Any], shop: Shop, line=None) -> dict[str, Any]:
    payload = {
        "__typename": typename,
        "calculatedOrder": calculated_order_node(order, session, shop),
        "orderEditSession": {"__typename": "OrderEditSession", "id": f"gid://shopify/OrderEditSession/{session['id']}"},
        "userErrors": [],
    }
    if typename != "OrderEditBeginPayload":
        payload["calculatedLineItem"] = _calculated_line_node(line, order, shop) if line is not None else None
    return payload


# --- mutations -----------------------------------------------------------------------------------


def begin_errors(ctx: ExecutionContext, order: Order | None) -> list[dict[str, Any]]:
    if order is None:
        return [_error(["id"], "The order does not exist")]
    if order.created_by_client and order.created_by_client != ctx.token.client_id:
        return [_error(["id"], "The order cannot be edited: it was created by another app")]
    if order.cancelled_at:
        return [_error(["id"], "The order cannot be edited: it is cancelled")]
    if order.currency != ctx.shop.currency:
        return [_error(["id"], "The order cannot be edited: it is not in the store's currency")]
    return []


def order_edit_begin(ctx: ExecutionContext, id: str) -> dict[str, Any]:  # noqa: A002 - GraphQL's name
    state, shop = ctx.state, ctx.shop
    state.count("order_edit_begin_calls")
    with state.lock:
        order = order_lifecycle.find_order(shop, id)
        errors = begin_errors(ctx, order)
        if errors:
            return _failed("OrderEditBeginPayload", errors)
        session = {
            "id": state.next_id(),
            "client_id": ctx.token.client_id,
            "created_at": now_iso(),
            "committed": False,
            "lines": [
                dict(
                    line,
                    quantity=order_lifecycle.current_quantity(line),
                    quantity_before=order_lifecycle.current_quantity(line),
                )
                for line in order.line_items
            ],
            "added": [],
            "shipping": [
                {"id": line["id"], "title": line["title"], "price": line["price"], "status": "NONE"}
                for line in order.shipping_lines
                if not line.get("removed")
            ],
        }
        order.edit_sessions[session["id"]] = session
        return _edit_payload("OrderEditBeginPayload", order, session, shop)


def _open_session(ctx: ExecutionContext, id: str, typename: str):  # noqa: A002
    order, session = _find_session(ctx.shop, id)
    if session is None:
        return None, None, _failed(typename, [_error(["id"], "The calculated order does not exist")])
    if session["client_id"] != ctx.token.client_id:
        return None, None, _failed(typename, [_error(["id"], "The calculated order does not exist")])
    if session["committed"]:
        return None, None, _failed(typename, [_error(["id"], "The order edit has already been committed")])
    if order.cancelled_at:
        return None, None, _failed(typename, [_error(["id"], "The order cannot be edited: it is cancelled")])
    return order, session, None


def order_edit_add_variant(
    ctx: ExecutionContext,
    id: str,
    variantId: str,
    quantity: int,
    allowDuplicates: bool = False,
    **_: Any,  # noqa: A002, N803
) -> dict[str, Any]:
    typename = "OrderEditAddVariantPayload"
    with ctx.state.lock:
        order, session, failed = _open_session(ctx, id, typename)
        if failed:
            return failed
        number = gid_number(variantId, "ProductVariant")
        variant = ctx.shop.variants.get(number) if number is not None else None
        if variant is None:
            return _failed(typename, [_error(["variantId"], "The variant does not exist")])
        if quantity <= 0:
            return _failed(typename, [_error(["quantity"], "Quantity must be greater than 0")])
        if not allowDuplicates and any(
            line.get("variant_id") == variant.id and line["quantity"] > 0 for line in _session_lines(session)
        ):
            return _failed(typename, [_error(["variantId"], "The variant is already on the order")])
        line = _new_line(
            ctx,
            variant_id=variant.id,
            title=variant.product_title,
            sku=variant.sku,
            quantity=quantity,
            price=variant.price,
        )
        line["variant_title"] = variant.title
        session["added"].append(line)
        return _edit_payload(typename, order, session, ctx.shop, line)


def order_edit_add_custom_item(
    ctx: ExecutionContext,
    id: str,
    title: str,
    price: dict,
    quantity: int,
    taxable: bool = True,  # noqa: A002
    requiresShipping: bool = False,
    **_: Any,  # noqa: N803
) -> dict[str, Any]:
    typename = "OrderEditAddCustomItemPayload"
    with ctx.state.lock:
        order, session, failed = _open_session(ctx, id, typename)
        if failed:
            return failed
        try:
            amount = Decimal(str(price["amount"]))
        except (InvalidOperation, KeyError, TypeError):
            amount = Decimal(-1)
        if amount < 0:
            return _failed(typename, [_error(["price"], "Price must be greater than or equal to 0")])
        if price.get("currencyCode") != order.currency:
            return _failed(typename, [_error(["price"], "Price currency must match the order's currency")])
        if quantity <= 0:
            return _failed(typename, [_error(["quantity"], "Quantity must be greater than 0")])
        if not title.strip():
            return _failed(typename, [_error(["title"], "Title can't be blank")])
        line = _new_line(ctx, variant_id=None, title=title, sku=None, quantity=quantity, price=amount)
        line["taxable"], line["requires_shipping"] = taxable is not False, requiresShipping is True
        session["added"].append(line)
        return _edit_payload(typename, order, session, ctx.shop, line)


def _new_line(ctx: ExecutionContext, *, variant_id, title, sku, quantity, price) -> dict[str, Any]:
    return {
        "id": ctx.state.next_id(),
        "added": True,
        "variant_id": variant_id,
        "title": title,
        "variant_title": None,
        "sku": sku,
        "vendor": None,
        "quantity": quantity,
        "quantity_before": 0,
        "unit_price": price,
        "requires_shipping": True,
        "taxable": True,
        "gift_card": False,
        "properties": [],
        "tax_lines": [],
    }


def order_edit_set_quantity(
    ctx: ExecutionContext,
    id: str,
    lineItemId: str,
    quantity: int,
    restock: bool | None = None,
    **_: Any,  # noqa: A002, N803
) -> dict[str, Any]:
    typename = "OrderEditSetQuantityPayload"
    with ctx.state.lock:
        order, session, failed = _open_session(ctx, id, typename)
        if failed:
            return failed
        number = gid_number(lineItemId, "CalculatedLineItem")
        line = next((x for x in _session_lines(session) if x["id"] == number), None)
        if line is None:
            return _failed(typename, [_error(["lineItemId"], "The line item does not exist on the calculated order")])
        if quantity < 0:
            return _failed(typename, [_error(["quantity"], "Quantity can't be negative")])
        fulfilled = order_lifecycle.fulfilled_quantity(order, line)
        if quantity < fulfilled:
            message = f"Quantity can't be less than the fulfilled quantity ({fulfilled})"
            return _failed(typename, [_error(["quantity"], message)])
        if line.get("added") and quantity == 0:
            session["added"].remove(line)
            line = dict(line, quantity=0)
        else:
            line["quantity"] = quantity
            line["restock"] = bool(restock) and quantity < line.get("quantity_before", quantity)
        return _edit_payload(typename, order, session, ctx.shop, line)


def order_edit_commit(
    ctx: ExecutionContext,
    id: str,
    notifyCustomer: bool | None = None,
    staffNote: str | None = None,  # noqa: A002, N803
) -> dict[str, Any]:
    state, shop = ctx.state, ctx.shop
    state.count("order_edit_commit_calls")
    with state.lock:
        order, session, failed = _open_session(ctx, id, "OrderEditCommitPayload")
        if failed:
            return {
                "__typename": "OrderEditCommitPayload",
                "order": None,
                "successMessages": None,
                "userErrors": failed["userErrors"],
            }
        changes = commit_session(state, shop, order, session)
        if staffNote:
            order.staff_notes.append(staffNote)
        order_lifecycle.touch(
            order, actor="app", kind="edit", detail={"changes": changes, "notify_customer": bool(notifyCustomer)}
        )
        ctx.changed_orders.append(order.id)
        return {
            "__typename": "OrderEditCommitPayload",
            "order": order_node(order, shop),
            "successMessages": ["Order updated"],
            "userErrors": [],
        }


def commit_session(state, shop: Shop, order: Order, session: dict[str, Any]) -> list[dict[str, Any]]:
    """Apply a session's staged changes to the order (caller holds the lock)."""
    changes, stamp = [], now_iso()
    by_id = {line["id"]: line for line in order.line_items}
    for staged in session["lines"]:
        line = by_id[staged["id"]]
        before, after = order_lifecycle.current_quantity(line), staged["quantity"]
        if before == after:
            continue
        line["current_quantity"] = after
        line["quantity"] = max(line["quantity"], after)
        variant = shop.variants.get(line["variant_id"]) if line.get("variant_id") else None
        if variant is not None and (after > before or staged.get("restock")):
            variant.inventory_quantity -= after - before
        if after < before:
            order_fulfilment_sync.remove_units(order, line["id"], before - after, stamp)
        else:
            order_fulfilment_sync.add_units(state, order, [(line["id"], after - before)], stamp)
        changes.append({"sku": line.get("sku"), "title": line["title"], "from": before, "to": after})
    order_fulfilment_sync.add_units(state, order, [(a["id"], a["quantity"]) for a in session["added"]], stamp)
    for added in session["added"]:
        line = {k: v for k, v in added.items() if k not in ("added", "quantity_before", "restock")}
        order.line_items.append(line)
        variant = shop.variants.get(line["variant_id"]) if line.get("variant_id") else None
        if variant is not None:
            variant.inventory_quantity -= line["quantity"]
        changes.append({"sku": line.get("sku"), "title": line["title"], "from": 0, "to": line["quantity"]})
    changes += _commit_shipping(state, order, session)
    session["committed"] = True
    order.edited = True
    order_lifecycle.recompute_financial_status(order)
    return changes


# --- shipping lines ------------------------------------------------------------------------------


def _shipping_failed(typename: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    payload = {"__typename": typename, "calculatedOrder": None, "orderEditSession": None, "userErrors": errors}
    if typename == "OrderEditAddShippingLinePayload":
        payload["calculatedShippingLine"] = None
    return payload


def _shipping_error(typename: str, field: list[str], message: str) -> dict[str, Any]:
    error_type = typename.removesuffix("Payload") + "UserError"
    return {"__typename": error_type, "field": field, "message": message, "code": "INVALID"}


def _shipping_session(ctx: ExecutionContext, id: str, typename: str):  # noqa: A002
    order, session, failed = _open_session(ctx, id, typename)
    if failed:
        message = failed["userErrors"][0]["message"]
        return None, None, _shipping_failed(typename, [_shipping_error(typename, ["id"], message)])
    return order, session, None


def _shipping_price(order: Order, price: Any) -> Decimal | str:
    """The price of a shipping line input, or the userError's message."""
    try:
        amount = Decimal(str(price["amount"]))
    except (InvalidOperation, KeyError, TypeError):
        return "Price is invalid"
    if amount < 0:
        return "Price must be greater than or equal to 0"
    if price.get("currencyCode") != order.currency:
        return "Price currency must match the order's currency"
    return amount


def _staged_shipping(
    typename: str, session: dict[str, Any], gid: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The session's shipping line ``gid`` (not one removed in it), or the payload refusing it."""
    number = gid_number(gid or "", "CalculatedShippingLine")
    line = next((s for s in session["shipping"] if s["id"] == number), None)
    if line is None or line["status"] == "REMOVED":
        message = "The shipping line does not exist on the calculated order"
        return None, _shipping_failed(typename, [_shipping_error(typename, ["shippingLineId"], message)])
    return line, None


def _shipping_payload(typename: str, order: Order, session: dict[str, Any], shop: Shop, line=None) -> dict[str, Any]:
    payload = {
        "__typename": typename,
        "calculatedOrder": calculated_order_node(order, session, shop),
        "orderEditSession": {"__typename": "OrderEditSession", "id": f"gid://shopify/OrderEditSession/{session['id']}"},
        "userErrors": [],
    }
    if typename == "OrderEditAddShippingLinePayload":
        payload["calculatedShippingLine"] = _calculated_shipping_node(line, order.currency)
    return payload


def order_edit_add_shipping_line(ctx: ExecutionContext, id: str, shippingLine: dict, **_: Any) -> dict[str, Any]:  # noqa: A002, N803
    typename = "OrderEditAddShippingLinePayload"
    with ctx.state.lock:
        order, session, failed = _shipping_session(ctx, id, typename)
        if failed:
            return failed
        price = _shipping_price(order, shippingLine.get("price"))
        if isinstance(price, str):
            return _shipping_failed(typename, [_shipping_error(typename, ["shippingLine", "price"], price)])
        title = (shippingLine.get("title") or "").strip()
        if not title:
            message = "Title can't be blank"
            return _shipping_failed(typename, [_shipping_error(typename, ["shippingLine", "title"], message)])
        line = {"id": ctx.state.next_id(), "title": title, "price": price, "status": "ADDED"}
        session["shipping"].append(line)
        return _shipping_payload(typename, order, session, ctx.shop, line)


def order_edit_remove_shipping_line(ctx: ExecutionContext, id: str, shippingLineId: str, **_: Any) -> dict[str, Any]:  # noqa: A002, N803
    typename = "OrderEditRemoveShippingLinePayload"
    with ctx.state.lock:
        order, session, failed = _shipping_session(ctx, id, typename)
        if failed:
            return failed
        line, refused = _staged_shipping(typename, session, shippingLineId)
        if refused:
            return refused
        if line["status"] == "ADDED":
            session["shipping"].remove(line)
        else:
            line["status"] = "REMOVED"
        return _shipping_payload(typename, order, session, ctx.shop)


def order_edit_update_shipping_line(
    ctx: ExecutionContext,
    id: str,  # noqa: A002
    shippingLine: dict,  # noqa: N803
    shippingLineId: str,  # noqa: N803
    **_: Any,
) -> dict[str, Any]:
    typename = "OrderEditUpdateShippingLinePayload"
    with ctx.state.lock:
        order, session, failed = _shipping_session(ctx, id, typename)
        if failed:
            return failed
        line, refused = _staged_shipping(typename, session, shippingLineId)
        if refused:
            return refused
        if line["status"] != "ADDED":
            message = "Only a shipping line added in this edit can be updated: remove it and add a new one"
            return _shipping_failed(typename, [_shipping_error(typename, ["shippingLineId"], message)])
        if shippingLine.get("price") is not None:
            price = _shipping_price(order, shippingLine["price"])
            if isinstance(price, str):
                return _shipping_failed(typename, [_shipping_error(typename, ["shippingLine", "price"], price)])
            line["price"] = price
        if shippingLine.get("title") is not None:
            if not shippingLine["title"].strip():
                message = "Title can't be blank"
                return _shipping_failed(typename, [_shipping_error(typename, ["shippingLine", "title"], message)])
            line["title"] = shippingLine["title"].strip()
        return _shipping_payload(typename, order, session, ctx.shop)


def _commit_shipping(state, order: Order, session: dict[str, Any]) -> list[dict[str, Any]]:
    """Apply a session's staged shipping lines: removed ones stay on the order, marked removed."""
    changes = []
    by_id = {line["id"]: line for line in order.shipping_lines}
    for staged in session.get("shipping", []):
        if staged["status"] == "REMOVED" and staged["id"] in by_id:
            by_id[staged["id"]]["removed"] = True
            changes.append({"shipping_line": staged["title"], "from": f"{staged['price']:.2f}", "to": None})
        elif staged["status"] == "ADDED":
            order.shipping_lines.append(
                {
                    "id": staged["id"],
                    "title": staged["title"],
                    "code": None,
                    "source": None,
                    "price": staged["price"],
                    "tax_lines": [],
                    "custom": True,
                }  # fmt: skip
            )
            changes.append({"shipping_line": staged["title"], "from": None, "to": f"{staged['price']:.2f}"})
    return changes
