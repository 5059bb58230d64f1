"""GraphQL documents for an order after its push (orderUpdate, editing, payments, refunds, cancel),
as the simulator's own tests send them. Every document here is validated by the simulator against
the 2026-07 schema on every call (and by tests/integrations/shopify/simulator/test_after_push_documents.py)."""

from typing import Any

from harness.simulator_control import SimulatorControl

ORDER_FIELDS = """
  id name email phone note poNumber tags updatedAt createdAt cancelledAt cancelReason closed edited
  displayFinancialStatus
  customAttributes { key value }
  shippingAddress { address1 address2 city zip provinceCode countryCode firstName lastName }
  totalPriceSet { shopMoney { amount } }
  currentTotalPriceSet { shopMoney { amount } }
  currentSubtotalLineItemsQuantity
  totalReceivedSet { shopMoney { amount } }
  totalRefundedSet { shopMoney { amount } }
  netPaymentSet { shopMoney { amount } }
  totalOutstandingSet { shopMoney { amount } }
  transactions { id kind status gateway formattedGateway manualPaymentGateway amountSet { shopMoney { amount } } }
  lineItems(first: 50) {
    nodes { id sku title quantity currentQuantity unfulfilledQuantity refundableQuantity
            originalUnitPriceSet { shopMoney { amount } } }
  }
"""

READ_ORDER = f"query Read($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"

ORDER_UPDATE = f"""
mutation Update($input: OrderInput!) {{
  orderUpdate(input: $input) {{ order {{ {ORDER_FIELDS} }} userErrors {{ field message }} }}
}}
"""

CALCULATED = """
  calculatedOrder {
    id
    subtotalLineItemsQuantity
    subtotalPriceSet { shopMoney { amount } }
    totalPriceSet { shopMoney { amount } }
    totalOutstandingSet { shopMoney { amount } }
    lineItems(first: 50) { nodes { id sku quantity editableQuantity originalUnitPriceSet { shopMoney { amount } } } }
    addedLineItems(first: 50) { nodes { id sku title quantity } }
    stagedChanges(first: 50) {
      nodes {
        __typename
        ... on OrderStagedChangeAddVariant { quantity variant { sku } }
        ... on OrderStagedChangeAddCustomItem { title quantity originalUnitPrice { amount } }
        ... on OrderStagedChangeIncrementItem { delta lineItem { sku } }
        ... on OrderStagedChangeDecrementItem { delta restock lineItem { sku } }
      }
    }
  }
  orderEditSession { id }
  userErrors { field message }
"""

EDIT_BEGIN = f"mutation Begin($id: ID!) {{ orderEditBegin(id: $id) {{ {CALCULATED} }} }}"
EDIT_ADD_VARIANT = f"""
mutation Add($id: ID!, $variantId: ID!, $quantity: Int!, $allowDuplicates: Boolean) {{
  orderEditAddVariant(id: $id, variantId: $variantId, quantity: $quantity, allowDuplicates: $allowDuplicates) {{
    calculatedLineItem {{ id sku quantity }}
    {CALCULATED}
  }}
}}
"""
EDIT_ADD_CUSTOM = f"""
mutation Custom($id: ID!, $title: String!, $price: MoneyInput!, $quantity: Int!) {{
  orderEditAddCustomItem(id: $id, title: $title, price: $price, quantity: $quantity,
                         taxable: false, requiresShipping: false) {{
    calculatedLineItem {{ id title quantity }}
    {CALCULATED}
  }}
}}
"""
EDIT_SET_QUANTITY = f"""
mutation Set($id: ID!, $lineItemId: ID!, $quantity: Int!, $restock: Boolean) {{
  orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: $restock) {{
    calculatedLineItem {{ id quantity }}
    {CALCULATED}
  }}
}}
"""
EDIT_COMMIT = f"""
mutation Commit($id: ID!, $notifyCustomer: Boolean, $staffNote: String) {{
  orderEditCommit(id: $id, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {{
    order {{ {ORDER_FIELDS} }}
    successMessages
    userErrors {{ field message }}
  }}
}}
"""

MANUAL_PAYMENT = f"""
mutation Pay($id: ID!, $amount: MoneyInput, $paymentMethodName: String, $processedAt: DateTime) {{
  orderCreateManualPayment(id: $id, amount: $amount, paymentMethodName: $paymentMethodName,
                           processedAt: $processedAt) {{
    order {{ {ORDER_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

REFUND_FIELDS = f"""
    order {{ {ORDER_FIELDS} }}
    refund {{ id totalRefundedSet {{ shopMoney {{ amount }} }}
             transactions(first: 10) {{ nodes {{ kind gateway amountSet {{ shopMoney {{ amount }} }} }} }}
             refundLineItems(first: 10) {{ nodes {{ quantity restockType lineItem {{ sku }} }} }} }}
    userErrors {{ field message }}
