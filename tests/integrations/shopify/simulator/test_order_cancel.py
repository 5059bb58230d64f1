"""orderCancel of a pushed order paid outside Shopify: a job, the guards, refund and restock."""

import pytest

from tests.support.after_push_documents import JOB, ORDER_CANCEL, READ_ORDER, amounts, data, open_shop, push_order
from tests.support.simulator_orders import SHOP


@pytest.fixture
def shop(shopify_sim):
    return open_shop(shopify_sim, SHOP)


def _stock(sim) -> dict[str, int]:
    return {v["sku"]: v["inventory_quantity"] for v in sim.state()["shops"][0]["variants"]}


def test_cancel_without_refund_restocks_and_keeps_the_payment_owed_back(shopify_sim, shop):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants)  # BYPASS: it took nothing from stock

    cancelled = data(
        shopify_sim,
        SHOP,
        token,
        ORDER_CANCEL,
        orderId=order_id,
        restock=True,
        reason="CUSTOMER",
        notifyCustomer=False,
        staffNote="Canceled in BackerKit",
    )

    assert cancelled["orderCancelUserErrors"] == [] and cancelled["userErrors"] == []
    assert cancelled["job"]["done"] is False  # asynchronous on Shopify
    assert data(shopify_sim, SHOP, token, JOB, id=cancelled["job"]["id"]) == {
        "id": cancelled["job"]["id"],
        "done": True,
    }
    order = data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)
    assert order["cancelledAt"] and order["cancelReason"] == "CUSTOMER" and order["closed"] is True
    assert all(n["currentQuantity"] == 0 for n in order["lineItems"]["nodes"])
    assert amounts(order) == {
        "total": "95.00",
        "current": "0.00",
        "received": "95.00",
        "refunded": "0.00",
        "net": "95.00",
        "outstanding": "-95.00",
        "status": "PAID",
    }
    assert _stock(shopify_sim) == {"GAME": 10, "EXPANSION": 10, "PIN": 10}


def test_cancel_with_a_refund_to_the_original_manual_gateway_moves_no_money_and_is_refunded(shopify_sim, shop):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants)

    data(
        shopify_sim,
        SHOP,
        token,
        ORDER_CANCEL,
        orderId=order_id,
        restock=True,
        reason="OTHER",
        refundMethod={"originalPaymentMethodsRefund": True},
    )

    order = data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)
    assert amounts(order)["refunded"] == "95.00" and amounts(order)["outstanding"] == "0.00"
    assert order["displayFinancialStatus"] == "REFUNDED"
    refund = order["transactions"][-1]
    assert (refund["kind"], refund["gateway"]) == ("REFUND", "BackerKit")


def test_cancel_restocks_what_the_order_took_from_stock(shopify_sim, shop):
    token, variants = shop
    options = {"inventoryBehaviour": "DECREMENT_IGNORING_POLICY"}
    order_id = push_order(shopify_sim, SHOP, token, variants, options=options)
    assert _stock(shopify_sim) == {"GAME": 8, "EXPANSION": 9, "PIN": 10}

    data(shopify_sim, SHOP, token, ORDER_CANCEL, orderId=order_id, restock=True, reason="INVENTORY")

    assert _stock(shopify_sim) == {"GAME": 10, "EXPANSION": 10, "PIN": 10}


def test_a_cancelled_order_cannot_be_cancelled_again(shopify_sim, shop):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants)
    data(shopify_sim, SHOP, token, ORDER_CANCEL, orderId=order_id, restock=False, reason="OTHER")

    again = data(shopify_sim, SHOP, token, ORDER_CANCEL, orderId=order_id, restock=False, reason="OTHER")

    assert again["job"] is None
    assert again["orderCancelUserErrors"] == [
        {"field": ["orderId"], "message": "Order has already been cancelled", "code": "INVALID"}
    ]


def test_an_order_with_fulfilled_units_cannot_be_cancelled(shopify_sim, shop, shopify_simulator):
    token, variants = shop
    order_id = push_order(shopify_sim, SHOP, token, variants)
    with shopify_simulator.state.lock:
        shopify_simulator.state.shops[SHOP].orders[0].line_items[0]["fulfilled_quantity"] = 2

    refused = data(shopify_sim, SHOP, token, ORDER_CANCEL, orderId=order_id, restock=True, reason="OTHER")

    assert refused["orderCancelUserErrors"][0]["code"] == "INVALID"
    assert data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)["cancelledAt"] is None


def test_an_unknown_order_is_not_found(shopify_sim, shop):
    token, _ = shop

    refused = data(
        shopify_sim, SHOP, token, ORDER_CANCEL, orderId="gid://shopify/Order/1", restock=True, reason="OTHER"
    )

    assert refused["orderCancelUserErrors"][0]["code"] == "NOT_FOUND"
