"""The push holding a shop by itself: Shopify froze or locked the store, or lanes kept crashing.

Neither is a rep's pause (``Shop.pushes_paused``) nor a disconnect (the token is fine): the hold
lives in ``Shop.push_hold`` with a reason written for the merchant, who sees it on every page (the
health banner), as the staff console does. While held, the shop's waiting records are paused: none
is failed, none is lost.

- Frozen (402) or locked (423): held at the first such answer; a periodic check
  (``lifecycle.check_held_shop``) asks Shopify and resumes the shop once it answers again.
- Lane crashes: an error about the shop, not one order (the variant query refused, the database
  refusing a statement...), hands the batch back and backs the whole shop off, longer each time in a
  row; all lanes crashing during one backoff count once. After ``PUSH_MAX_LANE_CRASHES`` in a row
  the shop is held until a rep resumes it; a batch pushed without a crash resets the count.
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.orders.services import claims
from integrations.shopify.errors import ShopifyShopUnavailable
from integrations.shops.models import Shop

logger = logging.getLogger(__name__)

Hold = Shop.PushHold

UNAVAILABLE_REASONS = {
    Hold.FROZEN: (
        "Your Shopify store is frozen (Shopify's bill is unpaid); pushing resumes when Shopify unfreezes it. "
        "No order is lost."
    ),
    Hold.LOCKED: "Your Shopify store is locked by Shopify; pushing resumes when Shopify unlocks it. No order is lost.",
}
HELD_BY_SHOPIFY = (Hold.FROZEN, Hold.LOCKED)


def crashing_reason(*, crashes: int, error_id: str) -> str:
    return (
        f"Pushing stopped after {crashes} unexpected errors in a row (error id {error_id}). No order is lost: "
        f"BackerKit support can resume pushing; give them the error id {error_id}."
    )


@dataclass(frozen=True)
class Crash:
    crashes: int  # in a row, this one included
    retry_at: datetime | None  # when lanes may try again (None: the shop is held)
    held: bool


def hold_shop(*, shop_id: int, hold: str, reason: str) -> int:
    """Hold the shop's push with ``reason``; its waiting records pause. Returns how many paused."""
    now = timezone.now()
    Shop.objects.filter(id=shop_id).update(push_hold=hold, push_hold_reason=reason, push_held_at=now, updated_at=now)
    paused = claims.pause_pending(shop_id=shop_id)
    logger.warning("push.held", extra={"shop_id": shop_id, "hold": hold, "records": paused})
    return paused


def hold_unavailable(*, shop_id: int, error: ShopifyShopUnavailable) -> int:
    """Shopify answered 402 or 423: the store is closed to every app until Shopify reopens it."""
    hold = Hold.FROZEN if error.kind == ShopifyShopUnavailable.FROZEN else Hold.LOCKED
    return hold_shop(shop_id=shop_id, hold=hold, reason=UNAVAILABLE_REASONS[hold])


def clear_hold(*, shop_id: int) -> bool:
    """The shop may be pushed to again (Shopify answers, a rep resumed, the merchant reconnected).
    The crash count starts over. Returns whether there was a hold."""
    cleared = Shop.objects.filter(id=shop_id).exclude(push_hold="", push_crashes=0).update(
        push_hold="", push_hold_reason="", push_held_at=None, push_crashes=0, push_backoff_until=None,
        updated_at=timezone.now(),
    )  # fmt: skip
    if cleared:
        logger.info("push.hold_cleared", extra={"shop_id": shop_id})
    return bool(cleared)


def record_lane_crash(*, shop_id: int, error_id: str) -> Crash:
    """Count a lane crash; back the shop off, or hold it after too many in a row."""
    now = timezone.now()
    with transaction.atomic():
        shop = Shop.objects.select_for_update().only("push_crashes", "push_backoff_until", "push_hold").get(id=shop_id)
        if shop.push_hold:
            return Crash(crashes=shop.push_crashes, retry_at=None, held=True)
        if shop.push_backoff_until is not None and shop.push_backoff_until > now:
            # Another lane crashed on the same problem during this backoff: one crash, not two.
            return Crash(crashes=shop.push_crashes, retry_at=shop.push_backoff_until, held=False)
        crashes = shop.push_crashes + 1
        if crashes >= settings.PUSH_MAX_LANE_CRASHES:
            Shop.objects.filter(id=shop_id).update(push_crashes=crashes, push_backoff_until=None)
            hold_shop(shop_id=shop_id, hold=Hold.CRASHING, reason=crashing_reason(crashes=crashes, error_id=error_id))
            return Crash(crashes=crashes, retry_at=None, held=True)
        retry_at = now + crash_backoff(crashes)
        Shop.objects.filter(id=shop_id).update(push_crashes=crashes, push_backoff_until=retry_at)
    logger.warning("push.shop_backoff", extra={"shop_id": shop_id, "crashes": crashes, "error_id": error_id,
                                                "retry_at": retry_at.isoformat()})  # fmt: skip
    return Crash(crashes=crashes, retry_at=retry_at, held=False)


def crash_backoff(crashes: int) -> timedelta:
    """``PUSH_CRASH_BACKOFF_SECONDS``, doubled for each crash in a row (with jitter), at most 15 min."""
    seconds = min(settings.PUSH_CRASH_BACKOFF_SECONDS * 2 ** max(crashes - 1, 0), 900)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.0))


def reset_crashes(*, shop_id: int) -> None:
    """A batch went through without a crash: the count in a row starts over."""
    Shop.objects.filter(id=shop_id, push_crashes__gt=0, push_hold="").update(push_crashes=0, push_backoff_until=None)


def backoff_remaining(*, shop_id: int) -> float:
    """Seconds until the shop's lanes may try again after a crash (0: now)."""
    until = Shop.objects.filter(id=shop_id).values_list("push_backoff_until", flat=True).first()
    return max((until - timezone.now()).total_seconds(), 0.0) if until else 0.0
