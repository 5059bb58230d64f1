"""The outbox's send task, and asking for a send: like ``pull_tasks.py``, between what the task runs
(``services/shipment_sending.py``) and the service that records events (``services/shipments.py``),
so no service imports the task module that imports them."""

import logging

from celery import shared_task
from django.db import transaction

from integrations.orders.services import shipment_sending
from integrations.orders.task_policy import RETRY_TRANSIENT

logger = logging.getLogger(__name__)


@shared_task(name="orders.send_shipment", ignore_result=True, **RETRY_TRANSIENT)
def send_shipment(event_id: int) -> None:
    """Send one outbox event; BackerKit throttling or down, it comes back when due (``Retry-After``,
    or the backoff). The sweep (``orders.sweep_shipments``) finds one whose message was lost."""
    retry_in = shipment_sending.send_event(event_id=event_id)
    if retry_in is not None:
        send_shipment.apply_async((event_id,), countdown=retry_in)


@shared_task(name="orders.sweep_shipments", ignore_result=True, **RETRY_TRANSIENT)
def sweep_shipments() -> None:
    for event_id in shipment_sending.due_events():
        send_shipment.delay(event_id)


def enqueue_send(*, event_id: int) -> None:
    """Send once the current transaction commits (the event it reads is committed then)."""
    transaction.on_commit(lambda: send_shipment.delay(event_id))
