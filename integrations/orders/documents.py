"""The Admin GraphQL documents the order push sends, validated against Shopify's schema in
tests/integrations/orders/test_documents.py (so a typo fails a test, not a merchant's push)."""

ORDER_CREATE = """
mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order {
      id
      name
      displayFinancialStatus
      totalPriceSet { shopMoney { amount currencyCode } }
    }
    userErrors { field message code }
  }
}
"""

# Variables: first (<= 250), after (cursor or null), query, e.g. 'sku:"A-1" OR sku:"B-2"'.
VARIANTS_BY_SKU = """
query VariantsBySku($first: Int!, $after: String, $query: String!) {
  productVariants(first: $first, after: $after, query: $query) {
    nodes { id sku price }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# orderCreate has no idempotency key: before (re)sending, look the order up by the BackerKit order
# id kept in sourceIdentifier. Variables: query = 'source_identifier:"<id>"'. The search index lags
# writes by seconds (docs/shopify-facts.md, "Orders").
ORDER_BY_SOURCE_IDENTIFIER = """
query OrderBySourceIdentifier($query: String!) {
  orders(first: 1, query: $query) {
    nodes { id name displayFinancialStatus sourceIdentifier }
  }
}
"""

SHOP_INFO = """
query ShopInfo {
  shop { name currencyCode myshopifyDomain }
}
"""

# The reconciliation (services/reconciliation.py) scans orders updated after a moment, oldest
# change first, a page at a time, reading only what tells a missed version (ids, status, updatedAt):
# cheap per order. Variables: first (<= 250), after, query = "updated_at:>'2026-12-01T10:00:00Z'".
FULFILMENTS_UPDATED_SINCE = """
query FulfilmentsUpdatedSince($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      updatedAt
      cancelledAt
      cancelReason
      fulfillments(first: 20) { id status updatedAt }
    }
  }
}
"""

# The bulk road (services/bulk_*.py; docs/shopify-facts.md, "Bulk mutations"): a staged upload for
# the JSONL of ORDER_CREATE's variables, the run (ORDER_CREATE itself is the bulk mutation), and the
# operation's status by id or, after an answer lost, the shop's newest operations.
STAGED_UPLOADS_CREATE = """
mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}
"""

BULK_OPERATION_RUN_MUTATION = """
mutation BulkOperationRunMutation($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath,
                           clientIdentifier: $clientIdentifier) {
    bulkOperation { id status createdAt }
    userErrors { field message code }
  }
}
"""

BULK_OPERATION_FIELDS = "id status errorCode createdAt completedAt objectCount url partialDataUrl"

BULK_OPERATION = f"""
query BulkOperation($id: ID!) {{
  bulkOperation(id: $id) {{ {BULK_OPERATION_FIELDS} }}
}}
"""

RECENT_BULK_OPERATIONS = f"""
query RecentBulkOperations($first: Int!) {{
  bulkOperations(first: $first, query: "operation_type:mutation") {{
    nodes {{ {BULK_OPERATION_FIELDS} }}
  }}
}}
"""

ALL_DOCUMENTS = {
    "FULFILMENTS_UPDATED_SINCE": FULFILMENTS_UPDATED_SINCE,
    "STAGED_UPLOADS_CREATE": STAGED_UPLOADS_CREATE,
    "BULK_OPERATION_RUN_MUTATION": BULK_OPERATION_RUN_MUTATION,
    "BULK_OPERATION": BULK_OPERATION,
    "RECENT_BULK_OPERATIONS": RECENT_BULK_OPERATIONS,
    "ORDER_CREATE": ORDER_CREATE,
    "VARIANTS_BY_SKU": VARIANTS_BY_SKU,
    "ORDER_BY_SOURCE_IDENTIFIER": ORDER_BY_SOURCE_IDENTIFIER,
    "SHOP_INFO": SHOP_INFO,
}


def _quoted(value: str) -> str:
    """A value as a quoted term of Shopify's search syntax (https://shopify.dev/docs/api/usage/search-syntax)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def skus_query(skus: list[str]) -> str:
    """The ``query`` variable of VARIANTS_BY_SKU for these SKUs."""
    return " OR ".join(f"sku:{_quoted(sku)}" for sku in skus)


def source_identifier_query(order_id: str) -> str:
    """The ``query`` variable of ORDER_BY_SOURCE_IDENTIFIER for a BackerKit order id."""
    return f"source_identifier:{_quoted(order_id)}"
