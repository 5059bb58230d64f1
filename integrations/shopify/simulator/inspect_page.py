"""``GET /``: a small HTML page listing the shops and the orders they received, for people."""

import html

from integrations.shopify.simulator import bulk_control
from integrations.shopify.simulator.snapshot import snapshot
from integrations.shopify.simulator.state import SimulatorState

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
            )
        )
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
<th>Financial status</th><th>Tags</th><th>Transactions</th><th>Attributes</th></tr>{orders}</table>
</body></html>"""
