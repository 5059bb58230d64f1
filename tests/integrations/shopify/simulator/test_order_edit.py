"""Order editing on a pushed order: begin, stage, commit; the guards Shopify documents."""

import pytest

from tests.support.after_push_documents import (
    EDIT_ADD_CUSTOM,
    EDIT_ADD_VARIANT,
    EDIT_BEGIN,
    EDIT_COMMIT,
    EDIT_SET_QUANTITY,
    READ_ORDER,
    amounts,
    data,
    money,
    open_shop,
    push_order,
)
from tests.support.simulator_orders import SHOP


@pytest.fixture
def pushed(shopify_sim):
    token, variants = open_shop(shopify_sim, SHOP)
    return token, variants, push_order(shopify_sim, SHOP, token, variants)


def _lines(calculated: dict) -> dict[str, dict]:
    return {n["sku"]: n for n in calculated["lineItems"]["nodes"] if n["sku"]}


def test_begin_add_remove_commit_changes_items_and_money_at_once(shopify_sim, pushed):
    token, variants, order_id = pushed
    begun = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)
    assert begun["userErrors"] == []
    session = begun["orderEditSession"]["id"]
    assert session.startswith("gid://shopify/OrderEditSession/")
    calculated_id = begun["calculatedOrder"]["id"]
    expansion = _lines(begun["calculatedOrder"])["EXPANSION"]["id"]

    added = data(shopify_sim, SHOP, token, EDIT_ADD_VARIANT, id=session, variantId=variants["PIN"], quantity=3)
    assert added["userErrors"] == [] and added["calculatedLineItem"]["quantity"] == 3
    removed = data(shopify_sim, SHOP, token, EDIT_SET_QUANTITY, id=calculated_id, lineItemId=expansion, quantity=0)
    assert removed["calculatedOrder"]["totalPriceSet"]["shopMoney"]["amount"] == "95.00"  # 80 + 15 (pins)
    staged = {c["__typename"] for c in removed["calculatedOrder"]["stagedChanges"]["nodes"]}
    assert staged == {"OrderStagedChangeAddVariant", "OrderStagedChangeDecrementItem"}
    # Nothing reaches the order before the commit.
    assert data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)["currentSubtotalLineItemsQuantity"] == 3

    committed = data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session, notifyCustomer=False, staffNote="BackerKit")

    assert committed["userErrors"] == []
    order = committed["order"]
    assert order["edited"] is True
    lines = {n["sku"]: n for n in order["lineItems"]["nodes"]}
    assert lines["PIN"]["currentQuantity"] == 3
    assert lines["PIN"]["originalUnitPriceSet"]["shopMoney"]["amount"] == "5.00"  # the variant's price
    assert (lines["EXPANSION"]["quantity"], lines["EXPANSION"]["currentQuantity"]) == (1, 0)
    assert order["currentSubtotalLineItemsQuantity"] == 5
    assert amounts(order) | {} == {
        "total": "95.00",
        "current": "95.00",
        "received": "95.00",
        "refunded": "0.00",
        "net": "95.00",
        "outstanding": "0.00",
        "status": "PAID",
    }
    stored = shopify_sim.orders(SHOP)[0]
    assert stored["events"][-1]["kind"] == "edit" and stored["staff_notes"] == ["BackerKit"]


def test_an_added_item_on_a_paid_order_leaves_it_partially_paid_with_the_balance_outstanding(shopify_sim, pushed):
    token, variants, order_id = pushed
    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]
    data(shopify_sim, SHOP, token, EDIT_ADD_VARIANT, id=session, variantId=variants["PIN"], quantity=2)

    order = data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session)["order"]

    assert amounts(order)["current"] == "105.00" and amounts(order)["outstanding"] == "10.00"
    assert order["displayFinancialStatus"] == "PARTIALLY_PAID"


def test_removing_items_of_a_paid_order_leaves_money_owed_to_the_customer(shopify_sim, pushed):
    token, _, order_id = pushed
    begun = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)
    game = _lines(begun["calculatedOrder"])["GAME"]["id"]
    session = begun["orderEditSession"]["id"]
    data(shopify_sim, SHOP, token, EDIT_SET_QUANTITY, id=session, lineItemId=game, quantity=1, restock=True)

    order = data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session)["order"]

    assert amounts(order)["current"] == "55.00"
    assert amounts(order)["outstanding"] == "-40.00"  # negative: in the customer's favour, as documented
    assert shopify_sim.state()["shops"][0]["variants"][0]["inventory_quantity"] == 11  # restocked


