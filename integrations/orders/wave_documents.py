"""The Admin GraphQL documents of waves: read an order's fulfilment orders and holds, hold, release.
Validated against the schema in tests/integrations/orders/test_wave_documents.py.
Facts: docs/shopify-facts.md, "Fulfilment orders and holds"."""

# Variables: id (Order gid). About 15 points. Line items: an order split by wave holds lines by SKU.
ORDER_HOLDS = """
query OrderHolds($id: ID!) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 5) {
      nodes {
        id status requestStatus fulfillmentHolds { id handle }
        lineItems(first: 50) { nodes { id remainingQuantity sku } }
      }
    }
  }
}
"""

# Variables: id (FulfillmentOrder gid), hold (FulfillmentOrderHoldInput: reason OTHER, reasonNotes
# naming the wave, handle bk-wave-<id> so a second hold of the same wave is refused as a duplicate,
# externalId the wave's id).
HOLD = """
mutation WaveHold($id: ID!, $hold: FulfillmentOrderHoldInput!) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) {
    fulfillmentHold { id handle }
    fulfillmentOrder { id status }
    userErrors { field message code }
  }
}
"""

# Variables: id (FulfillmentOrder gid), holdIds (only ours: never release another app's or the
# merchant's hold), externalId.
RELEASE = """
mutation WaveRelease($id: ID!, $holdIds: [ID!], $externalId: String) {
  fulfillmentOrderReleaseHold(id: $id, holdIds: $holdIds, externalId: $externalId) {
    fulfillmentOrder { id status fulfillmentHolds { id handle } }
    userErrors { field message code }
  }
}
"""

ALL_DOCUMENTS = {"ORDER_HOLDS": ORDER_HOLDS, "HOLD": HOLD, "RELEASE": RELEASE}
