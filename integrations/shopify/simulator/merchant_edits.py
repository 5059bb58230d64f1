"""The merchant changes an order in the Shopify admin: control routes and a small page.

    POST /_simulator/shops/{shop}/orders/{id}/merchant_edit   JSON ``{"email", "phone", "note", "tags",
         "shippingAddress": {...}, "customAttributes", "poNumber"}`` (OrderInput without ``id``) or the
         page's form; -> the order as in orders.json (200), 400 ``{"error", "user_errors"}`` when
         Shopify would refuse it (the same checks as orderUpdate), 404 unknown shop or order.
    GET  /_simulator/shops/{shop}/orders/{id}/edit             the form (linked from the inspection page)

A staff member may change contact, address, tags and notes of any order, including orders an app
created (only their line items are the app's alone: docs/shopify-facts.md, "Editing"). The change
moves ``updatedAt`` and is recorded with actor ``merchant``, so the app can tell a merchant's edit
from its own. Webhooks for it: see webhooks.py (``orders/updated``, sent when the app subscribed).
"""

import html
from typing import Any

from integrations.shopify.simulator import order_lifecycle, order_update
from integrations.shopify.simulator.snapshot import order_json
from integrations.shopify.simulator.state import SimulatorState
from integrations.shopify.simulator.wire import Request, Response

_ADDRESS_FIELDS = (
    "firstName",
    "lastName",
    "company",
    "address1",
    "address2",
    "city",
    "provinceCode",
    "zip",
    "countryCode",
    "phone",
)


def _order(state: SimulatorState, params: dict[str, str]):
    shop = state.require_shop(params["shop"])
    order = order_lifecycle.find_order(shop, f"gid://shopify/Order/{params['order_id']}")
    if order is None:
        raise LookupError(f"no order {params['order_id']} on {params['shop']}")
    return shop, order


def _from_form(form: dict[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key in ("email", "phone", "note"):
        if form.get(key, "") != "":
            changes[key] = form[key]
    if "tags" in form:
        changes["tags"] = [t.strip() for t in form["tags"].split(",") if t.strip()]
    address = {key: form[f"shippingAddress.{key}"] for key in _ADDRESS_FIELDS if f"shippingAddress.{key}" in form}
    if address:
        changes["shippingAddress"] = {key: (value or None) for key, value in address.items()}
    return changes


def merchant_edit(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    from_form = "form-urlencoded" in request.headers.get("content-type", "")
    changes = _from_form(body) if from_form else dict(body)
    changes.pop("id", None)
    unknown = sorted(set(changes) - set(order_update.UPDATABLE))
    if unknown:
        raise ValueError(f"a merchant cannot change {', '.join(unknown)} here")
    with state.lock:
        _shop, order = _order(state, params)
        errors = order_update.update_errors(order, changes)
        if errors:
            user_errors = [{"field": e["field"], "message": e["message"]} for e in errors]
            return Response.json({"error": "Shopify refuses this change", "user_errors": user_errors}, status=400)
        order_update.apply_update(order, changes, actor="merchant")
        state.counters["merchant_edits"] += 1
        answer = order_json(order)
    if from_form:
        return Response.redirect(f"/_simulator/shops/{params['shop']}/orders/{params['order_id']}/edit")
    return Response.json(answer)


def edit_page(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    with state.lock:
        _shop, order = _order(state, params)
        data = order_json(order)
    address = data["shipping_address"] or {}

    def field(name: str, label: str, value: Any) -> str:
        shown = html.escape("" if value is None else str(value))
        return f'<label>{html.escape(label)} <input name="{html.escape(name)}" value="{shown}"></label><br>'

    fields = field("email", "Email", data["email"]) + field("phone", "Phone", data["phone"])
    fields += field("tags", "Tags (comma-separated)", ", ".join(data["tags"]))
    fields += "".join(field(f"shippingAddress.{key}", key, address.get(key)) for key in _ADDRESS_FIELDS)
    events = "".join(
        f"<li>{html.escape(e['at'])} {html.escape(e['actor'])} {html.escape(e['kind'])} "
        f"{html.escape(str(e['detail']))}</li>"
        for e in data["events"]
    )
    action = f"/_simulator/shops/{html.escape(params['shop'])}/orders/{html.escape(params['order_id'])}/merchant_edit"
    return Response.html(
        f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(data["name"])}</title></head>
<body style="font-family:system-ui,sans-serif;margin:2rem"><p><a href="/">All orders</a></p>
<h1>Order {html.escape(data["name"])} <small>({html.escape(data["display_financial_status"])}
{", cancelled" if data["cancelled_at"] else ""})</small></h1>
<p>Updated at {html.escape(data["updated_at"])} · current total {html.escape(data["current_total"])}
· net payment {html.escape(data["net_payment"])} · outstanding {html.escape(data["outstanding"])}</p>
<h2>Edit as the merchant</h2><form method="post" action="{action}">{fields}
<button type="submit">Save as the merchant</button></form>
<h2>History</h2><ul>{events or "<li>none</li>"}</ul></body></html>"""
    )
