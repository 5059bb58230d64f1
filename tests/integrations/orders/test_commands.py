"""The Success reps' commands: an unreadable file is refused whole; the report lists every order."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from integrations.orders.models import BackerKitConnection, PushRecord
from shopapp.models import Shop


@pytest.fixture
def shop(db):
    shop = Shop.objects.create(domain="report-store.myshopify.com", currency="USD", access_token="shpat_x")
    connection = BackerKitConnection.objects.create(shop=shop, store_name="Report Store")
    PushRecord.objects.create(shop=shop, connection=connection, backerkit_order_id="bk-1", state="pushed",
                              shopify_order_name="#1001", financial_status="PARTIALLY_PAID")  # fmt: skip
    PushRecord.objects.create(shop=shop, connection=connection, backerkit_order_id="bk-2", state="needs_attention",
                              last_error="SKU X is not in your Shopify store.")  # fmt: skip
    return shop


def test_push_orders_refuses_a_file_that_is_not_json(shop, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("id,backer_id\n1,2\n")

    with pytest.raises(CommandError, match="neither JSON nor JSON Lines"):
        call_command("push_orders", shop.domain, str(path), "--connection", "Report Store")

    assert PushRecord.objects.filter(shop=shop).count() == 2


@pytest.mark.django_db
def test_push_orders_refuses_an_unknown_shop(tmp_path):
    with pytest.raises(CommandError, match="No installed shop"):
        call_command("push_orders", "nobody.myshopify.com", str(tmp_path / "x.json"), "--connection", "X")


def test_push_report_prints_every_order_with_state_name_status_and_reason(shop):
    out = StringIO()

    call_command("push_report", shop.domain, "--json", stdout=out)

    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows == [
        {"backerkit_order_id": "bk-1", "state": "pushed", "shopify_order_name": "#1001",
         "financial_status": "PARTIALLY_PAID", "reason": ""},
        {"backerkit_order_id": "bk-2", "state": "needs_attention", "shopify_order_name": "",
         "financial_status": "", "reason": "SKU X is not in your Shopify store."},
    ]  # fmt: skip
