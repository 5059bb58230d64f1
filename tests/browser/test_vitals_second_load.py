"""The browser tests' fallback when Chromium records no largest paint for a page load (see
``tests.support.browser_pages._measured_again``): the same page is measured on a load of its own, in
another tab, and the test's page keeps what the test did to it."""

import pytest
from playwright.sync_api import expect

from tests.support.browser_pages import _measured_again, navigate, open_in_admin


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_page_without_a_largest_paint_is_measured_on_a_second_load_and_keeps_its_state(
    device, request, admin_app, sim_shop
):
    page = request.getfixturevalue(device)
    frame = open_in_admin(page, admin_app, sim_shop.domain, "")
    navigate(frame, lambda: frame.get_by_role("link", name="Settings", exact=True).click())
    auto_push = frame.get_by_label("Push new orders automatically")
    was = auto_push.is_checked()
    auto_push.set_checked(not was)  # changed, not saved
    expect(frame.get_by_test_id("save-bar")).to_be_visible()
    settings_url = frame.url

    measured = _measured_again(frame, {"lcp": None, "cls": 0.0, "inp": 24, "interactions": 1})

    assert measured["lcp_on_second_load"] is True
    assert measured["lcp"] is not None and measured["lcp"] > 0  # the settings page's own paint
    assert (measured["cls"], measured["inp"]) == (0.0, 24)  # the first load's: what the test did
    assert len(page.context.pages) == 1  # the second tab is closed
    assert frame.url == settings_url
    expect(frame.get_by_test_id("save-bar")).to_be_visible()  # the unsaved change is still there
    assert auto_push.is_checked() is not was
