"""Order editing of shipping lines: a shipping fee is added, or removed (it stays on the order,
removed); only a line added in the session can be updated, as the help page says ("to edit a shipping
fee ... remove the shipping fee and add a new shipping fee"). A custom item needs no shipping unless asked."""

import pytest

from tests.support.after_push_documents import EDIT_BEGIN, EDIT_COMMIT, amounts, data, open_shop, push_order
from tests.support.simulator_orders import SHOP

ADD = """
mutation Add($id: ID!, $line: OrderEditAddShippingLineInput!) {
  orderEditAddShippingLine(id: $id, shippingLine: $line) {
    calculatedShippingLine { id title stagedStatus price { shopMoney { amount } } }
    calculatedOrder { totalPriceSet { shopMoney { amount } } shippingLines { id stagedStatus } }
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation Update($id: ID!, $line: OrderEditUpdateShippingLineInput!, $lineId: ID!) {
  orderEditUpdateShippingLine(id: $id, shippingLine: $line, shippingLineId: $lineId) {
    calculatedOrder { totalPriceSet { shopMoney { amount } } }
    userErrors { field message code }
  }
}
"""
REMOVE = """
mutation Remove($id: ID!, $lineId: ID!) {
  orderEditRemoveShippingLine(id: $id, shippingLineId: $lineId) {
    calculatedOrder { totalPriceSet { shopMoney { amount } } shippingLines { id stagedStatus } }
    userErrors { field message code }
  }
}
"""
SHIPPING = """
query Shipping($id: ID!, $all: Boolean) {
  order(id: $id) {
    shippingLines(first: 5, includeRemovals: $all) {
      nodes { title isRemoved originalPriceSet { shopMoney { amount } } }
    }
    currentShippingPriceSet { shopMoney { amount } }
  }
}
"""


@pytest.fixture
def pushed(shopify_sim):
    token, variants = open_shop(shopify_sim, SHOP)
    return token, push_order(shopify_sim, SHOP, token, variants)


def _usd(amount: str) -> dict:
    return {"amount": amount, "currencyCode": "USD"}


def _shipping(shopify_sim, token, order_id, *, all_lines=False) -> list[tuple[str, str, bool]]:
    order = data(shopify_sim, SHOP, token, SHIPPING, id=order_id, all=all_lines)
    return [(n["title"], n["originalPriceSet"]["shopMoney"]["amount"], n["isRemoved"])
            for n in order["shippingLines"]["nodes"]]  # fmt: skip


def test_a_shipping_fee_is_added_updated_in_its_session_then_committed(shopify_sim, pushed):
    token, order_id = pushed
    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]

    added = data(shopify_sim, SHOP, token, ADD, id=session, line={"title": "Shipping", "price": _usd("8.00")})
    assert added["userErrors"] == [] and added["calculatedShippingLine"]["stagedStatus"] == "ADDED"
    assert added["calculatedOrder"]["totalPriceSet"]["shopMoney"]["amount"] == "103.00"  # 95 + 8
    line = added["calculatedShippingLine"]["id"]
    updated = data(shopify_sim, SHOP, token, UPDATE, id=session, line={"price": _usd("9.50")}, lineId=line)
    assert (
        updated["userErrors"] == [] and updated["calculatedOrder"]["totalPriceSet"]["shopMoney"]["amount"] == "104.50"
    )
    assert _shipping(shopify_sim, token, order_id) == []  # nothing before the commit

    order = data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session)["order"]

    assert amounts(order)["current"] == "104.50" and amounts(order)["outstanding"] == "9.50"
    assert _shipping(shopify_sim, token, order_id) == [("Shipping", "9.50", False)]


def test_an_existing_shipping_fee_is_removed_not_updated_and_stays_on_the_order_removed(shopify_sim, pushed):
    token, order_id = pushed
    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]
    data(shopify_sim, SHOP, token, ADD, id=session, line={"title": "Shipping", "price": _usd("8.00")})
    data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session)

    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]
    line = data(shopify_sim, SHOP, token, REMOVE, id=session, lineId="gid://shopify/CalculatedShippingLine/0")
    assert line["userErrors"][0]["code"] == "INVALID"
    calculated = data(shopify_sim, SHOP, token, ADD, id=session, line={"title": "Shipping", "price": _usd("1.00")})
    [old] = [n["id"] for n in calculated["calculatedOrder"]["shippingLines"] if n["stagedStatus"] == "NONE"]
    refused = data(shopify_sim, SHOP, token, UPDATE, id=session, line={"price": _usd("2.00")}, lineId=old)
    assert (
        refused["userErrors"][0]["code"] == "INVALID"
        and "remove it and add a new one" in refused["userErrors"][0]["message"]
    )
    removed = data(shopify_sim, SHOP, token, REMOVE, id=session, lineId=old)
    assert removed["userErrors"] == [] and removed["calculatedOrder"]["totalPriceSet"]["shopMoney"]["amount"] == "96.00"

    data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session)

    assert _shipping(shopify_sim, token, order_id) == [("Shipping", "1.00", False)]
    assert _shipping(shopify_sim, token, order_id, all_lines=True) == [
        ("Shipping", "8.00", True), ("Shipping", "1.00", False)
    ]  # fmt: skip
    assert shopify_sim.orders(SHOP)[0]["current_total"] == "96.00"


def test_a_shipping_fee_needs_a_title_and_the_orders_currency(shopify_sim, pushed):
    token, order_id = pushed
    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]

    blank = data(shopify_sim, SHOP, token, ADD, id=session, line={"title": " ", "price": _usd("1.00")})
    euros = data(shopify_sim, SHOP, token, ADD, id=session, line={"title": "Shipping", "price": {"amount": "1.00",
                 "currencyCode": "EUR"}})  # fmt: skip

    assert blank["userErrors"][0]["field"] == ["shippingLine", "title"]
    assert euros["userErrors"][0]["field"] == ["shippingLine", "price"]
