"""The safety net under the queue: finds work that lost its message and starts it again.

Runs every 30 s (beat). Claims held by a dead lane (worker killed) go back to pending; a shop
with claimable pending records and no live lane gets its lanes again (a Redis restart may have
lost the queued messages). The lane semaphore keeps extra kicks harmless.
"""

import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from integrations.orders.change_lane_tasks import start_change_lanes
from integrations.orders.lane_tasks import start_lanes
from integrations.orders.models import PushRecord
from integrations.orders.services import change_claims, change_lanes, claims
from integrations.shops.models import Shop

logger = logging.getLogger(__name__)


def sweep() -> dict[str, int]:
    recovered = claims.recover_abandoned(lease_seconds=settings.PUSH_CLAIM_LEASE_SECONDS)
    now = timezone.now()
    shop_ids = (
        PushRecord.objects.filter(state=PushRecord.State.PENDING)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .filter(shop__status=Shop.Status.CONNECTED, shop__pushes_paused=False, shop__push_hold="")
        # A shop backing off after a lane crash is left alone until the backoff ends.
        .filter(Q(shop__push_backoff_until__isnull=True) | Q(shop__push_backoff_until__lte=now))
        .order_by()  # without the model's ordering (id), DISTINCT is per shop, not per record
        .values_list("shop_id", flat=True)
        .distinct()
    )
    kicked = 0
    for shop_id in shop_ids:
        start_lanes(shop_id=shop_id)
        kicked += 1
    changes_recovered = change_claims.recover_abandoned(lease_seconds=settings.PUSH_CLAIM_LEASE_SECONDS)
    for shop_id in change_lanes.shops_with_due_changes():
        start_change_lanes(shop_id=shop_id)
    if recovered or kicked:
        logger.info("push.sweep", extra={"recovered": recovered, "shops_kicked": kicked})
    if changes_recovered:
        logger.info("change.sweep", extra={"recovered": changes_recovered})
    return {"recovered": recovered, "shops_kicked": kicked}
