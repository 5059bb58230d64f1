"""The lane task, and starting a shop's lanes: what the services call to get a push moving.

It sits between the lane itself (``services/lanes.py``, which knows nothing of Celery) and the
services that start pushes (imports, retry, resume, the sweeper), so none of them imports the
task module that imports them.

Three ways the task runs: Celery workers with Redis (production: up to ``PUSH_LANES_PER_SHOP``
lanes per shop, fewer on a slow bucket, a Redis semaphore); the embedded default's local worker
(no Redis, so no semaphore: one lane per shop at a time, guarded in the process; budgets and
countdowns as in production); and eager (the tests' ``eager_tasks``: one lane in the caller, to the end).
"""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import transaction

from integrations.orders.services import lanes
from integrations.orders.task_policy import RETRY_TRANSIENT

logger = logging.getLogger(__name__)


class _OneLanePerShop:
    """The local worker's lane guard: a second lane of a shop asked for while one runs is not
    started beside it (claims on SQLite take no row locks to skip) but after it, once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, bool] = {}  # shop id -> another run was asked for meanwhile

    def enter(self, shop_id: int) -> bool:
        with self._lock:
            if shop_id in self._running:
                self._running[shop_id] = True
                return False
            self._running[shop_id] = False
            return True

    def leave(self, shop_id: int) -> bool:
        with self._lock:
            return self._running.pop(shop_id, False)


_local_lanes = _OneLanePerShop()


@shared_task(name="orders.push_lane", ignore_result=True, **RETRY_TRANSIENT)
def push_lane(shop_id: int) -> None:
    if _in_process():
        _run_lane(shop_id=shop_id, budget=None)
        return
    if not _local_worker():
        _run_lane(shop_id=shop_id, budget=settings.PUSH_LANE_BUDGET_SECONDS)
        return
    if not _local_lanes.enter(shop_id):
        return  # the shop's lane is running in this process: it runs once more after (leave)
    try:
        rescheduled = _run_lane(shop_id=shop_id, budget=settings.PUSH_LANE_BUDGET_SECONDS)
    finally:
        asked_again = _local_lanes.leave(shop_id)
    if asked_again and not rescheduled:
        push_lane.delay(shop_id)


def _run_lane(*, shop_id: int, budget: float | None) -> bool:
    """Run one lane; with a budget, queue the next one for when the shop's work is due. Returns
    whether it queued one."""
    report = lanes.run_lane(shop_id=shop_id, budget_seconds=budget)
    if report.stats:
        logger.info("push.lane_done", extra={"shop_id": shop_id, **report.stats, "stopped": report.stopped})
    if report.more_pending and budget is not None:
        due = lanes.next_due_in(shop_id=shop_id)
        if due is not None:
            push_lane.apply_async((shop_id,), countdown=due)
            return True
    return False


def _in_process() -> bool:
    """Tasks run in the calling process, each to its end (Celery's eager switch; tests only)."""
    return bool(push_lane.app.conf.task_always_eager)


def _local_worker() -> bool:
    """The embedded default: the process's own local worker runs the tasks (no broker, no Redis)."""
    return bool(settings.LOCAL_WORKER)


def start_lanes(*, shop_id: int, count: int | None = None) -> None:
    """Start the shop's missing lanes once the current transaction commits."""
    if _in_process() or _local_worker():
        wanted = 1  # one lane does it all, in order (the local worker runs it off the request)
    else:
        wanted = count or lanes.lane_limit(shop_id=shop_id)
        wanted -= lanes.active_lanes(shop_id=shop_id)  # lanes alive keep going: start only the missing ones
    if wanted <= 0:
        return

    def enqueue() -> None:
        for _ in range(wanted):
            push_lane.delay(shop_id)

    transaction.on_commit(enqueue)
