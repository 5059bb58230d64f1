"""The bulk road's tasks (services/bulk_road.py, bulk_follow.py): thin, ids in.

``orders.bulk_tick`` (beat, every ``BULK_TICK_SECONDS``) follows every active operation (the
finish webhook is not guaranteed) and offers each shop with enough waiting orders a chunk.
``orders.bulk_follow`` is also queued by the ``bulk_operations/finish`` webhook. ``orders.bulk_start``
drives the operation it started (and the chunks after it) to the end itself. An operation's end
hands records back to the queue: the lanes are started for them.
"""

import logging
import time

from celery import shared_task

from integrations.orders.lane_tasks import start_lanes
from integrations.orders.services import bulk_follow, bulk_road
from integrations.orders.task_policy import RETRY_TRANSIENT

logger = logging.getLogger(__name__)

# The longest one task drives a shop's operations (then the tick's followers take over).
DRIVE_SECONDS = 600.0
DRIVE_INTERVAL_SECONDS = 1.0


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
    if report.lines:
        _drive(shop_id=shop_id, operation_id=report.operation_id)


def _drive(*, shop_id: int, operation_id: int) -> None:
    """Follow the shop's operations closely, the one started first, and start the next chunk when
    the running one nears its end (start_chunk says when). Each start and end is seen within a
    second, not when a tick's task gets a worker thread: the lanes' tasks share the workers, and
    on a busy shop they hold every thread for their budget. A killed worker leaves nothing behind:
    the tick's followers take the operations over once their lease runs out."""
    deadline = time.monotonic() + DRIVE_SECONDS
    current: int | None = operation_id
    while current is not None and time.monotonic() < deadline:
        for operation in bulk_follow.active_of(shop_id=shop_id):  # the next one's start seen too
            bulk_follow.follow(operation_id=operation)
        if not bulk_follow.is_active(operation_id=current):
            start_lanes(shop_id=shop_id)  # the records it handed back are the lanes' (lookup first)
            bulk_road.start_chunk(shop_id=shop_id)
            current = bulk_follow.oldest_active(shop_id=shop_id)
            continue
        if bulk_follow.oldest_active(shop_id=shop_id, besides=current) is None:
            bulk_road.start_chunk(shop_id=shop_id)  # none until the running one nears its end
        time.sleep(DRIVE_INTERVAL_SECONDS)


@shared_task(name="orders.bulk_follow", ignore_result=True, **RETRY_TRANSIENT)
def bulk_follow_operation(operation_id: int) -> None:
    result = bulk_follow.follow(operation_id=operation_id)
    if result.startswith(("completed", "failed", "canceled", "expired", "handed back", "run not found")):
        _after_end(operation_id=operation_id)


def _after_end(*, operation_id: int) -> None:
    shop_id = bulk_road.shop_of(operation_id=operation_id)
    start_lanes(shop_id=shop_id)  # the records it handed back are the lanes' (lookup first)
    bulk_start.delay(shop_id)
