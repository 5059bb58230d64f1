"""``GET /`` (and ``GET /_simulator/``) of the BackerKit simulator, for a person (the demo, a
failing test's author): its projects and orders, with forms that change, cancel or refund an order
as the creator would in BackerKit (each form posts to the control API); whether the API is down,
pending faults; and every shipment and cancellation the app sent back, newest first."""

import html
import json
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import parse_qs

from integrations.backerkit.simulator.state import SimulatorState

_ADDRESS = ("address1", "address2", "city", "region", "postal_code", "country_code")


def form_changes(body: str) -> dict[str, Any]:
    """A form's fields -> a control body: ``shipping_address.X`` fields nested, ``items`` as JSON."""
    form = {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
    changes: dict[str, Any] = {}
    address = {key.split(".", 1)[1]: value for key, value in form.items() if key.startswith("shipping_address.")}
    if any(address.values()):
        changes["shipping_address"] = {key: value for key, value in address.items() if value}
    for key in ("email", "amount_paid", "amount"):
        if form.get(key):
            changes[key] = form[key]
    if form.get("items"):
        changes["items"] = json.loads(form["items"])
    return changes


def _order_row(project_id: str, order: dict[str, Any]) -> str:
    order_id = str(order.get("id"))
    base = f"/_simulator/projects/{html.escape(project_id)}/orders/{html.escape(order_id)}"
    address = order.get("shipping_address") if isinstance(order.get("shipping_address"), dict) else {}
    inputs = "".join(
        f'<input name="shipping_address.{key}" placeholder="{key}" value="{html.escape(str(address.get(key) or ""))}">'
        for key in _ADDRESS
    )
    cells = (order_id, order.get("status", "locked"), order.get("updated_at", ""), order.get("amount_paid", ""))
    return (
        "<tr>"
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in cells)
        + f'<td><form method="post" action="{base}/change">{inputs}'
        f'<input name="amount_paid" placeholder="amount_paid"><button>Change</button></form></td>'
        f'<td><form method="post" action="{base}/cancel"><button>Cancel</button></form>'
        f'<form method="post" action="{base}/refund"><input name="amount" placeholder="all">'
        "<button>Refund</button></form></td></tr>"
    )


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def render(state: SimulatorState) -> str:
    with state.lock:
        projects = [
            (p.id, p.currency, [p.orders[oid] for oid in sorted(p.lock_sequence, key=p.lock_sequence.get)])
            for p in state.projects.values()
        ]
        snapshot = state.snapshot()
        shipments = sorted(state.shipments.shipments.items(), key=lambda kv: kv[1]["received_at"], reverse=True)
        cancellations = sorted(state.shipments.cancellations.items(), key=lambda kv: kv[1]["received_at"], reverse=True)
        down = state.down
    sections = "".join(
        f"<h2>{html.escape(pid)} ({html.escape(currency)})</h2><table><tr><th>Order</th><th>Status</th>"
        f"<th>Updated at</th><th>Amount paid</th><th>Change</th><th>Cancel / refund</th></tr>"
        + "".join(_order_row(pid, o) for o in orders[-200:] if isinstance(o, dict))
        + "</table>"
        for pid, currency, orders in projects
    )
    rows = []
    for (project, order_id, fulfillment_id), kept in shipments[:500]:
        body = kept["body"]
        tracking = "<br>".join(
            escape(f"{t.get('company') or ''} {t['number']}".strip())
            + (f' (<a href="{escape(t["url"])}">link</a>)' if t.get("url") else "")
            for t in body.get("tracking") or []
        )
        items = ", ".join(escape(f"{i['sku']} x{i['quantity']}") for i in body.get("line_items") or [])
        rows.append(
            f"<tr><td>{escape(project)}</td><td>{escape(order_id)}</td><td>{escape(fulfillment_id)}</td>"
            f"<td>{escape(body['status'])}</td><td>{items}</td><td>{tracking or '-'}</td>"
            f"<td>{escape(str(body.get('delivery_status') or '-'))}</td><td>{kept['versions']}</td>"
            f"<td>{_when(kept['received_at'])}</td></tr>"
        )
    cancelled = [
        f"<tr><td>{escape(project)}</td><td>{escape(order_id)}</td><td>{escape(str(kept['body'].get('reason') or '-'))}"
        f"</td><td>{_when(kept['received_at'])}</td></tr>"
        for (project, order_id), kept in cancellations[:500]
    ]
    projects_list = "".join(
        f"<li>{escape(pid)}: {escape(p['name'])} ({escape(p['currency'])}), "
        f"{p['orders']} orders, {p['locked']} locked</li>"
        for pid, p in snapshot["projects"].items()
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>BackerKit simulator</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}}input{{width:7rem}}</style>
</head><body><h1>BackerKit simulator</h1>
<p><a href="/_simulator/state.json">state.json</a> · <a href="/_simulator/shipments.json">shipments.json</a></p>
<p>API: <strong>{"down (every request answers 503)" if down else "up"}</strong>;
{len(snapshot["pending_faults"])} pending faults; {snapshot["api_requests"]} API requests so far.</p>
<h2>Projects</h2><ul>{projects_list or "<li>none</li>"}</ul>
{sections or "<p>No projects yet.</p>"}
<h2>Shipments received ({len(shipments)})</h2>
<table><tr><th>Project</th><th>Order</th><th>Shopify fulfilment</th><th>Status</th><th>Items</th><th>Tracking</th>
<th>Delivery</th><th>Versions</th><th>Received</th></tr>{"".join(rows)}</table>
<h2>Cancellations received ({len(cancellations)})</h2>
<table><tr><th>Project</th><th>Order</th><th>Reason</th><th>Received</th></tr>{"".join(cancelled)}</table>
</body></html>"""
