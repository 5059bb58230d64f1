"""Faults aimed at chosen orders or SKUs, and the permanent outage: each answers as Shopify would
and is counted, so an end-to-end test can see that the fault it armed happened."""

from tests.support.simulator_orders import ORDER_CREATE, create_order, order_input

SHOP_QUERY = "{ shop { name } }"
VARIANTS = "query V($q: String) { productVariants(first: 10, query: $q) { nodes { id sku price } } }"


def test_a_permanent_5xx_answers_every_request_until_disarmed(shopify_sim, shop_domain, token):
    shopify_sim.fault(shop_domain, http_5xx_permanent=True)

    statuses = [shopify_sim.graphql(shop_domain, token, SHOP_QUERY).status_code for _ in range(5)]
    shopify_sim.fault(shop_domain, http_5xx_permanent=False)

    assert statuses == [502] * 5
    assert shopify_sim.graphql(shop_domain, token, SHOP_QUERY).status_code == 200
    assert shopify_sim.counters()["fault_http_5xx"] == 5


def test_user_errors_answer_the_chosen_orders_every_time_and_create_nothing(shopify_sim, shop_domain, token, variants):
    shopify_sim.fault(shop_domain, user_errors_for=["bk-refused"])

    refused = [
        create_order(shopify_sim, shop_domain, token, order_input(variants["GAME"], sourceIdentifier="bk-refused"))
        for _ in range(2)
    ]
    accepted = create_order(shopify_sim, shop_domain, token, order_input(variants["GAME"], sourceIdentifier="bk-fine"))

    for answer in refused:
        payload = answer["data"]["orderCreate"]
        assert payload["order"] is None
        assert payload["userErrors"] == [
            {"field": ["order", "shippingAddress", "zip"], "message": "Shipping address zip is invalid",
             "code": "INVALID"}
        ]  # fmt: skip
    assert accepted["data"]["orderCreate"]["order"]["sourceIdentifier"] == "bk-fine"
    assert [o["source_identifier"] for o in shopify_sim.orders(shop_domain)] == ["bk-fine"]
    assert shopify_sim.counters()["fault_user_errors"] == 2


def test_invalid_variables_refuse_the_document_as_the_schema_would(shopify_sim, shop_domain, token, variants):
    shopify_sim.fault(shop_domain, invalid_variables_for=["bk-invalid"])

    response = shopify_sim.graphql(
        shop_domain, token, ORDER_CREATE, {"order": order_input(variants["GAME"], sourceIdentifier="bk-invalid")}
    )

    body = response.json()
    assert response.status_code == 200 and "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_VARIABLE"]
    assert body["extensions"]["cost"]["actualQueryCost"] == 0
    assert shopify_sim.orders(shop_domain) == []
    assert shopify_sim.counters()["fault_invalid_variables"] == 1


def test_a_variant_replaced_after_lookup_is_gone_for_the_next_order_create(shopify_sim, shop_domain, token, variants):
    shopify_sim.fault(shop_domain, replace_variants_after_lookup=["GAME"])

    looked_up = shopify_sim.graphql(shop_domain, token, VARIANTS, {"q": "sku:GAME"}).json()["data"]["productVariants"]
    stale = create_order(shopify_sim, shop_domain, token, order_input(looked_up["nodes"][0]["id"]))
    again = shopify_sim.graphql(shop_domain, token, VARIANTS, {"q": "sku:GAME"}).json()["data"]["productVariants"]
    fresh = create_order(shopify_sim, shop_domain, token, order_input(again["nodes"][0]["id"]))

    assert looked_up["nodes"][0]["id"] == variants["GAME"]
    [error] = stale["data"]["orderCreate"]["userErrors"]
    assert error["field"] == ["order", "lineItems", "0", "variantId"]
    assert again["nodes"][0]["id"] != variants["GAME"]  # re-created once, not at every lookup
    assert (again["nodes"][0]["sku"], again["nodes"][0]["price"]) == ("GAME", looked_up["nodes"][0]["price"])
    assert fresh["data"]["orderCreate"]["order"]
    assert shopify_sim.counters()["fault_variant_replaced"] == 1


def test_order_searches_are_counted(shopify_sim, shop_domain, token):
    query = "query O($q: String) { orders(first: 5, query: $q) { nodes { id } } }"

    shopify_sim.graphql(shop_domain, token, query, {"q": "source_identifier:'bk-1'"})

    assert shopify_sim.counters()["order_searches"] == 1
