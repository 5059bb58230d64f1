"""Each page answers the merchant's next question (issue 18), in headless Chromium at desktop size
and on an emulated phone (is_mobile, touch, 3x pixels): which item made an order Partially paid,
why orders need attention grouped by cause, what a needs-attention order lacks and what to do,
whether a push is running, what a refused save means; and outside the admin's frame, a page in the
app's look with the way back. On every page no control is covered (elementFromPoint)."""

import re

import pytest
from playwright.sync_api import expect

from integrations.orders.models import PushRecord
from integrations.shops.models import Shop
from tests.support.browser_pages import (
    navigate,
    no_control_covered,
    no_horizontal_scroll,
    open_in_admin,
    report_vitals,
    screenshot,
    wait_until,
)
from tests.support.campaign_files import fixture_order
from tests.support.id_tokens import id_token
from tests.support.push_records import connection, record

pytestmark = pytest.mark.browser

State = PushRecord.State


@pytest.fixture(params=["desktop", "phone"])
def device(request):
    return request.param, request.getfixturevalue(request.param)


def _waiting_campaign(shop):
    """Waiting orders: six Paid, three with EXP-FROST (Shopify 30.00, campaign 25.00), one with a
    SKU Shopify lacks, one with a region Shopify does not know."""
    conn = connection(shop)
    orders = [fixture_order("paid", id=f"bk-paid-{n}") for n in range(6)]
    orders += [fixture_order("partially_paid", id=f"bk-partial-{n}") for n in range(3)]
    orders += [fixture_order("unknown_sku"), fixture_order("unresolvable_region")]
    for order in orders:
        record(shop, conn, order["id"], State.PENDING, order_data=order)
    Shop.objects.filter(id=shop.id).update(auto_push=False, setup_guide_dismissed=True)
    return conn


def test_the_preview_groups_reasons_by_cause_and_every_order_is_reachable(device, admin_app, sim_shop):
    name, page = device
    _waiting_campaign(sim_shop)

    frame = open_in_admin(page, admin_app, sim_shop.domain, "preview/")

    groups = frame.get_by_test_id("reason-group")
    price = groups.filter(has_text="SKU EXP-FROST: Shopify 30.00 USD, campaign 25.00 USD")
    expect(price).to_contain_text("3 orders Partially paid, 5.00 USD outstanding per item")
    expect(groups.filter(has_text="SKU POSTER-PROMO is not in your Shopify store")).to_contain_text(
        "Add SKU POSTER-PROMO to a product in Shopify"
    )
    expect(groups.filter(has_text="Narnia")).to_contain_text("Correct the backer's address in BackerKit")
    expect(frame.get_by_test_id("preview-attention")).to_have_text("2")
    expect(frame.get_by_test_id("fulfilment")).to_contain_text("ShipStation requires Paid")
    expect(frame.get_by_test_id("outstanding-explained")).to_contain_text("not money the backer owes")
    price.locator("summary").click()
    for n in range(3):
        expect(price.get_by_role("link", name=f"bk-partial-{n}")).to_be_visible()
    no_horizontal_scroll(frame)
    no_control_covered(frame)
    report_vitals(f"{name}-preview-groups", frame, interacted=True)
    screenshot(page, f"{name}-preview-reasons", docs=True)

    # From its group to the order: the backer's items, what is missing, what to do.
    unknown = groups.filter(has_text="SKU POSTER-PROMO is not in your Shopify store")
    unknown.locator("summary").click()
    navigate(frame, lambda: unknown.get_by_role("link", name="bk-unknown-sku").click())
    expect(frame.get_by_test_id("backer-items")).to_contain_text("POSTER-PROMO")

    # Pushed, it needs attention: the page says what is missing and what to do.
    unknown_record = PushRecord.objects.get(shop=sim_shop, backerkit_order_id="bk-unknown-sku")
    PushRecord.objects.filter(id=unknown_record.id).update(
        state=State.NEEDS_ATTENTION, last_error="SKU POSTER-PROMO is not in your Shopify store."
    )
    frame = open_in_admin(page, admin_app, sim_shop.domain, f"orders/{unknown_record.id}/")
    expect(frame.get_by_test_id("missing-item")).to_contain_text("Missing: add this SKU")
    expect(frame.get_by_test_id("what-to-do")).to_contain_text(
        "Add SKU POSTER-PROMO to a product in Shopify, then press Retry."
    )
    no_control_covered(frame)
    screenshot(page, f"{name}-order-needs-attention-items", docs=name == "desktop")


