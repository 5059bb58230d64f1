"""Shipments flow back to BackerKit end to end: the Shopify simulator fulfils pushed orders and
sends its signed webhooks to a live app server, real workers send the outbox to the BackerKit
simulator. Each fulfilment reaches BackerKit once, in its latest version; nothing is lost when
BackerKit is down or a webhook never arrives (the scheduled reconciliation finds it)."""

import pytest

from integrations.orders.models import BackerKitConnection, ShipmentEvent
from tests.support.processes import wait_for
from tests.support.shipping import (
    DOMAIN,
    acknowledged,
    created_per_fulfilment,
    kept_shipment,
    open_shipping_store,
    wait_outbox_empty,
)

FAST_OUTBOX = {"SHIPMENT_BACKOFF_SECONDS": "0.5", "SHIPMENT_BACKOFF_MAX_SECONDS": "1",
               "SHIPMENT_SWEEP_INTERVAL_SECONDS": "2", "SHIPMENT_SWEEP_AFTER_SECONDS": "1"}  # fmt: skip


def ups(*numbers: str) -> list[dict]:
    return [{"number": n, "company": "UPS", "url": f"https://ups.example/track/{n}"} for n in numbers]


def number(record) -> str:
    return record.shopify_order_id.rsplit("/", 1)[1]


def fulfilment_id(answer: dict) -> str:
    return answer["fulfillment"]["admin_graphql_api_id"]


@pytest.fixture
def shipping(shopify_sim, backerkit_sim, live_server, push_workers):
    return open_shipping_store(shopify_sim, backerkit_sim, live_server.url, orders=6)


@pytest.fixture
def push_workers(worker_factory, shopify_simulator, backerkit_sim):
    """One worker with beat, the outbox's backoff short, the reconciliation every few seconds."""
    from tests.support.push_workers import push_worker_env

    env = {**push_worker_env(shopify_simulator, backerkit_sim), **FAST_OUTBOX,
           "FULFILMENT_RECONCILE_INTERVAL_SECONDS": "3"}  # fmt: skip
    return worker_factory(name="ship", concurrency=8, beat=True, **env)


def test_full_split_corrected_cancelled_delivered_and_merchant_cancelled_each_reach_backerkit_once(
    shipping, shopify_sim, backerkit_sim
):
    full, split, corrected, cancelled, merchant, duplicate = shipping.records
    gid = {r.id: r.shopify_order_id.rsplit("/", 1)[1] for r in shipping.records}  # the simulator's order number

    whole = fulfilment_id(shopify_sim.fulfil(DOMAIN, gid[full.id], tracking=ups("1ZFULL1", "1ZFULL2")))
    skus = [line["sku"] for line in shopify_sim.order(DOMAIN, gid[split.id])["line_items"]]
    first = shopify_sim.fulfil(DOMAIN, gid[split.id], line_items=[{"sku": skus[0], "quantity": 1}],
                               tracking=ups("1ZWAVE1"))  # fmt: skip
    rest = shopify_sim.fulfil(DOMAIN, gid[split.id], tracking=ups("1ZWAVE2"))
    typo = fulfilment_id(shopify_sim.fulfil(DOMAIN, gid[corrected.id], tracking=ups("1ZTYPO")))
    shopify_sim.set_tracking(DOMAIN, typo, ups("1ZFIXED"))
    dropped = fulfilment_id(shopify_sim.fulfil(DOMAIN, gid[cancelled.id], tracking=ups("1ZCANCEL")))
    shopify_sim.cancel_fulfillment(DOMAIN, dropped)
    shopify_sim.cancel_order_as_merchant(DOMAIN, gid[merchant.id], reason="customer")
    twice = shopify_sim.fulfil(DOMAIN, gid[duplicate.id], tracking=ups("1ZTWICE"))
    shopify_sim.set_shipment_status(DOMAIN, fulfilment_id(twice), "delivered")
    for delivery in twice["deliveries"]:
        shopify_sim.redeliver(delivery["webhook_id"])  # Shopify's retry: same id, same body

    wait_for(lambda: kept_shipment(backerkit_sim, duplicate.backerkit_order_id, fulfilment_id(twice))
             and kept_shipment(backerkit_sim, duplicate.backerkit_order_id, fulfilment_id(twice))["body"][
                 "delivery_status"] == "delivered", timeout=60, what="the last change to reach BackerKit")  # fmt: skip
    wait_outbox_empty(shipping.shop)

    kept = kept_shipment(backerkit_sim, full.backerkit_order_id, whole)["body"]
    assert [t["number"] for t in kept["tracking"]] == ["1ZFULL1", "1ZFULL2"] and kept["status"] == "shipped"
    assert {i["sku"] for i in kept["line_items"] if i["sku"]} == {item["sku"] for item in full.order_data["items"]}
    waves = [kept_shipment(backerkit_sim, split.backerkit_order_id, fulfilment_id(f))["body"] for f in (first, rest)]
    assert (
        waves[0]["line_items"] == [{"sku": skus[0], "quantity": 1}] and waves[1]["tracking"][0]["number"] == "1ZWAVE2"
    )
    fixed = kept_shipment(backerkit_sim, corrected.backerkit_order_id, typo)
    assert [t["number"] for t in fixed["body"]["tracking"]] == ["1ZFIXED"]
    assert kept_shipment(backerkit_sim, cancelled.backerkit_order_id, dropped)["body"]["status"] == "cancelled"
    with backerkit_sim.state.lock:
        cancellation = backerkit_sim.state.shipments.cancellations[("skyforge", merchant.backerkit_order_id)]
    assert cancellation["body"]["reason"] == "customer"
    # Exactly once: each fulfilment created once at BackerKit; the duplicate webhook recorded nothing.
    created = created_per_fulfilment(backerkit_sim)
    assert set(created.values()) == {1} and len(created) == 7  # 6 shipments and 1 cancellation
    assert ShipmentEvent.objects.filter(shop=shipping.shop, fulfillment_id=fulfilment_id(twice)).count() == 2


