"""A refused order's message names the order and the field, never the value of a personal field
(email, name, company, address lines, city, region, postal code, phone): messages are stored as
``last_error`` and attempt details, shown on pages and kept after the personal data is erased.
Non-personal values (SKU, amounts, currency and country codes) are still quoted."""

import json
from pathlib import Path

import pytest

from integrations.backerkit.files import UnreadableFile, open_order_file
from integrations.backerkit.orders import InvalidOrder, validate_order

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "backerkit" / "orders"


def raw_order() -> dict:
    return json.loads((FIXTURES / "paid.json").read_text())


def message_of(raw: dict) -> str:
    with pytest.raises(InvalidOrder) as caught:
        validate_order(raw)
    return str(caught.value)


def test_a_malformed_email_is_refused_without_quoting_it():
    raw = {**raw_order(), "email": "jane doe@example.com"}

    message = message_of(raw)

    assert message == "order bk-paid: email: is not an email address"
    assert "jane" not in message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("first_name", 42, "shipping_address.first_name: must be a string, not a number"),
        ("last_name", ["Jane", "Doe"], "shipping_address.last_name: must be a string, not an array"),
        ("address1", "", "shipping_address.address1: must not be empty"),
        ("city", "S" * 300, "shipping_address.city: is 300 characters long; at most 255 are allowed"),
        ("postal_code", "9" * 40, "shipping_address.postal_code: is 40 characters long; at most 32 are allowed"),
        ("phone", {"number": "+1 555 0100"}, "shipping_address.phone: must be a string, not an object"),
    ],
)
def test_a_bad_address_field_is_named_without_its_value(field, value, expected):
    raw = raw_order()
    raw["shipping_address"][field] = value

    message = message_of(raw)

    assert message == f"order bk-paid: {expected}"
    for quoted in ("42", "Jane", "SSS", "999", "555"):
        assert quoted not in message


def test_personal_values_with_nul_or_surrogates_are_named_not_quoted():
    raw = raw_order()
    raw["email"] = "jane\x00@example.com"
    raw["shipping_address"]["address2"] = "Flat 9 \ud800"

    message = message_of(raw)

    assert "jane" not in message and "Flat 9" not in message
    assert "email: contains a NUL character" in message
    assert "shipping_address.address2: contains a lone surrogate" in message


def test_non_personal_values_are_still_quoted():
    raw = raw_order()
    raw["currency"] = "usd"
    raw["amount_paid"] = "-5.00"
    raw["shipping_address"]["country_code"] = "XX"
    raw["items"][0]["quantity"] = 0

    message = message_of(raw)

    assert '"usd" is not a currency code' in message
    assert '"-5.00" is negative' in message
    assert '"XX" is not an ISO 3166-1 country' in message
    assert "items[0].quantity: 0 is less than 1" in message


def test_a_file_that_is_not_json_is_refused_without_quoting_its_first_line(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("jane.doe@example.com,Jane Doe,12 Main Street\n")

    with pytest.raises(UnreadableFile) as caught:
        open_order_file(path)

    assert "neither JSON nor JSON Lines" in str(caught.value)
    assert "jane" not in str(caught.value) and "Jane" not in str(caught.value)
