"""The scheduled pull reads BackerKit's change feed after the locked orders: an order already pushed
that changed becomes an OrderChange, one canceled before its push is never sent, a second pull with
nothing new changes nothing. Real PostgreSQL and the BackerKit simulator; nothing is sent to Shopify."""

import pytest

from integrations.orders.models import BackerKitConnection, OrderChange, PushRecord
from integrations.orders.services import pull
from tests.support.change_shops import order
from tests.support.shops import connected_shop

PROJECT, KEY = "skyforge", "bk-test-key"


@pytest.fixture
def connection(db, shopify_sim, backerkit_sim):
    backerkit_sim.state.add_project(id=PROJECT, api_key=KEY, currency="USD")
    backerkit_sim.state.add_orders(PROJECT, [order(f"bk-{i}") for i in range(4)])
    shop = connected_shop(shopify_sim)
    return BackerKitConnection.objects.create(shop=shop, store_name="Skyforge Store", project=PROJECT, api_key=KEY,
                                              currency="USD")  # fmt: skip


def test_the_pull_reads_the_change_feed_and_turns_changes_of_pushed_orders_into_changes(backerkit_sim, connection):
    pull.pull(connection_id=connection.id, start_push=False, changes=True)
    PushRecord.objects.filter(backerkit_order_id__in=["bk-0", "bk-1"]).update(
        state=PushRecord.State.PUSHED, shopify_order_id="gid://shopify/Order/1"
    )
    address = {**order("bk-0")["shipping_address"], "city": "Shelbyville"}
    backerkit_sim.state.change_order(PROJECT, "bk-0", {"shipping_address": address})
    backerkit_sim.state.cancel_order(PROJECT, "bk-1")
    backerkit_sim.state.cancel_order(PROJECT, "bk-2")  # not pushed yet

    pull.pull(connection_id=connection.id, start_push=False, changes=True)

    changes = {c.record.backerkit_order_id: (c.kinds, c.sent_by.split(" since")[0]) for c in OrderChange.objects.all()}
    assert changes == {"bk-0": (["address"], "BackerKit pull changes"), "bk-1": (["cancel"], "BackerKit pull changes")}
    never = PushRecord.objects.get(backerkit_order_id="bk-2")
    assert never.state == PushRecord.State.FAILED and "Canceled in BackerKit before it was pushed" in never.last_error
    connection.refresh_from_db()
    assert connection.change_cursor

    pull.pull(connection_id=connection.id, start_push=False, changes=True)  # nothing new in the feed
    assert OrderChange.objects.count() == 2
