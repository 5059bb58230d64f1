"""The Waves page asks for read_all_orders (optional in shopify.app.toml, requested through App
Bridge's Scopes API) only when a wave ships more than 60 days after its orders were pushed and the
store has not granted it; once granted, the page says so."""

from datetime import timedelta

from django.utils import timezone

from integrations.orders.models import PushRecord, Wave, WaveMember
from integrations.shops.models import Shop
from tests.support.push_records import State, record

GRANTED = "read_products,write_orders,read_orders,read_fulfillments,write_merchant_managed_fulfillment_orders"


def _wave(shop, conn, *, days_out: int) -> Wave:
    pushed = record(shop, conn, f"bk-{days_out}", State.PUSHED)
    PushRecord.objects.filter(id=pushed.id).update(pushed_at=timezone.now() - timedelta(days=1))
    wave = Wave.objects.create(
        shop=shop, name=f"Wave {days_out}", ship_date=timezone.now().date() + timedelta(days=days_out)
    )
    WaveMember.objects.create(record=pushed, wave=wave, country="US")
    return wave


def test_a_wave_within_60_days_asks_for_nothing(admin, shop_row, conn):
    Shop.objects.filter(id=shop_row.id).update(scopes=GRANTED)
    _wave(shop_row, conn, days_out=30)

    page = admin.get("pages:waves").content.decode()

    assert 'data-testid="all-orders-card"' not in page
    assert "read_all_orders" not in page


def test_a_wave_far_out_shows_the_reason_and_the_request_button(admin, shop_row, conn):
    Shop.objects.filter(id=shop_row.id).update(scopes=GRANTED)
    wave = _wave(shop_row, conn, days_out=90)

    page = admin.get("pages:waves").content.decode()

    assert 'data-testid="all-orders-card"' in page
    assert f"{wave.name} ships more than 60 days" in page
    assert 'data-request-scopes="read_all_orders"' in page
    assert 'data-testid="all-orders-granted"' not in page


def test_once_granted_the_page_says_so_and_asks_no_more(admin, shop_row, conn):
    Shop.objects.filter(id=shop_row.id).update(scopes=GRANTED + ",read_all_orders")
    _wave(shop_row, conn, days_out=90)

    page = admin.get("pages:waves").content.decode()

    assert 'data-testid="all-orders-granted"' in page
    assert "data-request-scopes" not in page
