"""What the merchant and the Success reps see of shipments, in headless Chromium on desktop and on an
emulated phone: an order's fulfilments with their tracking links and whether BackerKit has them,
the orders list's shipment filters (kept by the URL and by paging), the home page's shipped count,
and the staff console's outbox with its Resend button.

The data goes through the services a webhook and the outbox task use: ``record_fulfilment`` (as a
fulfilment webhook would) and ``send_event`` against the BackerKit simulator (as the outbox task
would), so "Sent to BackerKit at ..." and BackerKit's refusals are the real ones."""

import re

import pytest
import redis
from playwright.sync_api import expect

from integrations.orders.models import ShipmentEvent
from integrations.orders.services.shipment_sending import NOTHING, send_event
from tests.support.browser_pages import (
    fits_the_phone,
    navigate,
    no_control_covered,
    open_in_admin,
    report_vitals,
    screenshot,
    small_tap_targets,
    text_touching_the_edge,
    wait_until,
    words_split,
)
from tests.support.push_records import State, connection, record
from tests.support.shipments import ship
from tests.support.staff import STAFF_PASSWORD

pytestmark = pytest.mark.browser

Event = ShipmentEvent.State
PROJECT, KEY = "skyforge", "bk_live_1234567890abcd"  # the project connection() points at


@pytest.fixture
def backerkit(backerkit_sim):
    backerkit_sim.state.add_project(id=PROJECT, api_key=KEY, name="Skyforge")
    return backerkit_sim


def pushed(shop, conn, order_id: str, n: int, *, known_to_backerkit=None):
    """A pushed order (Shopify order ``n``) that BackerKit knows (unless told otherwise)."""
    if known_to_backerkit is not None:
        known_to_backerkit.state.add_orders(PROJECT, [{"id": order_id}])
    return record(shop, conn, order_id, State.PUSHED, shopify_order_id=f"gid://shopify/Order/{n}",
                  shopify_order_name=f"#{1000 + n}")  # fmt: skip


def sent(event: ShipmentEvent) -> ShipmentEvent:
    """Sent by the outbox's own send (the BackerKit simulator answers)."""
    assert send_event(event_id=event.id) == NOTHING
    event.refresh_from_db()
    assert event.state == Event.SENT, (event.state, event.last_error)
    return event


def is_phone(device: str) -> bool:
    return device == "phone"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_orders_page_shows_its_shipments_tracking_links_and_whether_backerkit_has_them(
    device, request, admin_app, sim_shop, backerkit
):
    page = request.getfixturevalue(device)
    rec = pushed(sim_shop, connection(sim_shop), "bk-ship", 1, known_to_backerkit=backerkit)
    first = sent(ship(rec, 1, "1ZSENT1"))
    backerkit.state.add_faults(status=503)  # BackerKit down for the second one's first try
    second = ship(rec, 2, "1ZWAIT1", "1ZWAIT2")
    assert send_event(event_id=second.id).probe_in is not None  # the connection pauses; a probe comes back
    ship(rec, 3, "EVIL1", url="javascript:alert(1)")  # a carrier app's link that is no web link

    frame = open_in_admin(page, admin_app, sim_shop.domain, f"orders/{rec.id}/")

    shipments = frame.get_by_test_id("fulfilment")
    expect(shipments).to_have_count(3)
    link = shipments.nth(0).get_by_role("link", name="1ZSENT1")
    expect(shipments.nth(0).get_by_test_id("tracking")).to_have_text("UPS 1ZSENT1")
    expect(shipments.nth(0)).to_contain_text("SKY-CORE × 1 · Shipped Dec 1, 2026 09:00 UTC")
    expect(link).to_have_attribute("href", "https://ups.example/1ZSENT1")
    expect(link).to_have_attribute("target", "_blank")
    assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    expect(shipments.nth(0).get_by_test_id("sent-to-backerkit")).to_have_text(
        f"Sent to BackerKit at {first.sent_at:%b} {first.sent_at.day}, {first.sent_at:%H:%M:%S} UTC"
    )
    expect(shipments.nth(1).get_by_test_id("tracking")).to_have_text(["UPS 1ZWAIT1", "UPS 1ZWAIT2"])
    expect(shipments.nth(1).get_by_test_id("sent-to-backerkit")).to_have_text(
        re.compile(
            r"Not sent yet: BackerKit is not answering since \d\d:\d\d UTC; "
            r"2 shipments wait and are sent when it answers\."
        )
    )
    expect(shipments.nth(2).get_by_test_id("tracking")).to_have_text("UPS EVIL1")
    expect(shipments.nth(2).get_by_role("link")).to_have_count(0)
    if is_phone(device):
        fits_the_phone(frame)
        assert small_tap_targets(frame, '[data-testid="tracking"] a') == []
        assert text_touching_the_edge(frame) == []
    no_control_covered(frame)
    report_vitals(f"{device}-order-shipments", frame)
    screenshot(page, f"{device}-order-shipments")

    page.context.route("https://ups.example/**", lambda route: route.fulfill(body="<title>UPS tracking</title>"))
    with page.context.expect_page() as carrier:  # the carrier's page, in a tab of its own
        link.tap() if is_phone(device) else link.click()
    carrier.value.wait_for_load_state()
    assert carrier.value.url == "https://ups.example/1ZSENT1"
    assert carrier.value.evaluate("() => window.opener") is None  # it cannot reach back into the admin
    carrier.value.close()


