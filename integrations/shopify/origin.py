"""Where a shop's Shopify endpoints live.

Every OAuth and Admin API URL the app builds for a shop starts with ``SHOPIFY_ORIGIN_TEMPLATE``
(``https://{shop}`` in production; ``http://127.0.0.1:8111/{shop}`` against the local simulator).
Shopify's own ``shopifyapp`` library hard-codes ``https://{shop}``; its calls go through
:func:`shopify_http_client`, whose transport rewrites that origin to the configured one, so the
library is used as it is and still never reaches a host the settings did not name.
"""

import httpx
from django.conf import settings

_PRODUCTION_TEMPLATE = "https://{shop}"


def shop_origin(shop: str) -> str:
    return settings.SHOPIFY_ORIGIN_TEMPLATE.format(shop=shop).rstrip("/")


def simulated_admin_origin(shop: str) -> str | None:
    """The origin whose admin frames the app when it talks to a simulator (None in production)."""
    url = httpx.URL(shop_origin(shop))
    origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
    return None if origin == f"https://{shop}" else origin


def admin_graphql_url(shop: str, api_version: str | None = None) -> str:
    return f"{shop_origin(shop)}/admin/api/{api_version or settings.SHOPIFY_API_VERSION}/graphql.json"


def authorize_url(shop: str) -> str:
    return f"{shop_origin(shop)}/admin/oauth/authorize"


def access_token_url(shop: str) -> str:
    return f"{shop_origin(shop)}/admin/oauth/access_token"


def rewrite_to_configured_origin(url: httpx.URL) -> httpx.URL:
    """``https://SHOP/path`` -> ``{SHOPIFY_ORIGIN_TEMPLATE}/path`` (unchanged in production)."""
    if settings.SHOPIFY_ORIGIN_TEMPLATE == _PRODUCTION_TEMPLATE or not url.host.endswith(".myshopify.com"):
        return url
    target = f"{shop_origin(url.host)}{url.raw_path.decode('ascii')}"
    return httpx.URL(target)


class OriginRewriteTransport(httpx.HTTPTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = rewrite_to_configured_origin(request.url)
        return super().handle_request(request)


def shopify_http_client() -> httpx.Client:
    """An httpx client for Shopify's OAuth endpoints (token exchange, refresh), with our timeouts."""
    connect, read = settings.SHOPIFY_TIMEOUT
    return httpx.Client(
        transport=OriginRewriteTransport(),
        timeout=httpx.Timeout(read, connect=connect),
        follow_redirects=False,
    )
