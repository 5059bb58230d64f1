"""The shared fulfilment-state reader: its documents validate against the schema, its parser names
the order and field of a malformed answer, its search bound is Shopify's syntax."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from integrations.shopify.errors import ShopifyInvalid
from integrations.shopify.fulfilment_state import ALL_DOCUMENTS, parse_order, updated_since_query
from integrations.shopify.schema import validation_errors


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_the_documents_are_valid_against_the_admin_schema(name):
    assert validation_errors(ALL_DOCUMENTS[name]) == []


def _order(**overrides):
    line = {"id": "gid://shopify/FulfillmentOrderLineItem/7", "totalQuantity": 2, "remainingQuantity": 1,
            "lineItem": {"id": "gid://shopify/LineItem/3", "sku": "GAME"}}  # fmt: skip
    return {
        "id": "gid://shopify/Order/1",
        "name": "#1001",
        "updatedAt": "2026-12-01T10:00:00Z",
        "cancelledAt": None,
        "displayFulfillmentStatus": "PARTIALLY_FULFILLED",
        "fulfillmentOrders": {
            "nodes": [
                {
                    "id": "gid://shopify/FulfillmentOrder/5",
                    "status": "IN_PROGRESS",
                    "requestStatus": "UNSUBMITTED",
                    "updatedAt": "2026-12-01T10:00:00Z",
                    "fulfillmentHolds": [],
                    "supportedActions": [],
                    "lineItems": {"nodes": [line]},
                }  # fmt: skip
            ]
        },
        "fulfillments": [],
        **overrides,
    }


def test_an_order_is_parsed_into_types():
    state = parse_order(_order())

    assert state.updated_at == datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert state.remaining_by_sku() == {"GAME": 1}
    assert state.fulfillment_orders[0].with_the_warehouse  # partly shipped: in progress


def test_a_malformed_answer_names_the_order_and_the_field():
    with pytest.raises(ShopifyInvalid, match=r"order gid://shopify/Order/1: updatedAt is not a timestamp"):
        parse_order(_order(updatedAt="yesterday"))
    with pytest.raises(ShopifyInvalid, match="fulfillments is missing"):
        parse_order(_order(fulfillments=None))


def test_the_updated_since_bound_is_utc_seconds():
    since = datetime(2026, 12, 1, 11, 30, 5, 999, tzinfo=timezone(timedelta(hours=1)))

    assert updated_since_query(since) == "updated_at:>='2026-12-01T10:30:05Z'"
