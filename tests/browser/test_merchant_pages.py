"""The merchant's pages in headless Chromium, opened as the Shopify admin opens them (the
simulator's admin frames the app with an id token; every later click gets a fresh one by
postMessage): connect BackerKit, preview, settings with the save bar, push with its progress,
an order's detail, retry, and Reconnect; on desktop and phone widths, with screenshots and Web
Vitals printed."""

import re

import pytest
from playwright.sync_api import expect

from integrations.orders.models import PushRecord
from integrations.shops.models import Shop
from shopapp.models import SettingChange
from tests.support.browser_pages import (
    app_frame,
    navigate,
    no_horizontal_scroll,
    open_in_admin,
    report_vitals,
    screenshot,
    wait_until,
)
from tests.support.campaign_files import fixture_order
from tests.support.push_records import attempt, connection, record

pytestmark = pytest.mark.browser

State = PushRecord.State
API_KEY = "bk_live_browser_0123456789"


def campaign() -> list[dict]:
    """Twelve locked orders: nine Paid, one Partially paid, one unknown SKU, one unknown region."""
    orders = [fixture_order("paid", id=f"bk-paid-{n}", backer_id=f"50{n:02d}") for n in range(9)]
    return orders + [fixture_order(c) for c in ("partially_paid", "unknown_sku", "unresolvable_region")]


