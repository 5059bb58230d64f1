"""Pausing and resuming a shop's push, and retrying records: the states the merchant and the
Success reps move by hand, and the ones the token lifecycle moves (disconnect, Reconnect)."""

import logging

from django.db import transaction

from integrations.orders.lane_tasks import start_lanes
from integrations.orders.models import PushRecord
from integrations.orders.services import lanes
from integrations.orders.services.variants import forget_variants
from integrations.shops.models import Shop

logger = logging.getLogger(__name__)

State = PushRecord.State


def pause_shop(*, shop_id: int, reason: str = "") -> int:
    """Pending work waits (paused, not failed, not lost) until the shop can be pushed to again."""
    paused = lanes.pause_pending(shop_id=shop_id)
    logger.info("push.paused", extra={"shop_id": shop_id, "records": paused, "reason": reason})
    return paused


def resume_shop(*, shop_id: int) -> int:
    """After Reconnect (or a rep's resume): paused records go back to pending and lanes start."""
    with transaction.atomic():
        shop = Shop.objects.select_for_update().get(id=shop_id)
        if not shop.is_connected or shop.pushes_paused:
            return 0
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
