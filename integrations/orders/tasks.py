"""Celery tasks of the push. Thin: ids in, a service call, nothing else. The lane task itself is in
``lane_tasks.py`` (the services that start pushes need it), the pull task in ``pull_tasks.py`` (the
service that queues a merchant's pull needs it); the retry policy in ``task_policy.py``."""

import logging

from celery import shared_task

from integrations.orders.bulk_tasks import bulk_follow_operation, bulk_start, bulk_tick  # noqa: F401 - registered
from integrations.orders.change_lane_tasks import change_lane  # noqa: F401 - registered with the other tasks
from integrations.orders.lane_tasks import push_lane  # noqa: F401 - registered with the other tasks
from integrations.orders.pull_tasks import pull_connection
from integrations.orders.services import lifecycle, privacy, pull, reconciliation, sweeper
from integrations.orders.shipment_tasks import send_shipment, sweep_shipments  # noqa: F401 - registered
from integrations.orders.task_policy import RETRY_TRANSIENT
from integrations.orders.wave_tasks import release_wave_holds, waves_tick  # noqa: F401 - registered here too

logger = logging.getLogger(__name__)


@shared_task(name="orders.sweep", ignore_result=True, **RETRY_TRANSIENT)
def sweep() -> None:
    sweeper.sweep()


@shared_task(name="orders.resume_paused_pushes", ignore_result=True, **RETRY_TRANSIENT)
def resume_paused_pushes(shop_id: int) -> None:
    lifecycle.resume_shop(shop_id=shop_id)


@shared_task(name="orders.pause_shop_pushes", ignore_result=True, **RETRY_TRANSIENT)
def pause_shop_pushes(shop_id: int, reason: str = "") -> None:
    lifecycle.pause_shop(shop_id=shop_id, reason=reason)


@shared_task(name="orders.check_held_shops", ignore_result=True, **RETRY_TRANSIENT)
def check_held_shops() -> None:
    """Beat: each shop Shopify froze or locked gets its own check (one cheap query)."""
    for shop_id in lifecycle.shops_held_by_shopify():
        check_held_shop.delay(shop_id)


@shared_task(name="orders.check_held_shop", ignore_result=True, **RETRY_TRANSIENT)
def check_held_shop(shop_id: int) -> None:
    lifecycle.check_held_shop(shop_id=shop_id)


@shared_task(name="orders.pull_all_connections", ignore_result=True, **RETRY_TRANSIENT)
def pull_all_connections() -> None:
    for connection_id in pull.connections_due():
        pull_connection.delay(connection_id)


@shared_task(name="orders.purge_personal_data", ignore_result=True, **RETRY_TRANSIENT)
def purge_personal_data() -> None:
    privacy.purge_expired_personal_data()


@shared_task(name="orders.reconcile_fulfilments", ignore_result=True, **RETRY_TRANSIENT)
def reconcile_fulfilments() -> None:
    """Beat: each connected shop with pushed orders gets its own reconciliation run."""
    for shop_id in reconciliation.shops_to_reconcile():
        reconcile_shop.delay(shop_id)


@shared_task(name="orders.reconcile_shop", ignore_result=True, **RETRY_TRANSIENT)
def reconcile_shop(shop_id: int) -> None:
    reconciliation.reconcile_shop(shop_id=shop_id)
