"""Validation of one BackerKit order against contract v1: every bad input is refused per order,
naming the order and the field; a valid order becomes a ``BackerKitOrder`` with Decimal money."""

import copy
import json
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

import pytest

from integrations.backerkit.orders import BackerKitOrder, FieldProblem, InvalidOrder, validate_order

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "backerkit" / "orders"


def raw_order(case: str = "paid") -> dict:
    return json.loads((FIXTURES / f"{case}.json").read_text())


def problems_of(raw) -> list[FieldProblem]:
    with pytest.raises(InvalidOrder) as caught:
        validate_order(raw)
    return caught.value.problems


def test_valid_order_becomes_a_backerkit_order_with_decimal_money():
    order = validate_order(raw_order("several_taxes"))
    assert order.amount_paid == Decimal("102.00")
    assert [tax.amount for tax in order.taxes] == [Decimal("3.75"), Decimal("5.25")]
    assert order.total_tax == Decimal("9.00")
    assert order.items[0].campaign_price == Decimal("60.00") and order.items[0].quantity == 1
    assert order.shipping_address.region == "ON"


def test_every_fixture_is_a_valid_contract_order():
    paths = sorted(FIXTURES.glob("*.json"))
    assert len(paths) >= 10, f"expected the captured orders in {FIXTURES}"  # an empty glob proves nothing
    for path in paths:
        validate_order(json.loads(path.read_text()))


def test_amount_paid_that_is_not_a_number_is_refused_naming_the_order_and_field():
    raw = raw_order()
    raw["amount_paid"] = "abc"
    with pytest.raises(InvalidOrder) as caught:
        validate_order(raw)
    assert str(caught.value) == 'order bk-paid: amount_paid: "abc" is not a decimal amount'
    assert caught.value.order_id == "bk-paid"


def test_money_as_a_json_number_is_refused():
    raw = raw_order()
    raw["amount_paid"] = Decimal("90.44")  # as json.loads(..., parse_float=Decimal) reads 90.44
    assert problems_of(raw) == [
        FieldProblem("amount_paid", '90.44 is a JSON number; money must be a decimal string such as "12.50"')
    ]


def test_negative_money_is_refused():
    raw = raw_order()
    raw["taxes"][0]["amount"] = "-5.44"
    assert problems_of(raw) == [FieldProblem("taxes[0].amount", '"-5.44" is negative')]


def test_more_decimal_places_than_the_currency_has_is_refused():
    raw = raw_order()
    raw["shipping_amount"] = "10.005"
    assert problems_of(raw) == [FieldProblem("shipping_amount", '"10.005" has more decimal places than USD allows (2)')]


def test_missing_sku_is_refused():
    raw = raw_order()
    del raw["items"][1]["sku"]
    assert problems_of(raw) == [FieldProblem("items[1].sku", "is required")]


def test_blank_sku_is_refused():
    raw = raw_order()
    raw["items"][0]["sku"] = "   "
    assert problems_of(raw) == [FieldProblem("items[0].sku", "is blank")]


def test_quantity_below_one_is_refused():
    raw = raw_order()
    raw["items"][0]["quantity"] = 0
    assert problems_of(raw) == [FieldProblem("items[0].quantity", "0 is less than 1")]


def test_fractional_quantity_is_refused():
    raw = raw_order()
    raw["items"][0]["quantity"] = Decimal("1.5")
    assert problems_of(raw) == [FieldProblem("items[0].quantity", "must be an integer, not a number")]


def test_unknown_country_is_refused():
    raw = raw_order()
    raw["shipping_address"]["country_code"] = "QQ"
    assert problems_of(raw) == [FieldProblem("shipping_address.country_code", '"QQ" is not an ISO 3166-1 country')]


def test_unknown_currency_is_refused():
    raw = raw_order()
    raw["currency"] = "ABC"
    assert problems_of(raw) == [FieldProblem("currency", '"ABC" is not an ISO 4217 currency')]


def test_order_without_items_is_refused():
    raw = raw_order()
    raw["items"] = []
    assert problems_of(raw) == [FieldProblem("items", "must hold at least 1 entry")]


def test_huge_strings_are_refused_not_truncated():
    raw = raw_order()
    raw["shipping_address"]["address1"] = "x" * 5000
    assert problems_of(raw) == [
        FieldProblem("shipping_address.address1", "is 5000 characters long; at most 255 are allowed")
    ]


