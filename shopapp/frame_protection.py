"""Iframe protection.

Shopify frames the embedded pages in its admin, so those cannot send ``X-Frame-Options: DENY``:
they carry ``Content-Security-Policy: frame-ancestors https://SHOP https://admin.shopify.com`` for
their shop instead (https://shopify.dev/docs/apps/build/security/app-server/set-up-iframe-protection).
Against a simulator (``SHOPIFY_ORIGIN_TEMPLATE`` not ``https://{shop}``) the simulator's origin is
added, since its simulated admin is what frames the app there.

Only a view marked ``frameable_in_admin`` is an embedded page (``embedded_view`` marks every one;
the id-token bounce page and the install breakout page are marked too, as they run in the admin's
iframe). Everything else -- Django admin, the staff console, install and error pages, health --
sends ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` whatever its ``?shop=`` says: honouring
the parameter there would let any store's storefront (``https://ANY.myshopify.com``) frame them.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from integrations.shopify.domains import sanitize_shop_domain
from integrations.shopify.origin import simulated_admin_origin

NOT_FRAMEABLE = "frame-ancestors 'none';"


def frame_ancestors_for(shop: str | None) -> str:
    if not shop:
        return NOT_FRAMEABLE
    sources = [f"https://{shop}", "https://admin.shopify.com"]
    simulated = simulated_admin_origin(shop)
    if simulated:
        sources.append(simulated)
    return f"frame-ancestors {' '.join(sources)};"


def requesting_shop(request: HttpRequest) -> str | None:
    """The shop an embedded page is for: the authenticated one, else a well-formed ?shop= parameter."""
    shop = getattr(request, "shop_domain", None)
    if shop:
        return shop
    return sanitize_shop_domain(request.GET.get("shop", ""))


def frameable_in_admin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark ``view``'s responses as embedded pages: the shop's admin may frame them."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.frameable_in_admin = True
        return view(request, *args, **kwargs)

    return wrapper


class FrameAncestorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "frameable_in_admin", False):
            content_type = response.get("Content-Type", "")
            if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
                response["Content-Security-Policy"] = frame_ancestors_for(requesting_shop(request))
            return response
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = NOT_FRAMEABLE
        response.setdefault("X-Frame-Options", "DENY")
        return response
