"""A store asking for its orders to be sent: push every waiting order now, or retry stopped ones.

Refusals are ``PushNotPossible`` with a code the pages word (shopapp/pages/wording.py).
"""

import logging

from django.db import transaction
from django.utils import timezone

from integrations.orders.lane_tasks import start_lanes
from integrations.orders.models import PushRecord
from integrations.orders.services import lifecycle
from integrations.shops.models import Shop

logger = logging.getLogger(__name__)

State = PushRecord.State


class PushNotPossible(Exception):
    DISCONNECTED = "disconnected"
    PAUSED_BY_SUPPORT = "paused_by_support"

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def start_push(*, shop_id: int) -> int:
    """Send every waiting order now. Returns how many orders are queued."""
    shop = Shop.objects.get(id=shop_id)
    if not shop.is_connected:
        raise PushNotPossible(PushNotPossible.DISCONNECTED)
    if shop.pushes_paused:
        raise PushNotPossible(PushNotPossible.PAUSED_BY_SUPPORT)
    with transaction.atomic():
        Shop.objects.filter(id=shop_id).update(push_requested_at=timezone.now())
        PushRecord.objects.filter(shop_id=shop_id, state=State.PAUSED).update(state=State.PENDING)
        queued = PushRecord.objects.filter(shop_id=shop_id, state=State.PENDING).count()
        if queued:
            start_lanes(shop_id=shop_id)
    logger.info("push_requests.started", extra={"shop_id": shop_id, "records": queued})
    return queued


def retry(*, shop_id: int, record_ids: list[int] | None) -> int:
    """Queue the store's failed and needs-attention orders again (``None``: all of them)."""
    shop = Shop.objects.get(id=shop_id)
    if not shop.is_connected:
        raise PushNotPossible(PushNotPossible.DISCONNECTED)
    with transaction.atomic():
        Shop.objects.filter(id=shop_id).update(push_requested_at=timezone.now())
        return lifecycle.retry_records(shop_id=shop_id, record_ids=record_ids)
