"""What every embedded page needs: the admin's query kept on redirects, and the shop's health."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt

from integrations.shops.models import Shop
from shopapp.install.links import install_url
from shopapp.templatetags.embedded_pages import app_url

__all__ = [
    "ShopHealth",
    "redirect_to",
    "shop_health",
    "token_authenticated_form",
]


def token_authenticated_form(view):
    """Forms of the embedded pages are posted from the admin's cross-site iframe, where the
    browser withholds Django's CSRF cookie (third-party, SameSite=Lax). Their protection is the id
    token in the body instead: a fresh, one-minute token another site cannot read or forge, which
    ``embedded_view`` requires on every request. Use outside ``embedded_view`` only."""
    return csrf_exempt(view)


def redirect_to(request: HttpRequest, name: str, *args, **params) -> HttpResponseRedirect:
    """Post/redirect/get inside the admin. The ``Location`` carries the admin's ``shop`` and ``host``
    but never an id token (an address is kept by histories and logs): the GET arrives without one
    and ``embedded_view`` sends it through the bounce page, where App Bridge adds a fresh token."""
    return HttpResponseRedirect(app_url(request, name, *args, **params))


@dataclass(frozen=True)
class ShopHealth:
    tone: str  # success | critical | warning
    title: str
    text: str
    needs_reconnect: bool
    reconnect_url: str = ""


# Shopify's ACCESS_DENIED when the app is not approved for protected customer data names the
# data ("not approved to access the Customer object") and links to the page about it.
PROTECTED_DATA_MARKERS = ("protected-customer-data", "protected customer data", "not approved to")
PROTECTED_DATA_REFUSED = (
    "Shopify refused the backers' names, emails and addresses: this app is not yet approved for "
    "protected customer data (level 2) on stores other than development stores. BackerKit must have the "
    "access approved in Shopify's Partner Dashboard; reconnecting cannot fix it. Pushing is paused and no "
    "order is lost: contact your Success rep."
)


def refused_protected_customer_data(reason: str) -> bool:
    return any(marker in (reason or "").lower() for marker in PROTECTED_DATA_MARKERS)


def shop_health(shop: Shop) -> ShopHealth:
    if shop.status == Shop.Status.CONNECTED and shop.access_token:
        if shop.token_kind == Shop.TokenKind.LEGACY:
            return ShopHealth(
                "success",
                "Connected",
                "Connected. The access token is being moved to Shopify's expiring tokens; nothing to do.",
                False,
            )
        return ShopHealth(
            "success",
            "Connected",
            "Shopify accepts the app's access token. It is renewed automatically before it expires.",
            False,
        )
    reason = shop.disconnected_reason or "Shopify no longer accepts the app's access token."
    if refused_protected_customer_data(reason):
        # Reconnecting cannot help: the app itself lacks Shopify's approval, not this store's token.
        return ShopHealth("critical", "Shopify's approval needed", PROTECTED_DATA_REFUSED, False)
    if shop.token_kind == Shop.TokenKind.CUSTOM_APP:
        return ShopHealth("critical", "Disconnected", f"{reason} Pushing is paused; no order is lost.", False)
    since = f" since {shop.disconnected_at:%b %-d, %Y %H:%M} UTC" if shop.disconnected_at else ""
    return ShopHealth(
        "critical",
        "Disconnected",
        f"{reason} Pushing is paused{since}; no order is lost. Reconnect to resume.",
        True,
        install_url(shop.domain),  # Reconnect is an install again (OAuth at the top level, out of the frame)
    )
