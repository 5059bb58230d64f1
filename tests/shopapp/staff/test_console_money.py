"""The staff console shows an order's amounts in the currency's own digits (never "12.3450 KWD")."""

from decimal import Decimal

from django.urls import reverse

from integrations.orders.models import PushRecord
from tests.support.push_records import record


def test_the_console_order_page_shows_dinars_with_three_decimals_and_yen_with_none(staff_client, shop_row, conn):
    dinar = record(shop_row, conn, "bk-dinar", PushRecord.State.PUSHED, currency="KWD", amount_paid=Decimal("12.345"),
                   shopify_total=Decimal("10.5"))  # fmt: skip
    yen = record(shop_row, conn, "bk-yen", PushRecord.State.PUSHED, currency="JPY", amount_paid=Decimal("1500"),
                 shopify_total=Decimal("1500"))  # fmt: skip

    dinar_page = staff_client.get(reverse("staff:order", args=[shop_row.id, dinar.id])).content.decode()
    yen_page = staff_client.get(reverse("staff:order", args=[shop_row.id, yen.id])).content.decode()

    assert "KWD12.345" in dinar_page and "KWD10.500" in dinar_page and "12.3450" not in dinar_page
    assert "¥1,500" in yen_page and "1500.0000" not in yen_page
