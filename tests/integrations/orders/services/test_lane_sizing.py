"""How many lanes run and what they hold at once follows what the shop's bucket lets through: on a
Standard store a few seconds of calls in 20 lanes (the rest of the queue stays the bulk road's to
take, and worker threads stay free), on Plus the setting's batch and lanes.

The shop's bucket mirror learns Shopify's figures from a real push through the simulator; then every
lane the shop may run claims its batch, as a lane does before sending.
"""

from django.conf import settings

from integrations.orders.models import PushRecord
from integrations.orders.services import claims
from integrations.orders.services.lane_sizing import batch_size, lane_count
from integrations.orders.services.lanes import _LaneSlot, active_lanes, claim_lane_batch, lane_limit, run_lane
from integrations.shopify.rate_limit import CostBucket
from tests.support.campaign_files import CATALOG
from tests.support.lane_records import LANE_BUDGET, import_into, orders
from tests.support.shops import connected_shop

State = PushRecord.State
ORDER_CREATE_COST = 10.0  # Shopify: a mutation costs 10 points


def _shop_after_one_push(shopify_sim, *, plan: str, domain: str):
    shop = connected_shop(shopify_sim, domain=domain, plan=plan)
    shopify_sim.seed_products(shop.domain, CATALOG)
    import_into(shop, orders(1, prefix="first"))
    run_lane(shop_id=shop.id, budget_seconds=LANE_BUDGET)  # the mirror now has Shopify's restore rate
    assert PushRecord.objects.get(shop=shop).state == State.PUSHED
    return shop


def test_a_standard_shops_lanes_together_hold_only_a_few_seconds_of_calls(transactional_db, shopify_sim, lane_settings):
    # Given: a Standard store (100 points a second: 10 orderCreate a second), 32 lanes of 25 a batch
    lane_settings.PUSH_LANES_PER_SHOP = 32
    shop = _shop_after_one_push(shopify_sim, plan="standard", domain="standard-lanes.myshopify.com")
    bucket = CostBucket(shop.domain)
    assert bucket.restore_rate() == 100.0
    import_into(shop, orders(300, prefix="queued"))

    # When: as many lanes as the setting allows start, and each that gets a slot claims its batch
    batches = _lanes_claim(shop, bucket, tries=settings.PUSH_LANES_PER_SHOP)

    # Then: together they hold at most ~10 s of the bucket's pace, each lane something to send
    held = PushRecord.objects.filter(shop=shop, state=State.PUSHING).count()
    assert held == sum(len(batch) for batch in batches)
    seconds_held = held / (bucket.restore_rate() / ORDER_CREATE_COST)
    assert seconds_held <= 10.0, f"{held} orders held: {seconds_held:.0f} s of calls"
    assert all(batches)


def test_a_standard_shop_runs_the_lanes_that_keep_its_bucket_busy_not_the_settings_32(
    transactional_db, shopify_sim, lane_settings
):
    # Given: a Standard store (10 orderCreate a second); calls of up to 2 s keep 20 lanes busy
    lane_settings.PUSH_LANES_PER_SHOP = 32
    shop = _shop_after_one_push(shopify_sim, plan="standard", domain="standard-count.myshopify.com")
    import_into(shop, orders(300, prefix="queued"))

    # When: 32 lanes start
    batches = _lanes_claim(shop, CostBucket(shop.domain), tries=32)

    # Then: 20 run (12 worker threads stay free for the bulk road and other shops), and start_lanes
    # asks for no more than those
    assert len(batches) == lane_limit(shop_id=shop.id) == 20
    assert active_lanes(shop_id=shop.id) == 20


def test_a_lane_run_beyond_a_standard_shops_lanes_stops_before_claiming(transactional_db, shopify_sim, lane_settings):
    # Given: a Standard store whose 20 lanes run (their slots held), the setting allowing 32
    lane_settings.PUSH_LANES_PER_SHOP = 32
    shop = _shop_after_one_push(shopify_sim, plan="standard", domain="standard-full.myshopify.com")
    import_into(shop, orders(30, prefix="queued"))
    for _ in range(20):
        assert _LaneSlot(shop.id, claims.new_claim_token()).acquire()

    # When: a 21st lane run starts (its slot is one of the setting's 32, not one of the shop's 20)
    report = run_lane(shop_id=shop.id, budget_seconds=LANE_BUDGET)

    # Then: it stops without claiming anything, and gives its slot back
    assert report.stopped == "enough lanes already"
    assert PushRecord.objects.filter(shop=shop, state=State.PENDING).count() == 30
    assert active_lanes(shop_id=shop.id) == 20


def _lanes_claim(shop, bucket: CostBucket, *, tries: int) -> list[list[PushRecord]]:
    """Each lane that gets one of the shop's slots claims its batch (the slots stay held)."""
    batches = []
    for _ in range(tries):
        token = claims.new_claim_token()
        if _LaneSlot(shop.id, token, limit=lane_limit(shop_id=shop.id)).acquire():
            batches.append(claim_lane_batch(shop_id=shop.id, token=token, bucket=bucket))
    return batches


def test_a_plus_shops_lanes_claim_the_settings_batch(transactional_db, shopify_sim, lane_settings):
    # Given: a Plus store (1,000 points a second), as many lanes as the drills run
    lane_settings.PUSH_LANES_PER_SHOP = 8
    shop = _shop_after_one_push(shopify_sim, plan="plus", domain="plus-lanes.myshopify.com")
    bucket = CostBucket(shop.domain)
    assert bucket.restore_rate() == 1000.0
    import_into(shop, orders(40, prefix="queued"))

    # When: a lane claims its batch
    batch = claim_lane_batch(shop_id=shop.id, token=claims.new_claim_token(), bucket=bucket)

    # Then: the setting's batch and lanes, as before
    assert len(batch) == lane_settings.PUSH_BATCH_SIZE == 25
    assert lane_limit(shop_id=shop.id) == 8


def test_lanes_follow_the_bucket_between_one_and_the_setting():
    assert lane_count(restore_rate=1.0, order_create_cost=10.0, largest=32) == 1
    assert lane_count(restore_rate=100.0, order_create_cost=10.0, largest=32) == 20
    assert lane_count(restore_rate=1000.0, order_create_cost=10.0, largest=32) == 32


def test_a_lane_claims_at_least_one_record_however_slow_the_bucket():
    assert batch_size(restore_rate=1.0, order_create_cost=10.0, lanes=32, largest=25) == 1
    assert batch_size(restore_rate=100.0, order_create_cost=10.0, lanes=32, largest=25) == 2
    assert batch_size(restore_rate=2000.0, order_create_cost=10.0, lanes=32, largest=25) == 25
    assert batch_size(restore_rate=100.0, order_create_cost=0.0, lanes=0, largest=25) == 25