def shipment_store(shop, backerkit, *, shipped: int):
    """``shipped`` orders shipped and at BackerKit, one shipped that BackerKit refused, two unshipped."""
    conn = connection(shop)
    for n in range(1, shipped + 1):
        sent(ship(pushed(shop, conn, f"bk-s{n:02d}", n, known_to_backerkit=backerkit), n, f"1ZS{n:02d}"))
    refused = ship(pushed(shop, conn, "bk-refused", 90), 90, "1ZREFUSED")  # BackerKit has no such order
    assert send_event(event_id=refused.id) == NOTHING
    for n in (91, 92):
        pushed(shop, conn, f"bk-n{n}", n)
    return refused


def listed(frame) -> list[str]:
    return frame.get_by_test_id("orders-table").locator("tbody tr td:first-child").all_inner_texts()


def filter_by(frame, device: str, label: str):
    frame.get_by_test_id("shipment-filter").select_option(label=label)
    search = frame.get_by_role("button", name="Search")
    return navigate(frame, search.tap if is_phone(device) else search.click)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_orders_list_filters_by_shipment_and_paging_keeps_the_filter(
    device, request, admin_app, sim_shop, backerkit
):
    page = request.getfixturevalue(device)
    shipment_store(sim_shop, backerkit, shipped=52)
    frame = open_in_admin(page, admin_app, sim_shop.domain, "orders/")
    if is_phone(device):
        assert small_tap_targets(frame, ".Filters select, .Filters button, .Filters a, .Tab, .Pagination .Button") == []

    filter_by(frame, device, "Shipped")
    assert "shipment=shipped" in frame.url
    expect(frame.get_by_test_id("orders-table").locator("tbody tr")).to_have_count(50)
    expect(frame.locator(".Pagination")).to_contain_text("1–50 of 53")
    expect(frame.get_by_test_id("shipment-filter")).to_have_value("shipped")
    if is_phone(device):
        fits_the_phone(frame)
        assert text_touching_the_edge(frame) == []
    no_control_covered(frame)
    report_vitals(f"{device}-orders-shipped", frame)
    screenshot(page, f"{device}-orders-shipped")

    next_page = frame.get_by_role("link", name="Next")
    navigate(frame, next_page.tap if is_phone(device) else next_page.click)
    assert re.search(r"shipment=shipped", frame.url) and re.search(r"page=2", frame.url)
    expect(frame.locator(".Pagination")).to_contain_text("51–53 of 53")
    assert listed(frame) == ["bk-s03", "bk-s02", "bk-s01"]  # newest first: the oldest on the last page
    expect(frame.get_by_test_id("shipment-filter")).to_have_value("shipped")

    filter_by(frame, device, "Not shipped")
    assert "shipment=not_shipped" in frame.url and "page=" not in frame.url  # a new filter starts at page 1
    assert sorted(listed(frame)) == ["bk-n91", "bk-n92"]

    filter_by(frame, device, "Shipment not delivered to BackerKit")
    assert "shipment=not_sent" in frame.url
    assert listed(frame) == ["bk-refused"]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_home_page_counts_shipped_orders_and_opens_them(device, request, admin_app, sim_shop, backerkit):
    page = request.getfixturevalue(device)
    shipment_store(sim_shop, backerkit, shipped=3)
    frame = open_in_admin(page, admin_app, sim_shop.domain, "")

    metric = frame.get_by_test_id("shipped-count")
    expect(metric).to_contain_text("Shipped")
    expect(metric.locator(".Metric-value")).to_have_text("4")  # three at BackerKit and the refused one
    if is_phone(device):
        fits_the_phone(frame)
        assert small_tap_targets(frame, '[data-testid="shipped-count"]') == []
        assert text_touching_the_edge(frame) == []
    report_vitals(f"{device}-home-shipped", frame)

    navigate(frame, metric.tap if is_phone(device) else metric.click)
    assert "shipment=shipped" in frame.url
    assert sorted(listed(frame)) == ["bk-refused", "bk-s01", "bk-s02", "bk-s03"]