def test_a_partially_paid_order_shows_which_item_caused_the_gap(device, admin_app, sim_shop, push_worker):
    name, page = device
    _waiting_campaign(sim_shop)

    frame = open_in_admin(page, admin_app, sim_shop.domain, "preview/")
    navigate(frame, lambda: frame.get_by_test_id("push-button").click())
    wait_until(
        lambda: not PushRecord.objects.filter(shop=sim_shop, state__in=["pending", "pushing"]).exists(),
        timeout=90,
        what="the push to finish",
    )
    partial = PushRecord.objects.get(shop=sim_shop, backerkit_order_id="bk-partial-0")
    assert partial.variant_prices == {"GAME-CORE": "60.00", "EXP-FROST": "30.00"}  # recorded at push time

    # The catalogue changes afterwards: the page still shows the prices the order was sent at.
    frame = open_in_admin(page, admin_app, sim_shop.domain, f"orders/{partial.id}/")
    gap = frame.get_by_test_id("gap-line")
    expect(gap).to_have_count(1)
    expect(gap).to_contain_text("EXP-FROST")
    expect(gap).to_contain_text("25.00 USD")
    expect(gap).to_contain_text("30.00 USD")
    expect(gap).to_contain_text("+5.00 USD")
    expect(frame.get_by_test_id("gap-explained")).to_contain_text("The backer owes nothing")
    expect(frame.locator("main")).to_contain_text("Don't change inventory")
    no_horizontal_scroll(frame)
    no_control_covered(frame)
    screenshot(page, f"{name}-order-price-gap", docs=True)


def test_home_shows_waiting_orders_not_a_progress_bar_until_push_is_pressed(device, admin_app, sim_shop):
    name, page = device
    _waiting_campaign(sim_shop)

    frame = open_in_admin(page, admin_app, sim_shop.domain, "")

    expect(frame.get_by_test_id("waiting")).to_contain_text("11 orders waiting")
    expect(frame.get_by_test_id("progress")).to_have_count(0)
    expect(frame.get_by_test_id("app-bridge-missing")).to_be_hidden()  # the simulated admin gives tokens
    no_control_covered(frame)
    screenshot(page, f"{name}-home-waiting", docs=name == "desktop")
    navigate(frame, lambda: frame.get_by_test_id("waiting").get_by_role("link", name="Preview and push").click())
    expect(frame.get_by_test_id("preview-summary")).to_be_visible()

    # Push shows it is busy at once (the answer is held back here, so the busy state can be seen).
    frame.evaluate("() => window.addEventListener('submit', (event) => event.preventDefault())")
    frame.get_by_test_id("push-button").click()
    expect(frame.get_by_test_id("push-button")).to_have_attribute("aria-busy", "true")
    expect(frame.get_by_test_id("push-button")).to_have_text("Starting the push…")


