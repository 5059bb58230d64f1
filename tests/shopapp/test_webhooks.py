"""Webhooks as the simulator signs and sends them: HMAC checked on the raw body first (401 when
wrong), a repeat is a harmless 200 processed once, each topic does its work in a task."""

import json

import pytest

from integrations.shopify.app_toml import declared_webhook_topics
from integrations.shops.models import Shop
from shopapp.models import DataRequest, WebhookDelivery
from shopapp.webhooks.handlers import HANDLERS
from tests.support.id_tokens import bearer
from tests.support.processes import wait_for
from tests.support.push_records import State, parked_record
from tests.support.shops import connected_shop

SHOP = "campaign-store.myshopify.com"


def post(client, delivery: dict, *, body: str | None = None, headers: dict | None = None):
    sent = {**delivery["headers"], **(headers or {})}
    return client.generic("POST", "/webhooks", (body if body is not None else delivery["body"]).encode(),
                          content_type="application/json", headers=sent)  # fmt: skip


@pytest.fixture
def sim_shop(shopify_sim, db):
    return connected_shop(shopify_sim, domain=SHOP)


@pytest.mark.django_db
def test_a_webhook_with_a_bad_hmac_is_refused_before_anything(client, sim_shop, shopify_sim):
    delivery = shopify_sim.uninstall(SHOP, deliver=False)

    tampered = post(client, delivery, body=delivery["body"].replace(SHOP, "other.myshopify.com"))
    unsigned = post(client, delivery, headers={"X-Shopify-Hmac-Sha256": ""})
    forged = post(client, delivery, headers={"X-Shopify-Hmac-Sha256": "bm90IGEgc2lnbmF0dXJl"})

    assert (tampered.status_code, unsigned.status_code, forged.status_code) == (401, 401, 401)
    assert not WebhookDelivery.objects.exists()
    assert Shop.objects.get(id=sim_shop.id).status == Shop.Status.CONNECTED


@pytest.mark.django_db
def test_only_posts_are_accepted(client):
    assert client.get("/webhooks").status_code == 405


