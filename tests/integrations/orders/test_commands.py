"""The Success reps' commands: an unreadable file is refused whole; the report lists every order."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.shops.models import Shop


@pytest.fixture
def report_shop(db):
    report_shop = Shop.objects.create(domain="report-store.myshopify.com", currency="USD", access_token="shpat_x")
    connection = BackerKitConnection.objects.create(shop=report_shop, store_name="Report Store")
    PushRecord.objects.create(shop=report_shop, connection=connection, backerkit_order_id="bk-1", state="pushed",
                              shopify_order_name="#1001", financial_status="PARTIALLY_PAID")  # fmt: skip
    PushRecord.objects.create(shop=report_shop, connection=connection, backerkit_order_id="bk-2",
                              state="needs_attention", last_error="SKU X is not in your Shopify store.")  # fmt: skip
    return report_shop


def test_push_orders_refuses_a_file_that_is_not_json(report_shop, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("id,backer_id\n1,2\n")

    with pytest.raises(CommandError, match="neither JSON nor JSON Lines"):
        call_command("push_orders", report_shop.domain, str(path), "--connection", "Report Store")

    assert PushRecord.objects.filter(shop=report_shop).count() == 2


@pytest.mark.django_db
def test_push_orders_refuses_an_unknown_shop(tmp_path):
    with pytest.raises(CommandError, match="No installed shop"):
        call_command("push_orders", "nobody.myshopify.com", str(tmp_path / "x.json"), "--connection", "X")


def test_push_orders_records_orders_with_unstorable_ids_as_failed_by_their_line(report_shop, tmp_path):
    # A NUL or a lone surrogate cannot be stored by PostgreSQL nor sent as UTF-8: such an id must not
    # become the record's key (the import of the whole chunk would fail), nor appear raw in a reason.
    valid = json.loads((Path(__file__).resolve().parents[2] / "fixtures/backerkit/orders/paid.json").read_text())
    lines = [valid, {**valid, "id": "bk-\x00"}, {**valid, "id": "bk-\ud800", "email": "ada\udfff@example.com"}]
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))

    call_command(
        "push_orders", report_shop.domain, str(path), "--connection", "Report Store", "--no-wait", stdout=StringIO()
    )

    assert PushRecord.objects.get(shop=report_shop, backerkit_order_id="bk-paid").state == "pending"
    nul = PushRecord.objects.get(shop=report_shop, backerkit_order_id=f"{path}#2")
    assert nul.state == "failed" and nul.last_error == "order bk-\\x00: id: contains a NUL character"
    surrogate = PushRecord.objects.get(shop=report_shop, backerkit_order_id=f"{path}#3")
    assert surrogate.state == "failed" and surrogate.last_error.startswith("order bk-\\ud800: email: contains a lone")


def test_push_orders_refuses_an_amount_too_large_to_record_and_goes_on(report_shop, tmp_path):
    valid = json.loads((Path(__file__).resolve().parents[2] / "fixtures/backerkit/orders/paid.json").read_text())
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps({**valid, "id": "bk-huge", "amount_paid": "999999999999999"}) + "\n"
                    + json.dumps(valid) + "\n")  # fmt: skip

    call_command(
        "push_orders", report_shop.domain, str(path), "--connection", "Report Store", "--no-wait", stdout=StringIO()
    )

    huge = PushRecord.objects.get(shop=report_shop, backerkit_order_id="bk-huge")
    assert huge.state == "failed" and "amount_paid" in huge.last_error
    assert PushRecord.objects.get(shop=report_shop, backerkit_order_id="bk-paid").state == "pending"


def test_push_report_prints_every_order_with_state_name_status_and_reason(report_shop):
    out = StringIO()

    call_command("push_report", report_shop.domain, "--json", stdout=out)

    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows == [
        {"backerkit_order_id": "bk-1", "state": "pushed", "shopify_order_name": "#1001",
         "financial_status": "PARTIALLY_PAID", "reason": "", "sync_state": "in_step", "sync_reason": ""},
        {"backerkit_order_id": "bk-2", "state": "needs_attention", "shopify_order_name": "",
         "financial_status": "", "reason": "SKU X is not in your Shopify store.", "sync_state": "",
         "sync_reason": ""},
    ]  # fmt: skip
