"""A signed body cannot be replayed as something else: its shop must be the header's shop, its
shape the named topic's, its time within the retry window; and a shop that reinstalled after the
uninstall is not erased by a late (or replayed) ``shop/redact``."""

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from integrations.shops.models import Shop
from shopapp.models import WebhookDelivery
from shopapp.webhooks.signatures import body_signature
from tests.support.shops import connected_shop

VICTIM = "victim-store.myshopify.com"
ATTACKER = "attacker-store.myshopify.com"


def post(client, delivery: dict, *, headers: dict | None = None, body: str | None = None):
    sent = {**delivery["headers"], **(headers or {})}
    return client.generic("POST", "/webhooks", (body if body is not None else delivery["body"]).encode(),
                          content_type="application/json", headers=sent)  # fmt: skip


def as_new_delivery(**headers) -> dict:
    """Headers an attacker chooses freely: the HMAC covers the body only."""
    return {"X-Shopify-Webhook-Id": str(uuid.uuid4()), **headers}


def signed(payload: dict, settings) -> tuple[str, str]:
    body = json.dumps(payload)
    return body, body_signature(body.encode(), settings.SHOPIFY_API_SECRET)


@pytest.fixture
def shops(shopify_sim, db):
    return connected_shop(shopify_sim, domain=VICTIM), connected_shop(shopify_sim, domain=ATTACKER)


@pytest.mark.django_db
def test_an_uninstall_body_replayed_as_shop_redact_for_another_shop_erases_nothing(
    client, shops, shopify_sim, eager_tasks, django_capture_on_commit_callbacks, caplog
):
    # given: a captured, validly signed app/uninstalled of the attacker's own store
    captured = shopify_sim.uninstall(ATTACKER, deliver=False)

    # when: replayed as shop/redact for the victim, with a new webhook id
    with caplog.at_level(logging.WARNING, logger="shopapp.webhooks.views"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            answer = post(client, captured, headers=as_new_delivery(
                **{"X-Shopify-Topic": "shop/redact", "X-Shopify-Shop-Domain": VICTIM}))  # fmt: skip

    # then: refused, nothing recorded or queued, the victim intact
    assert answer.status_code == 400
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()
    assert Shop.objects.get(domain=VICTIM).status == Shop.Status.CONNECTED
    refused = [r for r in caplog.records if r.getMessage() == "webhook.refused"]
    assert [r.reason for r in refused] == ["wrong_shape"]


@pytest.mark.django_db
def test_a_body_of_one_shop_sent_for_another_shop_is_refused(client, shops, shopify_sim, caplog):
    captured = shopify_sim.trigger_webhook(ATTACKER, "shop/redact", deliver=False)

    with caplog.at_level(logging.WARNING, logger="shopapp.webhooks.views"):
        answer = post(client, captured, headers=as_new_delivery(**{"X-Shopify-Shop-Domain": VICTIM}))

    assert answer.status_code == 400
    assert not WebhookDelivery.objects.exists()
    assert Shop.objects.filter(domain=VICTIM).exists()
    assert [r.reason for r in caplog.records if r.getMessage() == "webhook.refused"] == ["shop_mismatch"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("topic", "captured_topic"),
    [
        ("shop/redact", "customers/redact"),  # same shop fields, but a customer's erasure
        ("customers/redact", "customers/data_request"),
        ("app/uninstalled", "app/scopes_update"),
        ("app/scopes_update", "app/uninstalled"),
        ("customers/data_request", "shop/redact"),
    ],
)
def test_a_body_of_another_topic_is_refused(client, shops, shopify_sim, topic, captured_topic):
    captured = shopify_sim.trigger_webhook(VICTIM, captured_topic, deliver=False)

    answer = post(client, captured, headers=as_new_delivery(**{"X-Shopify-Topic": topic}))

    assert answer.status_code == 400
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_each_topic_as_shopify_sends_it_is_accepted(client, shops, shopify_sim):
    for topic in ("app/scopes_update", "customers/data_request", "customers/redact", "shop/redact", "app/uninstalled"):
        assert post(client, shopify_sim.trigger_webhook(VICTIM, topic, deliver=False)).status_code == 200, topic
    assert WebhookDelivery.objects.count() == 5


@pytest.mark.django_db
def test_a_delivery_triggered_longer_ago_than_shopify_retries_is_refused(client, shops, shopify_sim, settings):
    settings.WEBHOOK_MAX_AGE_SECONDS = 5 * 3600
    captured = shopify_sim.trigger_webhook(VICTIM, "shop/redact", deliver=False)
    stale = (datetime.now(UTC) - timedelta(hours=5, minutes=1)).isoformat()
    fresh_retry = (datetime.now(UTC) - timedelta(hours=3, minutes=59)).isoformat()

    old = post(client, captured, headers={"X-Shopify-Triggered-At": stale})
    undated = post(client, captured, headers=as_new_delivery(**{"X-Shopify-Triggered-At": ""}))
    retried = post(client, captured, headers=as_new_delivery(**{"X-Shopify-Triggered-At": fresh_retry}))

    assert (old.status_code, undated.status_code, retried.status_code) == (400, 400, 200)
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_refused(client, shops, shopify_sim, settings):
    captured = shopify_sim.trigger_webhook(VICTIM, "shop/redact", deliver=False)
    body, signature = signed(["shop_domain", VICTIM], settings)

    answer = post(client, captured, body=body, headers={"X-Shopify-Hmac-Sha256": signature})

    assert answer.status_code == 400


@pytest.mark.django_db
def test_shop_redact_for_a_shop_that_reinstalled_since_erases_nothing_and_says_so(
    client, shops, shopify_sim, eager_tasks, django_capture_on_commit_callbacks, caplog
):
    # given: the victim uninstalled, then reinstalled (the shop is connected again)
    victim = Shop.objects.get(domain=VICTIM)
    late_redact = shopify_sim.trigger_webhook(VICTIM, "shop/redact", deliver=False)
    Shop.objects.filter(id=victim.id).update(
        installed_at=datetime.now(UTC), uninstalled_at=None, status=Shop.Status.CONNECTED
    )

    # when: the shop/redact of the earlier uninstall arrives
    with caplog.at_level(logging.INFO, logger="shopapp.webhooks.privacy"):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, late_redact).status_code == 200

    # then: the shop and its data stay; the delivery's outcome and the log say why
    assert Shop.objects.filter(id=victim.id).exists()
    outcome = WebhookDelivery.objects.get(topic="shop/redact").outcome
    assert outcome.startswith("nothing erased") and "installed" in outcome
    assert "privacy.shop_redact_skipped" in [r.getMessage() for r in caplog.records]


@pytest.mark.django_db
def test_shop_redact_after_the_uninstall_erases_the_shop(
    client, shops, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, shopify_sim.uninstall(VICTIM, deliver=False)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, shopify_sim.trigger_webhook(VICTIM, "shop/redact", deliver=False)).status_code == 200

    assert not Shop.objects.filter(domain=VICTIM).exists()
    assert WebhookDelivery.objects.get(topic="shop/redact").outcome == "shop erased"
