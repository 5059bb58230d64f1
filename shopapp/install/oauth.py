"""The authorization-code install (and Reconnect): a single-use ``state`` nonce, Shopify's authorize
URL, and the checks of the callback (HMAC, timestamp, shop, state) before the code is redeemed.
https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
"""

import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode

import shopify
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.shopify.domains import sanitize_shop_domain
from integrations.shopify.origin import authorize_url
from shopapp.models import OAuthState

STATE_LIFETIME = timedelta(minutes=10)
# Shopify signs the callback when it redirects; older than this is refused (replays), and a
# timestamp ahead of our clock by more than the leeway too.
CALLBACK_MAX_AGE_SECONDS = 3600
CLOCK_LEEWAY_SECONDS = 60


class CallbackRefused(Exception):
    """The callback is not a fresh, signed answer of Shopify to an install this app started."""


def strict_shop_domain(value: str | None) -> str | None:
    """``name.myshopify.com`` exactly (case aside); anything else, even if it could be repaired, is None."""
    domain = sanitize_shop_domain(value)
    return domain if domain and domain == (value or "").strip().lower() else None


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def redirect_uri() -> str:
    return f"{settings.APP_URL}/auth/callback"


def begin_install(*, shop: str) -> tuple[str, str]:
    """A new state nonce for ``shop``; returns (authorize URL, nonce)."""
    OAuthState.objects.filter(expires_at__lt=timezone.now()).delete()
    nonce = secrets.token_urlsafe(32)
    OAuthState.objects.create(nonce_digest=_digest(nonce), shop_domain=shop, expires_at=timezone.now() + STATE_LIFETIME)
    query = urlencode(
        {
            "client_id": settings.SHOPIFY_API_KEY,
            "scope": ",".join(settings.SHOPIFY_SCOPES),
            "redirect_uri": redirect_uri(),
            "state": nonce,
        }
    )
    return f"{authorize_url(shop)}?{query}", nonce


def _hmac_valid(params: dict[str, str]) -> bool:
    """ShopifyAPI's OAuth hmac (sorted query without ``hmac``, hex HMAC-SHA256, compare_digest),
    tried with the current and the previous secret. A subclass per secret instead of
    ``Session.setup``, which would set the secret globally."""
    for secret in (settings.SHOPIFY_API_SECRET, settings.SHOPIFY_API_SECRET_OLD):
        if secret and type("AppSession", (shopify.Session,), {"secret": secret}).validate_hmac(params):
            return True
    return False


def verify_callback(*, params: dict[str, str], cookie_state: str) -> str:
    """The shop of a valid callback; its state nonce is consumed (a replay is refused)."""
    if not _hmac_valid(params):
        raise CallbackRefused("The request was not signed by Shopify.")
    try:
        timestamp = int(params.get("timestamp", ""))
    except ValueError as exc:
        raise CallbackRefused("The request has no valid timestamp.") from exc
    now = time.time()
    if timestamp < now - CALLBACK_MAX_AGE_SECONDS or timestamp > now + CLOCK_LEEWAY_SECONDS:
        raise CallbackRefused("The request is too old or from the future.")
    shop = strict_shop_domain(params.get("shop"))
    if shop is None:
        raise CallbackRefused("The shop is not a myshopify.com domain.")
    state = params.get("state", "")
    if not state or not hmac.compare_digest(state.encode(), (cookie_state or "").encode()):
        raise CallbackRefused("The install was not started in this browser (state mismatch).")
    with transaction.atomic():
        consumed, _ = OAuthState.objects.filter(
            nonce_digest=_digest(state), shop_domain=shop, expires_at__gte=timezone.now()
        ).delete()
    if consumed != 1:
        raise CallbackRefused("The install link was already used or has expired.")
    if not params.get("code"):
        raise CallbackRefused("Shopify sent no authorization code.")
    return shop


def embedded_admin_url(*, shop: str) -> str:
    """Where the merchant lands after installing: the app inside their Shopify admin."""
    template = getattr(settings, "SHOPIFY_ADMIN_URL_TEMPLATE", "https://admin.shopify.com/store/{store}/apps/{api_key}")
    return template.format(shop=shop, store=shop.removesuffix(".myshopify.com"), api_key=settings.SHOPIFY_API_KEY)
