"""The bulk road as the merchant and the rep see it: the setting, which road pushed an order, and
why a store's bulk road is off (tests/shopapp/staff/test_bulk_road_in_console.py)."""

from integrations.orders.models import BulkOperation, PushRecord
from integrations.shops.models import Shop
from tests.support.push_records import record

State = PushRecord.State


def test_the_merchant_chooses_the_road_and_a_form_without_it_keeps_it(admin, shop_row):
    page = admin.get("pages:settings").content.decode()
    assert 'data-testid="push-road"' in page and "Prefer Shopify bulk operations" in page

    admin.post("pages:settings", data={"tax_mode": "tax_lines", "inventory_behaviour": "BYPASS", "push_road": "calls"})
    shop_row.refresh_from_db()
    assert shop_row.push_road == Shop.PushRoad.CALLS
    admin.post("pages:settings", data={"tax_mode": "tax_lines", "inventory_behaviour": "BYPASS"})
    shop_row.refresh_from_db()
    assert shop_row.push_road == Shop.PushRoad.CALLS


def test_an_order_says_which_road_pushed_it(admin, shop_row, conn):
    operation = BulkOperation.objects.create(shop=shop_row, stage=BulkOperation.Stage.RESOLVED,
                                             shopify_id="gid://shopify/BulkOperation/4242")  # fmt: skip
    by_bulk = record(shop_row, conn, "bk-1", State.PUSHED, road="bulk", bulk_operation=operation)
    by_call = record(shop_row, conn, "bk-2", State.PUSHED)

    bulk_page = admin.get("pages:order", by_bulk.id).content.decode()
    call_page = admin.get("pages:order", by_call.id).content.decode()

    assert "Sent by: Shopify bulk operation 4242" in bulk_page and "gid://shopify/BulkOperation/4242" in bulk_page
    assert "Sent by: One request to Shopify" in call_page
