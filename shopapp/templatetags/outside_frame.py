"""``{% admin_app_url request %}``: for a page shown outside the Shopify admin (no session token),
the address of this app inside the shop's admin, when the request names a valid shop ("" if not)."""

from django import template

from integrations.shopify.domains import sanitize_shop_domain
from shopapp.install.oauth import embedded_admin_url

register = template.Library()


@register.simple_tag
def admin_app_url(request, shop: str = "") -> str:
    domain = sanitize_shop_domain(shop or (request.GET.get("shop", "") if request is not None else ""))
    return embedded_admin_url(shop=domain) if domain else ""
