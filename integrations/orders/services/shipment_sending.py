"""Sending outbox events (services/shipments.py) to BackerKit: what the ``orders.send_shipment``,
``orders.probe_shipments`` and ``orders.drain_shipments`` tasks run. Idempotent: an event is sent
only while it waits, claimed under its row lock (a second task for it finds it claimed), and
BackerKit's writes are idempotent by path, so a send repeated after a crash (the claim released by
the sweep) is harmless.

BackerKit's errors, by type (integrations/backerkit/errors.py):
- transient (5xx, timeout, down) and throttled (429): the connection's outbox pauses
  (services/shipment_pause.py); the event waits with every other one of the connection, spending
  no attempt, until one probe goes through; then they are all sent, paced;
- refused key (401/403), unknown project (404): the connection is refused (services/refusals.py),
  its events wait for a valid key;
- any other 4xx (an unknown order, a body refused): that event needs attention with BackerKit's
  message, never retried by itself.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import RedisError

from integrations.backerkit.errors import (
    BackerKitError,
    BackerKitNotFound,
    BackerKitThrottled,
    BackerKitTransient,
    BackerKitUnauthorized,
    BackerKitUnknownOrder,
)
from integrations.orders.models import BackerKitConnection, ShipmentEvent
from integrations.orders.services import shipment_pause
from integrations.orders.services.backerkit_api import client_for
from integrations.orders.services.refusals import refusal_reason, refuse

logger = logging.getLogger(__name__)

EventState = ShipmentEvent.State
Status = BackerKitConnection.Status


@dataclass(frozen=True)
class Next:
    """What the task does after a send: probe the connection in ``probe_in`` seconds, or send every
    waiting event of it (``resume``: BackerKit answers again)."""

    connection_id: int | None = None
    probe_in: float | None = None
    resume: bool = False


NOTHING = Next()


def _waiting_of(connection: BackerKitConnection):
    return ShipmentEvent.objects.filter(
        shop_id=connection.shop_id, record__connection_id=connection.id, state=EventState.WAITING
    )


def _due(events, now):
    return events.filter(Q(not_before__isnull=True) | Q(not_before__lte=now))


def send_event(*, event_id: int) -> Next:
    """Claim the event (``SENDING``, committed) unless its connection is held, call BackerKit
    outside any transaction (a slow BackerKit holds no lock a webhook would wait on), then record
    the outcome."""
    now = timezone.now()
    with transaction.atomic():
        event = (
            ShipmentEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("record__connection")
            .filter(id=event_id)
            .first()
        )
        if event is None or event.state != EventState.WAITING:
            return NOTHING  # sent, superseded, or another task has it now
        if event.not_before is not None and event.not_before > now:
            return NOTHING  # a rep's or an older schedule: the sweep finds it when due
        if shipment_pause.held(event.record.connection):
            # Paused or refused: it waits with the others, no attempt spent; the probe going through
            # (or the key fixed) sends it.
            return NOTHING
        _claim(event)
    return _deliver(event=event, probe=False)


def probe(*, connection_id: int) -> Next:
    """The connection's pause is due: try its oldest waiting event. Through: the pause ends and
    every waiting event is sent; not through: the next probe is further off."""
    now = timezone.now()
    with transaction.atomic():
        connection = BackerKitConnection.objects.select_for_update().get(id=connection_id)
        if connection.status != Status.ACTIVE or not shipment_pause.claim_probe(connection=connection, now=now):
            return NOTHING  # not paused, not due yet (a repeated message), or refused / stopped
        event = (
            _waiting_of(connection)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("record__connection")
            .order_by("id")
            .first()
        )
        if event is None:  # nothing waits (a rep resent them, or they were superseded)
            shipment_pause.clear(connection_id=connection_id)
            return NOTHING
        _claim(event)
    logger.info("shipments.probe", extra={"connection_id": connection_id, "event_id": event.id})
    return _deliver(event=event, probe=True)


def _claim(event: ShipmentEvent) -> None:
    event.state, event.attempts = EventState.SENDING, event.attempts + 1
    event.save(update_fields=["state", "attempts", "updated_at"])


def _deliver(*, event: ShipmentEvent, probe: bool) -> Next:
    connection = event.record.connection
    state, result, sent_at, error = EventState.WAITING, "", None, ""
    after = NOTHING
    try:
        with client_for(connection) as client:
            if event.kind == ShipmentEvent.Kind.CANCELLATION:
                written = client.post_cancellation(order_id=event.record.backerkit_order_id, cancellation=event.body)
            else:
                written = client.put_shipment(
                    order_id=event.record.backerkit_order_id, fulfillment_id=event.fulfillment_id, shipment=event.body
                )
    except (BackerKitThrottled, BackerKitTransient) as exc:
        error = _not_answered(exc)
        probe_in = shipment_pause.pause(connection_id=connection.id, exc=exc, probe=probe)
        after = Next(connection_id=connection.id, probe_in=probe_in) if probe_in is not None else NOTHING
    except BackerKitUnknownOrder as exc:
        state, error = EventState.NEEDS_ATTENTION, f"BackerKit refused it: {exc.message}"
        after = _answered(connection, probe)
    except (BackerKitUnauthorized, BackerKitNotFound) as exc:
        if connection.status == Status.ACTIVE:
            reason = refusal_reason(connection=connection, exc=exc, shipments=True)
            refuse(connection=connection, reason=reason)
            shipment_pause.clear(connection_id=connection.id)  # waits for the key now, not for a probe
            error = reason
            logger.warning(
                "shipments.connection_refused",
                extra={"connection_id": connection.id, "shop_id": connection.shop_id, "status": exc.status},
            )
        else:  # a stopped connection (its key erased): nothing will fix it by itself
            state, error = EventState.NEEDS_ATTENTION, f"BackerKit refused it: {exc.message}"
    except BackerKitError as exc:
        state, error = EventState.NEEDS_ATTENTION, f"BackerKit refused it: {exc.message}"
        after = _answered(connection, probe)
    except (DatabaseError, RedisError):
        raise
    except Exception:  # the per-event boundary: this event needs attention, the others go on
        error_id = uuid.uuid4().hex[:8]
        logger.exception("shipments.send_crashed", extra={"event_id": event.id, "error_id": error_id})
        state, error = EventState.NEEDS_ATTENTION, f"Unexpected error (error id {error_id})."
        if probe:  # the next oldest is probed soon
            seconds = shipment_pause.backoff(1)
            BackerKitConnection.objects.filter(id=connection.id).update(
                shipments_paused_until=timezone.now() + timedelta(seconds=seconds)
            )
            after = Next(connection_id=connection.id, probe_in=seconds)
    else:
        state, result, sent_at = EventState.SENT, written.result, timezone.now()
        after = _answered(connection, probe)
    ShipmentEvent.objects.filter(id=event.id, state=EventState.SENDING).update(
        state=state, result=result, sent_at=sent_at, last_error=error, not_before=None, updated_at=timezone.now()
    )
    log = logger.info if state == EventState.SENT else logger.warning
    log(
        "shipments.sent" if state == EventState.SENT else "shipments.not_sent",
        extra={"event_id": event.id, "shop_id": event.shop_id, "state": state, "attempts": event.attempts,
               "result": result, "probe": probe},
    )  # fmt: skip
    return after


def _answered(connection: BackerKitConnection, probe: bool) -> Next:
    """BackerKit answered (the write went through, or was refused for this event alone): a paused
    connection is not paused any more; its waiting events are sent."""
    if probe:
        shipment_pause.clear(connection_id=connection.id)
        return Next(connection_id=connection.id, resume=True)
    return NOTHING


def _not_answered(exc: BackerKitError) -> str:
    at = f"{timezone.now():%H:%M} UTC"
    if isinstance(exc, BackerKitThrottled):
        return f"BackerKit asked us to slow down (429) at {at}: sent when it lets us."
    return f"BackerKit did not answer at {at} ({exc.message}): sent when it answers."


# --- after a pause: every waiting event, paced ----------------------------------------------------


@dataclass(frozen=True)
class DrainStep:
    event_ids: list[int] = field(default_factory=list)
    next_after: int | None = None  # None: done (or stopped: paused again, or a newer drain took over)


def drain_step(*, connection_id: int, token: str, after_id: int) -> DrainStep:
    """The next ``SHIPMENT_RESUME_BATCH`` waiting events after ``after_id``, once fewer than a
    batch of those handed out before still wait (a slow BackerKit is not met by a herd)."""
    connection = BackerKitConnection.objects.filter(id=connection_id).first()
    if connection is None or connection.shipments_drain_token != token or shipment_pause.held(connection):
        return DrainStep()
    now, batch = timezone.now(), settings.SHIPMENT_RESUME_BATCH
    waiting = _due(_waiting_of(connection), now)
    handed_out = ShipmentEvent.objects.filter(
        shop_id=connection.shop_id, record__connection_id=connection.id, id__lte=after_id,
        state__in=(EventState.WAITING, EventState.SENDING),
    )  # fmt: skip
    if after_id and _due(handed_out, now).count() >= batch:
        return DrainStep(next_after=after_id)  # still in flight: wait (the sweep takes over a stalled one)
    ids = list(waiting.filter(id__gt=after_id).order_by("id").values_list("id", flat=True)[:batch])
    BackerKitConnection.objects.filter(id=connection_id, shipments_drain_token=token).update(shipments_drained_at=now)
    return DrainStep(event_ids=ids, next_after=ids[-1] if len(ids) == batch else None)


# --- the sweep: lost messages, dead workers -------------------------------------------------------


def release_abandoned() -> int:
    """Events left ``SENDING`` by a worker that died mid-send wait again (BackerKit's writes are
    idempotent by path: sending one twice is harmless)."""
    stale = timezone.now() - timedelta(seconds=settings.SHIPMENT_SEND_LEASE_SECONDS)
    released = ShipmentEvent.objects.filter(state=EventState.SENDING, updated_at__lt=stale).update(
        state=EventState.WAITING, updated_at=timezone.now()
    )
    if released:
        logger.warning("shipments.released", extra={"released": released})
    return released


@dataclass(frozen=True)
class Sweep:
    probes: list[int]  # connections whose probe is overdue (its message lost, its worker dead)
    drains: list[int]  # connections with waiting events nobody comes back for


def sweep() -> Sweep:
    release_abandoned()
    late = timezone.now() - timedelta(seconds=settings.SHIPMENT_SWEEP_AFTER_SECONDS)
    probes = list(
        BackerKitConnection.objects.filter(status=Status.ACTIVE, shipments_paused_until__lte=late).values_list(
            "id", flat=True
        )
    )
    # Only events nobody came back for: never tried for a while (their message was lost) or released.
    stale = (
        ShipmentEvent.objects.filter(state=EventState.WAITING, updated_at__lte=late)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=late))
        .values("record__connection_id")
    )
    drains = list(
        BackerKitConnection.objects.filter(id__in=stale, status=Status.ACTIVE, shipments_paused_until__isnull=True)
        .filter(Q(shipments_drained_at__isnull=True) | Q(shipments_drained_at__lte=late))
        .values_list("id", flat=True)
    )
    return Sweep(probes=probes, drains=drains)