"""


def refund_create(key: str | None) -> str:
    """``refundCreate`` with ``@idempotent(key: $key)`` (2026-04 on), or without it (``key`` None)."""
    if key is None:
        return f"mutation Refund($input: RefundInput!) {{ refundCreate(input: $input) {{ {REFUND_FIELDS} }} }}"
    return (
        "mutation Refund($input: RefundInput!, $key: String!) "
        f"{{ refundCreate(input: $input) @idempotent(key: $key) {{ {REFUND_FIELDS} }} }}"
    )


ORDER_CANCEL = """
mutation Cancel($orderId: ID!, $restock: Boolean!, $reason: OrderCancelReason!,
                $refundMethod: OrderCancelRefundMethodInput, $notifyCustomer: Boolean, $staffNote: String) {
  orderCancel(orderId: $orderId, restock: $restock, reason: $reason, refundMethod: $refundMethod,
              notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
    userErrors { field message }
  }
}
"""
JOB = "query Job($id: ID!) { job(id: $id) { id done } }"

ALL = {
    "READ_ORDER": READ_ORDER,
    "ORDER_UPDATE": ORDER_UPDATE,
    "EDIT_BEGIN": EDIT_BEGIN,
    "EDIT_ADD_VARIANT": EDIT_ADD_VARIANT,
    "EDIT_ADD_CUSTOM": EDIT_ADD_CUSTOM,
    "EDIT_SET_QUANTITY": EDIT_SET_QUANTITY,
    "EDIT_COMMIT": EDIT_COMMIT,
    "MANUAL_PAYMENT": MANUAL_PAYMENT,
    "REFUND_WITH_KEY": refund_create("k"),
    "REFUND_WITHOUT_KEY": refund_create(None),
    "ORDER_CANCEL": ORDER_CANCEL,
    "JOB": JOB,
}


def call(sim: SimulatorControl, shop: str, token: str, document: str, **variables: Any) -> dict[str, Any]:
    """The JSON answer of one call (asserting HTTP 200 and no schema error)."""
    response = sim.graphql(shop, token, document, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is not None or body.get("errors"), body
    return body


def data(sim: SimulatorControl, shop: str, token: str, document: str, **variables: Any) -> dict[str, Any]:
    body = call(sim, shop, token, document, **variables)
    assert "errors" not in body, body["errors"]
    [value] = body["data"].values()
    return value


# --- a pushed order to change ---------------------------------------------------------------------

SCOPES = ["read_products", "write_orders", "read_orders", "write_order_edits"]
PRODUCTS = [
    {"sku": "GAME", "price": "40.00", "title": "Board game", "inventory_quantity": 10},
    {"sku": "EXPANSION", "price": "15.00", "title": "Expansion", "inventory_quantity": 10},
    {"sku": "PIN", "price": "5.00", "title": "Enamel pin", "inventory_quantity": 10},
]
ADDRESS = {
    "firstName": "Ada",
    "lastName": "Backer",
    "address1": "1 Old Road",
    "city": "Portland",
    "provinceCode": "OR",
    "zip": "97201",
    "countryCode": "US",
}
ORDER_CREATE = """
mutation Create($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) { order { id } userErrors { field message } }
}
"""


def usd(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currencyCode": "USD"}


def open_shop(sim: SimulatorControl, shop: str) -> tuple[str, dict[str, str]]:
    """(token, sku -> variant gid) on a shop that granted order edits."""
    sim.create_shop(shop, products=PRODUCTS, scopes=SCOPES)
    token = sim.mint_token(shop)["access_token"]
    variants = {v["sku"]: v["gid"] for v in sim.state()["shops"][-1]["variants"]}
    return token, variants


def push_order(
    sim: SimulatorControl,
    shop: str,
    token: str,
    variants: dict[str, str],
    *,
    paid: str = "95.00",
    options: dict[str, Any] | None = None,
    **extra: Any,
) -> str:
    """An order as the push creates it: GAME x2 at 40.00 + EXPANSION x1 at 15.00 (95.00), no shipping, paid ``paid``
    through the BackerKit gateway (a manual, external gateway). Returns its gid."""
    order = {
        "sourceIdentifier": extra.pop("source", "bk-1"),
        "email": "ada@example.com",
        "currency": "USD",
        "shippingAddress": ADDRESS,
        "lineItems": [
            {"variantId": variants["GAME"], "quantity": 2},
            {"variantId": variants["EXPANSION"], "quantity": 1},
        ],
        "tags": ["backer-1"],
        "customAttributes": [{"key": "Pledge ID", "value": "p-1"}],
        **extra,
    }
    if paid != "0.00":
        order["transactions"] = [{"kind": "SALE", "status": "SUCCESS", "gateway": "BackerKit", "amountSet": usd(paid)}]
    created = data(sim, shop, token, ORDER_CREATE, order=order, options=options)
    assert created["userErrors"] == [], created
    return created["order"]["id"]


def amounts(order: dict[str, Any]) -> dict[str, str]:
    """The money fields of an order node, by short name."""
    return {
        "total": order["totalPriceSet"]["shopMoney"]["amount"],
        "current": order["currentTotalPriceSet"]["shopMoney"]["amount"],
        "received": order["totalReceivedSet"]["shopMoney"]["amount"],
        "refunded": order["totalRefundedSet"]["shopMoney"]["amount"],
        "net": order["netPaymentSet"]["shopMoney"]["amount"],
        "outstanding": order["totalOutstandingSet"]["shopMoney"]["amount"],
        "status": order["displayFinancialStatus"],
    }
