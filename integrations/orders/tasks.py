"""Celery tasks of the push. Thin: ids in, a service call, nothing else.

Every task is idempotent (records are claimed in the database), so ``acks_late`` with rejection
on worker loss is safe: a task redelivered after a SIGKILL finds its work by state, not by message.
Database and broker hiccups are retried with exponential backoff and jitter, up to a bound.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from redis.exceptions import RedisError

from integrations.orders.services import lanes, lifecycle, privacy, pull, sweeper

logger = logging.getLogger(__name__)

_RETRY = {
    "autoretry_for": (DatabaseError, RedisError),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(name="orders.push_lane", ignore_result=True, **_RETRY)
def push_lane(shop_id: int) -> None:
    budget = None if settings.CELERY_TASK_ALWAYS_EAGER else settings.PUSH_LANE_BUDGET_SECONDS
    report = lanes.run_lane(shop_id=shop_id, budget_seconds=budget)
    if report.stats:
        logger.info("push.lane_done", extra={"shop_id": shop_id, **report.stats, "stopped": report.stopped})
    if report.more_pending and not settings.CELERY_TASK_ALWAYS_EAGER:
        due = lanes.next_due_in(shop_id=shop_id)
        if due is not None:
            push_lane.apply_async((shop_id,), countdown=due)


@shared_task(name="orders.sweep", ignore_result=True, **_RETRY)
def sweep() -> None:
    sweeper.sweep()


@shared_task(name="orders.resume_paused_pushes", ignore_result=True, **_RETRY)
def resume_paused_pushes(shop_id: int) -> None:
    lifecycle.resume_shop(shop_id=shop_id)


@shared_task(name="orders.pause_shop_pushes", ignore_result=True, **_RETRY)
def pause_shop_pushes(shop_id: int, reason: str = "") -> None:
    lifecycle.pause_shop(shop_id=shop_id, reason=reason)


@shared_task(name="orders.pull_connection", ignore_result=True, **_RETRY)
def pull_connection(connection_id: int) -> None:
    pull.pull_connection(connection_id=connection_id)


@shared_task(name="orders.pull_all_connections", ignore_result=True, **_RETRY)
def pull_all_connections() -> None:
    for connection_id in pull.connections_due():
        pull_connection.delay(connection_id)


@shared_task(name="orders.purge_personal_data", ignore_result=True, **_RETRY)
def purge_personal_data() -> None:
    privacy.purge_expired_personal_data()
