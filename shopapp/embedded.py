"""The decorator every embedded page wears: a valid session token, then the shop with a usable
offline token (managed install by token exchange when there is none yet). Its responses may be
framed by the shop's admin (and only by it: shopapp/frame_protection.py) and are never stored by a
cache: the pages show customers' names and addresses."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from shopapp.frame_protection import frameable_in_admin
from shopapp.install.managed import ManagedInstallFailed, ensure_offline_token
from shopapp.session_tokens import (
    InvalidSessionToken,
    bounce_or_refuse,
    decode_session_token,
    invalid_session_response,
    is_page_load,
    refuse_reused,
    token_from_request,
    token_in_url,
)
from shopapp.used_tokens import first_use


def embedded_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Require a valid session token; set ``request.shop_domain``, ``request.shop`` (with a usable
    offline token where Shopify gives one) and ``request.shopify_user_id``."""

    @frameable_in_admin
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = _authenticated(request, *args, **kwargs)
        add_never_cache_headers(response)  # no-store, private
        return response

    def _authenticated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raw = token_from_request(request)
        if not raw:
            return bounce_or_refuse(request, reason="missing")
        try:
            session = decode_session_token(token=raw)
        except InvalidSessionToken as exc:
            # A page reloaded with its (minute-old) token: fetch a fresh one. Anything else: 401.
            if exc.expired and is_page_load(request) and token_in_url(request):
                return bounce_or_refuse(request, reason="expired")
            return invalid_session_response(request, reason=str(exc))
        if token_in_url(request) and not first_use(jti=str(session.claims["jti"]), expires_at=session.claims["exp"]):
            return refuse_reused(request)
        request.shop_domain = session.shop_domain
        request.shopify_user_id = session.user_id
        request.session_token = session
        try:
            request.shop = ensure_offline_token(session=session)
        except ManagedInstallFailed as exc:
            if exc.invalid_id_token:
                return invalid_session_response(request, reason="token exchange refused the id token")
            body = render_to_string("shopapp/install_failed.html", {"message": exc.message}, request=request)
            return HttpResponse(body, status=502, content_type="text/html; charset=utf-8")
        return view(request, *args, **kwargs)

    return wrapper
