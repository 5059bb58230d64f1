"""Money in its own currency: a push record keeps an amount exactly in every ISO 4217 currency
(KWD has three decimal places, JPY none), and every page shows it with the currency's own digits
and symbol, in the merchant's locale."""

from decimal import Decimal

import pytest

from integrations.orders.models import PushRecord
from shopapp.templatetags.money import format_money
from tests.support.id_tokens import bearer
from tests.support.push_records import connection, plain_shop, record

State = PushRecord.State


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        (Decimal("1500"), "JPY", "en", "¥1,500"),
        (Decimal("12.345"), "KWD", "en", "KWD12.345"),
        (Decimal("90.44"), "USD", "en", "$90.44"),
        (Decimal("1500"), "JPY", "de", "1.500\xa0¥"),
        (Decimal("1234.5"), "USD", "en", "$1,234.50"),
        (None, "USD", "en", "—"),
    ],
)
def test_amounts_are_formatted_with_the_currencys_own_digits_and_symbol(amount, currency, locale, shown):
    assert format_money(amount, currency, locale) == shown


@pytest.mark.django_db
def test_a_record_keeps_a_three_decimal_amount_exactly():
    shop = plain_shop("kwd-store.myshopify.com", currency="KWD")
    rec = record(shop, connection(shop, currency="KWD"), "bk-kwd", State.PUSHED, currency="KWD",
                 amount_paid=Decimal("12.345"), shopify_total=Decimal("10.125"))  # fmt: skip

    stored = PushRecord.objects.get(id=rec.id)

    assert stored.amount_paid == Decimal("12.345") and stored.shopify_total == Decimal("10.125")


@pytest.mark.django_db
def test_the_orders_and_order_pages_show_yen_without_decimals_and_dinars_with_three(admin, shop_row, conn):
    yen = record(shop_row, conn, "bk-yen", State.PUSHED, currency="JPY", amount_paid=Decimal("1500"),
                 shopify_total=Decimal("1500"))  # fmt: skip
    dinar = record(shop_row, conn, "bk-dinar", State.PUSHED, currency="KWD", amount_paid=Decimal("12.345"),
                   shopify_total=Decimal("12.345"))  # fmt: skip

    orders = admin.get("pages:orders").content.decode()
    detail = admin.get("pages:order", yen.id).content.decode()

    assert "¥1,500" in orders and "1,500.00" not in orders
    assert "KWD12.345" in orders and "12.35 " not in orders
    assert "¥1,500" in detail
    assert "KWD12.345" in admin.get("pages:order", dinar.id).content.decode()


@pytest.mark.django_db
def test_the_merchants_locale_comes_from_the_admin_then_the_browser(admin, shop_row, conn):
    record(shop_row, conn, "bk-yen", State.PUSHED, currency="JPY", amount_paid=Decimal("1500"))

    german = admin.get("pages:orders", locale="de").content.decode()
    french_browser = admin.client.get(
        admin.url("pages:orders"), {"shop": shop_row.domain},
        headers={**bearer(shop_row.domain), "Accept-Language": "fr-FR,fr;q=0.9"},
    ).content.decode()  # fmt: skip

    assert "1.500\xa0¥" in german
    assert "1\u202f500\xa0JPY" in french_browser or "1\u202f500\xa0¥" in french_browser


def test_the_iso_digits_are_shown_where_cldr_would_hide_them():
    # CLDR displays IQD without decimals; ISO 4217 (what is validated, stored and sent) has three.
    assert format_money(Decimal("12.345"), "IQD", "en") == "IQD12.345"
