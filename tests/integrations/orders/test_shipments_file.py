"""A connection fed by files has no API to write back to: its shipments are kept and offered as the
CSV a creator uploads to BackerKit (push_report --shipments-csv, and the orders page)."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from integrations.orders.fulfilments import Fulfilment, Tracking
from integrations.orders.models import BackerKitConnection
from integrations.orders.services.shipments import record_fulfilment
from tests.support.push_records import State, connection, plain_shop, record

WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def shipped(order: str, fid: int, *numbers: str, status: str = "success", seconds: int = 0) -> Fulfilment:
    return Fulfilment(
        id=f"gid://shopify/Fulfillment/{fid}", order_id=order, status=status, line_items=(("SKY-CORE", 1),),
        tracking=tuple(Tracking(number=n, company="DHL", url=f"https://dhl.example/{n}") for n in numbers),
        created_at=WHEN, updated_at=WHEN + timedelta(seconds=seconds),
    )  # fmt: skip


@pytest.mark.django_db
def test_push_report_writes_the_shipments_file_one_line_per_tracking_number(django_capture_on_commit_callbacks):
    shop = plain_shop()
    files = connection(shop, kind=BackerKitConnection.Kind.FILE_IMPORT, api_key="")
    record(shop, files, "BK-1", State.PUSHED, shopify_order_id="gid://shopify/Order/1")
    record(shop, files, "BK-2", State.PUSHED, shopify_order_id="gid://shopify/Order/2", backer_id="=cmd()")
    record(shop, files, "BK-3", State.PUSHED, shopify_order_id="gid://shopify/Order/3")
    with django_capture_on_commit_callbacks():
        record_fulfilment(shop_id=shop.id, fulfilment=shipped("gid://shopify/Order/1", 1, "T1", "T2"), source="webhook")
        record_fulfilment(shop_id=shop.id, fulfilment=shipped("gid://shopify/Order/2", 2, "T3"), source="webhook")
        record_fulfilment(shop_id=shop.id, fulfilment=shipped("gid://shopify/Order/3", 3, "T4"), source="webhook")
        record_fulfilment(shop_id=shop.id, fulfilment=shipped("gid://shopify/Order/3", 3, "T4", status="cancelled",
                                                              seconds=60), source="webhook")  # fmt: skip
    out = io.StringIO()

    call_command("push_report", shop.domain, "--shipments-csv", stdout=out)

    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["backerkit_order_id", "backer_id", "tracking_number", "tracking_company", "tracking_url",
                       "shipped_at"]  # fmt: skip
    assert [(r[0], r[2]) for r in rows[1:]] == [("BK-1", "T1"), ("BK-1", "T2"), ("BK-2", "T3")]  # BK-3 cancelled
    assert rows[1][3:] == ["DHL", "https://dhl.example/T1", "2026-12-01T09:30:00Z"]
    assert rows[3][1] == "'=cmd()"  # never a formula in the creator's spreadsheet
