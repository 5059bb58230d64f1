"""Install, callback and the id-token bounce page. Thin: checks and services live in oauth.py,
tokens/ and managed.py."""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from integrations.shopify.domains import sanitize_shop_domain
from integrations.shops.details import record_shop_details
from integrations.shops.tokens.connection import connect_with_token
from integrations.shops.tokens.grants import GrantRefused, GrantUnavailable, redeem_authorization_code
from shopapp.install.links import install_url
from shopapp.install.oauth import (
    CallbackRefused,
    begin_install,
    embedded_admin_url,
    strict_shop_domain,
    verify_callback,
)

logger = logging.getLogger(__name__)

STATE_COOKIE = "shopify_oauth_state"


def _problem(request: HttpRequest, *, message: str, status: int, shop: str | None = None) -> HttpResponse:
    retry = install_url(shop) if shop else ""
    return render(request, "shopapp/install_failed.html", {"message": message, "retry_url": retry}, status=status)


@require_GET
def install(request: HttpRequest) -> HttpResponse:
    """``/auth/install?shop=NAME.myshopify.com``: to Shopify's authorize page. Inside the admin's
    iframe (``embedded=1``) the top window is sent here first: Shopify's OAuth pages cannot be
    framed, and the state cookie must be set at the top level."""
    shop = strict_shop_domain(request.GET.get("shop"))
    if shop is None:
        return _problem(request, message="That is not a Shopify store address (name.myshopify.com).", status=400)
    if request.GET.get("embedded") == "1":
        top_url = request.build_absolute_uri(install_url(shop))
        request.shop_domain = shop
        request.frameable_in_admin = True  # runs in the admin's iframe (shopapp/frame_protection.py)
        return render(request, "shopapp/breakout.html", {"url": top_url, "shop": shop})
    url, nonce = begin_install(shop=shop)
    response = HttpResponseRedirect(url)
    response.set_cookie(
        STATE_COOKIE, nonce, max_age=600, httponly=True, secure=request.is_secure(), samesite="Lax", path="/auth/"
    )
    return response


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """``/auth/callback``: Shopify's signed redirect with the authorization code."""
    params = {key: request.GET.get(key, "") for key in request.GET}
    try:
        shop = verify_callback(params=params, cookie_state=request.COOKIES.get(STATE_COOKIE, ""))
    except CallbackRefused as exc:
        logger.warning("install.callback_refused", extra={"reason": str(exc)})
        retry_shop = strict_shop_domain(params.get("shop"))
        return _problem(request, message=f"{exc} Start the installation again.", status=400, shop=retry_shop)
    try:
        token = redeem_authorization_code(shop=shop, code=params["code"])
    except (GrantRefused, GrantUnavailable) as exc:
        logger.warning("install.code_refused", extra={"shop": shop, "code": exc.code})
        return _problem(request, message="Shopify did not confirm the installation. Try again.", status=502, shop=shop)
    record = connect_with_token(domain=shop, token=token)
    record_shop_details(shop_id=record.id)
    logger.info("install.completed", extra={"shop": shop, "shop_id": record.id})
    response = HttpResponseRedirect(embedded_admin_url(shop=shop))
    response.delete_cookie(STATE_COOKIE, path="/auth/")
    return response


@require_GET
def session_token_bounce(request: HttpRequest) -> HttpResponse:
    """``/auth/session-token?shop&shopify-reload=PATH``: a page that only loads App Bridge; App Bridge
    reloads PATH with a fresh ``id_token`` (static/shopapp/session.js does it without App Bridge).
    Shopify's ``app_home_patch_id_token`` page, plus the offline fallback."""
    shop = sanitize_shop_domain(request.GET.get("shop", ""))
    reload_path = request.GET.get("shopify-reload", "")
    if not shop or not reload_path.startswith("/") or reload_path.startswith("//") or "\\" in reload_path:
        return _problem(request, message="Open the app from your Shopify admin.", status=400)
    request.shop_domain = shop  # frame-ancestors for this shop
    request.frameable_in_admin = True  # runs in the admin's iframe (shopapp/frame_protection.py)
    response = render(request, "shopapp/session_bounce.html", {"reload_path": reload_path, "shop": shop})
    response["Link"] = '<https://cdn.shopify.com/shopifycloud/app-bridge.js>; rel="preload"; as="script";'
    return response
