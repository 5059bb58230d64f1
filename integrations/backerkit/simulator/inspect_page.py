"""``GET /_simulator/``: what the simulated BackerKit holds and received, for a person (the demo, a
failing test's author): projects, whether the API is down, pending faults, and every shipment and
cancellation the app sent back, newest first."""

from datetime import UTC, datetime
from html import escape

from integrations.backerkit.simulator.state import SimulatorState


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def render(state: SimulatorState) -> str:
    with state.lock:
        snapshot = state.snapshot()
        shipments = sorted(state.shipments.shipments.items(), key=lambda kv: kv[1]["received_at"], reverse=True)
        cancellations = sorted(state.shipments.cancellations.items(), key=lambda kv: kv[1]["received_at"], reverse=True)
        down = state.down
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
    projects = "".join(
        f"<li>{escape(pid)}: {escape(p['name'])} ({escape(p['currency'])}), "
        f"{p['orders']} orders, {p['locked']} locked</li>"
        for pid, p in snapshot["projects"].items()
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>BackerKit simulator</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}}</style></head><body>
<h1>BackerKit simulator</h1>
<p>API: <strong>{"down (every request answers 503)" if down else "up"}</strong>;
{len(snapshot["pending_faults"])} pending faults; {snapshot["api_requests"]} API requests so far.</p>
<h2>Projects</h2><ul>{projects or "<li>none</li>"}</ul>
<h2>Shipments received ({len(shipments)})</h2>
<table><tr><th>Project</th><th>Order</th><th>Shopify fulfilment</th><th>Status</th><th>Items</th><th>Tracking</th>
<th>Delivery</th><th>Versions</th><th>Received</th></tr>{"".join(rows)}</table>
<h2>Cancellations received ({len(cancellations)})</h2>
<table><tr><th>Project</th><th>Order</th><th>Reason</th><th>Received</th></tr>{"".join(cancelled)}</table>
</body></html>"""