def test_connect_preview_configure_push_inspect_and_retry_on_desktop(
    desktop, admin_app, sim_shop, backerkit_sim, push_worker
):
    backerkit_sim.state.add_project(id="skyforge", api_key=API_KEY, name="Skyforge", currency="USD")
    backerkit_sim.state.add_orders("skyforge", campaign())
    Shop.objects.filter(id=sim_shop.id).update(auto_push=False)

    # Home: a new store sees the setup guide, step one first.
    frame = open_in_admin(desktop, admin_app, sim_shop.domain, "")
    expect(frame.get_by_test_id("setup-guide")).to_be_visible()
    report_vitals("home", frame)
    screenshot(desktop, "desktop-home-setup-guide", docs=True)

    # Connection: a wrong key is refused next to its field, then the right one connects.
    navigate(frame, lambda: frame.get_by_role("link", name="Connect BackerKit").click())
    expect(frame.get_by_test_id("connection-form")).to_be_visible()
    frame.get_by_label("Connected store name").fill("Skyforge Store")
    frame.get_by_label("BackerKit project ID").fill("skyforge")
    frame.get_by_label("BackerKit API key").fill("bk_live_wrong")
    navigate(frame, lambda: frame.get_by_role("button", name="Connect and fetch orders").click())
    expect(frame.locator(".Field-error")).to_have_text("BackerKit refused this API key. Copy it again from BackerKit.")
    screenshot(desktop, "desktop-connection-inline-error")
    frame.get_by_label("BackerKit API key").fill(API_KEY)
    navigate(frame, lambda: frame.get_by_role("button", name="Connect and fetch orders").click())

    # Preview: the summary first, then order by order; nothing sent yet.
    expect(frame.get_by_test_id("preview-summary")).to_be_visible()
    expect(frame.get_by_test_id("preview-paid")).to_have_text("9")
    expect(frame.get_by_test_id("preview-partial")).to_have_text("1")
    expect(frame.get_by_test_id("preview-attention")).to_have_text("2")
    expect(frame.get_by_text("SKU POSTER-PROMO is not in your Shopify store.").first).to_be_visible()
    assert admin_app.orders(sim_shop.domain) == []
    report_vitals("preview", frame)
    screenshot(desktop, "desktop-preview", docs=True)

    # Settings: a change shows the save bar; Save keeps it; transaction data is explained.
    navigate(frame, lambda: frame.get_by_role("link", name="Settings", exact=True).click())
    expect(frame.get_by_test_id("transaction-data")).to_contain_text("Only your BackerKit Success rep")
    expect(frame.get_by_test_id("save-bar")).to_be_hidden()
    frame.get_by_label("Email an order confirmation to the backer").check()
    expect(frame.get_by_test_id("save-bar")).to_be_visible()
    screenshot(desktop, "desktop-settings-save-bar", docs=True)
    frame.get_by_test_id("save-bar").get_by_role("button", name="Discard").click()
    expect(frame.get_by_test_id("save-bar")).to_be_hidden()
    assert not frame.get_by_label("Email an order confirmation to the backer").is_checked()
    frame.get_by_label("Push new orders automatically").check()
    report_vitals("settings", frame, interacted=True)
    navigate(frame, lambda: frame.get_by_test_id("save-bar").get_by_role("button", name="Save").click())
    expect(frame.locator("#toast")).to_have_text("Settings saved")
    assert Shop.objects.get(id=sim_shop.id).auto_push is True

    # Push from the preview; the orders page follows the progress with an ETA.
    admin_app.configure(latency_ms=350)
    navigate(frame, lambda: frame.get_by_role("link", name="Preview", exact=True).click())
    navigate(frame, lambda: frame.get_by_test_id("push-button").click())
    expect(frame.get_by_test_id("progress")).to_be_visible()
    expect(frame.get_by_test_id("eta")).to_have_text(re.compile(r"left|finished"), timeout=10_000)
    screenshot(desktop, "desktop-orders-progress", docs=True)
    wait_until(
        lambda: not PushRecord.objects.filter(shop=sim_shop, state__in=["pending", "pushing"]).exists(),
        timeout=60,
        what="the push to finish",
    )
    admin_app.configure(latency_ms=0)
    expect(frame.get_by_test_id("eta")).to_have_text("Push finished", timeout=10_000)

    navigate(frame, lambda: frame.get_by_role("link", name="Orders", exact=True).click())
    expect(frame.get_by_test_id("orders-table")).to_be_visible()
    screenshot(desktop, "desktop-orders", docs=True)
    search = frame.get_by_label("Search by backer ID, BackerKit order ID or Shopify order name")
    search.click()
    search.press_sequentially("5003")
    frame.get_by_label("Payment status").select_option("PAID")
    report_vitals("orders", frame, interacted=True)
    assert len(admin_app.orders(sim_shop.domain)) == 10

    # Filter, open the order that needs attention, see why; add the product; retry it.
    navigate(frame, lambda: frame.get_by_role("link", name="Needs attention").click())
    navigate(frame, lambda: frame.get_by_role("link", name="bk-unknown-sku").click())
    expect(frame.get_by_test_id("order-problem")).to_contain_text("SKU POSTER-PROMO is not in your Shopify store.")
    expect(frame.get_by_test_id("back")).to_be_visible()
    screenshot(desktop, "desktop-order-needs-attention", docs=True)
    admin_app.seed_products(sim_shop.domain, [{"sku": "POSTER-PROMO", "price": "0.00", "title": "Promo poster"}])
    navigate(frame, lambda: frame.get_by_test_id("retry-one").click())
    # The outcome when the worker was already done, "queued" only while it is (shopapp wording.retry_outcome).
    expect(frame.locator("#toast")).to_have_text(re.compile(r"^1 order (queued to push again|pushed)$"))
    wait_until(
        lambda: PushRecord.objects.get(backerkit_order_id="bk-unknown-sku").state == State.PUSHED,
        timeout=30,
        what="the retried order to be pushed",
    )
    navigate(frame, lambda: frame.get_by_test_id("back").click())
    navigate(frame, lambda: frame.get_by_role("link", name="bk-unknown-sku").click())
    expect(frame.get_by_test_id("order-result")).to_contain_text("Created as #")
    expect(frame.get_by_test_id("shopify-order-link")).to_have_attribute(
        "href", re.compile(rf"^https://{re.escape(sim_shop.domain)}/admin/orders/\d+$")
    )
    expect(frame.get_by_test_id("attempts")).to_contain_text("Created in Shopify")
    frame.get_by_text("Exactly what was sent").click()
    expect(frame.get_by_test_id("sent-json")).to_contain_text('"sourceIdentifier": "bk-unknown-sku"')
    report_vitals("order-detail", frame, interacted=True)
    screenshot(desktop, "desktop-order-pushed", docs=True)


