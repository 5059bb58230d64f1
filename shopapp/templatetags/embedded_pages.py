"""Template helpers for the embedded pages: links that keep the admin's ``shop`` and ``host``.

App Bridge reads ``host`` and ``shop`` from the page's query; every link and redirect carries them
so the next page loads inside the admin again. The id token itself is added at click time by
static/shopapp/session.js (a token in a server-rendered link would be stale within a minute).
"""

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from django import template
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils.safestring import mark_safe

from integrations.shopify.domains import host_names_shop
from shopapp.pages import wording
from shopapp.templatetags.money import format_money

register = template.Library()

KEEP = ("shop", "host", "embedded", "locale")


def admin_query(request) -> dict[str, str]:
    """``shop`` is always the authenticated shop (never the query's); ``host`` only when it names
    that shop's admin (base64 of admin.shopify.com/store/NAME or NAME.myshopify.com/admin)."""
    source = request.GET if request.method == "GET" else request.POST
    query = {key: source.get(key) or request.GET.get(key, "") for key in KEEP}
    shop = getattr(request, "shop_domain", "") or ""
    query["shop"] = shop
    if query["host"] and not host_names_shop(query["host"], shop):
        query["host"] = ""
    return {key: value for key, value in query.items() if value}


def app_url(request, name: str, *args, **params) -> str:
    """The one app-URL builder: a page of the app with the admin's query kept (and ``params``,
    empty ones dropped). Links, redirects and the templates' ``page_url`` all come through here."""
    query = {**admin_query(request), **{k: v for k, v in params.items() if v not in ("", None)}}
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


@register.simple_tag(takes_context=True)
def page_url(context, name: str, *args, **params) -> str:
    return app_url(context["request"], name, *args, **params)


# The query's filters and page numbers that a link to another page of the same list keeps.
FILTERS = ("state", "financial_status", "q", "page", "shipment", "wave", "changes_page")


@register.simple_tag(takes_context=True)
def page_query(context, **params) -> str:
    """The current list's query (admin parameters and filters) with ``params`` replaced."""
    request = context["request"]
    query = {**admin_query(request), **{k: request.GET[k] for k in FILTERS if request.GET.get(k)}}
    for key, value in params.items():
        if value in ("", None):
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + urlencode(query)


@register.filter
def money(amount, currency: str = "") -> str:
    """English formatting in the currency's own digits; pages use ``{% money %}`` (the merchant's locale)."""
    return format_money(amount, currency)


STATE_TONES = {
    "pushed": "success",
    "pending": "info",
    "pushing": "info",
    "paused": "warning",
    "needs_attention": "warning",
    "failed": "critical",
}


@register.filter
def state_tone(state: str) -> str:
    return STATE_TONES.get(state, "info")


register.filter("financial_label", wording.financial_label)
register.filter("inventory_label", wording.inventory_label)


@register.filter
def financial_tone(status: str) -> str:
    return {"PAID": "success", "PARTIALLY_PAID": "attention"}.get(status, "info")


@register.filter
def order_admin_url(record, shop_domain: str) -> str:
    """The order in the Shopify admin (``gid://shopify/Order/123`` -> .../admin/orders/123)."""
    order_id = (record.shopify_order_id or "").rsplit("/", 1)[-1]
    return f"https://{shop_domain}/admin/orders/{order_id}" if order_id else ""


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.simple_tag
def inline_stylesheet(path: str) -> str:
    """A stylesheet's text, to inline in <style>: the page is never laid out unstyled first (a
    layout shift), and the first paint needs no second request. Read once per process."""
    return mark_safe(_stylesheet(path))  # noqa: S308 - our own static file, not user input


@lru_cache(maxsize=8)
def _stylesheet(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    return Path(found).read_text(encoding="utf-8").replace("</", "<\\/")
