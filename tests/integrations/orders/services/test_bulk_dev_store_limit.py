"""A development store's five orders a minute inside the bulk road. Shopify does not say whether
the limit binds bulk operations (docs/shopify-facts.md, "Bulk mutations"): the simulator is run
both ways and the road must end each order in Shopify once either way."""

import pytest

from integrations.orders.models import BulkOperation, PushRecord
from integrations.orders.services import bulk_road
from integrations.shops.models import Shop
from tests.support.bulk_road import finish_with_lanes, open_bulk, start_and_resolve
from tests.support.lane_records import import_into, orders, states
from tests.support.push_checks import assert_each_order_once

State = PushRecord.State


@pytest.fixture
def quick(settings):
    settings.PUSH_SEARCH_GRACE_SECONDS = 0.2
    return settings


def test_when_the_limit_binds_bulk_the_throttled_lines_are_looked_up_and_the_store_falls_back_to_calls(
    sim_shop, shopify_sim, quick
):
    batch = orders(12)
    import_into(sim_shop, batch)
    shopify_sim.update_shop(sim_shop.domain, plan="development")
    open_bulk(sim_shop, shopify_sim)
    shopify_sim.bulk(sim_shop.domain, dev_store_limit_in_bulk=True)
    measured_before = Shop.objects.get(id=sim_shop.id).bulk_lines_per_second

    operation = start_and_resolve(sim_shop)

    assert operation.shopify_status == "COMPLETED"
    assert (operation.lines, operation.pushed, operation.handed_back) == (12, 5, 7)
    throttled = PushRecord.objects.filter(shop=sim_shop, state=State.PENDING)
    assert throttled.count() == 7 and not throttled.filter(last_sent_at__isnull=True).exists()  # lookup first
    shop = Shop.objects.get(id=sim_shop.id)
    assert "development-store limit" in shop.bulk_refused_reason and "7 of 12 lines" in shop.bulk_refused_reason
    assert shop.bulk_lines_per_second == measured_before  # a throttled pace is not the runner's
    assert bulk_road.start_chunk(shop_id=sim_shop.id).stopped == "road closed"
    created = [o["source_identifier"] for o in shopify_sim.orders(sim_shop.domain)]
    assert len(created) == len(set(created)) == 5

    # The limit's minute cannot pass inside a test: the store leaves the development plan, and the
    # lanes finish (each throttled order looked up first, then sent once).
    shopify_sim.update_shop(sim_shop.domain, plan="standard")
    searches = shopify_sim.counters().get("order_searches", 0)
    finish_with_lanes(sim_shop)

    assert shopify_sim.counters()["order_searches"] - searches >= 7
    assert set(states(sim_shop).values()) == {State.PUSHED}
    assert_each_order_once(shopify_sim, sim_shop, batch)
    assert PushRecord.objects.filter(shop=sim_shop, road=PushRecord.Road.BULK).count() == 5


def test_when_the_limit_spares_bulk_every_line_is_created_by_the_operation(sim_shop, shopify_sim, quick):
    batch = orders(12)
    import_into(sim_shop, batch)
    shopify_sim.update_shop(sim_shop.domain, plan="development")
    open_bulk(sim_shop, shopify_sim)
    shopify_sim.bulk(sim_shop.domain, dev_store_limit_in_bulk=False)

    operation = start_and_resolve(sim_shop)

    assert (operation.shopify_status, operation.pushed, operation.handed_back) == ("COMPLETED", 12, 0)
    assert operation.stage == BulkOperation.Stage.RESOLVED
    assert not Shop.objects.get(id=sim_shop.id).bulk_refused_reason
    assert set(states(sim_shop).values()) == {State.PUSHED}
    assert_each_order_once(shopify_sim, sim_shop, batch)
    assert shopify_sim.counters().get("dev_store_order_limit", 0) == 0