def test_a_custom_item_is_priced_as_given(shopify_sim, pushed):
    token, _, order_id = pushed
    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]

    added = data(shopify_sim, SHOP, token, EDIT_ADD_CUSTOM, id=session, title="Taxes", price=money("7.25"), quantity=1)
    order = data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session)["order"]

    assert added["calculatedLineItem"]["title"] == "Taxes"
    assert amounts(order)["current"] == "102.25"


def test_an_abandoned_session_changes_nothing(shopify_sim, pushed):
    token, variants, order_id = pushed
    before = data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)
    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]
    data(shopify_sim, SHOP, token, EDIT_ADD_VARIANT, id=session, variantId=variants["PIN"], quantity=1)

    # A second session, begun later, commits on the order as it is: the first one's change is not in it.
    second = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]
    order = data(shopify_sim, SHOP, token, EDIT_COMMIT, id=second)["order"]

    assert before["updatedAt"] <= order["updatedAt"]
    assert {n["sku"] for n in order["lineItems"]["nodes"]} == {"GAME", "EXPANSION"}
    assert amounts(order)["current"] == "95.00"


def test_a_session_commits_once(shopify_sim, pushed):
    token, variants, order_id = pushed
    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]
    data(shopify_sim, SHOP, token, EDIT_ADD_VARIANT, id=session, variantId=variants["PIN"], quantity=1)
    data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session)

    again = data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session)

    assert again["order"] is None
    assert again["userErrors"] == [{"field": ["id"], "message": "The order edit has already been committed"}]
    pins = [
        n for n in data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)["lineItems"]["nodes"] if n["sku"] == "PIN"
    ]
    assert [p["currentQuantity"] for p in pins] == [1]


def test_only_the_app_that_created_the_order_may_edit_it(shopify_sim, pushed):
    _, _, order_id = pushed
    other = shopify_sim.mint_token(SHOP, kind="custom_app", scopes=["write_orders", "write_order_edits"])

    begun = data(shopify_sim, SHOP, other["access_token"], EDIT_BEGIN, id=order_id)

    assert begun["calculatedOrder"] is None
    assert begun["userErrors"][0]["message"] == "The order cannot be edited: it was created by another app"


def test_editing_needs_the_write_order_edits_scope(shopify_sim, pushed):
    _, _, order_id = pushed
    token = shopify_sim.mint_token(SHOP, scopes=["write_orders"])["access_token"]

    body = shopify_sim.graphql(SHOP, token, EDIT_BEGIN, {"id": order_id}).json()

    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert "write_order_edits" in body["errors"][0]["message"]


def test_a_quantity_cannot_go_below_what_is_fulfilled(shopify_sim, pushed, shopify_simulator):
    token, _, order_id = pushed
    with shopify_simulator.state.lock:  # one unit of GAME shipped (what a fulfilment records)
        shopify_simulator.state.shops[SHOP].orders[0].line_items[0]["fulfilled_quantity"] = 1
    begun = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)
    game = _lines(begun["calculatedOrder"])["GAME"]
    assert game["editableQuantity"] == 1

    refused = data(
        shopify_sim,
        SHOP,
        token,
        EDIT_SET_QUANTITY,
        id=begun["orderEditSession"]["id"],
        lineItemId=game["id"],
        quantity=0,
    )

    assert refused["userErrors"] == [
        {"field": ["quantity"], "message": "Quantity can't be less than the fulfilled quantity (1)"}
    ]


def test_a_variant_already_on_the_order_needs_allow_duplicates(shopify_sim, pushed):
    token, variants, order_id = pushed
    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]

    refused = data(shopify_sim, SHOP, token, EDIT_ADD_VARIANT, id=session, variantId=variants["GAME"], quantity=1)
    allowed = data(
        shopify_sim,
        SHOP,
        token,
        EDIT_ADD_VARIANT,
        id=session,
        variantId=variants["GAME"],
        quantity=1,
        allowDuplicates=True,
    )

    assert refused["userErrors"][0]["field"] == ["variantId"]
    assert allowed["userErrors"] == []
