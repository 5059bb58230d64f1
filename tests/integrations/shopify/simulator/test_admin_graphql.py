"""The Admin GraphQL endpoint: schema validation, versions, tokens, scopes, variants by SKU."""

from tests.support.simulator_orders import ORDER_CREATE, order_input

VARIANTS_BY_SKU = """
query Variants($query: String!, $first: Int!, $after: String) {
  productVariants(first: $first, after: $after, query: $query) {
    edges { cursor node { id sku price title inventoryPolicy product { id title } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def test_a_document_invalid_against_the_schema_is_refused_with_shopifys_error_shape(shopify_sim, shop_domain, token):
    response = shopify_sim.graphql(shop_domain, token, "{ shop { name notAField } }")

    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert "notAField" in error["message"]
    assert error["locations"] == [{"line": 1, "column": 15}]
    assert error["extensions"]["code"] == "undefinedField"


def test_a_valid_operation_the_simulator_does_not_implement_says_so(shopify_sim, shop_domain, token):
    response = shopify_sim.graphql(shop_domain, token, "{ products(first: 1) { nodes { id } } }")

    assert response.json()["errors"][0]["message"] == "not simulated: products"


def test_variants_are_found_by_sku_and_paginated(shopify_sim, shop_domain, token):
    query = "sku:GAME OR sku:EXPANSION OR sku:SHIRT-M"
    first = shopify_sim.graphql(shop_domain, token, VARIANTS_BY_SKU, {"query": query, "first": 2}).json()
    page = first["data"]["productVariants"]
    assert [e["node"]["sku"] for e in page["edges"]] == ["GAME", "EXPANSION"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["edges"][0]["node"]["price"] == "40.00"
    assert page["edges"][0]["node"]["id"].startswith("gid://shopify/ProductVariant/")
    assert page["edges"][0]["node"]["product"]["title"] == "Board game"

    after = page["pageInfo"]["endCursor"]
    second = shopify_sim.graphql(
        shop_domain, token, VARIANTS_BY_SKU, {"query": query, "first": 2, "after": after}
    ).json()

    rest = second["data"]["productVariants"]
    assert [e["node"]["sku"] for e in rest["edges"]] == ["SHIRT-M"]
    assert rest["edges"][0]["node"]["inventoryPolicy"] == "CONTINUE"
    assert rest["pageInfo"]["hasNextPage"] is False


def test_an_unknown_sku_finds_nothing(shopify_sim, shop_domain, token):
    body = shopify_sim.graphql(shop_domain, token, VARIANTS_BY_SKU, {"query": "sku:NOPE", "first": 5}).json()

    assert body["data"]["productVariants"]["edges"] == []


def test_shop_reports_its_plan_and_currency(shopify_sim, shop_domain, token):
    shopify_sim.update_shop(shop_domain, plan="plus", currency="EUR")

    body = shopify_sim.graphql(
        shop_domain, token, "{ shop { myshopifyDomain currencyCode plan { shopifyPlus partnerDevelopment } } }"
    ).json()

    assert body["data"]["shop"] == {
        "myshopifyDomain": shop_domain,
        "currencyCode": "EUR",
        "plan": {"shopifyPlus": True, "partnerDevelopment": False},
    }


def test_the_served_version_is_named_on_every_response(shopify_sim, shop_domain, token):
    response = shopify_sim.graphql(shop_domain, token, "{ shop { name } }", version="2026-04")

    assert response.headers["X-Shopify-API-Version"] == "2026-04"
    assert "X-Shopify-API-Deprecated-Reason" not in response.headers


def test_an_unsupported_version_falls_forward_to_the_oldest_supported_one_and_is_flagged(
    shopify_sim, shop_domain, token
):
    response = shopify_sim.graphql(shop_domain, token, "{ shop { name } }", version="2023-01")

    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == "2025-10"
    assert response.headers["X-Shopify-API-Deprecated-Reason"]


def test_a_deprecated_but_supported_version_is_flagged(shopify_sim, shop_domain, token):
    response = shopify_sim.graphql(shop_domain, token, "{ shop { name } }", version="2025-10")

    assert response.headers["X-Shopify-API-Version"] == "2025-10"
    assert response.headers["X-Shopify-API-Deprecated-Reason"]


def test_a_version_that_does_not_exist_is_not_found(shopify_sim, shop_domain, token):
    assert shopify_sim.graphql(shop_domain, token, "{ shop { name } }", version="2099-01").status_code == 404


def test_a_revoked_token_gets_401(shopify_sim, shop_domain, token):
    assert shopify_sim.revoke(shop_domain) >= 1

    response = shopify_sim.graphql(shop_domain, token, "{ shop { name } }")

    assert response.status_code == 401
    assert response.json()["errors"].startswith("[API] Invalid API key or access token")
    assert response.headers["X-Shopify-API-Version"] == "2026-07"


def test_an_unknown_token_gets_401(shopify_sim, shop_domain):
    assert shopify_sim.graphql(shop_domain, "shpat_nope", "{ shop { name } }").status_code == 401


def test_order_create_without_write_orders_is_access_denied(shopify_sim, shop_domain, variants):
    read_only = shopify_sim.mint_token(shop_domain, scopes=["read_products", "read_orders"])["access_token"]

    body = shopify_sim.graphql(shop_domain, read_only, ORDER_CREATE, {"order": order_input(variants["GAME"])}).json()

    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert shopify_sim.orders(shop_domain) == []


def test_an_invalid_variable_value_is_refused_before_anything_runs(shopify_sim, shop_domain, token, variants):
    order = order_input(variants["GAME"], shippingAddress={"countryCode": "XX"})

    body = shopify_sim.graphql(shop_domain, token, ORDER_CREATE, {"order": order}).json()

    assert body["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    assert shopify_sim.orders(shop_domain) == []
