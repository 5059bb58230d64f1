"""``GET /{shop}/admin/apps/{api_key}[/path]``: a stand-in for the Shopify admin framing the app.

The app is loaded in an iframe with the query an app home gets (``embedded, hmac, host, id_token,
locale, session, shop, timestamp``, signed like OAuth redirects). App Bridge's CDN script cannot
reach a simulated admin, so the page also answers ``postMessage({type: "shopify-simulator:id-token"})``
from the frame with ``{type: "shopify-simulator:id-token", idToken}``, a freshly minted id token.
https://shopify.dev/docs/apps/build/admin/embedded-app-home
"""

import html
import json
import secrets
import time
from urllib.parse import urlencode, urlsplit

from integrations.shopify.simulator.id_tokens import mint_id_token
from integrations.shopify.simulator.oauth import host_param, sign_query
from integrations.shopify.simulator.state import SimulatorState
from integrations.shopify.simulator.wire import Request, Response

MESSAGE_TYPE = "shopify-simulator:id-token"


def render(state: SimulatorState, domain: str, api_key: str, app_path: str, request: Request) -> Response:
    config = state.config
    if api_key != config.api_key:
        return Response.html("<h1>404: no such app</h1>", status=404)
    shop = state.get_shop(domain) or state.upsert_shop(domain)
    user_id = request.arg("user_id", "1")
    id_token = mint_id_token(api_key=config.api_key, api_secret=config.api_secret, shop=domain, user_id=user_id)
    params = {
        "embedded": "1",
        "host": host_param(shop),
        "id_token": id_token,
        "locale": "en",
        "session": secrets.token_hex(16),
        "shop": domain,
        "timestamp": str(int(time.time())),
    }
    params["hmac"] = sign_query(params, config.api_secret)
    src = f"{config.app_url.rstrip('/')}/{app_path.lstrip('/')}?{urlencode(params)}"
    app_origin = "{0.scheme}://{0.netloc}".format(urlsplit(config.app_url))
    mint_url = f"/_simulator/shops/{domain}/id_token"
    script = f"""
const frame = document.getElementById("app-frame");
window.addEventListener("message", async (event) => {{
  const data = event.data;
  if (event.origin !== {json.dumps(app_origin)} || !data || data.type !== {json.dumps(MESSAGE_TYPE)}) return;
  const answer = await fetch({json.dumps(mint_url)}, {{method: "POST", headers: {{"Content-Type": "application/json"}},
    body: JSON.stringify({{user_id: {json.dumps(user_id)}}})}});
  const {{id_token}} = await answer.json();
  event.source.postMessage({{type: {json.dumps(MESSAGE_TYPE)}, idToken: id_token}}, event.origin);
}});"""
    return Response.html(
        f"""<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(shop.name)} · Shopify admin (simulated)</title>
<style>body{{margin:0;font-family:system-ui}}header{{background:#1a1a1a;color:#fff;padding:.5rem 1rem}}
iframe{{border:0;width:100%;height:calc(100vh - 2.5rem)}}</style></head>
<body><header>Shopify admin (simulated) · {html.escape(domain)}</header>
<iframe id="app-frame" title="app" src="{html.escape(src)}"></iframe>
<script>{script}</script></body></html>"""
    )
