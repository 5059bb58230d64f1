"""Shop domains and admin hosts: the one place that says what a shop is called.

Shopify shop domains are ``name.myshopify.com`` (ShopifyAPI ``shopify/utils/shop_url.py``).
Anything else is refused, so a shop parameter can never point the app at another host. Every check
is a full match: ``re.match`` with ``$`` also accepts a value ending in a newline, which then breaks
a header (a 500) or slips into a URL.
"""

import base64
import binascii
import re

_SHOP_NAME = r"[a-z0-9][a-z0-9-]*[a-z0-9]"
_SHOP_DOMAIN = re.compile(rf"{_SHOP_NAME}\.myshopify\.com")
# App Bridge's ``host``: base64 of the shop's admin, new style or old style.
_ADMIN_HOST = re.compile(
    rf"admin\.shopify\.com/store/(?P<store>{_SHOP_NAME})|(?P<domain>{_SHOP_NAME}\.myshopify\.com)/admin"
)


def sanitize_shop_domain(value: str | None) -> str | None:
    """The shop's ``name.myshopify.com`` domain, or None when ``value`` is not one."""
    if not value or not isinstance(value, str):
        return None
    candidate = value.strip(" ").lower()
    for prefix in ("https://", "http://"):
        if candidate.startswith(prefix):
            candidate = candidate[len(prefix) :]
    candidate = candidate.rstrip("/")
    if "." not in candidate:
        candidate = f"{candidate}.myshopify.com"
    return candidate if _SHOP_DOMAIN.fullmatch(candidate) else None


def host_names_shop(host: str, shop: str) -> bool:
    """Whether ``host`` (base64url, padding optional) decodes to exactly ``admin.shopify.com/store/NAME``
    or ``NAME.myshopify.com/admin`` for ``shop``."""
    if not host or not shop:
        return False
    try:
        decoded = base64.urlsafe_b64decode(host + "=" * (-len(host) % 4)).decode("ascii")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    match = _ADMIN_HOST.fullmatch(decoded)
    if match is None:
        return False
    if match["store"]:
        return f"{match['store']}.myshopify.com" == shop
    return match["domain"] == shop