def test_reconnect_brings_a_disconnected_store_back(desktop, admin_app, sim_shop, settings):
    settings.SHOPIFY_ADMIN_URL_TEMPLATE = f"{admin_app.url}/{{shop}}/admin/apps/{{api_key}}"
    conn = connection(sim_shop)
    record(sim_shop, conn, "bk-waiting", State.PAUSED)
    Shop.objects.filter(id=sim_shop.id).update(
        status=Shop.Status.DISCONNECTED,
        disconnect_cause=Shop.DisconnectCause.SCOPES_REDUCED,
        disconnected_reason="The app's access to orders was removed.",
    )

    frame = open_in_admin(desktop, admin_app, sim_shop.domain, "")
    expect(frame.get_by_test_id("reconnect-banner")).to_contain_text("no order is lost")
    screenshot(desktop, "desktop-home-reconnect", docs=True)
    frame.get_by_test_id("reconnect").click()

    wait_until(
        lambda: Shop.objects.get(id=sim_shop.id).status == Shop.Status.CONNECTED,
        timeout=20,
        what="the store to be connected again",
    )
    frame = app_frame(desktop)  # back in the admin, on the app's home
    expect(frame.locator("main")).to_be_visible()
    assert frame.get_by_test_id("reconnect-banner").count() == 0


@pytest.fixture
def busy_shop(sim_shop):
    """A store in the middle of its campaign: every state, with what was sent and the attempts."""
    conn = connection(sim_shop, api_key=API_KEY)
    sent = {
        "order": {
            "lineItems": [
                {
                    "variantId": "gid://shopify/ProductVariant/1",
                    "sku": "GAME-CORE",
                    "quantity": 1,
                    "title": "Skyforge: Core Game",
                }
            ],
            "transactions": [
                {"gateway": "BackerKit", "amountSet": {"shopMoney": {"amount": "90.44", "currencyCode": "USD"}}}
            ],
            "tags": ["482913", "Skyforge Store", "ch_3MmlLrLkdIwHu7ix0snN0B15"],
            "customAttributes": [{"key": "Total Paid by Backer", "value": "90.44 USD"}],
            "shippingAddress": {"countryCode": "US", "provinceCode": "CA"},
        },
        "options": {"inventoryBehaviour": "BYPASS"},
    }
    for n in range(30):
        attempt(
            record(
                sim_shop,
                conn,
                f"bk-{n:04d}",
                State.PUSHED,
                sent_input=sent,
                shopify_order_name=f"#{1001 + n}",
                financial_status="PARTIALLY_PAID" if n % 5 == 0 else "PAID",
            )
        )
    problem = record(
        sim_shop,
        conn,
        "bk-attention-with-a-long-order-id-0001",
        State.NEEDS_ATTENTION,
        last_error="SKU EXP-FROST is not in your Shopify store.\nThe region Narnia is not a US state.",
    )
    attempt(problem, "needs_attention", problem.last_error)
    record(sim_shop, conn, "bk-failed", State.FAILED, last_error="Shopify refused the order: Email is invalid")
    for n in range(4):
        record(sim_shop, conn, f"bk-wait-{n}", State.PENDING, order_data=fixture_order("paid", id=f"bk-wait-{n}"))
    SettingChange.objects.create(
        shop=sim_shop,
        setting="include_transaction_data",
        old_value="on",
        new_value="on",
        reason="checked",
        changed_by="rep@backerkit.com",
    )
    return sim_shop, problem


@pytest.mark.parametrize("path", ["", "orders/", "preview/", "connection/", "settings/", "ORDER"])
def test_every_page_fits_a_phone_without_horizontal_scroll(phone, admin_app, busy_shop, path):
    shop, problem = busy_shop
    path = f"orders/{problem.id}/" if path == "ORDER" else path

    frame = open_in_admin(phone, admin_app, shop.domain, path)

    no_horizontal_scroll(frame)
    name = "order-detail" if path.startswith("orders/") and path != "orders/" else path.strip("/") or "home"
    report_vitals(f"phone-{name}", frame)
    screenshot(phone, f"phone-{name}", docs=name in ("orders", "order-detail", "home"))


def test_phone_navigation_and_retry_all(phone, admin_app, busy_shop):
    shop, _ = busy_shop

    frame = open_in_admin(phone, admin_app, shop.domain, "orders/")
    search = frame.get_by_label("Search by backer ID, BackerKit order ID or Shopify order name")
    search.tap()
    search.press_sequentially("bk-failed")
    report_vitals("phone-orders-typing", frame, interacted=True)
    navigate(frame, lambda: frame.get_by_test_id("retry-all").click())
    expect(frame.locator("#toast")).to_have_text("2 orders queued to push again")
    report_vitals("phone-orders-after-retry", frame, interacted=True)
    assert PushRecord.objects.filter(shop=shop, state=State.PENDING).count() == 4 + 2
