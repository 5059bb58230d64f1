"""``GET /``: a small HTML page listing the shops and the orders they received, for people.

Each order shows its fulfilment orders (status, request status, holds) and fulfilments, with a form
that plays the warehouse or the merchant (``POST /_simulator/inspect/action``, form-encoded: the
same actions as the control API in fulfillment_control.py, webhooks included), then comes back here.
"""

import html

from integrations.shopify.simulator import bulk_control, fulfillment_control
from integrations.shopify.simulator.snapshot import snapshot
from integrations.shopify.simulator.state import SimulatorState
from integrations.shopify.simulator.wire import Request, Response

_ACTIONS = {
    "fulfil": ("fulfillments", "Fulfil"),
    "accept": ("accept", "Accept (fulfilment service)"),
    "hold": ("holds", "Hold (merchant)"),
    "cancel": ("cancel", "Cancel order (merchant)"),
}

_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;color:#202223}table{border-collapse:collapse;
margin-bottom:2rem}th,td{border:1px solid #c9cccf;padding:.3rem .6rem;text-align:left;font-size:.9rem}
th{background:#f6f6f7}code{font-size:.85rem}"""


def _cell(value: object) -> str:
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def render(state: SimulatorState, base_url: str) -> str:
    data = snapshot(state)
    shops = "".join(
        "<tr>"
        + "".join(
            _cell(v)
            for v in (
                s["domain"],
                s["plan"],
                s["currency"],
                "yes" if s["installed"] else "no",
                ", ".join(s["granted_scopes"]),
                len(s["variants"]),
                s["order_count"],
            )
        )
        + f'<td><a href="/_simulator/shops/{html.escape(s["domain"])}/orders.json">orders.json</a></td></tr>'
        for s in data["shops"]
    )
    orders = "".join(
        "<tr>"
        + "".join(
            _cell(v)
            for v in (
                o["shop"],
                o["name"],
                o["created_at"],
                o["source_identifier"],
                f"{o['total']} {o['currency']}",
                o["display_financial_status"],
                ", ".join(o["tags"]),
                "; ".join(f"{t['kind']} {t['amount']} {t['status']}" for t in o["transactions"]),
                "; ".join(f"{a['key']}={a['value']}" for a in o["custom_attributes"]),
                o["updated_at"],
                "cancelled" if o["cancelled_at"] else ("edited" if o["edited"] else ""),
                f"{o['outstanding']} {o['currency']}",
                o["display_fulfillment_status"],
                "; ".join(_fulfillment_order_text(fo) for fo in o["fulfillment_orders"]),
                "; ".join(_fulfillment_text(f) for f in o["fulfillments"]),
            )
        )
        + f"<td>{_form(o)}"
        + f'<br><a href="/_simulator/shops/{html.escape(o["shop"])}/orders/{o["id"]}/edit">edit as merchant</a></td>'
        + "</tr>"
        for o in reversed(data["orders"][-200:])
    )
    with state.lock:
        operations = [bulk_control.operation_json(op) for op in state.bulk.operations.values()]
    bulk = "".join(
        "<tr>"
        + "".join(
            _cell(v)
            for v in (
                op["id"],
                op["status"],
                op["error_code"] or "",
                op["lines"],
                op["done"],
                op["results"],
                op["created_at"],
                op["completed_at"] or "",
            )
        )  # fmt: skip
        + "</tr>"
        for op in reversed(operations[-50:])
    )
    counters = ", ".join(f"{k}: {v}" for k, v in sorted(data["counters"].items())) or "none yet"
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Shopify simulator</title>
<style>{_STYLE}</style></head><body>
<h1>Shopify simulator</h1>
<p>Origin template: <code>{html.escape(base_url)}/{{shop}}</code>
· app: <code>{html.escape(data["config"]["app_url"])}</code>
· <a href="/_simulator/state.json">state.json</a></p>
<p>Counters: {html.escape(counters)}</p>
<h2>Shops</h2><table><tr><th>Domain</th><th>Plan</th><th>Currency</th><th>Installed</th><th>Scopes</th>
<th>Variants</th><th>Orders</th><th></th></tr>{shops}</table>
<h2>Bulk operations (latest 50)</h2><table><tr><th>Id</th><th>Status</th><th>Error</th><th>Lines</th>
<th>Executed</th><th>Results</th><th>Created</th><th>Completed</th></tr>{bulk}</table>
<h2>Orders (latest 200)</h2><table><tr><th>Shop</th><th>Name</th><th>Created</th><th>Source id</th><th>Total</th>
<th>Financial status</th><th>Tags</th><th>Transactions</th><th>Attributes</th><th>Updated</th><th>State</th>
<th>Outstanding</th><th>Fulfilment</th><th>Fulfilment orders</th><th>Fulfilments</th><th>Warehouse / merchant</th></tr>
{orders}</table>
</body></html>"""


def _fulfillment_order_text(fo: dict) -> str:
    lines = ", ".join(
        f"{line['sku']} {line['remaining_quantity']}/{line['total_quantity']}" for line in fo["line_items"]
    )
    holds = "".join(f" held: {h['reason']} {h['reason_notes'] or ''}".rstrip() for h in fo["holds"])
    return f"{fo['status']} ({fo['request_status']}) [{lines}]{holds}"


def _fulfillment_text(f: dict) -> str:
    tracking = ", ".join(t["number"] for t in f["tracking"])
    return f"{f['name']} {f['display_status']} {tracking}".rstrip()


def _form(order: dict) -> str:
    options = "".join(f'<option value="{k}">{html.escape(label)}</option>' for k, (_p, label) in _ACTIONS.items())
    return (
        '<form method="post" action="/_simulator/inspect/action">'
        f'<input type="hidden" name="shop" value="{html.escape(order["shop"])}">'
        f'<input type="hidden" name="order" value="{order["id"]}">'
        f'<select name="action">{options}</select> '
        '<input name="skus" placeholder="SKU:qty,... (all)" size="14"> '
        '<input name="tracking" placeholder="tracking numbers" size="12"> '
        '<input name="company" placeholder="company" size="6"> <button>Go</button></form>'
    )


def act(state: SimulatorState, request: Request) -> Response:
    """The page's form: one warehouse or merchant action on one order, then back to the page."""
    form = request.form_or_json()
    action = form.get("action", "")
    if action not in _ACTIONS:
        return Response.json({"error": f"action must be one of {', '.join(_ACTIONS)}"}, status=400)
    body: dict = {}
    if action == "fulfil":
        pairs = [p.strip().partition(":") for p in (form.get("skus") or "").split(",") if p.strip()]
        if pairs:
            body["line_items"] = [{"sku": sku, "quantity": int(q or 1)} for sku, _sep, q in pairs]
        numbers = [n.strip() for n in (form.get("tracking") or "").split(",") if n.strip()]
        body["tracking"] = [{"number": n, "company": form.get("company") or None} for n in numbers]
    path = f"/_simulator/shops/{form.get('shop', '')}/orders/{form.get('order', '')}/{_ACTIONS[action][0]}"
    answer = fulfillment_control.dispatch(state, path, body)
    return answer if answer.status >= 400 else Response.redirect("/")
