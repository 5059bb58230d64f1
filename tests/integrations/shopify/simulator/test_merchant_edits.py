"""The merchant edits a pushed order in the admin (control API and the inspection page's form)."""

import httpx
import pytest

from tests.support.after_push_documents import READ_ORDER, data, open_shop, push_order
from tests.support.simulator_orders import SHOP


@pytest.fixture
def pushed(shopify_sim):
    token, variants = open_shop(shopify_sim, SHOP)
    return token, push_order(shopify_sim, SHOP, token, variants)


def test_a_merchant_edit_changes_the_order_and_is_told_apart_from_the_apps(shopify_sim, pushed):
    token, order_id = pushed

    edited = shopify_sim.merchant_edit(
        SHOP,
        order_id,
        email="ada@elsewhere.example",
        tags=["backer-1", "vip"],
        shippingAddress={"address1": "9 Mine St"},
    )

    order = data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)
    assert order["email"] == "ada@elsewhere.example" and order["tags"] == ["backer-1", "vip"]
    assert order["shippingAddress"]["address1"] == "9 Mine St"
    assert order["updatedAt"] == edited["updated_at"]
    assert edited["events"][-1]["actor"] == "merchant"


def test_a_merchant_edit_shopify_would_refuse_is_a_400_with_the_user_errors(shopify_sim, pushed):
    _, order_id = pushed

    with pytest.raises(httpx.HTTPStatusError) as refused:
        shopify_sim.merchant_edit(SHOP, order_id, email="nope")

    assert refused.value.response.status_code == 400
    assert refused.value.response.json()["user_errors"] == [{"field": ["email"], "message": "Email is invalid"}]


def test_the_inspection_page_links_each_order_to_a_form_that_edits_it_as_the_merchant(shopify_sim, pushed):
    _, order_id = pushed
    number = order_id.rsplit("/", 1)[1]
    assert f"/_simulator/shops/{SHOP}/orders/{number}/edit" in shopify_sim.http.get("/").text
    assert "Edit as the merchant" in shopify_sim.http.get(f"/_simulator/shops/{SHOP}/orders/{number}/edit").text

    answer = shopify_sim.http.post(
        f"/_simulator/shops/{SHOP}/orders/{number}/merchant_edit",
        data={"email": "form@example.com", "tags": "a, b", "shippingAddress.city": "Salem"},
    )

    assert answer.status_code == 302
    [stored] = shopify_sim.orders(SHOP)
    assert stored["email"] == "form@example.com" and stored["tags"] == ["a", "b"]
    assert stored["shipping_address"]["city"] == "Salem" and stored["shipping_address"]["address1"] == "1 Old Road"
