"""Calculated query cost and the leaky bucket, with the plan's figures."""

import math
import time

from tests.support.simulator_orders import create_order, order_input

CHEAP = "{ shop { name } }"
# 2 + 250 x (1 variant + 1 product + 1 inventoryItem) = 752 points requested.
EXPENSIVE = "{ productVariants(first: 250) { nodes { id product { id } inventoryItem { id } } } }"


def _cost(response) -> dict:
    return response.json()["extensions"]["cost"]


def test_every_response_reports_cost_and_throttle_status(shopify_sim, shop_domain, token):
    cost = _cost(shopify_sim.graphql(shop_domain, token, CHEAP))

    assert cost["requestedQueryCost"] == 1 and cost["actualQueryCost"] == 1
    assert cost["throttleStatus"] == {"maximumAvailable": 2000, "currentlyAvailable": 1999, "restoreRate": 100}


def test_connections_cost_their_page_size_and_unused_cost_is_refunded(shopify_sim, shop_domain, token):
    cost = _cost(shopify_sim.graphql(shop_domain, token, EXPENSIVE))

    assert cost["requestedQueryCost"] == 752
    # Three variants exist: 2 + 3 x 3 = 11 actually spent.
    assert cost["actualQueryCost"] == 11
    assert cost["throttleStatus"]["currentlyAvailable"] >= 2000 - 11


def test_a_query_above_1000_points_is_refused(shopify_sim, shop_domain, token):
    query = (
        "{ productVariants(first: 250) { nodes { id product { id } inventoryItem { id } selectedOptions { name } } } }"
    )

    body = shopify_sim.graphql(shop_domain, token, query).json()

    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_a_mutation_costs_10(shopify_sim, shop_domain, token, variants):
    body = create_order(shopify_sim, shop_domain, token, order_input(variants["GAME"]))

    assert body["extensions"]["cost"]["requestedQueryCost"] == 10


def _measure_refill(sim, shop_domain, token) -> tuple[float, float, float, float]:
    """(available after the first call, after the second, shortest and longest time between them)."""
    started = time.monotonic()
    first = _cost(sim.graphql(shop_domain, token, CHEAP))["throttleStatus"]["currentlyAvailable"]
    first_done = time.monotonic()
    time.sleep(0.5)  # the measurement interval itself
    second_started = time.monotonic()
    second = _cost(sim.graphql(shop_domain, token, CHEAP))["throttleStatus"]["currentlyAvailable"]
    done = time.monotonic()
    return first, second, second_started - first_done, done - started


def test_the_bucket_refills_at_the_standard_plans_rate(shopify_sim, shop_domain, token):
    shopify_sim.set_bucket(shop_domain, 100)

    first, second, shortest, longest = _measure_refill(shopify_sim, shop_domain, token)

    refilled = second - first + 1  # the second call spent 1 point
    assert 100 * shortest - 2 <= refilled <= 100 * longest + 2


def test_the_bucket_refills_at_the_advanced_plans_rate(shopify_sim, shop_domain, token):
    shopify_sim.update_shop(shop_domain, plan="advanced")
    shopify_sim.set_bucket(shop_domain, 100)

    first, second, shortest, longest = _measure_refill(shopify_sim, shop_domain, token)

    refilled = second - first + 1
    assert 200 * shortest - 2 <= refilled <= 200 * longest + 2
    assert _cost(shopify_sim.graphql(shop_domain, token, CHEAP))["throttleStatus"]["maximumAvailable"] == 4000


def test_an_empty_bucket_answers_throttled_with_http_200(shopify_sim, shop_domain, token):
    # A full page of variants makes every call actually cost its 752 points (nothing refunded).
    shopify_sim.seed_products(shop_domain, [{"sku": f"FILL-{i}", "price": "1.00"} for i in range(250)])
    spent = 0
    while True:
        response = shopify_sim.graphql(shop_domain, token, EXPENSIVE)
        if "errors" in response.json():
            break
        assert _cost(response)["actualQueryCost"] == 752
        spent += 1
        assert spent < 5, "the bucket never emptied"

    assert response.status_code == 200
    body = response.json()
    assert body["errors"][0]["message"] == "Throttled"
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert spent == 2  # 2000 points hold two 752-point calls
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 752
    assert shopify_sim.state()["counters"]["throttled"] == 1


def test_a_shop_can_answer_throttled_with_429_and_retry_after(shopify_sim, shop_domain, token):
    shopify_sim.update_shop(shop_domain, throttle_status_code=429)
    shopify_sim.set_bucket(shop_domain, 0)

    response = shopify_sim.graphql(shop_domain, token, EXPENSIVE)

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == math.ceil(752 / 100)


def test_a_development_store_creates_at_most_five_orders_a_minute(shopify_sim, shop_domain, token, variants):
    shopify_sim.update_shop(shop_domain, plan="development")
    for _ in range(5):
        assert create_order(shopify_sim, shop_domain, token, order_input(variants["GAME"]))["data"]["orderCreate"][
            "order"
        ]

    response = shopify_sim.graphql(
        shop_domain, token, "mutation($o: OrderCreateOrderInput!) { orderCreate(order: $o) { order { id } } }",
        {"o": order_input(variants["GAME"])},
    )  # fmt: skip

    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert "Exceeded order API rate limit" in body["errors"][0]["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert len(shopify_sim.orders(shop_domain)) == 5
