"""BackerKit down while hundreds of shipments wait, with real workers and the BackerKit simulator:
the connection's outbox pauses (a handful of requests while it is down, not one per shipment, and
no shipment spends tries), then every shipment reaches BackerKit exactly once when it is back. A
key BackerKit refuses on a write holds them the same way until the key works again."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import Sum

from integrations.orders.fulfilments import Fulfilment, Tracking
from integrations.orders.models import BackerKitConnection, ShipmentEvent
from integrations.orders.services.connections import check_connection
from integrations.orders.services.shipments import record_fulfilment
from tests.support.processes import wait_for
from tests.support.push_records import State, connection, plain_shop, record
from tests.support.shipping import created_per_fulfilment, wait_outbox_empty

KEY = "bk_live_1234567890abcd"
CONCURRENCY = 8
# Probes every 0.5-1 s while down; the sweep looks for lost probes and messages every 2 s.
OUTBOX = {"SHIPMENT_BACKOFF_SECONDS": "0.5", "SHIPMENT_BACKOFF_MAX_SECONDS": "1",
          "SHIPMENT_SWEEP_INTERVAL_SECONDS": "2", "SHIPMENT_SWEEP_AFTER_SECONDS": "2",
          "SHIPMENT_RESUME_BATCH": "20", "SHIPMENT_RESUME_PAUSE_SECONDS": "0.1"}  # fmt: skip
Event = ShipmentEvent.State


@pytest.fixture
def outbox_worker(worker_factory, backerkit_sim):
    return worker_factory(name="outbox", concurrency=CONCURRENCY, beat=True,
                          BACKERKIT_API_URL=backerkit_sim.url, **OUTBOX)  # fmt: skip


def pushed_store(backerkit_sim, orders: int):
    backerkit_sim.state.add_project(id="skyforge", api_key=KEY)
    backerkit_sim.state.add_orders("skyforge", [{"id": f"BK-{n}"} for n in range(orders)])
    shop = plain_shop()
    conn = connection(shop, api_key=KEY)
    records = [record(shop, conn, f"BK-{n}", State.PUSHED, shopify_order_id=f"gid://shopify/Order/{5000 + n}",
                      shopify_order_name=f"#{5000 + n}") for n in range(orders)]  # fmt: skip
    return shop, conn, records


def ship_all(shop, records) -> list[str]:
    """A webhook's recording of one fulfilment per order; the sends are queued as it commits."""
    shipped_at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    fids = [f"gid://shopify/Fulfillment/{9000 + n}" for n in range(len(records))]
    with transaction.atomic():
        for n, (rec, fid) in enumerate(zip(records, fids, strict=True)):
            record_fulfilment(shop_id=shop.id, source="webhook", fulfilment=Fulfilment(
                id=fid, order_id=rec.shopify_order_id, status="success", line_items=(("SKY-CORE", 1),),
                tracking=(Tracking(number=f"1ZP{n:05d}", company="UPS", url=None),),
                created_at=shipped_at, updated_at=shipped_at + timedelta(seconds=n)))  # fmt: skip
    return fids


def writes(backerkit_sim) -> list[dict]:
    return [r for r in backerkit_sim.state.api_requests() if "/shipments/" in r["path"]]


def test_hundreds_of_shipments_wait_out_backerkit_down_on_a_few_probes_then_arrive_once(outbox_worker, backerkit_sim):
    shop, conn, records = pushed_store(backerkit_sim, orders=300)
    backerkit_sim.state.down = True

    fids = ship_all(shop, records)
    connections = BackerKitConnection.objects.filter(id=conn.id)
    wait_for(lambda: connections.get().shipments_failures >= 4, timeout=30,
             what="the paused outbox to probe BackerKit a few times")  # fmt: skip
    events = ShipmentEvent.objects.filter(shop=shop)
    wait_for(lambda: not events.filter(state=Event.SENDING).exists(), timeout=10, what="no send under way")

    down_writes = len(writes(backerkit_sim))
    failures = connections.get().shipments_failures
    tried = events.exclude(attempts=0).count()
    # The sends in flight when the pause began, then one probe at a time: never one per shipment.
    assert down_writes <= CONCURRENCY + failures + 1 and tried <= CONCURRENCY + 1
    assert events.aggregate(n=Sum("attempts"))["n"] == down_writes
    assert events.filter(state=Event.WAITING).count() == 300 and not backerkit_sim.state.shipments.shipments
    assert connections.get().shipments_pause_reason == "down"

    backerkit_sim.state.down = False
    wait_outbox_empty(shop, timeout=90)

    created = created_per_fulfilment(backerkit_sim)
    assert sorted(fid for _, fid in created) == sorted(fids) and set(created.values()) == {1}
    assert events.filter(state=Event.SENT).count() == 300
    assert len(writes(backerkit_sim)) - down_writes == 300  # once each after the pause, no repeats
    after = connections.get()
    assert (after.shipments_paused_until, after.shipments_failures) == (None, 0)


def test_a_key_refused_on_a_write_holds_every_shipment_until_the_key_works_again(outbox_worker, backerkit_sim):
    shop, conn, records = pushed_store(backerkit_sim, orders=40)
    backerkit_sim.state.project("skyforge").api_key = "regenerated-at-backerkit"

    fids = ship_all(shop, records)
    connections = BackerKitConnection.objects.filter(id=conn.id)
    wait_for(lambda: connections.get().status == BackerKitConnection.Status.REFUSED, timeout=30,
             what="the connection to be refused")  # fmt: skip
    events = ShipmentEvent.objects.filter(shop=shop)
    wait_for(lambda: not events.filter(state=Event.SENDING).exists(), timeout=10, what="no send under way")
    assert events.filter(state=Event.WAITING).count() == 40 and len(writes(backerkit_sim)) <= CONCURRENCY + 1
    assert "shipments are not sent" in connections.get().stopped_reason

    backerkit_sim.state.project("skyforge").api_key = KEY  # BackerKit takes the stored key again
    assert check_connection(shop_id=shop.id, connection_id=conn.id).resumed
    wait_outbox_empty(shop, timeout=60)

    created = created_per_fulfilment(backerkit_sim)
    assert sorted(fid for _, fid in created) == sorted(fids) and set(created.values()) == {1}
