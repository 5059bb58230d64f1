"""The change lane task and starting a shop's change lanes (as lane_tasks.py does for pushes)."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from integrations.orders.services import change_claims, change_lanes
from integrations.orders.task_policy import RETRY_TRANSIENT

logger = logging.getLogger(__name__)


@shared_task(name="orders.change_lane", ignore_result=True, **RETRY_TRANSIENT)
def change_lane(shop_id: int) -> None:
    in_process = bool(change_lane.app.conf.task_always_eager)
    budget = None if in_process else settings.PUSH_LANE_BUDGET_SECONDS
    report = change_lanes.run_change_lane(shop_id=shop_id, budget_seconds=budget)
    if report.stats:
        logger.info("change.lane_done", extra={"shop_id": shop_id, **report.stats, "stopped": report.stopped})
    if report.more_pending and budget is not None:
        due = change_claims.next_due_in(shop_id=shop_id)
        if due is not None:
            change_lane.apply_async((shop_id,), countdown=due)


def start_change_lanes(*, shop_id: int) -> None:
    """Start the shop's missing change lanes once the current transaction commits."""
    in_process = bool(change_lane.app.conf.task_always_eager) or bool(settings.LOCAL_WORKER)
    wanted = 1 if in_process else settings.CHANGE_LANES_PER_SHOP - change_lanes.active_change_lanes(shop_id=shop_id)
    if wanted <= 0:
        return

    def enqueue() -> None:
        for _ in range(wanted):
            change_lane.delay(shop_id)

    transaction.on_commit(enqueue)
