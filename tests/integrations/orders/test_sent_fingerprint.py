"""The push's change fingerprint is read from the mapped input (one mapping per order), and is byte
for byte the fingerprint records pushed before kept (``changes.version_of``): pushed orders do not
all look changed after the upgrade."""

import json

import pytest

from integrations.backerkit.orders import validate_order
from integrations.orders.changes import fingerprint, sent_view, status_of, version_of
from integrations.orders.mapping import MappedOrder, ShopSettings, map_order
from integrations.shops.choices import TaxMode
from tests.support.campaign_files import FIXTURES
from tests.support.mapping_cases import VARIANTS

STORE = "Skyforge Store"
# Computed by the code before this change (changes.version_of, main at 8d1e420): what records hold.
KEPT_FINGERPRINTS = {
    "jpy": "df1bc834073c15c58820cf49647f5f648d8f77cd78faaf3f45d4d7cb13177e21",
    "long_backer_id": "9c29ef2086f548a0f0502614e7df35f6f3f43d39e63658b1b5f3f4d37b9fd6e6",
    "nl_without_region": "bcf7f0772d195ed9be44d27c7f5645dd5ac5f031b4a8842fd3b77e55c33fc8c4",
    "no_shipping": "46f995d4c0ed15e0e568c3ad557d9cc27132cb3779de2fe1fa2df1fd4706fa1e",
    "no_tax": "feae58381bf8b45ff38b94b7ae6f2503d41f01fd9a44f0cdcbed86e930ff9344",
    "nothing_paid": "0621b5b46b583596d698c07904c0d3fc88ef0afb5909072fb963d822d8558cde",
    "overpaid": "ba16cd2415bef51fe042718464f783bac06106eeaf428540fe25104645eed7d4",
    "paid": "6eb4262814308d120b2f9dd5ef34ba876e2eb8607baaaf177b6cbe0f7bb135df",
    "partially_paid": "903c80a3bbf6f1ebd2c0ee065c76af392b4b948eff7d78613aef457bf752181a",
    "region_by_name_au": "eca4dd294f49da21d8d0dc9cd12be226af939f878bf208f0e3763955a798ea97",
    "several_charges": "e812f0634f43391ec9f7fa34f6033703b70b3c1dc2ac47fcf73693ad66c91936",
    "several_taxes": "9806462cafe1711fc6c26bcbb799f6e442dce959cc175df0067f25a4f9b47d15",
}
SETTINGS = [
    ShopSettings(connected_store_name=STORE, shop_currency=currency, include_transaction_data=data, tax_mode=mode)
    for currency in ("USD",)
    for data in (True, False)
    for mode in (TaxMode.ONE_LINE_ITEM, TaxMode.TAX_LINES)
]


def _raw(case: str) -> dict:
    return json.loads((FIXTURES / f"{case}.json").read_text())


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"data={s.include_transaction_data},{s.tax_mode}")
@pytest.mark.parametrize("case", sorted(KEPT_FINGERPRINTS))
def test_the_fingerprint_of_the_sent_input_is_the_one_pushed_records_kept(case, settings):
    # given an order as the push maps it, in the store's currency
    raw = _raw(case)
    order = validate_order(raw)
    settings = ShopSettings(**{**settings.__dict__, "shop_currency": order.currency})
    mapped = map_order(order, settings=settings, variants=VARIANTS)
    assert isinstance(mapped, MappedOrder)

    # when its view is read from the mapped input
    view = sent_view(order, mapped.order_input, status=status_of(raw))

    # then its fingerprint is the one kept before, and the one a version of the stored order has
    assert fingerprint(view) == KEPT_FINGERPRINTS[case]
    assert fingerprint(view) == version_of(order, status=status_of(raw), updated_at=None, store_name=STORE).fingerprint


def test_a_changed_tag_changes_the_fingerprint_of_the_sent_input():
    # given the same order for another connected store (another store tag)
    order = validate_order(_raw("paid"))
    other = ShopSettings(connected_store_name="Another Store", shop_currency=order.currency)

    # when it is mapped and its view read from the mapped input
    view = sent_view(order, map_order(order, settings=other, variants=VARIANTS).order_input)

    # then the fingerprint is not the one of the first store's push
    assert fingerprint(view) != KEPT_FINGERPRINTS["paid"]
