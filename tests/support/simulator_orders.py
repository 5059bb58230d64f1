"""orderCreate against the Shopify simulator, for its own tests: a document, inputs, money."""

from typing import Any

from harness.simulator_control import SimulatorControl

SHOP = "backer-store.myshopify.com"
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


def order_input(variant_id: str, **extra: Any) -> dict[str, Any]:
    return {"lineItems": [{"variantId": variant_id, "quantity": 1}], **extra}


def create_order(sim: SimulatorControl, shop_domain: str, token: str, order: dict, options: dict | None = None) -> dict:
    response = sim.graphql(shop_domain, token, ORDER_CREATE, {"order": order, "options": options})
    assert response.status_code == 200, response.text
    return response.json()
