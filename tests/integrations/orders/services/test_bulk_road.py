"""The bulk road on its own: a chunk through the simulated bulk import, each result line on its
record, every fault ending with each order in Shopify once or with its reason (services run in the
test's thread against the Shopify simulator; the lanes finish what the road hands back)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.orders.models import BulkOperation, PushAttempt, PushRecord
from integrations.orders.services import bulk_claims, bulk_follow, bulk_road, claims
from integrations.orders.services.bulk_sizing import FIRST_CHUNK
from integrations.shops.models import Shop
from tests.support.bulk_road import finish_with_lanes, follow_to_the_end, open_bulk, start_and_resolve
from tests.support.lane_records import import_into, orders, states
from tests.support.push_checks import assert_each_order_once

State = PushRecord.State
Stage = BulkOperation.Stage


@pytest.fixture
def quick(settings):
    settings.PUSH_SEARCH_GRACE_SECONDS = 0.2
    return settings


def test_each_result_line_lands_on_its_record_as_a_lane_would_write_it(sim_shop, shopify_sim, quick):
    batch = orders(12)
    import_into(sim_shop, batch)
    open_bulk(sim_shop, shopify_sim)
    shopify_sim.fault(sim_shop.domain, user_errors_for=["bk-4"])

    operation = start_and_resolve(sim_shop)

    assert operation.stage == Stage.RESOLVED and operation.shopify_status == "COMPLETED"
    assert (operation.lines, operation.pushed, operation.handed_back) == (12, 11, 0)
    refused = PushRecord.objects.get(shop=sim_shop, backerkit_order_id="bk-4")
    assert refused.state == State.NEEDS_ATTENTION and refused.last_error.startswith("Shopify refused the order:")
    by_source = {o["source_identifier"]: o for o in shopify_sim.orders(sim_shop.domain)}
    for record in PushRecord.objects.filter(shop=sim_shop, state=State.PUSHED):
        assert record.road == PushRecord.Road.BULK and record.bulk_operation_id == operation.id
        assert record.shopify_order_id == by_source[record.backerkit_order_id]["gid"]
        assert record.shopify_order_name == by_source[record.backerkit_order_id]["name"]
        assert record.sent_input["order"]["sourceIdentifier"] == record.backerkit_order_id
        assert record.last_sent_at is None and record.claim_token == ""
    assert_each_order_once(shopify_sim, sim_shop, batch)
    shop = Shop.objects.get(id=sim_shop.id)
    assert shop.bulk_lines_per_second and shop.bulk_start_seconds is not None  # measured, averaged in


def test_a_shops_first_chunk_is_small_and_auto_leaves_small_pushes_to_the_calls(sim_shop, shopify_sim, quick):
    import_into(sim_shop, orders(FIRST_CHUNK + 30))
    open_bulk(sim_shop, shopify_sim, measured=None)

    first = bulk_road.start_chunk(shop_id=sim_shop.id)
    follow_to_the_end(first.operation_id)

    assert first.lines == FIRST_CHUNK  # nothing measured yet: a small first chunk times the shop's runner
    Shop.objects.filter(id=sim_shop.id).update(push_road=Shop.PushRoad.AUTO)
    assert bulk_road.start_chunk(shop_id=sim_shop.id).stopped == "the calls are enough"


def test_an_operation_failed_halfway_pushes_its_partial_results_and_the_rest_is_looked_up_never_doubled(
    sim_shop, shopify_sim, quick
):
    batch = orders(20)
    import_into(sim_shop, batch)
    open_bulk(sim_shop, shopify_sim)
    shopify_sim.bulk(sim_shop.domain, fail_after_lines=8)

    operation = start_and_resolve(sim_shop)

    assert operation.shopify_status == "FAILED" and operation.error_code == "INTERNAL_SERVER_ERROR"
    assert (operation.pushed, operation.handed_back) == (8, 12)
    handed = PushRecord.objects.filter(shop=sim_shop, state=State.PENDING)
    assert handed.count() == 12 and not handed.filter(last_sent_at__isnull=True).exists()  # looked up first
    searches = shopify_sim.counters().get("order_searches", 0)
    finish_with_lanes(sim_shop)
    assert shopify_sim.counters()["order_searches"] - searches >= 12
    assert set(states(sim_shop).values()) == {State.PUSHED}
    assert_each_order_once(shopify_sim, sim_shop, batch)


@pytest.mark.parametrize(
    "faults",
    [
        {"cancel_after_lines": 3},
        {"results_5xx": 1, "lose_finish_webhooks": 1},
        {"line_error_for": ["bk-2"]},
    ],
    ids=["canceled", "results-5xx-once-and-webhook-lost", "a-line-without-result"],
)
def test_every_fault_ends_with_each_order_once(sim_shop, shopify_sim, quick, faults):
    batch = orders(10)
    import_into(sim_shop, batch)
    open_bulk(sim_shop, shopify_sim)
    shopify_sim.bulk(sim_shop.domain, **faults)

    start_and_resolve(sim_shop)
    finish_with_lanes(sim_shop)

    assert set(states(sim_shop).values()) == {State.PUSHED}
    assert_each_order_once(shopify_sim, sim_shop, batch)
    assert not Shop.objects.get(id=sim_shop.id).bulk_refused_reason


@pytest.mark.parametrize(
    ("faults", "refused"),
    [
        ({"refuse_with": "INVALID_MUTATION", "refuse_times": 1}, True),
        ({"refuse_with": "LIMIT_REACHED", "refuse_times": 1}, True),
        ({"access_denied_times": 1}, True),
        ({"refuse_with": "OPERATION_IN_PROGRESS", "refuse_times": 1}, False),
    ],
    ids=["invalid-mutation", "limit-reached", "access-denied", "in-progress-waits"],
)
def test_a_refused_road_falls_back_to_the_calls_and_says_why(sim_shop, shopify_sim, quick, faults, refused):
    import_into(sim_shop, orders(6))
    open_bulk(sim_shop, shopify_sim)
    shopify_sim.bulk(sim_shop.domain, **faults)

    report = bulk_road.start_chunk(shop_id=sim_shop.id)

    untouched = PushRecord.objects.filter(shop=sim_shop, state=State.PENDING, last_sent_at__isnull=True,
                                          bulk_operation__isnull=True, attempts=0)  # fmt: skip
    assert untouched.count() == 6  # handed back as they were: the lanes send them, nothing to look up
    shop = Shop.objects.get(id=sim_shop.id)
    assert bool(shop.bulk_refused_reason) is refused, report
    assert BulkOperation.objects.get(id=report.operation_id).stage == Stage.ABANDONED
    if refused:
        assert bulk_road.start_chunk(shop_id=sim_shop.id).stopped == "road closed"
    finish_with_lanes(sim_shop)
    assert set(states(sim_shop).values()) == {State.PUSHED}


def test_a_lost_run_answer_is_found_among_the_shops_operations(sim_shop, shopify_sim, quick):
    batch = orders(8)
    import_into(sim_shop, batch)
    open_bulk(sim_shop, shopify_sim)
    report = bulk_road.start_chunk(shop_id=sim_shop.id)
    # As if the answer to bulkOperationRunMutation never came: RUN_SENT, Shopify's id unknown.
    BulkOperation.objects.filter(id=report.operation_id).update(stage=Stage.RUN_SENT, shopify_id="")

    follow_to_the_end(report.operation_id)

    operation = BulkOperation.objects.get(id=report.operation_id)
    assert operation.stage == Stage.RESOLVED and operation.pushed == 8 and operation.shopify_id
    assert_each_order_once(shopify_sim, sim_shop, batch)


def test_a_worker_killed_before_or_after_the_run_leaves_nothing_lost_nor_doubled(sim_shop, shopify_sim, quick):
    batch = orders(9)
    import_into(sim_shop, batch)
    # Killed with the chunk claimed, nothing uploaded: handed back untouched once its lease ran out.
    claimed = BulkOperation.objects.create(shop=sim_shop, lease_until=timezone.now() - timedelta(seconds=1))
    bulk_claims.claim_chunk(operation=claimed, limit=3)
    # Killed after stamping the run, before the call left: nothing in Shopify, records looked up.
    lost = BulkOperation.objects.create(shop=sim_shop)
    bulk_claims.claim_chunk(operation=lost, limit=3)
    bulk_claims.stamp_lines(operation=lost, lines=[(r, i, {}, {}) for i, r in enumerate(bulk_claims.held(lost))])
    bulk_claims.stamp_run(operation=lost)
    BulkOperation.objects.filter(id=lost.id).update(run_sent_at=timezone.now() - timedelta(minutes=5))
    assert claims.recover_abandoned(lease_seconds=0) == 0  # the sweeper leaves bulk claims to the road

    follow_to_the_end(claimed.id)
    follow_to_the_end(lost.id)

    assert BulkOperation.objects.get(id=claimed.id).handed_back == 3
    assert BulkOperation.objects.get(id=lost.id).handed_back == 3
    assert PushRecord.objects.filter(shop=sim_shop, state=State.PENDING, last_sent_at__isnull=False).count() == 3
    finish_with_lanes(sim_shop)
    assert_each_order_once(shopify_sim, sim_shop, batch)
    assert (
        PushAttempt.objects.filter(record__bulk_operation=lost, outcome=PushAttempt.Outcome.FOUND_EXISTING).count() == 0
    )


def test_the_finish_webhook_is_one_of_ours_or_ignored(sim_shop, shopify_sim, quick):
    import_into(sim_shop, orders(3))
    open_bulk(sim_shop, shopify_sim)
    operation = start_and_resolve(sim_shop)

    assert bulk_follow.by_shopify_id(shop_domain=sim_shop.domain, shopify_id=operation.shopify_id) == operation.id
    assert bulk_follow.by_shopify_id(shop_domain=sim_shop.domain, shopify_id="gid://shopify/BulkOperation/1") is None


def test_the_next_chunk_is_prepared_while_the_first_measuring_operation_runs(sim_shop, shopify_sim, quick):
    import_into(sim_shop, orders(FIRST_CHUNK + 400))
    shopify_sim.update_shop(sim_shop.domain, plan="standard")  # calls at 10/s: the bulk road has a share
    open_bulk(sim_shop, shopify_sim, rate=40, measured=None)
    Shop.objects.filter(id=sim_shop.id).update(push_road=Shop.PushRoad.AUTO)
    first = bulk_road.start_chunk(shop_id=sim_shop.id)
    assert first.measuring and first.lines == FIRST_CHUNK
    assert bulk_road.start_chunk(shop_id=sim_shop.id).stopped == "one being prepared"  # nothing timed yet

    deadline = timezone.now() + timedelta(seconds=20)
    while BulkOperation.objects.get(id=first.operation_id).lines_done < FIRST_CHUNK // 3:
        assert timezone.now() < deadline
        bulk_follow.follow(operation_id=first.operation_id)
    second = bulk_road.start_chunk(shop_id=sim_shop.id)

    assert second.lines > 0 and not second.measuring, second  # sized from the pace objectCount shows
    assert BulkOperation.objects.get(id=first.operation_id).stage == Stage.RUNNING
    assert Shop.objects.get(id=sim_shop.id).bulk_lines_per_second is None  # learned only at its end
