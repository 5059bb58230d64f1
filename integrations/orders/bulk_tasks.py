"""The bulk road's tasks (services/bulk_road.py, bulk_follow.py): thin, ids in.

``orders.bulk_tick`` (beat, every ``BULK_TICK_SECONDS``) follows every active operation (the
finish webhook is not guaranteed) and offers each shop with enough waiting orders a chunk.
``orders.bulk_follow`` is also queued by the ``bulk_operations/finish`` webhook. An operation's
end hands records back to the queue: the lanes are started for them.
"""

import logging

from celery import shared_task

from integrations.orders.lane_tasks import start_lanes
from integrations.orders.services import bulk_follow, bulk_road
from integrations.orders.task_policy import RETRY_TRANSIENT

logger = logging.getLogger(__name__)

# The longest a worker watches a shop's first (measuring, small) operation; the tick takes over after.
MEASURING_WATCH_SECONDS = 120.0


@shared_task(name="orders.bulk_tick", ignore_result=True, **RETRY_TRANSIENT)
def bulk_tick() -> None:
    for operation_id in bulk_follow.active_ids():
        bulk_follow_operation.delay(operation_id)
    for shop_id in bulk_road.shops_to_start():
        bulk_start.delay(shop_id)


@shared_task(name="orders.bulk_start", ignore_result=True, **RETRY_TRANSIENT)
def bulk_start(shop_id: int) -> None:
    report = bulk_road.start_chunk(shop_id=shop_id)
    if report.lines or report.stopped not in ("the calls are enough", "one being prepared", "enough operations"):
        logger.info("bulk.start", extra={"shop_id": shop_id, "lines": report.lines, "stopped": report.stopped})
    if report.stopped and report.operation_id:
        start_lanes(shop_id=shop_id)  # its records went back to the queue
    if report.measuring:
        # The first operation of a shop times its runner: seen closely, then the next chunk is sized.
        bulk_follow.watch(operation_id=report.operation_id, timeout=MEASURING_WATCH_SECONDS)
        _after_end(operation_id=report.operation_id)


@shared_task(name="orders.bulk_follow", ignore_result=True, **RETRY_TRANSIENT)
def bulk_follow_operation(operation_id: int) -> None:
    result = bulk_follow.follow(operation_id=operation_id)
    if result.startswith(("completed", "failed", "canceled", "expired", "handed back", "run not found")):
        _after_end(operation_id=operation_id)


def _after_end(*, operation_id: int) -> None:
    shop_id = bulk_road.shop_of(operation_id=operation_id)
    start_lanes(shop_id=shop_id)  # the records it handed back are the lanes' (lookup first)
    bulk_start.delay(shop_id)
