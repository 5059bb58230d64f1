"""An order is validated once, at import: the push rebuilds a stored order validated under today's
contract without walking the JSON Schema again, and validates anything else afresh."""

import json
from pathlib import Path

import pytest

from integrations.backerkit.orders import CONTRACT_VERSION, InvalidOrder, known_fields, validate_order
from integrations.orders.models import PushRecord
from integrations.orders.services.push import read_order

ORDERS = Path(__file__).resolve().parents[3] / "fixtures" / "backerkit" / "orders"
CASES = sorted(ORDERS.glob("*.json"))


def stored(case: Path, **fields) -> PushRecord:
    return PushRecord(order_data=known_fields(json.loads(case.read_text())), **fields)


def test_the_fixture_orders_are_there():
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_a_rebuilt_order_is_the_order_validation_gives(case):
    raw = json.loads(case.read_text())
    try:
        expected = validate_order(known_fields(raw))
    except InvalidOrder:  # never stored as validated: it stays refused at push time
        assert isinstance(read_order(stored(case, validated_contract="", invalid_input=True)), InvalidOrder)
        return

    assert read_order(stored(case, validated_contract=CONTRACT_VERSION)) == expected


def test_an_order_stored_under_today_s_contract_is_not_validated_again():
    record = stored(ORDERS / "paid.json", validated_contract=CONTRACT_VERSION)
    record.order_data["email"] = "not an address"  # what validation would refuse

    assert read_order(record).email == "not an address"


@pytest.mark.parametrize("contract", ["", "v0"])
def test_an_order_from_another_contract_or_none_is_validated_afresh(contract):
    record = stored(ORDERS / "paid.json", validated_contract=contract)
    record.order_data["email"] = "not an address"

    assert isinstance(read_order(record), InvalidOrder)


def test_a_refused_order_is_validated_afresh_whatever_its_contract():
    record = stored(ORDERS / "paid.json", validated_contract=CONTRACT_VERSION, invalid_input=True)
    record.order_data["email"] = "not an address"

    assert isinstance(read_order(record), InvalidOrder)
