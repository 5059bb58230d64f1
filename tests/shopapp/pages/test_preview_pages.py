"""The preview reads the waiting orders already pulled, one page at a time: a request maps at most
one page of orders, whatever the campaign's size. (Before: up to 1,000 orders in one request.)"""

import re

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from integrations.orders.models import PushRecord
from integrations.orders.services.preview import PREVIEW_PAGE_SIZE
from integrations.shops.models import Shop
from tests.support.admin_session import AdminSession
from tests.support.campaign_files import CATALOG, fixture_order
from tests.support.push_records import State, connection
from tests.support.shops import connected_shop

WAITING = 2 * PREVIEW_PAGE_SIZE + 20


@pytest.fixture
def admin(client, db, shopify_sim):
    shop = connected_shop(shopify_sim, domain="preview-pages.myshopify.com")
    shopify_sim.seed_products(shop.domain, CATALOG)
    conn = connection(shop)
    for n in range(WAITING):
        order = fixture_order("paid", id=f"bk-{n:04d}", backer_id=f"90{n:04d}")
        PushRecord.objects.create(
            shop=shop, connection=conn, backerkit_order_id=order["id"], backer_id=order["backer_id"],
            order_data=order, state=State.PENDING,
        )  # fmt: skip
    return AdminSession(client, shop)


def _order_ids(response) -> list[str]:
    return [line.order_id for line, _ in response.context["rows"]]


def test_each_request_maps_one_page_and_the_pages_cover_every_waiting_order(admin):
    with CaptureQueriesContext(db_connection) as queries:
        first = admin.get("pages:preview")

    # The only read of the orders' data is one page of them.
    reads = [q["sql"] for q in queries if '"order_data"' in q["sql"]]
    assert len(reads) == 1 and f"LIMIT {PREVIEW_PAGE_SIZE}" in reads[0]
    assert len(_order_ids(first)) == PREVIEW_PAGE_SIZE and first.context["paid"] == PREVIEW_PAGE_SIZE
    page = first.content.decode()
    assert f"Push {WAITING} orders" in page  # the push sends every waiting order, not one page
    assert f"Orders 1–{PREVIEW_PAGE_SIZE} of {WAITING}" in page and 'rel="next"' in page

    second, third = admin.get("pages:preview", page="2"), admin.get("pages:preview", page="3")

    assert len(_order_ids(third)) == 20 and 'rel="next"' not in third.content.decode()
    seen = _order_ids(first) + _order_ids(second) + _order_ids(third)
    assert sorted(seen) == [f"bk-{n:04d}" for n in range(WAITING)]  # each once, none left out


def test_a_page_number_out_of_range_or_unreadable_shows_a_page_that_exists(admin):
    assert admin.get("pages:preview", page="99").context["page"].number == 3
    assert admin.get("pages:preview", page="abc").context["page"].number == 1
    assert admin.get("pages:preview", page="-2").context["page"].number == 1


def test_an_order_the_mapping_cannot_take_is_one_line_with_an_error_id_not_a_broken_page(admin):
    # A setting the mapping refuses (ValueError) fails each order's preview, never the page.
    Shop.objects.filter(id=admin.shop.id).update(tax_mode="not-a-tax-mode")

    response = admin.get("pages:preview")

    assert response.status_code == 200
    lines = [line for line, _ in response.context["rows"]]
    assert len(lines) == PREVIEW_PAGE_SIZE and {line.outcome for line in lines} == {"needs_attention"}
    assert re.fullmatch(r"This order could not be previewed \(error [0-9a-f]{8}\)\.", lines[0].reasons[0])
