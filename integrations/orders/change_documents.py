"""The Admin GraphQL documents that keep a pushed order in step with BackerKit (validated against
Shopify's schema in tests/integrations/orders/test_change_documents.py)."""

# The order as it is now: what a change is compared with (conflicts, the guards) and how an
# ambiguous write is resolved (read back before anything is resent). Its fulfilment orders are read
# in the same query, only what the warehouse guard needs (status, request status, what is left of
# each line): the shared reader's full document (integrations/shopify/fulfilment_state.py) cost
# about 120 points per change in the benchmark, this about a tenth (benchmarks/changes.py).
ORDER_STATE = """
query OrderState($id: ID!) {
  order(id: $id) {
    id
    updatedAt
    cancelledAt
    displayFinancialStatus
    displayFulfillmentStatus
    email
    tags
    customAttributes { key value }
    shippingAddress {
      firstName lastName company address1 address2 city zip countryCodeV2 provinceCode phone
    }
    currentTotalPriceSet { shopMoney { amount currencyCode } }
    totalOutstandingSet { shopMoney { amount currencyCode } }
    netPaymentSet { shopMoney { amount currencyCode } }
    lineItems(first: 50) {
      nodes {
        id sku title quantity currentQuantity unfulfilledQuantity variant { id }
        originalUnitPriceSet { shopMoney { amount } }
      }
    }
    shippingLines(first: 5) { nodes { title originalPriceSet { shopMoney { amount } } } }
    transactions(first: 10) { id kind status gateway }
    fulfillmentOrders(first: 5) {
      nodes { status requestStatus lineItems(first: 10) { nodes { totalQuantity remainingQuantity sku } } }
    }
  }
}
"""

# The same without the line items: what an address, contact or tags change needs (a tenth of the cost).
ORDER_OWNED_FIELDS = """
query OrderOwnedFields($id: ID!) {
  order(id: $id) {
    id
    updatedAt
    cancelledAt
    displayFulfillmentStatus
    email
    tags
    customAttributes { key value }
    shippingAddress {
      firstName lastName company address1 address2 city zip countryCodeV2 provinceCode phone
    }
    fulfillmentOrders(first: 5) {
      nodes { status requestStatus lineItems(first: 10) { nodes { totalQuantity remainingQuantity sku } } }
    }
  }
}
"""

