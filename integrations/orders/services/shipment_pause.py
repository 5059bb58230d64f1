"""A connection's shipments outbox paused while BackerKit does not answer, or throttles.

One BackerKit down for an hour must not become one retry chain per waiting shipment (5,000 chains,
some running out of tries though nothing was wrong with them). So the pause is the connection's:

- a send meeting a transient error (5xx, timeout, down) pauses the connection; a 429 pauses it
  until ``Retry-After``. While paused, no event of the connection is sent and none spends an
  attempt (services/shipment_sending.py checks ``held`` before claiming one);
- one probe, the oldest waiting event, is tried when the pause ends: doubling from
  ``SHIPMENT_BACKOFF_SECONDS`` after each failed probe, capped at ``SHIPMENT_BACKOFF_MAX_SECONDS``,
  jittered down to half (many connections do not probe in step);
- the probe going through clears the pause, and every waiting event is sent, paced (the drain).

A refused key (401/403) is not a pause: the connection is ``REFUSED`` (services/refusals.py) and its
events wait for the key, which resumes them (services/pull.py ``key_works_again``).
"""

import logging
import random
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.backerkit.errors import BackerKitError, BackerKitThrottled
from integrations.orders.models import BackerKitConnection, ShipmentPause

logger = logging.getLogger(__name__)

Status = BackerKitConnection.Status
PAUSE_FIELDS = ["shipments_paused_until", "shipments_paused_since", "shipments_pause_reason", "shipments_failures"]


def held(connection: BackerKitConnection) -> bool:
    """No event of this connection is sent now: paused (a probe is due, or under way) or refused."""
    return connection.status == Status.REFUSED or connection.shipments_paused_until is not None


def backoff(failures: int) -> float:
    """Seconds before the next probe after ``failures`` failed tries in a row: doubling, capped,
    jittered down to half."""
    base, cap = float(settings.SHIPMENT_BACKOFF_SECONDS), float(settings.SHIPMENT_BACKOFF_MAX_SECONDS)
    ceiling = min(cap, base * 2 ** max(failures - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def pause(*, connection_id: int, exc: BackerKitError, probe: bool = False) -> float | None:
    """BackerKit did not answer a write (or throttled it): the connection's outbox pauses. Returns
    when to probe (seconds), or None when it was paused already (its probe is scheduled: a send
    that was in flight when the pause began changes nothing). ``probe``: the probe itself failed,
    so the backoff grows."""
    now = timezone.now()
    with transaction.atomic():
        connection = BackerKitConnection.objects.select_for_update().get(id=connection_id)
        if connection.shipments_paused_until is not None and not probe:
            return None
        if isinstance(exc, BackerKitThrottled):
            seconds, reason = max(exc.retry_after, 0.5), ShipmentPause.THROTTLED
        else:
            connection.shipments_failures += 1
            seconds, reason = backoff(connection.shipments_failures), ShipmentPause.DOWN
        if connection.shipments_paused_since is None or connection.shipments_pause_reason != reason:
            connection.shipments_paused_since = now
        connection.shipments_paused_until = now + timedelta(seconds=seconds)
        connection.shipments_pause_reason = reason
        connection.save(update_fields=PAUSE_FIELDS)
    logger.warning(
        "shipments.paused",
        extra={"connection_id": connection_id, "reason": reason, "probe_in": round(seconds, 1),
               "failures": connection.shipments_failures, "error": type(exc).__name__, "status": exc.status},
    )  # fmt: skip
    return seconds


def clear(*, connection_id: int) -> bool:
    """BackerKit answered: the pause ends. Returns whether the connection was paused."""
    cleared = BackerKitConnection.objects.filter(id=connection_id, shipments_paused_until__isnull=False).update(
        shipments_paused_until=None, shipments_paused_since=None, shipments_pause_reason="", shipments_failures=0
    )
    if cleared:
        logger.info("shipments.unpaused", extra={"connection_id": connection_id})
    return bool(cleared)


def probe_now(*, connection_id: int) -> bool:
    """BackerKit answered another call of this connection (a pull went through): a pause for
    BackerKit not answering ends its wait now, so the probe goes at once. Returns whether it did."""
    now = timezone.now()
    return bool(
        BackerKitConnection.objects.filter(
            id=connection_id, shipments_pause_reason=ShipmentPause.DOWN, shipments_paused_until__gt=now
        ).update(shipments_paused_until=now)
    )


def probe_for_rep(*, connection_id: int) -> bool:
    """A rep resends a shipment of a paused connection: its probe is due now, whether its backoff
    is still running or already over (a probe message lost with a restart). Returns whether the
    connection was paused (a 429's ``Retry-After`` included: the rep asked for now)."""
    return bool(
        BackerKitConnection.objects.filter(id=connection_id, shipments_paused_until__isnull=False).update(
            shipments_paused_until=timezone.now()
        )
    )


def claim_probe(*, connection: BackerKitConnection, now) -> bool:
    """Under the connection's row lock: the probe is due and this caller takes it (the pause is
    stretched by the send lease, so a second probe message finds it early; the sweep probes
    again if this worker dies)."""
    if connection.shipments_paused_until is None or connection.shipments_paused_until > now:
        return False
    connection.shipments_paused_until = now + timedelta(seconds=settings.SHIPMENT_SEND_LEASE_SECONDS)
    connection.save(update_fields=["shipments_paused_until"])
    return True


def start_drain(*, connection_id: int) -> str:
    """A new paced send of the connection's waiting events; any older drain stops at its next step."""
    token = uuid.uuid4().hex
    BackerKitConnection.objects.filter(id=connection_id).update(
        shipments_drain_token=token, shipments_drained_at=timezone.now()
    )
    return token
