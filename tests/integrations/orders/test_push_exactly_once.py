"""Exactly once, whatever fails: real workers, PostgreSQL, Redis and the Shopify simulator.

Every test ends with the same check: each order of the campaign is in Shopify exactly once, or
has its reason; nothing doubled, nothing lost.
"""

import json
import threading

from django.core.management import call_command

from integrations.orders.models import PushAttempt, PushRecord
from tests.support.campaign_files import write_jsonl
from tests.support.processes import wait_for
from tests.support.push_checks import assert_each_order_once, campaign, import_file, wait_all_final
from tests.support.push_workers import push_worker_env

State = PushRecord.State
Outcome = PushAttempt.Outcome


def seeded(shopify_sim, sim_shop, **shop_settings):
    shopify_sim.seed_products(sim_shop.domain, CATALOG_FOR_CAMPAIGN)
    if shop_settings:
        shopify_sim.update_shop(sim_shop.domain, **shop_settings)


def _catalog_for_campaign() -> list[dict]:
    from integrations.backerkit.simulator.campaign import sample_catalog

    return sample_catalog()


CATALOG_FOR_CAMPAIGN = _catalog_for_campaign()


def test_every_sku_of_the_campaigns_is_in_the_seeded_catalog():
    seeded_skus = {v["sku"] for product in CATALOG_FOR_CAMPAIGN for v in product.get("variants") or [product]}
    campaign_skus = {item["sku"] for order in campaign(400) for item in order["items"]}

    assert campaign_skus and campaign_skus <= seeded_skus  # else orders would need attention, not push


def wait_under_way(shopify_sim, sim_shop, *, created: int = 5) -> None:
    wait_for(lambda: len(shopify_sim.orders(sim_shop.domain)) >= created, timeout=60, what="the push to be under way")


def outcomes(sim_shop, outcome: str) -> set[int]:
    """The ids of the shop's records with at least one attempt of ``outcome``."""
    return set(
        PushAttempt.objects.filter(record__shop=sim_shop, outcome=outcome)
        .values_list("record_id", flat=True)
        .distinct()
    )


def swept_recovered(log_path) -> int:
    """How many abandoned claims the sweeper returned (its ``push.sweep`` events in the worker's log)."""
    recovered = 0
    with open(log_path, "rb") as log:
        for line in log:
            if b'"push.sweep"' in line:
                recovered += json.loads(line)["recovered"]
    return recovered


def test_a_worker_killed_mid_push_loses_and_doubles_nothing(
    sim_shop, shopify_sim, worker_factory, shopify_simulator, backerkit_sim, tmp_path
):
    # The victim is the only worker when it dies: every claim held then is its lanes'. The rescuer
    # (with beat, so the sweeper) starts after, as a restarted worker would.
    seeded(shopify_sim, sim_shop, latency_ms="50-150")
    orders = campaign(150)
    victim = worker_factory(name="victim", concurrency=8, **push_worker_env(shopify_simulator, backerkit_sim))
    import_file(sim_shop, write_jsonl(tmp_path / "c.jsonl", orders))
    wait_for(
        lambda: (
            len(shopify_sim.orders(sim_shop.domain)) >= 20
            and PushRecord.objects.filter(shop=sim_shop, state=State.PUSHING).exclude(claim_token="").exists()
        ),
        timeout=60,
        what="the victim's lanes to be pushing and to hold claims",
    )

    victim.kill()
    held = dict(
        PushRecord.objects.filter(shop=sim_shop, state=State.PUSHING).values_list("id", "claim_token")
    )  # what the dead lanes held: nobody else can change it until the rescuer starts
    sent_unanswered = PushRecord.objects.filter(id__in=held, last_sent_at__isnull=False).count()
    searches_before = shopify_sim.counters().get("order_searches", 0)
    rescuer = worker_factory(
        name="rescuer", concurrency=8, beat=True, **push_worker_env(shopify_simulator, backerkit_sim)
    )

    wait_all_final(sim_shop)
    assert held, "the victim died holding no claims: the kill proved nothing"
    assert_each_order_once(shopify_sim, sim_shop, orders)
    assert PushRecord.objects.filter(shop=sim_shop, state=State.PUSHED).count() == len(orders)
    after = dict(PushRecord.objects.filter(id__in=held).values_list("id", "claim_token"))
    assert all(after[i] != token for i, token in held.items()), "a dead lane's claim was never taken back"
    # The sweeper said so too (its log line comes after it kicked the lanes, which may push first).
    wait_for(lambda: swept_recovered(rescuer.log_path) > 0, timeout=20, what="the sweep to report what it recovered")
    # A record the victim had sent without an answer is looked up before anything is sent again.
    assert shopify_sim.counters().get("order_searches", 0) - searches_before >= sent_unanswered


