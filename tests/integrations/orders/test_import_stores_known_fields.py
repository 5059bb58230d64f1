"""What an import stores of a BackerKit order: only the contract's fields (an unknown extra field
may hold anything, personal too), and for a refused order a reason without personal values."""

import json
from pathlib import Path

import pytest

from integrations.orders.models import PushRecord
from integrations.orders.services.imports import import_orders
from tests.support.push_records import connection, plain_shop

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "backerkit" / "orders"


def raw_order(**fields) -> dict:
    return {**json.loads((FIXTURES / "paid.json").read_text()), **fields}


@pytest.fixture
def store(db):
    shop = plain_shop("import-store.myshopify.com")
    return shop, connection(shop)


def import_entries(store, *orders) -> None:
    shop, conn = store
    import_orders(shop=shop, connection=conn, entries=list(enumerate(orders, start=1)), source="file",
                  label="orders.jsonl", start_push=False)  # fmt: skip


def test_unknown_extra_fields_are_not_stored_at_any_level(store):
    raw = raw_order(backer_profile={"birthday": "1815-12-10"}, ip_address="203.0.113.9")
    raw["shipping_address"]["delivery_notes"] = "leave with neighbour Mrs Smith"
    raw["items"][0]["engraving"] = "To Ada, love Charles"

    import_entries(store, raw)

    stored = PushRecord.objects.get(backerkit_order_id="bk-paid").order_data
    assert "backer_profile" not in stored and "ip_address" not in stored
    assert "delivery_notes" not in stored["shipping_address"]
    assert "engraving" not in stored["items"][0]
    assert "note" not in stored and "survey_answers" not in stored
    assert stored["shipping_address"]["city"] == "Springfield"  # the contract's fields stay
    assert stored["items"][0]["sku"] == "GAME-CORE"


def test_a_refused_order_is_stored_with_known_fields_and_a_reason_without_its_email(store):
    raw = raw_order(id="bk-bad-email", email="jane doe@example.com", loyalty_card="4111 1111")

    import_entries(store, raw)

    record = PushRecord.objects.get(backerkit_order_id="bk-bad-email")
    assert record.state == PushRecord.State.FAILED
    assert record.last_error == "order bk-bad-email: email: is not an email address"
    assert "loyalty_card" not in record.order_data
