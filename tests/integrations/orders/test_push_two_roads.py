"""Two roads, one queue, real workers: a campaign pushed through bulk operations and calls at once
arrives in Shopify exactly as the same campaign pushed by calls alone (the same inputs, each order
once), and a bulk-heavy shop does not hold a small one back."""

import json

import pytest

from integrations.orders.models import BulkOperation, PushRecord
from integrations.shops.models import Shop
from tests.support.campaign_files import write_jsonl
from tests.support.processes import wait_for
from tests.support.push_checks import assert_each_order_once, campaign, import_file, wait_all_final
from tests.support.push_workers import push_worker_env
from tests.support.shops import connected_shop

State = PushRecord.State
# Few lanes holding small batches: a lane claims its batch before it waits in the bucket, so 32 lanes
# of 25 would hold a whole small test campaign and leave the bulk road nothing to take.
FEW_LANES = {"PUSH_LANES_PER_SHOP": "2", "PUSH_BATCH_SIZE": "5"}
CHANGING = {
    "id",
    "gid",
    "name",
    "shop",
    "created_at",
    "updated_at",
    "customer",
    "requested_by",
    "events",
}  # the shop's, the time's


def _catalog() -> list[dict]:
    from integrations.backerkit.simulator.campaign import sample_catalog

    return sample_catalog()


def shopify_orders(shopify_sim, shop) -> dict[str, dict]:
    """The shop's Shopify orders by source identifier, without what differs between two shops."""
    orders = {}
    for order in shopify_sim.orders(shop.domain):
        kept = {k: v for k, v in order.items() if k not in CHANGING}
        kept["line_items"] = [{k: v for k, v in line.items() if k != "variant_id"} for line in order["line_items"]]
        kept["transactions"] = [
            {k: v for k, v in t.items() if k not in ("id", "processed_at")} for t in order["transactions"]
        ]
        # Fulfilment orders by what they hold (their ids differ between shops).
        kept["fulfillment_orders"] = [
            (fo["status"], fo["request_status"], [(x["sku"], x["total_quantity"]) for x in fo["line_items"]])
            for fo in order["fulfillment_orders"]
        ]
        orders[order["source_identifier"]] = kept
    return orders


def sent_inputs(shop, skus_by_variant: dict[str, str]) -> dict[str, dict]:
    """What each record sent, its variant ids read as SKUs (each shop has its own ids)."""
    sent = {}
    for order_id, variables in PushRecord.objects.filter(shop=shop).values_list("backerkit_order_id", "sent_input"):
        for line in (variables or {}).get("order", {}).get("lineItems", []):
            if "variantId" in line:
                line["variantId"] = skus_by_variant[line["variantId"]]
        sent[order_id] = variables
    return sent


def variants(shopify_sim, shop) -> dict[str, str]:
    state = next(s for s in shopify_sim.state()["shops"] if s["domain"] == shop.domain)
    return {v["gid"]: v["sku"] for v in state["variants"]}


@pytest.fixture
def workers(worker_factory, shopify_simulator, backerkit_sim):
    return worker_factory(name="two-roads", concurrency=6, beat=True,
                          **{**push_worker_env(shopify_simulator, backerkit_sim), **FEW_LANES})  # fmt: skip


def test_a_campaign_through_both_roads_equals_the_same_campaign_through_calls_alone(
    transactional_db, shopify_sim, workers, tmp_path
):
    both = connected_shop(shopify_sim, domain="both-roads.myshopify.com", plan="standard",
                          push_road=Shop.PushRoad.BULK)  # fmt: skip
    calls = connected_shop(shopify_sim, domain="calls-only.myshopify.com", plan="standard",
                           push_road=Shop.PushRoad.CALLS)  # fmt: skip
    for shop in (both, calls):
        shopify_sim.seed_products(shop.domain, _catalog())
        shopify_sim.update_shop(shop.domain, latency_ms="20-60")
        shopify_sim.set_bucket(shop.domain, 0)  # paced from the start: 10 orders a second by calls
    shopify_sim.bulk(both.domain, lines_per_second=60, start_delay_seconds=0.5)
    orders = campaign(120)
    path = write_jsonl(tmp_path / "campaign.jsonl", orders)

    import_file(both, path)
    import_file(calls, path)

    wait_all_final(both, timeout=90)
    wait_all_final(calls, timeout=90)
    assert_each_order_once(shopify_sim, both, orders)
    assert_each_order_once(shopify_sim, calls, orders)
    roads = list(PushRecord.objects.filter(shop=both, state=State.PUSHED).values_list("road", flat=True))
    assert roads.count("bulk") >= 50 and roads.count("") >= 1, "both roads should have pushed part of it"
    assert not PushRecord.objects.filter(shop=calls).exclude(road="").exists()
    assert sent_inputs(both, variants(shopify_sim, both)) == sent_inputs(calls, variants(shopify_sim, calls))
    in_both, in_calls = shopify_orders(shopify_sim, both), shopify_orders(shopify_sim, calls)
    differing = {(k, f) for k in in_calls for f in in_calls[k] if in_both.get(k, {}).get(f) != in_calls[k][f]}
    assert not differing, json.dumps([(k, f, in_both[k][f], in_calls[k][f]) for k, f in sorted(differing)[:1]])
    assert dict(PushRecord.objects.filter(shop=both).values_list("backerkit_order_id", "state")) == dict(
        PushRecord.objects.filter(shop=calls).values_list("backerkit_order_id", "state")
    )
    # The first chunk timed the shop's runner: the figures that size the next chunks are learned.
    assert Shop.objects.get(id=both.id).bulk_lines_per_second


def test_a_bulk_heavy_shop_and_a_small_one_are_fair_to_each_other(transactional_db, shopify_sim, workers, tmp_path):
    big = connected_shop(shopify_sim, domain="big-bulk.myshopify.com", plan="standard", push_road=Shop.PushRoad.BULK,
                         bulk_lines_per_second=20.0, bulk_start_seconds=0.5)  # fmt: skip
    small = connected_shop(shopify_sim, domain="small-calls.myshopify.com", plan="standard")
    for shop in (big, small):
        shopify_sim.seed_products(shop.domain, _catalog())
        shopify_sim.update_shop(shop.domain, latency_ms="20-60")
        shopify_sim.set_bucket(shop.domain, 0)
    shopify_sim.bulk(big.domain, lines_per_second=20, start_delay_seconds=0.5)
    big_orders, small_orders = campaign(300, prefix="big"), campaign(10, prefix="small", seed=11)
    import_file(big, write_jsonl(tmp_path / "big.jsonl", big_orders))
    wait_for(lambda: BulkOperation.objects.filter(shop=big, stage=BulkOperation.Stage.RUNNING).exists(),
             timeout=30, what="the big shop's bulk operation to run")  # fmt: skip

    import_file(small, write_jsonl(tmp_path / "small.jsonl", small_orders))
    wait_all_final(small, timeout=30)

    assert PushRecord.objects.filter(shop=big).exclude(state__in=PushRecord.FINAL_STATES).exists(), (
        "the small shop should finish while the big one's bulk operation still runs"
    )
    wait_all_final(big, timeout=120)
    assert_each_order_once(shopify_sim, big, big_orders)
    assert_each_order_once(shopify_sim, small, small_orders)
    assert PushRecord.objects.filter(shop=big, road="bulk").count() > 100
