"""One simulator serves many clients at once: concurrent orders are all stored, latency overlaps."""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.simulator_orders import ORDER_CREATE, order_input


def _post(url: str, token: str, payload: dict) -> httpx.Response:
    with httpx.Client(timeout=10) as client:
        return client.post(url, json=payload, headers={"X-Shopify-Access-Token": token})


def test_twenty_concurrent_order_creates_are_all_stored_with_unique_names(shopify_sim, shop_domain, token, variants):
    url = f"{shopify_sim.origin(shop_domain)}/admin/api/2026-07/graphql.json"
    payloads = [
        {"query": ORDER_CREATE, "variables": {"order": order_input(variants["GAME"], sourceIdentifier=f"bk-{i}")}}
        for i in range(20)
    ]

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda p: _post(url, token, p), payloads))

    assert all(r.status_code == 200 for r in responses)
    names = [r.json()["data"]["orderCreate"]["order"]["name"] for r in responses]
    assert sorted(names) == [f"#{1001 + i}" for i in range(20)]
    stored = shopify_sim.orders(shop_domain)
    assert sorted(o["source_identifier"] for o in stored) == sorted(f"bk-{i}" for i in range(20))


def test_latency_is_applied_per_request_without_serialising_them(shopify_sim, shop_domain, token):
    shopify_sim.update_shop(shop_domain, latency_ms="200-250")
    url = f"{shopify_sim.origin(shop_domain)}/admin/api/2026-07/graphql.json"
    payload = {"query": "{ shop { name } }"}

    single_started = time.monotonic()
    _post(url, token, payload)
    single = time.monotonic() - single_started
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda _: _post(url, token, payload), range(10)))

    assert single >= 0.2  # a lower bound: the latency was slept
    assert all(r.status_code == 200 for r in responses)
    # Overlap is seen in the simulator, not guessed from a wall clock a loaded machine stretches:
    # requests sent together were waiting out their latency at the same time.
    assert shopify_sim.counters()["latency_overlap_peak"] >= 2
