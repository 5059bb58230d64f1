"""Every rule of the mapping (issue 5, "The mapping"; the help article), one behaviour per test.

Fixtures: tests/fixtures/backerkit/orders/<case>.json, one order per case, named after it.
"""

import json
from decimal import Decimal

import pytest
from celery.signals import worker_init

from integrations.backerkit.orders import BackerKitOrder
from integrations.orders import mapping
from integrations.orders.mapping import (
    MappedOrder,
    NeedsAttention,
    ShopSettings,
    Variant,
    clean_store_name,
    map_order,
    province_code,
    variant_skus,
)
from shopapp.celery import app
from tests.support.campaign_files import FIXTURES
from tests.support.mapping_cases import VARIANTS, load_order

STORE = ShopSettings(connected_store_name="Skyforge Store", shop_currency="USD")


def mapped(case: str, settings: ShopSettings = STORE, variants=VARIANTS) -> MappedOrder:
    result = map_order(load_order(case), settings=settings, variants=variants)
    assert isinstance(result, MappedOrder), result
    return result


def attention(case: str, settings: ShopSettings = STORE, variants=VARIANTS) -> NeedsAttention:
    result = map_order(load_order(case), settings=settings, variants=variants)
    assert isinstance(result, NeedsAttention), result
    return result


def attribute(result: MappedOrder, key: str) -> str | None:
    return next((a["value"] for a in result.order_input.get("customAttributes", []) if a["key"] == key), None)


# --- items ---------------------------------------------------------------------------------------


def test_items_are_matched_by_sku_to_shopify_variants():
    result = mapped("paid")
    assert result.order_input["lineItems"][:2] == [
        {"variantId": "gid://shopify/ProductVariant/1", "quantity": 1},
        {"variantId": "gid://shopify/ProductVariant/2", "quantity": 1},
    ]


def test_items_are_priced_by_shopify_not_by_the_campaign():
    result = mapped("partially_paid")
    variant_lines = [line for line in result.order_input["lineItems"] if "variantId" in line]
    assert all("priceSet" not in line for line in variant_lines)
    assert result.shopify_total == Decimal("106.16")  # 60 + 30 (Shopify) + 10 shipping + 6.16 tax


def test_a_total_larger_than_the_records_hold_needs_attention_before_anything_is_sent():
    huge = {**VARIANTS, "GAME-CORE": Variant(id="gid://shopify/ProductVariant/1", sku="GAME-CORE",
                                             price=Decimal("999999999999.00"))}  # fmt: skip
    result = attention("partially_paid", variants=huge)
    assert len(result.reasons) == 1 and "is more than this app records" in result.reasons[0]


def test_unknown_sku_needs_attention_and_is_not_pushed():
    result = attention("unknown_sku")
    assert result.reasons == ["SKU POSTER-PROMO is not in your Shopify store."]


def test_variant_skus_lists_every_sku_the_orders_need():
    assert variant_skus([load_order("paid"), load_order("partially_paid")]) == {"GAME-CORE", "DICE-METAL", "EXP-FROST"}


# --- shipping and taxes --------------------------------------------------------------------------


def test_paid_shipping_becomes_one_shipping_line():
    result = mapped("paid")
    assert result.order_input["shippingLines"] == [
        {"title": "Shipping", "priceSet": {"shopMoney": {"amount": "10.00", "currencyCode": "USD"}}}
    ]


def test_no_shipping_line_when_shipping_is_free():
    assert "shippingLines" not in mapped("no_shipping").order_input


def test_taxes_become_one_untaxed_unshipped_line_item():
    taxes = mapped("paid").order_input["lineItems"][-1]
    assert taxes == {
        "title": "Taxes",
        "quantity": 1,
        "priceSet": {"shopMoney": {"amount": "5.44", "currencyCode": "USD"}},
        "taxable": False,
        "requiresShipping": False,
    }


def test_several_taxes_are_summed_into_one_line_item():
    result = mapped("several_taxes")
    tax_lines = [line for line in result.order_input["lineItems"] if line.get("title") == "Taxes"]
    assert [line["priceSet"]["shopMoney"]["amount"] for line in tax_lines] == ["9.00"]
    assert "taxLines" not in result.order_input


def test_no_tax_line_item_when_there_is_no_tax():
    result = mapped("no_tax")
    assert all("variantId" in line for line in result.order_input["lineItems"])


def test_tax_lines_mode_sends_shopify_tax_lines_with_a_rate_instead():
    result = mapped("several_taxes", ShopSettings(tax_mode="tax_lines", connected_store_name="S"))
    assert all("variantId" in line for line in result.order_input["lineItems"])
    assert result.order_input["taxLines"] == [
        {"title": "GST", "rate": "0.05", "priceSet": {"shopMoney": {"amount": "3.75", "currencyCode": "USD"}}},
        {"title": "PST", "rate": "0.07", "priceSet": {"shopMoney": {"amount": "5.25", "currencyCode": "USD"}}},
    ]
    assert result.shopify_total == Decimal("102.00")


