"""Money after the push: manual payments and refunds on an order paid outside Shopify's checkout."""

import pytest

from tests.support.after_push_documents import (
    MANUAL_PAYMENT,
    READ_ORDER,
    amounts,
    call,
    data,
    money,
    open_shop,
    push_order,
    refund_create,
)
from tests.support.simulator_orders import SHOP


@pytest.fixture
def shop(shopify_sim):
    return open_shop(shopify_sim, SHOP)


def test_a_manual_payment_records_money_received_outside_shopify(shopify_sim, shop):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants, paid="60.00")

    paid = data(
        shopify_sim,
        SHOP,
        token,
        MANUAL_PAYMENT,
        id=order_id,
        amount=money("35.00"),
        paymentMethodName="BackerKit",
        processedAt="2026-11-30T10:00:00Z",
    )

    assert paid["userErrors"] == []
    order = paid["order"]
    assert amounts(order) == {
        "total": "95.00",
        "current": "95.00",
        "received": "95.00",
        "refunded": "0.00",
        "net": "95.00",
        "outstanding": "0.00",
        "status": "PAID",
    }
    payment = order["transactions"][-1]
    assert (payment["kind"], payment["gateway"], payment["manualPaymentGateway"]) == ("SALE", "BackerKit", True)


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"amount": money("35.01")}, "AMOUNT_EXCEEDS_BALANCE"),
        ({"amount": money("0.00")}, "AMOUNT_NOT_POSITIVE"),
        ({"amount": {"amount": "5.00", "currencyCode": "EUR"}}, "CURRENCY_MISMATCH"),
        ({"amount": money("5.00"), "processedAt": "2999-01-01T00:00:00Z"}, "PROCESSED_AT_INVALID"),
    ],
)
def test_a_manual_payment_is_refused_with_the_documented_codes(shopify_sim, shop, variables, code):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants, paid="60.00")

    refused = data(shopify_sim, SHOP, token, MANUAL_PAYMENT, id=order_id, **variables)

    assert refused["order"] is None and refused["userErrors"][0]["code"] == code
    assert amounts(data(shopify_sim, SHOP, token, READ_ORDER, id=order_id))["received"] == "60.00"


def test_a_fully_paid_order_takes_no_manual_payment(shopify_sim, shop):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants)

    refused = data(shopify_sim, SHOP, token, MANUAL_PAYMENT, id=order_id)  # no amount: the whole balance

    assert refused["userErrors"][0]["code"] == "AMOUNT_EXCEEDS_BALANCE"


def _refund(order_id: str, amount: str, **extra) -> dict:
    transaction = {"orderId": order_id, "gateway": "BackerKit", "kind": "REFUND", "amount": amount}
    return {"orderId": order_id, "note": "Refunded in BackerKit", "transactions": [transaction], **extra}


def test_a_money_only_refund_is_partially_refunded_with_nothing_outstanding(shopify_sim, shop):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants)

    refunded = data(shopify_sim, SHOP, token, refund_create("key-1"), input=_refund(order_id, "20.00"), key="key-1")

    assert refunded["userErrors"] == []
    assert refunded["refund"]["totalRefundedSet"]["shopMoney"]["amount"] == "20.00"
    assert amounts(refunded["order"]) == {
        "total": "95.00",
        "current": "75.00",
        "received": "95.00",
        "refunded": "20.00",
        "net": "75.00",
        "outstanding": "0.00",
        "status": "PARTIALLY_REFUNDED",
    }


def test_refunding_line_items_removes_and_restocks_them(shopify_sim, shop):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants)
    expansion = next(
        n["id"]
        for n in data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)["lineItems"]["nodes"]
        if n["sku"] == "EXPANSION"
    )
    refund = _refund(
        order_id, "15.00", refundLineItems=[{"lineItemId": expansion, "quantity": 1, "restockType": "CANCEL"}]
    )

    order = data(shopify_sim, SHOP, token, refund_create("key-2"), input=refund, key="key-2")["order"]

    lines = {n["sku"]: n for n in order["lineItems"]["nodes"]}
    assert lines["EXPANSION"]["currentQuantity"] == 0 and amounts(order)["current"] == "80.00"
    assert amounts(order)["outstanding"] == "0.00"
    assert {v["sku"]: v["inventory_quantity"] for v in shopify_sim.state()["shops"][0]["variants"]}["EXPANSION"] == 11


def test_refund_create_without_an_idempotency_key_is_refused_and_records_nothing(shopify_sim, shop):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants)

    body = call(shopify_sim, SHOP, token, refund_create(None), input=_refund(order_id, "20.00"))

    assert body["data"]["refundCreate"] is None
    assert body["errors"][0]["message"] == "The @idempotent directive is required for this mutation"
    assert amounts(data(shopify_sim, SHOP, token, READ_ORDER, id=order_id))["refunded"] == "0.00"


def test_the_same_idempotency_key_replays_the_first_refund(shopify_sim, shop):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants)
    first = data(shopify_sim, SHOP, token, refund_create("key-3"), input=_refund(order_id, "20.00"), key="key-3")

    again = data(shopify_sim, SHOP, token, refund_create("key-3"), input=_refund(order_id, "20.00"), key="key-3")
    other = data(shopify_sim, SHOP, token, refund_create("key-3"), input=_refund(order_id, "25.00"), key="key-3")

    assert again["refund"]["id"] == first["refund"]["id"]
    assert amounts(again["order"])["refunded"] == "20.00"
    assert other["refund"] is None
    assert other["userErrors"][0]["message"].startswith("The same idempotency key cannot be used")


def test_a_refund_above_the_net_payment_is_refused(shopify_sim, shop):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants, paid="60.00")

    refused = data(shopify_sim, SHOP, token, refund_create("key-4"), input=_refund(order_id, "60.01"), key="key-4")

    assert refused["refund"] is None and refused["userErrors"][0]["field"] == ["transactions"]
