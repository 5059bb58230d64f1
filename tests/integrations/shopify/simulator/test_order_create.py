"""orderCreate: totals, financial status, the userErrors Shopify gives, and order search."""

import time

from tests.support.processes import wait_for
from tests.support.simulator_orders import create_order, order_input, usd

FIND = "query Find($q: String!) { orders(first: 5, query: $q) { nodes { id name sourceIdentifier } } }"


def _payload(body: dict) -> dict:
    return body["data"]["orderCreate"]


def test_totals_come_from_line_items_shipping_and_tax_and_full_payment_is_paid(
    shopify_sim, shop_domain, token, variants
):
    order = {
        "lineItems": [
            {"variantId": variants["GAME"], "quantity": 2},
            {"variantId": variants["EXPANSION"], "quantity": 1, "priceSet": usd("12.00")},
        ],
        "shippingLines": [{"title": "Standard", "priceSet": usd("9.95")}],
        "taxLines": [{"title": "State tax", "rate": "0.1", "priceSet": usd("9.20")}],
        "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": "backerkit", "amountSet": usd("111.15")}],
        "sourceIdentifier": "bk-1001",
        "email": "backer@example.com",
        "tags": ["BackerKit", "Wave 1"],
        "customAttributes": [{"key": "backerkit_id", "value": "1001"}],
    }

    created = _payload(create_order(shopify_sim, shop_domain, token, order))

    assert created["userErrors"] == []
    result = created["order"]
    assert result["name"] == "#1001"
    assert result["subtotalPriceSet"]["shopMoney"] == {"amount": "92.00", "currencyCode": "USD"}
    assert result["totalShippingPriceSet"]["shopMoney"]["amount"] == "9.95"
    assert result["totalTaxSet"]["shopMoney"]["amount"] == "9.20"
    assert result["totalPriceSet"]["shopMoney"]["amount"] == "111.15"
    assert result["displayFinancialStatus"] == "PAID"
    assert result["tags"] == ["BackerKit", "Wave 1"]
    assert result["customAttributes"] == [{"key": "backerkit_id", "value": "1001"}]
    [stored] = shopify_sim.orders(shop_domain)
    assert stored["total"] == "111.15" and stored["source_identifier"] == "bk-1001"
    assert stored["transactions"][0]["gateway"] == "backerkit"


def test_tax_lines_without_a_price_are_computed_from_their_rate(shopify_sim, shop_domain, token, variants):
    order = order_input(variants["GAME"], taxLines=[{"title": "VAT", "rate": "0.2"}])

    created = _payload(create_order(shopify_sim, shop_domain, token, order))["order"]

    assert created["totalTaxSet"]["shopMoney"]["amount"] == "8.00"
    assert created["totalPriceSet"]["shopMoney"]["amount"] == "48.00"


def test_a_payment_below_the_total_is_partially_paid(shopify_sim, shop_domain, token, variants):
    order = order_input(variants["GAME"], transactions=[{"amountSet": usd("10.00")}])

    assert (
        _payload(create_order(shopify_sim, shop_domain, token, order))["order"]["displayFinancialStatus"]
        == "PARTIALLY_PAID"
    )


def test_no_payment_is_pending(shopify_sim, shop_domain, token, variants):
    created = _payload(create_order(shopify_sim, shop_domain, token, order_input(variants["GAME"])))

    assert created["order"]["displayFinancialStatus"] == "PENDING"


def test_a_given_financial_status_wins_over_the_transactions(shopify_sim, shop_domain, token, variants):
    order = order_input(variants["GAME"], financialStatus="PAID")

    assert _payload(create_order(shopify_sim, shop_domain, token, order))["order"]["displayFinancialStatus"] == "PAID"


def test_an_unknown_variant_is_a_user_error_and_nothing_is_stored(shopify_sim, shop_domain, token):
    created = _payload(
        create_order(shopify_sim, shop_domain, token, order_input("gid://shopify/ProductVariant/999999"))
    )

    assert created["order"] is None
    [error] = created["userErrors"]
    assert error["field"] == ["order", "lineItems", "0", "variantId"]
    assert shopify_sim.orders(shop_domain) == []


