"""Settings: the merchant's own settings with a contextual save bar; transaction data explained
and changed only by BackerKit support."""

from django.utils import timezone

from integrations.shops.models import Shop
from shopapp.models import SettingChange


def test_the_settings_page_has_an_app_bridge_save_bar_and_a_plain_html_fallback(admin):
    page = admin.get("pages:settings").content.decode()

    assert '<ui-save-bar id="settings-save-bar">' in page
    assert 'data-save-bar-id="settings-save-bar"' in page and 'id="fallback-save-bar"' in page


def test_saving_settings_changes_them_and_comes_back_with_a_success_notice(admin, shop_row):
    response = admin.post(
        "pages:settings",
        data={"tax_mode": "tax_lines", "inventory_behaviour": "DECREMENT_OBEYING_POLICY", "send_receipt": "on"},
    )

    shop_row.refresh_from_db()
    assert (shop_row.tax_mode, shop_row.inventory_behaviour, shop_row.send_receipt) == (
        "tax_lines",
        "DECREMENT_OBEYING_POLICY",
        True,
    )
    assert shop_row.auto_push is False  # an unticked checkbox is "off"
    assert admin.follow(response).context["notice"] == "Settings saved"


def test_an_invalid_choice_is_shown_next_to_its_field_and_nothing_is_saved(admin, shop_row):
    response = admin.post("pages:settings", data={"tax_mode": "no_taxes", "inventory_behaviour": "BYPASS"})

    assert response.status_code == 400
    page = response.content.decode()
    # What the field accepts, not Django's "Select a valid choice. no_taxes is not one of...".
    assert "Choose one of: “All taxes as one line item” or “Shopify tax lines”." in page
    assert "Select a valid choice" not in page and 'class="Field-error"' in page
    shop_row.refresh_from_db()
    assert shop_row.tax_mode == Shop.TaxMode.ONE_LINE_ITEM


def test_a_merchant_cannot_switch_transaction_data(admin, shop_row):
    admin.post(
        "pages:settings",
        data={"tax_mode": "one_line_item", "inventory_behaviour": "BYPASS", "include_transaction_data": ""},
    )

    shop_row.refresh_from_db()
    assert shop_row.include_transaction_data is True


def test_transaction_data_is_explained_with_paid_partially_paid_and_total_paid_by_backer(admin):
    page = admin.get("pages:settings").content.decode()

    assert "Partially paid" in page and "Total Paid by Backer" in page
    assert "Only your BackerKit Success rep can switch transaction data" in page


def test_a_change_by_support_is_shown_as_changed_by_backerkit_support_on_its_date(admin, shop_row):
    Shop.objects.filter(id=shop_row.id).update(include_transaction_data=False)
    change = SettingChange.objects.create(
        shop=shop_row,
        setting="include_transaction_data",
        old_value="on",
        new_value="off",
        reason="prices",
        changed_by="rep@backerkit.com",
    )

    page = admin.get("pages:settings").content.decode()

    assert f"Changed by BackerKit support on {timezone.localtime(change.changed_at):%b} " in page
    assert "always marked <strong>Paid</strong>" in page
    assert "rep@backerkit.com" not in page
