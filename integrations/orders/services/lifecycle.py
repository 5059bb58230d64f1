"""Pausing and resuming a shop's push, and retrying records: the states the merchant and the
Success reps move by hand, the ones the token lifecycle moves (disconnect, Reconnect), and the
periodic check that resumes a shop Shopify had frozen or locked (``holds.py``)."""

import logging

from django.db import transaction

from integrations.orders.documents import SHOP_INFO
from integrations.orders.lane_tasks import start_lanes
from integrations.orders.models import PushRecord
from integrations.orders.services import claims, holds, lanes
from integrations.orders.services.variants import forget_variants
from integrations.shopify.errors import ShopifyError, ShopifyShopUnavailable, ShopifyUnauthorized
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for

logger = logging.getLogger(__name__)

State = PushRecord.State


def pause_shop(*, shop_id: int, reason: str = "") -> int:
    """Pending work waits (paused, not failed, not lost) until the shop can be pushed to again."""
    paused = claims.pause_pending(shop_id=shop_id)
    logger.info("push.paused", extra={"shop_id": shop_id, "records": paused, "reason": reason})
    return paused


def resume_shop(*, shop_id: int) -> int:
    """After Reconnect, a rep's resume or Shopify reopening the store: the push's own hold is lifted
    (if Shopify still refuses, the next call holds it again), paused records go back to pending and
    lanes start."""
    with transaction.atomic():
        shop = Shop.objects.select_for_update().get(id=shop_id)
        if not shop.is_connected or shop.pushes_paused:
            return 0
        holds.clear_hold(shop_id=shop_id)
        resumed = PushRecord.objects.filter(shop_id=shop_id, state=State.PAUSED).update(state=State.PENDING)
        if resumed or lanes.has_pending(shop_id=shop_id):
            start_lanes(shop_id=shop_id)
    logger.info("push.resumed", extra={"shop_id": shop_id, "records": resumed})
    return resumed


def retry_records(*, shop_id: int, record_ids: list[int] | None = None) -> int:
    """Retry failed / needs-attention records (one, several, or all of the shop's). Orders refused
    as invalid input are not retried: they change only when BackerKit sends them corrected."""
    records = PushRecord.objects.filter(
        shop_id=shop_id, state__in=[State.FAILED, State.NEEDS_ATTENTION], invalid_input=False
    )
    if record_ids is not None:
        records = records.filter(id__in=record_ids)
    shop = Shop.objects.get(id=shop_id)
    forget_variants(shop=shop.domain)  # the merchant may have added the missing products
    with transaction.atomic():
        count = records.update(state=State.PENDING, attempts=0, not_before=None, last_error="")
        if count:
            start_lanes(shop_id=shop_id)
    return count


def shops_held_by_shopify() -> list[int]:
    """Connected shops whose push waits for Shopify to unfreeze or unlock the store."""
    return list(
        Shop.objects.filter(push_hold__in=holds.HELD_BY_SHOPIFY, status=Shop.Status.CONNECTED).values_list(
            "id", flat=True
        )
    )


def check_held_shop(*, shop_id: int) -> bool:
    """Ask Shopify (one cheap ``shop`` query) whether the store it froze or locked is open again;
    if it is, resume the push. Returns whether it resumed."""
    shop = Shop.objects.get(id=shop_id)
    if shop.push_hold not in holds.HELD_BY_SHOPIFY:
        return False
    try:
        admin_client_for(shop_id=shop_id).execute(SHOP_INFO)
    except ShopifyShopUnavailable as exc:
        if shop.push_hold != _hold_of(exc):
            holds.hold_unavailable(shop_id=shop_id, error=exc)  # frozen became locked, or the reverse
        logger.info("push.hold_checked", extra={"shop_id": shop_id, "hold": _hold_of(exc), "open": False})
        return False
    except ShopDisconnected:
        return False  # Reconnect resumes it (and lifts the hold)
    except ShopifyUnauthorized:
        pass  # the store answers: the lanes refresh the token or disconnect the shop, as always
    except ShopifyError as exc:
        logger.info("push.hold_check_failed", extra={"shop_id": shop_id, "error": type(exc).__name__})
        return False  # not an answer about the store: ask again at the next check
    logger.info("push.hold_checked", extra={"shop_id": shop_id, "hold": shop.push_hold, "open": True})
    resume_shop(shop_id=shop_id)
    return True


def _hold_of(error: ShopifyShopUnavailable) -> str:
    return Shop.PushHold.FROZEN if error.kind == ShopifyShopUnavailable.FROZEN else Shop.PushHold.LOCKED
