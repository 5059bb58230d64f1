"""Iframe protection for the embedded pages.

Shopify frames the app in its admin, so Django's ``X-Frame-Options: DENY`` cannot be sent. Every
HTML response instead carries ``Content-Security-Policy: frame-ancestors https://SHOP
https://admin.shopify.com`` for the requesting shop, and ``'none'`` when no shop is known. Against
a simulator (``SHOPIFY_ORIGIN_TEMPLATE`` not ``https://{shop}``) the simulator's origin is added,
since its simulated admin is what frames the app there.
https://shopify.dev/docs/apps/build/security/app-server/set-up-iframe-protection
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from integrations.shopify.domains import sanitize_shop_domain
from integrations.shopify.origin import simulated_admin_origin


def frame_ancestors_for(shop: str | None) -> str:
    if not shop:
        return "frame-ancestors 'none';"
    sources = [f"https://{shop}", "https://admin.shopify.com"]
    simulated = simulated_admin_origin(shop)
    if simulated:
        sources.append(simulated)
    return f"frame-ancestors {' '.join(sources)};"


def requesting_shop(request: HttpRequest) -> str | None:
    """The shop this request is for: the authenticated one, else a well-formed ?shop= parameter."""
    shop = getattr(request, "shop_domain", None)
    if shop:
        return shop
    return sanitize_shop_domain(request.GET.get("shop", ""))


class FrameAncestorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = frame_ancestors_for(requesting_shop(request))
        return response
