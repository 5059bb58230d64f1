"""The Waves page in Chromium, at desktop size and on an emulated phone: counts per wave and of the
orders in none, a new wave previewed then saved, "push orders held" switched on, a country
released first; the order detail shows its wave and hold."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from integrations.orders.models import PushRecord, Wave, WaveMember, WaveRelease
from integrations.orders.services import waves
from integrations.shops.models import Shop
from tests.support.browser_pages import (
    navigate,
    new_page,
    no_control_covered,
    no_horizontal_scroll,
    open_in_admin,
    screenshot,
)
from tests.support.push_checks import campaign
from tests.support.push_records import connection, record

pytestmark = pytest.mark.browser
State = PushRecord.State


def _orders(shop, countries):
    conn = connection(shop)
    made = []
    for n, (order, country) in enumerate(zip(campaign(len(countries), seed=3), countries, strict=True)):
        order["shipping_address"] |= {"country_code": country, "region": "NY" if country == "US" else ""}
        made.append(record(shop, conn, order["id"], State.PUSHED, order_data=order, shopify_order_name=f"#{1001 + n}"))
    return made


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])  # fmt: skip
def test_the_merchant_defines_waves_holds_new_orders_and_releases_a_country_first(
    chromium, admin_app, sim_shop, viewport
):
    name = "desktop" if viewport["width"] > 500 else "phone"
    Shop.objects.filter(id=sim_shop.id).update(scopes=",".join(settings.SHOPIFY_SCOPES))
    us, ca, de, au = _orders(sim_shop, ["US", "CA", "DE", "AU"])
    na = waves.create_wave(shop=sim_shop, name="North America", countries=["US", "CA"], by="test")
    WaveMember.objects.filter(wave=na).update(hold_state=WaveMember.Hold.HELD)
    page = new_page(chromium, viewport)
    try:
        frame = open_in_admin(page, admin_app, sim_shop.domain, "waves/")
        expect(frame.get_by_test_id(f"wave-{na.id}")).to_contain_text("Ships to CA, US")
        expect(frame.get_by_test_id(f"held-{na.id}")).to_contain_text("2")
        expect(frame.get_by_test_id("unmatched")).to_contain_text("2 orders in no wave")

        form = frame.get_by_test_id("wave-form")
        form.get_by_label("Wave name").fill("Europe")
        form.get_by_label("Ships to (countries)").fill("DE, FR")
        navigate(frame, lambda: form.get_by_test_id("wave-preview-button").click())
        expect(frame.get_by_test_id("wave-preview")).to_contain_text("North America 2 · Europe 1 · in no wave 1")
        navigate(frame, lambda: frame.get_by_test_id("wave-save").click())
        europe = Wave.objects.get(shop=sim_shop, name="Europe")
        expect(frame.get_by_test_id(f"wave-{europe.id}")).to_contain_text("Ships to DE, FR")
        expect(frame.get_by_test_id("unmatched")).to_contain_text("1 order in no wave")

        navigate(frame, lambda: frame.get_by_test_id("toggle-push-held").click())
        expect(frame.get_by_test_id("push-held-state")).to_have_text("Pushed held")

        frame.locator(f"#countries-{na.id}").fill("US")
        navigate(frame, lambda: frame.get_by_test_id(f"release-{na.id}").click())
        expect(frame.get_by_test_id(f"wave-{na.id}")).to_contain_text("US released")
        expect(frame.get_by_test_id(f"held-{na.id}")).to_contain_text("1 releasing")
        expect(frame.get_by_test_id(f"release-progress-{na.id}")).to_contain_text(
            "0 of 1 released · Estimating time left"
        )
        no_horizontal_scroll(frame)
        no_control_covered(frame)
        screenshot(page, f"{name}-waves", docs=name == "desktop")

        frame = open_in_admin(page, admin_app, sim_shop.domain, f"orders/{ca.id}/")
        expect(frame.get_by_test_id("order-wave")).to_contain_text("North America")
        expect(frame.get_by_test_id("order-hold")).to_contain_text("Held")
    finally:
        page.context.close()
    audit = WaveRelease.objects.get(wave=na)
    assert (audit.countries, audit.targeted) == (["US"], 1) and audit.requested_by.startswith("merchant")
    assert {us.id, ca.id, de.id} == set(WaveMember.objects.values_list("record_id", flat=True)) and au