def test_a_refused_save_keeps_the_save_bar_says_what_is_accepted_and_leaving_warns(device, admin_app, sim_shop):
    name, page = device
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.type))

    frame = open_in_admin(page, admin_app, sim_shop.domain, "settings/")
    # A value the form does not offer (as a stale or tampered form would send).
    frame.evaluate(
        """() => { const radio = document.querySelector("input[name=tax_mode]");
          radio.value = "bogus"; radio.checked = true;
          radio.dispatchEvent(new Event("change", {bubbles: true})); }"""
    )
    expect(frame.get_by_test_id("save-bar")).to_be_visible()
    navigate(frame, lambda: frame.get_by_test_id("save-bar").get_by_role("button", name="Save").click())

    expect(frame.locator(".Field-error").first).to_contain_text(
        "Choose one of: “All taxes as one line item” or “Shopify tax lines”."
    )
    expect(frame.get_by_test_id("save-bar")).to_be_visible()  # nothing was saved
    no_control_covered(frame)
    screenshot(page, f"{name}-settings-refused-save")

    frame.get_by_label("Email an order confirmation to the backer").check()
    navigate(frame, lambda: frame.get_by_role("link", name="Orders", exact=True).first.click())
    assert "beforeunload" in dialogs
    assert Shop.objects.get(id=sim_shop.id).send_receipt is False


def test_on_a_phone_an_order_is_one_compact_row_that_opens_it(phone, admin_app, sim_shop):
    conn = connection(sim_shop)
    for n in range(20):
        record(sim_shop, conn, f"bk-{n:04d}", State.PUSHED, financial_status="PAID", shopify_order_name=f"#{1001 + n}")

    frame = open_in_admin(phone, admin_app, sim_shop.domain, "orders/")

    row = frame.get_by_test_id("orders-table").locator("tbody tr").first
    assert row.bounding_box()["height"] < 80, row.bounding_box()
    expect(row.locator(".Badge >> visible=true")).to_have_text(["Paid"])  # one badge: the payment
    no_control_covered(frame)
    screenshot(phone, "phone-orders-compact", docs=True)
    # Anywhere on the row is its link: what is at the backer cell's centre is the order's link.
    hit = row.locator("td[data-label='Backer ID']").evaluate(
        """(cell) => { const box = cell.getBoundingClientRect();
          const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
          return hit && hit.closest("a") ? hit.closest("a").textContent : null; }"""
    )
    assert hit == row.locator("a").first.text_content()
    navigate(frame, lambda: row.locator("a").first.tap())
    expect(frame.locator("h1")).to_have_text(re.compile(r"^Order bk-\d{4}$"))


@pytest.mark.parametrize("path", ["", "orders/", "preview/", "connection/", "settings/"])
def test_no_control_is_covered_on_a_phone(phone, admin_app, sim_shop, path):
    _waiting_campaign(sim_shop)

    frame = open_in_admin(phone, admin_app, sim_shop.domain, path)

    expect(frame.get_by_test_id("app-bridge-missing")).to_be_hidden()
    no_horizontal_scroll(frame)
    no_control_covered(frame)


def test_outside_the_admin_the_pages_say_what_happened_in_the_apps_look(device, live_server, sim_shop, settings):
    name, page = device
    settings.SHOPIFY_ADMIN_URL_TEMPLATE = "https://admin.shopify.com/store/{store}/apps/{api_key}"

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Your Shopify session could not be verified")).to_be_visible()
    font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "Times" not in font, font
    screenshot(page, f"{name}-outside-the-admin")

    page.goto(f"{live_server.url}/orders/?shop={sim_shop.domain}")
    link = page.get_by_test_id("open-in-admin")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", re.compile(r"^https://admin\.shopify\.com/store/browser-store/apps/"))

    # A valid token but no admin around: the page works; the App Bridge notice is in the flow,
    # covers nothing, and closes.
    page.goto(f"{live_server.url}/orders/?shop={sim_shop.domain}&id_token={id_token(sim_shop.domain)}")
    notice = page.get_by_test_id("app-bridge-missing")
    expect(notice).to_be_visible()
    assert page.evaluate("() => getComputedStyle(document.getElementById('app-bridge-missing')).position") == "static"
    no_control_covered(page.main_frame)
    notice.get_by_role("button", name="Close this message").click()
    expect(notice).to_be_hidden()