def test_nul_characters_are_refused():
    raw = raw_order()
    raw["shipping_address"]["city"] = "Spring\x00field"
    assert problems_of(raw) == [FieldProblem("shipping_address.city", "contains a NUL character")]


def test_unicode_is_accepted():
    raw = raw_order()
    raw["shipping_address"].update(first_name="Zoë", last_name="Łukasiewicz-Ødegaard", city="Göteborg 東京")
    order = validate_order(raw)
    assert order.shipping_address.last_name == "Łukasiewicz-Ødegaard"


def test_every_problem_of_an_order_is_reported_at_once():
    raw = raw_order()
    raw["amount_paid"] = "abc"
    del raw["email"]
    raw["items"][0]["quantity"] = -1
    assert [p.field for p in problems_of(raw)] == ["amount_paid", "email", "items[0].quantity"]


def test_order_that_is_not_an_object_is_refused():
    assert problems_of(["not", "an", "order"]) == [FieldProblem("(order)", "must be a JSON object, not an array")]


def test_order_without_id_is_named_as_such():
    raw = raw_order()
    del raw["id"]
    with pytest.raises(InvalidOrder) as caught:
        validate_order(raw)
    assert str(caught.value) == "order (without id): id: is required"


def test_unknown_extra_fields_are_ignored():
    raw = raw_order()
    raw["fulfillment_priority"] = "high"
    raw["shipping_address"]["what3words"] = "filled.count.soap"
    assert validate_order(raw).id == "bk-paid"


def test_optional_fields_may_be_absent_or_null():
    raw = raw_order()
    for key in ("pledge_id", "add_ons_amount", "taxes", "stripe_charge_ids", "note", "survey_answers"):
        raw.pop(key)
    raw["shipping_address"].update(last_name=None, company=None, address2=None, region=None, phone=None)
    order = validate_order(raw)
    assert order.add_ons_amount == Decimal("0.00") and order.taxes == () and order.stripe_charge_ids == ()
    assert order.shipping_address.region == ""


def test_note_and_survey_answers_are_validated_but_never_kept():
    assert {f.name for f in fields(BackerKitOrder)}.isdisjoint({"note", "survey_answers"})
    order = validate_order(raw_order())
    assert "SECRET" not in repr(order)
    raw = copy.deepcopy(raw_order())
    raw["survey_answers"] = "not a list"
    assert problems_of(raw) == [FieldProblem("survey_answers", "must be an array, not a string")]


def test_jpy_amounts_have_no_decimal_places():
    order = validate_order(raw_order("jpy"))
    assert order.amount_paid == Decimal("7920") and str(order.amount_paid) == "7920"


def test_lone_surrogates_are_refused_by_field():
    # JSON's "\ud800" escape without its pair: not text, cannot be written as UTF-8 to the database or Shopify.
    raw = raw_order()
    raw["shipping_address"]["first_name"] = "Ada \ud800"
    assert problems_of(raw) == [
        FieldProblem("shipping_address.first_name", "contains a lone surrogate (\\ud800-\\udfff), which is not text")
    ]


def test_hostile_text_in_what_is_never_kept_does_not_refuse_the_order():
    raw = raw_order()
    raw["note"] = "\ud800 and \x00"
    assert validate_order(raw).id == raw["id"]


def test_an_order_nested_too_deeply_is_refused_before_anything_walks_it():
    # As an API page delivers it (already parsed): validating must not hit the recursion limit.
    raw = raw_order()
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    raw["survey_answers"] = [{"question": "q", "answer": deep}]
    assert problems_of(raw) == [FieldProblem("(order)", "is nested more than 32 levels deep")]


def test_a_message_quoting_hostile_text_can_itself_be_stored():
    raw = raw_order()
    raw["id"] = "bk-\x00-\udfff"
    raw["currency"] = "U\ud800D"
    with pytest.raises(InvalidOrder) as caught:
        validate_order(raw)
    message = str(caught.value)
    assert message.startswith("order bk-\\x00-\\udfff: ")
    assert '"U\\ud800D" is not a currency code' in message
    message.encode("utf-8")  # no lone surrogate left
    assert "\x00" not in message


def test_an_amount_larger_than_the_records_hold_is_refused():
    raw = raw_order()
    raw["amount_paid"] = "999999999999999"
    assert problems_of(raw) == [
        FieldProblem("amount_paid", '"999999999999999" is more than the largest amount, 999999999999.99')
    ]