@pytest.mark.django_db
def test_a_repeated_webhook_is_a_harmless_200_processed_once(
    client, sim_shop, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    waiting = parked_record(sim_shop, State.PENDING)
    delivery = shopify_sim.uninstall(SHOP, deliver=False)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, delivery)
    redelivery = shopify_sim.redeliver(delivery["webhook_id"], deliver=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        repeat = post(client, redelivery)

    assert (first.status_code, repeat.status_code) == (200, 200)
    assert callbacks == []  # nothing enqueued for the repeat
    recorded = WebhookDelivery.objects.get()
    assert recorded.processed_at is not None and recorded.payload is None  # processed, payload erased
    waiting.refresh_from_db()
    assert waiting.state == State.PAUSED  # the uninstall paused the shop's waiting work, once


@pytest.mark.django_db
def test_the_previous_secret_is_accepted_during_rotation(client, sim_shop, shopify_sim, settings):
    delivery = shopify_sim.trigger_webhook(SHOP, "app/scopes_update", deliver=False)
    settings.SHOPIFY_API_SECRET_OLD = settings.SHOPIFY_API_SECRET
    settings.SHOPIFY_API_SECRET = "the-new-secret-after-the-rotation-32b"

    assert post(client, delivery).status_code == 200


def process(client, delivery, capture):
    with capture(execute=True):
        assert post(client, delivery).status_code == 200


@pytest.mark.django_db
def test_app_uninstalled_deletes_the_tokens_and_pauses_the_work(
    client, sim_shop, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    waiting = parked_record(sim_shop, State.PENDING)
    process(client, shopify_sim.uninstall(SHOP, deliver=False), django_capture_on_commit_callbacks)

    sim_shop.refresh_from_db()
    assert sim_shop.status == Shop.Status.UNINSTALLED
    assert sim_shop.access_token == "" and sim_shop.refresh_token == "" and sim_shop.uninstalled_at
    waiting.refresh_from_db()
    assert waiting.state == State.PAUSED


@pytest.mark.django_db
def test_reduced_scopes_disconnect_the_shop_and_restored_ones_reconnect_it(
    client, sim_shop, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    paused = parked_record(sim_shop, State.PAUSED)
    process(client, shopify_sim.set_scopes(SHOP, ["read_products"], deliver=False), django_capture_on_commit_callbacks)
    sim_shop.refresh_from_db()
    assert sim_shop.status == Shop.Status.DISCONNECTED
    assert sim_shop.scopes == "read_products"
    assert "write_orders" in sim_shop.disconnected_reason and "Reconnect" in sim_shop.disconnected_reason

    process(client, shopify_sim.set_scopes(SHOP, ["read_products", "write_orders"], deliver=False),
            django_capture_on_commit_callbacks)  # fmt: skip

    sim_shop.refresh_from_db()
    assert sim_shop.status == Shop.Status.CONNECTED
    paused.refresh_from_db()
    assert paused.state == State.PENDING  # reconnected: the paused work is waiting to be pushed again


@pytest.mark.django_db
def test_a_data_request_is_recorded_and_handed_to_the_merchant(
    client, sim_shop, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    options = {"customer_email": "backer@example.com", "customer_id": 7}
    delivery = shopify_sim.trigger_webhook(SHOP, "customers/data_request", deliver=False, options=options)

    process(client, delivery, django_capture_on_commit_callbacks)

    request = DataRequest.objects.get(shop=sim_shop)
    assert request.customer_email == "backer@example.com"
    assert request.export["customer"] == {"id": "7", "email": "backer@example.com"}
    assert request.export["orders"] == []  # no orders of this backer were pushed
    home = client.get("/", headers=bearer(SHOP))
    assert b"Customer data requests" in home.content
    download = client.get(f"/privacy/data-requests/{request.id}.json", headers=bearer(SHOP))
    assert json.loads(download.content)["customer"]["email"] == "backer@example.com"


@pytest.mark.django_db
def test_customers_redact_erases_what_we_hold_on_the_customer(
    client, sim_shop, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    options = {"customer_email": "backer@example.com", "customer_id": 7}
    process(client, shopify_sim.trigger_webhook(SHOP, "customers/data_request", deliver=False, options=options),
            django_capture_on_commit_callbacks)  # fmt: skip
    assert DataRequest.objects.exists()

    process(client, shopify_sim.trigger_webhook(SHOP, "customers/redact", deliver=False, options=options),
            django_capture_on_commit_callbacks)  # fmt: skip

    assert not DataRequest.objects.exists()
    assert WebhookDelivery.objects.filter(topic="customers/redact").get().outcome.startswith("redacted")


@pytest.mark.django_db
def test_shop_redact_erases_the_shop(client, sim_shop, shopify_sim, eager_tasks, django_capture_on_commit_callbacks):
    process(client, shopify_sim.uninstall(SHOP, deliver=False), django_capture_on_commit_callbacks)  # 48 h earlier
    process(client, shopify_sim.trigger_webhook(SHOP, "shop/redact", deliver=False), django_capture_on_commit_callbacks)

    assert not Shop.objects.filter(domain=SHOP).exists()
    assert list(WebhookDelivery.objects.values_list("topic", flat=True)) == ["shop/redact"]


def test_an_uninstall_delivered_over_http_is_processed_by_a_real_worker(
    shopify_sim, shopify_simulator, live_server, worker_factory
):
    sim_shop = connected_shop(shopify_sim, domain=SHOP)
    shopify_sim.configure(app_url=live_server.url)
    worker_factory(name="webhooks", SHOPIFY_ORIGIN_TEMPLATE=shopify_simulator.origin_template)

    delivery = shopify_sim.uninstall(SHOP)

    assert delivery["status"] == 200
    wait_for(lambda: Shop.objects.get(id=sim_shop.id).status == Shop.Status.UNINSTALLED, timeout=20,
             what="the worker to process app/uninstalled")  # fmt: skip
    assert WebhookDelivery.objects.get().processed_at is not None


@pytest.mark.django_db
def test_a_declared_topic_without_a_handler_yet_is_answered_200_and_ignored(client, sim_shop, shopify_sim):
    unhandled = [t for t in declared_webhook_topics() if t not in HANDLERS] or ["orders/create"]

    answers = [
        post(client, shopify_sim.trigger_webhook(SHOP, topic, payload={"id": 1}, deliver=False)).status_code
        for topic in unhandled
    ]

    assert answers == [200] * len(unhandled)
    assert not WebhookDelivery.objects.exists()
