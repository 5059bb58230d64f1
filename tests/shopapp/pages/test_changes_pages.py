"""The merchant sees changes from BackerKit: the preview's sentence and list with what to do, the
order's history (pushed, each change old -> new, who sent it, conflicts and how they ended), the
decisions (apply, apply anyway, keep a value, dismiss) and the setting of what applies by itself."""

from integrations.orders.models import ChangeSettings, OrderChange
from tests.support.change_records import WAREHOUSE, change, changes_in_every_state, many_pending_changes
from tests.support.push_records import State, record

ChangeState = OrderChange.State


def test_the_preview_says_what_changes_wait_and_which_cannot_be_applied(admin, shop_row, conn):
    changes_in_every_state(shop_row, conn, record)

    page = admin.get("pages:preview").content.decode()

    assert ("1 address change" not in page) and (
        "3 address changes, 1 item change, 1 cancellation; 1 cannot be applied: already with the warehouse; "
        "1 edited in Shopify since." in page
    )
    assert page.count('data-testid="change-line"') == 5  # the applied one is history, not pending
    assert "Springfield" in page and "Shelbyville" in page  # old -> new
    assert WAREHOUSE in page
    assert "Capital City" in page  # both values of the conflict
    assert "Apply 2 waiting changes" in page


def test_approving_all_waiting_changes_sends_them(admin, shop_row, conn, django_capture_on_commit_callbacks):
    made = changes_in_every_state(shop_row, conn, record)

    with django_capture_on_commit_callbacks():
        response = admin.post("pages:changes_approve_all")

    assert response.status_code == 302
    for name in ("items", "cancel"):
        made[name].refresh_from_db()
        assert made[name].state == ChangeState.PENDING and made[name].resolution == "Approved by the merchant"


def test_apply_anyway_overrides_the_warehouse_guard_and_keep_shopifys_dismisses_a_conflict(admin, shop_row, conn):
    made = changes_in_every_state(shop_row, conn, record)

    admin.post("pages:change_decide", made["warehouse"].id, data={"action": "approve"})
    admin.post("pages:change_decide", made["conflict"].id, data={"action": "dismiss", "back": "order"})

    made["warehouse"].refresh_from_db()
    made["conflict"].refresh_from_db()
    assert made["warehouse"].state == ChangeState.PENDING and made["warehouse"].overrides == ["fulfilment"]
    assert made["warehouse"].resolution == "Applied anyway by the merchant"
    assert made["conflict"].state == ChangeState.DISMISSED
    assert made["conflict"].resolution == "Shopify's value kept by the merchant"


def test_a_change_of_another_store_or_already_applied_cannot_be_decided(admin, shop_row, conn):
    made = changes_in_every_state(shop_row, conn, record)

    response = admin.post("pages:change_decide", made["applied"].id, data={"action": "dismiss"})

    assert "already+being+applied" in response["Location"] or "already%20being" in response["Location"]
    made["applied"].refresh_from_db()
    assert made["applied"].state == ChangeState.APPLIED


def test_the_order_history_shows_the_push_and_each_change_with_who_sent_it_and_how_it_ended(admin, shop_row, conn):
    rec = record(shop_row, conn, "bk-1", State.PUSHED)
    change(rec, state=ChangeState.APPLIED, resolution="")
    change(rec, state=ChangeState.CONFLICT, reason="Edited in Shopify since this app last wrote the order.",
           conflict=[{"field": "address.city", "ours": "Ogdenville", "shopify": "Capital City"}],
           diff=[{"field": "address.city", "old": "Shelbyville", "new": "Ogdenville"}])  # fmt: skip

    page = admin.get("pages:order", rec.id).content.decode()

    assert page.count('data-testid="history-change"') == 2 and 'data-testid="history-pushed"' in page
    assert page.index("Ogdenville") < page.index("Pushed to Shopify")  # newest first
    assert "Sent by File moved.jsonl" in page
    assert "Capital City" in page and "Keep Shopify's" in page and "Keep BackerKit's" in page


def test_the_setting_says_what_applies_by_itself_and_releases_what_waited(admin, shop_row, conn):
    made = changes_in_every_state(shop_row, conn, record)
    page = admin.get("pages:settings").content.decode()
    assert 'data-testid="change-settings"' in page

    admin.post("pages:settings", data={"tax_mode": "one_line_item", "inventory_behaviour": "BYPASS",
                                       "auto_address": "on", "auto_items": "on"})  # fmt: skip

    choice = ChangeSettings.objects.get(shop=shop_row)
    assert (choice.auto_address, choice.auto_items, choice.auto_money, choice.auto_cancel) == (True, True, False, False)
    made["items"].refresh_from_db()
    made["cancel"].refresh_from_db()
    assert made["items"].state == ChangeState.PENDING and made["cancel"].state == ChangeState.AWAITING_APPROVAL


def test_the_preview_pages_its_pending_changes_fifty_at_a_time_keeping_the_orders_page(admin, shop_row, conn):
    many_pending_changes(shop_row, conn, 120)

    first = admin.get("pages:preview").content.decode()
    second = admin.get("pages:preview", changes_page="2", page="3").content.decode()
    last = admin.get("pages:preview", changes_page="9").content.decode()  # past the end: the last page

    assert first.count('data-testid="change-line"') == 50 and "bk-0050" in first and "bk-0051" not in first
    assert "Showing 1–50 of 120" in first and "120 address changes" in first
    assert second.count('data-testid="change-line"') == 50 and "bk-0051" in second and "bk-0100" in second
    assert "Showing 51–100 of 120" in second
    assert "changes_page=1&amp;" not in second  # the query keeps both pages: the orders' page stays 3
    assert "page=3&amp;changes_page=1" in second and "page=3&amp;changes_page=3" in second
    assert last.count('data-testid="change-line"') == 20 and "Showing 101–120 of 120" in last
    assert 'rel="next"' not in last.split('data-testid="changes-pages"')[1].split("</nav>")[0]


def test_a_few_pending_changes_need_no_pages(admin, shop_row, conn):
    many_pending_changes(shop_row, conn, 50)

    page = admin.get("pages:preview").content.decode()

    assert page.count('data-testid="change-line"') == 50 and 'data-testid="changes-pages"' not in page
