"""Recording what Shopify shipped (or cancelled) for orders this app pushed: the outbox's writes.

Called in the transaction that records the webhook delivery (shopapp/webhooks/handlers.py), or by
the reconciliation (services/reconciliation.py). An order is ours when a push record of the shop
holds its Shopify order id; anything else is answered "not ours" after one indexed query. Per
fulfilment only a newer version is recorded (a repeat or a late older one changes nothing), it
supersedes an older one still waiting, and it is sent by a task once the transaction commits. A
connection fed by files has no API to send to: its shipments are kept for the shipments file.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.orders.fulfilments import Cancellation, Fulfilment, cancellation_body, shipment_body
from integrations.orders.models import BackerKitConnection, PushRecord, ShipmentEvent
from integrations.orders.services import shipment_pause
from integrations.orders.shipment_tasks import enqueue_send, probe_soon

logger = logging.getLogger(__name__)

Kind, EventState = ShipmentEvent.Kind, ShipmentEvent.State


@dataclass(frozen=True)
class Recorded:
    """What became of one fulfilment (or cancellation): ``outcome`` in words for the delivery row."""

    outcome: str
    event: ShipmentEvent | None = None


def _pushed_record(*, shop_id: int, shopify_order_id: str) -> PushRecord | None:
    """The shop's push record of this Shopify order, locked (versions of one order are recorded one
    at a time), or None: not an order this app pushed."""
    return (
        PushRecord.objects.select_for_update(of=("self",))
        .select_related("connection")
        .filter(shop_id=shop_id, shopify_order_id=shopify_order_id)
        .only("id", "shop_id", "backerkit_order_id", "backer_id", "connection__kind")
        .first()
    )


def _without_version(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "updated_at"}


def _record(*, record: PushRecord, kind: str, fulfillment_id: str, version, body: dict, source: str) -> Recorded:
    events = ShipmentEvent.objects.filter(shop_id=record.shop_id, kind=kind, fulfillment_id=fulfillment_id)
    latest = events.order_by("-version").only("id", "version", "body").first()
    if latest is not None and latest.version.replace(microsecond=0) > version:
        return Recorded("ignored: a newer version is recorded")
    if latest is not None and _without_version(latest.body) == _without_version(body):
        return Recorded("ignored: nothing BackerKit sees changed")
    if latest is not None and latest.version.replace(microsecond=0) == version:
        # Shopify's updatedAt has whole seconds: two changes in one second share it (a fulfilment
        # created and its tracking corrected at once). Another body of the same second is a later
        # change, unless it is one already recorded (a late repeat of the first).
        same_second = events.filter(version__gte=version, version__lt=version + timedelta(seconds=1))
        if any(_without_version(e.body) == _without_version(body) for e in same_second.only("body")):
            return Recorded("ignored: this version is recorded")
        version = latest.version + timedelta(microseconds=1)
    for_file = record.connection.kind == BackerKitConnection.Kind.FILE_IMPORT
    try:
        with transaction.atomic():
            event = ShipmentEvent.objects.create(
                shop_id=record.shop_id, record=record, kind=kind, fulfillment_id=fulfillment_id, version=version,
                body=body, source=source, state=EventState.FOR_FILE if for_file else EventState.WAITING,
            )  # fmt: skip
    except IntegrityError:
        return Recorded("ignored: this version is recorded")
    events.filter(is_latest=True).exclude(id=event.id).update(is_latest=False)
    # An older version still waiting is never sent: this one says everything it said. One being sent
    # right now (its row locked) is skipped; BackerKit keeps the newer either way (by updated_at).
    older = list(
        events.filter(state=EventState.WAITING, version__lt=version)
        .select_for_update(skip_locked=True)
        .values_list("id", flat=True)
    )
    if older:
        ShipmentEvent.objects.filter(id__in=older, state=EventState.WAITING).update(
            state=EventState.SUPERSEDED, updated_at=timezone.now()
        )
    if not for_file:
        enqueue_send(event_id=event.id)
    logger.info(
        "shipments.recorded",
        extra={"shop_id": record.shop_id, "record_id": record.id, "event_id": event.id, "kind": kind,
               "source": source, "superseded": len(older), "for_file": for_file},
    )  # fmt: skip
    return Recorded("kept for the shipments file" if for_file else "recorded for BackerKit", event)


def record_fulfilment(*, shop_id: int, fulfilment: Fulfilment, source: str) -> Recorded:
    """One version of a Shopify fulfilment. Inside the caller's transaction (the webhook delivery's)."""
    with transaction.atomic():
        record = _pushed_record(shop_id=shop_id, shopify_order_id=fulfilment.order_id)
        if record is None:
            return Recorded("ignored: not an order this app pushed")
        if not fulfilment.reported:
            return Recorded(f"ignored: fulfilment status {fulfilment.status or 'missing'}")
        body = shipment_body(backerkit_order_id=record.backerkit_order_id, fulfilment=fulfilment)
        return _record(record=record, kind=Kind.SHIPMENT, fulfillment_id=fulfilment.id,
                       version=fulfilment.updated_at, body=body, source=source)  # fmt: skip


def record_cancellation(*, shop_id: int, cancellation: Cancellation, source: str) -> Recorded:
    """The merchant cancelled a pushed order in Shopify (BackerKit decides; nothing is refunded here)."""
    with transaction.atomic():
        record = _pushed_record(shop_id=shop_id, shopify_order_id=cancellation.order_id)
        if record is None:
            return Recorded("ignored: not an order this app pushed")
        if ShipmentEvent.objects.filter(record=record, kind=Kind.CANCELLATION).exists():
            return Recorded("ignored: the cancellation is recorded")
        body = cancellation_body(backerkit_order_id=record.backerkit_order_id, cancellation=cancellation)
        return _record(record=record, kind=Kind.CANCELLATION, fulfillment_id="",
                       version=cancellation.cancelled_at, body=body, source=source)  # fmt: skip


def resend(*, shop_id: int, event_id: int) -> ShipmentEvent:
    """A rep sends an event that needs attention (or is waiting out a backoff or a pause) again, now."""
    with transaction.atomic():
        event = ShipmentEvent.objects.select_for_update().get(shop_id=shop_id, id=event_id)
        if event.state in (EventState.NEEDS_ATTENTION, EventState.WAITING):
            event.state, event.not_before, event.attempts = EventState.WAITING, None, 0
            event.save(update_fields=["state", "not_before", "attempts", "updated_at"])
            enqueue_send(event_id=event.id)
            # Its connection paused (BackerKit was not answering): the rep's "now" is the probe's.
            # Through, every waiting shipment of the connection goes; not through, the pause goes on.
            connection_id = event.record.connection_id
            if connection_id is not None and shipment_pause.probe_for_rep(connection_id=connection_id):
                probe_soon(connection_id=connection_id)
            logger.info("shipments.resend", extra={"shop_id": shop_id, "event_id": event.id})
    return event
