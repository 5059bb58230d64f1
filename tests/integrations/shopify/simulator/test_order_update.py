"""orderUpdate on a pushed order: contact, address, tags and attributes; updatedAt moves."""

import pytest

from tests.support.after_push_documents import ORDER_UPDATE, READ_ORDER, data, open_shop, push_order
from tests.support.simulator_orders import SHOP


@pytest.fixture
def pushed(shopify_sim):
    token, variants = open_shop(shopify_sim, SHOP)
    return token, push_order(shopify_sim, SHOP, token, variants)


def test_an_update_changes_contact_address_tags_and_attributes_and_moves_updated_at(shopify_sim, pushed):
    token, order_id = pushed
    updated = data(
        shopify_sim,
        SHOP,
        token,
        ORDER_UPDATE,
        input={
            "id": order_id,
            "email": "ada.new@example.com",
            "phone": "+15035550100",
            "shippingAddress": {"address1": "2 New Street", "zip": "97202"},
            "tags": ["backer-1", "ch_new"],
            "customAttributes": [{"key": "Pledge ID", "value": "p-1"}, {"key": "Store", "value": "Shop B"}],
            "poNumber": "PO-7",
        },
    )

    assert updated["userErrors"] == []
    order = updated["order"]
    assert order["email"] == "ada.new@example.com" and order["phone"] == "+15035550100"
    assert order["shippingAddress"]["address1"] == "2 New Street"
    assert order["shippingAddress"]["city"] == "Portland"  # fields not given are kept
    assert order["tags"] == ["backer-1", "ch_new"]
    assert order["customAttributes"][-1] == {"key": "Store", "value": "Shop B"}
    assert order["poNumber"] == "PO-7"
    [stored] = shopify_sim.orders(SHOP)
    [event] = stored["events"]
    assert event["actor"] == "app" and event["kind"] == "update" and "email" in event["detail"]["fields"]
    assert order["updatedAt"] == stored["updated_at"] == event["at"]  # updatedAt moved with the change


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, ["email"]),
        ({"tags": ["x" * 41]}, ["tags"]),
        ({"shippingAddress": {"provinceCode": "ZZ"}}, ["shippingAddress", "provinceCode"]),
    ],
)
def test_invalid_input_is_a_user_error_and_changes_nothing(shopify_sim, pushed, changes, field):
    token, order_id = pushed
    before = data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)

    updated = data(shopify_sim, SHOP, token, ORDER_UPDATE, input={"id": order_id, **changes})

    assert updated["order"] is None and updated["userErrors"][0]["field"] == field
    assert data(shopify_sim, SHOP, token, READ_ORDER, id=order_id) == before


def test_an_unknown_order_is_a_user_error(shopify_sim, pushed):
    token, _ = pushed

    updated = data(shopify_sim, SHOP, token, ORDER_UPDATE, input={"id": "gid://shopify/Order/999999", "note": "x"})

    assert updated == {"order": None, "userErrors": [{"field": ["id"], "message": "Order does not exist"}]}


def test_a_token_without_write_orders_is_denied(shopify_sim, pushed):
    _, order_id = pushed
    reader = shopify_sim.mint_token(SHOP, scopes=["read_orders"])["access_token"]

    body = shopify_sim.graphql(SHOP, reader, ORDER_UPDATE, {"input": {"id": order_id, "note": "x"}}).json()

    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
