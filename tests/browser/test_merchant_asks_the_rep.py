"""The way out for Partially paid orders, in Chromium at desktop size and on an emulated phone:
the merchant sends the prefilled request from Home, the Success rep's console shows it; and the
rep's "Show customer data" is a formatted address, not a Python dict."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from integrations.orders.models import PushRecord
from shopapp.models import TransactionDataRequest
from tests.support.browser_pages import navigate, new_page, no_control_covered, open_in_admin, screenshot
from tests.support.campaign_files import fixture_order
from tests.support.push_records import connection, record

pytestmark = pytest.mark.browser

State = PushRecord.State


def _rep_page(chromium, live_server, viewport: dict):
    """A page logged in to the staff console as a rep (the session cookie of a forced login)."""
    rep = get_user_model().objects.create_user(username="rep", email="rep@backerkit.com", password="x", is_staff=True)
    client = Client()
    client.force_login(rep)
    page = new_page(chromium, viewport)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_the_merchant_asks_for_transaction_data_off_and_the_rep_sees_it_and_the_address(
    chromium, admin_app, sim_shop, live_server, viewport, settings
):
    settings.STAFF_REQUIRE_TOTP = False  # this rep has no authenticator enrolled (test_staff_console.py)
    name = "desktop" if viewport["width"] > 500 else "phone"
    conn = connection(sim_shop)
    order = fixture_order("partially_paid")
    rec = record(sim_shop, conn, order["id"], State.PUSHED, order_data=order, financial_status="PARTIALLY_PAID")
    merchant = new_page(chromium, viewport)
    try:
        frame = open_in_admin(merchant, admin_app, sim_shop.domain, "")
        card = frame.get_by_test_id("fulfilment")
        expect(card).to_contain_text("1 order Partially paid: check your fulfilment service")
        card.locator("summary").click()
        expect(frame.get_by_label("Message to your Success rep")).to_have_value(
            f"Please turn transaction data off for {sim_shop.domain}. Our fulfilment service imports Paid orders "
            "only, and 1 of our BackerKit orders are or would be Partially paid in Shopify."
        )
        no_control_covered(frame)
        screenshot(merchant, f"{name}-home-partially-paid", docs=name == "desktop")
        navigate(frame, lambda: frame.get_by_test_id("transaction-request-send").click())
        expect(frame.get_by_test_id("transaction-request-sent")).to_be_visible()
    finally:
        merchant.context.close()
    assert TransactionDataRequest.objects.filter(shop=sim_shop, closed_at__isnull=True).count() == 1

    rep = _rep_page(chromium, live_server, viewport)
    try:
        rep.goto(f"{live_server.url}/staff/stores/{sim_shop.id}/")
        expect(rep.get_by_test_id("staff-transaction-requests")).to_contain_text("Our fulfilment service imports Paid")
        no_control_covered(rep.main_frame)
        rep.goto(f"{live_server.url}/staff/stores/{sim_shop.id}/orders/{rec.id}/")
        with rep.expect_navigation():
            rep.get_by_role("button", name="Show customer data").click()
        address = rep.get_by_test_id("customer-address")
        expect(address).to_have_text("12 Main StreetApt 490210 Springfield CAUS")  # lines, as on a parcel
        assert "'company'" not in rep.content()
        no_control_covered(rep.main_frame)
    finally:
        rep.context.close()