# --- money and financial status ------------------------------------------------------------------


def test_order_is_paid_when_amount_paid_covers_the_shopify_total():
    result = mapped("paid")
    assert result.expected_financial_status == "PAID"
    assert result.order_input["financialStatus"] == "PAID"
    assert result.outstanding == Decimal("0.00")


def test_transaction_data_is_one_successful_backerkit_sale_for_the_amount_paid():
    result = mapped("paid")
    assert result.order_input["transactions"] == [
        {
            "kind": "SALE",
            "status": "SUCCESS",
            "gateway": "BackerKit",
            "amountSet": {"shopMoney": {"amount": "90.44", "currencyCode": "USD"}},
        }
    ]


def test_order_is_partially_paid_when_shopify_prices_exceed_amount_paid():
    result = mapped("partially_paid")
    assert result.expected_financial_status == "PARTIALLY_PAID"
    assert result.order_input["financialStatus"] == "PARTIALLY_PAID"
    assert result.order_input["transactions"][0]["amountSet"]["shopMoney"]["amount"] == "101.16"
    assert result.outstanding == Decimal("5.00")
    assert result.explanation == (
        "Shopify prices the order at 106.16 USD; the backer paid 101.16 USD; 5.00 USD stays outstanding."
    )


def test_overpaid_order_records_at_most_the_order_total_and_keeps_the_full_amount_paid():
    result = mapped("overpaid")
    assert result.expected_financial_status == "PAID"
    assert result.order_input["transactions"][0]["amountSet"]["shopMoney"]["amount"] == "90.44"
    assert attribute(result, "Total Paid by Backer") == "110.44 USD"
    assert result.amount_paid == Decimal("110.44")


def test_total_paid_by_backer_attribute_carries_the_full_amount_paid():
    assert attribute(mapped("partially_paid"), "Total Paid by Backer") == "101.16 USD"


def test_without_transaction_data_the_order_is_paid_with_no_transaction_and_no_total_paid():
    result = mapped("partially_paid", ShopSettings(include_transaction_data=False, connected_store_name="S"))
    assert result.order_input["financialStatus"] == "PAID"
    assert result.expected_financial_status == "PAID"
    assert "transactions" not in result.order_input
    assert attribute(result, "Total Paid by Backer") is None


def test_nothing_paid_sends_no_transaction_and_expects_pending():
    result = mapped("nothing_paid")
    assert "transactions" not in result.order_input
    assert result.expected_financial_status == "PENDING"
    assert result.outstanding == Decimal("90.44")


def test_money_is_sent_as_strings_with_the_currency_decimal_places():
    result = mapped("jpy", ShopSettings(shop_currency="JPY", connected_store_name="S"))
    assert result.order_input["shippingLines"][0]["priceSet"]["shopMoney"] == {"amount": "1200", "currencyCode": "JPY"}
    assert attribute(result, "Total Paid by Backer") == "7920 JPY"


def test_order_currency_other_than_the_shop_currency_needs_attention():
    result = attention("currency_mismatch")
    assert result.reasons == ["This campaign is in EUR but your Shopify store sells in USD."]


def test_order_currency_is_sent_as_the_order_currency():
    assert mapped("paid").order_input["currency"] == "USD"


# --- tags and attributes -------------------------------------------------------------------------


def test_tags_are_the_backer_id_the_store_name_and_the_stripe_charge_id():
    assert mapped("paid").order_input["tags"] == ["482913", "Skyforge Store", "ch_3MmlLrLkdIwHu7ix0snN0B15"]


def test_each_stripe_charge_id_is_a_tag():
    tags = mapped("several_charges").order_input["tags"]
    assert tags[-2:] == ["ch_3MmlLrLkdIwHu7ix0snN0B15", "ch_3NnmMsMleJxIv8jy1toO1C26"]


def test_long_store_name_is_cleaned_and_shortened_to_one_tag():
    name = "The  Very, Very Long\tName of a Board-Game Store, Limited Edition"
    tags = mapped("paid", ShopSettings(connected_store_name=name)).order_input["tags"]
    assert tags[1] == "The Very Very Long Name of a Board-Game"
    assert all(len(tag) <= 40 and "," not in tag for tag in tags)


def test_store_name_of_only_commas_and_spaces_adds_no_tag():
    assert clean_store_name(" , ,, ") == ""
    assert mapped("paid", ShopSettings(connected_store_name=" , ")).order_input["tags"] == [
        "482913",
        "ch_3MmlLrLkdIwHu7ix0snN0B15",
    ]


def test_backer_id_too_long_for_a_tag_goes_intact_to_an_attribute():
    result = mapped("long_backer_id")
    backer_id = "backer-" + "9" * 45
    assert backer_id not in result.order_input["tags"]
    assert attribute(result, "Backer ID") == backer_id
    assert all(len(tag) <= 40 for tag in result.order_input["tags"])
    assert "Backer ID" in result.notices[0]