def test_a_5xx_storm_is_retried_until_every_order_is_in_once(sim_shop, shopify_sim, push_workers, tmp_path):
    seeded(shopify_sim, sim_shop, latency_ms="20-60")
    orders = campaign(60)

    import_file(sim_shop, write_jsonl(tmp_path / "c.jsonl", orders))
    wait_under_way(shopify_sim, sim_shop)  # the variant lookups are done: the storm meets orderCreate
    shopify_sim.fault(sim_shop.domain, http_5xx=20)

    wait_all_final(sim_shop)
    assert_each_order_once(shopify_sim, sim_shop, orders)
    assert PushRecord.objects.filter(shop=sim_shop, state=State.PUSHED).count() == len(orders)
    counters = shopify_sim.counters()
    assert counters["fault_http_5xx"] == 20
    retried = outcomes(sim_shop, Outcome.AMBIGUOUS)
    assert retried, "no send met a 5xx: the storm proved nothing"
    # A 5xx executes nothing: every retried order was looked up (not found), then created once.
    assert counters.get("order_searches", 0) >= len(retried)
    assert retried <= outcomes(sim_shop, Outcome.CREATED)
    assert not outcomes(sim_shop, Outcome.FOUND_EXISTING)


def test_a_response_lost_after_shopify_created_the_order_while_search_lags(
    sim_shop, shopify_sim, worker_factory, shopify_simulator, backerkit_sim, tmp_path
):
    # Search lags 5 s: the first lookup (the read timeout, 2 s, and a backoff after the send) finds
    # nothing; only "not found" past the grace (8 s) may be trusted, and by then the order shows.
    env = {**push_worker_env(shopify_simulator, backerkit_sim), "PUSH_SEARCH_GRACE_SECONDS": "8"}
    worker_factory(name="search-lag", concurrency=8, beat=True, **env)
    seeded(shopify_sim, sim_shop, search_index_delay_seconds=5)
    orders = campaign(30)
    shopify_sim.fault(sim_shop.domain, timeout_after_create=5, hold_seconds=4)

    import_file(sim_shop, write_jsonl(tmp_path / "c.jsonl", orders))

    wait_all_final(sim_shop)
    assert_each_order_once(shopify_sim, sim_shop, orders)
    assert shopify_sim.counters()["fault_timeout_after_create"] == 5
    found = outcomes(sim_shop, Outcome.FOUND_EXISTING)
    assert len(found) == 5
    assert found <= outcomes(sim_shop, Outcome.AMBIGUOUS)  # each was an unanswered send first
    assert shopify_sim.counters()["order_searches"] >= 10  # looked up while lagging, then again


def test_dropped_connections_after_sending_are_resolved_by_lookup(sim_shop, shopify_sim, push_workers, tmp_path):
    seeded(shopify_sim, sim_shop, latency_ms="20-60")
    orders = campaign(60)

    import_file(sim_shop, write_jsonl(tmp_path / "c.jsonl", orders))
    wait_under_way(shopify_sim, sim_shop)
    shopify_sim.fault(sim_shop.domain, drop_connection=4, drop_when="after")

    wait_all_final(sim_shop)
    assert_each_order_once(shopify_sim, sim_shop, orders)
    counters = shopify_sim.counters()
    assert counters["fault_drop_after"] == 4
    created_unanswered = counters.get("fault_drop_after_order_created", 0)
    assert created_unanswered >= 1, "no orderCreate answer was dropped: the fault proved nothing"
    # Each order Shopify created without the app hearing of it was found by lookup, not re-sent.
    found = outcomes(sim_shop, Outcome.FOUND_EXISTING)
    assert len(found) == created_unanswered
    assert found <= outcomes(sim_shop, Outcome.AMBIGUOUS)
    assert counters["order_searches"] >= created_unanswered


