"""Authenticating the embedded pages by App Bridge session tokens (id tokens).

Every request from the admin carries a fresh id token: ``Authorization: Bearer`` on fetches,
``id_token`` in the query on a page load (the admin adds it to the first one, static/shopapp/session.js
to links) or in the POST body (forms). The token is an HS256 JWT signed with the app secret (or the
previous secret while it is rotated), for our API key (``aud``), valid now (10 s leeway: App Bridge
sends ``nbf`` slightly in the future), issued by a shop admin whose ``dest`` is that same shop.
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

from integrations.shopify.domains import sanitize_shop_domain

logger = logging.getLogger(__name__)

RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"


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
    dest = urlparse(str(claims.get("dest", "")))
    shop_domain = sanitize_shop_domain(dest.hostname or "")
    if dest.scheme != "https" or not shop_domain or dest.hostname != shop_domain:
        raise InvalidSessionToken("dest is not a shop")
    return SessionToken(shop_domain=shop_domain, user_id=str(claims.get("sub", "")), claims=claims, raw=token)


def token_from_request(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header:
        return header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""
    if request.method == "POST":
        return request.POST.get("id_token", "") or request.GET.get("id_token", "")
    return request.GET.get("id_token", "")


def is_page_load(request: HttpRequest) -> bool:
    """A document request (the browser loading a page), not a fetch with a Bearer header."""
    return request.method in ("GET", "HEAD") and "Authorization" not in request.headers


def invalid_session_response(request: HttpRequest, *, reason: str) -> HttpResponse:
    logger.info("session_token.refused", extra={"path": request.path, "reason": reason})
    body = render_to_string("shopapp/session_invalid.html", {}, request=request)
    response = HttpResponse(body, status=401, content_type="text/html; charset=utf-8")
    response[RETRY_HEADER] = "1"
    return response


def bounce_url(request: HttpRequest, *, shop: str) -> str:
    """The bounce page that reloads ``request``'s page with a fresh id token (``shopify-reload``)."""
    query = request.GET.copy()
    query.pop("id_token", None)
    reload_path = request.path + (f"?{query.urlencode()}" if query else "")
    params = {"shop": shop, "shopify-reload": reload_path}
    if request.GET.get("host"):
        params["host"] = request.GET["host"]
    return f"{reverse('install:session_token')}?{urlencode(params)}"


def bounce_or_refuse(request: HttpRequest, *, reason: str) -> HttpResponse:
    shop = sanitize_shop_domain(request.GET.get("shop", ""))
    if is_page_load(request) and shop:
        return HttpResponseRedirect(bounce_url(request, shop=shop))
    return invalid_session_response(request, reason=reason)
