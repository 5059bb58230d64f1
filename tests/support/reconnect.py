"""The merchant's Reconnect, through the install flow and the Shopify simulator's approval."""

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from integrations.shops.models import Shop


def reconnect(client, sim_shop: Shop) -> None:
    """The merchant clicks Reconnect: the install flow runs again through Shopify's approval."""
    authorize = client.get("/auth/install", {"shop": sim_shop.domain})
    assert authorize.status_code == 302
    approved = httpx.get(authorize["Location"], follow_redirects=False, timeout=10)
    assert approved.status_code == 302, approved.text
    params = {k: v[0] for k, v in parse_qs(urlsplit(approved.headers["Location"]).query).items()}
    landed = client.get(f"/auth/callback?{urlencode(params)}")
    assert landed.status_code == 302, landed.content
