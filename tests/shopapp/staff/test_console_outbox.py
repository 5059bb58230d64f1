"""The staff console shows a store's outbox (waiting, failing with the reason) and resends."""

from django.urls import reverse
from django.utils import timezone

from integrations.orders.models import BackerKitConnection, ShipmentEvent
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


def test_the_console_says_a_connection_waits_for_backerkit_and_how_many_shipments_wait(staff_client, shop_row, conn):
    BackerKitConnection.objects.filter(id=conn.id).update(
        shipments_paused_until=timezone.now(), shipments_paused_since=timezone.now().replace(hour=9, minute=41),
        shipments_pause_reason="down",
    )  # fmt: skip
    for n in range(3):
        ship(record(shop_row, conn, f"bk-{n}", State.PUSHED, shopify_order_id=f"gid://shopify/Order/{n}"), n, "T")

    page = staff_client.get(reverse("staff:store", args=[shop_row.id])).content.decode()

    assert 'data-testid="outbox-paused"' in page
    assert "BackerKit is not answering since 09:41 UTC; 3 shipments wait and are sent when it answers." in page
