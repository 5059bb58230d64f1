"""The staff console shows a store's outbox (waiting, failing with the reason) and resends."""

from django.urls import reverse

from integrations.orders.models import ShipmentEvent
from tests.support.push_records import State, connection, plain_shop, record
from tests.support.shipments import ship

Event = ShipmentEvent.State


def test_the_console_lists_failing_shipments_with_backerkits_reason_and_resends_one(
    staff_client, shop_row, conn, django_capture_on_commit_callbacks
):
    failing = ship(record(shop_row, conn, "bk-404", State.PUSHED), 1, "T1")
    ShipmentEvent.objects.filter(id=failing.id).update(
        state=Event.NEEDS_ATTENTION, attempts=1, last_error="BackerKit refused it: BackerKit has no order 'bk-404'"
    )

    page = staff_client.get(reverse("staff:store", args=[shop_row.id])).content.decode()
    assert "1 failing" in page and "has no order &#x27;bk-404&#x27;" in page

    with django_capture_on_commit_callbacks() as queued:
        answer = staff_client.post(reverse("staff:resend_shipment", args=[shop_row.id, failing.id]))
    assert answer.status_code == 302 and len(queued) == 1
    assert ShipmentEvent.objects.get(id=failing.id).state == Event.WAITING


def test_a_rep_cannot_resend_another_stores_shipment(staff_client, shop_row):
    other = plain_shop("other-store.myshopify.com")
    theirs = ship(record(other, connection(other), "bk-x", State.PUSHED), 1, "T1")

    answer = staff_client.post(reverse("staff:resend_shipment", args=[shop_row.id, theirs.id]))

    assert answer.status_code == 404
