"""Taking orders in (services/imports.py) on its own: one record per BackerKit order, never two; every
entry ends as a record, refused ones naming the order and the field; a re-import never touches what
was pushed. No push runs here (``start_push=False``): the import is the unit."""

import json
from pathlib import Path

import pytest

from integrations.backerkit.files import EntryError
from integrations.orders.models import ImportRun, PushRecord
from integrations.orders.services.imports import currency_problem, file_connection, import_orders
from tests.support.push_records import plain_shop

pytestmark = pytest.mark.django_db

State = PushRecord.State
ORDERS = Path(__file__).resolve().parents[3] / "fixtures" / "backerkit" / "orders"


def order(order_id: str, **changes) -> dict:
    return {**json.loads((ORDERS / "paid.json").read_text()), "id": order_id, **changes}


def take_in(shop, entries: list, *, label: str = "campaign.jsonl") -> ImportRun:
    connection = file_connection(shop=shop, store_name="Skyforge Store")
    return import_orders(
        shop=shop, connection=connection, entries=enumerate(entries, start=1), source="file", label=label,
        start_push=False,
    )  # fmt: skip


def records(shop) -> dict[str, PushRecord]:
    return {r.backerkit_order_id: r for r in PushRecord.objects.filter(shop=shop)}


def test_each_valid_order_becomes_one_pending_record_with_its_money():
    shop = plain_shop()

    run = take_in(shop, [order("bk-1"), order("bk-2")])

    taken = records(shop)
    assert sorted(taken) == ["bk-1", "bk-2"]
    assert {r.state for r in taken.values()} == {State.PENDING}
    assert str(taken["bk-1"].amount_paid).startswith("90.44") and taken["bk-1"].currency == "USD"
    assert (run.received, run.accepted, run.refused, run.already_known) == (2, 2, 0, 0)
    assert run.finished_at is not None


def test_an_invalid_order_is_refused_naming_the_order_and_the_field_without_quoting_personal_data():
    shop = plain_shop()
    bad = order("bk-bad", email="jane doe@example.com")

    run = take_in(shop, [bad, order("bk-good")])

    refused = records(shop)["bk-bad"]
    assert refused.state == State.FAILED and refused.invalid_input
    assert "bk-bad" in refused.last_error and "email" in refused.last_error
    assert "jane doe" not in refused.last_error
    assert (run.accepted, run.refused) == (1, 1)


def test_an_unreadable_line_becomes_a_refused_record_named_by_its_line():
    shop = plain_shop()

    take_in(shop, [EntryError("line 2: not valid JSON"), order("bk-1")], label="campaign.jsonl")

    refused = records(shop)["campaign.jsonl#1"]
    assert refused.state == State.FAILED and "line 2" in refused.last_error
    assert records(shop)["bk-1"].state == State.PENDING


def test_the_same_order_twice_in_one_file_makes_one_record():
    shop = plain_shop()

    run = take_in(shop, [order("bk-1"), order("bk-1", pledge_amount="61.00")])

    assert PushRecord.objects.filter(shop=shop).count() == 1
    assert (run.accepted, run.already_known) == (1, 1)


def test_a_re_import_updates_a_waiting_order_and_leaves_a_pushed_one_alone():
    shop = plain_shop()
    take_in(shop, [order("bk-waiting"), order("bk-pushed")])
    PushRecord.objects.filter(backerkit_order_id="bk-pushed").update(
        state=State.PUSHED, shopify_order_id="gid://shopify/Order/1", shopify_order_name="#1001"
    )

    run = take_in(shop, [order("bk-waiting", pledge_amount="70.00"), order("bk-pushed", pledge_amount="70.00")])

    taken = records(shop)
    assert taken["bk-waiting"].state == State.PENDING and taken["bk-waiting"].order_data["pledge_amount"] == "70.00"
    assert taken["bk-pushed"].state == State.PUSHED and taken["bk-pushed"].order_data["pledge_amount"] == "60.00"
    assert taken["bk-pushed"].last_import_id != run.id
    assert (run.accepted, run.already_known) == (1, 1)


def test_an_order_in_another_currency_than_the_store_needs_attention_and_stops_the_connection():
    shop = plain_shop(currency="EUR")

    take_in(shop, [order("bk-usd")])

    record = records(shop)["bk-usd"]
    assert record.state == State.NEEDS_ATTENTION and "USD" in record.last_error and "EUR" in record.last_error
    connection = file_connection(shop=shop, store_name="Skyforge Store")
    assert connection.status == connection.Status.STOPPED and connection.stopped_reason == record.last_error


def test_a_store_whose_currency_is_not_known_yet_has_no_currency_problem():
    shop = plain_shop(currency="")

    assert currency_problem(shop=shop, currency="USD") == ""


def test_chunks_start_small_and_double_so_the_lanes_have_work_soon_after_the_first():
    shop = plain_shop()
    connection = file_connection(shop=shop, store_name="Skyforge Store")
    committed = []  # how many entries each chunk's commit had taken in, in order

    import_orders(
        shop=shop, connection=connection, entries=enumerate((order(f"bk-{i}") for i in range(1300)), start=1),
        source="file", label="campaign.jsonl", start_push=False, on_progress=lambda run: committed.append(run.received),
    )  # fmt: skip

    assert committed == [25, 75, 175, 375, 775, 1275, 1300]  # 25, 50, 100, 200, 400, then 500 at most
    assert PushRecord.objects.filter(shop=shop).count() == 1300
