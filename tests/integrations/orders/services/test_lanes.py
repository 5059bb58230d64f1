"""A lane on its own: the slot semaphore, the per-record boundary, the sim_shop-level backoff and the
crash counter that holds a sim_shop, and one validated order from import to push.

Lanes run in the test's thread (``run_lane`` with a budget, as a worker runs it) against the
Shopify simulator; the records are imported straight into the database.
"""

import json
import logging
import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.orders.models import PushAttempt, PushRecord
from integrations.orders.services import lifecycle
from integrations.orders.services.lanes import _LaneSlot, active_lanes, next_due_in, run_lane
from integrations.orders.services.variants import _write_cache
from integrations.shopify.rate_limit import CostBucket
from integrations.shops.models import Shop
from tests.support.lane_records import LANE_BUDGET, import_into, orders, states

State = PushRecord.State
Outcome = PushAttempt.Outcome

ERROR_ID = re.compile(r"^Unexpected error ([0-9a-f]{8}); ")


def test_a_lane_runs_only_while_it_holds_one_of_the_shops_slots(sim_shop, settings):
    settings.PUSH_LANES_PER_SHOP = 1
    import_into(sim_shop, orders(2))
    holder = _LaneSlot(sim_shop.id, "another-lane")
    assert holder.acquire()
    assert active_lanes(shop_id=sim_shop.id) == 1

    report = run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    assert report.stopped == "enough lanes already"
    assert set(states(sim_shop).values()) == {State.PENDING}
    holder.release()
    assert active_lanes(shop_id=sim_shop.id) == 0
    run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)
    assert set(states(sim_shop).values()) == {State.PUSHED}


def test_an_unexpected_error_on_one_order_fails_it_alone_with_an_error_id_and_the_lane_goes_on(
    sim_shop, shopify_sim, caplog
):
    # Given: a variant cached (by an older release, say) with a price that is not a number, so mapping
    # the one order that has it raises decimal.InvalidOperation
    variant = {"id": "gid://shopify/ProductVariant/999999", "price": "NaN"}
    _write_cache(sim_shop.domain, {"ABSURD": json.dumps(variant)})
    absurd = orders(1, prefix="absurd")[0]
    absurd["items"] = [{"sku": "ABSURD", "name": "Absurd", "quantity": 1, "campaign_price": "60.00"}]
    import_into(sim_shop, [*orders(2, prefix="before"), absurd, *orders(2, prefix="after")])

    with caplog.at_level(logging.ERROR, logger="integrations.orders.services.push"):
        run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    record = PushRecord.objects.get(shop=sim_shop, backerkit_order_id="absurd-0")
    assert record.state == State.FAILED
    match = ERROR_ID.match(record.last_error)
    assert match, record.last_error
    assert "give BackerKit support the error id" in record.last_error
    assert record.push_attempts.get().outcome == Outcome.UNEXPECTED
    logged = [r for r in caplog.records if r.getMessage() == "push.record_crashed"]
    assert [r.error_id for r in logged] == [match.group(1)]
    assert logged[0].exc_info is not None  # the traceback is in the log, under the id
    others = {k: v for k, v in states(sim_shop).items() if k != "absurd-0"}
    assert set(others.values()) == {State.PUSHED}
    assert len(shopify_sim.orders(sim_shop.domain)) == 4


def test_an_order_whose_sku_has_surrounding_spaces_pushes_as_it_previews(sim_shop, shopify_sim):
    # The preview and the mapping use the validated order (SKUs stripped); so does the lane's lookup.
    spaced = orders(1, prefix="spaced")[0]
    spaced["items"][0]["sku"] = " GAME-CORE "
    import_into(sim_shop, [spaced])

    run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    record = PushRecord.objects.get(shop=sim_shop, backerkit_order_id="spaced-0")
    assert record.state == State.PUSHED, record.last_error
    [created] = shopify_sim.orders(sim_shop.domain)
    assert created["source_identifier"] == "spaced-0"


