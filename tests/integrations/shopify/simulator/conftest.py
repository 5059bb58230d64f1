"""A seeded shop and a token on it, for the simulator's own tests (all over real loopback HTTP)."""

from typing import Any

import pytest

from tests.support.shopify_simulator import SimulatorControl

SHOP = "backer-store.myshopify.com"
PRODUCTS = [
    {"sku": "GAME", "price": "40.00", "title": "Board game"},
    {"sku": "EXPANSION", "price": "15.50", "title": "Expansion"},
    {"sku": "SHIRT-M", "price": "20.00", "title": "Shirt M", "inventory_policy": "CONTINUE"},
]

ORDER_CREATE = """
mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order {
      id name displayFinancialStatus sourceIdentifier tags email
      customAttributes { key value }
      subtotalPriceSet { shopMoney { amount currencyCode } }
      totalShippingPriceSet { shopMoney { amount } }
      totalTaxSet { shopMoney { amount } }
      totalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: 10) { nodes { sku quantity originalUnitPriceSet { shopMoney { amount } } } }
    }
    userErrors { field message code }
  }
}
"""


def usd(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


@pytest.fixture
def shop(shopify_sim: SimulatorControl) -> str:
    shopify_sim.create_shop(SHOP, products=PRODUCTS, scopes=["read_products", "write_orders", "read_orders"])
    return SHOP


@pytest.fixture
def variants(shopify_sim: SimulatorControl, shop: str) -> dict[str, str]:
    """sku -> variant gid."""
    return {v["sku"]: v["gid"] for v in shopify_sim.state()["shops"][0]["variants"]}


@pytest.fixture
def token(shopify_sim: SimulatorControl, shop: str) -> str:
    return shopify_sim.mint_token(shop)["access_token"]


def order_input(variant_id: str, **extra: Any) -> dict[str, Any]:
    return {"lineItems": [{"variantId": variant_id, "quantity": 1}], **extra}


def create_order(sim: SimulatorControl, shop: str, token: str, order: dict, options: dict | None = None) -> dict:
    response = sim.graphql(shop, token, ORDER_CREATE, {"order": order, "options": options})
    assert response.status_code == 200, response.text
    return response.json()
