"""A shop's connection state: connected, disconnected (with the merchant-readable reason) or
uninstalled, and storing the tokens that connect it.

Disconnecting pauses nothing by itself: the push finds the shop disconnected and parks its work as
paused. Connecting again, or uninstalling, is announced after commit (``integrations/shops/signals.py``);
the push domain resumes or pauses the shop's work on it.
"""

import logging

from django.db import transaction
from django.utils import timezone

from integrations.shops.models import Shop
from integrations.shops.signals import shop_connected, shop_uninstalled
from integrations.shops.tokens.grants import OfflineToken
from integrations.shops.tokens.scopes import missing_scopes, scopes_reduced_reason

logger = logging.getLogger(__name__)

Cause = Shop.DisconnectCause

UNINSTALLED_REASON = "The app was uninstalled from this store. Install it again to resume pushing."


def disconnect_shop(*, shop_id: int, reason: str, cause: str = Cause.TOKEN_REFUSED) -> None:
    """The shop can no longer be pushed to until the merchant reconnects. Tokens are kept (a token
    that only lacks scopes still identifies the install); Reconnect replaces them."""
    now = timezone.now()
    with transaction.atomic():
        shop = Shop.objects.select_for_update().filter(id=shop_id).first()
        if shop is None or shop.status == Shop.Status.UNINSTALLED:
            return
        fields = {"status": Shop.Status.DISCONNECTED, "disconnected_reason": reason, "disconnect_cause": cause}
        if shop.status == Shop.Status.CONNECTED:
            fields["disconnected_at"] = now
        Shop.objects.filter(id=shop_id).update(**fields, updated_at=now)
    logger.warning("shop.disconnected", extra={"shop_id": shop_id, "cause": cause, "reason": reason})


def mark_connected(*, shop_id: int) -> None:
    """Connected again: the reason is cleared and the shop's paused work resumes after commit."""
    Shop.objects.filter(id=shop_id).update(
        status=Shop.Status.CONNECTED,
        disconnected_reason="",
        disconnected_at=None,
        disconnect_cause=Cause.NONE,
        updated_at=timezone.now(),
    )
    logger.info("shop.connected", extra={"shop_id": shop_id})
    transaction.on_commit(lambda: shop_connected.send(sender=Shop, shop_id=shop_id))


def mark_uninstalled(*, shop_id: int) -> None:
    """``app/uninstalled``: the tokens are gone (Shopify revoked them), the shop's work pauses."""
    now = timezone.now()
    Shop.objects.filter(id=shop_id).update(
        status=Shop.Status.UNINSTALLED,
        disconnected_reason=UNINSTALLED_REASON,
        disconnected_at=now,
        disconnect_cause=Cause.NONE,
        uninstalled_at=now,
        access_token="",
        access_token_expires_at=None,
        refresh_token="",
        refresh_token_expires_at=None,
        token_obtained_at=None,
        updated_at=now,
    )
    logger.info("shop.uninstalled", extra={"shop_id": shop_id})
    transaction.on_commit(lambda: shop_uninstalled.send(sender=Shop, shop_id=shop_id, reason=UNINSTALLED_REASON))


def store_token(*, shop_id: int, token: OfflineToken, kind: str) -> None:
    """The new access + refresh token pair, in one UPDATE (never one without the other)."""
    Shop.objects.filter(id=shop_id).update(
        access_token=token.access_token,
        access_token_expires_at=token.expires_at,
        refresh_token=token.refresh_token,
        refresh_token_expires_at=token.refresh_token_expires_at,
        token_kind=kind,
        scopes=token.scopes,
        token_obtained_at=timezone.now(),
        updated_at=timezone.now(),
    )


def connect_with_token(*, domain: str, token: OfflineToken, kind: str = Shop.TokenKind.EXPIRING) -> Shop:
    """Install, reinstall or Reconnect: store the token; connected when its scopes cover pushing,
    else disconnected with the missing scopes named."""
    with transaction.atomic():
        shop, created = Shop.objects.select_for_update().get_or_create(domain=domain)
        if created or shop.status == Shop.Status.UNINSTALLED or shop.installed_at is None:
            Shop.objects.filter(id=shop.id).update(installed_at=timezone.now(), uninstalled_at=None)
        store_token(shop_id=shop.id, token=token, kind=kind)
        missing = missing_scopes(token.scopes)
        if missing:
            # Out of "uninstalled" first, so the disconnect is recorded (with its time).
            Shop.objects.filter(id=shop.id).update(status=Shop.Status.CONNECTED)
            disconnect_shop(shop_id=shop.id, reason=scopes_reduced_reason(missing), cause=Cause.SCOPES_REDUCED)
        else:
            mark_connected(shop_id=shop.id)
    logger.info("shop.token_stored", extra={"shop_id": shop.id, "new_shop": created, "kind": kind})
    shop.refresh_from_db()
    return shop
