"""402 and 423 are about the store, not the request: the client raises ``ShopifyShopUnavailable``
with its kind (mapped once, at the client), never ``ShopifyInvalid``. The simulator answers them
as Shopify does while a shop is frozen or locked, and stops once it is open again."""

import pytest

from integrations.orders.documents import SHOP_INFO
from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyInvalid, ShopifyShopUnavailable


@pytest.fixture
def client(shopify_sim):
    shopify_sim.create_shop(domain="closing-store.myshopify.com")
    token = shopify_sim.mint_token("closing-store.myshopify.com")["access_token"]
    return AdminClient(shop="closing-store.myshopify.com", access_token=token)


@pytest.mark.parametrize(("availability", "status"), [("frozen", 402), ("locked", 423)])
def test_a_closed_store_raises_shop_unavailable_with_its_kind(client, shopify_sim, availability, status):
    shopify_sim.set_availability(client.shop, availability)

    with pytest.raises(ShopifyShopUnavailable) as raised:
        client.execute(SHOP_INFO)

    assert not isinstance(raised.value, ShopifyInvalid)
    assert (raised.value.kind, raised.value.status) == (availability, status)
    assert f"the shop is {availability} ({status})" in raised.value.message


def test_the_store_answers_again_once_shopify_reopens_it(client, shopify_sim):
    shopify_sim.set_availability(client.shop, "frozen")
    with pytest.raises(ShopifyShopUnavailable):
        client.execute(SHOP_INFO)

    shopify_sim.set_availability(client.shop, "open")

    assert client.execute(SHOP_INFO).data["shop"]["myshopifyDomain"] == client.shop
    assert shopify_sim.state()["counters"]["shop_frozen"] == 1


def test_the_simulator_refuses_an_unknown_availability(client, shopify_sim):
    response = shopify_sim.http.post(f"/_simulator/shops/{client.shop}/availability", json={"availability": "asleep"})
    assert response.status_code == 400