def test_a_missing_or_unknown_province_is_refused_where_shopify_requires_one(shopify_sim, shop_domain, token, variants):
    unknown = order_input(variants["GAME"], shippingAddress={"countryCode": "US", "provinceCode": "ZZ"})
    missing = order_input(variants["GAME"], shippingAddress={"countryCode": "CA"})
    not_needed = order_input(variants["GAME"], shippingAddress={"countryCode": "FR", "zip": "75001"})

    assert _payload(create_order(shopify_sim, shop_domain, token, unknown))["userErrors"][0]["field"] == [
        "order",
        "shippingAddress",
        "provinceCode",
    ]
    assert (
        _payload(create_order(shopify_sim, shop_domain, token, missing))["userErrors"][0]["field"][-1] == "provinceCode"
    )
    assert _payload(create_order(shopify_sim, shop_domain, token, not_needed))["userErrors"] == []


def test_a_negative_price_is_a_user_error(shopify_sim, shop_domain, token, variants):
    order = {"lineItems": [{"variantId": variants["GAME"], "quantity": 1, "priceSet": usd("-1.00")}]}

    [error] = _payload(create_order(shopify_sim, shop_domain, token, order))["userErrors"]

    assert error["field"] == ["order", "lineItems", "0", "priceSet", "shopMoney", "amount"]


def test_a_negative_quantity_is_a_user_error(shopify_sim, shop_domain, token, variants):
    order = {"lineItems": [{"variantId": variants["GAME"], "quantity": -2}]}

    [error] = _payload(create_order(shopify_sim, shop_domain, token, order))["userErrors"]

    assert error["field"] == ["order", "lineItems", "0", "quantity"]


def test_payments_above_the_total_are_a_user_error(shopify_sim, shop_domain, token, variants):
    order = order_input(variants["GAME"], transactions=[{"amountSet": usd("41.00")}])

    [error] = _payload(create_order(shopify_sim, shop_domain, token, order))["userErrors"]

    assert error["field"] == ["order", "transactions"]


def test_tags_longer_than_40_characters_are_refused_and_commas_split_tags(shopify_sim, shop_domain, token, variants):
    too_long = order_input(variants["GAME"], tags=["x" * 41])
    with_comma = order_input(variants["GAME"], tags=["wave 1, late pledge"])

    assert _payload(create_order(shopify_sim, shop_domain, token, too_long))["userErrors"][0]["field"] == [
        "order",
        "tags",
    ]
    assert _payload(create_order(shopify_sim, shop_domain, token, with_comma))["order"]["tags"] == [
        "wave 1",
        "late pledge",
    ]


def test_options_and_customer_are_recorded(shopify_sim, shop_domain, token, variants):
    order = order_input(
        variants["GAME"],
        email="backer@example.com",
        customer={"toUpsert": {"email": "backer@example.com", "firstName": "Ada", "lastName": "L"}},
    )

    create_order(
        shopify_sim,
        shop_domain,
        token,
        order,
        {"inventoryBehaviour": "DECREMENT_IGNORING_POLICY", "sendReceipt": False},
    )

    [stored] = shopify_sim.orders(shop_domain)
    assert stored["options"] == {
        "inventoryBehaviour": "DECREMENT_IGNORING_POLICY",
        "sendReceipt": False,
        "sendFulfillmentReceipt": False,
    }
    assert stored["customer"]["displayName"] == "Ada L"
    assert stored["inventory_changes"] == [{"sku": "GAME", "delta": -1}]


def test_orders_are_found_by_source_identifier_only_after_the_search_index_delay(
    shopify_sim, shop_domain, token, variants
):
    shopify_sim.update_shop(shop_domain, search_index_delay_seconds=1)
    created = _payload(
        create_order(shopify_sim, shop_domain, token, order_input(variants["GAME"], sourceIdentifier="bk-7"))
    )
    created_at = time.monotonic()

    def found() -> list:
        return shopify_sim.graphql(shop_domain, token, FIND, {"q": "source_identifier:bk-7"}).json()["data"]["orders"][
            "nodes"
        ]

    assert found() == []
    wait_for(lambda: bool(found()), timeout=3, what="search index")

    assert time.monotonic() - created_at >= 0.9
    assert found()[0]["id"] == created["order"]["id"]


def test_an_order_is_read_back_by_id_at_once(shopify_sim, shop_domain, token, variants):
    shopify_sim.update_shop(shop_domain, search_index_delay_seconds=30)
    order_id = _payload(create_order(shopify_sim, shop_domain, token, order_input(variants["GAME"])))["order"]["id"]

    body = shopify_sim.graphql(
        shop_domain, token, "query($id: ID!) { order(id: $id) { name } }", {"id": order_id}
    ).json()

    assert body["data"]["order"] == {"name": "#1001"}
