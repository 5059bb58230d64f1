"""``GET /`` of the BackerKit simulator: its projects and orders, and forms that change, cancel or
refund an order as the creator would in BackerKit (each form posts to the control API)."""

import html
import json
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


def render(state: SimulatorState) -> str:
    with state.lock:
        projects = [
            (p.id, p.currency, [p.orders[oid] for oid in sorted(p.lock_sequence, key=p.lock_sequence.get)])
            for p in state.projects.values()
        ]
    sections = "".join(
        f"<h2>{html.escape(pid)} ({html.escape(currency)})</h2><table><tr><th>Order</th><th>Status</th>"
        f"<th>Updated at</th><th>Amount paid</th><th>Change</th><th>Cancel / refund</th></tr>"
        + "".join(_order_row(pid, o) for o in orders[-200:] if isinstance(o, dict))
        + "</table>"
        for pid, currency, orders in projects
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>BackerKit simulator</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem}}td,th{{border:1px solid #ccc;padding:.3rem}}
table{{border-collapse:collapse}}input{{width:7rem}}</style></head><body><h1>BackerKit simulator</h1>
<p><a href="/_simulator/state.json">state.json</a></p>{sections or "<p>No projects yet.</p>"}</body></html>"""
