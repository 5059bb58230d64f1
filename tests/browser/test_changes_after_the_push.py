"""The merchant's view of changes from BackerKit after the push, in headless Chromium through the
simulated admin, on desktop and phone: the preview's pending changes (the sentence, old -> new, the
warehouse's reason, a conflict's two values) and deciding one; an order's history."""

import pytest
from playwright.sync_api import expect

from integrations.orders.models import OrderChange
from tests.support.browser_pages import (
    fits_the_phone,
    navigate,
    no_control_covered,
    no_horizontal_scroll,
    open_in_admin,
    report_vitals,
    screenshot,
    small_tap_targets,
    text_touching_the_edge,
)
from tests.support.change_records import WAREHOUSE, change, changes_in_every_state, many_pending_changes
from tests.support.push_records import State, connection, record

pytestmark = pytest.mark.browser

ChangeState = OrderChange.State


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_preview_shows_pending_changes_and_the_merchant_applies_one_anyway(device, request, admin_app, sim_shop):
    page = request.getfixturevalue(device)
    made = changes_in_every_state(sim_shop, connection(sim_shop), record)

    frame = open_in_admin(page, admin_app, sim_shop.domain, "preview/")

    card = frame.get_by_test_id("pending-changes")
    expect(frame.get_by_test_id("pending-sentence")).to_have_text(
        "3 address changes, 1 item change, 1 cancellation; 1 cannot be applied: already with the warehouse; "
        "1 edited in Shopify since."
    )
    expect(card.get_by_test_id("change-line")).to_have_count(5)
    expect(card.get_by_text(WAREHOUSE)).to_be_visible()
    expect(card.get_by_test_id("change-conflict")).to_contain_text("Capital City")
    no_horizontal_scroll(frame)
    no_control_covered(frame)
    report_vitals(f"{device}-preview-changes", frame)
    screenshot(page, f"{device}-preview-changes", docs=True)

    warehouse = card.locator('[data-testid="change-line"][data-state="needs_attention"]')
    navigate(frame, lambda: warehouse.get_by_test_id("change-approve").click())
    made["warehouse"].refresh_from_db()
    assert made["warehouse"].state == ChangeState.PENDING and made["warehouse"].overrides == ["fulfilment"]
    expect(frame.get_by_test_id("pending-sentence")).to_contain_text("3 address changes")
    expect(frame.get_by_test_id("pending-sentence")).not_to_contain_text("cannot be applied")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_orders_history_shows_the_push_and_each_change(device, request, admin_app, sim_shop):
    page = request.getfixturevalue(device)
    rec = record(sim_shop, connection(sim_shop), "bk-moved", State.PUSHED)
    change(rec, state=ChangeState.APPLIED)
    change(rec, state=ChangeState.CONFLICT, reason="Edited in Shopify since this app last wrote the order.",
           conflict=[{"field": "address.city", "ours": "Ogdenville", "shopify": "Capital City"}],
           diff=[{"field": "address.city", "old": "Shelbyville", "new": "Ogdenville"}])  # fmt: skip

    frame = open_in_admin(page, admin_app, sim_shop.domain, f"orders/{rec.id}/")

    history = frame.get_by_test_id("history")
    expect(history.get_by_test_id("history-change")).to_have_count(2)
    expect(history.get_by_test_id("history-pushed")).to_be_visible()
    expect(history.get_by_test_id("change-conflict")).to_contain_text("Capital City")
    expect(history).to_contain_text("Sent by File moved.jsonl")
    no_horizontal_scroll(frame)
    no_control_covered(frame)
    report_vitals(f"{device}-order-history", frame)
    screenshot(page, f"{device}-order-history", docs=True)

    navigate(frame, lambda: history.get_by_test_id("change-dismiss").click())  # "Keep Shopify's"
    expect(frame.get_by_test_id("history")).to_contain_text("Shopify's value kept by the merchant")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_merchant_pages_through_120_pending_changes(device, request, admin_app, sim_shop):
    page = request.getfixturevalue(device)
    many_pending_changes(sim_shop, connection(sim_shop), 120)
    phone = device == "phone"

    frame = open_in_admin(page, admin_app, sim_shop.domain, "preview/")

    card = frame.get_by_test_id("pending-changes")
    pager = card.get_by_test_id("changes-pages")
    expect(frame.get_by_test_id("pending-sentence")).to_have_text("120 address changes.")
    expect(card.get_by_test_id("change-line")).to_have_count(50)
    expect(pager.get_by_test_id("changes-range")).to_have_text("Showing 1–50 of 120")
    expect(card.get_by_test_id("change-line").first).to_contain_text("bk-0001")
    if phone:
        fits_the_phone(frame)
        assert small_tap_targets(frame, '[data-testid="changes-pages"] .Button') == []
        assert text_touching_the_edge(frame) == []
        row = card.get_by_test_id("change-line").first
        expect(row.locator('td[data-label="Actions"]')).to_be_hidden()  # a pending change asks nothing
        order = row.locator('td[data-label="Order"] > span')  # the order and its Shopify name together
        expect(order).to_have_text("bk-0001 #1001")
        assert order.evaluate("(el) => el.getBoundingClientRect().height") < 40
    report_vitals(f"{device}-preview-changes-paged", frame)

    for shown, first in (("Showing 51–100 of 120", "bk-0051"), ("Showing 101–120 of 120", "bk-0101")):
        link = pager.get_by_role("link", name="Next")
        navigate(frame, link.tap if phone else link.click)
        expect(pager.get_by_test_id("changes-range")).to_have_text(shown)
        expect(card.get_by_test_id("change-line").first).to_contain_text(first)
    assert "changes_page=3" in frame.url
    expect(card.get_by_test_id("change-line")).to_have_count(20)
    expect(pager.get_by_role("link", name="Next")).to_have_count(0)  # the last page: Next is off
    if phone:
        fits_the_phone(frame)
    screenshot(page, f"{device}-preview-changes-last-page")

    back = pager.get_by_role("link", name="Previous")
    navigate(frame, back.tap if phone else back.click)
    expect(pager.get_by_test_id("changes-range")).to_have_text("Showing 51–100 of 120")
    expect(frame.get_by_test_id("pending-sentence")).to_have_text("120 address changes.")  # the whole, every page