def test_charge_id_with_a_comma_goes_intact_to_an_attribute_not_split_into_tags():
    order = load_order("paid")
    odd = BackerKitOrder(**{**order.__dict__, "stripe_charge_ids": ("ch_1,ch_2",)})
    result = map_order(odd, settings=STORE, variants=VARIANTS)
    assert "ch_1" not in result.order_input["tags"] and "ch_1,ch_2" not in result.order_input["tags"]
    assert attribute(result, "Stripe Charge ID") == "ch_1,ch_2"


def test_pledge_id_is_kept_as_an_attribute():
    assert attribute(mapped("paid"), "Pledge ID") == "pl-77120"


# --- address, customer, identity -----------------------------------------------------------------


def test_address_carries_country_code_and_province_code_from_a_code():
    address = mapped("paid").order_input["shippingAddress"]
    assert address == {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "address1": "12 Main Street",
        "address2": "Apt 4",
        "city": "Springfield",
        "zip": "90210",
        "countryCode": "US",
        "provinceCode": "CA",
        "phone": "+1 555 0100",
    }


def test_region_given_by_name_is_resolved_to_the_province_code():
    assert mapped("region_by_name_au").order_input["shippingAddress"]["provinceCode"] == "NSW"


def test_country_without_provinces_is_pushed_without_a_province():
    address = mapped("nl_without_region").order_input["shippingAddress"]
    assert address["countryCode"] == "NL"
    assert "provinceCode" not in address


def test_region_is_not_sent_for_countries_whose_shopify_addresses_have_none():
    order = load_order("nl_without_region")
    with_region = BackerKitOrder(
        **{**order.__dict__, "shipping_address": order.shipping_address.__class__(
            **{**order.shipping_address.__dict__, "country_code": "DE", "region": "Bayern"})}
    )  # fmt: skip
    result = map_order(with_region, settings=STORE, variants=VARIANTS)
    assert "provinceCode" not in result.order_input["shippingAddress"]


def test_unresolvable_region_where_one_is_required_needs_attention():
    result = attention("unresolvable_region")
    assert result.reasons == ['The region "Narnia" is not a state or province of United States that Shopify knows.']


@pytest.mark.parametrize(
    ("country", "region", "code"),
    [
        ("US", "California", "CA"),
        ("US", "ca", "CA"),
        ("CA", "Québec", "QC"),
        ("AU", "New South Wales", "NSW"),
        ("JP", "Tokyo", "JP-13"),
        ("MX", "Ciudad de México", "DF"),
        ("MY", "Kuala Lumpur", "KUL"),
        ("IT", "Roma", "RM"),
        ("IE", "Dublin", "D"),
        ("BR", "São Paulo", "SP"),
    ],
)
def test_province_codes_are_shopify_zone_codes(country, region, code):
    assert province_code(country, region) == code


def test_source_identifier_is_the_backerkit_order_id():
    assert mapped("paid").order_input["sourceIdentifier"] == "bk-paid"


def test_customer_is_upserted_by_email():
    result = mapped("paid")
    assert result.order_input["email"] == "ada@example.com"
    assert result.order_input["customer"] == {
        "toUpsert": {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"}
    }


def test_notes_and_survey_answers_are_never_pushed():
    raw = (FIXTURES / "paid.json").read_text()
    assert "SECRET-NOTE" in raw and "SECRET-ANSWER" in raw
    result = mapped("paid")
    sent = json.dumps([result.order_input, result.options])
    assert "SECRET" not in sent
    assert "note" not in result.order_input


# --- options -------------------------------------------------------------------------------------


def test_options_default_to_bypass_inventory_and_no_receipts():
    assert mapped("paid").options == {
        "inventoryBehaviour": "BYPASS",
        "sendReceipt": False,
        "sendFulfillmentReceipt": False,
    }


def test_options_follow_the_shop_settings():
    settings = ShopSettings(
        inventory_behaviour="DECREMENT_OBEYING_POLICY", send_receipt=True, send_fulfillment_receipt=True
    )
    assert mapped("paid", settings).options == {
        "inventoryBehaviour": "DECREMENT_OBEYING_POLICY",
        "sendReceipt": True,
        "sendFulfillmentReceipt": True,
    }


def test_a_worker_loads_the_zones_when_it_starts_not_inside_the_first_order():
    mapping._zone_index.cache_clear()

    worker_init.send(sender=app)

    assert mapping._zone_index.cache_info().currsize == len(mapping.PROVINCE_COUNTRIES)
    assert mapping.province_code("AU", "New South Wales") == "NSW"
    assert mapping._zone_index.cache_info().misses == len(mapping.PROVINCE_COUNTRIES)  # nothing built again