ORDER_UPDATE = """
mutation OrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id updatedAt }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_BEGIN = """
mutation OrderEditBegin($id: ID!) {
  orderEditBegin(id: $id) {
    calculatedOrder {
      id
      lineItems(first: 50) {
        nodes { id sku title quantity variant { id } originalUnitPriceSet { shopMoney { amount } } }
      }
      shippingLines { id title stagedStatus price { shopMoney { amount } } }
    }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_ADD_VARIANT = """
mutation OrderEditAddVariant($id: ID!, $variantId: ID!, $quantity: Int!) {
  orderEditAddVariant(id: $id, variantId: $variantId, quantity: $quantity, allowDuplicates: false) {
    calculatedLineItem { id }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_SET_QUANTITY = """
mutation OrderEditSetQuantity($id: ID!, $lineItemId: ID!, $quantity: Int!, $restock: Boolean = true) {
  orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: $restock) {
    calculatedLineItem { id }
    userErrors { field message }
  }
}
"""

# The one "Taxes" line item of the one-line tax mode, as the push created it (mapping.py): a custom
# item, not taxable, not shipped. A changed amount replaces it (the old one set to quantity 0).
ORDER_EDIT_ADD_CUSTOM_ITEM = """
mutation OrderEditAddCustomItem($id: ID!, $title: String!, $price: MoneyInput!) {
  orderEditAddCustomItem(id: $id, title: $title, price: $price, quantity: 1, taxable: false, requiresShipping: false) {
    calculatedLineItem { id }
    userErrors { field message }
  }
}
"""

# The shipping line the push created (a custom one, "Shipping"): an edit removes it and adds the
# new amount ("to edit a shipping fee ... remove the shipping fee and add a new shipping fee").
ORDER_EDIT_REMOVE_SHIPPING_LINE = """
mutation OrderEditRemoveShippingLine($id: ID!, $shippingLineId: ID!) {
  orderEditRemoveShippingLine(id: $id, shippingLineId: $shippingLineId) {
    calculatedOrder { id }
    userErrors { field message code }
  }
}
"""

ORDER_EDIT_ADD_SHIPPING_LINE = """
mutation OrderEditAddShippingLine($id: ID!, $shippingLine: OrderEditAddShippingLineInput!) {
  orderEditAddShippingLine(id: $id, shippingLine: $shippingLine) {
    calculatedShippingLine { id }
    userErrors { field message code }
  }
}
"""

ORDER_EDIT_COMMIT = """
mutation OrderEditCommit($id: ID!, $staffNote: String) {
  orderEditCommit(id: $id, notifyCustomer: false, staffNote: $staffNote) {
    order {
      id
      updatedAt
      displayFinancialStatus
      currentTotalPriceSet { shopMoney { amount currencyCode } }
      totalOutstandingSet { shopMoney { amount currencyCode } }
      netPaymentSet { shopMoney { amount currencyCode } }
    }
    userErrors { field message }
  }
}
"""

# Canceled or refunded in BackerKit: restock, tell the customer nothing, and no refund method, so
# Shopify moves no money it never took (the push's payment is an external "BackerKit" one; what
# BackerKit refunded is recorded first with refundCreate, a record only on a manual gateway).
ORDER_CANCEL = """
mutation OrderCancel($orderId: ID!, $staffNote: String) {
  orderCancel(orderId: $orderId, restock: true, reason: CUSTOMER, notifyCustomer: false, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

# The backer paid more in BackerKit (a late add-on): a manual payment, as for payments taken
# outside Shopify's checkout.
ORDER_CREATE_MANUAL_PAYMENT = """
mutation OrderCreateManualPayment($id: ID!, $amount: MoneyInput!, $paymentMethodName: String) {
  orderCreateManualPayment(id: $id, amount: $amount, paymentMethodName: $paymentMethodName) {
    order { id updatedAt displayFinancialStatus }
    userErrors { field message code }
  }
}
"""

# BackerKit refunded part: a refund recorded against the external gateway (no money moves). From
# 2026-04 refundCreate requires @idempotent: the key is the change's, so a resend after an ambiguous
# answer replays the first refund instead of making a second (docs/shopify-facts.md).
REFUND_CREATE = """
mutation RefundCreate($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    order { id updatedAt displayFinancialStatus }
    refund { id }
    userErrors { field message }
  }
}
"""

ALL_CHANGE_DOCUMENTS = {
    "ORDER_STATE": ORDER_STATE,
    "ORDER_OWNED_FIELDS": ORDER_OWNED_FIELDS,
    "ORDER_UPDATE": ORDER_UPDATE,
    "ORDER_EDIT_BEGIN": ORDER_EDIT_BEGIN,
    "ORDER_EDIT_ADD_VARIANT": ORDER_EDIT_ADD_VARIANT,
    "ORDER_EDIT_SET_QUANTITY": ORDER_EDIT_SET_QUANTITY,
    "ORDER_EDIT_ADD_CUSTOM_ITEM": ORDER_EDIT_ADD_CUSTOM_ITEM,
    "ORDER_EDIT_REMOVE_SHIPPING_LINE": ORDER_EDIT_REMOVE_SHIPPING_LINE,
    "ORDER_EDIT_ADD_SHIPPING_LINE": ORDER_EDIT_ADD_SHIPPING_LINE,
    "ORDER_EDIT_COMMIT": ORDER_EDIT_COMMIT,
    "ORDER_CANCEL": ORDER_CANCEL,
    "ORDER_CREATE_MANUAL_PAYMENT": ORDER_CREATE_MANUAL_PAYMENT,
    "REFUND_CREATE": REFUND_CREATE,
}
