"""The release task of waves and what starts it (pages, the ``waves`` command, beat), as lane_tasks.py
is for pushes: services/wave_release.py knows nothing of Celery."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from integrations.orders.services import wave_release
from integrations.orders.task_policy import RETRY_TRANSIENT

logger = logging.getLogger(__name__)


@shared_task(name="orders.release_wave_holds", ignore_result=True, **RETRY_TRANSIENT)
def release_wave_holds(shop_id: int) -> None:
    eager = bool(release_wave_holds.app.conf.task_always_eager)
    more = wave_release.run_release(
        shop_id=shop_id, budget_seconds=None if eager else settings.PUSH_LANE_BUDGET_SECONDS
    )
    if more and not eager:
        release_wave_holds.apply_async((shop_id,), countdown=1.0)


@shared_task(name="orders.waves_tick", ignore_result=True, **RETRY_TRANSIENT)
def waves_tick() -> None:
    """Beat: scheduled releases whose date came, and releases left unfinished."""
    for shop_id in wave_release.due_releases():
        release_wave_holds.delay(shop_id)


def start_release(*, shop_id: int) -> None:
    """Start releasing the shop's holds once the current transaction commits."""
    transaction.on_commit(lambda: release_wave_holds.delay(shop_id))
