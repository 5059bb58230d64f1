"""A session token for shop A never reads or writes shop B's data, whatever the request names."""

import pytest

from shopapp.models import DataRequest
from tests.support.id_tokens import bearer
from tests.support.shops import connected_shop

SHOP_A = "store-a.myshopify.com"
SHOP_B = "store-b.myshopify.com"

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops(shopify_sim):
    a = connected_shop(shopify_sim, domain=SHOP_A)
    b = connected_shop(shopify_sim, domain=SHOP_B)
    return a, b


def test_the_shop_parameter_cannot_switch_to_another_shop(client, shops, shopify_simulator):
    response = client.get("/", {"shop": SHOP_B}, headers=bearer(SHOP_A))

    page = response.content.decode()
    assert response.status_code == 200
    assert SHOP_A in page and SHOP_B not in page
    assert response["Content-Security-Policy"] == (
        f"frame-ancestors https://{SHOP_A} https://admin.shopify.com {shopify_simulator.url};"
    )


def test_another_shops_data_request_is_not_found(client, shops):
    a, b = shops
    theirs = DataRequest.objects.create(shop=b, customer_email="b@example.com", export={"customer": "b"})
    ours = DataRequest.objects.create(shop=a, customer_email="a@example.com", export={"customer": "a"})

    assert client.get(f"/privacy/data-requests/{theirs.id}.json", headers=bearer(SHOP_A)).status_code == 404
    assert client.get(f"/privacy/data-requests/{ours.id}.json", headers=bearer(SHOP_A)).status_code == 200


def test_a_token_signed_for_a_with_b_as_destination_is_refused(client, shops, settings):
    # iss names shop A's admin, dest shop B: Shopify never issues that.
    response = client.get("/", headers=bearer(SHOP_A, overrides={"dest": f"https://{SHOP_B}"}))

    assert response.status_code == 401


def test_another_shops_home_lists_none_of_our_data_requests(client, shops):
    a, _ = shops
    DataRequest.objects.create(shop=a, customer_email="a@example.com", export={"customer": "a"})

    assert b"Customer data requests" not in client.get("/", headers=bearer(SHOP_B)).content
    assert b"Customer data requests" in client.get("/", headers=bearer(SHOP_A)).content
