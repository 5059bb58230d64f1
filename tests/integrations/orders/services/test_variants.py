"""SKU -> variant on its own, against the Shopify simulator: many SKUs in chunks of 50 and pages,
exact matches only, the cache (found and missing SKUs alike), and forgetting it."""

from decimal import Decimal

import pytest

from integrations.orders.services import variants
from integrations.orders.services.variants import forget_variants, resolve_variants
from integrations.shopify.client import AdminClient

DOMAIN = "variants-store.myshopify.com"


@pytest.fixture
def client(shopify_sim):
    shopify_sim.create_shop(domain=DOMAIN, plan="plus")
    return AdminClient(shop=DOMAIN, access_token=shopify_sim.mint_token(DOMAIN)["access_token"])


def calls(shopify_sim) -> int:
    return shopify_sim.state()["counters"].get("admin_api_requests", 0)


def test_more_than_fifty_skus_are_looked_up_in_chunks_and_pages_exact_matches_only(client, shopify_sim):
    # Shopify's search matches SKUs case-insensitively: three variants match each SKU, one exactly.
    skus = [f"SKU-{i:03}" for i in range(120)]
    products = [{"sku": s, "price": f"{i + 1}.00"} for i, s in enumerate(skus)]
    products += [{"sku": s.lower(), "price": "999.00"} for s in skus] + [
        {"sku": s.title(), "price": "999.00"} for s in skus
    ]
    seeded = {v["sku"]: v["id"] for v in shopify_sim.seed_products(DOMAIN, products)}
    before = calls(shopify_sim)

    variants = resolve_variants(client=client, skus=skus)

    assert set(variants) == set(skus)
    assert all(variants[s].id == seeded[s] for s in skus)
    assert variants["SKU-000"].price == Decimal("1.00") and variants["SKU-119"].price == Decimal("120.00")
    # 3 chunks (50, 50, 20); each matches 3 variants per SKU with pages of 2 per SKU: 2 pages each.
    assert calls(shopify_sim) - before == 6


def test_skus_are_cached_found_and_missing_alike_until_forgotten(client, shopify_sim):
    shopify_sim.seed_products(DOMAIN, [{"sku": "GAME-CORE", "price": "60.00"}])
    first = resolve_variants(client=client, skus={"GAME-CORE", "NOT-IN-STORE"})
    before = calls(shopify_sim)

    again = resolve_variants(client=client, skus={"GAME-CORE", "NOT-IN-STORE"})

    assert set(first) == set(again) == {"GAME-CORE"}
    assert calls(shopify_sim) == before  # nothing asked: the missing SKU is cached as missing too

    shopify_sim.seed_products(DOMAIN, [{"sku": "NOT-IN-STORE", "price": "5.00"}])
    forget_variants(shop=DOMAIN)
    after_forget = resolve_variants(client=client, skus={"GAME-CORE", "NOT-IN-STORE"})

    assert set(after_forget) == {"GAME-CORE", "NOT-IN-STORE"}
    assert calls(shopify_sim) == before + 1


def test_no_skus_cost_no_call(client, shopify_sim):
    before = calls(shopify_sim)
    assert resolve_variants(client=client, skus=[]) == {}
    assert calls(shopify_sim) == before


def test_a_lane_waits_for_another_lanes_lookup_of_the_shop_and_asks_shopify_nothing(client, shopify_sim, monkeypatch):
    # Given another lane looking the shop's SKUs up (its turn taken), whose answer lands in the
    # cache while this lane waits (the wait's first pause is where it lands).
    seeded = {v["sku"]: v["id"] for v in shopify_sim.seed_products(DOMAIN, [{"sku": "GAME-CORE", "price": "60.00"}])}
    other = AdminClient(shop=DOMAIN, access_token=shopify_sim.mint_token(DOMAIN)["access_token"])
    other_turn = variants._LookupTurn(DOMAIN)
    assert other_turn.take_or_wait()
    real_sleep, answered = variants.time.sleep, []

    def other_lane_answers(seconds):
        answered.append(seconds)
        variants._write_cache(DOMAIN, variants._fetch(other, ["GAME-CORE", "NOT-IN-STORE"]))
        other_turn.release()
        real_sleep(seconds)

    monkeypatch.setattr(variants.time, "sleep", other_lane_answers)
    before = calls(shopify_sim)

    found = resolve_variants(client=client, skus={"GAME-CORE", "NOT-IN-STORE"})

    assert {sku: v.id for sku, v in found.items()} == seeded
    assert answered  # it waited, and took the other lane's answer from the cache
    assert calls(shopify_sim) == before + 1  # the other lane's lookup only


def test_a_turn_left_by_a_lane_that_died_delays_the_lookup_at_most_the_wait(client, shopify_sim, monkeypatch):
    shopify_sim.seed_products(DOMAIN, [{"sku": "GAME-CORE", "price": "60.00"}])
    assert variants._LookupTurn(DOMAIN).take_or_wait()  # never released: its lane died
    monkeypatch.setattr(variants, "LOOKUP_WAIT_SECONDS", 0.2)
    before = calls(shopify_sim)

    found = resolve_variants(client=client, skus={"GAME-CORE"})

    assert set(found) == {"GAME-CORE"}
    assert calls(shopify_sim) == before + 1  # looked up itself after the wait
