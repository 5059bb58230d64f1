"""The transaction-data switch: the service, the management command, both audited the same way."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shopapp.models import SettingChange
from shopapp.staff.services import ReasonRequired, set_transaction_data


def test_switching_transaction_data_off_records_who_when_old_new_and_why(shop_row, staff_user):
    before = timezone.now()
    change = set_transaction_data(
        shop_id=shop_row.id,
        enabled=False,
        reason="Shopify prices above campaign prices",
        by_email="rep@backerkit.com",
        staff_user=staff_user,
    )

    shop_row.refresh_from_db()
    assert shop_row.include_transaction_data is False
    assert (change.setting, change.old_value, change.new_value) == ("include_transaction_data", "on", "off")
    assert change.reason == "Shopify prices above campaign prices"
    assert change.changed_by == "rep@backerkit.com" and change.staff_user == staff_user
    stored = SettingChange.objects.get(id=change.id)
    assert before <= stored.changed_at <= timezone.now()  # when: the moment of the change, as stored


def test_a_change_without_a_reason_is_refused_and_nothing_changes(shop_row):
    with pytest.raises(ReasonRequired):
        set_transaction_data(shop_id=shop_row.id, enabled=False, reason="  ", by_email="rep@backerkit.com")

    shop_row.refresh_from_db()
    assert shop_row.include_transaction_data is True
    assert not SettingChange.objects.exists()


def test_the_command_switches_and_audits_exactly_like_the_console(shop_row):
    out = StringIO()

    call_command(
        "set_transaction_data",
        shop_row.domain,
        "off",
        "--reason",
        "Asked by the creator",
        "--by",
        "rep@backerkit.com",
        stdout=out,
    )

    shop_row.refresh_from_db()
    change = SettingChange.objects.get()
    assert shop_row.include_transaction_data is False
    assert (change.old_value, change.new_value, change.changed_by) == ("on", "off", "rep@backerkit.com")
    assert change.reason == "Asked by the creator" and change.staff_user is None
    assert "transaction data on -> off" in out.getvalue()


def test_the_command_accepts_the_short_shop_name_and_switches_back_on(shop_row):
    shop_row.include_transaction_data = False
    shop_row.save()

    call_command(
        "set_transaction_data",
        "console-store",
        "on",
        "--reason",
        "Prices fixed",
        "--by",
        "rep@bk.com",
        stdout=StringIO(),
    )

    shop_row.refresh_from_db()
    assert shop_row.include_transaction_data is True
    assert SettingChange.objects.get().new_value == "on"


def test_the_command_refuses_an_unknown_store_and_an_empty_reason(shop_row):
    with pytest.raises(CommandError, match="No installed store"):
        call_command("set_transaction_data", "nowhere.myshopify.com", "off", "--reason", "x", "--by", "a@b.c")
    with pytest.raises(CommandError, match="reason"):
        call_command("set_transaction_data", shop_row.domain, "off", "--reason", " ", "--by", "a@b.c")
    assert not SettingChange.objects.exists()
