"""The outbox's tasks, and asking for a send: like ``pull_tasks.py``, between what the tasks run
(``services/shipment_sending.py``) and the services that record events or fix a key
(``services/shipments.py``, ``services/pull.py``), so no service imports the module that imports it.

- ``orders.send_shipment``: one event, once recorded (its connection paused: it waits, untried);
- ``orders.probe_shipments``: a paused connection's one probe, at its backoff (or Retry-After);
- ``orders.drain_shipments``: every waiting event of a connection that answers again, in batches;
- ``orders.sweep_shipments`` (beat): overdue probes, waiting events whose message was lost.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from integrations.orders.services import shipment_pause, shipment_sending
from integrations.orders.task_policy import RETRY_TRANSIENT

logger = logging.getLogger(__name__)


@shared_task(name="orders.send_shipment", ignore_result=True, **RETRY_TRANSIENT)
def send_shipment(event_id: int) -> None:
    _follow(shipment_sending.send_event(event_id=event_id))


@shared_task(name="orders.probe_shipments", ignore_result=True, **RETRY_TRANSIENT)
def probe_shipments(connection_id: int) -> None:
    _follow(shipment_sending.probe(connection_id=connection_id))


@shared_task(name="orders.drain_shipments", ignore_result=True, **RETRY_TRANSIENT)
def drain_shipments(connection_id: int, token: str, after_id: int = 0) -> None:
    step = shipment_sending.drain_step(connection_id=connection_id, token=token, after_id=after_id)
    for event_id in step.event_ids:
        send_shipment.delay(event_id)
    if step.next_after is not None:
        drain_shipments.apply_async(
            (connection_id, token, step.next_after), countdown=settings.SHIPMENT_RESUME_PAUSE_SECONDS
        )


@shared_task(name="orders.sweep_shipments", ignore_result=True, **RETRY_TRANSIENT)
def sweep_shipments() -> None:
    found = shipment_sending.sweep()
    for connection_id in found.probes:
        probe_shipments.delay(connection_id)
    for connection_id in found.drains:
        _drain(connection_id)


def _follow(after: shipment_sending.Next) -> None:
    if after.connection_id is None:
        return
    if after.probe_in is not None:
        probe_shipments.apply_async((after.connection_id,), countdown=after.probe_in)
    if after.resume:
        _drain(after.connection_id)


def _drain(connection_id: int) -> None:
    token = shipment_pause.start_drain(connection_id=connection_id)
    drain_shipments.delay(connection_id, token, 0)


def enqueue_send(*, event_id: int) -> None:
    """Send once the current transaction commits (the event it reads is committed then)."""
    transaction.on_commit(lambda: send_shipment.delay(event_id))


def resume_shipments(*, connection_id: int) -> None:
    """The connection's key works again: its waiting events are sent, paced, once this commits."""
    transaction.on_commit(lambda: _drain(connection_id))


def probe_soon(*, connection_id: int) -> None:
    """BackerKit answers this connection again (services/shipment_pause.py ``probe_now``): its probe
    goes once this commits."""
    transaction.on_commit(lambda: probe_shipments.delay(connection_id))