def test_backerkit_down_then_up_every_shipment_arrives_once(shipping, shopify_sim, backerkit_sim):
    backerkit_sim.state.down = True
    shipped = [fulfilment_id(shopify_sim.fulfil(DOMAIN, number(r), tracking=ups(f"1ZDOWN{n}")))
               for n, r in enumerate(shipping.records)]  # fmt: skip
    events = ShipmentEvent.objects.filter(shop=shipping.shop)
    wait_for(lambda: events.filter(state=ShipmentEvent.State.WAITING).count() == 6
             and BackerKitConnection.objects.get(id=shipping.connection.id).shipments_failures >= 2,
             timeout=30, what="every shipment to wait while the paused outbox probes BackerKit")  # fmt: skip
    assert not backerkit_sim.state.shipments.shipments

    backerkit_sim.state.down = False
    wait_outbox_empty(shipping.shop)

    created = created_per_fulfilment(backerkit_sim)
    assert sorted(fid for _, fid in created) == sorted(shipped) and set(created.values()) == {1}
    assert ShipmentEvent.objects.filter(shop=shipping.shop, state=ShipmentEvent.State.SENT).count() == 6


def test_a_webhook_that_never_arrives_is_found_by_the_scheduled_reconciliation(shipping, shopify_sim, backerkit_sim):
    shopify_sim.fault(DOMAIN, drop_webhooks=2)
    lost = [fulfilment_id(shopify_sim.fulfil(DOMAIN, number(r), tracking=ups(f"1ZLOST{n}")))
            for n, r in enumerate(shipping.records[:2])]  # fmt: skip
    assert all(d.get("dropped") for d in shopify_sim.deliveries()[-2:])

    wait_for(lambda: len(created_per_fulfilment(backerkit_sim)) == 2, timeout=60,
             what="the reconciliation to find both fulfilments")  # fmt: skip

    events = ShipmentEvent.objects.filter(shop=shipping.shop)
    assert sorted(events.values_list("fulfillment_id", flat=True)) == sorted(lost)
    assert set(events.values_list("source", flat=True)) == {ShipmentEvent.Source.RECONCILIATION}
    assert [a["result"] for a in acknowledged(backerkit_sim)] == ["created", "created"]
