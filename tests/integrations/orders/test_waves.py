"""Waves' rules and documents, without workers: each validated order in at most one wave, counts
before saving, clear refusals, and the documents valid against Shopify's schema."""

import pytest
from django.conf import settings
from django.utils import timezone

from integrations.orders.models import Wave, WaveMember, WaveRelease
from integrations.orders.selectors.waves import wave_rows
from integrations.orders.services import wave_release, waves
from integrations.orders.services.waves import WaveError
from integrations.orders.wave_documents import ALL_DOCUMENTS
from integrations.shopify.schema import validation_errors
from integrations.shops.models import Shop
from tests.support.push_checks import campaign
from tests.support.push_records import State, connection, record
from tests.support.shops import connected_shop


def _records(shop, *countries):
    conn = connection(shop)
    made = []
    for order, country in zip(campaign(len(countries)), countries, strict=True):
        order["shipping_address"] |= {
            "country_code": country,
            "region": "NY" if country == "US" else "QC" if country == "CA" else "",
        }
        made.append(record(shop, conn, order["id"], state=State.PENDING, order_data=order))
    return made


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_the_wave_documents_are_valid_against_the_admin_schema(name):
    assert validation_errors(ALL_DOCUMENTS[name]) == []


@pytest.fixture
def shop(shopify_sim, db):
    shop = connected_shop(shopify_sim)
    Shop.objects.filter(id=shop.id).update(scopes=",".join(settings.SHOPIFY_SCOPES))
    shop.refresh_from_db()
    return shop


def test_each_order_is_in_the_first_wave_that_matches_and_the_rest_takes_what_is_left(shop):
    us, ca, de = _records(shop, "US", "CA", "DE")

    waves.create_wave(shop=shop, name="Rest", rest=True, by="test")  # created first, tried last
    waves.create_wave(shop=shop, name="NA", countries=["us", "ca"], by="test")
    preview = waves.preview_counts(shop=shop, extra=("EU", waves.Rules(countries=("DE",))))

    members = dict(WaveMember.objects.values_list("record_id", "wave__name"))
    assert members == {us.id: "NA", ca.id: "NA", de.id: "Rest"}
    assert preview.per_wave == {"NA": 2, "EU": 1, "Rest": 0} and preview.unmatched == 0


def test_bad_rules_are_refused_with_the_reason(shop):
    with pytest.raises(WaveError, match="two-letter codes"):
        waves.create_wave(shop=shop, name="X", countries=["USA"], by="test")
    with pytest.raises(WaveError, match="at least one rule"):
        waves.create_wave(shop=shop, name="X", by="test")
    waves.create_wave(shop=shop, name="X", skus=["GAME"], by="test")
    with pytest.raises(WaveError, match="already has a wave named"):
        waves.create_wave(shop=shop, name="X", skus=["GAME"], by="test")


def test_pushing_held_needs_the_hold_scope(shopify_sim, db):
    narrow = connected_shop(shopify_sim, domain="narrow.myshopify.com")

    with pytest.raises(WaveError, match="Reconnect"):
        waves.set_push_orders_held(shop=narrow, on=True, by="test")


def test_beat_releases_a_scheduled_wave_on_its_ship_date_and_audits_it(shop):
    us, ca = _records(shop, "US", "CA")
    today = waves.create_wave(shop=shop, name="Now", countries=["US"], ship_date=timezone.localdate(), by="test")
    later = waves.create_wave(
        shop=shop,
        name="Later",
        countries=["CA"],
        ship_date=timezone.localdate() + timezone.timedelta(days=9),
        by="test",
    )
    WaveMember.objects.update(hold_state=WaveMember.Hold.HELD)
    wave_release.schedule_release(wave=today, on=True, by="test")
    wave_release.schedule_release(wave=later, on=True, by="test")

    shops = wave_release.due_releases()

    assert shops == [shop.id]
    assert Wave.objects.get(id=today.id).state == Wave.State.RELEASED
    assert Wave.objects.get(id=later.id).state == Wave.State.HOLDING
    assert dict(WaveMember.objects.values_list("record_id", "hold_state")) == {
        us.id: WaveMember.Hold.TO_RELEASE,
        ca.id: WaveMember.Hold.HELD,
    }
    assert WaveRelease.objects.get(wave=today).requested_by == "schedule (ship date)"


def test_an_order_with_items_in_two_sku_waves_is_in_both_each_with_its_lines(shop):
    both, core_only = _records(shop, "US", "US")
    game = {"sku": "GAME-CORE", "name": "Core", "quantity": 1, "campaign_price": "60.00"}
    addon = {"sku": "EXP-FROST", "name": "Frost", "quantity": 1, "campaign_price": "25.00"}
    for rec, items in ((both, [game, addon]), (core_only, [game])):
        rec.order_data = {**rec.order_data, "items": items}
        rec.validated_contract = ""  # validated again from the changed data
        rec.save(update_fields=["order_data", "validated_contract"])

    waves.create_wave(shop=shop, name="Core", skus=["GAME-CORE"], ship_date=timezone.localdate(), by="test")
    late = waves.create_wave(shop=shop, name="Add-ons", skus=["EXP-FROST"],
                             ship_date=timezone.localdate() + timezone.timedelta(days=60), by="test")  # fmt: skip

    members = sorted((m.record_id, m.wave.name, m.skus) for m in WaveMember.objects.select_related("wave"))
    # The earlier wave holds its lines, the order's own (latest) wave the rest (skus []).
    assert members == sorted([(both.id, "Core", ["GAME-CORE"]), (both.id, "Add-ons", []), (core_only.id, "Core", [])])
    [row] = [r for r in wave_rows(shop_id=shop.id) if r.wave.id == late.id]
    assert row.spanning == 0  # none follows it whole (only when Shopify refuses a partial hold)
