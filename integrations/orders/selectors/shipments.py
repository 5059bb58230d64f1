"""Reads of what Shopify shipped and what BackerKit was told: an order's fulfilments, the orders
list's shipment filters, the home page's count, a store's outbox for the staff console, and the
shipments file of a connection fed by files (no API to send to)."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from integrations.orders.models import BackerKitConnection, PushRecord, ShipmentEvent, ShipmentPause

Kind, EventState = ShipmentEvent.Kind, ShipmentEvent.State
SHIPMENT_FILTERS = ("shipped", "not_shipped", "not_sent")
NOT_SENT_STATES = (EventState.WAITING, EventState.SENDING, EventState.NEEDS_ATTENTION)
CSV_HEADER = ("backerkit_order_id", "backer_id", "tracking_number", "tracking_company", "tracking_url", "shipped_at")


@dataclass(frozen=True)
class OutboxPause:
    """A connection whose shipments wait for BackerKit (services/shipment_pause.py): ``reason`` is
    ``down``, ``throttled`` or ``refused`` (its key); ``waiting``: how many wait now."""

    connection_id: int
    store_name: str
    reason: str
    since: datetime | None
    until: datetime | None
    waiting: int


def pause_of(connection: BackerKitConnection) -> OutboxPause | None:
    if connection.status == BackerKitConnection.Status.REFUSED:
        reason = "refused"
    elif connection.shipments_paused_until is not None:
        reason = connection.shipments_pause_reason or ShipmentPause.DOWN
    else:
        return None
    waiting = ShipmentEvent.objects.filter(
        shop_id=connection.shop_id, record__connection_id=connection.id, state__in=(EventState.WAITING,
                                                                                    EventState.SENDING)
    ).count()  # fmt: skip
    if not waiting:
        return None
    return OutboxPause(connection_id=connection.id, store_name=connection.store_name, reason=reason,
                       since=connection.shipments_paused_since, until=connection.shipments_paused_until,
                       waiting=waiting)  # fmt: skip


def pauses_of(*, shop_id: int) -> list[OutboxPause]:
    """The store's connections whose shipments wait for BackerKit, with how many wait."""
    connections = BackerKitConnection.objects.filter(shop_id=shop_id, kind=BackerKitConnection.Kind.API).filter(
        Q(status=BackerKitConnection.Status.REFUSED) | Q(shipments_paused_until__isnull=False)
    )
    return [pause for pause in map(pause_of, connections) if pause is not None]


@dataclass(frozen=True)
class FulfilmentLine:
    """One fulfilment (or the cancellation) of an order as its page shows it: its newest version."""

    event: ShipmentEvent
    kind: str
    status: str  # shipped | cancelled
    tracking: list[dict]
    line_items: list[dict]
    shipped_at: str | None
    delivery_status: str | None
    state: str
    sent_at: datetime | None
    last_error: str
    not_before: datetime | None
    versions: int
    pause: OutboxPause | None = None  # not sent yet because its connection waits for BackerKit


def fulfilments_of(*, shop_id: int, record_id: int) -> list[FulfilmentLine]:
    events = ShipmentEvent.objects.filter(shop_id=shop_id, record_id=record_id)
    versions = dict(events.values_list("fulfillment_id").annotate(n=Count("id")))
    lines = []
    pause: OutboxPause | None = None
    latest = list(events.filter(is_latest=True).order_by("id"))
    if any(event.state in (EventState.WAITING, EventState.SENDING) for event in latest):
        record = PushRecord.objects.select_related("connection").only("connection").get(id=record_id)
        pause = pause_of(record.connection)
    for event in latest:
        body = event.body or {}
        lines.append(
            FulfilmentLine(
                event=event,
                kind=event.kind,
                status=body.get("status", "cancelled"),
                tracking=body.get("tracking") or [],
                line_items=body.get("line_items") or [],
                shipped_at=body.get("shipped_at"),
                delivery_status=body.get("delivery_status"),
                state=event.state,
                sent_at=event.sent_at,
                last_error=event.last_error,
                not_before=event.not_before,
                versions=versions.get(event.fulfillment_id, 1),
                pause=pause if event.state in (EventState.WAITING, EventState.SENDING) else None,
            )  # fmt: skip
        )
    return lines


