"""Refreshing a shop's expiring offline token: before it expires (beat), and when Shopify refuses it.

Under the shop's token lock, so two workers never refresh at once: the second one waits, re-reads
the shop and uses the pair the first one stored. The new access + refresh token pair is stored in
one UPDATE. A refresh Shopify refuses disconnects the shop with the reason.
https://shopify.dev/changelog/offline-access-tokens-now-support-expiry-and-refresh
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.shops.models import Shop
from integrations.shops.tokens.connection import disconnect_shop, store_token
from integrations.shops.tokens.grants import GrantRefused, refresh_offline_token
from integrations.shops.tokens.locks import shop_token_lock

logger = logging.getLogger(__name__)


def refresh_margin() -> timedelta:
    """Refresh when the access token expires within this margin (before it is refused)."""
    return timedelta(seconds=getattr(settings, "SHOPIFY_TOKEN_REFRESH_MARGIN_SECONDS", 300))


def beat_lookahead() -> timedelta:
    """The beat refreshes every token expiring within this (several beat periods: one missed beat
    still leaves time)."""
    return timedelta(seconds=getattr(settings, "SHOPIFY_TOKEN_REFRESH_AHEAD_SECONDS", 900))


def expires_soon(shop: Shop, *, margin: timedelta | None = None) -> bool:
    if shop.token_kind != Shop.TokenKind.EXPIRING or shop.access_token_expires_at is None:
        return False
    return shop.access_token_expires_at - timezone.now() <= (margin if margin is not None else refresh_margin())


def refresh_reason(detail: str) -> str:
    return f"Shopify refused to renew the app's access token ({detail}). Reconnect to resume pushing."


def refresh_shop_token(*, shop_id: int, margin: timedelta | None = None) -> bool:
    """Refresh when the token expires within ``margin``. True when the shop now holds a token that
    does not expire within it (refreshed here or by another worker); False when the shop is
    disconnected (the refresh was refused). Raises ``GrantUnavailable`` when Shopify cannot answer."""
    with shop_token_lock(shop_id=shop_id):
        shop = Shop.objects.get(id=shop_id)
        if shop.status != Shop.Status.CONNECTED or not shop.access_token:
            return False
        if not expires_soon(shop, margin=margin):
            return True
        return refresh_while_locked(shop)


def refresh_while_locked(shop: Shop) -> bool:
    """The refresh itself; the caller holds the shop's token lock."""
    if not shop.refresh_token:
        disconnect_shop(shop_id=shop.id, reason=refresh_reason("no refresh token is stored"),
                        cause=Shop.DisconnectCause.REFRESH_REFUSED)  # fmt: skip
        return False
    try:
        token = refresh_offline_token(
            shop=shop.domain, refresh_token=shop.refresh_token, refresh_token_expires_at=shop.refresh_token_expires_at
        )
    except GrantRefused as exc:
        disconnect_shop(shop_id=shop.id, reason=refresh_reason(exc.code or exc.message),
                        cause=Shop.DisconnectCause.REFRESH_REFUSED)  # fmt: skip
        return False
    store_token(shop_id=shop.id, token=token, kind=Shop.TokenKind.EXPIRING)
    logger.info("token.refreshed", extra={"shop_id": shop.id, "expires_at": token.expires_at})
    return True


def shops_to_refresh(*, within: timedelta) -> list[int]:
    """Connected shops whose expiring token runs out within ``within`` (the beat's work list)."""
    return list(
        Shop.objects.filter(
            status=Shop.Status.CONNECTED,
            token_kind=Shop.TokenKind.EXPIRING,
            access_token_expires_at__lte=timezone.now() + within,
        )
        .exclude(access_token="")
        .values_list("id", flat=True)
    )
