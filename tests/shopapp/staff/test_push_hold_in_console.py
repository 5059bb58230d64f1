"""The Success rep sees the push's own hold of a store (and its reason) in the console; a store
held after repeated errors is resumed with the console's Resume, which lifts the hold."""

from django.urls import reverse

from integrations.orders.models import PushRecord
from integrations.orders.services import holds
from integrations.shops.models import Shop
from tests.support.push_records import record

State = PushRecord.State


def test_the_console_shows_a_frozen_store_and_why(staff_client, shop_row):
    holds.hold_shop(
        shop_id=shop_row.id, hold=Shop.PushHold.FROZEN, reason=holds.UNAVAILABLE_REASONS[Shop.PushHold.FROZEN]
    )

    store = staff_client.get(reverse("staff:store", args=[shop_row.id])).content.decode()
    stores = staff_client.get(reverse("staff:stores")).content.decode()

    assert 'data-testid="staff-push-hold-reason"' in store and "Your Shopify store is frozen" in store
    assert "lifted when Shopify answers again" in store
    assert "Shopify froze the store (unpaid bill)" in stores


def test_resume_in_the_console_lifts_a_hold_after_repeated_errors(staff_client, shop_row, conn):
    record(shop_row, conn, "bk-1", State.PENDING)
    holds.hold_shop(
        shop_id=shop_row.id, hold=Shop.PushHold.CRASHING, reason=holds.crashing_reason(crashes=5, error_id="0badc0de")
    )
    assert PushRecord.objects.get(backerkit_order_id="bk-1").state == State.PAUSED
    page = staff_client.get(reverse("staff:store", args=[shop_row.id])).content.decode()
    assert 'name="paused" value="resume"' in page

    staff_client.post(reverse("staff:pause", args=[shop_row.id]), {"paused": "resume", "reason": "Fixed the bug"})

    shop_row.refresh_from_db()
    assert (shop_row.push_hold, shop_row.push_crashes) == ("", 0)
    assert PushRecord.objects.get(backerkit_order_id="bk-1").state == State.PENDING
