"""Preview before pushing: a dry run against the store's real products (the Shopify simulator)."""

import pytest

from integrations.orders.models import PushRecord
from tests.support.admin_session import AdminSession
from tests.support.campaign_files import CATALOG, fixture_order
from tests.support.push_records import State, connection
from tests.support.shops import connected_shop


@pytest.fixture
def sim_shop(db, shopify_sim):
    shop_row = connected_shop(shopify_sim, domain="preview-store.myshopify.com")
    shopify_sim.seed_products(shop_row.domain, CATALOG)
    return shop_row


def _waiting(shop_row, *cases):
    conn = connection(shop_row)
    for case in cases:
        order = fixture_order(case)
        PushRecord.objects.create(
            shop=shop_row,
            connection=conn,
            backerkit_order_id=order["id"],
            backer_id=order["backer_id"],
            order_data=order,
            state=State.PENDING,
        )


def test_the_preview_says_what_each_waiting_order_becomes_and_why(client, sim_shop, shopify_sim):
    _waiting(sim_shop, "paid", "partially_paid", "unknown_sku", "unresolvable_region")

    response = AdminSession(client, sim_shop).get("pages:preview")

    assert (response.context["paid"], response.context["partially_paid"], response.context["attention"]) == (1, 1, 2)
    page = response.content.decode()
    assert "is not in your Shopify store" in page
    assert "stays outstanding" in page
    assert "Push 4 orders" in page
    assert shopify_sim.orders(sim_shop.domain) == []  # a dry run: nothing created


def test_with_transaction_data_off_every_order_would_be_paid(client, sim_shop):
    sim_shop.include_transaction_data = False
    sim_shop.save()
    _waiting(sim_shop, "paid", "partially_paid")

    response = AdminSession(client, sim_shop).get("pages:preview")

    assert response.context["paid"] == 2 and "every order is marked Paid" in response.content.decode()


def test_nothing_waiting_says_so_and_points_to_the_connection(client, sim_shop):
    page = AdminSession(client, sim_shop).get("pages:preview").content.decode()

    assert "No order is waiting to be pushed" in page