def _latest(**match) -> QuerySet:
    return ShipmentEvent.objects.filter(record_id=OuterRef("pk"), is_latest=True, **match)


def with_shipment_filter(records: QuerySet, shipment: str) -> QuerySet:
    """``shipped``: a fulfilment shipped (not cancelled); ``not_shipped``: pushed, nothing shipped;
    ``not_sent``: a shipment or cancellation BackerKit has not acknowledged yet."""
    shipped = Exists(_latest(kind=Kind.SHIPMENT, body__status="shipped"))
    if shipment == "shipped":
        return records.filter(shipped)
    if shipment == "not_shipped":
        return records.filter(state=PushRecord.State.PUSHED).exclude(shipped)
    if shipment == "not_sent":
        return records.filter(Exists(_latest(state__in=NOT_SENT_STATES)))
    return records


def shipped_orders(*, shop_id: int) -> int:
    """How many of the store's orders shipped at least in part."""
    return (
        ShipmentEvent.objects.filter(shop_id=shop_id, kind=Kind.SHIPMENT, is_latest=True, body__status="shipped")
        .values("record_id")
        .distinct()
        .count()
    )


@dataclass(frozen=True)
class Outbox:
    counts: dict[str, int]
    problems: list[ShipmentEvent]  # needing attention, or waiting after a failed try: with the reason
    waiting: int
    pauses: list[OutboxPause]  # connections whose shipments wait for BackerKit


def outbox_of(*, shop_id: int, limit: int = 50) -> Outbox:
    """A store's outbox for the staff console."""
    events = ShipmentEvent.objects.filter(shop_id=shop_id)
    counts = dict.fromkeys(EventState.values, 0)
    counts.update(dict(events.values_list("state").annotate(n=Count("id"))))
    problems = list(
        events.filter(state__in=(EventState.NEEDS_ATTENTION, EventState.WAITING))
        .exclude(last_error="")
        .select_related("record")
        .order_by("-updated_at")[:limit]
    )
    return Outbox(counts=counts, problems=problems, waiting=counts[EventState.WAITING] + counts[EventState.SENDING],
                  pauses=pauses_of(shop_id=shop_id))  # fmt: skip


def has_file_shipments(*, shop_id: int) -> bool:
    return ShipmentEvent.objects.filter(shop_id=shop_id, state=EventState.FOR_FILE).exists()


def shipments_file_rows(*, shop_id: int) -> Iterator[tuple[str, ...]]:
    """The shipments of orders of file-fed connections (one row per tracking number; a fulfilment
    without one gets a row with none), oldest first: what a creator uploads to BackerKit."""
    events = (
        ShipmentEvent.objects.filter(
            shop_id=shop_id, kind=Kind.SHIPMENT, is_latest=True, state=EventState.FOR_FILE, body__status="shipped"
        )
        .exclude(record__connection__kind=BackerKitConnection.Kind.API)
        .select_related("record")
        .only("body", "record__backerkit_order_id", "record__backer_id")
        .order_by("id")
    )
    for event in events.iterator(chunk_size=500):
        body = event.body
        for tracking in body.get("tracking") or [{"number": "", "company": "", "url": ""}]:
            yield (
                event.record.backerkit_order_id,
                event.record.backer_id,
                tracking.get("number") or "",
                tracking.get("company") or "",
                tracking.get("url") or "",
                body.get("shipped_at") or "",
            )


def shipments_csv(*, shop_id: int) -> Iterator[str]:
    """The shipments file as CSV text, line by line (a streamed download, or a command's output)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in chain([CSV_HEADER], shipments_file_rows(shop_id=shop_id)):
        writer.writerow([_safe_cell(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection: =, +, -, @ first)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
