"""The classification of a newer BackerKit version of a pushed order (pure, on captured fixtures)."""

import copy
import json
from datetime import UTC, datetime

import pytest

from integrations.backerkit.orders import validate_order
from integrations.orders.changes import (
    ADDRESS,
    CANCEL,
    ITEMS,
    MONEY,
    TAGS,
    classify,
    parse_updated_at,
    status_of,
    version_of,
)
from tests.support.campaign_files import FIXTURES

STORE = "Skyforge Store"
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def raw(case: str = "paid") -> dict:
    return json.loads((FIXTURES / f"{case}.json").read_text())


def version(data: dict, *, updated_at=None, store_name: str = STORE):
    return version_of(validate_order(data), status=status_of(data), updated_at=updated_at, store_name=store_name)


def changed(data: dict, **edits) -> dict:
    data = copy.deepcopy(data)
    for path, value in edits.items():
        node = data
        *parents, last = path.split("__")
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[last] = value
    return data


def test_the_same_order_again_is_no_change():
    result = classify(current=version(raw()), incoming=version(raw()))
    assert result.verdict == "same" and result.kinds == ()


def test_notes_and_survey_answers_are_never_a_change():
    edited = changed(raw(), note="a new note", survey_answers=[{"question": "Size?", "answer": "XL"}])
    assert classify(current=version(raw()), incoming=version(edited)).verdict == "same"


def test_a_region_spelt_otherwise_but_mapped_the_same_is_no_change():
    base = raw("region_by_name_au")
    code = changed(base, shipping_address__region="NSW")
    assert classify(current=version(base), incoming=version(code)).verdict == "same"


@pytest.mark.parametrize(
    ("edits", "kinds", "fields"),
    [
        ({"shipping_address__city": "Shelbyville"}, (ADDRESS,), ["address.city"]),
        ({"email": "new@example.com"}, (ADDRESS,), ["address.email"]),
        ({"shipping_address__phone": "+1 555 0199"}, (ADDRESS,), ["address.phone"]),
        ({"stripe_charge_ids": ["ch_3MmlLrLkdIwHu7ix0snN0B15", "ch_new_late_addon"]}, (TAGS,), ["tags.tags"]),
        ({"pledge_id": "pl-1"}, (TAGS,), ["tags.attributes"]),
        ({"items__1__quantity": 2}, (ITEMS,), ["items.DICE-METAL"]),
        ({"items__1__sku": "EXP-FROST"}, (ITEMS,), ["items.DICE-METAL", "items.EXP-FROST"]),
        ({"amount_paid": "50.00"}, (MONEY,), ["money.amount_paid"]),
        ({"status": "canceled"}, (CANCEL,), ["status"]),
        ({"status": "refunded", "shipping_address__city": "Elsewhere"}, (CANCEL,), ["status"]),
        ({"shipping_address__city": "Shelbyville", "amount_paid": "105.44", "items__1__quantity": 2},
         (ADDRESS, ITEMS, MONEY), ["address.city", "items.DICE-METAL", "money.amount_paid"]),
    ],
)  # fmt: skip
def test_each_difference_is_classified_by_kind(edits, kinds, fields):
    result = classify(current=version(raw()), incoming=version(changed(raw(), **edits)))
    assert result.verdict == "changed"
    assert result.kinds == kinds
    assert result.fields == fields


def test_a_changed_connected_store_name_changes_the_tags():
    result = classify(current=version(raw()), incoming=version(raw(), store_name="Skyforge Shop"))
    assert result.kinds == (TAGS,)


def test_the_diff_holds_old_and_new_but_the_field_names_hold_no_values():
    result = classify(current=version(raw()), incoming=version(changed(raw(), shipping_address__city="Shelbyville")))
    assert result.diff() == [{"field": "address.city", "old": "Springfield", "new": "Shelbyville"}]
    assert "Shelbyville" not in json.dumps(result.fields)


def test_an_older_updated_at_never_overwrites_a_newer_one():
    current = version(changed(raw(), shipping_address__city="Shelbyville"), updated_at=TUESDAY)
    older = version(raw(), updated_at=MONDAY)
    assert classify(current=current, incoming=older).verdict == "older"
    same_time = version(changed(raw(), shipping_address__city="Ogdenville"), updated_at=TUESDAY)
    assert classify(current=current, incoming=same_time).verdict == "older"


def test_a_newer_updated_at_wins_even_back_to_an_earlier_content():
    first = version(raw(), updated_at=MONDAY)
    moved = version(changed(raw(), shipping_address__city="Shelbyville"), updated_at=TUESDAY)
    back = version(raw(), updated_at=datetime(2026, 12, 2, tzinfo=UTC))
    assert classify(current=moved, incoming=back, seen={first.fingerprint}).verdict == "changed"


def test_without_dates_a_content_seen_before_is_old():
    first = version(raw())
    moved = version(changed(raw(), shipping_address__city="Shelbyville"))
    # Re-importing the first file after the move: changes nothing.
    assert classify(current=moved, incoming=first, seen={first.fingerprint, moved.fingerprint}).verdict == "older"
    # A content never seen is new.
    third = version(changed(raw(), shipping_address__city="Ogdenville"))
    assert classify(current=moved, incoming=third, seen={first.fingerprint}).verdict == "changed"


def test_updated_at_is_read_as_rfc_3339_and_optional():
    assert parse_updated_at("2026-12-01T09:00:00Z") == TUESDAY
    assert parse_updated_at("2026-12-01T10:00:00+01:00") == TUESDAY
    assert parse_updated_at(None) is None
    assert parse_updated_at("yesterday") is None
    assert parse_updated_at("2026-12-01T09:00:00") is None  # no offset: not RFC 3339
    assert status_of({}) == "locked" and status_of({"status": "canceled"}) == "canceled"