def _break_the_shop_row(sim_shop):
    """The database refuses the shop's details (a name longer than the column): an error about the
    sim_shop, raised before any order of the batch is sent."""
    Shop.objects.filter(id=sim_shop.id).update(currency="", name="")


def test_an_error_about_the_shop_hands_the_batch_back_and_backs_the_shop_off(sim_shop, shopify_sim, lane_settings):
    shopify_sim.update_shop(sim_shop.domain, name="N" * 300)
    _break_the_shop_row(sim_shop)
    import_into(sim_shop, orders(3))

    report = run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    assert report.stopped.startswith("unexpected error ")
    sim_shop.refresh_from_db()
    assert sim_shop.push_crashes == 1 and not sim_shop.push_hold
    backoff = (sim_shop.push_backoff_until - timezone.now()).total_seconds()
    assert 7 < backoff <= 10
    records = PushRecord.objects.filter(shop=sim_shop)
    assert {r.state for r in records} == {State.PENDING}
    assert {r.attempts for r in records} == {0}  # handed back untouched
    assert not PushAttempt.objects.filter(record__shop=sim_shop).exists()
    assert next_due_in(shop_id=sim_shop.id) > 7  # the task comes back after the backoff, not before

    # A lane started during the backoff leaves the sim_shop alone: no second crash for the same problem.
    run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)
    sim_shop.refresh_from_db()
    assert sim_shop.push_crashes == 1


def _backoff_elapses(sim_shop):
    Shop.objects.filter(id=sim_shop.id).update(push_backoff_until=timezone.now() - timedelta(seconds=1))
    PushRecord.objects.filter(shop=sim_shop, state=State.PENDING).update(not_before=None)


def test_lane_crashes_in_a_row_back_off_longer_then_hold_the_shop_with_a_reason(sim_shop, shopify_sim, lane_settings):
    shopify_sim.update_shop(sim_shop.domain, name="N" * 300)
    _break_the_shop_row(sim_shop)
    import_into(sim_shop, orders(3))

    waits = []
    for _ in range(2):
        run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)
        sim_shop.refresh_from_db()
        waits.append((sim_shop.push_backoff_until - timezone.now()).total_seconds())
        _backoff_elapses(sim_shop)
    assert waits[1] > waits[0]  # 10 s, then 20 s (with jitter)
    report = run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)  # the third in a row: held

    sim_shop.refresh_from_db()
    assert sim_shop.push_hold == Shop.PushHold.CRASHING
    error_id = report.stopped.removeprefix("unexpected error ")
    assert f"error id {error_id}" in sim_shop.push_hold_reason
    assert "No order is lost" in sim_shop.push_hold_reason
    assert set(states(sim_shop).values()) == {State.PAUSED}
    assert run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET).stopped == "shop not pushable"

    # The cause is fixed and a rep resumes: the hold is lifted, the count starts over, all pushed once.
    shopify_sim.update_shop(sim_shop.domain, name="Campaign Store")
    lifecycle.resume_shop(shop_id=sim_shop.id)
    sim_shop.refresh_from_db()
    assert (sim_shop.push_hold, sim_shop.push_crashes) == ("", 0)
    run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)
    assert set(states(sim_shop).values()) == {State.PUSHED}
    assert len(shopify_sim.orders(sim_shop.domain)) == 3


def test_a_batch_pushed_without_a_crash_resets_the_count(sim_shop, shopify_sim, lane_settings):
    shopify_sim.update_shop(sim_shop.domain, name="N" * 300)
    _break_the_shop_row(sim_shop)
    import_into(sim_shop, orders(2))
    run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)
    sim_shop.refresh_from_db()
    assert sim_shop.push_crashes == 1

    shopify_sim.update_shop(sim_shop.domain, name="Campaign Store")
    _backoff_elapses(sim_shop)
    run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    sim_shop.refresh_from_db()
    assert (sim_shop.push_crashes, sim_shop.push_backoff_until) == (0, None)
    assert set(states(sim_shop).values()) == {State.PUSHED}


