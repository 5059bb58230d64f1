"""The Success reps' console in Chromium: a rep logs in, switches transaction data off for a store
with a reason, sees the change in the audit log; the merchant sees "changed by BackerKit support";
the next order pushed to Shopify is marked Paid without the "Total Paid by Backer" amount."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from integrations.orders.models import PushRecord
from integrations.orders.services.lanes import run_lane
from shopapp.models import SettingChange
from tests.support.browser_pages import navigate, open_in_admin, report_vitals, screenshot
from tests.support.campaign_files import fixture_order
from tests.support.push_records import connection

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple-42"


def test_a_rep_switches_transaction_data_off_and_the_next_order_is_paid_without_it(
    desktop, chromium, admin_app, sim_shop, live_server, settings
):
    settings.STAFF_REQUIRE_TOTP = False  # a rep without an authenticator app logs in with the password
    get_user_model().objects.create_user(username="rep", email="rep@backerkit.com", password=PASSWORD, is_staff=True)
    order = fixture_order("partially_paid")  # Shopify's prices are above what the backer paid
    PushRecord.objects.create(
        shop=sim_shop,
        connection=connection(sim_shop),
        backerkit_order_id=order["id"],
        backer_id=order["backer_id"],
        order_data=order,
        amount_paid=order["amount_paid"],
        currency="USD",
    )

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/")
    page.get_by_label("Username").fill("rep")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    with page.expect_navigation():
        page.get_by_role("link", name=sim_shop.domain).click()
    expect(page.get_by_test_id("staff-td-state")).to_have_text("on")

    # A change without a reason is refused next to the field.
    page.get_by_label("Off: always Paid").check()
    with page.expect_navigation():
        page.get_by_test_id("save-transaction-data").click()
    expect(page.get_by_test_id("reason-error")).to_have_text("Give a reason: it is kept in the audit log.")
    assert SettingChange.objects.count() == 0

    page.get_by_label("Off: always Paid").check()
    page.get_by_label("Reason for the change").fill("Creator's Shopify prices are above the campaign's")
    with page.expect_navigation():
        page.get_by_test_id("save-transaction-data").click()
    expect(page.get_by_test_id("staff-td-state")).to_have_text("off")
    log = page.get_by_test_id("audit-log")
    expect(log).to_contain_text("rep@backerkit.com")
    expect(log).to_contain_text("on → off")
    expect(log).to_contain_text("Creator's Shopify prices are above the campaign's")
    screenshot(page, "staff-store-audit-log", docs=True)
    change = SettingChange.objects.get()
    assert (change.setting, change.old_value, change.new_value, change.changed_by) == (
        "include_transaction_data",
        "on",
        "off",
        "rep@backerkit.com",
    )
    context.close()

    # The merchant sees who changed it (BackerKit support) and when, not the rep's address.
    frame = open_in_admin(desktop, admin_app, sim_shop.domain, "settings/")
    expect(frame.get_by_test_id("transaction-data-state")).to_have_text("Off")
    expect(frame.get_by_test_id("transaction-data-changed")).to_have_text(
        f"Changed by BackerKit support on {change.changed_at:%b} {change.changed_at.day}, {change.changed_at:%Y}."
    )
    assert "rep@backerkit.com" not in frame.content()
    report_vitals("settings-after-support-change", frame)

    # The next push: Paid, no transaction, no "Total Paid by Backer".
    run_lane(shop_id=sim_shop.id, budget_seconds=None)
    pushed = admin_app.orders(sim_shop.domain)
    assert len(pushed) == 1
    assert pushed[0]["display_financial_status"] == "PAID"
    assert pushed[0]["transactions"] == []
    assert all(a["key"] != "Total Paid by Backer" for a in pushed[0]["custom_attributes"])
    assert PushRecord.objects.get().financial_status == "PAID"

    navigate(frame, lambda: frame.get_by_role("link", name="Orders", exact=True).click())
    expect(frame.get_by_test_id("orders-table")).to_contain_text("Paid")
