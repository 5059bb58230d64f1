"""Fulfilment webhooks, signed by the simulator and posted to /webhooks: the outbox event is recorded
in the delivery's own transaction, only for orders this app pushed, once per version; nothing of
the backer's address is kept."""

from datetime import UTC, datetime, timedelta

import pytest

from integrations.orders.models import BackerKitConnection, ShipmentEvent
from shopapp.models import WebhookDelivery
from tests.support.fulfilment_payloads import cancelled_order_body, fulfilment_body
from tests.support.push_records import State, connection, record
from tests.support.shops import connected_shop

SHOP = "ship-store.myshopify.com"
Event = ShipmentEvent.State


def post(client, delivery: dict):
    return client.generic("POST", "/webhooks", delivery["body"].encode(), content_type="application/json",
                          headers=delivery["headers"])  # fmt: skip


@pytest.fixture
def pushed(shopify_sim, db):
    shop = connected_shop(shopify_sim, domain=SHOP)
    return record(shop, connection(shop), "BK-1", State.PUSHED)  # Shopify order 1001


def deliver(client, shopify_sim, topic: str, body: dict, callbacks):
    delivery = shopify_sim.trigger_webhook(SHOP, topic, payload=body, deliver=False)
    with callbacks() as queued:
        answer = post(client, delivery)
    assert answer.status_code == 200
    return delivery, queued


@pytest.mark.django_db
def test_a_fulfilment_of_a_pushed_order_is_recorded_with_its_delivery_and_queued(
    client, pushed, shopify_sim, django_capture_on_commit_callbacks
):
    _, queued = deliver(client, shopify_sim, "fulfillments/create", fulfilment_body(numbers=("A1", "A2")),
                        django_capture_on_commit_callbacks)  # fmt: skip

    event = ShipmentEvent.objects.get()
    assert event.record_id == pushed.id and event.state == Event.WAITING and event.fulfillment_id.endswith("/7001")
    assert [t["number"] for t in event.body["tracking"]] == ["A1", "A2"]
    assert event.body["order_id"] == "BK-1" and event.body["line_items"] == [{"sku": "SKY-CORE", "quantity": 1}]
    delivery = WebhookDelivery.objects.get()
    assert delivery.processed_at is not None and delivery.payload is None  # the address is never kept
    assert delivery.outcome == "recorded for BackerKit" and len(queued) == 1
    assert "Private Lane" not in repr(event.body)


@pytest.mark.django_db
def test_a_fulfilment_of_an_order_this_app_did_not_push_is_ignored(
    client, pushed, shopify_sim, django_capture_on_commit_callbacks
):
    deliver(client, shopify_sim, "fulfillments/create", fulfilment_body(order=999), django_capture_on_commit_callbacks)

    assert not ShipmentEvent.objects.exists()
    assert WebhookDelivery.objects.get().outcome == "ignored: not an order this app pushed"


@pytest.mark.django_db
def test_the_same_version_twice_under_two_webhook_ids_is_one_event(
    client, pushed, shopify_sim, django_capture_on_commit_callbacks
):
    body = fulfilment_body()
    first, _ = deliver(client, shopify_sim, "fulfillments/create", body, django_capture_on_commit_callbacks)
    deliver(client, shopify_sim, "fulfillments/update", body, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks():
        assert post(client, shopify_sim.redeliver(first["webhook_id"], deliver=False)).status_code == 200

    assert ShipmentEvent.objects.count() == 1 and WebhookDelivery.objects.count() == 2


@pytest.mark.django_db
def test_a_newer_version_supersedes_a_waiting_one_and_a_late_older_one_is_ignored(
    client, pushed, shopify_sim, django_capture_on_commit_callbacks
):
    now = datetime.now(UTC)
    deliver(client, shopify_sim, "fulfillments/create", fulfilment_body(numbers=("OLD",), updated=now),
            django_capture_on_commit_callbacks)  # fmt: skip
    deliver(
        client,
        shopify_sim,
        "fulfillments/update",
        fulfilment_body(numbers=("NEW",), updated=now + timedelta(seconds=30)),
        django_capture_on_commit_callbacks,
    )
    deliver(client, shopify_sim, "fulfillments/update",
            fulfilment_body(numbers=("OLDER",), updated=now - timedelta(seconds=30)),
            django_capture_on_commit_callbacks)  # fmt: skip

    states = {e.body["tracking"][0]["number"]: e.state for e in ShipmentEvent.objects.all()}
    assert states == {"OLD": Event.SUPERSEDED, "NEW": Event.WAITING}


@pytest.mark.django_db
def test_an_open_fulfilment_ships_nothing_and_a_cancelled_one_is_reported(
    client, pushed, shopify_sim, django_capture_on_commit_callbacks
):
    now = datetime.now(UTC)
    deliver(client, shopify_sim, "fulfillments/create", fulfilment_body(status="open", updated=now),
            django_capture_on_commit_callbacks)  # fmt: skip
    assert not ShipmentEvent.objects.exists()
    deliver(
        client,
        shopify_sim,
        "fulfillments/update",
        fulfilment_body(status="cancelled", updated=now + timedelta(seconds=1)),
        django_capture_on_commit_callbacks,
    )
    assert ShipmentEvent.objects.get().body["status"] == "cancelled"


@pytest.mark.django_db
def test_a_merchant_cancellation_is_recorded_once(client, pushed, shopify_sim, django_capture_on_commit_callbacks):
    deliver(client, shopify_sim, "orders/cancelled", cancelled_order_body(), django_capture_on_commit_callbacks)
    later = cancelled_order_body(when=datetime.now(UTC) + timedelta(seconds=5))
    deliver(client, shopify_sim, "orders/cancelled", later, django_capture_on_commit_callbacks)

    event = ShipmentEvent.objects.get()
    assert event.kind == ShipmentEvent.Kind.CANCELLATION and event.body["reason"] == "customer"


@pytest.mark.django_db
def test_a_file_fed_connection_keeps_its_shipments_for_the_file(
    client, shopify_sim, db, django_capture_on_commit_callbacks
):
    shop = connected_shop(shopify_sim, domain=SHOP)
    record(shop, connection(shop, kind=BackerKitConnection.Kind.FILE_IMPORT, api_key=""), "BK-F", State.PUSHED)

    _, queued = deliver(client, shopify_sim, "fulfillments/create", fulfilment_body(),
                        django_capture_on_commit_callbacks)  # fmt: skip

    assert ShipmentEvent.objects.get().state == Event.FOR_FILE and not queued


@pytest.mark.django_db
def test_a_fulfilment_body_relabelled_as_a_compliance_topic_is_refused(client, pushed, shopify_sim):
    delivery = shopify_sim.trigger_webhook(SHOP, "shop/redact", payload=fulfilment_body(), deliver=False)
    assert post(client, delivery).status_code == 400
    assert not WebhookDelivery.objects.exists()
