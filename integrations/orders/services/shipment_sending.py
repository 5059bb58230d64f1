"""Sending one outbox event (services/shipments.py) to BackerKit: what the ``orders.send_shipment``
task runs. Idempotent: an event is sent only while it waits, claimed under its row lock (a second
task for it finds it claimed), and BackerKit's writes are idempotent by path, so a send repeated
after a crash (the claim released by the sweep) is harmless.

BackerKit's errors, by type (integrations/backerkit/errors.py):
- throttled (429): not before ``Retry-After``; transient (5xx, timeout, down): exponential backoff
  with jitter, bounded by ``SHIPMENT_MAX_ATTEMPTS`` (then needs attention: a rep resends);
- any other 4xx (unknown order, refused key, a body refused): needs attention with BackerKit's
  message, never retried by itself.
Returns when the task should come back (seconds), or None.
"""

import logging
import random
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import RedisError

from integrations.backerkit.errors import BackerKitError, BackerKitThrottled, BackerKitTransient
from integrations.orders.models import ShipmentEvent
from integrations.orders.services.pull import client_for

logger = logging.getLogger(__name__)

EventState = ShipmentEvent.State


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` transient failures: doubling, capped, jittered
    down to half so that a recovered BackerKit is not met by every event at once."""
    base, cap = float(settings.SHIPMENT_BACKOFF_SECONDS), float(settings.SHIPMENT_BACKOFF_MAX_SECONDS)
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def send_event(*, event_id: int) -> float | None:
    """Claim the event (``SENDING``, committed), call BackerKit outside any transaction (a slow
    BackerKit holds no lock a webhook would wait on), then record the outcome."""
    now = timezone.now()
    with transaction.atomic():
        event = ShipmentEvent.objects.select_for_update(skip_locked=True).filter(id=event_id).first()
        if event is None or event.state != EventState.WAITING:
            return None  # sent, superseded, or another task has it now
        if event.not_before is not None and event.not_before > now:
            # Early (a sweep's or a repeated message): the task that set ``not_before`` comes back
            # then; coming back too would multiply the messages of every event that waits.
            return None
        event.state, event.attempts = EventState.SENDING, event.attempts + 1
        event.save(update_fields=["state", "attempts", "updated_at"])
    event = ShipmentEvent.objects.select_related("record__connection").get(id=event_id)
    return _send(event=event, now=now)


def _send(*, event: ShipmentEvent, now) -> float | None:
    connection = event.record.connection
    state, result, sent_at, error = EventState.WAITING, "", None, ""
    retry_in: float | None = None
    try:
        with client_for(connection) as client:
            if event.kind == ShipmentEvent.Kind.CANCELLATION:
                written = client.post_cancellation(order_id=event.record.backerkit_order_id, cancellation=event.body)
            else:
                written = client.put_shipment(
                    order_id=event.record.backerkit_order_id, fulfillment_id=event.fulfillment_id, shipment=event.body
                )
    except BackerKitThrottled as exc:
        retry_in = max(exc.retry_after, 0.5)
        error = f"BackerKit asked us to slow down (429): trying again in {retry_in:.0f} s."
    except BackerKitTransient as exc:
        if event.attempts >= settings.SHIPMENT_MAX_ATTEMPTS:
            state, error = (
                EventState.NEEDS_ATTENTION,
                f"BackerKit did not answer after {event.attempts} tries ({exc.message}).",
            )
        else:
            retry_in = backoff(event.attempts)
            error = f"BackerKit did not answer ({exc.message}): trying again in {retry_in:.0f} s."
    except BackerKitError as exc:
        state, error = EventState.NEEDS_ATTENTION, f"BackerKit refused it: {exc.message}"
    except (DatabaseError, RedisError):
        raise
    except Exception:  # the per-event boundary: this event needs attention, the others go on
        error_id = uuid.uuid4().hex[:8]
        logger.exception("shipments.send_crashed", extra={"event_id": event.id, "error_id": error_id})
        state, error = EventState.NEEDS_ATTENTION, f"Unexpected error (error id {error_id})."
    else:
        state, result, sent_at = EventState.SENT, written.result, timezone.now()
    not_before = timezone.now() + timedelta(seconds=retry_in) if retry_in is not None else None
    ShipmentEvent.objects.filter(id=event.id, state=EventState.SENDING).update(
        state=state, result=result, sent_at=sent_at, last_error=error, not_before=not_before, updated_at=timezone.now()
    )
    log = logger.info if state == EventState.SENT else logger.warning
    log(
        "shipments.sent" if state == EventState.SENT else "shipments.not_sent",
        extra={"event_id": event.id, "shop_id": event.shop_id, "state": state, "attempts": event.attempts,
               "result": result, "retry_in": retry_in},
    )  # fmt: skip
    return retry_in


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


def due_events(*, limit: int = 500) -> list[int]:
    """Waiting events whose time has come: the sweep sends them again (a lost message, a restart)."""
    release_abandoned()
    # Only events nobody came back for: due for a while (their retry message was lost), or never
    # tried for a while (their first message was lost).
    late = timezone.now() - timedelta(seconds=settings.SHIPMENT_SWEEP_AFTER_SECONDS)
    return list(
        ShipmentEvent.objects.filter(state=EventState.WAITING, updated_at__lte=late)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=late))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