def log_in_as_rep(page, live_server, settings) -> None:
    from django.contrib.auth import get_user_model

    settings.STAFF_REQUIRE_TOTP = False  # a rep without an authenticator app logs in with the password
    get_user_model().objects.create_user(username="rep", email="rep@backerkit.com", password=STAFF_PASSWORD,
                                         is_staff=True)  # fmt: skip
    page.goto(f"{live_server.url}/staff/")
    page.get_by_label("Username").fill("rep")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_staff_console_shows_the_outbox_and_resend_sends_a_refused_shipment_again(
    device, request, sim_shop, backerkit, live_server, settings
):
    page = request.getfixturevalue(device)
    refused = shipment_store(sim_shop, backerkit, shipped=1)
    backerkit.state.add_faults(status=503)
    waiting = ship(pushed(sim_shop, refused.record.connection, "bk-later", 93, known_to_backerkit=backerkit), 93, "1ZL")
    assert send_event(event_id=waiting.id).probe_in is not None  # BackerKit down: the connection pauses
    # What the sends above queued is dropped: only the worker below, and only after Resend, sends.
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    log_in_as_rep(page, live_server, settings)
    with page.expect_navigation():
        page.get_by_role("link", name=sim_shop.domain).click()

    outbox = page.get_by_test_id("staff-outbox")
    expect(outbox).to_contain_text("1 sent · 1 waiting · 1 failing")
    problems = outbox.get_by_test_id("outbox-problem")
    expect(problems).to_have_count(2)
    failing = problems.filter(has_text="bk-refused")
    expect(failing).to_contain_text("Needs attention")
    expect(failing).to_contain_text("no order 'bk-refused'")
    expect(problems.filter(has_text="bk-later")).to_contain_text("did not answer")
    if is_phone(device):
        fits_the_phone(page.main_frame)
        assert text_touching_the_edge(page.main_frame) == []
        assert small_tap_targets(page.main_frame, '[data-testid="resend"]') == []
        # The badge and its tries stay together on the row's right, not spread across it.
        state = failing.locator('td[data-label="State"] > span')
        expect(state).to_have_text("Needs attention (1 try)")
        assert state.evaluate("(el) => el.getBoundingClientRect().height") < 40
    assert words_split(page.main_frame, '[data-testid="outbox-problem"] td, [data-testid="resend"]') == []
    screenshot(page, f"{device}-staff-outbox")

    backerkit.state.add_orders(PROJECT, [{"id": "bk-refused"}])  # fixed at BackerKit: resend it
    request.getfixturevalue("push_worker")
    resend = failing.get_by_test_id("resend")
    with page.expect_navigation():
        resend.tap() if is_phone(device) else resend.click()

    expect(page.locator(".Messages")).to_contain_text(
        "The shipment of order bk-refused is being sent to BackerKit again."
    )
    wait_until(lambda: ShipmentEvent.objects.get(id=refused.id).state == Event.SENT, what="the resent shipment")
    with backerkit.state.lock:
        kept = backerkit.state.shipments.shipments[(PROJECT, "bk-refused", refused.fulfillment_id)]
    assert [t["number"] for t in kept["body"]["tracking"]] == ["1ZREFUSED"]
    # The resend was the paused connection's probe too: BackerKit answered, so the connection's
    # drain sends bk-later as well (a task of its own, after the probe's answer).
    wait_until(lambda: ShipmentEvent.objects.get(id=waiting.id).state == Event.SENT, what="the drained shipment")
    page.reload()
    expect(page.get_by_test_id("staff-outbox")).to_contain_text("3 sent · 0 waiting · 0 failing")
