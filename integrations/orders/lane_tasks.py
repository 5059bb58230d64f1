"""The lane task, and starting a shop's lanes: what the services call to get a push moving.

It sits between the lane itself (``services/lanes.py``, which knows nothing of Celery) and the
services that start pushes (imports, retry, resume, the sweeper), so none of them imports the
task module that imports them.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from integrations.orders.services import lanes
from integrations.orders.task_policy import RETRY_TRANSIENT

logger = logging.getLogger(__name__)


@shared_task(name="orders.push_lane", ignore_result=True, **RETRY_TRANSIENT)
def push_lane(shop_id: int) -> None:
    budget = None if _in_process() else settings.PUSH_LANE_BUDGET_SECONDS
    report = lanes.run_lane(shop_id=shop_id, budget_seconds=budget)
    if report.stats:
        logger.info("push.lane_done", extra={"shop_id": shop_id, **report.stats, "stopped": report.stopped})
    if report.more_pending and not _in_process():
        due = lanes.next_due_in(shop_id=shop_id)
        if due is not None:
            push_lane.apply_async((shop_id,), countdown=due)


def _in_process() -> bool:
    """Tasks run in the calling process (the embedded default, no broker): Celery's own switch."""
    return bool(push_lane.app.conf.task_always_eager)


def start_lanes(*, shop_id: int, count: int | None = None) -> None:
    """Start the shop's missing lanes once the current transaction commits."""
    wanted = count or settings.PUSH_LANES_PER_SHOP
    if _in_process():
        wanted = 1  # in-process: one lane does it all, in order
    else:
        wanted -= lanes.active_lanes(shop_id=shop_id)  # lanes alive keep going: start only the missing ones
    if wanted <= 0:
        return

    def enqueue() -> None:
        for _ in range(wanted):
            push_lane.delay(shop_id)

    transaction.on_commit(enqueue)
