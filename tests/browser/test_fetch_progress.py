"""Fetch in the browser: the click answers at once with the fetch queued; the page follows it
(polling, no reload by hand) and shows what came in once a worker has run it."""

import pytest
from playwright.sync_api import expect

from integrations.orders.models import BackerKitConnection, PullRun
from tests.support.browser_pages import navigate, open_in_admin
from tests.support.campaign_files import fixture_order

pytestmark = pytest.mark.browser

API_KEY = "bk_live_browser_fetch_0123"


def test_fetch_shows_its_progress_then_its_result_without_a_reload_by_hand(
    desktop, admin_app, sim_shop, backerkit_sim, worker_factory
):
    backerkit_sim.state.add_project(id="skyforge", api_key=API_KEY, name="Skyforge", currency="USD")
    backerkit_sim.state.add_orders("skyforge", [fixture_order("paid", id=f"bk-{n}") for n in range(5)])
    conn = BackerKitConnection.objects.create(
        shop=sim_shop, store_name="Skyforge Store", project="skyforge", api_key=API_KEY, currency="USD"
    )
    frame = open_in_admin(desktop, admin_app, sim_shop.domain, "connection/")

    # No worker yet: the click returns with the fetch queued, and the page says so.
    navigate(frame, lambda: frame.get_by_role("button", name="Fetch orders now").click())
    expect(frame.get_by_test_id("pull-progress")).to_contain_text("Fetch queued")
    assert PullRun.objects.get(connection=conn).state == PullRun.State.QUEUED

    worker_factory(name="fetch", concurrency=1, BACKERKIT_API_URL=backerkit_sim.url)

    expect(frame.get_by_test_id(f"pull-{conn.id}")).to_contain_text("Fetch finished: 5 orders taken in", timeout=60_000)
    expect(frame.get_by_test_id("pull-progress")).to_have_count(0)
