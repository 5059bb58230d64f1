"""The merchant, through the web: installing the app and clicking Reconnect are the same flow --
the app's install URL, Shopify's authorize page (the simulator approves at once), the app's OAuth
callback redeeming the code -- over real HTTP against gunicorn and the Shopify simulator."""

import httpx

from drills.stack import DrillError


def install_through_web(*, web_url: str, shop: str, path: str = "") -> None:
    """``path``: the app's install link as the page shows it (the Reconnect button's href);
    by default ``/auth/install?shop=SHOP``."""
    with httpx.Client(timeout=60, follow_redirects=False) as browser:
        start = browser.get(f"{web_url}{path or '/auth/install'}", params=None if path else {"shop": shop})
        authorize = _redirect(start, "the app's install URL")
        approved = browser.get(authorize)
        callback = _redirect(approved, "Shopify's authorize page")
        if not callback.startswith(web_url):
            raise DrillError(f"Shopify sent the merchant to {callback}, not to the app")
        landed = browser.get(callback)
        _redirect(landed, "the app's OAuth callback")


def _redirect(response: httpx.Response, step: str) -> str:
    if response.status_code != 302 or "location" not in response.headers:
        raise DrillError(f"{step} answered {response.status_code}: {response.text[:300]}")
    return response.headers["location"]
