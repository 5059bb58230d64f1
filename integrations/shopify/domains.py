"""Shop domains: the one place that says what a shop is called.

Shopify shop domains are ``name.myshopify.com`` (ShopifyAPI ``shopify/utils/shop_url.py``).
Anything else is refused, so a shop parameter can never point the app at another host.
"""

import re

_SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]\.myshopify\.com$")


def sanitize_shop_domain(value: str | None) -> str | None:
    """The shop's ``name.myshopify.com`` domain, or None when ``value`` is not one."""
    if not value or not isinstance(value, str):
        return None
    candidate = value.strip().lower()
    for prefix in ("https://", "http://"):
        if candidate.startswith(prefix):
            candidate = candidate[len(prefix) :]
    candidate = candidate.rstrip("/")
    if "." not in candidate:
        candidate = f"{candidate}.myshopify.com"
    return candidate if _SHOP_DOMAIN.match(candidate) else None
