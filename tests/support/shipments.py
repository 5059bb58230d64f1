"""Outbox events recorded through the service (as a webhook would), for page and console tests."""

from datetime import UTC, datetime, timedelta

from integrations.orders.fulfilments import Fulfilment, Tracking
from integrations.orders.models import PushRecord, ShipmentEvent
from integrations.orders.services.shipments import record_fulfilment

BASE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def ship(
    record: PushRecord,
    fid: int,
    *numbers: str,
    status: str = "success",
    seconds: int = 0,
    url: str | None = None,
    delivery: str | None = None,
) -> ShipmentEvent | None:
    """Record one version of a fulfilment of ``record``; its send is not enqueued (no worker here)."""
    fulfilment = Fulfilment(
        id=f"gid://shopify/Fulfillment/{fid}", order_id=record.shopify_order_id, status=status,
        line_items=(("SKY-CORE", 1),),
        tracking=tuple(Tracking(number=n, company="UPS", url=url if url is not None else f"https://ups.example/{n}")
                       for n in numbers),
        created_at=BASE, updated_at=BASE + timedelta(seconds=seconds), delivery_status=delivery,
    )  # fmt: skip
    # In a test's transaction the send queued on commit never runs: these tests have no worker.
    return record_fulfilment(shop_id=record.shop_id, fulfilment=fulfilment, source="webhook").event
