"""``bulk_operations/finish``: the signed delivery of one of our operations has it followed at once
(the records written from its results); one that is not ours is recorded and ignored."""

import json

import pytest

from integrations.orders.models import BulkOperation, PushRecord
from integrations.orders.services import bulk_road
from shopapp.models import WebhookDelivery
from tests.support.bulk_road import open_bulk
from tests.support.campaign_files import CATALOG
from tests.support.lane_records import import_into, orders
from tests.support.processes import wait_for
from tests.support.shops import connected_shop


def post(client, delivery: dict):
    return client.generic("POST", "/webhooks", delivery["body"].encode(), content_type="application/json",
                          headers=delivery["headers"])  # fmt: skip


def finish_delivery(shopify_sim) -> dict:
    wait_for(lambda: any(d["topic"] == "bulk_operations/finish" for d in shopify_sim.deliveries()), timeout=10,
             what="the finish webhook")  # fmt: skip
    return next(d for d in shopify_sim.deliveries() if d["topic"] == "bulk_operations/finish")


@pytest.mark.django_db(transaction=True)
def test_the_finish_webhook_of_our_operation_writes_its_results(
    client, shopify_sim, eager_tasks, django_capture_on_commit_callbacks
):
    shop = connected_shop(shopify_sim)
    shopify_sim.seed_products(shop.domain, CATALOG)
    import_into(shop, orders(4))
    open_bulk(shop, shopify_sim)
    report = bulk_road.start_chunk(shop_id=shop.id)
    delivery = finish_delivery(shopify_sim)  # sent to APP_URL (no server here): posted by the test
    assert json.loads(delivery["body"])["status"] == "completed"

    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, delivery).status_code == 200

    assert WebhookDelivery.objects.filter(topic="bulk_operations/finish").exists()
    assert BulkOperation.objects.get(id=report.operation_id).stage == BulkOperation.Stage.RESOLVED
    assert set(PushRecord.objects.filter(shop=shop).values_list("state", flat=True)) == {"pushed"}