def test_in_process_a_crashing_lane_waits_out_each_backoff_then_holds_the_shop_instead_of_looping(
    sim_shop, shopify_sim, lane_settings
):
    # The embedded default runs the lane in-process with no budget: it must still end.
    lane_settings.PUSH_CRASH_BACKOFF_SECONDS = 0.2
    shopify_sim.update_shop(sim_shop.domain, name="N" * 300)
    _break_the_shop_row(sim_shop)
    import_into(sim_shop, orders(2))

    report = run_lane(shop_id=sim_shop.id, budget_seconds=None)

    sim_shop.refresh_from_db()
    assert report.stopped.startswith("unexpected error ")
    assert (sim_shop.push_hold, sim_shop.push_crashes) == (Shop.PushHold.CRASHING, 3)
    assert set(states(sim_shop).values()) == {State.PAUSED}


def test_a_lane_writes_its_last_answer_to_the_cost_bucket_when_it_stops(sim_shop):
    # Each send's answer rides on the lane's next take; the last one has no next take.
    import_into(sim_shop, orders(3))

    run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    assert set(states(sim_shop).values()) == {State.PUSHED}
    last_outcome = PushAttempt.objects.filter(record__shop=sim_shop).latest("finished_at").finished_at
    mirror = CostBucket(sim_shop.domain)
    written_at = float(mirror._redis.hget(mirror.key, "ts"))
    assert written_at >= last_outcome.timestamp()  # written after the last order's outcome, not at its take


def test_a_lane_run_reads_its_shop_once_for_its_first_batch(sim_shop):
    # The run reads the shop to see it is pushable; its first batch's client uses that row (a later
    # batch reads it again: a token refreshed meanwhile is seen).
    import_into(sim_shop, orders(2))
    table = Shop._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    assert set(states(sim_shop).values()) == {State.PUSHED}
    reads = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    ]
    assert len(reads) == 1, reads


def test_each_pushed_order_costs_one_write_its_outcome_riding_on_the_next_stamp(sim_shop):
    import_into(sim_shop, orders(4))
    record_update = f'UPDATE "{PushRecord._meta.db_table}" SET "'  # noqa: S608 - a prefix to look for, not a query

    with CaptureQueriesContext(connection) as queries:
        run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    assert set(states(sim_shop).values()) == {State.PUSHED}
    assert PushAttempt.objects.filter(record__shop=sim_shop, outcome=Outcome.CREATED).count() == 4
    # Four stamps, four outcomes: the first stamp alone, three carrying the order before, the last
    # outcome alone at the end of the batch.
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].startswith(("WITH", record_update)) and "last_sent_at" in q["sql"]]  # fmt: skip
    assert len(writes) == 5, writes


def test_an_order_pushed_just_before_the_shop_stops_the_batch_is_pushed_not_handed_back(sim_shop, shopify_sim):
    # The first order is created; the second was sent before and is looked up first, and that
    # lookup finds every token revoked (the merchant uninstalled): the batch stops before another
    # stamp could carry the first order's outcome.
    import_into(sim_shop, orders(2))
    PushRecord.objects.filter(shop=sim_shop, backerkit_order_id="bk-1").update(
        last_sent_at=timezone.now() - timedelta(minutes=10)
    )
    shopify_sim.fault(sim_shop.domain, revoke_after=2)  # the variant lookup, the first orderCreate

    report = run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    assert report.stopped
    assert states(sim_shop)["bk-0"] == State.PUSHED
    first = PushRecord.objects.get(shop=sim_shop, backerkit_order_id="bk-0")
    assert list(first.push_attempts.values_list("outcome", flat=True)) == [Outcome.CREATED]
    assert states(sim_shop)["bk-1"] in (State.PAUSED, State.PENDING)
    assert [o["source_identifier"] for o in shopify_sim.orders(sim_shop.domain)] == ["bk-0"]
