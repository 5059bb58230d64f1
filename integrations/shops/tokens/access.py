"""The one way the app gets an Admin API client for a shop, and what it does when Shopify refuses
the token.

``admin_client_for`` hands out a client with a token that works as far as we know: it refreshes an
expiring token about to expire and migrates a legacy non-expiring one first. When Shopify refuses
it anyway (401), ``recover_from_unauthorized`` refreshes (or migrates) once; when that is refused
too, the shop is disconnected with the reason and the caller pauses its work.
"""

import hmac
import logging
from datetime import timedelta

from django.utils import timezone

from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyTransient
from integrations.shops.models import Shop
from integrations.shops.tokens.connection import disconnect_shop
from integrations.shops.tokens.grants import GrantUnavailable
from integrations.shops.tokens.locks import shop_token_lock
from integrations.shops.tokens.migrate import Migration, migrate_legacy_token, migrate_while_locked
from integrations.shops.tokens.refresh import expires_soon, refresh_shop_token, refresh_while_locked

logger = logging.getLogger(__name__)

# A token obtained this recently and already refused is not replaced again: disconnect instead.
FRESH_TOKEN_SECONDS = 30

REFUSED_REASON = "Shopify refused the app's access token: {detail}. Reconnect to resume pushing."
CUSTOM_APP_REFUSED_REASON = (
    "Shopify refused the custom app's access token: {detail}. Create a new Admin API access token in "
    "the store's custom app and connect it again (manage.py connect_shop)."
)


class ShopDisconnected(Exception):
    """The shop cannot be pushed to until the merchant reconnects; ``reason`` says why."""

    def __init__(self, reason: str, *, shop_id: int):
        super().__init__(reason)
        self.reason = reason
        self.shop_id = shop_id


def _not_connected_reason(shop: Shop) -> str:
    if shop.status == Shop.Status.UNINSTALLED:
        return shop.disconnected_reason or "The app is not installed on this store."
    return shop.disconnected_reason or "The store is not connected to Shopify. Reconnect to resume pushing."


def admin_client_for(*, shop_id: int, just_read: Shop | None = None) -> AdminClient:
    """A client with the shop's current token. Raises ``ShopDisconnected`` when the shop is
    disconnected or uninstalled (or becomes so here, when a refresh or migration is refused).
    ``just_read``: the shop's row as the caller read it a moment ago (not read a second time)."""
    shop = just_read if just_read is not None and just_read.id == shop_id else Shop.objects.filter(id=shop_id).first()
    if shop is None:
        raise ShopDisconnected("The store is not installed.", shop_id=shop_id)
    if shop.token_kind == Shop.TokenKind.LEGACY and shop.status == Shop.Status.CONNECTED and shop.access_token:
        if migrate_legacy_token(shop_id=shop_id) is not Migration.UNAVAILABLE:
            shop.refresh_from_db()
    elif shop.status == Shop.Status.CONNECTED and expires_soon(shop):
        try:
            refresh_shop_token(shop_id=shop_id)
        except GrantUnavailable as exc:
            # The current token may still work for the minutes it has left; a 401 comes back here.
            logger.warning("token.refresh_unavailable", extra={"shop_id": shop_id, "error": exc.message})
        shop.refresh_from_db()
    if shop.status != Shop.Status.CONNECTED or not shop.access_token:
        raise ShopDisconnected(_not_connected_reason(shop), shop_id=shop_id)
    return AdminClient(shop=shop.domain, access_token=shop.access_token)


def recover_from_unauthorized(*, shop_id: int, failed_token: str, detail: str = "") -> bool:
    """After Shopify refused ``failed_token`` (401/403). True when a newer token is now stored (the
    caller may send again, once); False when the shop is now disconnected with the reason recorded.
    Raises ``ShopifyTransient`` (not ambiguous) when Shopify's token endpoint cannot answer: nothing
    changed, try again later."""
    try:
        with shop_token_lock(shop_id=shop_id):
            shop = Shop.objects.filter(id=shop_id).first()
            if shop is None or shop.status != Shop.Status.CONNECTED or not shop.access_token:
                return False
            if not hmac.compare_digest(shop.access_token.encode(), (failed_token or "").encode()):
                return True  # another worker already replaced it
            return _replace_refused_token(shop, detail=detail or "the token was refused")
    except GrantUnavailable as exc:
        raise ShopifyTransient(f"token renewal: {exc.message}", ambiguous=False) from exc


def _replace_refused_token(shop: Shop, *, detail: str) -> bool:
    """The caller holds the shop's token lock. Refresh or migrate once, else disconnect."""
    obtained = shop.token_obtained_at
    just_obtained = obtained is not None and timezone.now() - obtained < timedelta(seconds=FRESH_TOKEN_SECONDS)
    if shop.token_kind == Shop.TokenKind.CUSTOM_APP:
        disconnect_shop(shop_id=shop.id, reason=CUSTOM_APP_REFUSED_REASON.format(detail=detail))
        return False
    if just_obtained:
        disconnect_shop(shop_id=shop.id, reason=REFUSED_REASON.format(detail=detail))
        return False
    if shop.token_kind == Shop.TokenKind.LEGACY:
        # Shopify's 2027 cut-over refuses non-expiring tokens: migrate, or disconnect when refused.
        outcome = migrate_while_locked(shop)
        if outcome is Migration.UNAVAILABLE:
            raise GrantUnavailable("token migration unavailable", code="unavailable")
        return outcome is Migration.MIGRATED
    return refresh_while_locked(shop)
