"""What the merchant sees of shipments: an order's fulfilments with tracking links and whether
BackerKit has them, the shipped / not shipped / not sent filters, the home page's count and the
shipments file of a file-fed connection."""

from django.utils import timezone

from integrations.orders.models import BackerKitConnection, ShipmentEvent
from tests.support.push_records import State, connection, record
from tests.support.shipments import ship

Event = ShipmentEvent.State


def test_an_orders_page_shows_each_fulfilment_its_tracking_links_and_when_backerkit_got_it(admin, shop_row, conn):
    pushed = record(shop_row, conn, "bk-1", State.PUSHED)
    sent = ship(pushed, 1, "1ZSENT")
    ShipmentEvent.objects.filter(id=sent.id).update(state=Event.SENT, sent_at=timezone.now())
    waiting = ship(pushed, 2, "1ZWAIT", "1ZWAIT2")
    ShipmentEvent.objects.filter(id=waiting.id).update(
        last_error="BackerKit did not answer (503): trying again in 9 s."
    )
    ship(pushed, 3, "EVIL", url="javascript:alert(1)")

    page = admin.get("pages:order", pushed.id).content.decode()

    assert 'href="https://ups.example/1ZSENT"' in page and "Sent to BackerKit at" in page
    assert "1ZWAIT2" in page and "Not sent yet: BackerKit did not answer (503). It is sent again automatically." in page
    assert "trying again in 9 s" not in page  # a countdown from when it failed is false by the time it is read
    assert "javascript:" not in page and "EVIL" in page
    assert page.count('data-testid="fulfilment"') == 3


def test_a_shipment_waiting_for_backerkit_says_since_when_and_how_many_wait(admin, shop_row, conn):
    since = timezone.now().replace(hour=14, minute=5)
    BackerKitConnection.objects.filter(id=conn.id).update(
        shipments_paused_until=timezone.now(), shipments_paused_since=since, shipments_pause_reason="down"
    )
    first = record(shop_row, conn, "bk-1", State.PUSHED, shopify_order_id="gid://shopify/Order/1")
    ship(first, 1, "1ZA")
    ship(record(shop_row, conn, "bk-2", State.PUSHED, shopify_order_id="gid://shopify/Order/2"), 2, "1ZB")

    page = admin.get("pages:order", first.id).content.decode()

    assert "BackerKit is not answering since 14:05 UTC; 2 shipments wait and are sent when it answers." in page


def test_shipments_of_a_refused_key_say_they_wait_for_a_valid_key(admin, shop_row, conn):
    BackerKitConnection.objects.filter(id=conn.id).update(status=BackerKitConnection.Status.REFUSED)
    first = record(shop_row, conn, "bk-1", State.PUSHED, shopify_order_id="gid://shopify/Order/1")
    ship(first, 1, "1ZA")

    page = admin.get("pages:order", first.id).content.decode()

    assert "BackerKit refused the API key of Skyforge Store; 1 shipment waits and is sent once a valid key" in page


def test_the_orders_list_filters_shipped_not_shipped_and_not_sent(admin, shop_row, conn):
    shipped = record(shop_row, conn, "bk-shipped", State.PUSHED, shopify_order_id="gid://shopify/Order/1")
    ShipmentEvent.objects.filter(id=ship(shipped, 1, "T1").id).update(state=Event.SENT)
    record(shop_row, conn, "bk-unshipped", State.PUSHED, shopify_order_id="gid://shopify/Order/2")
    waiting = record(shop_row, conn, "bk-waiting", State.PUSHED, shopify_order_id="gid://shopify/Order/3")
    ship(waiting, 3, "T3")
    cancelled = record(shop_row, conn, "bk-cancelled", State.PUSHED, shopify_order_id="gid://shopify/Order/4")
    ship(cancelled, 4, "T4")
    ShipmentEvent.objects.filter(id=ship(cancelled, 4, "T4", status="cancelled", seconds=9).id).update(state=Event.SENT)

    def listed(shipment: str) -> set[str]:
        page = admin.get("pages:orders", shipment=shipment).content.decode()
        return {n for n in ("bk-shipped", "bk-unshipped", "bk-waiting", "bk-cancelled") if n in page}

    assert listed("shipped") == {"bk-shipped", "bk-waiting"}
    assert listed("not_shipped") == {"bk-unshipped", "bk-cancelled"}
    assert listed("not_sent") == {"bk-waiting"}


def test_the_home_page_counts_shipped_orders(admin, shop_row, conn):
    for n in range(3):
        rec = record(shop_row, conn, f"bk-{n}", State.PUSHED, shopify_order_id=f"gid://shopify/Order/{n}")
        ship(rec, n, f"T{n}")
        ship(rec, 100 + n, f"U{n}")  # a split shipment is still one shipped order

    page = admin.get("home").content.decode()

    assert 'data-testid="shipped-count"' in page
    assert '<span class="Metric-label">Shipped</span><span class="Metric-value">3</span>' in page


def test_a_file_fed_store_downloads_its_shipments_file_from_the_orders_page(admin, shop_row):
    files = connection(shop_row, store_name="File Store", kind=BackerKitConnection.Kind.FILE_IMPORT, api_key="")
    ship(record(shop_row, files, "bk-f", State.PUSHED), 1, "TF1")

    page = admin.get("pages:orders").content.decode()
    download = admin.get("pages:shipments_file")

    assert 'data-testid="shipments-file"' in page
    body = b"".join(download.streaming_content).decode()
    assert download["Content-Type"].startswith("text/csv") and "bk-f,backer-bk-f,TF1,UPS" in body


def test_an_orders_page_says_when_each_shipment_left_in_words_not_shopifys_timestamp(admin, shop_row, conn):
    pushed = record(shop_row, conn, "bk-1", State.PUSHED)
    ship(pushed, 1, "1ZT")  # shipped 2026-12-01T09:00:00Z

    page = admin.get("pages:order", pushed.id).content.decode()

    assert "Shipped Dec 1, 2026 09:00 UTC" in page and "2026-12-01T09:00" not in page
