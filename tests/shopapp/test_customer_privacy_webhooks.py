"""The customer compliance topics against push records of the customer (issue 19): what the
data-request export holds, what ``customers/redact`` erases and what it keeps, found by the email
digest and by the Shopify orders the app recorded; data-request exports expire."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from integrations.orders.models import PushAttempt, PushRecord
from integrations.orders.services.imports import customer_digest
from shopapp.models import DataRequest, WebhookDelivery
from tests.support.push_records import attempt, connection, record
from tests.support.shops import connected_shop

SHOP = "privacy-store.myshopify.com"
State = PushRecord.State
ORDER = json.loads((Path(__file__).resolve().parents[1] / "fixtures/backerkit/orders/paid.json").read_text())


def post(client, delivery: dict):
    return client.generic("POST", "/webhooks", delivery["body"].encode(), content_type="application/json",
                          headers=delivery["headers"])  # fmt: skip


def deliver(client, shopify_sim, capture, topic: str, **options) -> WebhookDelivery:
    delivery = shopify_sim.trigger_webhook(SHOP, topic, deliver=False, options=options)
    with capture(execute=True):
        assert post(client, delivery).status_code == 200
    return WebhookDelivery.objects.get(webhook_id=delivery["webhook_id"])


def order_of(order_id: str, email: str, **address) -> dict:
    order = {**ORDER, "id": order_id, "email": email, "shipping_address": {**ORDER["shipping_address"], **address}}
    return {key: value for key, value in order.items() if key not in ("note", "survey_answers")}


@pytest.fixture
def store(shopify_sim, db):
    shop = connected_shop(shopify_sim, domain=SHOP)
    return shop, connection(shop)


@pytest.fixture
def ada(store):
    """Ada's orders: one waiting, one pushed (Shopify order 5001) whose stored email is an older one
    (findable only by the order id), one refused whose reason quotes her email (written before
    messages stopped quoting personal values)."""
    shop, conn = store
    waiting = record(shop, conn, "bk-ada-waiting", State.PENDING, customer_digest=customer_digest("ada@example.com"),
                     order_data=order_of("bk-ada-waiting", "ada@example.com"))  # fmt: skip
    pushed = record(
        shop, conn, "bk-ada-pushed", State.PUSHED, customer_digest=customer_digest("ada.old@example.com"),
        order_data=order_of("bk-ada-pushed", "ada.old@example.com", address1="7 Harbour Road"),
        sent_input={"order": {"email": "ada.old@example.com", "shippingAddress": {"address1": "7 Harbour Road",
                                                                                 "countryCode": "US"}}},
        shopify_order_id="gid://shopify/Order/5001", shopify_order_name="#5001",
    )  # fmt: skip
    refused = record(shop, conn, "bk-ada-refused", State.FAILED, invalid_input=True,
                     customer_digest=customer_digest("Ada@Example.com"),
                     order_data=order_of("bk-ada-refused", "ada@example.com"),
                     last_error='order bk-ada-refused: email: "ada@example.com" is not valid')  # fmt: skip
    attempt(pushed, PushAttempt.Outcome.USER_ERRORS, detail="Shopify: address 7 Harbour Road is not deliverable")
    return {"waiting": waiting, "pushed": pushed, "refused": refused}


@pytest.fixture
def bob(store):
    shop, conn = store
    return record(shop, conn, "bk-bob", State.PUSHED, customer_digest=customer_digest("bob@example.com"),
                  order_data=order_of("bk-bob", "bob@example.com", first_name="Bob", address1="1 Elm Row"),
                  sent_input={"order": {"email": "bob@example.com"}},
                  shopify_order_id="gid://shopify/Order/5002")  # fmt: skip


def test_the_export_holds_every_record_of_the_customer_and_nothing_of_others(
    client, store, ada, bob, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    deliver(client, shopify_sim, django_capture_on_commit_callbacks, "customers/data_request",
            customer_email="ada@example.com", customer_id=77, order_ids=[5001])  # fmt: skip

    export = DataRequest.objects.get().export
    orders = {entry["backerkit_order_id"]: entry for entry in export["orders"]}
    assert set(orders) == {"bk-ada-waiting", "bk-ada-pushed", "bk-ada-refused"}  # not bk-bob
    assert export["orders_requested"] == [5001]
    pushed = orders["bk-ada-pushed"]
    assert pushed["order_data"]["shipping_address"]["address1"] == "7 Harbour Road"
    assert pushed["sent_to_shopify"]["order"]["email"] == "ada.old@example.com"
    assert pushed["shopify_order_name"] == "#5001" and pushed["state"] == "pushed"
    assert pushed["amount_paid"] == "90.00" and pushed["currency"] == "USD"
    assert orders["bk-ada-waiting"]["order_data"]["email"] == "ada@example.com"
    assert "note" not in orders["bk-ada-waiting"]["order_data"]  # never kept, so never exported
    assert "Bob" not in json.dumps(export) and "bob@example.com" not in json.dumps(export)


def test_redact_erases_the_customers_records_found_by_email_and_by_order_and_keeps_the_trail(
    client, store, ada, bob, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    delivery = deliver(client, shopify_sim, django_capture_on_commit_callbacks, "customers/redact",
                       customer_email="ada@example.com", customer_id=77, order_ids=[5001])  # fmt: skip

    assert delivery.outcome == "redacted 3 records"
    for name, before in ada.items():
        after = PushRecord.objects.get(id=before.id)
        assert after.order_data is None and after.sent_input is None, name
        assert after.customer_digest == "" and after.backer_id == "", name
        assert after.personal_data_purged_at is not None, name
        # kept: the accounting trail
        assert after.backerkit_order_id == before.backerkit_order_id and after.amount_paid == Decimal("90.00")
        assert "ada@example.com" not in after.last_error.lower()
    pushed = PushRecord.objects.get(id=ada["pushed"].id)
    assert pushed.state == State.PUSHED and pushed.shopify_order_id == "gid://shopify/Order/5001"
    assert PushAttempt.objects.get(record=pushed).detail == "Shopify: address [erased] is not deliverable"
    waiting = PushRecord.objects.get(id=ada["waiting"].id)
    assert waiting.state == State.FAILED and waiting.invalid_input  # never pushed without its address
    assert "customers/redact" in waiting.last_error
    refused = PushRecord.objects.get(id=ada["refused"].id)
    assert refused.last_error.startswith('order bk-ada-refused: email: "[erased]" is not valid')
    untouched = PushRecord.objects.get(id=bob.id)
    assert untouched.order_data["email"] == "bob@example.com" and untouched.customer_digest


def test_redact_by_order_ids_alone_finds_the_pushed_order(
    client, store, ada, bob, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    # Shopify may know the customer under an email BackerKit never had: the orders still name them.
    deliver(client, shopify_sim, django_capture_on_commit_callbacks, "customers/redact",
            customer_email="someone.else@example.com", customer_id=78, order_ids=[5001])  # fmt: skip

    assert PushRecord.objects.get(id=ada["pushed"].id).order_data is None
    assert PushRecord.objects.get(id=ada["waiting"].id).order_data is not None
    assert PushRecord.objects.get(id=bob.id).order_data is not None


def test_a_repeated_redact_keeps_the_trail_and_says_its_reason_once(
    client, store, ada, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    for _ in range(2):
        deliver(client, shopify_sim, django_capture_on_commit_callbacks, "customers/redact",
                customer_email="ada@example.com", customer_id=77, order_ids=[5001])  # fmt: skip

    refused = PushRecord.objects.get(id=ada["refused"].id)
    assert refused.last_error.count("customers/redact") == 1
    assert PushRecord.objects.get(id=ada["pushed"].id).state == State.PUSHED
