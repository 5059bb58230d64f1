"""Authenticating the embedded pages by App Bridge session tokens (id tokens).

Every request from the admin carries a fresh id token: ``Authorization: Bearer`` on fetches,
``id_token`` in the query on a page load (the admin adds it to the first one, static/shopapp/session.js
to links) or in the POST body (forms); ``token_from_request`` is the one place that reads it. The
token is an HS256 JWT signed with the app secret (or the previous secret while it is rotated), for
our API key (``aud``), with an expiry (``exp``: ShopifyAPI's decoder alone accepts a token without
one), valid now (10 s leeway: App Bridge sends ``nbf`` slightly in the future), issued by a shop
admin whose ``dest`` is that same shop. A token read from a URL opens one page, once
(shopapp/used_tokens.py); the app never puts one in a ``Location`` itself.
https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens

``embedded_view`` sets ``request.shop_domain``, ``request.shop`` (the Shop row: every query of the
view is scoped to it) and ``request.shopify_user_id``. A bad token is a 401 with
``X-Shopify-Retry-Invalid-Session-Request: 1`` (App Bridge retries with a fresh token), never a 500;
a page load without any token is sent to the bounce page, which reloads it with one. A shop without a
usable offline token gets one by token exchange first (Shopify's managed installation).
"""

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlparse

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from shopify import session_token as shopify_session_token

from integrations.shopify.domains import host_names_shop, sanitize_shop_domain

logger = logging.getLogger(__name__)

RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"
# Added to the page the bounce page reloads after a reused URL token: if that reload brings a used
# token again, it is refused instead of bounced once more (never a loop).
RELOADED_PARAM = "reloaded"


class InvalidSessionToken(Exception):
    """The id token is not one Shopify issued for this app and shop, now."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class SessionToken:
    shop_domain: str
    user_id: str
    claims: dict[str, Any] = field(repr=False)
    raw: str = field(repr=False)


def _secrets() -> list[str]:
    return [s for s in (settings.SHOPIFY_API_SECRET, settings.SHOPIFY_API_SECRET_OLD) if s]


def decode_session_token(*, token: str) -> SessionToken:
    """Verify and decode an id token (ShopifyAPI's decoder: signature, ``aud``, ``exp``/``nbf`` with
    10 s leeway, required claims, ``iss`` a shop admin matching ``dest``)."""
    if not token:
        raise InvalidSessionToken("no session token")
    first_error: shopify_session_token.SessionTokenError | None = None
    for secret in _secrets():
        try:
            claims = shopify_session_token.decode_from_header(f"Bearer {token}", settings.SHOPIFY_API_KEY, secret)
            break
        except shopify_session_token.SessionTokenError as exc:
            first_error = first_error or exc
    else:
        message = str(first_error) if first_error else "no secret configured"
        raise InvalidSessionToken(message, expired="expired" in message.lower()) from first_error
    if not isinstance(claims.get("exp"), int | float):
        raise InvalidSessionToken("the token has no expiry (exp)")
    dest = urlparse(str(claims.get("dest", "")))
    shop_domain = sanitize_shop_domain(dest.hostname or "")
    if dest.scheme != "https" or not shop_domain or dest.hostname != shop_domain:
        raise InvalidSessionToken("dest is not a shop")
    return SessionToken(shop_domain=shop_domain, user_id=str(claims.get("sub", "")), claims=claims, raw=token)


def _token_and_place(request: HttpRequest) -> tuple[str, str]:
    """The request's id token and where it was: ``header``, ``body``, ``url`` (or ``""``)."""
    header = request.headers.get("Authorization", "")
    if header:
        return (header[len("Bearer ") :].strip(), "header") if header.startswith("Bearer ") else ("", "")
    if request.method == "POST" and request.POST.get("id_token"):
        return request.POST["id_token"], "body"
    token = request.GET.get("id_token", "")
    return (token, "url") if token else ("", "")


def token_from_request(request: HttpRequest) -> str:
    """The id token of ``request``: ``Authorization: Bearer`` first, then a form's ``id_token``
    field, then the query's. Every reader of the token goes through here."""
    return _token_and_place(request)[0]


def token_in_url(request: HttpRequest) -> bool:
    """Whether the token ``token_from_request`` returns came in the URL (so is used once)."""
    return _token_and_place(request)[1] == "url"


def is_page_load(request: HttpRequest) -> bool:
    """A document request (the browser loading a page), not a fetch with a Bearer header."""
    return request.method in ("GET", "HEAD") and "Authorization" not in request.headers


def invalid_session_response(request: HttpRequest, *, reason: str) -> HttpResponse:
    logger.info("session_token.refused", extra={"path": request.path, "reason": reason})
    body = render_to_string("shopapp/session_invalid.html", {}, request=request)
    response = HttpResponse(body, status=401, content_type="text/html; charset=utf-8")
    response[RETRY_HEADER] = "1"
    return response


def bounce_url(request: HttpRequest, *, shop: str, reloaded: bool = False) -> str:
    """The bounce page that reloads ``request``'s page with a fresh id token (``shopify-reload``).
    ``host`` is kept only when it names the shop's admin."""
    query = request.GET.copy()
    query.pop("id_token", None)
    if reloaded:
        query[RELOADED_PARAM] = "1"
    reload_path = request.path + (f"?{query.urlencode()}" if query else "")
    params = {"shop": shop, "shopify-reload": reload_path}
    if host_names_shop(request.GET.get("host", ""), shop):
        params["host"] = request.GET["host"]
    return f"{reverse('install:session_token')}?{urlencode(params)}"


def bounce_or_refuse(request: HttpRequest, *, reason: str) -> HttpResponse:
    shop = sanitize_shop_domain(request.GET.get("shop", ""))
    if is_page_load(request) and shop:
        return HttpResponseRedirect(bounce_url(request, shop=shop))
    return invalid_session_response(request, reason=reason)


def refuse_reused(request: HttpRequest) -> HttpResponse:
    """A token already used in a URL (a reload, the back button, or a replay): a page load is sent
    for a fresh token once, as an expired one is; a second time, or anything else, is a 401."""
    shop = sanitize_shop_domain(request.GET.get("shop", ""))
    if is_page_load(request) and shop and request.GET.get(RELOADED_PARAM) != "1":
        return HttpResponseRedirect(bounce_url(request, shop=shop, reloaded=True))
    return invalid_session_response(request, reason="id token already used in a URL")