def test_two_imports_of_the_same_campaign_racing_push_each_order_once(sim_shop, shopify_sim, push_workers, tmp_path):
    seeded(shopify_sim, sim_shop, latency_ms="20-60")
    orders = campaign(120)
    path = write_jsonl(tmp_path / "c.jsonl", orders)
    errors = []

    def run():
        try:
            import_file(sim_shop, path)
        except Exception as exc:  # surfaced below: the test fails with it
            errors.append(exc)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    wait_all_final(sim_shop)
    assert_each_order_once(shopify_sim, sim_shop, orders)
    assert PushRecord.objects.filter(shop=sim_shop).count() == len(orders)


def test_four_workers_on_one_standard_shop_stay_inside_the_bucket(sim_shop, shopify_sim, push_workers, tmp_path):
    shopify_sim.update_shop(sim_shop.domain, plan="standard")
    seeded(shopify_sim, sim_shop, latency_ms="20-60")
    shopify_sim.set_bucket(sim_shop.domain, 150)  # nearly empty: pacing must start at once
    for n in range(3):
        push_workers(name=f"w{n}", concurrency=8)
    orders = campaign(60)

    import_file(sim_shop, write_jsonl(tmp_path / "c.jsonl", orders))

    wait_all_final(sim_shop)
    assert_each_order_once(shopify_sim, sim_shop, orders)
    assert PushRecord.objects.filter(shop=sim_shop, state=State.FAILED).count() == 0
    throttled = shopify_sim.state()["counters"].get("throttled", 0)
    # 0 in each of 3 runs on the 2-core CI machine; the benchmark sees a handful in thousands of
    # calls on Standard (README) when calls reach Shopify in clumps. 2 of these ~70 calls is the
    # most the README's claim allows; a bucket that stopped pacing gives tens.
    assert throttled <= 2, f"{throttled} throttled answers: the shared bucket did not pace the workers"


def test_two_shops_at_once_a_small_campaign_is_not_held_back_by_a_big_one(
    sim_shop, shopify_sim, push_workers, tmp_path
):
    from tests.support.shops import connected_shop

    shopify_sim.update_shop(sim_shop.domain, plan="standard")
    seeded(shopify_sim, sim_shop, latency_ms="20-60")
    small = connected_shop(shopify_sim, domain="small-store.myshopify.com")
    shopify_sim.seed_products(small.domain, CATALOG_FOR_CAMPAIGN)
    big_orders = campaign(400, prefix="big")
    small_orders = campaign(10, prefix="small", seed=11)
    import_file(sim_shop, write_jsonl(tmp_path / "big.jsonl", big_orders))
    wait_for(lambda: len(shopify_sim.orders(sim_shop.domain)) >= 20, timeout=60, what="the big push to be under way")

    call_command("push_orders", small.domain, str(write_jsonl(tmp_path / "small.jsonl", small_orders)),
                 "--connection", "Small Store", "--timeout", "60")  # fmt: skip

    big_pending = PushRecord.objects.filter(shop=sim_shop).exclude(state__in=PushRecord.FINAL_STATES).count()
    assert PushRecord.objects.filter(shop=small, state=State.PUSHED).count() == len(small_orders)
    assert big_pending > 0, "the small shop should finish while the big campaign is still being pushed"
    wait_all_final(sim_shop, timeout=180)
    assert_each_order_once(shopify_sim, sim_shop, big_orders)
    assert_each_order_once(shopify_sim, small, small_orders)
